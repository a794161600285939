"""Visible checks for assignment 05_conv_backward (the backward pass of convolution, 卷积层的反向传播).

Each ``check_*`` prints one line starting with ✓ when it passes, and raises AssertionError with a
sentence saying what is wrong and where to look when it does not. Gradients are checked against
numerical gradients of YOUR conv_forward (central differences along a few random directions,
then element by element to locate a mistake), so conv_forward must pass its own check first.
The only fixed numbers here are hand-countable examples (all-ones inputs) and the course notes'
worked example of section 2, written as the course notes' formulas.
"""
import numpy as np

from checking import (Handed, as_array, call, checker, compare_gradient, dependency_first, expect_shape, fail,
                      mistake, returned)
from gradient_check import numerical_gradient

H_STEP = 1e-5      # central-difference step
TOLERANCE = 1e-6   # largest relative error accepted between your gradient and the numerical one


TASKS = ["conv_forward", "conv_backward_single_channel", "conv_backward_multi_channel",
         "conv_backward_strided", "conv_backward"]
check = checker(TASKS)


def _out_size(size, kernel, stride, pad):
    return (size + 2 * pad - kernel) // stride + 1


def _call_forward(conv_forward, x, w, b, stride=1, pad=0):
    """conv_forward on copies of x, w, b (it fails if conv_forward changes one in place)."""
    out, cache = returned(call("conv_forward", conv_forward, x, w, b, stride, pad), "conv_forward", ("out", "cache"))
    return as_array(out, "out", "conv_forward"), cache


def _three_gradients(value, function):
    return tuple(as_array(g, n, function) for g, n in zip(returned(value, function, ("dx", "dw", "db")),
                                                          ("dx", "dw", "db")))


def _expect_shape(function, name, array, shape, setting, what):
    expect_shape(function, name, array, shape, setting, what)


def _compare_gradient(function, name, mine, f, at, setting, derivation, explain=None, batch=None):
    """Your gradient `mine` of the scalar f at `at` against central differences of f."""
    compare_gradient(function, name, mine, f, at, setting, derivation, numerical=numerical_gradient,
                     explain=explain, batch=batch, tolerance=TOLERANCE, h=H_STEP)


# ----------------------------------------------------------------------------------- forward

