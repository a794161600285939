"""Hidden cases for 09_cnn: Conv2D, MaxPool2D, Flatten (against the reference, backward with the
student's own forward state) and train_cnn (by outcome on held-out data the kernel never sees);
course notes parts 2_1 … 2_3.

The training cases are built by ``autograder/heldout.py``, as for 08_mlp: the kernel trains on the
shipped slice and returns the trained layers; the grader evaluates them with its own forward pass
on transformed held-out images whose labels stay in the grader.
"""
from __future__ import annotations

import numpy as np

from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import out_size, reference_case
from autograder.graders._inputs import near_ties
from autograder.heldout import HELD_OUT_IMAGES, IMAGE_FILES, training_cases

SLUG = "09_cnn"

# Sums of at most a few hundred O(1) products in float64: round-off ~1e-14; a real mistake is O(1).
RTOL, ATOL = 1e-7, 1e-10

# ---------------------------------------------------------------------------------------------- Conv2D

CONV_FORWARD_CALL = """\
layer = Conv2D(int(C), int(F), (int(KH), int(KW)), stride=int(stride), pad=int(pad), rng=np.random.default_rng(0))
layer.params["w"][...] = w
layer.params["b"][...] = b
result = {"out": layer.forward(x)}
"""

CONV_BACKWARD_CALL = """\
layer = Conv2D(int(C), int(F), (int(KH), int(KW)), stride=int(stride), pad=int(pad), rng=np.random.default_rng(0))
layer.params["w"][...] = w
layer.params["b"][...] = b
layer.forward(x)
dx = layer.backward(dout)
result = {"dx": dx, "dw": layer.grads["w"], "db": layer.grads["b"]}
"""

# (name, seed, (N, C, H, W), F, (KH, KW), stride, pad); small enough for loops, every stride 1-3
# and pad 0-2, square and non-square images and kernels, windows that do not tile the input.
CONV_SETTINGS = [
    ("3×3, stride 1, pad 1 (the CNN's layers); x (2, 3, 8, 8), 4 filters", 901, (2, 3, 8, 8), 4, (3, 3), 1, 1),
    ("a batch of one, one channel, non-square image (1, 1, 6, 9), 3×3, stride 1, pad 0", 902, (1, 1, 6, 9), 2, (3, 3), 1, 0),
    ("stride 2, odd size: x (3, 2, 7, 7), 3×3, pad 0", 903, (3, 2, 7, 7), 3, (3, 3), 2, 0),
    ("non-square kernel 2×3, stride 2, pad 1; x (2, 3, 9, 7)", 904, (2, 3, 9, 7), 2, (2, 3), 2, 1),
    ("5×5, stride 3, pad 2, windows that do not tile the input; x (2, 2, 10, 11)", 905, (2, 2, 10, 11), 3, (5, 5), 3, 2),
    ("1×1 kernel, one filter, stride 1, pad 2; x (2, 4, 5, 5)", 906, (2, 4, 5, 5), 1, (1, 1), 1, 2),
    ("a kernel as large as the image, pad 0; x (3, 2, 4, 4)", 907, (3, 2, 4, 4), 2, (4, 4), 1, 0),
    ("stride 3, pad 1, a tall kernel 4×2; x (1, 3, 11, 8)", 908, (1, 3, 11, 8), 2, (4, 2), 3, 1),
]


def _conv_inputs(seed, shape, F, kernel, stride, pad, backward):
    rng = np.random.default_rng(seed)
    N, C, H, W = shape
    KH, KW = kernel
    inputs = {"x": rng.standard_normal(shape), "w": rng.standard_normal((F, C, KH, KW)),
              "b": rng.standard_normal(F), "C": np.array(C), "F": np.array(F), "KH": np.array(KH),
              "KW": np.array(KW), "stride": np.array(stride), "pad": np.array(pad)}
    if backward:
        inputs["dout"] = rng.standard_normal((N, F, out_size(H, KH, stride, pad), out_size(W, KW, stride, pad)))
    return inputs


