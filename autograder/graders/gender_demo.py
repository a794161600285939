"""Hidden cases of 02_gender_demo (the course's "判断性别 Demo")."""
from __future__ import annotations

import numpy as np

from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import outcome_case, reference_case

SLUG = "02_gender_demo"

# Course data (rows [weight kg, height cm], female = 1), centred with the floored training mean
# (62 kg, 164 cm); the inference people are centred with the same training mean.
_DATA = np.array([[50.0, 150.0], [51.0, 149.0], [60.0, 172.0], [90.0, 188.0]])
_LABELS = np.array([1.0, 1.0, 0.0, 0.0])
_MEAN = np.floor(_DATA.mean(axis=0))
_CENTERED = _DATA - _MEAN
_INFERENCE = np.array([[89.0, 190.0], [60.0, 155.0]]) - _MEAN
_INFERENCE_LABELS = np.array([0.0, 1.0])

_NAMES = ("w31", "w32", "w41", "w42", "w53", "w54", "b3", "b4", "b5")

# ---------------------------------------------------------------- NeuralNetwork_train

# P holds the nine parameters in the order w31 w32 w41 w42 w53 w54 b3 b4 b5.
_PARAMS = 'params = dict(zip(("w31", "w32", "w41", "w42", "w53", "w54", "b3", "b4", "b5"), [float(v) for v in P]))\n'

_TRAIN_CALL = _PARAMS + """\
net = NeuralNetwork_train(params)
with np.errstate(over="ignore"):
    losses = net.train(X.copy(), Y.copy(), learn_rate=float(lr), epochs=int(epochs))
result = {"losses": np.array([float(v) for v in losses])}
"""

_FEEDFORWARD_CALL = _PARAMS + """\
net = NeuralNetwork_train(params)
with np.errstate(over="ignore"):
    y5 = [float(np.squeeze(net.feedforward(X[i].copy()))) for i in range(X.shape[0])]
result = {"y5": np.array(y5)}
"""

_CONSTRUCTOR_CALL = _PARAMS + """\
net = NeuralNetwork_train(params)
y5 = float(np.squeeze(net.feedforward(X[0].copy())))
result = {"params_after_constructor": np.array([float(params[k]) for k in
          ("w31", "w32", "w41", "w42", "w53", "w54", "b3", "b4", "b5")]),
          "y5": np.array(y5)}
"""

# ---------------------------------------------------------------- layers

_LINEAR_FORWARD_CALL = """\
layer = LinearLayer(W.shape[0], W.shape[1], np.random.default_rng(0))
layer.w = W.copy()
layer.b = B.copy()
result = {"out": layer.forward(X)}
"""

_LINEAR_BACKWARD_CALL = """\
layer = LinearLayer(W.shape[0], W.shape[1], np.random.default_rng(0))
layer.w = W.copy()
layer.b = B.copy()
layer.forward(X)
delta_in = layer.backward(DELTA)
dw, db = np.array(layer.dw, copy=True), np.array(layer.db, copy=True)
layer.update(float(lr))
result = {"delta_in": delta_in, "dw": dw, "db": db, "w_after_update": layer.w, "b_after_update": layer.b}
"""

_LINEAR_INIT_CALL = """\
layer = LinearLayer(3, 5, np.random.default_rng(0))
w_shape, b_shape = np.shape(layer.w), np.shape(layer.b)
out = layer.forward(np.ones((2, 3)))
result = {"w_shape": np.array(w_shape), "b_shape": np.array(b_shape), "out_shape": np.array(np.shape(out))}
"""

_SIGMOID_CALL = """\
layer = SigmoidLayer()
y = layer.forward(X)
result = {"y": y, "dx": layer.backward(DELTA)}
"""

_MSE_CALL = """\
loss = MSELoss()
value = loss.forward(Y_PRED, Y_TRUE)
result = {"loss": value, "dy_pred": loss.backward()}
"""

# The demo of the course rebuilt from the student's layers, with parameters set here.
_DEMO_CALL = """\
rng = np.random.default_rng(0)
layers = [LinearLayer(2, 2, rng), SigmoidLayer(), LinearLayer(2, 1, rng), SigmoidLayer()]
layers[0].w, layers[0].b = W1.copy(), B1.copy()
layers[2].w, layers[2].b = W2.copy(), B2.copy()
loss = MSELoss()
n = X.shape[0]
targets = Y.reshape(-1, 1)

def predict(x):
    for layer in layers:
        x = layer.forward(x)
    return x

losses = []
for epoch in range(1000):
    for i in range(n):
        loss.forward(predict(X[i:i + 1].copy()), targets[i:i + 1].copy())
        delta = loss.backward() / n
        for layer in reversed(layers):
            delta = layer.backward(delta)
        layers[0].update(0.1)
        layers[2].update(0.1)
    if epoch % 10 == 0:
        losses.append(float(loss.forward(predict(X.copy()), targets.copy())))
result = {"losses": np.array(losses), "prediction": np.reshape(predict(X_NEW.copy()), -1)}
"""

