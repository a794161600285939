"""Reference solutions of 03_column_major_net (instructors only).

Data are stored by columns: X (features, N). Bodies use only np, the provided cells (rel_error)
and names they define themselves.
"""
import numpy as np


class SquareLoss:
    def forward(self, y, t):
        self.diff = y - t
        return float(np.sum(self.diff * self.diff) / self.diff.shape[1] / 2)

    def backward(self):
        return self.diff / self.diff.shape[1]


class FC:
    def __init__(self, in_num, out_num, lr=0.1, rng=None):
        if rng is None:
            rng = np.random.default_rng(0)
        self._in_num = in_num
        self._out_num = out_num
        self.w = rng.standard_normal((in_num, out_num))
        self.b = np.zeros((out_num, 1))
        self.lr = lr
        self.grad_w = None
        self.grad_b = None

    def _sigmoid(self, in_data):
        return 1.0 / (1.0 + np.exp(-in_data))

    def forward(self, in_data):
        self.bottomVal = in_data
        self.topVal = self._sigmoid(self.w.T @ in_data + self.b)
        return self.topVal

    def backward(self, residual):
        residual_z = residual * self.topVal * (1.0 - self.topVal)
        self.grad_w = self.bottomVal @ residual_z.T
        self.grad_b = np.sum(residual_z, axis=1, keepdims=True)
        residual_x = self.w @ residual_z
        self.w = self.w - self.lr * self.grad_w
        self.b = self.b - self.lr * self.grad_b
        return residual_x


class Net:
    def __init__(self, input_num=2, hidden_num=4, out_num=1, lr=0.1, rng=None):
        if rng is None:
            rng = np.random.default_rng(0)
        self.fc1 = FC(input_num, hidden_num, lr, rng)
        self.fc2 = FC(hidden_num, out_num, lr, rng)
        self.loss = SquareLoss()

    def train(self, X, y, iterations=10000):
        losses = []
        for i in range(iterations):
            layer1out = self.fc1.forward(X)
            layer2out = self.fc2.forward(layer1out)
            losses.append(self.loss.forward(layer2out, y))
            layer2loss = self.loss.backward()
            layer1loss = self.fc2.backward(layer2loss)
            self.fc1.backward(layer1loss)
        return losses

    def predict(self, X):
        return self.fc2.forward(self.fc1.forward(X))


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def gradient_check(layer, x):
    old_lr = layer.lr
    layer.lr = 0.0
    try:
        top = layer.forward(x)
        residual_x = layer.backward(top)          # L = 1/2 sum(top^2)  =>  dL/dtop = top
        numeric = numerical_gradient(lambda v: 0.5 * np.sum(layer.forward(v) ** 2), x)
    finally:
        layer.lr = old_lr
    return rel_error(residual_x, numeric)
