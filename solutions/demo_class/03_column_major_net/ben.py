# %% SquareLoss
class SquareLoss:
    def forward(self, y, t):
        self.y, self.t = y, t
        out_num, N = y.shape
        total = 0.0
        for i in range(out_num):
            for n in range(N):
                total += (y[i, n] - t[i, n]) ** 2
        return total / N / 2

    def backward(self):
        out_num, N = self.y.shape
        dy = np.zeros((out_num, N))
        for i in range(out_num):
            for n in range(N):
                dy[i, n] = (self.y[i, n] - self.t[i, n]) / N
        return dy

# %% FC
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
        N = in_data.shape[1]
        top = np.zeros((self._out_num, N))
        for n in range(N):                      # one sample (column) at a time
            for j in range(self._out_num):
                z = self.b[j, 0]
                for i in range(self._in_num):
                    z += self.w[i, j] * in_data[i, n]
                top[j, n] = self._sigmoid(z)
        self.topVal = top
        return top

    def backward(self, residual):
        N = residual.shape[1]
        grad_w = np.zeros((self._in_num, self._out_num))
        grad_b = np.zeros((self._out_num, 1))
        residual_x = np.zeros((self._in_num, N))
        for n in range(N):
            for j in range(self._out_num):
                dz = residual[j, n] * self.topVal[j, n] * (1 - self.topVal[j, n])
                grad_b[j, 0] += dz
                for i in range(self._in_num):
                    grad_w[i, j] += self.bottomVal[i, n] * dz
                    residual_x[i, n] += self.w[i, j] * dz
        self.grad_w, self.grad_b = grad_w, grad_b
        for i in range(self._in_num):
            for j in range(self._out_num):
                self.w[i, j] -= self.lr * grad_w[i, j]
        for j in range(self._out_num):
            self.b[j, 0] -= self.lr * grad_b[j, 0]
        return residual_x

# %% Net
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
            layer2out = self.fc2.forward(self.fc1.forward(X))
            losses.append(float(self.loss.forward(layer2out, y)))
            self.fc1.backward(self.fc2.backward(self.loss.backward()))
        return losses

    def predict(self, X):
        hidden = self.fc1.forward(X)
        return self.fc2.forward(hidden)

# %% numerical_gradient
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fxph = f(x)
        x[i] = old - h
        fxmh = f(x)
        x[i] = old
        grad[i] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad

# %% gradient_check
def gradient_check(layer, x):
    saved = layer.lr
    layer.lr = 0
    try:
        top = layer.forward(x)
        analytic = layer.backward(top.copy())

        def half_sum_of_squares(_):
            out = layer.forward(x)
            return 0.5 * float(np.sum(out * out))

        numeric = numerical_gradient(half_sum_of_squares, x)
    finally:
        layer.lr = saved
    worst = 0.0
    for i in np.ndindex(analytic.shape):
        a, b = analytic[i], numeric[i]
        worst = max(worst, abs(a - b) / max(1e-8, abs(a) + abs(b)))
    return worst
