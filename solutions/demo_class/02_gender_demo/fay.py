# %% NeuralNetwork_train
class NeuralNetwork_train:
    def __init__(self, params):
        self.W_hidden = np.array([[params["w31"], params["w32"]],
                                  [params["w41"], params["w42"]]], dtype=float)
        self.b_hidden = np.array([params["b3"], params["b4"]], dtype=float)
        self.W_out = np.array([[params["w53"], params["w54"]]], dtype=float)
        self.b_out = np.array([params["b5"]], dtype=float)

    def feedforward(self, x):
        y_hidden = sigmoid(self.W_hidden @ x + self.b_hidden)
        return float(sigmoid(self.W_out @ y_hidden + self.b_out)[0])

    def train(self, data, all_y_trues, learn_rate=0.1, epochs=1000):
        losses = []
        epoch = 0
        while epoch < epochs:  # bug: epoch is never increased
            losses.append(0.25)
        return losses
