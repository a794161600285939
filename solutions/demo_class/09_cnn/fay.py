# %% MaxPool2D
class MaxPool2D:
    """Max pooling (最大池化) over pool×pool windows moved by stride, NCHW, no padding; vectorised."""

    def __init__(self, pool=2, stride=2):
        self.pool, self.stride = pool, stride
        self.params, self.grads = {}, {}

    def forward(self, x):
        k, s = self.pool, self.stride
        N, C, H, W = x.shape
        Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
        self.x = x
        if s >= k:  # windows side by side: the maximum of k² strided slices
            out = x[:, :, :s * (Ho - 1) + 1:s, :s * (Wo - 1) + 1:s].copy()
            for i in range(k):
                for j in range(k):
                    np.maximum(out, x[:, :, i:i + s * (Ho - 1) + 1:s, j:j + s * (Wo - 1) + 1:s], out=out)
            self.out = out
            return out
        out = np.empty((N, C, Ho, Wo), dtype=x.dtype)  # overlapping windows: one row of windows at a time
        r = 0
        while r < Ho:  # bug: r is never increased, so this never stops
            for q in range(Wo):
                out[:, :, r, q] = x[:, :, r * s:r * s + k, q * s:q * s + k].max(axis=(2, 3))
        self.out = out
        return out

    def backward(self, dout):
        k, s = self.pool, self.stride
        Ho, Wo = dout.shape[2], dout.shape[3]
        dx = np.zeros(self.x.shape, dtype=dout.dtype)
        served = np.zeros(dout.shape, dtype=bool)
        for i in range(k):
            for j in range(k):
                window = (slice(None), slice(None), slice(i, i + s * (Ho - 1) + 1, s), slice(j, j + s * (Wo - 1) + 1, s))
                hit = (self.x[window] == self.out) & ~served
                served |= hit
                dx[window] += dout * hit
        return dx
