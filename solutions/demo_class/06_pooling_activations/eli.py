# %% global_max_pool_backward
def global_max_pool_backward(dout, cache):
    x = cache
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            i, j = np.unravel_index(np.argmax(x[n, c]), (H, W))
            dx[n, c, i, j] = dout[n, c]
    return dx]
