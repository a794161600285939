"""Hidden cases for 06_pooling_activations (course notes parts 0_2_5 and 0_3).

Pooling: NCHW inputs up to (3, 4, 9, 9); windows that tile, overlap, leave gaps, cover the whole
image, and strides that leave rows and columns unreached (floored output size). Inputs of the
max poolings are tie-free but hold near-ties: in about half of the windows the runner-up is only
1e-3 … 5e-2 below the maximum (``_inputs.near_ties``). Activations: about a third of the inputs sit
just either side of the kink at 0 (±1e-3, ±1e-2, ±5e-2; ``_inputs.off_kink``), none on it; shapes (N, D), NCHW, rank 3, batch 1; PReLU's
alpha has shape (C,) along axis 1. Every case is small enough for plain Python loops.
"""
from __future__ import annotations

import numpy as np

from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import forward_backward_calls, out_size, reference_case
from autograder.graders._inputs import near_ties, off_kink

SLUG = "06_pooling_activations"

# Sums and means of at most a few dozen O(1) numbers; exp of inputs in [-4, 4].
RTOL, ATOL = 1e-7, 1e-9

POOL_PARAM = 'pool_param = {"pool_height": int(ph), "pool_width": int(pw), "stride": int(stride)}\n'


def _pool_calls(kind: str) -> tuple[str, str]:
    return forward_backward_calls(f"{kind}_pool_forward(x, pool_param)", f"{kind}_pool_backward(dout, cache)",
                                  ("dx",), setup=POOL_PARAM)


def _global_calls(kind: str) -> tuple[str, str]:
    return forward_backward_calls(f"global_{kind}_pool_forward(x)", f"global_{kind}_pool_backward(dout, cache)",
                                  ("dx",))


def _activation_calls(name: str, with_alpha: bool) -> tuple[str, str]:
    args = "x, float(alpha)" if with_alpha else "x"
    return forward_backward_calls(f"{name}_forward({args})", f"{name}_backward(dout, cache)", ("dx",))


PRELU_FORWARD_CALL, PRELU_BACKWARD_CALL = forward_backward_calls("prelu_forward(x, alpha)",
                                                                 "prelu_backward(dout, cache)", ("dx", "dalpha"))


# (name, seed, shape, (pool_height, pool_width), stride)
POOLS = [
    ("2×2 windows, stride 2, tiling an 8×8 image (N=2, C=3)", 601, (2, 3, 8, 8), (2, 2), 2),
    ("overlapping 3×3 windows, stride 2, 7×9 image (N=2, C=2)", 602, (2, 2, 7, 9), (3, 3), 2),
    ("2×2 stride 2 on odd sizes 7×5: last row and column unreached, batch of 1 (C=3)", 603, (1, 3, 7, 5), (2, 2), 2),
    ("non-square 2×3 windows, stride 1 (N=3, C=2, 5×6)", 604, (3, 2, 5, 6), (2, 3), 1),
    ("3×2 windows, stride 3, 9×7 image: two columns unreached (N=2, C=4)", 605, (2, 4, 9, 7), (3, 2), 3),
    ("one window as large as the 4×5 image (N=2, C=2)", 606, (2, 2, 4, 5), (4, 5), 1),
    ("stride 3 larger than the 2×2 window: gaps (N=2, C=2, 8×8)", 607, (2, 2, 8, 8), (2, 2), 3),
    ("1×1 windows, stride 2: subsampling (N=2, C=2, 5×6)", 608, (2, 2, 5, 6), (1, 1), 2),
]

GLOBAL_SHAPES = [
    ("N=2, C=3, 4×5", 621, (2, 3, 4, 5)),
    ("batch of 1, non-square 7×3 (C=4)", 622, (1, 4, 7, 3)),
    ("one channel, a single row 1×6 (N=3)", 623, (3, 1, 1, 6)),
    ("9×9 images (N=2, C=2)", 624, (2, 2, 9, 9)),
    ("1×1 images: pooling is the identity (N=3, C=4)", 625, (3, 4, 1, 1)),
]

ACTIVATION_SHAPES = [
    ("a batch of vectors (N=4, D=5)", 641, (4, 5)),
    ("NCHW (2, 3, 4, 5)", 642, (2, 3, 4, 5)),
    ("batch of 1 (1, 7)", 643, (1, 7)),
    ("rank 3 (3, 2, 6)", 644, (3, 2, 6)),
]

PRELU_SHAPES = [
    ("x (N, D) = (4, 5), alpha (5,)", 661, (4, 5), (0.05, 0.5)),
    ("NCHW x (2, 3, 4, 5), alpha (3,)", 662, (2, 3, 4, 5), (0.05, 0.5)),
    ("rank 3 x (3, 2, 6), alpha (2,)", 663, (3, 2, 6), (0.05, 0.5)),
    ("batch of 1, NCHW (1, 4, 3, 3)", 664, (1, 4, 3, 3), (0.05, 0.5)),
    ("one channel (5, 1)", 665, (5, 1), (0.05, 0.5)),
    ("learned alphas of any sign and size, NCHW (2, 4, 2, 3)", 666, (2, 4, 2, 3), (-0.8, 1.5)),
]


