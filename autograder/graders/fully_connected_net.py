"""Hidden cases for 04_fully_connected_net: cs231n's layers (affine, relu, batchnorm, dropout, softmax),
the FullyConnectedNet model and its training (course notes: the cs231n assignment 2 architecture)."""
from __future__ import annotations

import math

import numpy as np

from autograder import paths
from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import outcome_case, reference_case
from autograder.graders._inputs import between_draws, off_kink

SLUG = "04_fully_connected_net"

# Layers: sums of a few O(1) products, float64 round-off ~1e-15. Whole models: different but
# correct orders of summation through several layers, and near-zero true gradients (a bias right
# before batch norm), so a little more room, relative and absolute.
RTOL, ATOL = 1e-7, 1e-10
MODEL_RTOL, MODEL_ATOL = 1e-6, 1e-9

# ---------------------------------------------------------------------------------------------- affine

AFFINE_FORWARD_CALL = """\
out, cache = affine_forward(x, w, b)
result = {"out": out}
"""

AFFINE_BACKWARD_CALL = """\
out, cache = affine_forward(x, w, b)
dx, dw, db = affine_backward(dout, cache)
result = {"dx": dx, "dw": dw, "db": db}
"""

AFFINE_SHAPES = [  # (name, seed, x shape, M)
    ("x (4, 5), M = 3", 401, (4, 5), 3),
    ("images x (2, 4, 5, 6) flattened to 120, M = 3", 402, (2, 4, 5, 6), 3),
    ("a batch of one, x (1, 7), M = 4", 403, (1, 7), 4),
    ("odd sizes, x (3, 7, 2), M = 5", 404, (3, 7, 2), 5),
    ("one output, x (6, 3), M = 1", 405, (6, 3), 1),
    ("one input feature, x (5, 1), M = 2", 406, (5, 1), 2),
]


def _affine_inputs(seed, shape, M):
    rng = np.random.default_rng(seed)
    D = int(np.prod(shape[1:]))
    return {"x": rng.standard_normal(shape), "w": rng.standard_normal((D, M)), "b": rng.standard_normal(M),
            "dout": rng.standard_normal((shape[0], M))}


