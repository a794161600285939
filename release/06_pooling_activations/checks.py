"""Visible checks for assignment 06_pooling_activations (池化层与激活函数的反向传播).

Each ``check_*`` prints one line starting with ✓ when it passes, and raises AssertionError with a
sentence saying what is wrong and where to look when it does not. Backward passes are checked
against numerical gradients of YOUR forward (central differences along a few random directions,
then element by element to locate a mistake), so each forward must pass its own check first.
Inputs of max poolings are tie-free and all inputs stay away from the kink at 0. The only fixed
numbers are hand-countable examples (np.arange images) and the definitions' constants.
"""
import numpy as np

from checking import (Handed, as_array, call, checker, compare_gradient, dependency_first, fail, returned,
                      unchanged)
from gradient_check import numerical_gradient

H_STEP = 1e-5      # central-difference step (tie gaps and distances to 0 are far larger)
TOLERANCE = 1e-6   # largest relative error accepted between your gradient and the numerical one
SELU_L, SELU_A = 1.0507009873554805, 1.6732632423543772


TASKS = ["max_pool_forward", "max_pool_backward", "avg_pool_forward", "avg_pool_backward",
         "global_avg_pool_forward", "global_avg_pool_backward", "global_max_pool_forward",
         "global_max_pool_backward", "relu_forward", "relu_backward", "leaky_relu_forward",
         "leaky_relu_backward", "prelu_forward", "prelu_backward", "elu_forward", "elu_backward",
         "selu_forward", "selu_backward"]
check = checker(TASKS)


def _forward(function, name, *args):
    """function(*args) on copies of the array arguments (it fails if they are changed in place)."""
    out, cache = returned(call(name, function, *args), name, ("out", "cache"))
    return as_array(out, "out", name), cache


def _tie_free(rng, shape):
    """Distinct values at least 0.05 apart, in random order."""
    n = int(np.prod(shape))
    return rng.permutation((np.arange(n) - n / 2) * 0.05 + rng.uniform(0, 0.01)).reshape(shape)


def _off_kink(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 3.0, size=shape)


def _unchanged(function, before, now):
    for name in before:
        if isinstance(before[name], dict):
            if before[name] != now[name]:
                fail(f"`{function}` changed its argument `{name}` ({now[name]}); read it, do not modify it.")
        else:
            unchanged(function, {name: before[name]}, {name: now[name]})


def _compare_gradient(function, name, mine, f, at, setting, derivation, batch=None):
    """Your gradient `mine` of the scalar f at `at` against central differences of f."""
    compare_gradient(function, name, mine, f, at, setting, derivation, numerical=numerical_gradient,
                     batch=batch, tolerance=TOLERANCE, h=H_STEP, seed=2025)


def _forward_first(check, forward, backward_name):
    dependency_first(check, (forward,), backward_name, forward.__name__ if hasattr(forward, "__name__")
                     else backward_name.replace("backward", "forward"), TASKS,
                     why="is checked with numerical gradients of")


# ------------------------------------------------------------------------------------ pooling

def _param(ph, pw, stride):
    return {"pool_height": ph, "pool_width": pw, "stride": stride}