# Seeds whose parameters the reference trains, with margin, to a final logged loss below 0.02
# (0.0065, 0.0058, 0.0100) with both inference people classified correctly.
_DEMO_SEEDS = (1, 3, 12)


def _demo_judge(outputs) -> list[str]:
    losses = outputs.get("losses")
    prediction = outputs.get("prediction")
    if losses is None or prediction is None:
        return ["the layer-built gender demo did not return its losses and predictions"]
    if losses.shape != (100,):
        return [f"the layer-built gender demo logged {losses.size} losses, expected 100 (one every 10 epochs)"]
    if prediction.shape != (2,):
        return [f"the layer-built network gave {prediction.size} outputs for the 2 inference people"]
    if not (np.all(np.isfinite(losses)) and np.all(np.isfinite(prediction))):
        return ["the layer-built gender demo produced NaN or inf"]
    problems = []
    if not losses[-1] < 0.02:
        problems.append(f"the layer-built gender demo did not converge: final logged loss "
                        f"{losses[-1]:.4f}, it should be below 0.02")
    people = [("(89 kg, 190 cm)", "male"), ("(60 kg, 155 cm)", "female")]
    for k, (person, gender) in enumerate(people):
        if (prediction[k] > 0.5) != bool(_INFERENCE_LABELS[k]):
            problems.append(f"the trained layer-built network classifies the person {person} wrongly "
                            f"(should be {gender})")
    return problems


def _init_judge(outputs) -> list[str]:
    w_shape, b_shape = outputs.get("w_shape"), outputs.get("b_shape")
    problems = []
    if w_shape is None or tuple(w_shape.astype(int)) != (3, 5):
        problems.append("LinearLayer(3, 5, rng).w should have shape (3, 5) (in_features, out_features)")
    if b_shape is None or tuple(b_shape.astype(int)) != (5,):
        problems.append("LinearLayer(3, 5, rng).b should have shape (5,) (out_features,)")
    out_shape = outputs.get("out_shape")
    if out_shape is None or tuple(out_shape.astype(int)) != (2, 5):
        problems.append("LinearLayer(3, 5, rng).forward(x) for x of shape (2, 3) should have shape (2, 5)")
    return problems


def _network_cases(reference: dict) -> list:
    # Expected values come from the per-weight version (NeuralNetwork_train_before), which the
    # vectorised network must reproduce.
    per_weight = {**reference, "NeuralNetwork_train": reference["NeuralNetwork_train_before"]}
    cases = []
    rng = np.random.default_rng(2020)
    cases.append(reference_case(
        "feedforward, one raw person at a time", _FEEDFORWARD_CALL,
        {"P": 0.02 * rng.standard_normal(9),
         "X": np.vstack([_DATA, [[89.0, 190.0], [60.0, 155.0]]])},
        per_weight, rtol=1e-10, atol=1e-12))
    cases.append(reference_case(
        "feedforward, one zero-meaned person at a time", _FEEDFORWARD_CALL,
        {"P": rng.standard_normal(9), "X": np.vstack([_CENTERED, _INFERENCE, rng.normal(0, 10, (3, 2))])},
        per_weight, rtol=1e-10, atol=1e-12))
    cases.append(reference_case(
        "the constructor leaves params unchanged", _CONSTRUCTOR_CALL,
        {"P": rng.standard_normal(9), "X": _CENTERED}, per_weight, rtol=0.0, atol=1e-12))
    # A wrong gradient or update order shows in the first logged losses: 200 epochs (20 logged
    # losses) judge as much as the course's 1000 at a fifth of the time; 125 epochs tests the logging
    # of a count that is not a multiple of 10.
    train_setups = [
        ("raw data, random parameters (seed 9)", 9, _DATA, _LABELS, 0.1, 200),
        ("raw data, random parameters (seed 0, saturated)", 0, _DATA, _LABELS, 0.1, 200),
        ("zero-meaned data, random parameters (seed 1)", 1, _CENTERED, _LABELS, 0.1, 200),
        ("zero-meaned data, random parameters (seed 21)", 21, _CENTERED, _LABELS, 0.1, 200),
        ("zero-meaned data, learn_rate=0.3, epochs=125", 5, _CENTERED, _LABELS, 0.3, 125),
    ]
    for title, seed, X, Y, lr, epochs in train_setups:
        P = np.random.default_rng(seed).standard_normal(9)
        cases.append(reference_case(
            f"train: loss trace equals the per-weight version's, {title}", _TRAIN_CALL,
            {"P": P, "X": X, "Y": Y, "lr": lr, "epochs": epochs}, per_weight, rtol=0.0, atol=1e-12))
    other = np.random.default_rng(7)
    cases.append(reference_case(
        "train: loss trace equals the per-weight version's, four other people", _TRAIN_CALL,
        {"P": other.standard_normal(9), "X": other.normal(0.0, 8.0, (4, 2)),
         "Y": np.array([0.0, 1.0, 1.0, 0.0]), "lr": 0.1, "epochs": 200},
        per_weight, rtol=0.0, atol=1e-12))
    return cases


