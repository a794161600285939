"""Visible checks for assignment 04_fully_connected_net (cs231n's fully-connected network).

Each ``check_*`` prints one line starting with ✓ when it passes, and raises AssertionError with
a sentence saying what is wrong and where to look when it does not. The expected values are
numerical gradients (central differences), hand examples and properties that follow from the
definitions in the notebook.
"""
import math

import numpy as np

from checking import (Handed, as_array, call, checker, compare, dependency_first, expect_shape, fail, returned)
from gradient_check import numerical_gradient, numerical_gradient_array


TASKS = ["affine_forward", "affine_backward", "relu_forward", "relu_backward", "batchnorm_forward",
         "batchnorm_backward", "dropout_forward", "dropout_backward", "softmax_loss", "FullyConnectedNet",
         "train_net"]
check = checker(TASKS)
BIAS_MISSING = ("is 0 where it should be the bias (偏置) b: with x = 0 nothing but b is left, so b is not "
                "added. Add b to every row of x·w")


def _array(value, what):
    return as_array(value, what, what)


def _pair(value, function, names=("out", "cache")):
    return returned(value, function, names)


def _grads(value, function, names):
    if len(names) == 1:
        return (as_array(value, names[0], function),)
    return tuple(as_array(g, n, function) for g, n in zip(returned(value, function, names), names))


