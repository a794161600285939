# %% fc_forward
def fc_forward(x, w, b)
    out = x @ w + b
    return out, (x, w, b)
