# %% Sequential
class Sequential:
    """A model made of layers applied one after the other. Each layer has forward(x) -> out,
    backward(dout) -> dx, and the dicts params and grads."""

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x):
        for i in range(len(self.layers)):
            x = self.layers[i].forward(x)
        return x

    def backward(self, dout):
        i = len(self.layers) - 1
        while i >= 0:
            dout = self.layers[i].backward(dout)
            i -= 1
        return dout

    @property
    def params(self):
        collected = {}
        for i in range(len(self.layers)):
            for name in self.layers[i].params:
                collected[str(i) + "." + name] = self.layers[i].params[name]
        return collected

    @property
    def grads(self):
        collected = {}
        for key in self.params:
            i, name = key.split(".", 1)
            collected[key] = self.layers[int(i)].grads[name]
        return collected

# %% mse_loss
def mse_loss(pred, y):
    N, D = pred.shape
    loss = 0.0
    dpred = np.zeros(pred.shape)
    for n in range(N):
        for j in range(D):
            error = pred[n, j] - y[n, j]
            loss += error * error / N
            dpred[n, j] = 2 * error / N
    return loss, dpred

# %% fit_regression
def fit_regression(x, y, seed=0, hidden=50, steps=3000, learning_rate=0.05, momentum=0.9):
    rng = np.random.default_rng(seed)
    model = Sequential([Linear(1, hidden, rng), Tanh(), Linear(hidden, hidden, rng), Tanh(), Linear(hidden, 1, rng)])
    velocity = {k: np.zeros_like(v) for k, v in model.params.items()}
    for step in range(steps):  # full-batch gradient descent with momentum
        loss, dpred = mse_loss(model.forward(x), y)
        model.backward(dpred)
        for k, value in model.params.items():
            velocity[k] = momentum * velocity[k] - learning_rate * model.grads[k]
            value += velocity[k]
    return model

# %% train_mlp
def train_mlp(images, labels, seed=0, epochs=10, batch_size=64, learning_rate=0.05, momentum=0.9):
    rng = np.random.default_rng(seed)
    x = images.reshape(len(images), 784) / 255.0  # float64
    y = np.asarray(labels, dtype=np.int64)
    model = Sequential([Linear(784, 200, rng), ReLU(), Linear(200, 10, rng)])
    velocity = {k: np.zeros_like(v) for k, v in model.params.items()}
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss, dscores = softmax_cross_entropy(model.forward(x[batch]), y[batch])
            model.backward(dscores)
            grads = model.grads
            for k, value in model.params.items():
                velocity[k] = momentum * velocity[k] - learning_rate * grads[k]
                value += velocity[k]
    return model
