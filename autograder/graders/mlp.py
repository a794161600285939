"""Hidden cases for 08_mlp: Sequential, mse_loss (against the reference), fit_regression and
train_mlp (by outcome on held-out data the kernel never sees); course notes parts 1_1_1 and 1_1_2.

The two training tasks are judged on what the student built: the kernel trains and returns the
model's layers (kinds and parameters), and the grader evaluates them with its own forward pass
(``autograder/heldout.py``) on fresh points of the curve and on transformed held-out images.
"""
from __future__ import annotations

import numpy as np

from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import outcome_case, reference_case
from autograder.heldout import (HELD_OUT_IMAGES, IMAGE_FILES, ModelError, check_cost, export_call, forward,
                                read_model, training_cases)

SLUG = "08_mlp"

# Products and sums of a few layers: float64 round-off ~1e-15, a real mistake is O(1).
RTOL, ATOL = 1e-7, 1e-10

# ---------------------------------------------------------------------------------------------- Sequential

# A layer the student has never seen, with a parameter that is not called w or b.
SCALE_LAYER = '''\
class _Scale:
    def __init__(self, s):
        self.params, self.grads = {"s": np.array(s, dtype=float)}, {}
    def forward(self, x):
        self.x = x
        return x * self.params["s"]
    def backward(self, dout):
        self.grads["s"] = np.sum(dout * self.x, axis=0)
        return dout * self.params["s"]
'''

# (name, seed, layer specs, batch, mode); a spec is ("linear", in, out), ("relu",), ("tanh",), ("scale", D)
# or ("seq", [specs]).
SEQUENTIAL_CASES = [
    ("forward: Linear(4, 5), ReLU, Linear(5, 3); batch of 6", 801,
     [("linear", 4, 5), ("relu",), ("linear", 5, 3)], 6, "forward"),
    ("forward: a batch of one, Linear(3, 2), Tanh", 802, [("linear", 3, 2), ("tanh",)], 1, "forward"),
    ("backward: Linear(4, 5), ReLU, Linear(5, 3), Tanh; dx and every gradient", 803,
     [("linear", 4, 5), ("relu",), ("linear", 5, 3), ("tanh",)], 6, "backward"),
    ("backward: a batch of one", 804, [("linear", 5, 4), ("tanh",), ("linear", 4, 1)], 1, "backward"),
    ("backward: seven layers, odd sizes", 805,
     [("linear", 7, 9), ("tanh",), ("linear", 9, 8), ("relu",), ("linear", 8, 5), ("tanh",), ("linear", 5, 3)], 5,
     "backward"),
    ("backward: a layer of another kind, whose parameter is called 's'", 806,
     [("linear", 3, 4), ("scale", 4), ("tanh",), ("linear", 4, 2)], 4, "backward"),
    ("backward: a Sequential inside a Sequential (keys '1.0.w', ...)", 807,
     [("linear", 4, 3), ("seq", [("linear", 3, 3), ("tanh",)]), ("linear", 3, 2)], 3, "backward"),
    ("backward: no parameters at all (ReLU, Tanh)", 808, [("relu",), ("tanh",)], 5, "backward"),
    ("params are the layers' own arrays: doubling them in place changes the model", 809,
     [("linear", 4, 5), ("relu",), ("linear", 5, 2)], 3, "inplace"),
]


def _build(specs, rng, prefix, inputs):
    """Python source for a list of layers, with parameters set from new inputs (names added to inputs)."""
    items = []
    for i, spec in enumerate(specs):
        name = f"{prefix}{i}"
        if spec[0] == "linear":
            _, d_in, d_out = spec
            inputs[f"{name}_w"] = rng.standard_normal((d_in, d_out)) / np.sqrt(d_in)
            inputs[f"{name}_b"] = 0.5 * rng.standard_normal(d_out)
            items.append(f"_set(Linear({d_in}, {d_out}), {name}_w, {name}_b)")
        elif spec[0] == "relu":
            items.append("ReLU()")
        elif spec[0] == "tanh":
            items.append("Tanh()")
        elif spec[0] == "scale":
            inputs[f"{name}_s"] = rng.uniform(0.5, 1.5, spec[1]) * rng.choice([-1.0, 1.0], spec[1])
            items.append(f"_Scale({name}_s)")
        elif spec[0] == "seq":
            items.append(f"Sequential([{_build(spec[1], rng, name + '_', inputs)}])")
    return ", ".join(items)


