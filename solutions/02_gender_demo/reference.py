"""Reference solutions of 02_gender_demo (instructors only).

Bodies use only np, the provided cells (sigmoid, mse_loss, ...) and names they define themselves.
"""
import numpy as np


class NeuralNetwork_train:
    def __init__(self, params):
        # Row j holds the weights into neuron j: W_hidden[0] = (w31, w32), W_hidden[1] = (w41, w42).
        self.W_hidden = np.array([[params["w31"], params["w32"]],
                                  [params["w41"], params["w42"]]], dtype=float)
        self.b_hidden = np.array([params["b3"], params["b4"]], dtype=float)
        self.W_out = np.array([[params["w53"], params["w54"]]], dtype=float)
        self.b_out = np.array([params["b5"]], dtype=float)

    def feedforward(self, x):
        x = np.asarray(x, dtype=float)
        y_hidden = sigmoid(x @ self.W_hidden.T + self.b_hidden)
        y_out = sigmoid(y_hidden @ self.W_out.T + self.b_out)[..., 0]
        return float(y_out) if y_out.ndim == 0 else y_out

    def train(self, data, all_y_trues, learn_rate=0.1, epochs=1000):
        data = np.asarray(data, dtype=float)
        all_y_trues = np.asarray(all_y_trues, dtype=float)
        n = len(data)
        losses = []
        for epoch in range(epochs):
            for x, y_true in zip(data, all_y_trues):
                # forward
                y_hidden = sigmoid(self.W_hidden @ x + self.b_hidden)        # (y3, y4)
                y_out = sigmoid(self.W_out @ y_hidden + self.b_out)           # (y5,)
                # error terms, from the output back
                delta_out = -2.0 / n * (y_true - y_out) * y_out * (1 - y_out)
                delta_hidden = (self.W_out.T @ delta_out) * y_hidden * (1 - y_hidden)
                # gradients: outer products of error terms and inputs
                self.W_out = self.W_out - learn_rate * np.outer(delta_out, y_hidden)
                self.b_out = self.b_out - learn_rate * delta_out
                self.W_hidden = self.W_hidden - learn_rate * np.outer(delta_hidden, x)
                self.b_hidden = self.b_hidden - learn_rate * delta_hidden
            if epoch % 10 == 0:
                y_preds = np.array([self.feedforward(x) for x in data])
                losses.append(float(mse_loss(all_y_trues, y_preds)))
        return losses


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
        self.db = delta.sum(axis=0)
        return delta @ self.w.T

    def update(self, lr):
        self.w = self.w - lr * self.dw
        self.b = self.b - lr * self.db


class SigmoidLayer:
    def forward(self, x):
        self.y = 1.0 / (1.0 + np.exp(-x))
        return self.y

    def backward(self, delta):
        return delta * self.y * (1.0 - self.y)


class MSELoss:
    def forward(self, y_pred, y_true):
        self.diff = y_pred - y_true
        return np.mean(self.diff ** 2)

    def backward(self):
        return 2.0 * self.diff / self.diff.size
