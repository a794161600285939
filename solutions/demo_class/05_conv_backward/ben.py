# %% conv_forward
def conv_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for n in range(N):
        for c in range(C):
            for i in range(H):
                for j in range(W):
                    xp[n, c, i + pad, j + pad] = x[n, c, i, j]
    Ho = (H + 2 * pad - KH) // stride + 1
    Wo = (W + 2 * pad - KW) // stride + 1
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[f]
                    for c in range(C):
                        for m in range(KH):
                            for k in range(KW):
                                total += w[f, c, m, k] * xp[n, c, i * stride + m, j * stride + k]
                    out[n, f, i, j] = total
    return out, (x, w, b, stride, pad)

# %% conv_backward_single_channel
def conv_backward_single_channel(dout, x, w):
    H, W = x.shape
    KH, KW = w.shape
    Ho, Wo = dout.shape
    dx = np.zeros((H, W))
    dw = np.zeros((KH, KW))
    db = 0.0
    for i in range(Ho):
        for j in range(Wo):
            db += dout[i, j]
            for m in range(KH):
                for k in range(KW):
                    dw[m, k] += dout[i, j] * x[i + m, j + k]
                    dx[i + m, j + k] += dout[i, j] * w[m, k]
    return dx, dw, db

# %% conv_backward_multi_channel
def conv_backward_multi_channel(dout, x, w):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros((N, C, H, W))
    dw = np.zeros((F, C, KH, KW))
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    db[f] += dout[n, f, i, j]
                    for c in range(C):
                        for m in range(KH):
                            for k in range(KW):
                                dw[f, c, m, k] += dout[n, f, i, j] * x[n, c, i + m, j + k]
                                dx[n, c, i + m, j + k] += dout[n, f, i, j] * w[f, c, m, k]
    return dx, dw, db

# %% conv_backward_strided
def conv_backward_strided(dout, x, w, stride):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros((N, C, H, W))
    dw = np.zeros((F, C, KH, KW))
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    db[f] += dout[n, f, i, j]
                    for c in range(C):
                        for m in range(KH):
                            for k in range(KW):
                                dw[f, c, m, k] += dout[n, f, i, j] * x[n, c, i * stride + m, j * stride + k]
                                dx[n, c, i * stride + m, j * stride + k] += dout[n, f, i, j] * w[f, c, m, k]
    return dx, dw, db

# %% conv_backward
def conv_backward(dout, cache):
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    xp[:, :, pad:pad + H, pad:pad + W] = x
    dxp = np.zeros_like(xp)
    dw = np.zeros((F, C, KH, KW))
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    db[f] += dout[n, f, i, j]
                    for c in range(C):
                        for m in range(KH):
                            for k in range(KW):
                                dw[f, c, m, k] += dout[n, f, i, j] * xp[n, c, i * stride + m, j * stride + k]
                                dxp[n, c, i * stride + m, j * stride + k] += dout[n, f, i, j] * w[f, c, m, k]
    dx = np.zeros((N, C, H, W))
    for n in range(N):
        for c in range(C):
            for i in range(H):
                for j in range(W):
                    dx[n, c, i, j] = dxp[n, c, i + pad, j + pad]
    return dx, dw, db