def _input_width(specs):
    first = specs[0]
    if first[0] == "linear":
        return first[1]
    if first[0] == "seq":
        return _input_width(first[1])
    return 6


def _sequential_case(reference, name, seed, specs, batch, mode):
    rng = np.random.default_rng(seed)
    inputs: dict[str, np.ndarray] = {}
    model = _build(specs, rng, "p", inputs)
    inputs["x"] = rng.standard_normal((batch, _input_width(specs)))
    head = (SCALE_LAYER + "def _set(layer, w, b):\n    layer.params['w'][...] = w\n    layer.params['b'][...] = b\n"
            "    return layer\n" + f"model = Sequential([{model}])\n")
    if mode == "forward":
        call = head + "result = {'out': model.forward(x)}\n"
    elif mode == "backward":
        out_shape = np.asarray(_reference_forward(reference, head, inputs)).shape
        inputs["dout"] = rng.standard_normal(out_shape)
        call = head + ("model.forward(x)\n"
                       "dx = model.backward(dout)\n"
                       "result = {'dx': dx, 'len(params)': len(model.params)}\n"
                       "result.update({f\"grads['{k}']\": v for k, v in model.grads.items()})\n")
    else:
        call = head + ("for value in model.params.values():\n"
                       "    value *= 2.0  # what an optimizer does: update in place\n"
                       "result = {'out': model.forward(x)}\n"
                       "result.update({f\"params['{k}']\": v for k, v in model.params.items()})\n")
    return reference_case(name, call, inputs, reference, RTOL, ATOL)


def _reference_forward(reference, head, inputs):
    env = dict(reference)
    env.update({k: np.array(v, copy=True) for k, v in inputs.items()})
    exec(compile(head + "_out = model.forward(x)\n", "<case>", "exec"), env)
    return env["_out"]


# ---------------------------------------------------------------------------------------------- mse_loss

MSE_CALL = """\
loss, dpred = mse_loss(pred, y)
result = {"loss": loss, "dpred": dpred}
"""