def _pool_shapes(function, name):
    rng = np.random.default_rng(600)
    x = _tie_free(rng, (2, 3, 7, 5))
    for ph, pw, stride in ((2, 2, 2), (3, 3, 1), (3, 2, 2), (2, 1, 3)):
        param = _param(ph, pw, stride)
        before = {"x": x.copy(), "pool_param": dict(param)}
        out, _ = _forward(function, name, x, param)
        _unchanged(name, before, {"x": x, "pool_param": param})
        want = (2, 3, (7 - ph) // stride + 1, (5 - pw) // stride + 1)
        if out.shape != want:
            fail(f"{name} on x (2, 3, 7, 5) with {ph}×{pw} windows and stride {stride}: `out` has shape "
                  f"{out.shape}, it should be {want}: Ho = (H − pool_height) // stride + 1, floored "
                  f"like PyTorch when the stride does not divide (the last rows are in no window), "
                  f"and likewise Wo. Pooling keeps N and C.")


@check
def check_max_pool_forward(max_pool_forward, quiet=False):
    """Shapes (floored), a hand example, overlapping windows, channels kept apart."""
    name = "max_pool_forward"
    _pool_shapes(max_pool_forward, name)
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    out, _ = _forward(max_pool_forward, name, x, _param(2, 2, 2))
    if not np.array_equal(out, np.array([[[[5.0, 7.0], [13.0, 15.0]]]])):
        fail(f"{name} on x = 0..15 as a 4×4 image, 2×2 windows, stride 2: each window's largest value "
              f"is its bottom-right one, so out should be [[5, 7], [13, 15]]; yours is "
              f"{np.round(out.reshape(-1), 6).tolist()}.")
    out, _ = _forward(max_pool_forward, name, x[..., ::-1].copy(), _param(3, 3, 1))
    if not np.array_equal(out, np.array([[[[11.0, 10.0], [15.0, 14.0]]]])):
        fail(f"{name} on the 4×4 image 0..15 with its columns reversed, 3×3 windows, stride 1 (windows "
              f"overlap): out should be [[11, 10], [15, 14]]; yours is {np.round(out.reshape(-1), 6).tolist()}.")
    two = np.stack([x[0], -x[0]], axis=1)  # channel 1 is channel 0 negated
    out, _ = _forward(max_pool_forward, name, two, _param(2, 2, 2))
    if out.shape != (1, 2, 2, 2) or not np.array_equal(out[0, 1], np.array([[0.0, -2.0], [-8.0, -10.0]])):
        fail(f"{name}: with two channels, each channel is pooled on its own (the maximum runs over "
              f"the window's rows and columns only, not over channels or samples).")
    if not quiet:
        print("✓ max_pool_forward: floored shapes, the 0..15 example, overlapping windows and "
              "separate channels are right.")


def _check_pool_backward(kind, backward, forward, check_forward):
    name = f"{kind}_pool_backward"
    _forward_first(check_forward, forward, name)
    derivation = {
        "max": "δ[n, c, i, j] goes to the position of window (i, j)'s maximum, every other position of "
               "the window gets 0; where windows overlap, add up (course notes, part 0_2_5, eq. 5); unreached "
               "inputs get 0",
        "avg": "every position of window (i, j) gets δ[n, c, i, j] / (pool_height·pool_width); where "
               "windows overlap, add up (course notes, part 0_2_5, eq. 9); unreached inputs get 0",
    }[kind]
    settings = [((2, 2, 6, 6), (2, 2, 2)),    # tiling
                ((1, 2, 5, 6), (3, 3, 1)),    # overlapping, batch of 1
                ((2, 1, 7, 5), (2, 2, 2)),    # last row and column unreached
                ((2, 2, 6, 7), (2, 3, 3))]    # non-square windows, gaps
    for k, (shape, (ph, pw, stride)) in enumerate(settings):
        rng = np.random.default_rng(610 + k)
        x = _tie_free(rng, shape) if kind == "max" else rng.standard_normal(shape)
        param = _param(ph, pw, stride)
        out, cache = _forward(forward, f"{kind}_pool_forward", x, param)
        dout = rng.standard_normal(out.shape)
        given = Handed(x=x, dout=dout)
        _, cache = forward(given.x, param)
        dx = as_array(backward(given.dout, cache), "dx", name)
        given.check(name)
        setting = f"x {shape}, {ph}×{pw} windows, stride {stride}"
        _compare_gradient(name, "dx", dx,
                          lambda v: float(np.sum(_forward(forward, f"{kind}_pool_forward", v, param)[0] * dout)),
                          x, setting, derivation)


@check
def check_max_pool_backward(max_pool_backward, max_pool_forward):
    """Numerical gradients on tie-free inputs: tiling, overlapping, unreached rows, gaps."""
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    _forward_first(check_max_pool_forward, max_pool_forward, "max_pool_backward")
    _, cache = _forward(max_pool_forward, "max_pool_forward", x, _param(2, 2, 2))
    dx = as_array(max_pool_backward(np.ones((1, 1, 2, 2)), cache), "dx", "max_pool_backward")
    want = np.zeros((4, 4))
    want[1::2, 1::2] = 1.0
    if dx.shape != (1, 1, 4, 4) or not np.array_equal(dx[0, 0], want):
        fail("max_pool_backward on x = 0..15 as a 4×4 image, 2×2 windows, stride 2, dout = 1: only "
              "the window maxima 5, 7, 13, 15 influenced the output, so dx is 1 at their positions "
              "(rows 1 and 3, columns 1 and 3) and 0 elsewhere, shape (1, 1, 4, 4).")
    _check_pool_backward("max", max_pool_backward, max_pool_forward, check_max_pool_forward)
    print("✓ max_pool_backward: the 0..15 example and numerical gradients (tiling, overlapping "
          "windows, unreached rows and columns, gaps) are right.")


@check
def check_avg_pool_forward(avg_pool_forward, quiet=False):
    """Shapes (floored), a hand example, overlapping windows."""
    name = "avg_pool_forward"
    _pool_shapes(avg_pool_forward, name)
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    out, _ = _forward(avg_pool_forward, name, x, _param(2, 2, 2))
    if not np.allclose(out, np.array([[[[2.5, 4.5], [10.5, 12.5]]]]), rtol=1e-12, atol=1e-12):
        fail(f"{name} on x = 0..15 as a 4×4 image, 2×2 windows, stride 2: the first window holds "
              f"0, 1, 4, 5 with mean 2.5, so out should be [[2.5, 4.5], [10.5, 12.5]]; yours is "
              f"{np.round(out.reshape(-1), 6).tolist()}.")
    out, _ = _forward(avg_pool_forward, name, x, _param(3, 2, 1))
    if not np.allclose(out, np.array([[[[4.5, 5.5, 6.5], [8.5, 9.5, 10.5]]]]), rtol=1e-12, atol=1e-12):
        fail(f"{name} on the 4×4 image 0..15 with 3×2 windows, stride 1: the first window holds rows "
              f"0..2 and columns 0..1 (mean 4.5), so out should be [[4.5, 5.5, 6.5], [8.5, 9.5, 10.5]]; "
              f"yours is {np.round(out.reshape(-1), 6).tolist()}. pool_height counts rows, pool_width "
              f"columns.")
    if not quiet:
        print("✓ avg_pool_forward: floored shapes, the 0..15 examples (square and 3×2 windows) are right.")


@check
def check_avg_pool_backward(avg_pool_backward, avg_pool_forward):
    """Numerical gradients: tiling, overlapping, unreached rows, gaps."""
    _check_pool_backward("avg", avg_pool_backward, avg_pool_forward, check_avg_pool_forward)
    print("✓ avg_pool_backward: numerical gradients (tiling, overlapping windows, unreached rows "
          "and columns, gaps) are right.")


def _check_global_forward(kind, forward, quiet):
    name = f"global_{kind}_pool_forward"
    rng = np.random.default_rng(620)
    x = _tie_free(rng, (2, 3, 4, 5))
    before = {"x": x.copy()}
    out, _ = _forward(forward, name, x)
    _unchanged(name, before, {"x": x})
    if out.shape != (2, 3):
        fail(f"{name} on x (2, 3, 4, 5): `out` has shape {out.shape}; global pooling leaves one "
              f"number per sample and channel, shape (N, C) = (2, 3).")
    image = np.arange(12, dtype=np.float64).reshape(1, 1, 3, 4)
    out, _ = _forward(forward, name, np.concatenate([image, -image], axis=1))
    want = np.array([[5.5, -5.5]]) if kind == "avg" else np.array([[11.0, 0.0]])
    if not np.allclose(out, want, rtol=1e-12, atol=1e-12):
        what = "mean" if kind == "avg" else "largest value"
        fail(f"{name} on a 3×4 image 0..11 (channel 0) and its negative (channel 1): out should be "
              f"the {what} of each channel, {want.tolist()}; yours is {np.round(out, 6).tolist()}.")
    if not quiet:
        print(f"✓ {name}: shape (N, C) and the 0..11 example are right.")


def _check_global_backward(kind, backward, forward, check_forward):
    name = f"global_{kind}_pool_backward"
    _forward_first(check_forward, forward, name)
    derivation = {
        "avg": "every position of channel c gets δ[n, c] / (H·W), H and W of the input (course notes, eq. 12 "
               "writes H^l·Ŵ^(l-1) by mistake)",
        "max": "δ[n, c] goes to the position of channel c's maximum, every other position gets 0 (eq. 10)",
    }[kind]
    for k, shape in enumerate([(2, 3, 4, 5), (1, 2, 3, 1), (3, 1, 2, 2)]):
        rng = np.random.default_rng(630 + k)
        x = _tie_free(rng, shape) if kind == "max" else rng.standard_normal(shape)
        dout = rng.standard_normal(shape[:2])
        given = Handed(x=x, dout=dout)
        _, cache = returned(forward(given.x), f"global_{kind}_pool_forward", ("out", "cache"))
        dx = as_array(backward(given.dout, cache), "dx", name)
        given.check(name)
        _compare_gradient(name, "dx", dx,
                          lambda v: float(np.sum(_forward(forward, f"global_{kind}_pool_forward", v)[0] * dout)),
                          x, f"x {shape}", derivation, batch=None)
    print(f"✓ {name}: numerical gradients on three shapes (batch of 1, a single column) are right.")


@check
def check_global_avg_pool_forward(global_avg_pool_forward, quiet=False):
    _check_global_forward("avg", global_avg_pool_forward, quiet)


@check
def check_global_avg_pool_backward(global_avg_pool_backward, global_avg_pool_forward):
    _check_global_backward("avg", global_avg_pool_backward, global_avg_pool_forward, check_global_avg_pool_forward)


@check
def check_global_max_pool_forward(global_max_pool_forward, quiet=False):
    _check_global_forward("max", global_max_pool_forward, quiet)


@check
def check_global_max_pool_backward(global_max_pool_backward, global_max_pool_forward):
    _check_global_backward("max", global_max_pool_backward, global_max_pool_forward, check_global_max_pool_forward)


# -------------------------------------------------------------------------------- activations

Z = np.array([[-2.0, -0.5, 0.5, 3.0]])  # the points where forward values are checked


def _definition(name, alpha=None):
    """The activation's definition on Z, written out (eqs. 1, 3, 8, 10 of course notes, part 0_3)."""
    e = np.exp(Z)
    if name == "relu":
        return np.where(Z > 0, Z, 0.0)
    if name == "leaky_relu":
        return np.where(Z > 0, Z, alpha * Z)
    if name == "elu":
        return np.where(Z > 0, Z, alpha * (e - 1))
    return SELU_L * np.where(Z > 0, Z, SELU_A * (e - 1))


FORMULAS = {
    "relu": "ReLU(z) = z for z > 0, 0 otherwise (eq. 1)",
    "leaky_relu": "z for z > 0, alpha·z otherwise (eq. 3)",
    "elu": "z for z > 0, alpha·(exp(z) − 1) otherwise (eq. 8)",
    "selu": "λ·z for z > 0, λ·α·(exp(z) − 1) otherwise, λ = 1.0507009873554805, α = 1.6732632423543772 (eq. 10)",
}
DERIVATIVES = {
    "relu": "dx = dout where z > 0, 0 where z ≤ 0 (eq. 2)",
    "leaky_relu": "dx = dout where z > 0, alpha·dout where z ≤ 0 (eq. 4)",
    "elu": "dx = dout where z > 0, alpha·exp(z)·dout where z ≤ 0 (eq. 9)",
    "selu": "dx = λ·dout where z > 0, λ·α·exp(z)·dout where z ≤ 0 (eq. 11)",
}
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}


