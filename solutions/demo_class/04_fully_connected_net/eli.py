# %% train_net
def train_net(model, data, learning_rate=0.2, num_epochs=50, batch_size=10, seed=0, verbose=False):
    X, y = data["X_train"], data["y_train"]
    rng = np.random.default_rng(seed)
    loss_history = []
    for epoch in range(num_epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            for k in grads:
                model.params[k] = model.params[k] - learning_rate * grads[k]
            loss_history.append(float(loss)
    return loss_history
