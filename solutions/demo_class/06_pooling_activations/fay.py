# %% avg_pool_backward
def avg_pool_backward(dout, cache):
    shape, pool_param = cache
    PH, PW, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros(shape)
    i = 0
    while i < dout.shape[2]:  # bug: i is never increased
        for j in range(dout.shape[3]):
            dx[:, :, i * s:i * s + PH, j * s:j * s + PW] += dout[:, :, i:i + 1, j:j + 1] / (PH * PW)
    return dx
