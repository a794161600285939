"""Hidden cases for 05_conv_backward (course notes parts 0_2_1 … 0_2_4).

Every case is small (N ≤ 3, C, F ≤ 4, H, W ≤ 9) so that a correct answer written with plain
Python loops finishes each case in well under a second; the vectorised reference takes
milliseconds. Shapes cover batch 1, C ≠ F, non-square inputs and kernels, 1×1 kernels, kernels
as large as the (padded) input, strides that do not divide the input (the output size floors;
the rows and columns no window reaches get zero gradient) and strides larger than the kernel.
"""
from __future__ import annotations

import numpy as np

from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import forward_backward_calls, out_size, reference_case

SLUG = "05_conv_backward"

# Sums of at most a few hundred O(1) products: float64 round-off is ~1e-14, a real mistake is O(1).
# The absolute part covers the gradients that are exactly 0 (rows no window reaches).
RTOL, ATOL = 1e-7, 1e-9

FORWARD_CALL, BACKWARD_CALL = forward_backward_calls("conv_forward(x, w, b, int(stride), int(pad))",
                                                     "conv_backward(dout, cache)", ("dx", "dw", "db"))

SINGLE_CALL = """\
dx, dw, db = conv_backward_single_channel(dout, x, w)
result = {"dx": dx, "dw": dw, "db": np.squeeze(np.asarray(db, dtype=np.float64))}
"""

MULTI_CALL = """\
dx, dw, db = conv_backward_multi_channel(dout, x, w)
result = {"dx": dx, "dw": dw, "db": db}
"""

STRIDED_CALL = """\
dx, dw, db = conv_backward_strided(dout, x, w, int(stride))
result = {"dx": dx, "dw": dw, "db": db}
"""