def _forward_problems(conv_forward):
    """Run the forward checks; raise AssertionError with the first problem found."""
    rng = np.random.default_rng(500)
    x, w, b = rng.standard_normal((2, 3, 7, 5)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    for stride, pad in ((1, 0), (2, 1), (3, 0), (2, 2)):
        out, _ = _call_forward(conv_forward, x, w, b, stride, pad)
        want = (2, 4, _out_size(7, 3, stride, pad), _out_size(5, 2, stride, pad))
        if out.shape != want:
            fail(f"For x (2, 3, 7, 5), w (4, 3, 3, 2), stride {stride}, pad {pad}, `out` has shape "
                  f"{out.shape}; it should be (N, F, Ho, Wo) = {want} with Ho = (H + 2·pad − KH) // "
                  f"stride + 1, floored when the stride does not divide H + 2·pad − KH (as in PyTorch), "
                  f"and likewise Wo.")
        if not np.all(np.isfinite(out)):
            fail("`out` contains NaN or inf for ordinary random inputs.")

    out0, _ = _call_forward(conv_forward, np.zeros((2, 3, 7, 5)), w, b, 2, 1)
    if not np.allclose(out0, b.reshape(1, 4, 1, 1) * np.ones(out0.shape), rtol=1e-12, atol=1e-12):
        if not np.any(out0):
            fail("With x = 0 `out` is all zeros, but every output of channel f should be the bias (偏置) "
                 "b[f]: the bias is not added. Add b[f] to every position of output channel f.")
        fail("With x = 0 every output of channel f should be the bias b[f]: one bias per output "
              "channel (filter), added at every position. Padding adds zeros, never the bias.")

    # The course notes' code tests its conv with all-ones: a 3×3 window of ones on ones sums 9 ones.
    ones = np.ones((1, 1, 5, 5))
    out, _ = _call_forward(conv_forward, ones, np.ones((1, 1, 3, 3)), np.zeros(1))
    if out.shape != (1, 1, 3, 3) or not np.allclose(out, 9.0):
        fail("All-ones 5×5 input, all-ones 3×3 kernel, no bias: every output should be 9 (each "
              "3×3 window holds nine ones), shape (1, 1, 3, 3).")
    out, _ = _call_forward(conv_forward, ones, np.ones((1, 1, 3, 3)), np.zeros(1), 1, 1)
    counted = np.array([[4, 6, 6, 6, 4], [6, 9, 9, 9, 6], [6, 9, 9, 9, 6], [6, 9, 9, 9, 6], [4, 6, 6, 6, 4]])
    if out.shape != (1, 1, 5, 5) or not np.allclose(out[0, 0], counted):
        fail("All-ones 5×5 input, all-ones 3×3 kernel, pad 1: a corner window overlaps 4 ones of "
              "the input, an edge window 6, an inner window 9 — the padding must be zeros around "
              "the input (np.pad with constant 0), and the output 5×5.")

    # A kernel with a single 1 at (m, n) of channel c picks xp[c, i·stride + m, j·stride + n].
    for stride, pad, (c, m, n) in ((1, 0, (1, 2, 0)), (2, 1, (0, 0, 1)), (3, 2, (2, 1, 1))):
        pick = np.zeros((1, 3, 3, 2))
        pick[0, c, m, n] = 1.0
        out, _ = _call_forward(conv_forward, x, pick, np.zeros(1), stride, pad)
        xp = np.zeros((2, 3, 7 + 2 * pad, 5 + 2 * pad))
        xp[:, :, pad:pad + 7, pad:pad + 5] = x
        Ho, Wo = _out_size(7, 3, stride, pad), _out_size(5, 2, stride, pad)
        want = xp[:, c, m:m + (Ho - 1) * stride + 1:stride, n:n + (Wo - 1) * stride + 1:stride]
        if out.shape != (2, 1, Ho, Wo) or not np.allclose(out[:, 0], want, rtol=1e-12, atol=1e-12):
            fail(f"A kernel that is 0 except w[0, {c}, {m}, {n}] = 1 (stride {stride}, pad {pad}) should "
                  f"give out[n, 0, i, j] = xp[n, {c}, i·{stride} + {m}, j·{stride} + {n}] (xp: x padded). "
                  f"Check the window's start (i·stride) and that the forward pass does NOT flip the "
                  f"kernel: deep learning's 'convolution' is a correlation (course notes, part 0_2_1, eq. 1).")


@check
def check_conv_forward(conv_forward):
    """Shapes (floored), bias, padding, stride, and the kernel's orientation."""
    _forward_problems(conv_forward)
    print("✓ conv_forward: shapes for four stride/pad settings (floored sizes included), the bias, "
          "zero padding, the all-ones examples and single-entry kernels are right.")


def _forward_first(conv_forward, function):
    dependency_first(check_conv_forward, (conv_forward,), function, "conv_forward", TASKS)


def _loss(conv_forward, dout, stride=1, pad=0):
    """Scalar functions of x, w, b whose gradients are what a backward pass returns for dout."""
    def of_x(w, b):
        return lambda v: float(np.sum(_call_forward(conv_forward, v, w, b, stride, pad)[0] * dout))

    def of_w(x, b):
        return lambda v: float(np.sum(_call_forward(conv_forward, x, v, b, stride, pad)[0] * dout))

    def of_b(x, w):
        return lambda v: float(np.sum(_call_forward(conv_forward, x, w, v, stride, pad)[0] * dout))
    return of_x, of_w, of_b


# --------------------------------------------------------------------- 1. one channel, stride 1

DERIVE_SINGLE = {
    "dx": "dx = pδ ⋆ rot180(w): δ padded with KH − 1 rows and KW − 1 columns of zeros on every side, "
          "correlated with the kernel rotated by 180° (course notes, part 0_2_1, eq. 16; notebook section 2)",
    "dw": "dw[m, n] = Σ_i Σ_j δ[i, j] · x[i + m, j + n]: x correlated with δ (eq. 5)",
    "db": "db = Σ_i Σ_j δ[i, j], one number (eq. 6)",
}


@check
def check_conv_backward_single_channel(conv_backward_single_channel, conv_forward):
    """Shapes, the course notes' worked example (5×5 input, 3×3 kernel), numerical gradients."""
    _forward_first(conv_forward, "conv_backward_single_channel")
    name = "conv_backward_single_channel"

    # The course notes' worked example: δ^{l-1} entries written out in 0_2_1.
    rng = np.random.default_rng(510)
    x, w, d = rng.standard_normal((5, 5)), rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    dx, dw, db = _three_gradients(call(name, conv_backward_single_channel, d, x, w), name)
    _expect_shape(name, "dx", dx, (5, 5), "x (5, 5), w (3, 3)", "x")
    _expect_shape(name, "dw", dw, (3, 3), "x (5, 5), w (3, 3)", "w")
    if db.size != 1:
        fail(f"{name}: `db` should be one number (the single filter has one bias), got shape {db.shape}.")
    seed = [
        ((0, 0), "δ00·W00", d[0, 0] * w[0, 0]),
        ((0, 1), "δ01·W00 + δ00·W01", d[0, 1] * w[0, 0] + d[0, 0] * w[0, 1]),
        ((0, 2), "δ02·W00 + δ01·W01 + δ00·W02", d[0, 2] * w[0, 0] + d[0, 1] * w[0, 1] + d[0, 0] * w[0, 2]),
        ((1, 0), "δ10·W00 + δ00·W10", d[1, 0] * w[0, 0] + d[0, 0] * w[1, 0]),
        ((1, 1), "δ11·W00 + δ01·W10 + δ10·W01 + δ00·W11",
         d[1, 1] * w[0, 0] + d[0, 1] * w[1, 0] + d[1, 0] * w[0, 1] + d[0, 0] * w[1, 1]),
    ]
    mine = np.array([dx[i, j] for (i, j), _, _ in seed])
    phrase = mistake(mine, np.array([value for _, _, value in seed]),
                     against="the worked example's δ^(l-1)_00 … δ^(l-1)_11")
    if phrase:
        fail(f"`{name}`: on the course notes' worked example (5×5 input, 3×3 kernel) your `dx` {phrase}.")
    for (i, j), formula, value in seed:
        if abs(dx[i, j] - value) > 1e-10 * (1 + abs(value)):
            fail(f"The course notes' worked example (5×5 input, 3×3 kernel) writes δ^(l-1)_{i}{j} = {formula}; "
                  f"your dx[{i}, {j}] = {dx[i, j]:.6g} differs from it ({value:.6g}). Output (i, j) "
                  f"reaches input (i', j') through W[i' − i, j' − j]: with the padded δ this is a "
                  f"correlation with the ROTATED kernel w[::-1, ::-1].")

    for seed_, (H, W, KH, KW) in ((511, (5, 5, 3, 3)), (512, (4, 6, 2, 3)), (513, (3, 5, 3, 1)), (514, (4, 3, 1, 1))):
        rng = np.random.default_rng(seed_)
        x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
        d = rng.standard_normal((H - KH + 1, W - KW + 1))
        setting = f"x ({H}, {W}), w ({KH}, {KW})"
        dx, dw, db = _three_gradients(call(name, conv_backward_single_channel, d, x, w), name)
        _expect_shape(name, "dx", dx, x.shape, setting, "x")
        _expect_shape(name, "dw", dw, w.shape, setting, "w")
        if db.size != 1:
            fail(f"{name}: `db` should be one number, got shape {db.shape}.")
        D = d[None, None]
        of_x, of_w, of_b = _loss(conv_forward, D)
        _compare_gradient(name, "dx", dx, lambda v: of_x(w[None, None], np.zeros(1))(v[None, None]),
                          x, setting, DERIVE_SINGLE["dx"])
        _compare_gradient(name, "dw", dw, lambda v: of_w(x[None, None], np.zeros(1))(v[None, None]),
                          w, setting, DERIVE_SINGLE["dw"])
        _compare_gradient(name, "db", db.reshape(1), of_b(x[None, None], w[None, None]),
                          np.zeros(1), setting, DERIVE_SINGLE["db"])
    print("✓ conv_backward_single_channel: the course notes' worked example (dx[0,0] = δ00·W00, ...) and "
          "numerical gradients of dx, dw, db on four shapes (non-square, 1×1 kernel) are right.")


# ------------------------------------------------------------------- 2. many channels, stride 1

DERIVE_MULTI = {
    "dx": "dx[n, c] = Σ_f pδ[n, f] ⋆ rot180(w[f, c]): every output channel f sends gradient back to "
          "every input channel c (course notes, part 0_2_2, eq. 8)",
    "dw": "dw[f, c] = Σ_n x[n, c] ⋆ δ[n, f]: one single-channel correlation per (f, c), summed over "
          "the batch (eq. 5)",
    "db": "db[f] = Σ_n Σ_i Σ_j δ[n, f, i, j] (eq. 6, summed over the batch)",
}


def _check_batch(function, backward, conv_forward, shapes, derivation, with_stride):
    for seed_, (N, C, H, W, F, KH, KW, stride) in shapes:
        rng = np.random.default_rng(seed_)
        x, w = rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, KH, KW))
        d = rng.standard_normal((N, F, _out_size(H, KH, stride, 0), _out_size(W, KW, stride, 0)))
        setting = f"x {x.shape}, w {w.shape}" + (f", stride {stride}" if with_stride else "")
        grads = call(function, backward, d, x, w, stride) if with_stride else call(function, backward, d, x, w)
        dx, dw, db = _three_gradients(grads, function)
        _expect_shape(function, "dx", dx, x.shape, setting, "x (N, C, H, W)")
        _expect_shape(function, "dw", dw, w.shape, setting, "w (F, C, KH, KW)")
        _expect_shape(function, "db", db, (F,), setting, "b (F,): one bias per filter")
        of_x, of_w, of_b = _loss(conv_forward, d, stride)
        b = np.zeros(F)

        def unreached(where, mine, full, H=H, W=W, KH=KH, KW=KW, stride=stride):
            rows = (_out_size(H, KH, stride, 0) - 1) * stride + KH
            cols = (_out_size(W, KW, stride, 0) - 1) * stride + KW
            if where[2] >= rows or where[3] >= cols:
                return (f"With stride {stride} the windows reach only rows 0..{rows - 1} and columns "
                        f"0..{cols - 1} of x; the rest is in no window and its gradient is 0. ")
            return ""
        _compare_gradient(function, "dx", dx, of_x(w, b), x, setting, derivation["dx"], unreached)
        _compare_gradient(function, "dw", dw, of_w(x, b), w, setting, derivation["dw"], batch=N)
        _compare_gradient(function, "db", db, of_b(x, w), b, setting, derivation["db"], batch=N)