def _compare(name, mine, numeric, where, hint, function="", batch=None):
    """Central differences are accurate to ~1e-10 here: allow that much, relative and absolute."""
    compare(function or name, name, mine, numeric, where, hint, batch=batch, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------------------------------------- affine

@check
def check_affine_forward(affine_forward):
    """A hand example, flattening of (N, d1, ..., dk), the bias, a batch of one, inputs untouched."""
    x = np.array([[1.0, 2.0]])
    w = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    b = np.array([0.0, 0.0, 1.0])
    out = as_array(_pair(call("affine_forward", affine_forward, x, w, b), "affine_forward")[0], "out", "affine_forward")
    if out.shape == (1, 3) and np.allclose(out, [[1.0, 2.0, 3.0]], rtol=0, atol=1e-12):
        fail("affine_forward([[1, 2]], w = [[1, 0, 1], [0, 1, 1]], b = [0, 0, 1]) gives [[1, 2, 3]] = x·w: the "
             "bias (偏置) b is missing. out = x·w + b, with b added to every row.")
    if out.shape != (1, 3) or not np.allclose(out, [[1.0, 2.0, 4.0]], rtol=0, atol=1e-12):
        fail(f"affine_forward([[1, 2]], w = [[1, 0, 1], [0, 1, 1]], b = [0, 0, 1]) should be [[1, 2, 4]] "
              f"(x·w + b); got {out.tolist()}.")
    rng = np.random.default_rng(40)
    x = rng.standard_normal((3, 2, 3, 2))
    w, b = rng.standard_normal((12, 5)), rng.standard_normal(5)
    out = as_array(_pair(call("affine_forward", affine_forward, x, w, b), "affine_forward")[0], "out", "affine_forward")
    if out.shape != (3, 5):
        fail(f"For x of shape (3, 2, 3, 2) and w of shape (12, 5) the output should have shape (N, M) = "
              f"(3, 5); got {out.shape}. Flatten every sample into a row of 2·3·2 = 12 numbers first.")
    flat = _array(call("affine_forward", affine_forward, x.reshape(3, 12), w, b)[0], "out")
    if not np.allclose(out, flat, rtol=1e-12, atol=1e-12):
        fail("affine_forward(x) for x of shape (3, 2, 3, 2) differs from affine_forward(x.reshape(3, 12)): "
              "flatten each sample in numpy's order, x.reshape(N, -1).")
    zero = _array(call("affine_forward", affine_forward, np.zeros((4, 12)), w, b)[0], "out")
    compare("affine_forward", "out", zero, np.broadcast_to(b, (4, 5)), "x = 0",
            "With x = 0 every row of `out` should be the bias b (added to every sample).",
            against="the bias b in every row", alternatives=[(BIAS_MISSING, np.zeros((4, 5)))], rtol=0, atol=1e-15)
    one = _array(call("affine_forward", affine_forward, x[:1], w, b)[0], "out")
    if one.shape != (1, 5):
        fail(f"For a batch of one sample the output should have shape (1, 5); got {one.shape}.")
    print("✓ affine_forward: the hand example, flattening (N, d1, ..., dk), the bias and a batch of one.")


@check
def check_affine_backward(affine_forward, affine_backward):
    """dx (in x's shape), dw, db against numerical gradients."""
    dependency_first(check_affine_forward, (affine_forward,), "affine_backward", "affine_forward", TASKS)
    rng = np.random.default_rng(41)
    for shape, M in (((4, 5), 3), ((2, 3, 2, 2), 4), ((1, 6), 2)):
        x = rng.standard_normal(shape)
        D = int(np.prod(shape[1:]))
        w, b = rng.standard_normal((D, M)), rng.standard_normal(M)
        dout = rng.standard_normal((shape[0], M))
        given = Handed(x=x, w=w, b=b, dout=dout)
        _, cache = _pair(affine_forward(given.x, given.w, given.b), "affine_forward")
        dx, dw, db = _grads(affine_backward(given.dout, cache), "affine_backward", ("dx", "dw", "db"))
        given.check("affine_backward")
        where = f"x of shape {shape}, M = {M}"
        N = shape[0]
        _compare("dx", dx, numerical_gradient_array(lambda v: affine_forward(v.copy(), w, b)[0], x.copy(), dout),
                 where, "dx = dout·wᵀ, reshaped to the shape of x.", "affine_backward", N)
        _compare("dw", dw, numerical_gradient_array(lambda v: affine_forward(x.copy(), v.copy(), b)[0], w.copy(), dout),
                 where, "dw = x_flatᵀ·dout, with x flattened per sample.", "affine_backward", N)
        _compare("db", db, numerical_gradient_array(lambda v: affine_forward(x.copy(), w, v.copy())[0], b.copy(), dout),
                 where, "db is dout summed over the batch (axis 0).", "affine_backward", N)
    print("✓ affine_backward: dx, dw and db match numerical gradients (2-d and 4-d x, a batch of one).")


# ---------------------------------------------------------------------------------------------- relu

@check
def check_relu_forward(relu_forward):
    x = np.array([[-2.0, -0.5, 0.5, 3.0]])
    out = _array(_pair(call("relu_forward", relu_forward, x), "relu_forward")[0], "out")
    if out.shape != (1, 4) or not np.array_equal(out, [[0.0, 0.0, 0.5, 3.0]]):
        fail(f"relu_forward([[-2, -0.5, 0.5, 3]]) should be [[0, 0, 0.5, 3]]; got {out.tolist()}.")
    x = np.random.default_rng(42).standard_normal((2, 3, 4))
    out = _array(call("relu_forward", relu_forward, x)[0], "out")
    if out.shape != x.shape or np.any(out < 0) or not np.array_equal(out[x > 0], x[x > 0]):
        fail("relu_forward should keep the shape of x (here (2, 3, 4)), keep positive entries and set "
              "negative ones to 0.")
    print("✓ relu_forward: max(0, x) elementwise, any shape, x untouched.")


@check
def check_relu_backward(relu_forward, relu_backward):
    dependency_first(check_relu_forward, (relu_forward,), "relu_backward", "relu_forward", TASKS)
    rng = np.random.default_rng(43)
    for shape in ((5, 6), (2, 3, 4)):
        x = rng.standard_normal(shape)
        x[np.abs(x) < 1e-3] = 0.5          # stay away from the kink at 0
        dout = rng.standard_normal(shape)
        given = Handed(x=x, dout=dout)
        _, cache = _pair(relu_forward(given.x), "relu_forward")
        (dx,) = _grads(relu_backward(given.dout, cache), "relu_backward", ("dx",))
        given.check("relu_backward")
        _compare("dx", dx, numerical_gradient_array(lambda v: relu_forward(v.copy())[0], x.copy(), dout),
                 f"shape {shape}", "dx is dout where x > 0 and 0 where x < 0.", "relu_backward")
    print("✓ relu_backward: dx matches numerical gradients.")


# ---------------------------------------------------------------------------------------------- batchnorm

@check
def check_batchnorm_forward(batchnorm_forward):
    """Train mode normalizes per feature and keeps running averages; test mode uses them."""
    rng = np.random.default_rng(44)
    N, D = 200, 3
    x = 5.0 + 3.0 * rng.standard_normal((N, D)) * np.array([1.0, 2.0, 0.5])
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.0, -1.0, 4.0])
    bn_param = {"mode": "train"}
    out = _array(_pair(call("batchnorm_forward", batchnorm_forward, x, gamma, beta, bn_param),
                       "batchnorm_forward")[0], "out")
    if out.shape != (N, D):
        fail(f"out should have the shape of x, {(N, D)}; got {out.shape}.")
    if not (np.allclose(out.mean(axis=0), beta, atol=1e-8) and np.allclose(out.std(axis=0), gamma, rtol=1e-4)):
        fail(f"In train mode every feature (column) of out should have mean beta and standard deviation gamma "
              f"(here beta = {beta.tolist()}, gamma = {gamma.tolist()}); yours have means "
              f"{np.round(out.mean(axis=0), 4).tolist()} and standard deviations {np.round(out.std(axis=0), 4).tolist()}. "
              f"Normalize over the batch, axis 0.")
    for key in ("running_mean", "running_var"):
        if key not in bn_param:
            fail(f"After a train-mode call bn_param should hold `{key}` (store it back into the dict).")
    mean, var = _array(bn_param["running_mean"], "running_mean"), _array(bn_param["running_var"], "running_var")
    for key, value in (("running_mean", mean), ("running_var", var)):
        expect_shape("batchnorm_forward", f"bn_param['{key}']", value, (D,), f"x of shape {(N, D)}",
                     "one number per feature, (D,)")
    if not (np.allclose(mean, 0.1 * x.mean(axis=0), rtol=1e-10) and np.allclose(var, 0.1 * x.var(axis=0), rtol=1e-10)):
        fail("After one train-mode call from zeros with the default momentum 0.9 the running mean should be "
              "0.1·(batch mean) and the running variance 0.1·(biased batch variance, x.var(axis=0)).")

    # Many training batches, then test mode: the running averages stand in for the batch statistics.
    bn_param = {"mode": "train", "momentum": 0.8}
    for _ in range(60):
        batch = 5.0 + 3.0 * rng.standard_normal((N, D)) * np.array([1.0, 2.0, 0.5])
        call("batchnorm_forward", batchnorm_forward, batch, gamma, beta, bn_param)
    bn_param["mode"] = "test"
    mean, var = np.array(bn_param["running_mean"], copy=True), np.array(bn_param["running_var"], copy=True)
    test_x = 5.0 + 3.0 * rng.standard_normal((N, D)) * np.array([1.0, 2.0, 0.5])
    out = _array(call("batchnorm_forward", batchnorm_forward, test_x, gamma, beta, bn_param)[0], "out")
    if not (np.allclose(bn_param["running_mean"], mean) and np.allclose(bn_param["running_var"], var)):
        fail("In test mode the running averages must not change.")
    if not (np.allclose(out.mean(axis=0), beta, atol=0.3 * gamma) and np.allclose(out.std(axis=0), gamma, rtol=0.2)):
        fail("In test mode, after 60 training batches from the same distribution, out should have per-feature "
              "means near beta and standard deviations near gamma. Normalize with running_mean and running_var "
              "(not with the test batch's own statistics, and not with the raw x).")
    one = _array(call("batchnorm_forward", batchnorm_forward, test_x[:1], gamma, beta, bn_param)[0], "out")
    if not np.allclose(one, out[:1], rtol=1e-12, atol=1e-12):
        fail("In test mode a sample's output must not depend on the other samples of the batch.")
    print("✓ batchnorm_forward: train mode normalizes per feature and updates the running averages; test "
          "mode uses them.")


