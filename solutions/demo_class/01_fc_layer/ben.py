# %% fc_forward
def fc_forward(x, w, b):
    N, D = x.shape
    M = w.shape[1]
    out = np.zeros((N, M))
    for n in range(N):
        for m in range(M):
            total = b[m]
            for d in range(D):
                total += x[n, d] * w[d, m]
            out[n, m] = total
    return out, (x, w, b)

# %% fc_backward
def fc_backward(dout, cache):
    x, w, b = cache
    N, D = x.shape
    M = w.shape[1]
    dx = np.zeros((N, D))
    dw = np.zeros((D, M))
    db = np.zeros(M)
    for n in range(N):
        for m in range(M):
            db[m] += dout[n, m]
            for d in range(D):
                dx[n, d] += dout[n, m] * w[d, m]
                dw[d, m] += x[n, d] * dout[n, m]
    return dx, dw, db

# %% sgd_step
def sgd_step(param, grad, lr):
    new_param = param.copy()
    for index in np.ndindex(param.shape):
        new_param[index] = param[index] - lr * grad[index]
    return new_param
