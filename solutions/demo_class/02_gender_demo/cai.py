# %% LinearLayer
class LinearLayer:
    def __init__(self, in_features, out_features, rng):
        self.w = rng.standard_normal((in_features, out_features))
        self.b = np.zeros(out_features)
        self.dw = None
        self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.w + self.b

    def backward(self, delta):
        self.dw = self.x.T @ delta
        self.db = delta.mean(axis=0)  # bug: the bias gradient must be summed over the batch
        return delta @ self.w.T

    def update(self, lr):
        self.w = self.w - lr * self.dw
        self.b = self.b - lr * self.db