@check
def check_batchnorm_backward(batchnorm_forward, batchnorm_backward):
    rng = np.random.default_rng(45)
    for N, D in ((4, 5), (2, 3), (7, 1)):
        x = 3.0 * rng.standard_normal((N, D)) + 2.0
        gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
        dout = rng.standard_normal((N, D))

        def forward(x_, gamma_, beta_):
            return batchnorm_forward(x_.copy(), gamma_.copy(), beta_.copy(), {"mode": "train"})[0]

        given = Handed(x=x, gamma=gamma, beta=beta, dout=dout)
        _, cache = _pair(batchnorm_forward(given.x, given.gamma, given.beta, {"mode": "train"}), "batchnorm_forward")
        dx, dgamma, dbeta = _grads(batchnorm_backward(given.dout, cache), "batchnorm_backward",
                                   ("dx", "dgamma", "dbeta"))
        given.check("batchnorm_backward")
        where = f"N = {N}, D = {D}"
        _compare("dx", dx, numerical_gradient_array(lambda v: forward(v, gamma, beta), x.copy(), dout), where,
                 "Every sample also acts through the batch mean and variance: dx has three terms (notebook "
                 "section 3).", "batchnorm_backward", N)
        _compare("dgamma", dgamma, numerical_gradient_array(lambda v: forward(x, v, beta), gamma.copy(), dout), where,
                 "dgamma = sum over the batch of dout·x_hat.", "batchnorm_backward", N)
        _compare("dbeta", dbeta, numerical_gradient_array(lambda v: forward(x, gamma, v), beta.copy(), dout), where,
                 "dbeta = dout summed over the batch.", "batchnorm_backward", N)
    print("✓ batchnorm_backward: dx, dgamma and dbeta match numerical gradients.")