def _check_activation_forward(name, forward, quiet):
    fname = f"{name}_forward"
    calls = [((), None)]
    if name in DEFAULT_ALPHA:
        calls = [((), DEFAULT_ALPHA[name]), ((0.2,), 0.2)]
    for extra, alpha in calls:
        z = Z.copy()
        out, _ = _forward(forward, fname, z, *extra)
        _unchanged(fname, {"x": Z}, {"x": z})
        want = _definition(name, alpha)
        if out.shape != Z.shape or not np.allclose(out, want, rtol=1e-12, atol=1e-12):
            how = (f" with the default alpha = {alpha:g}" if alpha is not None and not extra else
                   f" with alpha = {alpha:g}" if alpha is not None else "")
            fail(f"{fname}({Z.tolist()}){how} should be {np.round(want, 8).tolist()} by the definition "
                  f"{FORMULAS[name]}; yours is {np.round(out, 8).tolist()}.")
    rng = np.random.default_rng(640)
    for shape in ((3, 2, 4, 5), (5, 2, 3)):
        out, _ = _forward(forward, fname, _off_kink(rng, shape))
        if out.shape != shape:
            fail(f"{fname} on an array of shape {shape} returned shape {out.shape}; an activation works "
                  f"elementwise on arrays of any shape.")
    if not quiet:
        print(f"✓ {fname}: the definition on {Z.tolist()[0]}"
              + (" (default and given alpha)" if name in DEFAULT_ALPHA else "")
              + " and shapes (NCHW, rank 3) are right.")


