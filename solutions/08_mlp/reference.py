"""Reference solutions for 08_mlp (instructors only).

Each body is pasted into the notebook's answer cell by ``make release``; bodies use only ``np``,
the provided cells (Linear, ReLU, Tanh, softmax_cross_entropy, Adam, preprocess) and other tasks.
"""
import numpy as np


class Sequential:
    """Layers applied one after the other; itself a layer (forward, backward, params, grads)."""

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x):
        """Each layer's output is the next layer's input."""
        out = x
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, dout):
        """The chain rule, last layer first: each backward turns d(loss)/d(its output) into
        d(loss)/d(its input), which is the upstream gradient of the layer before."""
        grad = dout
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    @property
    def params(self):
        """The layers' own arrays (not copies), keyed '<layer index>.<name>'."""
        return {f"{i}.{name}": value for i, layer in enumerate(self.layers) for name, value in layer.params.items()}

    @property
    def grads(self):
        """The gradient of every parameter, under the same keys as ``params``."""
        return {f"{i}.{name}": layer.grads[name] for i, layer in enumerate(self.layers) for name in layer.params}


def mse_loss(pred, y):
    """L = Σ (pred − y)² / N (summed over the outputs, averaged over the N samples); dL/dpred = 2(pred − y)/N."""
    diff = pred - y
    n = pred.shape[0]
    loss = np.sum(diff ** 2) / n
    dpred = 2.0 * diff / n
    return loss, dpred


def fit_regression(x, y, seed=0):
    """1 → 32 → 32 → 1 with tanh, 2000 steps of full-batch Adam on the mean squared error."""
    hidden, steps, learning_rate = 32, 2000, 0.01
    rng = np.random.default_rng(seed)
    model = Sequential([Linear(x.shape[1], hidden, rng), Tanh(), Linear(hidden, hidden, rng), Tanh(),
                        Linear(hidden, y.shape[1], rng)])
    optimizer = Adam(model.params, learning_rate=learning_rate)
    for step in range(steps):
        loss, dpred = mse_loss(model.forward(x), y)
        model.backward(dpred)
        optimizer.step(model.grads)
    return model


def train_mlp(images, labels, seed=0, epochs=10):
    """784 → 256 → 10 with ReLU, in float32; Adam on minibatches of 128, the learning rate times 0.8
    after every epoch."""
    hidden, batch_size, learning_rate, decay = 256, 128, 2e-3, 0.8
    rng = np.random.default_rng(seed)
    x = preprocess(images)
    y = np.asarray(labels).astype(np.int64)
    model = Sequential([Linear(x.shape[1], hidden, rng, dtype=np.float32), ReLU(),
                        Linear(hidden, 10, rng, dtype=np.float32)])
    optimizer = Adam(model.params, learning_rate=learning_rate)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss, dscores = softmax_cross_entropy(model.forward(x[batch]), y[batch])
            model.backward(dscores)
            optimizer.step(model.grads)
        optimizer.learning_rate *= decay
    return model
