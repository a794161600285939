"""Hidden cases for 03_column_major_net: SquareLoss, FC, Net, numerical_gradient, gradient_check
(course notes 神经网络-全连接层(3): data stored by columns, X (features, N))."""
from __future__ import annotations

import numpy as np

from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import outcome_case, reference_case, run_call

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
    ("the course notes' first layer (in=2, out=4, N=4), lr 0.1", 311, 2, 4, 4, 0.1),
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

# Learning XOR is judged on the network built, not on what train and predict report: train sees the
# four points twice each in a shuffled order; the grader computes the trained network's outputs with
# its own forward pass (from net.fc1 and net.fc2), for the training points and for jittered points
# near the corners, and predict must agree with that forward pass on points it has never seen.
NET_XOR_CALL = """\
net = Net(2, 4, 1, 2.0, np.random.default_rng(int(seed)))
losses = net.train(X, Y, 2000)
result = {"losses": np.array([float(v) for v in losses]), "prediction": net.predict(X_new),
          "fc1_w": net.fc1.w, "fc1_b": net.fc1.b, "fc2_w": net.fc2.w, "fc2_b": net.fc2.b}
"""

XOR_SEEDS = (1, 2, 42)  # the reference separates XOR with margin > 0.4 from each of these starts
XOR_JITTER = 0.1  # the new points lie within this of a corner; the reference keeps a margin > 0.3 there


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _xor_data(seed: int):
    """Training points (each corner twice, shuffled), new points sent to predict, and points the
    kernel never sees; the targets of each."""
    rng = np.random.default_rng(700 + seed)
    order = rng.permutation(8)
    X, Y = np.tile(XOR_X, 2)[:, order], np.tile(XOR_Y, 2)[:, order]
    corners = rng.integers(4, size=24)
    points = XOR_X[:, corners] + rng.uniform(-XOR_JITTER, XOR_JITTER, (2, 24))
    targets = XOR_Y[:, corners]
    return X, Y, points[:, :12], targets[:, :12], points[:, 12:], targets[:, 12:]


def _xor_judge(X, Y, X_new, Y_new, X_unseen, Y_unseen):
    def judge(outputs) -> list[str]:
        losses, prediction = outputs.get("losses"), outputs.get("prediction")
        shapes = {"fc1_w": (2, 4), "fc1_b": (4, 1), "fc2_w": (4, 1), "fc2_b": (1, 1)}
        wrong = [f"net.{k.replace('_', '.')} has shape {None if outputs.get(k) is None else outputs[k].shape}, "
                 f"expected {shape}" for k, shape in shapes.items()
                 if outputs.get(k) is None or outputs[k].shape != shape]
        if wrong:
            return wrong
        if losses is None or losses.shape != (2000,):
            return [f"train(X, y, 2000) returned {0 if losses is None else losses.size} losses; it should return one "
                    f"per iteration, 2000"]
        w1, b1, w2, b2 = (outputs[k] for k in shapes)

        def forward(x):
            return _sigmoid(w2.T @ _sigmoid(w1.T @ x + b1) + b2)

        if not all(np.all(np.isfinite(v)) for v in (losses, w1, b1, w2, b2)):
            return ["training produced NaN or inf"]
        problems = []
        loss = float(np.sum((forward(X) - Y) ** 2) / X.shape[1] / 2)
        if not loss < 0.01:
            problems.append(f"the network did not learn XOR: with its trained weights the loss is {loss:.3g}, it "
                            f"should be below 0.01 after 2000 iterations with lr 2.0")
        if prediction is None or prediction.shape != Y_new.shape:
            problems.append(f"predict(X) for {X_new.shape[1]} new points (X of shape {X_new.shape}) returned shape "
                            f"{None if prediction is None else prediction.shape}, expected {Y_new.shape}")
        elif not np.allclose(prediction, forward(X_new), rtol=1e-6, atol=1e-9):
            problems.append("predict(X) for new points does not give the trained network's outputs: it should run "
                            "fc1.forward and fc2.forward on the X it is given")
        points, targets = np.hstack([X, X_new, X_unseen]), np.hstack([Y, Y_new, Y_unseen])
        missed = int(np.sum((forward(points) > 0.5) != (targets > 0.5)))
        if missed:
            problems.append(f"the trained network classifies {missed} of {points.shape[1]} points at or near the "
                            f"XOR corners (within {XOR_JITTER}) wrongly")
        return problems
    return judge