def _check_activation_backward(name, backward, forward, check_forward):
    bname = f"{name}_backward"
    _forward_first(check_forward, forward, bname)
    alphas = [()] if name not in DEFAULT_ALPHA else [(), (0.2,)]
    for k, shape in enumerate([(4, 5), (2, 3, 2, 3), (1, 6)]):
        for extra in alphas:
            rng = np.random.default_rng(650 + k)
            x, dout = _off_kink(rng, shape), rng.standard_normal(shape)
            given = Handed(x=x, dout=dout)
            _, cache = returned(forward(given.x, *extra), f"{name}_forward", ("out", "cache"))
            result = backward(given.dout, cache)
            if isinstance(result, (tuple, list)):
                fail(f"{bname} should return dx only (an array), not a tuple: this activation has no "
                      f"parameter to learn.")
            dx = as_array(result, "dx", bname)
            given.check(bname)
            setting = f"x {shape}" + (f", alpha = {extra[0]:g}" if extra else "")
            _compare_gradient(bname, "dx", dx,
                              lambda v: float(np.sum(_forward(forward, f"{name}_forward", v, *extra)[0] * dout)),
                              x, setting, DERIVATIVES[name] + ", with z the forward's input from your cache")
    print(f"✓ {bname}: numerical gradients on (N, D), NCHW and batch-of-1 inputs"
          + (" (default and given alpha)" if name in DEFAULT_ALPHA else "") + " are right.")


