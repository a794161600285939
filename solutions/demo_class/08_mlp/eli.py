# %% train_mlp
def train_mlp(images, labels, seed=0, epochs=10):
    rng = np.random.default_rng(seed)
    x = preprocess(images)
    model = Sequential([Linear(784, 256, rng), ReLU(), Linear(256, 10, rng)])
    optimizer = Adam(model.params, learning_rate=1e-3)
    for epoch in range(epochs)
        order = rng.permutation(len(x))
        for start in range(0, len(x), 64):
            batch = order[start:start + 64]
            loss, dscores = softmax_cross_entropy(model.forward(x[batch]), labels[batch])
            model.backward(dscores)
            optimizer.step(model.grads)
    return model
