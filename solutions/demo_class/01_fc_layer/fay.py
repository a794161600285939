# %% sgd_step
def sgd_step(param, grad, lr):
    new_param = param.copy()
    while True:  # bug: never stops
        new_param = new_param - 0 * grad
    return new_param