def _linear_cases(reference: dict) -> list:
    cases = []
    for k, (n, d_in, d_out) in enumerate([(1, 2, 2), (4, 3, 5), (7, 5, 1), (3, 1, 4)]):
        rng = np.random.default_rng(100 + k)
        inputs = {"X": rng.standard_normal((n, d_in)), "W": rng.standard_normal((d_in, d_out)),
                  "B": rng.standard_normal(d_out), "DELTA": rng.standard_normal((n, d_out)),
                  "lr": 0.05 + 0.1 * k}
        shape = f"N={n}, in={d_in}, out={d_out}"
        cases.append(reference_case(f"forward, {shape}", _LINEAR_FORWARD_CALL,
                                    {key: inputs[key] for key in ("X", "W", "B")}, reference))
        cases.append(reference_case(f"backward and update, {shape}", _LINEAR_BACKWARD_CALL,
                                    inputs, reference))
    cases.append(outcome_case("constructor and forward: shapes of w, b and the output", _LINEAR_INIT_CALL,
                              {}, _init_judge))
    for seed in _DEMO_SEEDS:
        rng = np.random.default_rng(seed)
        inputs = {"X": _CENTERED, "Y": _LABELS, "X_NEW": _INFERENCE,
                  "W1": rng.standard_normal((2, 2)), "B1": rng.standard_normal(2),
                  "W2": rng.standard_normal((2, 1)), "B2": rng.standard_normal(1)}
        cases.append(outcome_case(f"the gender demo built from your layers learns (parameters seed {seed})",
                                  _DEMO_CALL, inputs, _demo_judge))
    return cases


def _sigmoid_cases(reference: dict) -> list:
    cases = []
    for k, shape in enumerate([(1, 1), (4, 2), (3, 7), (2, 3, 4)]):
        rng = np.random.default_rng(200 + k)
        inputs = {"X": 3.0 * rng.standard_normal(shape), "DELTA": rng.standard_normal(shape)}
        cases.append(reference_case(f"forward and backward, shape {shape}", _SIGMOID_CALL, inputs, reference))
    return cases


def _mse_cases(reference: dict) -> list:
    cases = []
    for k, shape in enumerate([(1, 1), (4, 1), (5, 3), (6,)]):
        rng = np.random.default_rng(300 + k)
        inputs = {"Y_PRED": rng.standard_normal(shape), "Y_TRUE": rng.standard_normal(shape)}
        cases.append(reference_case(f"forward and backward, shape {shape}", _MSE_CALL, inputs, reference))
    return cases


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checking.py", "checks.py", "gradient_check.py"),
    tasks=[
        TaskSpec("NeuralNetwork_train", 4,
                 "Follow the error terms: δ5 = dE/dy5 · y5(1 − y5) with dE/dy5 = −2/n·(t − y5) and n the "
                 "number of people; δ_hidden = (W_outᵀ δ5) ∘ y(1 − y), using W_out from before the step; "
                 "each gradient is the outer product of a layer's error terms with that layer's input "
                 "(x for the hidden layer, y3 and y4 for the output layer), a bias's gradient is its δ. "
                 "Update all parameters once per person, in array order, and log the MSE over all people "
                 "after the updates of every epoch with epoch % 10 == 0.",
                 cases=_network_cases),
        TaskSpec("LinearLayer", 4,
                 "For out = x·w + b, the delta you receive is the error term of the next neurons, one row "
                 "per sample: dw = xᵀ·delta (the outer products summed over the batch), db = the sum of "
                 "delta's rows, and the delta passed back is delta·wᵀ (entry j is Σ_k δ_k w_kj), computed "
                 "with w from before update. update moves w and b against dw and db, times lr. The demo "
                 "cases also use your SigmoidLayer and MSELoss.",
                 cases=_linear_cases),
        TaskSpec("SigmoidLayer", 1,
                 "y = σ(x) elementwise; the derivative of the sigmoid is y(1 − y), so backward returns "
                 "delta ∘ y(1 − y) with y from the last forward.",
                 cases=_sigmoid_cases),
        TaskSpec("MSELoss", 1,
                 "The loss is the mean over all m = y_pred.size entries of (y_pred − y_true)²; its exact "
                 "derivative with respect to each entry of y_pred is 2(y_pred − y_true)/m, in the shape "
                 "of y_pred.",
                 cases=_mse_cases),
    ])
