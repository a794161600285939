# %% fc_backward
def fc_backward(dout, cache):
    x, w, b = cache
    dx = dout @ w.T
    dw = x.T @ dout / x.shape[0]  # bug: averaged over the batch instead of summed
    db = dout.sum(axis=0)
    return dx, dw, db
