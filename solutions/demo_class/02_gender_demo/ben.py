# %% NeuralNetwork_train
class NeuralNetwork_train:
    def __init__(self, params):
        self.W_hidden = np.array([[params["w31"], params["w32"]],
                                  [params["w41"], params["w42"]]], dtype=float)
        self.b_hidden = np.array([params["b3"], params["b4"]], dtype=float)
        self.W_out = np.array([[params["w53"], params["w54"]]], dtype=float)
        self.b_out = np.array([params["b5"]], dtype=float)

    def _hidden(self, x):
        y = np.zeros(2)
        for j in range(2):
            net = self.b_hidden[j]
            for i in range(2):
                net += self.W_hidden[j, i] * x[i]
            y[j] = sigmoid(net)
        return y

    def feedforward(self, x):
        y_hidden = self._hidden(x)
        net = self.b_out[0]
        for j in range(2):
            net += self.W_out[0, j] * y_hidden[j]
        return float(sigmoid(net))

    def train(self, data, all_y_trues, learn_rate=0.1, epochs=1000):
        n = len(data)
        losses = []
        for epoch in range(epochs):
            for x, y_true in zip(data, all_y_trues):
                y_hidden = self._hidden(x)
                y_out = self.feedforward(x)
                delta_out = -2.0 / n * (y_true - y_out) * y_out * (1 - y_out)
                delta_hidden = [self.W_out[0, j] * delta_out * y_hidden[j] * (1 - y_hidden[j]) for j in range(2)]
                for j in range(2):
                    self.W_out[0, j] -= learn_rate * delta_out * y_hidden[j]
                self.b_out[0] -= learn_rate * delta_out
                for j in range(2):
                    for i in range(2):
                        self.W_hidden[j, i] -= learn_rate * delta_hidden[j] * x[i]
                    self.b_hidden[j] -= learn_rate * delta_hidden[j]
            if epoch % 10 == 0:
                total = 0.0
                for x, y_true in zip(data, all_y_trues):
                    total += (y_true - self.feedforward(x)) ** 2
                losses.append(total / n)
        return losses

# %% LinearLayer
class LinearLayer:
    def __init__(self, in_features, out_features, rng):
        self.w = rng.standard_normal((in_features, out_features))
        self.b = np.zeros(out_features)
        self.dw = None
        self.db = None

    def forward(self, x):
        self.x = x
        out = np.zeros((x.shape[0], self.w.shape[1]))
        for n in range(x.shape[0]):
            for m in range(self.w.shape[1]):
                out[n, m] = self.b[m] + sum(x[n, i] * self.w[i, m] for i in range(self.w.shape[0]))
        return out

    def backward(self, delta):
        N, D = self.x.shape
        M = self.w.shape[1]
        self.dw = np.zeros((D, M))
        self.db = np.zeros(M)
        delta_in = np.zeros((N, D))
        for n in range(N):
            for m in range(M):
                self.db[m] += delta[n, m]
                for i in range(D):
                    self.dw[i, m] += self.x[n, i] * delta[n, m]
                    delta_in[n, i] += delta[n, m] * self.w[i, m]
        return delta_in

    def update(self, lr):
        self.w = self.w - lr * self.dw
        self.b = self.b - lr * self.db