@check
def check_relu_forward(relu_forward, quiet=False):
    _check_activation_forward("relu", relu_forward, quiet)


@check
def check_relu_backward(relu_backward, relu_forward):
    _check_activation_backward("relu", relu_backward, relu_forward, check_relu_forward)


@check
def check_leaky_relu_forward(leaky_relu_forward, quiet=False):
    _check_activation_forward("leaky_relu", leaky_relu_forward, quiet)


@check
def check_leaky_relu_backward(leaky_relu_backward, leaky_relu_forward):
    _check_activation_backward("leaky_relu", leaky_relu_backward, leaky_relu_forward, check_leaky_relu_forward)


@check
def check_elu_forward(elu_forward, quiet=False):
    _check_activation_forward("elu", elu_forward, quiet)


@check
def check_elu_backward(elu_backward, elu_forward):
    _check_activation_backward("elu", elu_backward, elu_forward, check_elu_forward)


@check
def check_selu_forward(selu_forward, quiet=False):
    _check_activation_forward("selu", selu_forward, quiet)


@check
def check_selu_backward(selu_backward, selu_forward):
    _check_activation_backward("selu", selu_backward, selu_forward, check_selu_forward)


@check
def check_prelu_forward(prelu_forward, quiet=False):
    """Per-channel alpha along axis 1, for (N, D), NCHW and rank 3."""
    name = "prelu_forward"
    alpha = np.array([0.1, 0.25])
    x = np.array([[-2.0, -2.0], [3.0, -0.5]])
    before = {"x": x.copy(), "alpha": alpha.copy()}
    out, _ = _forward(prelu_forward, name, x, alpha)
    _unchanged(name, before, {"x": x, "alpha": alpha})
    want = np.array([[-0.2, -0.5], [3.0, -0.125]])
    if out.shape != x.shape or not np.allclose(out, want, rtol=1e-12, atol=1e-12):
        fail(f"{name}(x = {x.tolist()}, alpha = {alpha.tolist()}) should be {want.tolist()}: column d of "
              f"x (axis 1) uses alpha[d] where x ≤ 0 (eq. 5); yours is {np.round(out, 8).tolist()}.")
    rng = np.random.default_rng(660)
    for shape in ((2, 3, 4, 5), (3, 2, 6), (1, 4, 2, 2)):
        x = _off_kink(rng, shape)
        alpha = rng.uniform(0.05, 0.5, shape[1])
        out, _ = _forward(prelu_forward, name, x, alpha)
        wrong = out.shape != shape
        for c in range(shape[1]):  # channel by channel: the leaky ReLU with alpha[c]
            xc = x[:, c]
            wrong = wrong or not np.allclose(out[:, c], np.where(xc > 0, xc, alpha[c] * xc), rtol=1e-12, atol=1e-12)
        if wrong:
            fail(f"{name} on x of shape {shape} with alpha of shape {alpha.shape}: channel c (axis 1) "
                  f"must use alpha[c] at every position of that channel, for any rank ≥ 2 — reshape alpha "
                  f"to (1, C, 1, ...) so that it broadcasts along axis 1.")
    if not quiet:
        print("✓ prelu_forward: one alpha per channel along axis 1, for (N, D), NCHW and rank-3 inputs.")


