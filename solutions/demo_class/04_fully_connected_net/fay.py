# %% dropout_backward
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * mask
    dx = np.empty_like(dout)
    i = 0
    while i < dout.shape[0]:  # bug: i is never increased
        dx[i] = dout[i]
    return dx