# ---------------------------------------------------------------------------------------------- dropout

@check
def check_dropout_forward(dropout_forward):
    rng = np.random.default_rng(46)
    x = rng.standard_normal((500, 40)) + 10.0
    for p in (0.25, 0.5, 0.8):
        param = {"mode": "train", "p": p, "seed": 123}
        out = _array(_pair(call("dropout_forward", dropout_forward, x, param), "dropout_forward")[0], "out")
        if out.shape != x.shape:
            fail(f"out should have the shape of x, {x.shape}; got {out.shape}.")
        kept = out != 0
        if not np.allclose(out[kept], x[kept] / p, rtol=1e-12):
            fail(f"In train mode (p = {p}) every kept entry should be x / p (inverted dropout), every other 0.")
        if not np.array_equal(kept, np.random.default_rng(123).random(x.shape) < p):
            fail(f"With seed 123 and p = {p} the kept entries should be exactly those where "
                  f"np.random.default_rng(123).random(x.shape) < p (a fresh generator made from its random seed).")
        again = _array(dropout_forward(x, dict(param))[0], "out")
        if not np.array_equal(again, out):
            fail("Two calls with the same seed should give the same output.")
        if abs(out.mean() / x.mean() - 1) > 0.05:
            fail(f"With inverted dropout the mean of out should stay close to the mean of x (p = {p}).")
    param = {"mode": "test", "p": 0.3, "seed": 1}
    out = _array(dropout_forward(x, param)[0], "out")
    if not np.array_equal(out, x):
        fail("In test mode dropout_forward should return x unchanged.")
    out = _array(dropout_forward(x, {"mode": "train", "p": 0.6})[0], "out")
    if abs(np.mean(out != 0) - 0.6) > 0.02:
        fail("Without a seed, about a fraction p of the entries should still be kept.")
    print("✓ dropout_forward: inverted dropout with the pinned mask, the same output for the same seed, "
          "test mode returns x.")