@check
def check_prelu_backward(prelu_backward, prelu_forward):
    """Numerical gradients of dx and dalpha (summed over every axis but 1)."""
    name = "prelu_backward"
    _forward_first(check_prelu_forward, prelu_forward, name)
    for k, shape in enumerate([(4, 3), (2, 3, 2, 3), (3, 2, 5), (1, 4, 2, 2)]):
        rng = np.random.default_rng(670 + k)
        x, dout = _off_kink(rng, shape), rng.standard_normal(shape)
        alpha = rng.uniform(0.05, 0.5, shape[1])
        given = Handed(x=x, alpha=alpha, dout=dout)
        _, cache = returned(prelu_forward(given.x, given.alpha), "prelu_forward", ("out", "cache"))
        result = prelu_backward(given.dout, cache)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            fail(f"{name} should return the pair `(dx, dalpha)`: PReLU learns alpha, so the backward "
                  f"pass also gives its gradient.")
        dx, dalpha = as_array(result[0], "dx", name), as_array(result[1], "dalpha", name)
        given.check(name)
        setting = f"x {shape}, alpha {alpha.shape}"
        _compare_gradient(name, "dx", dx,
                          lambda v: float(np.sum(_forward(prelu_forward, "prelu_forward", v, alpha)[0] * dout)),
                          x, setting, "dx = dout where z > 0, alpha_c·dout where z ≤ 0 (eq. 6)")
        _compare_gradient(name, "dalpha", dalpha,
                          lambda v: float(np.sum(_forward(prelu_forward, "prelu_forward", x, v)[0] * dout)),
                          alpha, setting,
                          "dalpha_c = Σ dout·z over every position where z ≤ 0 that uses alpha_c — every "
                          "sample and every spatial position of channel c (eq. 7, summed over all axes but 1)",
                          batch=shape[0])
    print("✓ prelu_backward: dx and dalpha match numerical gradients for (N, D), NCHW, rank-3 and "
          "batch-of-1 inputs.")