@check
def check_conv_backward_multi_channel(conv_backward_multi_channel, conv_forward):
    """Shapes and numerical gradients, NCHW batches, stride 1, no padding."""
    _forward_first(conv_forward, "conv_backward_multi_channel")
    shapes = [(520, (2, 3, 5, 4, 2, 3, 2, 1)),   # C ≠ F, non-square input and kernel
              (521, (1, 1, 4, 4, 3, 2, 2, 1)),   # batch of 1, one input channel
              (522, (3, 2, 3, 5, 1, 3, 1, 1))]   # one filter, kernel as high as the input
    _check_batch("conv_backward_multi_channel", conv_backward_multi_channel, conv_forward, shapes,
                 DERIVE_MULTI, with_stride=False)
    print("✓ conv_backward_multi_channel: dx, dw, db have the right shapes and match numerical "
          "gradients (C ≠ F, batch of 1, one filter).")


# ------------------------------------------------------------------------------ 3. stride > 1

DERIVE_STRIDED = {
    "dx": "insert stride − 1 zeros between the rows and the columns of δ, pad with KH − 1 / KW − 1 "
          "zeros, correlate with rot180(w) and sum over f (course notes, part 0_2_3); rows and columns of x that no "
          "window reaches get 0",
    "dw": "dw[f, c, m, n] = Σ δ[n', f, i, j] · x[n', c, i·stride + m, j·stride + n]: x correlated with "
          "the zero-inserted δ",
    "db": "db[f] = Σ δ[:, f]: the stride does not change it",
}


