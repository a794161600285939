# %% conv_backward_multi_channel
def conv_backward_multi_channel(dout, x, w):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    dx = np.zeros(x.shape)
    dw = np.zeros(w.shape)
    db = dout.sum(axis=(0, 2, 3))
    for n in range(N):
        for f in range(F):
            for c in range(C):
                i = 0
                while i < dout.shape[2]:  # bug: i is never increased
                    for j in range(dout.shape[3]):
                        dw[f, c] += dout[n, f, i, j] * x[n, c, i:i + KH, j:j + KW]
                        dx[n, c, i:i + KH, j:j + KW] += dout[n, f, i, j] * w[f, c]
    return dx, dw, db
