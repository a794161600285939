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
        KH, KW = w.shape[2], w.shape[3]
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        # every window, stride 1, then every s-th: (N, C, Ho, Wo, KH, KW)
        windows = np.lib.stride_tricks.sliding_window_view(xp, (KH, KW), axis=(2, 3))[:, :, ::s, ::s]
        out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, Ho, Wo, F)
        self.windows, self.xp_shape, self.x_shape = windows, xp.shape, x.shape
        return out.transpose(0, 3, 1, 2) + b[None, :, None, None]

    def backward(self, dout):
        w = self.params["w"]
        s, p = self.stride, self.pad
        KH, KW = w.shape[2], w.shape[3]
        H, W = self.x_shape[2], self.x_shape[3]
        Ho, Wo = dout.shape[2], dout.shape[3]
        self.grads["b"] = dout.sum(axis=(0, 2, 3))
        self.grads["w"] = np.tensordot(dout, self.windows, axes=([0, 2, 3], [0, 2, 3]))
        pieces = np.tensordot(dout, w, axes=([1], [0]))  # (N, Ho, Wo, C, KH, KW)
        dxp = np.zeros(self.xp_shape, dtype=pieces.dtype)
        for i in range(KH):
            for j in range(KW):
                dxp[:, :, i:i + s * (Ho - 1) + 1:s, j:j + s * (Wo - 1) + 1:s] += pieces[..., i, j].transpose(0, 3, 1, 2)
        return dxp[:, :, p:p + H, p:p + W]

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
        out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
        self.where = np.empty((N, C, Ho, Wo), dtype=np.intp)
        for r in range(Ho):
            for q in range(Wo):
                window = x[:, :, r * s:r * s + k, q * s:q * s + k].reshape(N, C, k * k)
                self.where[:, :, r, q] = window.argmax(axis=2)  # the first maximum
                out[:, :, r, q] = window.max(axis=2)
        self.x_shape = x.shape
        return out

    def backward(self, dout):
        k, s = self.pool, self.stride
        N, C, Ho, Wo = dout.shape
        dx = np.zeros(self.x_shape, dtype=dout.dtype)
        n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
        for r in range(Ho):
            for q in range(Wo):
                at = self.where[:, :, r, q]
                dx[n, c, r * s + at // k, q * s + at % k] += dout[:, :, r, q]
        return dx

# %% Flatten
class Flatten:
    """(N, d1, d2, ...) -> (N, d1·d2·...) and back."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x):
        self.input_shape = x.shape
        return np.reshape(x, (x.shape[0], int(np.prod(x.shape[1:]))))

    def backward(self, dout):
        return np.reshape(dout, self.input_shape)

# %% train_cnn
def train_cnn(images, labels, seed=0, epochs=4, batch_size=32, learning_rate=0.02, momentum=0.9):
    rng = np.random.default_rng(seed)
    x = preprocess(images)
    y = np.asarray(labels).astype(np.int64)
    f32 = np.float32
    net = [Conv2D(1, 8, 3, pad=1, rng=rng, dtype=f32), ReLU(), MaxPool2D(), Conv2D(8, 16, 3, pad=1, rng=rng, dtype=f32),
           ReLU(), MaxPool2D(), Flatten(), Linear(16 * 7 * 7, 10, rng, dtype=f32)]
    velocity = [{k: np.zeros_like(v) for k, v in layer.params.items()} for layer in net]
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            h = x[batch]
            for layer in net:
                h = layer.forward(h)
            loss, g = softmax_cross_entropy(h, y[batch])
            for layer in net[::-1]:
                g = layer.backward(g)
            for layer, v in zip(net, velocity):  # SGD with momentum (assignment 07)
                for k in layer.params:
                    v[k] *= momentum
                    v[k] -= learning_rate * layer.grads[k]
                    layer.params[k] += v[k]
    return net
