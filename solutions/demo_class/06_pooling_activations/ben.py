# %% max_pool_forward
def max_pool_forward(x, pool_param):
    N, C, H, W = x.shape
    PH, PW, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    Ho, Wo = (H - PH) // s + 1, (W - PW) // s + 1
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best = x[n, c, i * s, j * s]
                    for m in range(PH):
                        for k in range(PW):
                            if x[n, c, i * s + m, j * s + k] > best:
                                best = x[n, c, i * s + m, j * s + k]
                    out[n, c, i, j] = best
    return out, (x, pool_param)

# %% max_pool_backward
def max_pool_backward(dout, cache):
    x, pool_param = cache
    N, C, H, W = x.shape
    PH, PW, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros((N, C, H, W))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    bm, bk = 0, 0
                    for m in range(PH):
                        for k in range(PW):
                            if x[n, c, i * s + m, j * s + k] > x[n, c, i * s + bm, j * s + bk]:
                                bm, bk = m, k
                    dx[n, c, i * s + bm, j * s + bk] += dout[n, c, i, j]
    return dx

# %% avg_pool_forward
def avg_pool_forward(x, pool_param):
    N, C, H, W = x.shape
    PH, PW, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    Ho, Wo = (H - PH) // s + 1, (W - PW) // s + 1
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    total = 0.0
                    for m in range(PH):
                        for k in range(PW):
                            total += x[n, c, i * s + m, j * s + k]
                    out[n, c, i, j] = total / (PH * PW)
    return out, (x, pool_param)

# %% avg_pool_backward
def avg_pool_backward(dout, cache):
    x, pool_param = cache
    N, C, H, W = x.shape
    PH, PW, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros((N, C, H, W))
    for n in range(N):
        for c in range(C):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    for m in range(PH):
                        for k in range(PW):
                            dx[n, c, i * s + m, j * s + k] += dout[n, c, i, j] / (PH * PW)
    return dx

# %% global_avg_pool_forward
def global_avg_pool_forward(x):
    N, C, H, W = x.shape
    out = np.zeros((N, C))
    for n in range(N):
        for c in range(C):
            total = 0.0
            for i in range(H):
                for j in range(W):
                    total += x[n, c, i, j]
            out[n, c] = total / (H * W)
    return out, x

# %% global_avg_pool_backward
def global_avg_pool_backward(dout, cache):
    x = cache
    N, C, H, W = x.shape
    dx = np.zeros((N, C, H, W))
    for n in range(N):
        for c in range(C):
            for i in range(H):
                for j in range(W):
                    dx[n, c, i, j] = dout[n, c] / (H * W)
    return dx

# %% global_max_pool_forward
def global_max_pool_forward(x):
    N, C, H, W = x.shape
    out = np.zeros((N, C))
    for n in range(N):
        for c in range(C):
            best = x[n, c, 0, 0]
            for i in range(H):
                for j in range(W):
                    if x[n, c, i, j] > best:
                        best = x[n, c, i, j]
            out[n, c] = best
    return out, x

# %% global_max_pool_backward
def global_max_pool_backward(dout, cache):
    x = cache
    N, C, H, W = x.shape
    dx = np.zeros((N, C, H, W))
    for n in range(N):
        for c in range(C):
            bi, bj = 0, 0
            for i in range(H):
                for j in range(W):
                    if x[n, c, i, j] > x[n, c, bi, bj]:
                        bi, bj = i, j
            dx[n, c, bi, bj] = dout[n, c]
    return dx

# %% relu_forward
def relu_forward(x):
    out = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        if x[index] > 0:
            out[index] = x[index]
    return out, x

# %% relu_backward
def relu_backward(dout, cache):
    x = cache
    dx = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        if x[index] > 0:
            dx[index] = dout[index]
    return dx

# %% leaky_relu_forward
def leaky_relu_forward(x, alpha=0.01):
    out = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        out[index] = x[index] if x[index] > 0 else alpha * x[index]
    return out, (x, alpha)

# %% leaky_relu_backward
def leaky_relu_backward(dout, cache):
    x, alpha = cache
    dx = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        dx[index] = dout[index] if x[index] > 0 else alpha * dout[index]
    return dx

# %% prelu_forward
def prelu_forward(x, alpha):
    out = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        a = alpha[index[1]]
        out[index] = x[index] if x[index] > 0 else a * x[index]
    return out, (x, alpha)

# %% prelu_backward
def prelu_backward(dout, cache):
    x, alpha = cache
    dx = np.zeros(x.shape)
    dalpha = np.zeros(alpha.shape)
    for index in np.ndindex(x.shape):
        c = index[1]
        if x[index] > 0:
            dx[index] = dout[index]
        else:
            dx[index] = alpha[c] * dout[index]
            dalpha[c] += dout[index] * x[index]
    return dx, dalpha

# %% elu_forward
def elu_forward(x, alpha=1.0):
    import math
    out = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        z = x[index]
        out[index] = z if z > 0 else alpha * (math.exp(z) - 1)
    return out, (x, alpha)

# %% elu_backward
def elu_backward(dout, cache):
    import math
    x, alpha = cache
    dx = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        z = x[index]
        dx[index] = dout[index] if z > 0 else alpha * math.exp(z) * dout[index]
    return dx

# %% selu_forward
def selu_forward(x):
    import math
    lam, a = 1.0507009873554805, 1.6732632423543772
    out = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        z = x[index]
        out[index] = lam * z if z > 0 else lam * a * (math.exp(z) - 1)
    return out, x

# %% selu_backward
def selu_backward(dout, cache):
    import math
    lam, a = 1.0507009873554805, 1.6732632423543772
    x = cache
    dx = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        z = x[index]
        dx[index] = lam * dout[index] if z > 0 else lam * a * math.exp(z) * dout[index]
    return dx