def _conv_inputs(seed: int, N: int, C: int, H: int, W: int, F: int, KH: int, KW: int,
                 stride: int = 1, pad: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    Ho, Wo = out_size(H, KH, stride, pad), out_size(W, KW, stride, pad)
    return {
        "x": rng.standard_normal((N, C, H, W)),
        "w": rng.standard_normal((F, C, KH, KW)),
        "b": rng.standard_normal(F),
        "dout": rng.standard_normal((N, F, Ho, Wo)),
        "stride": np.array(stride),
        "pad": np.array(pad),
    }


def _only(inputs: dict[str, np.ndarray], *names: str) -> dict[str, np.ndarray]:
    return {k: inputs[k] for k in names}


# (name, seed, N, C, H, W, F, KH, KW, stride, pad) for conv_forward and conv_backward
GENERAL = [
    ("stride 1, no padding (N=2, C=3, 7×7, F=4, 3×3 kernel)", 501, 2, 3, 7, 7, 4, 3, 3, 1, 0),
    ("'same' padding: stride 1, pad 1 (N=2, C=2, 6×8, F=3, 3×3)", 502, 2, 2, 6, 8, 3, 3, 3, 1, 1),
    ("stride 2, pad 1, batch of 1 (N=1, C=3, 7×7, F=2, 3×3)", 503, 1, 3, 7, 7, 2, 3, 3, 2, 1),
    ("stride 2 does not divide, pad 2, non-square input and kernel (N=2, C=2, 8×9, F=3, 3×2)",
     504, 2, 2, 8, 9, 3, 3, 2, 2, 2),
    ("stride 3, pad 1, floored in both directions (N=1, C=4, 8×8, F=1, 2×3)", 505, 1, 4, 8, 8, 1, 2, 3, 3, 1),
    ("1×1 kernel with pad 2: outputs that see only padding (N=3, C=2, 5×4, F=3)", 506, 3, 2, 5, 4, 3, 1, 1, 1, 2),
    ("pad larger than the kernel, stride 2 (N=2, C=1, 6×5, F=4, 2×2, pad 3)", 507, 2, 1, 6, 5, 4, 2, 2, 2, 3),
    ("kernel as large as the padded input: 1×1 output (N=2, C=3, 5×4, F=2, 7×6, pad 1)",
     508, 2, 3, 5, 4, 2, 7, 6, 1, 1),
]

# (name, seed, H, W, KH, KW) for one image, one channel, one filter
SINGLE = [
    ("the course notes' example size (part 0_2_1): 5×5 input, 3×3 kernel", 511, 5, 5, 3, 3),
    ("non-square input and kernel: 6×9 input, 2×4 kernel", 512, 6, 9, 2, 4),
    ("1×1 kernel (7×5 input)", 513, 7, 5, 1, 1),
    ("kernel as large as the input: 1×1 output (4×6)", 514, 4, 6, 4, 6),
    ("a column kernel 3×1 on a 7×4 input", 515, 7, 4, 3, 1),
    ("odd sizes, even kernel height: 9×7 input, 4×3 kernel", 516, 9, 7, 4, 3),
]

# (name, seed, N, C, H, W, F, KH, KW)
MULTI = [
    ("N=2, C=3, 7×7, F=4, 3×3 kernel", 521, 2, 3, 7, 7, 4, 3, 3),
    ("batch of 1, non-square input and kernel (N=1, C=2, 6×9, F=3, 3×2)", 522, 1, 2, 6, 9, 3, 3, 2),
    ("four input channels, one filter (N=2, C=4, 5×6, F=1, 2×2)", 523, 2, 4, 5, 6, 1, 2, 2),
    ("one input channel, four filters (N=3, C=1, 6×5, F=4, 3×3)", 524, 3, 1, 6, 5, 4, 3, 3),
    ("1×1 kernel (N=3, C=3, 4×5, F=2)", 525, 3, 3, 4, 5, 2, 1, 1),
    ("kernel as large as the input: 1×1 output (N=2, C=2, 4×3, F=3, 4×3)", 526, 2, 2, 4, 3, 3, 4, 3),
]

# (name, seed, N, C, H, W, F, KH, KW, stride)
STRIDED = [
    ("stride 1 (N=2, C=2, 6×6, F=3, 3×3)", 531, 2, 2, 6, 6, 3, 3, 3, 1),
    ("stride 2 that divides: 7×7 input, 3×3 kernel (N=2, C=3, F=2)", 532, 2, 3, 7, 7, 2, 3, 3, 2),
    ("stride 2 that does not divide the height: 8×9 input, 3×3 kernel (N=1, C=2, F=4)",
     533, 1, 2, 8, 9, 4, 3, 3, 2),
    ("stride 3, divides neither: 9×8 input, 2×3 kernel (N=2, C=3, F=2)", 534, 2, 3, 9, 8, 2, 2, 3, 3),
    ("stride larger than the kernel: 8×8 input, 2×2 kernel, stride 3 (N=2, C=1, F=3)", 535, 2, 1, 8, 8, 3, 2, 2, 3),
    ("batch of 1, non-square kernel 3×2, stride 2, 7×6 input (C=4, F=3)", 536, 1, 4, 7, 6, 3, 3, 2, 2),
    ("stride 4 leaves a 1×1 output: 5×6 input, 3×3 kernel (N=3, C=2, F=2)", 537, 3, 2, 5, 6, 2, 3, 3, 4),
]


def _forward_cases(reference: dict) -> list:
    cases = []
    for name, seed, N, C, H, W, F, KH, KW, stride, pad in GENERAL:
        inputs = _only(_conv_inputs(seed, N, C, H, W, F, KH, KW, stride, pad), "x", "w", "b", "stride", "pad")
        cases.append(reference_case(name, FORWARD_CALL, inputs, reference, RTOL, ATOL))
    return cases


def _single_cases(reference: dict) -> list:
    cases = []
    for name, seed, H, W, KH, KW in SINGLE:
        rng = np.random.default_rng(seed)
        inputs = {"x": rng.standard_normal((H, W)), "w": rng.standard_normal((KH, KW)),
                  "dout": rng.standard_normal((H - KH + 1, W - KW + 1))}
        cases.append(reference_case(name, SINGLE_CALL, inputs, reference, RTOL, ATOL))
    return cases


def _multi_cases(reference: dict) -> list:
    cases = []
    for name, seed, N, C, H, W, F, KH, KW in MULTI:
        inputs = _only(_conv_inputs(seed, N, C, H, W, F, KH, KW), "x", "w", "dout")
        cases.append(reference_case(name, MULTI_CALL, inputs, reference, RTOL, ATOL))
    return cases


def _strided_cases(reference: dict) -> list:
    cases = []
    for name, seed, N, C, H, W, F, KH, KW, stride in STRIDED:
        inputs = _only(_conv_inputs(seed, N, C, H, W, F, KH, KW, stride), "x", "w", "dout", "stride")
        cases.append(reference_case(name, STRIDED_CALL, inputs, reference, RTOL, ATOL))
    return cases


def _backward_cases(reference: dict) -> list:
    cases = []
    for name, seed, N, C, H, W, F, KH, KW, stride, pad in GENERAL:
        inputs = _conv_inputs(seed + 100, N, C, H, W, F, KH, KW, stride, pad)
        cases.append(reference_case(name, BACKWARD_CALL, inputs, reference, RTOL, ATOL))
    return cases


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checking.py", "checks.py", "gradient_check.py"),
    tasks=[
        TaskSpec("conv_forward", 2,
                 "out[n, f, i, j] = Σ_c Σ_m Σ_n' w[f, c, m, n'] · xp[n, c, i·stride + m, j·stride + n'] + b[f], "
                 "where xp is x with `pad` zeros on each side of H and W. This is a correlation (the kernel is "
                 "not flipped in the forward pass). The output is Ho = (H + 2·pad − KH) // stride + 1 high "
                 "(floored) and likewise wide, shape (N, F, Ho, Wo).",
                 cases=_forward_cases),
        TaskSpec("conv_backward_single_channel", 2,
                 "Course notes, part 0_2_1: dw[m, n] = Σ_i Σ_j δ[i, j] · x[i + m, j + n] (x correlated with δ, eq. 5); db is "
                 "the sum of δ as one float (eq. 6); dx is δ padded with KH − 1 rows and KW − 1 columns of "
                 "zeros on every side, correlated with the kernel rotated by 180° (w[::-1, ::-1], eq. 16). "
                 "dx has the shape of x, dw the shape of w.",
                 cases=_single_cases),
        TaskSpec("conv_backward_multi_channel", 3,
                 "Course notes, part 0_2_2: every output channel f is connected to every input channel c. "
                 "dw[f, c] = Σ_n (x[n, c] correlated with δ[n, f]) (eq. 5, summed over the batch); "
                 "db[f] = Σ over n, i, j of δ[n, f, i, j]; dx[n, c] = Σ_f (padded δ[n, f] correlated with "
                 "rot180(w[f, c])) (eq. 8) — sum over the output channels f, not the input channels.",
                 cases=_multi_cases),
        TaskSpec("conv_backward_strided", 3,
                 "Course notes, part 0_2_3: window (i, j) starts at row i·stride, so dw[f, c, m, n] = Σ δ[n', f, i, j] · "
                 "x[n', c, i·stride + m, j·stride + n]. For dx, insert stride − 1 zeros between the rows and "
                 "between the columns of δ, then proceed as for stride 1. When the stride does not divide "
                 "H − KH, the output size is floored and the last rows (columns) of x are in no window: their "
                 "gradient is 0, and dx must still have the full shape of x.",
                 cases=_strided_cases),
        TaskSpec("conv_backward", 3,
                 "Course notes, part 0_2_4: the padded input xp is what the kernel really slides over, so compute the "
                 "strided backward with respect to xp (dw and db from xp and δ, dxp from the zero-inserted, "
                 "padded δ and the rotated kernel), then remove the padding: dx = dxp[:, :, pad:pad + H, "
                 "pad:pad + W] (beware: xp[p:-p] is empty when p = 0). Use what your own conv_forward "
                 "put in the cache (x, w, stride, pad).",
                 cases=_backward_cases),
    ])
