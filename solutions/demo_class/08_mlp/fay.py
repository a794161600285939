# %% fit_regression
def fit_regression(x, y, seed=0):
    rng = np.random.default_rng(seed)
    model = Sequential([Linear(1, 32, rng), Tanh(), Linear(32, 32, rng), Tanh(), Linear(32, 1, rng)])
    optimizer = Adam(model.params, learning_rate=0.01)
    loss = np.inf
    while loss > 1e-4:  # bug: the noise alone keeps the loss near 0.0025, so this never stops
        loss, dpred = mse_loss(model.forward(x), y)
        model.backward(dpred)
        optimizer.step(model.grads)
    return model
