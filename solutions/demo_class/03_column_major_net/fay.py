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
        done = 0
        while done < iterations:  # bug: `done` is never increased
            out = self.fc2.forward(self.fc1.forward(X))
            losses.append(self.loss.forward(out, y))
            self.fc1.backward(self.fc2.backward(self.loss.backward()))
        return losses

    def predict(self, X):
        return self.fc2.forward(self.fc1.forward(X))