@check
def check_conv_backward_strided(conv_backward_strided, conv_forward):
    """Shapes and numerical gradients with stride 2 and 3, including strides that do not divide."""
    _forward_first(conv_forward, "conv_backward_strided")
    shapes = [(530, (2, 2, 5, 5, 3, 3, 3, 2)),   # stride 2 divides 5 − 3
              (531, (1, 3, 6, 5, 2, 3, 2, 2)),   # stride 2 does not divide 6 − 3: the last row is unreached
              (532, (2, 1, 7, 6, 2, 2, 2, 3)),   # stride 3 > kernel 2: gaps between windows
              (533, (2, 2, 4, 4, 2, 2, 2, 1))]   # stride 1 is the previous task
    _check_batch("conv_backward_strided", conv_backward_strided, conv_forward, shapes,
                 DERIVE_STRIDED, with_stride=True)
    print("✓ conv_backward_strided: shapes and numerical gradients for strides 1, 2 and 3 are right, "
          "including an unreached last row and gaps between windows.")


# ------------------------------------------------------------------------ 4. padding and stride

DERIVE_GENERAL = {
    "dx": "compute the gradient with respect to the PADDED input xp as in the strided case, then cut "
          "the padding off: dx = dxp[:, :, pad:pad + H, pad:pad + W] (course notes, part 0_2_4, eq. 9)",
    "dw": "dw is x PADDED correlated with the zero-inserted δ (course notes, part 0_2_4, eq. 5 with pz)",
    "db": "db[f] = Σ δ[:, f]: padding does not change it",
}


