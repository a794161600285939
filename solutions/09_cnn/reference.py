"""Reference solutions for 09_cnn (instructors only).

Each body is pasted into the notebook's answer cell by ``make release``; bodies use only ``np``,
the provided cells (Linear, ReLU, softmax_cross_entropy, Adam, preprocess) and other tasks.

Speed (graded single-threaded; see ``make bench``): im2col through ``as_strided`` laid out (N, C, KH, KW, Ho, Wo), so that the one
copy runs along rows, then one batched matmul that yields NCHW directly; dw as a batched matmul
with a transposed view, summed over the batch; dx as one matmul plus KH·KW slice-adds. Max
pooling: k² strided slices combined with np.maximum; in the backward pass the first maximum of a
window takes the gradient.
"""
import numpy as np


class Conv2D:
    """Convolution layer (NCHW), vectorised with im2col."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, pad=0, rng=None, dtype=np.float64):
        kh, kw = (kernel_size, kernel_size) if np.ndim(kernel_size) == 0 else tuple(kernel_size)
        rng = np.random.default_rng() if rng is None else rng
        scale = np.sqrt(2.0 / (in_channels * kh * kw))
        self.params = {"w": (scale * rng.standard_normal((out_channels, in_channels, kh, kw))).astype(dtype),
                       "b": np.zeros(out_channels, dtype=dtype)}
        self.grads = {}
        self.stride, self.pad = stride, pad

    def forward(self, x):
        """im2col: every window of the padded input becomes a column, then one matmul per sample."""
        w, b = self.params["w"], self.params["b"]
        s, p = self.stride, self.pad
        F, C, KH, KW = w.shape
        N, _, H, W = x.shape
        Ho, Wo = (H + 2 * p - KH) // s + 1, (W + 2 * p - KW) // s + 1
        xp = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=np.result_type(x, w))
        xp[:, :, p:p + H, p:p + W] = x
        sN, sC, sH, sW = xp.strides
        windows = np.lib.stride_tricks.as_strided(xp, shape=(N, C, KH, KW, Ho, Wo),
                                                  strides=(sN, sC, sH, sW, s * sH, s * sW), writeable=False)
        cols = windows.reshape(N, C * KH * KW, Ho * Wo)  # the one copy: cols[n, (c, i, j), (r, q)]
        out = np.matmul(w.reshape(F, C * KH * KW), cols)  # (N, F, Ho*Wo): already NCHW
        out += b.reshape(F, 1)
        self.cache = (x.shape, cols)
        return out.reshape(N, F, Ho, Wo)

    def backward(self, dout):
        """db: sums; dw: dout·colsᵀ summed over the batch; dx: wᵀ·dout scattered back (col2im)."""
        w = self.params["w"]
        s, p = self.stride, self.pad
        F, C, KH, KW = w.shape
        (N, _, H, W), cols = self.cache
        Ho, Wo = dout.shape[2], dout.shape[3]
        d = dout.reshape(N, F, Ho * Wo)
        self.grads["b"] = d.sum(axis=(0, 2))
        self.grads["w"] = np.matmul(d, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
        dcols = np.matmul(w.reshape(F, C * KH * KW).T, d).reshape(N, C, KH, KW, Ho, Wo)
        dxp = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=dcols.dtype)
        for i in range(KH):
            for j in range(KW):
                dxp[:, :, i:i + s * (Ho - 1) + 1:s, j:j + s * (Wo - 1) + 1:s] += dcols[:, :, i, j]
        return dxp[:, :, p:p + H, p:p + W]


class MaxPool2D:
    """Max pooling (NCHW) over pool×pool windows moved by stride, no padding."""

    def __init__(self, pool=2, stride=2):
        self.pool, self.stride = pool, stride
        self.params, self.grads = {}, {}

    def forward(self, x):
        """The window maximum as the elementwise maximum of pool² strided slices of x."""
        k, s = self.pool, self.stride
        N, C, H, W = x.shape
        Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
        out = None
        for i in range(k):
            for j in range(k):
                part = x[:, :, i:i + s * (Ho - 1) + 1:s, j:j + s * (Wo - 1) + 1:s]
                out = part.copy() if out is None else np.maximum(out, part, out=out)
        self.cache = (x, out)
        return out

    def backward(self, dout):
        """Each window's gradient goes to the (first) position of its maximum."""
        k, s = self.pool, self.stride
        x, out = self.cache
        Ho, Wo = out.shape[2], out.shape[3]
        dx = np.zeros(x.shape, dtype=np.result_type(x, dout))
        unclaimed = np.ones(out.shape, dtype=bool)  # windows whose maximum has not been found yet
        first = np.empty(out.shape, dtype=bool)
        for i in range(k):
            for j in range(k):
                window = (slice(None), slice(None), slice(i, i + s * (Ho - 1) + 1, s), slice(j, j + s * (Wo - 1) + 1, s))
                np.equal(x[window], out, out=first)
                first &= unclaimed
                unclaimed ^= first
                if s < k:  # overlapping windows: an input may be the maximum of several
                    dx[window] += dout * first
                else:  # each input is in one window at most: write straight into the strided view
                    np.multiply(dout, first, out=dx[window])
        return dx


class Flatten:
    """(N, d1, d2, ...) -> (N, d1·d2·...), row-major, and back."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self.shape)


def train_cnn(images, labels, seed=0, epochs=4):
    """conv8-relu-pool, conv32-relu-pool, fc64-relu, fc10 in float32; Adam on minibatches of 64,
    the learning rate times 0.65 after every epoch."""
    batch_size, learning_rate, decay = 64, 2e-3, 0.65
    rng = np.random.default_rng(seed)
    x = preprocess(images)
    y = np.asarray(labels).astype(np.int64)
    f32 = np.float32
    layers = [Conv2D(1, 8, 3, pad=1, rng=rng, dtype=f32), ReLU(), MaxPool2D(2, 2),
              Conv2D(8, 32, 3, pad=1, rng=rng, dtype=f32), ReLU(), MaxPool2D(2, 2), Flatten(),
              Linear(32 * 7 * 7, 64, rng, dtype=f32), ReLU(), Linear(64, 10, rng, dtype=f32)]
    params = {f"{i}.{name}": value for i, layer in enumerate(layers) for name, value in layer.params.items()}
    optimizer = Adam(params, learning_rate=learning_rate)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            out = x[batch]
            for layer in layers:
                out = layer.forward(out)
            loss, grad = softmax_cross_entropy(out, y[batch])
            for layer in reversed(layers):
                grad = layer.backward(grad)
            optimizer.step({f"{i}.{name}": layer.grads[name] for i, layer in enumerate(layers) for name in layer.params})
        optimizer.learning_rate *= decay
    return layers
