"""Hidden cases for 01_fc_layer: fc_forward, fc_backward, sgd_step (course notes 全连接层的推导)."""
from __future__ import annotations

import numpy as np

from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import forward_backward_calls, reference_case

SLUG = "01_fc_layer"

# Sums of a handful of O(1) products: float64 round-off is ~1e-15, any real mistake is O(1).
RTOL, ATOL = 1e-7, 1e-10

# The course notes' worked example (x = 1..10 as 2×5, its printed w, b = 0, upstream gradient 0..1 step 0.2).
SEED_X = np.arange(1, 11, dtype=np.float64).reshape(2, 5)
SEED_W = np.array([
    [-2.02246258e-04, -2.86134686e-05, 5.67536552e-05],
    [-2.65147732e-05, 3.46693399e-05, -4.84865213e-05],
    [-8.56741462e-05, -1.36582254e-04, -1.63278178e-04],
    [7.67300884e-05, 4.15051110e-05, 3.05435127e-05],
    [2.03954211e-05, 7.60062287e-05, -2.58280679e-04],
])
SEED_DOUT = np.arange(0, 1.2, 0.2).reshape(2, 3)

# (name, seed, N, D, M): batch of 1, D = 1, M = 1, odd and non-square sizes, a square w.
SHAPES = [
    ("batch of 4, D=5, M=3", 11, 4, 5, 3),
    ("batch of 1 (N=1, D=7, M=4)", 12, 1, 7, 4),
    ("one input feature (N=6, D=1, M=5)", 13, 6, 1, 5),
    ("one output unit (N=5, D=3, M=1)", 14, 5, 3, 1),
    ("odd sizes (N=7, D=9, M=11)", 15, 7, 9, 11),
    ("square w (N=3, D=6, M=6)", 16, 3, 6, 6),
]

FORWARD_CALL, BACKWARD_CALL = forward_backward_calls("fc_forward(x, w, b)", "fc_backward(dout, cache)",
                                                     ("dx", "dw", "db"))

SGD_CALL = """\
new_param = sgd_step(param, grad, float(lr))
result = {"new_param": new_param}
"""


def _layer_inputs(seed: int, N: int, D: int, M: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal((N, D)),
        "w": rng.standard_normal((D, M)),
        "b": rng.standard_normal(M),
        "dout": rng.standard_normal((N, M)),
    }


def _forward_cases(reference: dict) -> list:
    cases = []
    for name, seed, N, D, M in SHAPES:
        inputs = _layer_inputs(seed, N, D, M)
        del inputs["dout"]
        cases.append(reference_case(name, FORWARD_CALL, inputs, reference, RTOL, ATOL))
    cases.append(reference_case("the course notes' worked example (全连接层的推导)", FORWARD_CALL,
                                {"x": SEED_X, "w": SEED_W, "b": np.zeros(3)}, reference, RTOL, ATOL))
    return cases


def _backward_cases(reference: dict) -> list:
    cases = [reference_case(name, BACKWARD_CALL, _layer_inputs(seed, N, D, M), reference, RTOL, ATOL)
             for name, seed, N, D, M in SHAPES]
    cases.append(reference_case("the course notes' worked example (全连接层的推导)", BACKWARD_CALL,
                                {"x": SEED_X, "w": SEED_W, "b": np.zeros(3), "dout": SEED_DOUT},
                                reference, RTOL, ATOL))
    return cases


def _sgd_cases(reference: dict) -> list:
    specs = [
        ("weights (5, 3), lr 0.01", 21, (5, 3), 0.01),
        ("bias (4,), lr 0.1", 22, (4,), 0.1),
        ("one entry (1, 1), lr 1.0", 23, (1, 1), 1.0),
        ("odd shape (7, 9), lr 0.003", 24, (7, 9), 0.003),
        ("3-d parameter (2, 3, 5), lr 0.5", 25, (2, 3, 5), 0.5),
    ]
    cases = []
    for name, seed, shape, lr in specs:
        rng = np.random.default_rng(seed)
        inputs = {"param": rng.standard_normal(shape), "grad": rng.standard_normal(shape),
                  "lr": np.array(lr)}
        cases.append(reference_case(name, SGD_CALL, inputs, reference, RTOL, ATOL))
    cases.append(reference_case("the course notes' worked example (全连接层的推导), one step of W", SGD_CALL,
                                {"param": SEED_W, "grad": SEED_X.T.dot(SEED_DOUT), "lr": np.array(0.01)},
                                reference, RTOL, ATOL))
    return cases


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checking.py", "checks.py", "gradient_check.py"),
    tasks=[
        TaskSpec("fc_forward", 3,
                 "Each output row is that sample's input row times w, plus the bias (偏置) b added to "
                 "every row: out = x·w + b, shape (N, M). Keep the batch axis when N = 1, and put in the "
                 "cache what fc_backward will need.",
                 cases=_forward_cases),
        TaskSpec("fc_backward", 4,
                 "Follow section 2 of the derivation: dx = dout·wᵀ (shape of x), dw = xᵀ·dout (shape of "
                 "w, summed over the batch), db sums dout over the batch (axis 0, the course notes' cᵀ·Top_diff). "
                 "Each gradient is the transposed coefficient matrix times Top_diff, and has the shape of "
                 "what it is the gradient of.",
                 cases=_backward_cases),
        TaskSpec("sgd_step", 1,
                 "One step of gradient descent moves the parameter against its gradient: param − lr·grad, "
                 "for a parameter of any shape, returned as a new array (param itself stays unchanged).",
                 cases=_sgd_cases),
    ])
