"""Hidden cases for 03_column_major_net: SquareLoss, FC, Net, numerical_gradient, gradient_check
(SPEC §5.1 and §5.3, seed 003: data stored by columns, X (features, N))."""
from __future__ import annotations

import numpy as np

from autograder.cases import Task, outcome_case, reference_case, run_call

SLUG = "03_column_major_net"

# Sums of a few O(1) products and sigmoids: float64 round-off is ~1e-15, a real mistake is O(1e-2) or more.
RTOL, ATOL = 1e-7, 1e-10

XOR_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
XOR_Y = np.array([[0.0, 1.0, 1.0, 0.0]])

# ---------------------------------------------------------------------------------------------- SquareLoss

SQUARE_LOSS_CALL = """\
loss = SquareLoss()
value = loss.forward(Y, T)
result = {"loss": value, "dy": loss.backward()}
"""


def _square_loss_cases(reference: dict) -> list:
    cases = []
    for k, (name, shape) in enumerate([("one output, 4 samples (1, 4)", (1, 4)),
                                       ("3 outputs, 5 samples (3, 5)", (3, 5)),
                                       ("a batch of one sample (2, 1)", (2, 1)),
                                       ("a single entry (1, 1)", (1, 1)),
                                       ("odd sizes (4, 7)", (4, 7))]):
        rng = np.random.default_rng(300 + k)
        inputs = {"Y": rng.standard_normal(shape), "T": rng.standard_normal(shape)}
        cases.append(reference_case(name, SQUARE_LOSS_CALL, inputs, reference, RTOL, ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- FC

FC_FORWARD_CALL = """\
layer = FC(W.shape[0], W.shape[1], 0.1, np.random.default_rng(0))
layer.w, layer.b = W.copy(), B.copy()
result = {"top": layer.forward(X)}
"""

FC_BACKWARD_CALL = """\
layer = FC(W.shape[0], W.shape[1], float(lr), np.random.default_rng(0))
layer.w, layer.b = W.copy(), B.copy()
top = layer.forward(X)
residual_x = layer.backward(R)
result = {"top": top, "residual_x": residual_x, "grad_w": layer.grad_w, "grad_b": layer.grad_b,
          "w_after": layer.w, "b_after": layer.b}
"""

FC_TWO_STEPS_CALL = """\
layer = FC(W.shape[0], W.shape[1], float(lr), np.random.default_rng(0))
layer.w, layer.b = W.copy(), B.copy()
layer.forward(X)
layer.backward(R)
top = layer.forward(X2)
residual_x = layer.backward(R2)
result = {"top": top, "residual_x": residual_x, "grad_w": layer.grad_w, "grad_b": layer.grad_b,
          "w_after": layer.w, "b_after": layer.b}
"""

FC_DEFAULT_LR_CALL = """\
layer = FC(W.shape[0], W.shape[1])
layer.w, layer.b = W.copy(), B.copy()
layer.forward(X)
layer.backward(R)
result = {"w_after": layer.w, "b_after": layer.b}
"""


def _fc_inputs(seed: int, n_in: int, n_out: int, N: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"X": rng.standard_normal((n_in, N)), "W": rng.standard_normal((n_in, n_out)),
            "B": rng.standard_normal((n_out, 1)), "R": rng.standard_normal((n_out, N))}


FC_SHAPES = [  # (name, seed, in, out, N, lr)
    ("the post's first layer (in=2, out=4, N=4), lr 0.1", 311, 2, 4, 4, 0.1),
    ("one output unit (in=4, out=1, N=4), lr 0.5", 312, 4, 1, 4, 0.5),
    ("a batch of one sample (in=3, out=5, N=1), lr 1.0", 313, 3, 5, 1, 1.0),
    ("one input (in=1, out=2, N=3), lr 0.3", 314, 1, 2, 3, 0.3),
    ("odd sizes (in=7, out=3, N=6), lr 2.0", 315, 7, 3, 6, 2.0),
]


def _fc_cases(reference: dict) -> list:
    cases = []
    for name, seed, n_in, n_out, N, lr in FC_SHAPES[:3]:
        inputs = _fc_inputs(seed, n_in, n_out, N)
        del inputs["R"]
        cases.append(reference_case(f"forward, {name.rsplit(',', 1)[0]}", FC_FORWARD_CALL, inputs,
                                    reference, RTOL, ATOL))
    for name, seed, n_in, n_out, N, lr in FC_SHAPES:
        inputs = {**_fc_inputs(seed, n_in, n_out, N), "lr": np.array(lr)}
        cases.append(reference_case(f"forward, backward and update, {name}", FC_BACKWARD_CALL, inputs,
                                    reference, RTOL, ATOL))
    rng = np.random.default_rng(316)
    inputs = {**_fc_inputs(317, 3, 2, 5), "X2": rng.standard_normal((3, 4)), "R2": rng.standard_normal((2, 4)),
              "lr": np.array(0.8)}
    cases.append(reference_case("two steps in a row (the second with the updated weights)", FC_TWO_STEPS_CALL,
                                inputs, reference, RTOL, ATOL))
    cases.append(reference_case("the default learning rate 0.1", FC_DEFAULT_LR_CALL, _fc_inputs(318, 3, 2, 4),
                                reference, RTOL, ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- Net

NET_TRACE_CALL = """\
net = Net(W1.shape[0], W1.shape[1], W2.shape[1], float(lr), np.random.default_rng(0))
net.fc1.w, net.fc1.b = W1.copy(), B1.copy()
net.fc2.w, net.fc2.b = W2.copy(), B2.copy()
losses = net.train(X, Y, int(iterations))
result = {"losses": np.array([float(v) for v in losses]), "prediction": net.predict(X),
          "fc1_w": net.fc1.w, "fc1_b": net.fc1.b, "fc2_w": net.fc2.w, "fc2_b": net.fc2.b}
"""

NET_XOR_CALL = """\
net = Net(2, 4, 1, 2.0, np.random.default_rng(int(seed)))
losses = net.train(X, Y, 2000)
result = {"losses": np.array([float(v) for v in losses]), "prediction": net.predict(X)}
"""

XOR_SEEDS = (1, 2, 42)  # the reference separates XOR with margin > 0.4 from each of these starts


def _xor_judge(outputs) -> list[str]:
    losses, prediction = outputs.get("losses"), outputs.get("prediction")
    if losses is None or prediction is None:
        return ["train did not return its losses, or predict its outputs"]
    if losses.shape != (2000,):
        return [f"train(X, y, 2000) returned {losses.size} losses; it should return one per iteration, 2000"]
    if prediction.shape != (1, 4):
        return [f"predict(X) for the four XOR inputs (X of shape (2, 4)) has shape {prediction.shape}, "
                f"expected (1, 4)"]
    if not (np.all(np.isfinite(losses)) and np.all(np.isfinite(prediction))):
        return ["training produced NaN or inf"]
    problems = []
    if not losses[-1] < 0.01:
        problems.append(f"the network did not learn XOR: the final loss is {losses[-1]:.3g}, it should be "
                        f"below 0.01 after 2000 iterations with lr 2.0")
    wrong = [f"({int(a)}, {int(b)})" for (a, b), p, t in zip(XOR_X.T, prediction[0], XOR_Y[0]) if (p > 0.5) != (t > 0.5)]
    if wrong:
        problems.append(f"after training the network classifies the XOR input(s) {', '.join(wrong)} wrongly")
    return problems


def _net_cases(reference: dict) -> list:
    cases = []
    specs = [  # (name, seed, in, hidden, out, N, lr, iterations, data)
        ("the post's 2-4-1 network on XOR, 30 iterations, lr 2.0", 320, 2, 4, 1, 4, 2.0, 30, "xor"),
        ("a 3-5-2 network on random data, 20 iterations, lr 0.5", 321, 3, 5, 2, 7, 0.5, 20, "random"),
        ("a batch of one sample (2-3-1), 10 iterations, lr 1.0", 322, 2, 3, 1, 1, 1.0, 10, "random"),
    ]
    for name, seed, n_in, hidden, n_out, N, lr, iterations, data in specs:
        rng = np.random.default_rng(seed)
        if data == "xor":
            X, Y = XOR_X, XOR_Y
        else:
            X, Y = rng.standard_normal((n_in, N)), rng.random((n_out, N))
        inputs = {"W1": rng.standard_normal((n_in, hidden)), "B1": rng.standard_normal((hidden, 1)),
                  "W2": rng.standard_normal((hidden, n_out)), "B2": rng.standard_normal((n_out, 1)),
                  "X": X, "Y": Y, "lr": np.array(lr), "iterations": np.array(iterations)}
        cases.append(reference_case(f"loss trace, predictions and weights: {name}", NET_TRACE_CALL, inputs,
                                    reference, RTOL, ATOL))
    for seed in XOR_SEEDS:
        cases.append(outcome_case(f"learns XOR from random weights (rng seed {seed}), lr 2.0, 2000 iterations",
                                  NET_XOR_CALL, {"X": XOR_X, "Y": XOR_Y, "seed": np.array(seed)}, _xor_judge))
    return cases


# ---------------------------------------------------------------------------------------------- numerical_gradient

NUMGRAD_SIN_CALL = """\
grad = numerical_gradient(lambda v: float(np.sum(np.sin(v) * C)), x.copy())
result = {"grad": grad}
"""

NUMGRAD_STEP_CALL = """\
grad = numerical_gradient(lambda v: np.sum(v ** 3), x.copy(), float(h))
result = {"grad": grad}
"""

NUMGRAD_CLOSURE_CALL = """\
work = x.copy()
grad = numerical_gradient(lambda _: float(np.sum(np.tanh(work) * C)), work)
result = {"grad": grad, "x_after": work}
"""

NUMGRAD_ZERO_D_CALL = """\
grad = numerical_gradient(lambda v: np.array(np.sum(np.exp(0.5 * v)) + np.prod(v[:1])), x.copy())
result = {"grad": grad}
"""

# Central differences of the same function agree to ~1e-11; the one-sided difference is off by ~h/2·f''.
NG_RTOL, NG_ATOL = 1e-6, 1e-8


def _numgrad_cases(reference: dict) -> list:
    cases = []
    for k, shape in enumerate([(3, 4), (1, 1), (2, 3, 2)]):
        rng = np.random.default_rng(330 + k)
        cases.append(reference_case(f"f = sum(sin(x)·C), x of shape {shape}", NUMGRAD_SIN_CALL,
                                    {"x": rng.standard_normal(shape), "C": rng.standard_normal(shape)},
                                    reference, NG_RTOL, NG_ATOL))
    rng = np.random.default_rng(334)
    cases.append(reference_case("the given step h = 0.1 is used (f = sum(x³))", NUMGRAD_STEP_CALL,
                                {"x": rng.standard_normal(5), "h": np.array(0.1)}, reference, NG_RTOL, NG_ATOL))
    cases.append(reference_case("f reads the array x itself (perturbed in place, then restored)", NUMGRAD_CLOSURE_CALL,
                                {"x": rng.standard_normal((2, 5)), "C": rng.standard_normal((2, 5))},
                                reference, NG_RTOL, NG_ATOL))
    cases.append(reference_case("f returns a 0-d array, a column x of shape (4, 1)", NUMGRAD_ZERO_D_CALL,
                                {"x": rng.standard_normal((4, 1))}, reference, NG_RTOL, NG_ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- gradient_check

# Layers defined by the test, so that gradient_check is graded on its own (not through FC). Each
# records the lr it sees in backward; `Reupdate` is the post's FC bug (residual after the update),
# which a check run with lr = 0 cannot see; `Forgetful` drops the activation's derivative, `Scaled`
# returns 1.5 times the right residual_x.
_LAYERS = """\
class _Tanh:
    def __init__(self, w, b, lr):
        self.w, self.b, self.lr, self.seen = w.copy(), b.copy(), lr, []
    def forward(self, x):
        self.x = x
        self.top = np.tanh(self.w.T @ x + self.b)
        return self.top
    def backward(self, residual):
        self.seen.append(float(self.lr))
        dz = residual * (1.0 - self.top ** 2)
        residual_x = self.w @ dz
        self.w = self.w - self.lr * (self.x @ dz.T)
        self.b = self.b - self.lr * np.sum(dz, axis=1, keepdims=True)
        return residual_x

class _Reupdate(_Tanh):
    def backward(self, residual):
        self.seen.append(float(self.lr))
        dz = residual * (1.0 - self.top ** 2)
        self.w = self.w - self.lr * (self.x @ dz.T)
        return self.w @ dz

class _Forgetful(_Tanh):
    def backward(self, residual):
        self.seen.append(float(self.lr))
        residual_x = self.w @ residual
        self.w = self.w - self.lr * (self.x @ residual.T)
        return residual_x

class _Scaled(_Tanh):
    def backward(self, residual):
        return 1.5 * _Tanh.backward(self, residual)

"""

GC_CALL = _LAYERS + """\
layer = {kind}(W, B, float(lr))
error = gradient_check(layer, x.copy())
result = {{"error": error, "lr_after": layer.lr, "lr_in_backward": layer.seen, "w_after": layer.w}}
"""

GC_ERROR_CALL = _LAYERS + """\
layer = {kind}(W, B, float(lr))
result = {{"error": gradient_check(layer, x.copy())}}
"""


def _gc_correct_judge(outputs) -> list[str]:
    error = outputs.get("error")
    if error is None or error.shape != ():
        return ["gradient_check should return one number (the largest relative error)"]
    if not np.isfinite(error) or not 0 <= error < 1e-6:
        return [f"for a layer whose backward pass is correct gradient_check returned {float(error):.3g}; it "
                f"should be tiny (below 1e-6)"]
    return []


def _gc_lr_judge(lr: float, w: np.ndarray):
    def judge(outputs) -> list[str]:
        problems = []
        seen, after, w_after = outputs.get("lr_in_backward"), outputs.get("lr_after"), outputs.get("w_after")
        if seen is None or seen.ndim != 1 or seen.size == 0:
            problems.append("gradient_check never called the layer's backward")
        elif np.any(seen != 0):
            problems.append(f"the layer's lr was {float(seen[seen != 0][0]):g} (not 0) when gradient_check called "
                            f"backward, so the check also trained the layer")
        if after is None or after.shape != () or after != lr:
            problems.append(f"after gradient_check the layer's lr should be back to {lr:g}")
        if w_after is None or w_after.shape != w.shape or not np.array_equal(w_after, w):
            problems.append("gradient_check changed the layer's weights")
        return problems
    return judge


def _gc_cases(reference: dict) -> list:
    cases = []
    specs = [  # (name, seed, in, out, N, lr, kind)
        ("a correct tanh layer (in=4, out=3, N=5)", 340, 4, 3, 5, 0.5, "_Tanh", "correct"),
        ("a correct layer, a batch of one sample (in=3, out=1, N=1)", 341, 3, 1, 1, 1.0, "_Tanh", "correct"),
        ("the post's bug (residual after the update) is invisible with lr = 0", 342, 3, 4, 2, 2.0,
         "_Reupdate", "correct"),
        ("a layer that forgets its activation's derivative (one output unit): the error it reports", 343, 3, 1, 4,
         0.4, "_Forgetful", "reference"),
        ("a layer whose residual_x is 1.5 times too large (in=5, out=2, N=3): the error it reports", 344, 5, 2, 3,
         0.0, "_Scaled", "reference"),
        ("lr is 0 during the check and restored afterwards", 345, 2, 3, 4, 0.7, "_Tanh", "lr"),
    ]
    for name, seed, n_in, n_out, N, lr, kind, how in specs:
        rng = np.random.default_rng(seed)
        inputs = {"W": rng.standard_normal((n_in, n_out)), "B": rng.standard_normal((n_out, 1)),
                  "x": rng.standard_normal((n_in, N)), "lr": np.array(lr)}
        if kind == "_Forgetful":  # keep tanh away from saturation, where the error would approach 1
            inputs = {**inputs, "W": 0.3 * inputs["W"], "B": 0.3 * inputs["B"]}
        call = GC_CALL.format(kind=kind)
        if how == "correct":
            cases.append(outcome_case(name, call, inputs, _gc_correct_judge))
        elif how == "lr":
            cases.append(outcome_case(name, call, inputs, _gc_lr_judge(lr, inputs["W"])))
        else:  # the error a wrong layer gets is a definite number, away from 0 and from the saturation at 1
            error = float(run_call(reference, call, inputs)["error"])
            assert 1e-2 < error < 0.9, (name, error)
            cases.append(reference_case(name, GC_ERROR_CALL.format(kind=kind), inputs, reference, 1e-4, 1e-8))
    return cases


def tasks(reference: dict) -> list[Task]:
    return [
        Task("SquareLoss", 1,
             "The loss is sum((y − t)²) / N / 2 with N the number of samples — the number of COLUMNS of y — "
             "returned as one number. Its exact derivative with respect to y is (y − t) / N, in the shape of y "
             "(the post's backward returns y − t, N times too large).",
             _square_loss_cases(reference)),
        Task("FC", 3,
             "Forward: top = sigmoid(w.T @ x + b) with b (out, 1) added to every column. Backward: dZ = residual "
             "∘ top ∘ (1 − top); grad_w = x @ dZ.T (in, out); grad_b = the sum of dZ over the batch, one number "
             "per output unit, shape (out, 1); residual_x = w @ dZ computed with w from BEFORE the update; then "
             "w −= lr·grad_w and b −= lr·grad_b.",
             _fc_cases(reference)),
        Task("Net", 2,
             "One iteration: fc1.forward, fc2.forward, loss.forward (append the loss, a float, to losses); then "
             "loss.backward(), fc2.backward of that, fc1.backward of what fc2 returns. predict chains the two "
             "forward passes and returns fc2's sigmoid outputs, shape (out_num, N).",
             _net_cases(reference)),
        Task("numerical_gradient", 2,
             "Central differences, one element at a time: move x[i] by +h and by −h (the h you are given), evaluate f "
             "at both, put x[i] back, and divide the difference of the two values by 2h. Change x itself, not a copy "
             "(f may read x directly), and return a float array of x's shape.",
             _numgrad_cases(reference)),
        Task("gradient_check", 2,
             "With L = 1/2·Σ top², dL/dtop is top itself, so backward(top) gives the layer's dL/dx; compare it with "
             "the numerical gradient of L with respect to x, using rel_error, and return that number. The check must "
             "not train the layer: its lr is 0 while the check runs and back to the old value afterwards (also if "
             "something raises).",
             _gc_cases(reference)),
    ]