def _conv_cases(reference):
    cases = []
    for backward in (False, True):
        for name, seed, shape, F, kernel, stride, pad in CONV_SETTINGS:
            inputs = _conv_inputs(seed + 100 * backward, shape, F, kernel, stride, pad, backward)
            cases.append(reference_case(f"{'backward' if backward else 'forward'}: {name}",
                                        CONV_BACKWARD_CALL if backward else CONV_FORWARD_CALL,
                                        inputs, reference, RTOL, ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- MaxPool2D

POOL_FORWARD_CALL = """\
layer = MaxPool2D(int(pool), int(stride))
result = {"out": layer.forward(x)}
"""

POOL_BACKWARD_CALL = """\
layer = MaxPool2D(int(pool), int(stride))
layer.forward(x)
result = {"dx": layer.backward(dout)}
"""

POOL_SETTINGS = [  # (name, seed, shape, pool, stride)
    ("2×2, stride 2 (the CNN's); x (2, 3, 8, 8)", 931, (2, 3, 8, 8), 2, 2),
    ("a batch of one, odd non-square image (1, 1, 7, 9): the last row and column are left out", 932, (1, 1, 7, 9), 2, 2),
    ("overlapping 3×3 windows, stride 2; x (2, 2, 9, 7)", 933, (2, 2, 9, 7), 3, 2),
    ("overlapping 2×2 windows, stride 1; x (1, 2, 5, 6)", 934, (1, 2, 5, 6), 2, 1),
    ("3×3, stride 3; x (2, 1, 9, 10)", 935, (2, 1, 9, 10), 3, 3),
    ("2×2, stride 3, gaps between the windows; x (2, 2, 8, 7)", 936, (2, 2, 8, 7), 2, 3),
]


def _pool_cases(reference):
    cases = []
    for backward in (False, True):
        for name, seed, shape, pool, stride in POOL_SETTINGS:
            rng = np.random.default_rng(seed + 100 * backward)
            x = near_ties(rng, shape, pool, pool, stride)  # tie-free, but runner-ups 1e-3 … 5e-2 below the maximum
            inputs = {"x": x, "pool": np.array(pool), "stride": np.array(stride)}
            if backward:
                N, C, H, W = shape
                inputs["dout"] = rng.standard_normal((N, C, out_size(H, pool, stride), out_size(W, pool, stride)))
            cases.append(reference_case(f"{'backward' if backward else 'forward'}: {name}",
                                        POOL_BACKWARD_CALL if backward else POOL_FORWARD_CALL,
                                        inputs, reference, RTOL, ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- Flatten

FLATTEN_CALL = """\
layer = Flatten()
out = layer.forward(x)
result = {"out": out, "dx": layer.backward(dout)}
"""


def _flatten_cases(reference):
    cases = []
    for k, shape in enumerate([(2, 3, 4, 5), (1, 1, 1, 1), (3, 32, 7, 7), (4, 6), (2, 3, 5)]):
        rng = np.random.default_rng(950 + k)
        inputs = {"x": rng.standard_normal(shape), "dout": rng.standard_normal((shape[0], int(np.prod(shape[1:]))))}
        cases.append(reference_case(f"x of shape {shape}: forward and backward", FLATTEN_CALL, inputs, reference,
                                    RTOL, ATOL))
    return cases


# ---------------------------------------------------------------------------------------------- train_cnn

# (n training images, seed, epochs, threshold). The grader evaluates the exported layers on 2000
# transformed held-out images (autograder/heldout.py). Measured (one core): the reference reaches
# 76.9% with 2000 images, 3 epochs, seed 1 (76.4-78.8% over seeds 1-3; 79.2% on the same images
# untransformed; 3-6 s of training) and 82.6% with 6000 images, 3 epochs, seed 2 (81.0-82.6% over
# seeds 1-3; 85.6% untransformed); the demo student ben (SGD with momentum, a smaller net) 75.5% and
# 79.2%. The grader's own forward pass takes about 0.1 s.
TRAINING_RUNS = [(2000, 1, 3, 0.68), (6000, 2, 3, 0.74)]
TRAINING_LAYERS = ("Conv2D", "ReLU", "MaxPool2D", "Flatten", "Linear")


def _training_cases(reference):
    return training_cases("train_cnn", TRAINING_RUNS, "images", TRAINING_LAYERS,
                          "the list of the trained layers (Conv2D, ReLU, MaxPool2D, Flatten, Linear), input first")


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checking.py", "checks.py", "gradient_check.py", *IMAGE_FILES),
    grading_data=(HELD_OUT_IMAGES,),
    tasks=[
        TaskSpec("Conv2D", 5,
                 "forward: pad x into xp, build every window as a column (as_strided view of shape (N, C, KH, KW, Ho, Wo) "
                 "with strides (sN, sC, sH, sW, stride·sH, stride·sW), reshaped to (N, C·KH·KW, Ho·Wo)), out = "
                 "w.reshape(F, -1) @ cols + b[:, None], reshaped to (N, F, Ho, Wo). backward: db = dout summed over n, r, "
                 "q; dw = Σ_n dout_n·cols_nᵀ reshaped to w's shape; dcols = w_matᵀ·dout, added back into a zero padded "
                 "input one kernel offset (i, j) at a time (strided slices), padding dropped.",
                 cases=_conv_cases),
        TaskSpec("MaxPool2D", 3,
                 "Window (r, q) covers rows r·stride … r·stride + pool − 1 (and the same for columns); Ho = (H − pool) // "
                 "stride + 1, so rows past the last window are in none. out is the maximum of each window; in backward "
                 "each window's dout goes to the position of its maximum, and where windows overlap the contributions "
                 "add up.",
                 cases=_pool_cases),
        TaskSpec("Flatten", 1,
                 "forward: remember x.shape and return x.reshape(N, -1); backward: dout.reshape(the remembered shape).",
                 cases=_flatten_cases),
        TaskSpec("train_cnn", 4,
                 "layers = [Conv2D(1, 8, 3, pad=1), ReLU(), MaxPool2D(2, 2), Conv2D(8, 32, 3, pad=1), ReLU(), "
                 "MaxPool2D(2, 2), Flatten(), Linear(1568, 64), ReLU(), Linear(64, 10)] in float32 with rng = "
                 "np.random.default_rng(seed); every epoch a new permutation cut into minibatches of 64; forward through "
                 "the list, softmax_cross_entropy, backward in reverse order, one Adam step (learning rate about 2e-3) on "
                 "all params. Return the list of layers (the grader reads their kinds and params and runs its own forward "
                 "pass).",
                 cases=_training_cases, timeout=60.0),
    ])