def _affine_cases(reference, call, backward):
    cases = []
    for name, seed, shape, M in AFFINE_SHAPES:
        inputs = _affine_inputs(seed, shape, M)
        if not backward:
            del inputs["dout"]
        cases.append(reference_case(name, call, inputs, reference, RTOL, ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- relu

RELU_FORWARD_CALL = """\
out, cache = relu_forward(x)
result = {"out": out}
"""

RELU_BACKWARD_CALL = """\
out, cache = relu_forward(x)
result = {"dx": relu_backward(dout, cache)}
"""


def _relu_cases(reference, call):
    cases = []
    for k, (shape, scale) in enumerate([((4, 6), 1.0), ((1, 5), 1.0), ((2, 3, 4), 0.01), ((2, 3, 2, 2), 100.0),
                                        ((7,), 1.0)]):
        rng = np.random.default_rng(410 + k)
        x = off_kink(rng, shape, scale=scale)  # entries at ±1e-3, ±1e-2, ±5e-2 of the scale, none at 0
        size = "" if scale == 1 else f", entries of size about {scale:g}"
        cases.append(reference_case(f"x of shape {shape}{size}, some just either side of 0", call,
                                    {"x": x, "dout": rng.standard_normal(shape)}, reference, RTOL, ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- batchnorm

BN_TRAIN_FRESH_CALL = """\
bn_param = {"mode": "train"}
out, cache = batchnorm_forward(x, gamma, beta, bn_param)
result = {"out": out, "running_mean": bn_param["running_mean"], "running_var": bn_param["running_var"]}
"""

BN_TRAIN_GIVEN_CALL = """\
bn_param = {"mode": "train", "eps": float(eps), "momentum": float(momentum),
            "running_mean": running_mean.copy(), "running_var": running_var.copy()}
out, cache = batchnorm_forward(x, gamma, beta, bn_param)
result = {"out": out, "running_mean": bn_param["running_mean"], "running_var": bn_param["running_var"]}
"""

BN_TEST_CALL = """\
bn_param = {"mode": "test", "eps": float(eps), "running_mean": running_mean.copy(), "running_var": running_var.copy()}
out, cache = batchnorm_forward(x, gamma, beta, bn_param)
result = {"out": out, "running_mean": bn_param["running_mean"], "running_var": bn_param["running_var"]}
"""

BN_SEQUENCE_CALL = """\
bn_param = {"mode": "train"}
for batch in xs:
    batchnorm_forward(batch, gamma, beta, bn_param)
bn_param["mode"] = "test"
out, cache = batchnorm_forward(x, gamma, beta, bn_param)
result = {"out": out, "running_mean": bn_param["running_mean"], "running_var": bn_param["running_var"]}
"""

BN_BACKWARD_CALL = """\
out, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
dx, dgamma, dbeta = batchnorm_backward(dout, cache)
result = {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}
"""

BN_BACKWARD_EPS_CALL = """\
out, cache = batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": float(eps), "momentum": 0.5})
dx, dgamma, dbeta = batchnorm_backward(dout, cache)
result = {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}
"""


def _bn_inputs(seed, N, D, loc=2.0, scale=3.0):
    rng = np.random.default_rng(seed)
    return {"x": loc + scale * rng.standard_normal((N, D)), "gamma": 1.0 + 0.5 * rng.standard_normal(D),
            "beta": rng.standard_normal(D), "dout": rng.standard_normal((N, D))}


def _bn_forward_cases(reference):
    cases = []
    for name, seed, N, D in [("train mode, fresh bn_param (running averages from zeros), N = 6, D = 4", 420, 6, 4),
                             ("train mode, a batch of one (N = 1, D = 3)", 421, 1, 3),
                             ("train mode, one feature (N = 9, D = 1)", 422, 9, 1)]:
        inputs = _bn_inputs(seed, N, D)
        del inputs["dout"]
        cases.append(reference_case(name, BN_TRAIN_FRESH_CALL, inputs, reference, RTOL, ATOL))
    rng = np.random.default_rng(423)
    inputs = {**_bn_inputs(424, 5, 3, loc=-1.0, scale=0.2), "eps": np.array(1e-3), "momentum": np.array(0.7),
              "running_mean": rng.standard_normal(3), "running_var": rng.random(3) + 0.5}
    del inputs["dout"]
    cases.append(reference_case("train mode, given running averages, eps = 1e-3, momentum = 0.7",
                                BN_TRAIN_GIVEN_CALL, inputs, reference, RTOL, ATOL))
    inputs = {**_bn_inputs(425, 7, 5), "eps": np.array(1e-5),
              "running_mean": rng.standard_normal(5), "running_var": rng.random(5) + 0.5}
    del inputs["dout"]
    cases.append(reference_case("test mode with given running averages (which stay unchanged)", BN_TEST_CALL,
                                inputs, reference, RTOL, ATOL))
    inputs = {**_bn_inputs(426, 4, 3), "xs": 1.0 + 2.0 * rng.standard_normal((5, 8, 3))}
    del inputs["dout"]
    cases.append(reference_case("five train-mode batches, then test mode with the running averages",
                                BN_SEQUENCE_CALL, inputs, reference, RTOL, ATOL))
    return cases


def _bn_backward_cases(reference):
    cases = []
    for name, seed, N, D, loc, scale in [("N = 5, D = 3", 430, 5, 3, 2.0, 3.0),
                                         ("the smallest batch, N = 2, D = 4", 431, 2, 4, 0.0, 1.0),
                                         ("one feature, N = 8, D = 1", 432, 8, 1, 5.0, 0.5),
                                         ("odd sizes, N = 7, D = 9", 433, 7, 9, -3.0, 10.0),
                                         ("N = 10, D = 6", 434, 10, 6, 0.0, 1.0)]:
        cases.append(reference_case(name, BN_BACKWARD_CALL, _bn_inputs(seed, N, D, loc, scale), reference,
                                    1e-6, 1e-9))
    cases.append(reference_case("eps = 0.1 (tiny variance, N = 4, D = 3)", BN_BACKWARD_EPS_CALL,
                                {**_bn_inputs(435, 4, 3, 1.0, 0.05), "eps": np.array(0.1)}, reference, 1e-6, 1e-9))
    return cases


# ---------------------------------------------------------------------------------------------- dropout

DROPOUT_FORWARD_CALL = """\
out, cache = dropout_forward(x, {"mode": "train", "p": float(p), "seed": int(seed)})
result = {"out": out}
"""

DROPOUT_FORWARD_TEST_CALL = """\
out, cache = dropout_forward(x, {"mode": "test", "p": float(p), "seed": int(seed)})
result = {"out": out}
"""

DROPOUT_FORWARD_UNSEEDED_CALL = """\
out, cache = dropout_forward(x, {"mode": "train", "p": float(p)})
result = {"out": out}
"""

DROPOUT_BACKWARD_CALL = """\
out, cache = dropout_forward(x, {"mode": "train", "p": float(p), "seed": int(seed)})
result = {"dx": dropout_backward(dout, cache)}
"""

DROPOUT_BACKWARD_TEST_CALL = """\
out, cache = dropout_forward(x, {"mode": "test", "p": float(p), "seed": int(seed)})
result = {"dx": dropout_backward(dout, cache)}
"""

DROPOUT_BACKWARD_UNSEEDED_CALL = """\
out, cache = dropout_forward(x, {"mode": "train", "p": float(p)})
result = {"out": out, "dx": dropout_backward(dout, cache)}
"""


def _near_threshold(mask_seed, shape):
    """A keep probability halfway between the two closest of the mask's random numbers in [0.3, 0.7]."""
    return between_draws(np.random.default_rng(mask_seed).random(shape), 0.3, 0.7)


def _dropout_inputs(seed, shape, p, mask_seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    x[np.abs(x) < 1e-3] = 0.5  # a kept entry is never 0
    return {"x": x, "dout": rng.standard_normal(shape), "p": np.array(p), "seed": np.array(mask_seed)}


def _unseeded_forward_judge(x, p):
    def judge(outputs):
        out = outputs.get("out")
        if out is None or out.shape != x.shape:
            return [f"`out` should have the shape of x, {x.shape}"]
        kept = out != 0
        if not np.allclose(out[kept], x[kept] / p, rtol=1e-12, atol=0):
            return ["without a seed, the kept entries are not x / p (inverted dropout)"]
        fraction = kept.mean()
        if abs(fraction - p) > 0.02:  # 20 000 entries: a standard deviation of 0.0035
            return [f"without a seed, {fraction:.1%} of the entries were kept; with p = {p} it should be about {p:.0%}"]
        return []
    return judge


def _unseeded_backward_judge(x, dout, p):
    def judge(outputs):
        out, dx = outputs.get("out"), outputs.get("dx")
        if out is None or dx is None or out.shape != x.shape or dx.shape != x.shape:
            return [f"`out` and `dx` should have the shape of x, {x.shape}"]
        kept = out != 0
        if not (np.allclose(dx[kept], dout[kept] / p, rtol=1e-12, atol=0) and np.all(dx[~kept] == 0)):
            return ["without a seed, `dx` does not use the mask of the forward pass: dout / p where the entry was "
                    "kept, 0 where it was dropped"]
        if abs(kept.mean() - p) > 0.02:
            return [f"without a seed, {kept.mean():.1%} of the entries were kept; it should be about {p:.0%}"]
        return []
    return judge


def _dropout_forward_cases(reference):
    cases = []
    for name, seed, shape, p, mask_seed in [("train mode, p = 0.5, seed 0, x (4, 6)", 440, (4, 6), 0.5, 0),
                                            ("train mode, p = 0.8, seed 7, images x (2, 3, 4, 5)", 441, (2, 3, 4, 5), 0.8, 7),
                                            ("train mode, p = 0.3, seed 11, a batch of one x (1, 9)", 442, (1, 9), 0.3, 11)]:
        inputs = _dropout_inputs(seed, shape, p, mask_seed)
        del inputs["dout"]
        cases.append(reference_case(name, DROPOUT_FORWARD_CALL, inputs, reference, RTOL, ATOL))
    inputs = _dropout_inputs(445, (6, 8), 0.5, 13)
    inputs["p"] = np.array(_near_threshold(13, (6, 8)))
    del inputs["dout"]
    cases.append(reference_case("train mode, seed 13, p within a hair of two of the mask's random numbers "
                                "(keep where the number is < p)", DROPOUT_FORWARD_CALL, inputs, reference, RTOL, ATOL))
    inputs = _dropout_inputs(443, (5, 7), 0.4, 3)
    del inputs["dout"]
    cases.append(reference_case("test mode returns x unchanged", DROPOUT_FORWARD_TEST_CALL, inputs, reference,
                                RTOL, ATOL))
    inputs = _dropout_inputs(444, (200, 100), 0.6, 0)
    del inputs["dout"], inputs["seed"]
    cases.append(outcome_case("train mode without a seed (p = 0.6): kept entries scaled by 1/p, about 60% kept",
                              DROPOUT_FORWARD_UNSEEDED_CALL, inputs, _unseeded_forward_judge(inputs["x"], 0.6)))
    return cases


def _dropout_backward_cases(reference):
    cases = []
    for name, seed, shape, p, mask_seed in [("train mode, p = 0.5, seed 3, x (5, 7)", 450, (5, 7), 0.5, 3),
                                            ("train mode, p = 0.9, seed 5, x (2, 3, 4)", 451, (2, 3, 4), 0.9, 5)]:
        cases.append(reference_case(name, DROPOUT_BACKWARD_CALL, _dropout_inputs(seed, shape, p, mask_seed),
                                    reference, RTOL, ATOL))
    inputs = _dropout_inputs(454, (5, 9), 0.5, 17)
    inputs["p"] = np.array(_near_threshold(17, (5, 9)))
    cases.append(reference_case("train mode, seed 17, p within a hair of two of the mask's random numbers",
                                DROPOUT_BACKWARD_CALL, inputs, reference, RTOL, ATOL))
    cases.append(reference_case("test mode: dx is dout", DROPOUT_BACKWARD_TEST_CALL,
                                _dropout_inputs(452, (4, 3), 0.25, 9), reference, RTOL, ATOL))
    inputs = _dropout_inputs(453, (200, 100), 0.7, 0)
    del inputs["seed"]
    cases.append(outcome_case("train mode without a seed: dx uses the forward pass's mask",
                              DROPOUT_BACKWARD_UNSEEDED_CALL, inputs,
                              _unseeded_backward_judge(inputs["x"], inputs["dout"], 0.7)))
    return cases


# ---------------------------------------------------------------------------------------------- softmax

SOFTMAX_CALL = """\
loss, dx = softmax_loss(x, y.astype(np.int64))
result = {"loss": loss, "dx": dx}
"""


def _softmax_cases(reference):
    cases = []
    for name, seed, N, C, scale, shift in [("N = 5, C = 10", 460, 5, 10, 1.0, 0.0),
                                           ("a batch of one, C = 3", 461, 1, 3, 1.0, 0.0),
                                           ("two classes, N = 7", 462, 7, 2, 2.0, 0.0),
                                           ("large scores (around 1000: subtract the maximum)", 463, 6, 4, 5.0, 1000.0),
                                           ("very confident scores (spread 50)", 464, 4, 5, 50.0, 0.0)]:
        rng = np.random.default_rng(seed)
        inputs = {"x": shift + scale * rng.standard_normal((N, C)), "y": rng.integers(C, size=N).astype(np.float64)}
        cases.append(reference_case(name, SOFTMAX_CALL, inputs, reference, RTOL, 1e-12))
    return cases


# ---------------------------------------------------------------------------------------------- FullyConnectedNet

def _model_inputs(seed, hidden, D, C, batchnorm, N, image_shape=None):
    """Parameters set by the test (P_W1, ...), data X and labels y."""
    rng = np.random.default_rng(seed)
    dims = [D] + list(hidden) + [C]
    inputs = {}
    for i in range(len(dims) - 1):
        inputs[f"P_W{i + 1}"] = rng.standard_normal((dims[i], dims[i + 1])) / np.sqrt(dims[i])
        inputs[f"P_b{i + 1}"] = 0.1 * rng.standard_normal(dims[i + 1])
        if batchnorm and i < len(dims) - 2:
            inputs[f"P_gamma{i + 1}"] = 1.0 + 0.2 * rng.standard_normal(dims[i + 1])
            inputs[f"P_beta{i + 1}"] = 0.1 * rng.standard_normal(dims[i + 1])
    inputs["X"] = rng.standard_normal((N,) + (image_shape or (D,)))
    inputs["y"] = rng.integers(C, size=N).astype(np.float64)
    return inputs


def _model_call(hidden, D, C, keep, normalization, reg, seed, keys, mode):
    lines = [f"model = FullyConnectedNet({list(hidden)!r}, input_dim={D}, num_classes={C}, "
             f"dropout_keep_ratio={keep!r}, normalization={normalization!r}, reg={reg!r}, "
             f"weight_scale=0.1, dtype=np.float64, seed={seed!r})"]
    lines += [f'model.params["{k}"] = P_{k}.copy()' for k in keys]
    if mode == "loss":
        lines.append("loss, grads = model.loss(X, y.astype(np.int64))")
        lines.append("result = {\"loss\": loss, " + ", ".join(f'"d{k}": grads["{k}"]' for k in keys) + "}")
    elif mode == "scores":
        lines.append("result = {\"scores\": model.loss(X)}")
    else:  # a training-mode call (running averages), then test-mode scores of other data
        lines.append("loss, grads = model.loss(X, y.astype(np.int64))")
        lines.append("result = {\"loss\": loss, \"scores\": model.loss(X_test)}")
    return "\n".join(lines) + "\n"


MODEL_SETUPS = [  # (name, seed, hidden, D, C, keep, normalization, reg, N, mode, image shape)
    ("scores (test mode), two hidden layers", 470, [6, 5], 4, 3, 1, None, 0.0, 5, "scores", None),
    ("loss and gradients, no hidden layer (softmax regression)", 471, [], 6, 4, 1, None, 0.0, 5, "loss", None),
    ("loss and gradients, one hidden layer", 472, [7], 5, 3, 1, None, 0.0, 6, "loss", None),
    ("loss and gradients, two hidden layers, reg = 3.14", 473, [6, 5], 4, 3, 1, None, 3.14, 5, "loss", None),
    ("loss and gradients, three hidden layers with batch norm", 474, [5, 6, 4], 4, 3, 1, "batchnorm", 0.0, 6,
     "loss", None),
    ("loss and gradients, two hidden layers with dropout (keep 0.5, seed 123)", 475, [8, 6], 5, 4, 0.5, None, 0.0,
     6, "loss", None),
    ("loss and gradients, batch norm, dropout (keep 0.75) and reg = 0.7, image input (N, 3, 2, 2)", 476, [6, 5],
     12, 4, 0.75, "batchnorm", 0.7, 5, "loss", (3, 2, 2)),
    ("batch norm and dropout: a training step, then test-mode scores with the running averages", 477, [5, 4], 4,
     3, 0.6, "batchnorm", 0.0, 6, "train_test", None),
    ("a batch of one, one hidden layer", 478, [5], 3, 4, 1, None, 0.0, 1, "loss", None),
]


MODEL_INIT_CALL = """\
kwargs = dict(input_dim=80, num_classes=20, normalization="batchnorm", weight_scale=0.05)
m1 = FullyConnectedNet([60, 50], seed=3, **kwargs)
m2 = FullyConnectedNet([60, 50], seed=3, **kwargs)
m3 = FullyConnectedNet([60, 50], seed=4, **kwargs)
names = ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
result = {k: m1.params.get(k, np.zeros(0)) for k in names}
result.update({"same_seed_" + k: m2.params.get(k, np.zeros(0)) for k in ("W1", "W2", "W3")})
result.update({"other_seed_" + k: m3.params.get(k, np.zeros(0)) for k in ("W1", "W2", "W3")})
result["n_params"] = len(m1.params)
"""

MODEL_DEFAULTS_CALL = """\
default = FullyConnectedNet([10], seed=0)
small = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, dtype=np.float32, seed=0)
loss, grads = small.loss(X.astype(np.float32), y.astype(np.int64))
result = {"default_W1_shape": np.shape(default.params["W1"]), "default_W2_shape": np.shape(default.params["W2"]),
          "default_has_gamma": any(k.startswith("gamma") for k in default.params),
          "param_itemsizes": [np.asarray(v).dtype.itemsize for v in small.params.values()],
          "grad_itemsizes": [np.asarray(v).dtype.itemsize for v in grads.values()]}
"""

_INIT_SHAPES = {"W1": (80, 60), "b1": (60,), "gamma1": (60,), "beta1": (60,), "W2": (60, 50), "b2": (50,),
                "gamma2": (50,), "beta2": (50,), "W3": (50, 20), "b3": (20,)}


def _init_judge(outputs):
    problems = []
    for key, shape in _INIT_SHAPES.items():
        value = outputs.get(key)
        if value is None or value.shape != shape:
            problems.append(f"params['{key}'] should exist with shape {shape} (hidden_dims [60, 50], input_dim 80, "
                            f"num_classes 20, batch norm)")
    if problems:
        return problems
    n = outputs.get("n_params")
    if n is None or int(n) != len(_INIT_SHAPES):
        problems.append(f"params should hold exactly the {len(_INIT_SHAPES)} arrays W1, b1, gamma1, beta1, ..., W3, "
                        f"b3 (no gamma/beta for the output layer)")
    if any(np.any(outputs[k] != 0) for k in ("b1", "b2", "b3", "beta1", "beta2")):
        problems.append("the biases b and the batch-norm shifts beta should start at 0")
    if any(np.any(outputs[k] != 1) for k in ("gamma1", "gamma2")):
        problems.append("the batch-norm scales gamma should start at 1")
    for key in ("W1", "W2", "W3"):
        w = outputs[key]
        if not (abs(w.std() / 0.05 - 1) < 0.15 and abs(w.mean()) < 0.01):
            problems.append(f"{key} should be drawn from a Gaussian with mean 0 and standard deviation weight_scale "
                            f"= 0.05; it has mean {w.mean():.3g} and standard deviation {w.std():.3g}")
    def same(a, b):
        return a is not None and b is not None and a.shape == b.shape and np.array_equal(a, b)
    if not all(same(outputs[k], outputs.get("same_seed_" + k)) for k in ("W1", "W2", "W3")):
        problems.append("two models built with the same seed have different weights: draw them from "
                        "np.random.default_rng(seed)")
    if all(same(outputs[k], outputs.get("other_seed_" + k)) for k in ("W1", "W2", "W3")):
        problems.append("models built with different seeds have the same weights")
    return problems


def _defaults_judge(outputs):
    problems = []
    w1, w2 = outputs.get("default_W1_shape"), outputs.get("default_W2_shape")
    if w1 is None or w2 is None or tuple(w1.astype(int)) != (3072, 10) or tuple(w2.astype(int)) != (10, 10):
        problems.append("with the defaults (input_dim = 3*32*32, num_classes = 10) FullyConnectedNet([10]) should "
                        "have W1 of shape (3072, 10) and W2 of shape (10, 10)")
    if outputs.get("default_has_gamma", np.array(1.0)) != 0:
        problems.append("without normalization='batchnorm' there should be no gamma/beta parameters")
    for what in ("param", "grad"):
        sizes = outputs.get(f"{what}_itemsizes")
        if sizes is None or sizes.size == 0 or np.any(sizes != 4):
            problems.append(f"with dtype=np.float32 every {'parameter' if what == 'param' else 'gradient'} should be "
                            f"float32")
    return problems


def _model_cases(reference):
    cases = [outcome_case("initialization: keys, shapes, b = 0, gamma = 1, beta = 0, W ~ N(0, weight_scale²), "
                          "the seed argument", MODEL_INIT_CALL, {}, _init_judge)]
    rng = np.random.default_rng(479)
    cases.append(outcome_case("the default input_dim and num_classes; dtype float32 for parameters and gradients",
                              MODEL_DEFAULTS_CALL, {"X": rng.standard_normal((3, 4)),
                                                    "y": np.array([0.0, 2.0, 1.0])}, _defaults_judge))
    for name, seed, hidden, D, C, keep, normalization, reg, N, mode, image in MODEL_SETUPS:
        inputs = _model_inputs(seed, hidden, D, C, normalization == "batchnorm", N, image)
        keys = [k[2:] for k in inputs if k.startswith("P_")]
        if mode == "train_test":
            inputs["X_test"] = np.random.default_rng(seed + 100).standard_normal((3, D))
        call = _model_call(hidden, D, C, keep, normalization, reg, 123 if keep != 1 else 0, keys, mode)
        cases.append(reference_case(name, call, inputs, reference, MODEL_RTOL, MODEL_ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- train_net

# A model defined by the test: its loss 1/2·|w − target|² ignores the data, so any correct SGD gives
# w_K = target + (1 − lr)^K (w_0 − target) after K steps, whatever the batches; it also records
# which samples and labels each minibatch held (X[:, 0] is the sample's index, y its index mod 3).
_QUADRATIC = """\
class _Quadratic:
    def __init__(self):
        self.params = {"w": W0.copy(), "v": V0.copy()}
        self.seen, self.labels = [], []
    def loss(self, X, y=None):
        self.seen.append(np.array(X, dtype=float)[:, 0])
        self.labels.append(np.array(y, dtype=float))
        grads = {"w": self.params["w"] - TW, "v": self.params["v"] - TV}
        loss = 0.5 * float(np.sum(grads["w"] ** 2) + np.sum(grads["v"] ** 2))
        return loss, {k: g.copy() for k, g in grads.items()}

model = _Quadratic()
history = train_net(model, {"X_train": X, "y_train": y.astype(np.int64)}, learning_rate=float(lr),
                    num_epochs=int(epochs), batch_size=int(batch_size), seed=int(seed))
"""

TRAIN_UPDATE_CALL = _QUADRATIC + """\
result = {"loss_history": [float(v) for v in history], "w": model.params["w"], "v": model.params["v"]}
"""

TRAIN_EPOCHS_CALL = _QUADRATIC + """\
result = {"batch_sizes": [len(ids) for ids in model.seen],
          "order": np.concatenate(model.seen) if model.seen else np.zeros(0),
          "labels": np.concatenate(model.labels) if model.labels else np.zeros(0)}
"""

TRAIN_DIGITS_CALL = """\
model = FullyConnectedNet([100, 100], input_dim=64, num_classes=10, weight_scale=0.1, seed=int(seed))
history = train_net(model, {"X_train": X, "y_train": y.astype(np.int64)}, learning_rate=0.2, num_epochs=50,
                    batch_size=10, seed=int(seed))
result = {"loss_history": [float(v) for v in history]}
result.update({k: model.params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3")})
"""

DIGITS_SEEDS = (2, 3)  # the reference reaches 100% after at most ~25 of the 50 epochs for every seed tried


def _digits():
    data = np.load(paths.ASSIGNMENTS / SLUG / "digits_small.npz")
    return data["X_train"] / 16.0, data["y_train"].astype(np.float64)


def _epochs_judge(N, batch_size, epochs):
    steps = epochs * math.ceil(N / batch_size)

    def judge(outputs):
        sizes, order, labels = outputs.get("batch_sizes"), outputs.get("order"), outputs.get("labels")
        if sizes is None or order is None or labels is None or sizes.size == 0:
            return ["train_net did not call model.loss(X_batch, y_batch)"]
        mismatched = labels.shape != order.shape or np.any(labels != order % 3)
        problems = []
        if sizes.size != steps:
            problems.append(f"for N = {N}, batch_size = {batch_size} and {epochs} epochs train_net called model.loss "
                            f"{sizes.size} times; it should take num_epochs·ceil(N / batch_size) = {steps} steps")
        if sizes.size and sizes.max() > batch_size:
            problems.append(f"a minibatch had {int(sizes.max())} samples, more than batch_size = {batch_size}")
        if mismatched:
            problems.append("the labels handed to model.loss do not belong to the samples: index X_train and "
                            "y_train with the same batch indices")
        if order.size == N * epochs:
            epochs_seen = order.reshape(epochs, N).astype(int)
            if any(sorted(row.tolist()) != list(range(N)) for row in epochs_seen):
                problems.append("an epoch did not use every training sample exactly once")
            elif all(np.array_equal(row, epochs_seen[0]) for row in epochs_seen):
                problems.append("every epoch visited the samples in the same order; shuffle anew every epoch")
        else:
            problems.append(f"the minibatches held {order.size} samples in all; {epochs} epochs over {N} samples "
                            f"use {N * epochs}")
        return problems
    return judge


def _digits_judge(X, y):
    flat = X.reshape(len(X), -1)
    steps = 50 * math.ceil(len(X) / 10)

    def judge(outputs):
        names = ("W1", "b1", "W2", "b2", "W3", "b3")
        if any(outputs.get(k) is None for k in names):
            return ["after training, model.params should hold W1, b1, W2, b2, W3, b3"]
        history = outputs.get("loss_history")
        problems = []
        if history is None or history.shape != (steps,):
            problems.append(f"train_net should return one loss per iteration, {steps} for 50 epochs of 5 batches; "
                            f"it returned {0 if history is None else history.size}")
        elif not np.all(np.isfinite(history)) or not history[-1] < history[0]:
            problems.append("the minibatch loss did not go down during training")
        try:
            h = flat
            for i in (1, 2):
                h = np.maximum(0, h @ outputs[f"W{i}"] + outputs[f"b{i}"])
            scores = h @ outputs["W3"] + outputs["b3"]
            correct = int(np.sum(np.argmax(scores, axis=1) == y))
        except ValueError:
            return problems + ["the trained parameters do not have the shapes of the model"]
        if correct < len(y):
            problems.append(f"after training, {correct} of the {len(y)} training digits are classified correctly; "
                            f"overfitting them should reach all {len(y)} (100% training accuracy)")
        return problems
    return judge


def _train_cases(reference):
    cases = []
    rng = np.random.default_rng(480)
    for name, N, batch_size, epochs, lr, seed in [
            ("each minibatch is one SGD step on every parameter (N = 13, batches of 4, 3 epochs, lr 0.3)",
             13, 4, 3, 0.3, 5),
            ("the last batch of an epoch may be smaller (N = 10, batches of 3, 2 epochs, lr 0.1)", 10, 3, 2, 0.1, 6)]:
        inputs = {"X": np.column_stack([np.arange(N), rng.standard_normal(N)]),
                  "y": (np.arange(N) % 3).astype(np.float64),
                  "W0": rng.standard_normal(4), "V0": rng.standard_normal((2, 3)),
                  "TW": rng.standard_normal(4), "TV": rng.standard_normal((2, 3)),
                  "lr": np.array(lr), "epochs": np.array(epochs), "batch_size": np.array(batch_size),
                  "seed": np.array(seed)}
        cases.append(reference_case(name, TRAIN_UPDATE_CALL, inputs, reference, 1e-9, 1e-12))
    N, batch_size, epochs = 11, 4, 3
    inputs = {"X": np.column_stack([np.arange(N), rng.standard_normal(N)]), "y": (np.arange(N) % 3).astype(np.float64),
              "W0": rng.standard_normal(4), "V0": rng.standard_normal((2, 3)),
              "TW": rng.standard_normal(4), "TV": rng.standard_normal((2, 3)),
              "lr": np.array(0.1), "epochs": np.array(epochs), "batch_size": np.array(batch_size), "seed": np.array(7)}
    cases.append(outcome_case("every epoch uses each sample once, in a new random order, with its own label",
                              TRAIN_EPOCHS_CALL, inputs, _epochs_judge(N, batch_size, epochs)))
    X, y = _digits()
    for seed in DIGITS_SEEDS:
        cases.append(outcome_case(f"your FullyConnectedNet([100, 100], weight_scale=0.1, seed={seed}) overfits the 50 "
                                  f"training digits (lr 0.2, 50 epochs, batches of 10): 100% training accuracy",
                                  TRAIN_DIGITS_CALL, {"X": X, "y": y, "seed": np.array(seed)}, _digits_judge(X, y)))
    return cases


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checking.py", "checks.py", "digits_small.npz", "gradient_check.py"),
    tasks=[
        TaskSpec("affine_forward", 1,
                 "Flatten every sample into a row, x.reshape(N, -1) of shape (N, D), then out = x_flat·w + b, shape (N, M).",
                 cases=lambda reference: _affine_cases(reference, AFFINE_FORWARD_CALL, backward=False)),
        TaskSpec("affine_backward", 2,
                 "dx = dout·wᵀ reshaped to the shape of x; dw = x_flatᵀ·dout (summed over the batch); db = dout summed "
                 "over axis 0.",
                 cases=lambda reference: _affine_cases(reference, AFFINE_BACKWARD_CALL, backward=True)),
        TaskSpec("relu_forward", 1,
                 "out = max(0, x) elementwise, any shape, as a new array (do not change x).",
                 cases=lambda reference: _relu_cases(reference, RELU_FORWARD_CALL)),
        TaskSpec("relu_backward", 1,
                 "The ReLU passes the gradient where its input was positive and blocks it elsewhere: dx = dout where x > 0, "
                 "0 where x < 0.",
                 cases=lambda reference: _relu_cases(reference, RELU_BACKWARD_CALL)),
        TaskSpec("batchnorm_forward", 2,
                 "Train mode: per feature (axis 0) the batch mean and the biased variance x.var(axis=0); x_hat = (x − μ) / "
                 "√(σ² + eps); out = γ·x_hat + β; running = momentum·running + (1 − momentum)·batch statistic, starting from "
                 "zeros, stored back into bn_param. Test mode: normalize with the running averages instead. Defaults: eps "
                 "1e-5, momentum 0.9.",
                 cases=_bn_forward_cases),
        TaskSpec("batchnorm_backward", 3,
                 "dβ = Σ dout, dγ = Σ dout·x_hat (sums over the batch); for dx, every sample acts directly and through μ and "
                 "σ²: dx = dx_hat/s + dσ²·2(x − μ)/N + dμ/N with dx_hat = dout·γ and s = √(σ² + eps) (notebook section 3).",
                 cases=_bn_backward_cases),
        TaskSpec("dropout_forward", 1,
                 "Train mode: keep = np.random.default_rng(seed).random(x.shape) < p, a fresh generator on every call; out = "
                 "x·keep / p (inverted dropout). Test mode: out = x.",
                 cases=_dropout_forward_cases),
        TaskSpec("dropout_backward", 1,
                 "Use the forward pass's mask: dx = dout·keep / p in train mode, dx = dout in test mode.",
                 cases=_dropout_backward_cases),
        TaskSpec("softmax_loss", 2,
                 "Subtract each row's maximum, log p = shifted − log Σ exp(shifted); the loss is the mean over the batch of "
                 "−log p of the true class; dx = (softmax − one_hot(y)) / N.",
                 cases=_softmax_cases),
        TaskSpec("FullyConnectedNet", 4,
                 "Hidden layers: affine → [batchnorm] → relu → [dropout], in that order; the output layer is affine only, "
                 "into softmax_loss. Backward in reverse order. Add 0.5·reg·ΣW² to the loss and reg·W to every dW (not to "
                 "b, gamma, beta). y is None → test mode for batch norm and dropout, return the scores. Initialize W with "
                 "weight_scale·standard normal from np.random.default_rng(seed), b and beta at 0, gamma at 1.",
                 cases=_model_cases),
        TaskSpec("train_net", 2,
                 "One SGD step per minibatch on every parameter, params[k] − learning_rate·grads[k], and one recorded loss "
                 "per step. Every epoch, a new random order of the N samples from the seeded generator, cut into "
                 "consecutive batches of at most batch_size, so that each sample is used once per epoch; index X and y "
                 "with the same batch. The digits cases also use your FullyConnectedNet.",
                 cases=_train_cases),
    ])