def _net_cases(reference: dict) -> list:
    cases = []
    specs = [  # (name, seed, in, hidden, out, N, lr, iterations, data)
        ("the course notes' 2-4-1 network on XOR, 30 iterations, lr 2.0", 320, 2, 4, 1, 4, 2.0, 30, "xor"),
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
        X, Y, X_new, Y_new, X_unseen, Y_unseen = _xor_data(seed)
        cases.append(outcome_case(f"learns XOR from random weights (rng seed {seed}), lr 2.0, 2000 iterations on "
                                  f"the corners in a shuffled order; predict on new points near the corners",
                                  NET_XOR_CALL, {"X": X, "Y": Y, "X_new": X_new, "seed": np.array(seed)},
                                  _xor_judge(X, Y, X_new, Y_new, X_unseen, Y_unseen)))
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

# Layers defined by the test, so that gradient_check is graded on its own (not through FC). Every
# case hands gradient_check one layer whose backward is right and one whose backward is wrong, in
# an order and under class names drawn per case: a checker passes a case only when it finds the
# right one right (error below 1e-6) AND flags the wrong one (a large error), so a checker that
# returns a constant passes none. Each layer records the lr it sees in backward. Backward variants:
# "right" (tanh), "reupdate" (the course notes' FC bug, residual after the update: invisible with
# lr = 0, so right for the check), and wrong ones: "forgetful" drops the activation's derivative,
# "scaled" returns 1.5 times residual_x, "negated" its negative, "averaged" divides it by N,
# "dropped" loses the last sample's column.
_LAYER = """\
class {name}:
    def __init__(self, w, b, lr):
        self.w, self.b, self.lr, self.seen = w.copy(), b.copy(), lr, []
    def forward(self, x):
        self.x = x
        self.top = np.tanh(self.w.T @ x + self.b)
        return self.top
    def backward(self, residual):
        self.seen.append(float(self.lr))
        dz = {dz}
        {order}
        return {residual_x}

"""

_VARIANTS = {  # variant: (dz, the lines computing residual_x and updating w and b, the residual_x returned)
    "right": ("residual * (1.0 - self.top ** 2)", "residual_x = self.w @ dz", "residual_x"),
    "reupdate": ("residual * (1.0 - self.top ** 2)", "pass", "self.w @ dz"),
    "forgetful": ("residual", "residual_x = self.w @ dz", "residual_x"),
    "scaled": ("residual * (1.0 - self.top ** 2)", "residual_x = 1.5 * (self.w @ dz)", "residual_x"),
    "negated": ("residual * (1.0 - self.top ** 2)", "residual_x = -(self.w @ dz)", "residual_x"),
    "averaged": ("residual * (1.0 - self.top ** 2)", "residual_x = self.w @ dz / dz.shape[1]", "residual_x"),
    "dropped": ("residual * (1.0 - self.top ** 2)", "residual_x = self.w @ dz\n        residual_x[:, -1] = 0.0",
                "residual_x"),
}
_UPDATE = ("self.w = self.w - self.lr * (self.x @ dz.T)\n"
           "        self.b = self.b - self.lr * np.sum(dz, axis=1, keepdims=True)")


def _layer_source(name: str, variant: str) -> str:
    dz, lines, returned = _VARIANTS[variant]
    order = lines + "\n        " + _UPDATE  # residual_x from the weights before the update ...
    if variant == "reupdate":  # ... except in the course notes' bug
        order = _UPDATE
    return _LAYER.format(name=name, dz=dz, order=order, residual_x=returned)


GC_PAIR_CALL = """\
{sources}first = {first}(W1, B1, float(lr))
second = {second}(W2, B2, float(lr))
error_1 = gradient_check(first, x1.copy())
error_2 = gradient_check(second, x2.copy())
result = {{"error_1": error_1, "error_2": error_2, "lr_after": {good}.lr, "lr_in_backward": {good}.seen,
          "w_after": {good}.w}}
"""


def _one_number(value) -> bool:
    return value is not None and value.shape == () and bool(np.isfinite(value))


def _gc_judge(good: int, lr: float, w_good: np.ndarray, wrong_error: float | None, check_lr: bool):
    """``good`` is 1 or 2, the call whose layer is right; ``wrong_error`` the reference's error for the
    wrong layer (None: any error above 1e-2 flags it)."""
    bad = 3 - good

    def judge(outputs) -> list[str]:
        right, wrong = outputs.get(f"error_{good}"), outputs.get(f"error_{bad}")
        if not (_one_number(right) and _one_number(wrong)):
            return ["gradient_check should return one finite number (the largest relative error)"]
        problems = []
        if not 0 <= right < 1e-6:
            problems.append(f"for a layer whose backward pass is correct gradient_check returned {float(right):.3g}; "
                            f"it should be tiny (below 1e-6)")
        if wrong_error is None and not wrong > 1e-2:
            problems.append(f"for a layer whose backward pass is wrong gradient_check returned {float(wrong):.3g}; it "
                            f"should flag it with a large relative error (1e-2 or more)")
        elif wrong_error is not None and not abs(wrong - wrong_error) <= 1e-4 * wrong_error:
            problems.append(f"for a layer whose backward pass is wrong gradient_check returned {float(wrong):.3g}, "
                            f"which is not rel_error(residual_x, numerical gradient) of that layer")
        if check_lr:
            seen, after, w_after = outputs.get("lr_in_backward"), outputs.get("lr_after"), outputs.get("w_after")
            if seen is None or seen.ndim != 1 or seen.size == 0:
                problems.append("gradient_check never called the layer's backward")
            elif np.any(seen != 0):
                problems.append(f"the layer's lr was {float(seen[seen != 0][0]):g} (not 0) when gradient_check "
                                f"called backward, so the check also trained the layer")
            if after is None or after.shape != () or after != lr:
                problems.append(f"after gradient_check the layer's lr should be back to {lr:g}")
            if w_after is None or w_after.shape != w_good.shape or not np.array_equal(w_after, w_good):
                problems.append("gradient_check changed the layer's weights")
        return problems
    return judge


def _gc_cases(reference: dict) -> list:
    cases = []
    specs = [  # (name, seed, in, out, N, lr, right variant, wrong variant, judged how)
        ("a correct tanh layer (in=4, out=3, N=5) and one whose residual_x has the wrong sign", 340, 4, 3, 5, 0.5,
         "right", "negated", "flag"),
        ("a correct layer with a batch of one sample (in=3, out=1, N=1) and one that forgets its activation's "
         "derivative", 341, 3, 1, 1, 1.0, "right", "forgetful", "flag"),
        ("the course notes' bug (residual after the update) is invisible with lr = 0; a layer that averages "
         "residual_x over the batch is not", 342, 3, 4, 2, 2.0, "reupdate", "averaged", "flag"),
        ("a layer that forgets its activation's derivative (one output unit): the error it reports", 343, 3, 1, 4,
         0.4, "right", "forgetful", "reference"),
        ("a layer whose residual_x is 1.5 times too large (in=5, out=2, N=3): the error it reports", 344, 5, 2, 3,
         0.0, "right", "scaled", "reference"),
        ("lr is 0 during the check and restored afterwards; a layer that drops the last sample is flagged", 345, 2,
         3, 4, 0.7, "right", "dropped", "lr"),
    ]
    for name, seed, n_in, n_out, N, lr, right, wrong, how in specs:
        rng = np.random.default_rng(seed)
        good = int(rng.integers(1, 3))
        names = [f"_L{k}" for k in rng.choice(np.arange(100, 1000), 2, replace=False)]
        inputs = {"lr": np.array(lr)}
        for k in (1, 2):
            scale = 0.3 if (k != good and wrong == "forgetful") else 1.0  # away from tanh's saturation
            inputs[f"W{k}"] = scale * rng.standard_normal((n_in, n_out))
            inputs[f"B{k}"] = scale * rng.standard_normal((n_out, 1))
            inputs[f"x{k}"] = rng.standard_normal((n_in, N))
        variant = {good: right, 3 - good: wrong}
        sources = "".join(_layer_source(names[k - 1], variant[k]) for k in (1, 2))
        call = GC_PAIR_CALL.format(sources=sources, first=names[0], second=names[1],
                                   good="first" if good == 1 else "second")
        expected = float(run_call(reference, call, inputs)[f"error_{3 - good}"])
        assert 1e-2 < expected <= 1.0, (name, expected)
        cases.append(outcome_case(name, call, inputs,
                                  _gc_judge(good, lr, inputs[f"W{good}"], expected if how == "reference" else None,
                                            how == "lr")))
    return cases


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checking.py", "checks.py"),
    tasks=[
        TaskSpec("SquareLoss", 1,
                 "The loss is sum((y − t)²) / N / 2 with N the number of samples — the number of COLUMNS of y — "
                 "returned as one number. Its exact derivative with respect to y is (y − t) / N, in the shape of y "
                 "(the course notes' backward returns y − t, N times too large).",
                 cases=_square_loss_cases),
        TaskSpec("FC", 3,
                 "Forward: top = sigmoid(w.T @ x + b) with b (out, 1) added to every column. Backward: dZ = residual "
                 "∘ top ∘ (1 − top); grad_w = x @ dZ.T (in, out); grad_b = the sum of dZ over the batch, one number "
                 "per output unit, shape (out, 1); residual_x = w @ dZ computed with w from BEFORE the update; then "
                 "w −= lr·grad_w and b −= lr·grad_b.",
                 cases=_fc_cases),
        TaskSpec("Net", 2,
                 "One iteration: fc1.forward, fc2.forward, loss.forward (append the loss, a float, to losses); then "
                 "loss.backward(), fc2.backward of that, fc1.backward of what fc2 returns. predict chains the two "
                 "forward passes on the X it is given (also new points) and returns fc2's sigmoid outputs, shape "
                 "(out_num, N). The grader also runs the trained fc1 and fc2 itself.",
                 cases=_net_cases),
        TaskSpec("numerical_gradient", 2,
                 "Central differences, one element at a time: move x[i] by +h and by −h (the h you are given), evaluate f "
                 "at both, put x[i] back, and divide the difference of the two values by 2h. Change x itself, not a copy "
                 "(f may read x directly), and return a float array of x's shape.",
                 cases=_numgrad_cases),
        TaskSpec("gradient_check", 2,
                 "With L = 1/2·Σ top², dL/dtop is top itself, so backward(top) gives the layer's dL/dx; compare it with "
                 "the numerical gradient of L with respect to x, using rel_error, and return that number. The check must "
                 "not train the layer: its lr is 0 while the check runs and back to the old value afterwards (also if "
                 "something raises). Every case also hands it a layer whose backward is wrong, which it must flag with "
                 "a large error.",
                 cases=_gc_cases),
    ])