def _pool_cases(kind: str, backward: bool, reference: dict) -> list:
    cases = []
    for name, seed, shape, (ph, pw), stride in POOLS:
        rng = np.random.default_rng(seed + (50 if backward else 0) + (0 if kind == "max" else 100))
        x = near_ties(rng, shape, ph, pw, stride) if kind == "max" else rng.standard_normal(shape)
        inputs = {"x": x, "ph": np.array(ph), "pw": np.array(pw), "stride": np.array(stride)}
        if backward:
            inputs["dout"] = rng.standard_normal(shape[:2] + (out_size(shape[2], ph, stride),
                                                             out_size(shape[3], pw, stride)))
        call = _pool_calls(kind)[backward]
        cases.append(reference_case(name, call, inputs, reference, RTOL, ATOL))
    return cases


def _global_cases(kind: str, backward: bool, reference: dict) -> list:
    cases = []
    for name, seed, shape in GLOBAL_SHAPES:
        rng = np.random.default_rng(seed + (50 if backward else 0) + (0 if kind == "max" else 100))
        x = near_ties(rng, shape, shape[2], shape[3], 1) if kind == "max" else rng.standard_normal(shape)
        inputs = {"x": x}
        if backward:
            inputs["dout"] = rng.standard_normal(shape[:2])
        call = _global_calls(kind)[backward]
        cases.append(reference_case(name, call, inputs, reference, RTOL, ATOL))
    return cases


def _activation_cases(name: str, backward: bool, reference: dict, alphas: tuple = (None,)) -> list:
    """One case per shape; ``alphas`` cycles over the shapes (None: the default alpha)."""
    cases = []
    for k, (title, seed, shape) in enumerate(ACTIVATION_SHAPES):
        rng = np.random.default_rng(seed + (50 if backward else 0) + 7 * len(name))
        alpha = alphas[k % len(alphas)]
        inputs = {"x": off_kink(rng, shape)}
        if backward:
            inputs["dout"] = rng.standard_normal(shape)
        if alpha is not None:
            inputs["alpha"] = np.array(alpha)
            title += f", alpha={alpha:g}"
        elif len(alphas) > 1:
            title += ", default alpha"
        call = _activation_calls(name, alpha is not None)[backward]
        cases.append(reference_case(title, call, inputs, reference, RTOL, ATOL))
    return cases


def _prelu_cases(backward: bool, reference: dict) -> list:
    cases = []
    for title, seed, shape, (low, high) in PRELU_SHAPES:
        rng = np.random.default_rng(seed + (50 if backward else 0))
        inputs = {"x": off_kink(rng, shape), "alpha": rng.uniform(low, high, shape[1])}
        if backward:
            inputs["dout"] = rng.standard_normal(shape)
        cases.append(reference_case(title, PRELU_BACKWARD_CALL if backward else PRELU_FORWARD_CALL,
                                    inputs, reference, RTOL, ATOL))
    return cases