@check
def check_dropout_backward(dropout_forward, dropout_backward):
    dependency_first(check_dropout_forward, (dropout_forward,), "dropout_backward", "dropout_forward", TASKS)
    rng = np.random.default_rng(47)
    for shape, p in (((6, 7), 0.5), ((2, 3, 4), 0.9)):
        x, dout = rng.standard_normal(shape), rng.standard_normal(shape)
        param = {"mode": "train", "p": p, "seed": 7}
        given = Handed(x=x, dout=dout)
        _, cache = _pair(dropout_forward(given.x, dict(param)), "dropout_forward")
        (dx,) = _grads(dropout_backward(given.dout, cache), "dropout_backward", ("dx",))
        given.check("dropout_backward")
        _compare("dx", dx, numerical_gradient_array(lambda v: dropout_forward(v.copy(), dict(param))[0], x.copy(),
                                                    dout),
                 f"train mode, shape {shape}, p = {p}", "dx = dout·keep / p with the mask of the forward pass.",
                 "dropout_backward")
    _, cache = dropout_forward(x.copy(), {"mode": "test", "p": 0.5, "seed": 7})
    (dx,) = _grads(call("dropout_backward", dropout_backward, dout, cache), "dropout_backward", ("dx",))
    if not np.array_equal(dx, dout):
        fail("In test mode dropout_backward should return dout unchanged.")
    print("✓ dropout_backward: dx matches numerical gradients in train mode and is dout in test mode.")


# ---------------------------------------------------------------------------------------------- softmax

@check
def check_softmax_loss(softmax_loss):
    rng = np.random.default_rng(48)
    N, C = 50, 10
    x, y = 0.001 * rng.standard_normal((N, C)), rng.integers(C, size=N)
    loss, dx = _pair(call("softmax_loss", softmax_loss, x, y), "softmax_loss", ("loss", "dx"))
    if np.ndim(loss) != 0:
        fail(f"The loss should be one number (the mean over the batch); got shape {np.shape(loss)}.")
    if abs(float(loss) - math.log(C)) > 0.01:
        fail(f"For tiny random scores every class has probability about 1/C, so the loss should be close to "
              f"log(C) = {math.log(C):.4f} (C = {C}); got {float(loss):.4f}.")
    for N, C in ((5, 4), (1, 3), (6, 2)):
        x, y = rng.standard_normal((N, C)), rng.integers(C, size=N)
        loss, dx = _pair(call("softmax_loss", softmax_loss, x, y), "softmax_loss", ("loss", "dx"))
        _compare("dx", _array(dx, "dx"), numerical_gradient(lambda v: float(softmax_loss(v.copy(), y.copy())[0]),
                                                            x.copy()),
                 f"N = {N}, C = {C}", "dx = (softmax(x) − one_hot(y)) / N.", "softmax_loss", N)
        shifted, _ = call("softmax_loss", softmax_loss, x + 1000.0, y)
        if not np.isfinite(float(shifted)) or abs(float(shifted) - float(loss)) > 1e-9:
            fail("Adding 1000 to every score should not change the loss (softmax is shift invariant), but it "
                  "gives a different or non-finite value: subtract each row's maximum before exponentiating.")
    print("✓ softmax_loss: about log(C) for tiny scores, dx matches numerical gradients, stable for large scores.")


# ---------------------------------------------------------------------------------------------- FullyConnectedNet

def _model_problems(FullyConnectedNet):
    """Initialization: keys, shapes, values, seed."""
    model = FullyConnectedNet([30, 20], input_dim=40, num_classes=7, normalization="batchnorm",
                              weight_scale=0.05, seed=1)
    params = getattr(model, "params", None)
    if not isinstance(params, dict):
        fail("FullyConnectedNet should keep its parameters in a dict `self.params`.")
    want = {"W1": (40, 30), "b1": (30,), "gamma1": (30,), "beta1": (30,), "W2": (30, 20), "b2": (20,),
            "gamma2": (20,), "beta2": (20,), "W3": (20, 7), "b3": (7,)}
    if set(params) != set(want):
        fail(f"FullyConnectedNet([30, 20], input_dim=40, num_classes=7, normalization='batchnorm') should have "
              f"the parameters {sorted(want)}; it has {sorted(params)}. (No gamma/beta for the output layer.)")
    for key, shape in want.items():
        if np.shape(params[key]) != shape:
            fail(f"params['{key}'] should have shape {shape}; it has {np.shape(params[key])}.")
    for key in ("b1", "b2", "b3", "beta1", "beta2"):
        if np.any(params[key] != 0):
            fail(f"params['{key}'] should start at zero.")
    for key in ("gamma1", "gamma2"):
        if np.any(params[key] != 1):
            fail(f"params['{key}'] should start at one.")
    weights = np.concatenate([np.ravel(params[k]) for k in ("W1", "W2", "W3")])
    if abs(weights.std() / 0.05 - 1) > 0.1 or abs(weights.mean()) > 0.01:
        fail(f"The weights should be drawn from a Gaussian with mean 0 and standard deviation weight_scale "
              f"(0.05 here); yours have mean {weights.mean():.3g} and standard deviation {weights.std():.3g}.")
    again = FullyConnectedNet([30, 20], input_dim=40, num_classes=7, normalization="batchnorm",
                              weight_scale=0.05, seed=1)
    if not all(np.array_equal(params[k], again.params[k]) for k in want):
        fail("Two models built with the same seed should have the same weights: draw them from "
              "np.random.default_rng(seed).")


