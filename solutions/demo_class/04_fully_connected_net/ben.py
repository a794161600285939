# %% affine_forward
def affine_forward(x, w, b):
    N = x.shape[0]
    rows = x.reshape(N, -1)
    out = np.zeros((N, w.shape[1]))
    for n in range(N):                      # one sample at a time
        out[n] = rows[n] @ w + b
    return out, (x, w, b)

# %% affine_backward
def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    rows = x.reshape(N, -1)
    dx = np.zeros(rows.shape)
    dw = np.zeros(w.shape)
    db = np.zeros(b.shape)
    for n in range(N):
        dx[n] = w @ dout[n]
        dw += np.outer(rows[n], dout[n])
        db += dout[n]
    return dx.reshape(x.shape), dw, db

# %% relu_forward
def relu_forward(x):
    out = x.copy()
    flat = out.reshape(-1)
    for i in range(flat.size):
        if flat[i] < 0:
            flat[i] = 0.0
    return out, x

# %% relu_backward
def relu_backward(dout, cache):
    x = cache
    dx = np.zeros(dout.shape)
    for index in np.ndindex(dout.shape):
        if x[index] > 0:
            dx[index] = dout[index]
    return dx

# %% batchnorm_forward
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = np.array(bn_param.get("running_mean", np.zeros(D)), dtype=float)
    running_var = np.array(bn_param.get("running_var", np.zeros(D)), dtype=float)
    out = np.zeros((N, D))
    cache = None
    if mode == "train":
        mean, var, xhat = np.zeros(D), np.zeros(D), np.zeros((N, D))
        for d in range(D):                  # one feature at a time
            column = x[:, d]
            mean[d] = sum(column) / N
            var[d] = sum((column - mean[d]) ** 2) / N
            xhat[:, d] = (column - mean[d]) / np.sqrt(var[d] + eps)
            out[:, d] = gamma[d] * xhat[:, d] + beta[d]
            running_mean[d] = momentum * running_mean[d] + (1 - momentum) * mean[d]
            running_var[d] = momentum * running_var[d] + (1 - momentum) * var[d]
        cache = (x, mean, var, eps, gamma, xhat)
    else:
        for d in range(D):
            out[:, d] = gamma[d] * (x[:, d] - running_mean[d]) / np.sqrt(running_var[d] + eps) + beta[d]
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache

# %% batchnorm_backward
def batchnorm_backward(dout, cache):
    x, mean, var, eps, gamma, xhat = cache
    N, D = x.shape
    dx = np.zeros((N, D))
    dgamma = np.zeros(D)
    dbeta = np.zeros(D)
    for d in range(D):
        g = dout[:, d]
        dbeta[d] = sum(g)
        dgamma[d] = sum(g * xhat[:, d])
        dxhat = g * gamma[d]
        centered = x[:, d] - mean[d]
        s = np.sqrt(var[d] + eps)
        dvar = sum(dxhat * centered) * -0.5 * s ** -3
        dmean = -sum(dxhat) / s + dvar * -2.0 * sum(centered) / N
        dx[:, d] = dxhat / s + dvar * 2.0 * centered / N + dmean / N
    return dx, dgamma, dbeta

# %% dropout_forward
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return x, (dropout_param, None)
    rng = np.random.default_rng(dropout_param.get("seed"))
    draws = rng.random(x.shape)
    mask = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        if draws[index] < p:
            mask[index] = 1.0 / p
    return x * mask, (dropout_param, mask)

# %% dropout_backward
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "test":
        return dout
    dx = np.zeros(dout.shape)
    for index in np.ndindex(dout.shape):
        dx[index] = dout[index] * mask[index]
    return dx

# %% softmax_loss
def softmax_loss(x, y):
    N, C = x.shape
    loss = 0.0
    dx = np.zeros((N, C))
    for n in range(N):                      # one sample at a time
        scores = x[n] - max(x[n])
        exps = np.exp(scores)
        total = sum(exps)
        loss += np.log(total) - scores[y[n]]
        for c in range(C):
            dx[n, c] = exps[c] / total
        dx[n, y[n]] -= 1.0
    return loss / N, dx / N

# %% FullyConnectedNet
class FullyConnectedNet:
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float64, seed=None):
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}
        rng = np.random.default_rng(seed)
        sizes = [input_dim] + list(hidden_dims) + [num_classes]
        for layer in range(1, self.num_layers + 1):
            fan_in, fan_out = sizes[layer - 1], sizes[layer]
            self.params["W%d" % layer] = (weight_scale * rng.standard_normal((fan_in, fan_out))).astype(dtype)
            self.params["b%d" % layer] = np.zeros(fan_out, dtype=dtype)
            if normalization == "batchnorm" and layer < self.num_layers:
                self.params["gamma%d" % layer] = np.ones(fan_out, dtype=dtype)
                self.params["beta%d" % layer] = np.zeros(fan_out, dtype=dtype)
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed
        self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]

    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        self.dropout_param["mode"] = mode
        for bn_param in self.bn_params:
            bn_param["mode"] = mode
        caches = {}
        h = X
        for layer in range(1, self.num_layers):
            h, caches["affine", layer] = affine_forward(h, self.params["W%d" % layer], self.params["b%d" % layer])
            if self.normalization == "batchnorm":
                h, caches["bn", layer] = batchnorm_forward(h, self.params["gamma%d" % layer],
                                                           self.params["beta%d" % layer], self.bn_params[layer - 1])
            h, caches["relu", layer] = relu_forward(h)
            if self.use_dropout:
                h, caches["dropout", layer] = dropout_forward(h, self.dropout_param)
        last = self.num_layers
        scores, caches["affine", last] = affine_forward(h, self.params["W%d" % last], self.params["b%d" % last])
        if y is None:
            return scores
        loss, dh = softmax_loss(scores, y)
        grads = {}
        for layer in range(last, 0, -1):
            if layer < last:
                if self.use_dropout:
                    dh = dropout_backward(dh, caches["dropout", layer])
                dh = relu_backward(dh, caches["relu", layer])
                if self.normalization == "batchnorm":
                    dh, grads["gamma%d" % layer], grads["beta%d" % layer] = batchnorm_backward(dh, caches["bn", layer])
            dh, dW, db = affine_backward(dh, caches["affine", layer])
            W = self.params["W%d" % layer]
            loss += 0.5 * self.reg * np.sum(W ** 2)
            grads["W%d" % layer] = (dW + self.reg * W).astype(self.dtype)
            grads["b%d" % layer] = db.astype(self.dtype)
        for name in list(grads):
            grads[name] = grads[name].astype(self.dtype)
        return loss, grads

# %% train_net
def train_net(model, data, learning_rate=0.2, num_epochs=50, batch_size=10, seed=0, verbose=False):
    X, y = data["X_train"], data["y_train"]
    N = len(X)
    rng = np.random.default_rng(seed)
    loss_history = []
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        start = 0
        while start < N:
            batch = order[start:start + batch_size]
            start += batch_size
            loss, grads = model.loss(X[batch], y[batch])
            for name in model.params:
                model.params[name] = model.params[name] - learning_rate * grads[name]
            loss_history.append(float(loss))
        if verbose:
            print("epoch", epoch + 1, "loss", loss_history[-1])
    return loss_history