def _mse_cases(reference):
    cases = []
    for k, (N, D) in enumerate([(4, 1), (1, 1), (5, 3), (7, 2), (1, 4), (10, 1)]):
        rng = np.random.default_rng(820 + k)
        inputs = {"pred": rng.standard_normal((N, D)), "y": rng.standard_normal((N, D)) * 2 + 1}
        cases.append(reference_case(f"pred and y of shape ({N}, {D})", MSE_CALL, inputs, reference, RTOL, ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- fit_regression

# The kernel gets the training points only; it returns the trained model's layers, and the grader
# predicts fresh points of the same curve with its own forward pass (a lookup of the training points
# or a nearest-neighbour "model" cannot be written as layers, and never sees the points it is judged on).
REGRESSION_CALL = export_call("model = fit_regression(x, y, seed=int(seed))\n",
                              "the trained Sequential of Linear, Tanh and ReLU layers")
REGRESSION_LAYERS = ("Linear", "Tanh", "ReLU")

R2_THRESHOLD = 0.95
NOISE = 0.05
CURVES = [  # (description, seed, f); values within ±2 on [-1, 1], variance >= 0.4 (the noise caps R² at ~0.995)
    ("a sine wave of one and a quarter periods, sin(2.5πx)", 841, lambda x: np.sin(2.5 * np.pi * x)),
    ("a parabola, 2x² − 0.4x − 0.6", 842, lambda x: 2 * x ** 2 - 0.4 * x - 0.6),
    ("a smooth step, tanh(5x − 1)", 843, lambda x: np.tanh(5 * x - 1)),
]


def _r2_judge(x_test, y_test):
    def judge(outputs):
        try:
            layers = read_model(outputs, REGRESSION_LAYERS)
            if check_cost(layers, (1,)) != (1,):
                return [f"the trained model gives {check_cost(layers, (1,))} outputs per point; it should give one "
                        f"(an input (M, 1) gives predictions (M, 1))"]
            pred = forward(layers, x_test).astype(np.float64)
        except ModelError as error:
            return [str(error)]
        if not np.all(np.isfinite(pred)):
            return ["the trained model predicts NaN or inf (the training diverged)"]
        r2 = 1.0 - np.sum((pred - y_test) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
        if r2 < R2_THRESHOLD:
            return [f"R² of the trained model on {len(y_test)} fresh points of the curve is {r2:.3f}; at least "
                    f"{R2_THRESHOLD} is needed"]
        return []
    return judge


def _regression_cases():
    cases = []
    for k, (description, seed, f) in enumerate(CURVES):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-1, 1, (200, 1))
        y = f(x) + NOISE * rng.standard_normal(x.shape)
        x_test = rng.uniform(-1, 1, (200, 1))
        y_test = f(x_test) + NOISE * rng.standard_normal(x_test.shape)
        cases.append(outcome_case(f"{description}: 200 noisy training points, R² ≥ {R2_THRESHOLD} on 200 fresh "
                                  f"points", REGRESSION_CALL, {"x": x, "y": y, "seed": np.array(k)},
                                  _r2_judge(x_test, y_test)))
    return cases


# ---------------------------------------------------------------------------------------------- train_mlp

# (n training images, seed, epochs, threshold). The grader evaluates the exported layers on 2000
# transformed held-out images (autograder/heldout.py). Measured (one core): the reference reaches
# 72.9% with 2000 images, 3 epochs, seed 1 (70.3-72.9% over seeds 1-4; 77.3% on the same images
# untransformed) and 76.7% with 6000 images, 5 epochs, seed 2 (76.7-77.2% over seeds 1-4; 82.0%
# untransformed); the demo student ben (SGD with momentum, float64) 69.4% and 75.6%.
TRAINING_RUNS = [(2000, 1, 3, 0.62), (6000, 2, 5, 0.68)]
TRAINING_LAYERS = ("Linear", "ReLU", "Tanh")


def _training_cases(reference):
    return training_cases("train_mlp", TRAINING_RUNS, "rows", TRAINING_LAYERS,
                          "the trained Sequential of Linear, ReLU and Tanh layers")


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checking.py", "checks.py", "gradient_check.py", *IMAGE_FILES),
    grading_data=(HELD_OUT_IMAGES,),
    tasks=[
        TaskSpec("Sequential", 4,
                 "forward: out = x, then out = layer.forward(out) for every layer in order. backward: grad = dout, then "
                 "grad = layer.backward(grad) for every layer in reversed order; return it. params: "
                 "{f'{i}.{name}': value} over enumerate(self.layers) and each layer.params.items(), the arrays "
                 "themselves (no copies); grads: the same keys with layer.grads[name]. Treat every layer alike "
                 "(a Sequential inside a Sequential is just another layer).",
                 cases=lambda reference: [_sequential_case(reference, *spec) for spec in SEQUENTIAL_CASES]),
        TaskSpec("mse_loss", 2,
                 "loss = Σ (pred − y)² / N with N = pred.shape[0] (summed over all entries, divided by the number of "
                 "samples only); dpred = 2(pred − y)/N, the exact derivative of that loss.",
                 cases=_mse_cases),
        TaskSpec("fit_regression", 2,
                 "Build a Sequential of Linear and Tanh layers (e.g. 1 → 32 → 32 → 1) with rng = "
                 "np.random.default_rng(seed), then repeat: pred = model.forward(x); loss, dpred = mse_loss(pred, y); "
                 "model.backward(dpred); optimizer.step(model.grads), with Adam(model.params, learning_rate=0.01) for a "
                 "couple of thousand full-batch steps. Print the loss now and then: it should fall to about the noise "
                 "level (0.0025). Return the Sequential itself: the grader reads its layers (the notebook's Linear, "
                 "Tanh, ReLU) and evaluates them with its own forward pass on fresh points.",
                 cases=lambda reference: _regression_cases(), timeout=15.0),
        TaskSpec("train_mlp", 4,
                 "x = preprocess(images); Sequential([Linear(784, 256, rng), ReLU(), Linear(256, 10, rng)]); every epoch "
                 "a new rng.permutation of the samples cut into minibatches of 64-128; per batch: scores = "
                 "model.forward(x[batch]), loss, dscores = softmax_cross_entropy(scores, labels[batch]), "
                 "model.backward(dscores), optimizer.step(model.grads) with Adam (learning rate about 1e-3). Return the "
                 "Sequential of the notebook's Linear and ReLU layers: the grader evaluates its layers with its own "
                 "forward pass.",
                 cases=_training_cases, timeout=60.0),
    ])
