# %% gradient_check
def gradient_check(layer, x):
    old_lr = layer.lr
    layer.lr = 0.0
    try:
        top = layer.forward(x)
        residual_x = layer.backward(np.ones_like(top))  # bug: dL/dtop of 1/2·sum(top²) is top, not 1
        numeric = numerical_gradient(lambda v: 0.5 * np.sum(layer.forward(v) ** 2), x)
    finally:
        layer.lr = old_lr
    return rel_error(residual_x, numeric)