@check
def check_FullyConnectedNet(FullyConnectedNet):
    """Initialization, the initial loss, and numerical gradient checks of the whole model."""
    _model_problems(FullyConnectedNet)
    rng = np.random.default_rng(52)
    N, D, C = 8, 15, 10
    X, y = rng.standard_normal((N, D)), rng.integers(C, size=N)
    model = FullyConnectedNet([20, 30], input_dim=D, num_classes=C, weight_scale=1e-3, seed=0)
    first = _pair(call("FullyConnectedNet.loss", model.loss, X, y), "FullyConnectedNet.loss", ("loss", "grads"))
    if abs(float(first[0]) - math.log(C)) > 0.01:
        fail(f"With tiny weights (weight_scale = 1e-3) and no regularization every class gets probability about "
             f"1/C, so the initial loss should be close to log(C) = {math.log(C):.4f}; got {float(first[0]):.4f}.")
    scores = _array(call("FullyConnectedNet.loss", model.loss, X), "scores")
    if scores.shape != (N, C):
        fail(f"loss(X) without y should return the scores, shape (N, num_classes) = {(N, C)}; got {scores.shape}.")

    N, D, H1, H2, C = 4, 5, 6, 4, 3
    X, y = rng.standard_normal((N, D)), rng.integers(C, size=N)
    setups = [
        ("no regularization", dict(reg=0.0)),
        ("reg = 3.14", dict(reg=3.14)),
        ("batch norm, reg = 0.5", dict(reg=0.5, normalization="batchnorm")),
        ("batch norm and dropout (keep 0.6, seed 1)", dict(normalization="batchnorm", dropout_keep_ratio=0.6)),
    ]
    for title, options in setups:
        model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=0.5, seed=1, **options)
        for k in sorted(model.params):  # parameters set here (random gammas and betas, too), away from ReLU kinks
            model.params[k] = (0.6 * rng.standard_normal(np.shape(model.params[k]))
                               + (1.0 if k.startswith("gamma") else 0.0))
        loss, grads = _pair(call("FullyConnectedNet.loss", model.loss, X, y), "FullyConnectedNet.loss",
                            ("loss", "grads"))
        if float(model.loss(X.copy(), y.copy())[0]) != float(loss):
            fail(f"Two calls of loss(X, y) with the same parameters give different losses ({title}); with a seed, "
                  f"dropout must draw the same mask every call (a fresh np.random.default_rng(seed)).")
        if set(grads) != set(model.params):
            fail(f"grads should have exactly the keys of params ({title}): missing {sorted(set(model.params) - set(grads))}, "
                  f"extra {sorted(set(grads) - set(model.params))}.")
        for k in sorted(model.params):
            numeric = numerical_gradient(lambda _: float(model.loss(X.copy(), y.copy())[0]), model.params[k])
            compare("FullyConnectedNet.loss", f"grads['{k}']", grads[k], numeric, title,
                    "Check the backward pass through that layer, and the L2 term reg·W for the weights.",
                    batch=N, rtol=1e-5, atol=1e-7, shape_hint=f"params['{k}']")
    print("✓ FullyConnectedNet: initialization, initial loss ≈ log(C), and every gradient matches numerical "
          "gradients (with and without reg, batch norm, dropout).")


