# %% sgd
def sgd(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-2)
    config["learning_rate"] = lr
    next_w = np.empty_like(w)
    for index in np.ndindex(w.shape):
        next_w[index] = w[index] - lr * dw[index]
    return next_w, config

# %% sgd_momentum
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-2)
    mu = config.get("momentum", 0.9)
    if "velocity" not in config:
        config["velocity"] = np.zeros(w.shape)
    v = config["velocity"]
    next_w = np.empty_like(w)
    for index in np.ndindex(w.shape):
        v[index] = mu * v[index] - lr * dw[index]
        next_w[index] = w[index] + v[index]
    return next_w, config

# %% adagrad
def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-2)
    eps = config.get("epsilon", 1e-8)
    if "squares" not in config:
        config["squares"] = np.zeros(w.shape)
    s = config["squares"]
    next_w = np.empty_like(w)
    for index in np.ndindex(w.shape):
        s[index] += dw[index] * dw[index]
        next_w[index] = w[index] - lr * dw[index] / (np.sqrt(s[index]) + eps)
    return next_w, config

# %% rmsprop
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-2)
    rho = config.get("decay_rate", 0.99)
    eps = config.get("epsilon", 1e-8)
    if "mean_square" not in config:
        config["mean_square"] = np.zeros(w.shape)
    s = config["mean_square"]
    next_w = np.empty_like(w)
    for index in np.ndindex(w.shape):
        s[index] = rho * s[index] + (1 - rho) * dw[index] * dw[index]
        next_w[index] = w[index] - lr * dw[index] / (np.sqrt(s[index]) + eps)
    return next_w, config

# %% adadelta
def adadelta(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1.0)
    rho = config.get("rho", 0.9)
    eps = config.get("epsilon", 1e-6)
    if "avg_grad_sq" not in config:
        config["avg_grad_sq"] = np.zeros(w.shape)
        config["avg_step_sq"] = np.zeros(w.shape)
    eg, edx = config["avg_grad_sq"], config["avg_step_sq"]
    next_w = np.empty_like(w)
    for index in np.ndindex(w.shape):
        eg[index] = rho * eg[index] + (1 - rho) * dw[index] ** 2
        step = -np.sqrt(edx[index] + eps) / np.sqrt(eg[index] + eps) * dw[index]
        edx[index] = rho * edx[index] + (1 - rho) * step ** 2
        next_w[index] = w[index] + lr * step
    return next_w, config

# %% adam
def adam(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-3)
    beta1 = config.get("beta1", 0.9)
    beta2 = config.get("beta2", 0.999)
    eps = config.get("epsilon", 1e-8)
    if "step" not in config:
        config["step"] = 0
        config["first"] = np.zeros(w.shape)
        config["second"] = np.zeros(w.shape)
    config["step"] += 1
    t = config["step"]
    m, v = config["first"], config["second"]
    next_w = np.empty_like(w)
    for index in np.ndindex(w.shape):
        m[index] = beta1 * m[index] + (1 - beta1) * dw[index]
        v[index] = beta2 * v[index] + (1 - beta2) * dw[index] ** 2
        m_hat = m[index] / (1 - beta1 ** t)
        v_hat = v[index] / (1 - beta2 ** t)
        next_w[index] = w[index] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return next_w, config
