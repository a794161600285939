# %% conv_backward_strided
def conv_backward_strided(dout, x, w, stride):
    N, F, Ho, Wo = dout.shape
    full = np.zeros((N, F, x.shape[2] - w.shape[2] + 1, x.shape[3] - w.shape[3] + 1)
    full[:, :, ::stride, ::stride][:, :, :Ho, :Wo] = dout
    return conv_backward_multi_channel(full, x, w)
