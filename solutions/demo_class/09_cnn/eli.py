# %% train_cnn
def train_cnn(images, labels, seed=0, epochs=4):
    rng = np.random.default_rng(seed)
    x = preprocess(images)
    layers = [Conv2D(1, 8, 3, pad=1, rng=rng, dtype=np.float32), ReLU(), MaxPool2D(2, 2),
              Conv2D(8, 32, 3, pad=1, rng=rng, dtype=np.float32), ReLU(), MaxPool2D(2, 2), Flatten(),
              Linear(32 * 7 * 7, 10, rng, dtype=np.float32)]
    params = {f"{i}.{k}": v for i, layer in enumerate(layers) for k, v in layer.params.items()}
    optimizer = Adam(params, learning_rate=2e-3)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 64):
            batch = order[start:start + 64]
            out = x[batch]
            for layer in layers:
                out = layer.forward(out)
            loss, grad = softmax_cross_entropy(out, labels[batch]
            for layer in reversed(layers):
                grad = layer.backward(grad)
            optimizer.step({f"{i}.{k}": layer.grads[k] for i, layer in enumerate(layers) for k in layer.params})
    return layers