POOL_SHAPE = ("The output is Ho = (H − pool_height) // stride + 1 high (floored: rows no window "
              "reaches are dropped) and Wo = (W − pool_width) // stride + 1 wide; window (i, j) "
              "starts at row i·stride and column j·stride.")


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checking.py", "checks.py", "gradient_check.py"),
    tasks=[
        TaskSpec("max_pool_forward", 1,
                 "out[n, c, i, j] is the largest value of the window x[n, c, i·s : i·s + PH, j·s : j·s + PW] "
                 "(course notes, part 0_2_5, eq. 1), per sample and channel. " + POOL_SHAPE,
                 cases=lambda reference: _pool_cases("max", False, reference)),
        TaskSpec("max_pool_backward", 2,
                 "Only the maximum of each window influenced the output, so δ[n, c, i, j] goes to the "
                 "position of that window's maximum and every other position gets nothing (eq. 5). When "
                 "windows overlap, one input can be the maximum of several windows: add their δ's (+=, "
                 "not =). Inputs no window reaches get 0; dx has the shape of x.",
                 cases=lambda reference: _pool_cases("max", True, reference)),
        TaskSpec("avg_pool_forward", 1,
                 "out[n, c, i, j] is the mean of the window x[n, c, i·s : i·s + PH, j·s : j·s + PW] (eq. 2). "
                 + POOL_SHAPE,
                 cases=lambda reference: _pool_cases("avg", False, reference)),
        TaskSpec("avg_pool_backward", 2,
                 "Each input of a window contributed 1/(PH·PW) of its mean, so every position of window "
                 "(i, j) receives δ[n, c, i, j] / (PH·PW) (eq. 9); overlapping windows add up, unreached "
                 "inputs get 0.",
                 cases=lambda reference: _pool_cases("avg", True, reference)),
        TaskSpec("global_avg_pool_forward", 1,
                 "out[n, c] is the mean of channel c of sample n over all H·W positions (eq. 4); the "
                 "output has shape (N, C).",
                 cases=lambda reference: _global_cases("avg", False, reference)),
        TaskSpec("global_avg_pool_backward", 1,
                 "Every position of channel c gets δ[n, c] / (H·W), with H and W of the INPUT (the course "
                 "notes' eq. 12, part 0_2_5, has a typo here); dx has the shape (N, C, H, W) of x.",
                 cases=lambda reference: _global_cases("avg", True, reference)),
        TaskSpec("global_max_pool_forward", 1,
                 "out[n, c] is the largest value of channel c of sample n (eq. 3); shape (N, C).",
                 cases=lambda reference: _global_cases("max", False, reference)),
        TaskSpec("global_max_pool_backward", 1,
                 "δ[n, c] goes to the position of channel c's maximum in sample n; every other position "
                 "gets 0 (eq. 10). dx has the shape of x.",
                 cases=lambda reference: _global_cases("max", True, reference)),
        TaskSpec("relu_forward", 1,
                 "ReLU(z) = z where z > 0, 0 elsewhere (eq. 1), elementwise, for an array of any shape.",
                 cases=lambda reference: _activation_cases("relu", False, reference)),
        TaskSpec("relu_backward", 1,
                 "dx = dout where the forward's input was > 0, and 0 elsewhere (eq. 2); use the input kept "
                 "in your cache, not dout's sign.",
                 cases=lambda reference: _activation_cases("relu", True, reference)),
        TaskSpec("leaky_relu_forward", 1,
                 "z where z > 0, alpha·z elsewhere (eq. 3), with the alpha passed in; the default is "
                 "alpha = 0.01 (the course notes' formula, part 0_3, uses 0.1 as an example).",
                 cases=lambda reference: _activation_cases("leaky_relu", False, reference, (None, 0.1, 0.3, None))),
        TaskSpec("leaky_relu_backward", 1,
                 "dx = dout where z > 0 and alpha·dout elsewhere (eq. 4), with the alpha of the forward "
                 "call (keep it in the cache). Return dx only.",
                 cases=lambda reference: _activation_cases("leaky_relu", True, reference, (None, 0.1, 0.3, None))),
        TaskSpec("prelu_forward", 1,
                 "Like leaky ReLU, with one learned alpha per channel: alpha has shape (C,) and runs along "
                 "axis 1 of x, for x (N, D) as for NCHW or any rank ≥ 2 — reshape it to (1, C, 1, ...) to "
                 "broadcast.",
                 cases=lambda reference: _prelu_cases(False, reference)),
        TaskSpec("prelu_backward", 2,
                 "dx = dout where z > 0 and alpha_c·dout elsewhere (eq. 6). dalpha_c = Σ dout·z over the "
                 "positions of channel c where z ≤ 0 (eq. 7): every sample and every spatial position "
                 "that shares alpha_c adds its part, so sum over all axes except axis 1; dalpha has "
                 "alpha's shape (C,).",
                 cases=lambda reference: _prelu_cases(True, reference)),
        TaskSpec("elu_forward", 1,
                 "z where z > 0, alpha·(exp(z) − 1) elsewhere (eq. 8), default alpha = 1.0 (the ELU paper; "
                 "the course notes' formula, part 0_3, shows 0.1 as an example).",
                 cases=lambda reference: _activation_cases("elu", False, reference, (None, 0.5, 0.1, 2.0))),
        TaskSpec("elu_backward", 1,
                 "dx = dout where z > 0 and alpha·exp(z)·dout elsewhere (eq. 9) — which equals "
                 "(out + alpha)·dout there. Use the alpha of the forward call; return dx only.",
                 cases=lambda reference: _activation_cases("elu", True, reference, (None, 0.5, 0.1, 2.0))),
        TaskSpec("selu_forward", 1,
                 "λ·z where z > 0, λ·α·(exp(z) − 1) elsewhere (eq. 10), with the fixed constants "
                 "λ = 1.0507009873554805 and α = 1.6732632423543772 (not the rounded 1.0507 / 1.673).",
                 cases=lambda reference: _activation_cases("selu", False, reference)),
        TaskSpec("selu_backward", 1,
                 "dx = λ·dout where z > 0 and λ·α·exp(z)·dout elsewhere (eq. 11): λ multiplies both "
                 "branches.",
                 cases=lambda reference: _activation_cases("selu", True, reference)),
    ])