# ---------------------------------------------------------------------------------------------- train_net

class _Quadratic:
    """A model whose loss, 1/2·|w − target|², ignores the data: SGD's result is known in closed form."""

    def __init__(self, w, target):
        self.params = {"w": w.copy()}
        self.target = target
        self.seen = []
        self.mismatched = 0

    def loss(self, X, y):
        ids = np.asarray(X)[:, 0].astype(int)
        self.seen.append(ids)
        self.mismatched += int(np.sum(np.asarray(y) != ids % 3))
        diff = self.params["w"] - self.target
        return 0.5 * float(np.sum(diff ** 2)), {"w": diff.copy()}


@check
def check_train_net(train_net, FullyConnectedNet, X_train, y_train):
    """The update rule and the epochs on a quadratic model; then overfitting the 50 digits."""
    rng = np.random.default_rng(50)
    N, batch_size, epochs, lr = 13, 4, 3, 0.3
    X = np.column_stack([np.arange(N), rng.standard_normal(N)])
    y = np.arange(N) % 3
    w0, target = rng.standard_normal(5), rng.standard_normal(5)
    model = _Quadratic(w0, target)
    given = Handed(X=X, y=y)
    history = train_net(model, {"X_train": given.X, "y_train": given.y}, learning_rate=lr, num_epochs=epochs,
                        batch_size=batch_size, seed=3)
    given.check("train_net", ["X"])
    steps = epochs * math.ceil(N / batch_size)
    if not isinstance(history, list) or len(history) != steps:
        fail(f"For N = {N}, batch_size = {batch_size} and {epochs} epochs train_net should take "
              f"{epochs}·ceil({N}/{batch_size}) = {steps} steps and return a list of {steps} losses; got "
              f"{len(history) if hasattr(history, '__len__') else type(history).__name__}.")
    if model.mismatched:
        fail("The labels handed to model.loss do not belong to the samples: index X_train and y_train with the "
              "same batch indices.")
    if any(len(ids) > batch_size for ids in model.seen):
        fail(f"A minibatch had more than batch_size = {batch_size} samples.")
    per_epoch = [np.concatenate(model.seen[e * (steps // epochs):(e + 1) * (steps // epochs)]) for e in range(epochs)]
    if any(sorted(ids.tolist()) != list(range(N)) for ids in per_epoch):
        fail("Every epoch should use every training sample exactly once (a permutation cut into batches).")
    if all(np.array_equal(ids, per_epoch[0]) for ids in per_epoch):
        fail("Every epoch should visit the samples in a new random order (rng.permutation(N) every epoch).")
    expected = target + (1 - lr) ** steps * (w0 - target)
    if not np.allclose(model.params["w"], expected, rtol=1e-10, atol=1e-12):
        fail("After the training the parameters are not what `steps` SGD updates give: every iteration should "
              "set model.params[k] = model.params[k] − learning_rate·grads[k], once per minibatch.")

    model = FullyConnectedNet([100, 100], input_dim=64, num_classes=10, weight_scale=0.1, seed=1)
    given = Handed(X_train=X_train, y_train=y_train)
    history = train_net(model, {"X_train": given.X_train, "y_train": given.y_train}, learning_rate=0.2,
                        num_epochs=50, batch_size=10, seed=1)
    given.check("train_net")
    accuracy = np.mean(np.argmax(model.loss(X_train), axis=1) == y_train)
    if accuracy < 1:
        fail(f"Training the three-layer network on the 50 digits (learning rate 0.2, 50 epochs, batches of 10) "
              f"should reach 100% training accuracy; yours reached {accuracy:.0%} (final minibatch loss "
              f"{history[-1]:.3g}).")
    print(f"✓ train_net: one SGD step per minibatch, every sample once per epoch in a new order, and the "
          f"50 digits are overfitted (100% training accuracy, final loss {history[-1]:.3g}).")