@check
def check_conv_backward(conv_backward, conv_forward):
    """Numerical gradients through your own conv_forward's cache, for several stride/pad settings."""
    _forward_first(conv_forward, "conv_backward")
    settings = [(540, (2, 2, 5, 4, 3, 3, 2), 1, 1),
                (541, (1, 3, 6, 6, 2, 3, 3), 2, 1),
                (542, (2, 2, 6, 5, 2, 3, 2), 2, 2),   # stride 2 does not divide 6 + 4 − 3
                (543, (2, 1, 5, 7, 2, 2, 3), 3, 0),   # pad 0: dxp[p:-p] would be empty
                (544, (1, 2, 3, 3, 2, 1, 1), 1, 2)]   # 1×1 kernel, outputs that see only padding
    for seed_, (N, C, H, W, F, KH, KW), stride, pad in settings:
        rng = np.random.default_rng(seed_)
        x, w, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, KH, KW)), rng.standard_normal(F)
        setting = f"x {x.shape}, w {w.shape}, stride {stride}, pad {pad}"
        d = rng.standard_normal((N, F, _out_size(H, KH, stride, pad), _out_size(W, KW, stride, pad)))
        given = Handed(x=x, w=w, b=b, dout=d)
        _, cache = returned(conv_forward(given.x, given.w, given.b, stride, pad), "conv_forward", ("out", "cache"))
        dx, dw, db = _three_gradients(conv_backward(given.dout, cache), "conv_backward")
        given.check("conv_backward")  # dout, and x, w, b kept in your cache
        _expect_shape("conv_backward", "dx", dx, x.shape, setting, "x (N, C, H, W), without the padding")
        _expect_shape("conv_backward", "dw", dw, w.shape, setting, "w (F, C, KH, KW)")
        _expect_shape("conv_backward", "db", db, (F,), setting, "b (F,)")
        of_x, of_w, of_b = _loss(conv_forward, d, stride, pad)
        _compare_gradient("conv_backward", "dx", dx, of_x(w, b), x, setting, DERIVE_GENERAL["dx"])
        _compare_gradient("conv_backward", "dw", dw, of_w(x, b), w, setting, DERIVE_GENERAL["dw"], batch=N)
        _compare_gradient("conv_backward", "db", db, of_b(x, w), b, setting, DERIVE_GENERAL["db"], batch=N)
    print("✓ conv_backward: dx, dw, db match numerical gradients through your conv_forward's cache "
          "for stride/pad (1, 1), (2, 1), (2, 2) floored, (3, 0) and a 1×1 kernel with pad 2.")
