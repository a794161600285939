"""Visible checks for assignment 09_cnn (卷积神经网络: Conv2D, MaxPool2D, Flatten, training).

Each ``check_*`` prints one line starting with ✓ when it passes, and raises AssertionError with a
sentence saying what is wrong and where to look when it does not. Backward passes are checked
against numerical gradients (central differences) of YOUR forward passes, in float64; forward
passes with hand-countable examples (a kernel with a single 1 copies one input pixel; the maximum
of np.arange windows is their last element). No number here comes from a reference solution.
"""
import time

import numpy as np

from checking import Handed, as_array, call, checker, fail, mistake, unchanged
from gradient_check import numerical_gradient
from idx import load_mnist

TOLERANCE = 1e-6  # largest error accepted, relative to the size of the numerical gradient


TASKS = ["Conv2D", "MaxPool2D", "Flatten", "train_cnn"]
check = checker(TASKS)


def _gradient_error(mine, numeric):
    """Largest difference, relative to the largest entry of the numerical gradient."""
    return float(np.max(np.abs(mine - numeric), initial=0.0) / max(np.max(np.abs(numeric), initial=0.0), 1e-8))


# (N, C, H, W, F, kernel, stride, pad)
CONV_SETTINGS = [
    (2, 3, 6, 6, 2, 3, 1, 1),
    (1, 2, 5, 7, 3, (2, 3), 2, 0),
    (2, 1, 7, 6, 2, 3, 2, 2),
    (1, 2, 4, 5, 1, 1, 3, 1),
]


def _conv(Conv2D, N, C, H, W, F, kernel, stride, pad, rng):
    layer = Conv2D(C, F, kernel, stride=stride, pad=pad, rng=rng)
    layer.params["b"][...] = rng.standard_normal(F)
    return layer


def _setting(N, C, H, W, F, kernel, stride, pad):
    return f"x of shape {(N, C, H, W)}, {F} filters of size {kernel}, stride {stride}, pad {pad}"


@check
def check_Conv2D(Conv2D):
    """Output shapes, the bias, single-1 kernels, numerical gradients, and the speed of one batch."""
    rng = np.random.default_rng(21)
    for N, C, H, W, F, kernel, stride, pad in CONV_SETTINGS:
        setting = _setting(N, C, H, W, F, kernel, stride, pad)
        layer = _conv(Conv2D, N, C, H, W, F, kernel, stride, pad, rng)
        KH, KW = layer.params["w"].shape[2:]
        Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
        x = rng.standard_normal((N, C, H, W))
        out = as_array(call("Conv2D.forward", layer.forward, x), "out", "Conv2D.forward")
        if out.shape != (N, F, Ho, Wo):
            fail(f"For {setting}, forward should give shape {(N, F, Ho, Wo)} (Ho = (H + 2·pad − KH) // stride + 1, "
                  f"Wo likewise); yours gives {out.shape}.")

        zero = as_array(layer.forward(np.zeros_like(x)), "out", "Conv2D.forward")
        if not np.any(zero):
            fail(f"For {setting} and x = 0 `out` is all zeros, but every output of filter f should be the bias "
                 f"(偏置) b[f]: the bias is not added.")
        if not np.allclose(zero, layer.params["b"].reshape(1, F, 1, 1), rtol=0, atol=1e-12):
            fail(f"For {setting} and x = 0 every output of filter f should be the bias b[f] (padding adds zeros).")

        # A kernel with a single 1 at (f, c, i, j) copies xp[n, c, r·stride + i, q·stride + j] into out[n, f, r, q].
        f, c, i, j = F - 1, C - 1, KH - 1, 0
        saved_w, saved_b = layer.params["w"].copy(), layer.params["b"].copy()
        layer.params["w"][...] = 0
        layer.params["w"][f, c, i, j] = 1
        layer.params["b"][...] = 0
        xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
        xp[:, :, pad:pad + H, pad:pad + W] = x
        picked = xp[:, c, i:i + stride * (Ho - 1) + 1:stride, j:j + stride * (Wo - 1) + 1:stride]
        single = as_array(layer.forward(x), "out", "Conv2D.forward")
        if not np.allclose(single[:, f], picked, rtol=0, atol=1e-12) or np.any(single[:, :f] != 0):
            fail(f"For {setting}, a kernel whose only non-zero weight is w[{f}, {c}, {i}, {j}] = 1 should copy the "
                  f"padded input's pixel xp[n, {c}, r·stride + {i}, q·stride + {j}] into out[n, {f}, r, q] (and give 0 "
                  f"for the other filters). Check the order of the axes of w (F, C, KH, KW), the padding and the "
                  f"strides of your windows.")
        layer.params["w"][...] = saved_w
        layer.params["b"][...] = saved_b

        dout = rng.standard_normal((N, F, Ho, Wo))
        given = Handed(x=x, dout=dout)
        out = as_array(layer.forward(given.x), "out", "Conv2D.forward")
        dx = as_array(layer.backward(given.dout), "dx", "Conv2D.backward")
        given.check("Conv2D")
        if dx.shape != x.shape:
            fail(f"For {setting}, backward should return dx of the shape of x, {x.shape}; yours has {dx.shape}.")
        grads = {k: as_array(layer.grads.get(k), f"grads['{k}']", "Conv2D.backward").copy() for k in ("w", "b")}
        for k in ("w", "b"):
            if grads[k].shape != layer.params[k].shape:
                fail(f"For {setting}, grads['{k}'] should have the shape of params['{k}'], "
                      f"{layer.params[k].shape}; yours has {grads[k].shape}.")

        def loss(_):
            return float(np.sum(layer.forward(x) * dout))

        numeric = {"dx": numerical_gradient(lambda v: float(np.sum(layer.forward(v.copy()) * dout)), x.copy()),
                   "grads['w']": numerical_gradient(loss, layer.params["w"]),
                   "grads['b']": numerical_gradient(loss, layer.params["b"])}
        hints = {"dx": "dcols = w_matᵀ·dout, then add every window's gradients back into the padded input (col2im: "
                       "one strided slice per kernel offset (i, j)), then drop the padding",
                 "grads['w']": "dw = Σ_n dout_n·cols_nᵀ, reshaped to (F, C, KH, KW)",
                 "grads['b']": "db[f] = the sum of dout[:, f] over the batch and all positions"}
        for name, mine in (("dx", dx), ("grads['w']", grads["w"]), ("grads['b']", grads["b"])):
            if _gradient_error(mine, numeric[name]) > TOLERANCE:
                phrase = mistake(mine, numeric[name], against="the numerical gradient", batch=N)
                if phrase:
                    fail(f"For {setting}, {name} {phrase}. {hints[name]}.")
                fail(f"For {setting}, {name} does not match the numerical gradient of your forward. {hints[name]}.")

    layer = Conv2D(8, 32, 3, pad=1, rng=rng, dtype=np.float32)
    x = rng.standard_normal((64, 8, 14, 14)).astype(np.float32)
    start = time.perf_counter()
    out = layer.forward(x)
    layer.backward(np.ones_like(out))
    seconds = time.perf_counter() - start
    if seconds > 1.0:
        fail(f"One forward and backward pass of a batch of 64 through the CNN's second convolution took {seconds:.1f} s; "
              f"training needs thousands of them, so it should take a few hundredths of a second. Replace the Python "
              f"loops over samples, filters and positions by im2col and one np.matmul (section 1).")
    print(f"✓ Conv2D: shapes, bias, single-1 kernels and numerical gradients (strides 1–3, padding 0–2, a 2×3 "
          f"kernel); a batch of 64 of the CNN's second layer, forward + backward, in {seconds * 1000:.0f} ms.")


@check
def check_MaxPool2D(MaxPool2D):
    """np.arange windows, shapes with overlapping windows and left-out rows, numerical gradients."""
    layer = MaxPool2D(2, 2)
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out = as_array(layer.forward(x), "out", "MaxPool2D.forward")
    if out.shape != (1, 1, 2, 2) or not np.array_equal(out[0, 0], [[5.0, 7.0], [13.0, 15.0]]):
        fail(f"For x = np.arange(16).reshape(1, 1, 4, 4), 2×2 windows and stride 2, the maxima are the windows' "
              f"bottom-right elements [[5, 7], [13, 15]]; yours gives {out.reshape(-1).tolist()} of shape {out.shape}.")
    dx = as_array(layer.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]])), "dx", "MaxPool2D.backward")
    want = np.zeros((4, 4))
    want[1, 1], want[1, 3], want[3, 1], want[3, 3] = 1, 2, 3, 4
    phrase = mistake(dx[0, 0], want, against="the expected dx") if dx.shape == x.shape else ""
    if phrase:
        fail(f"For the 0..15 example and dout = [[1, 2], [3, 4]], your dx {phrase}.")
    if dx.shape != x.shape or not np.array_equal(dx[0, 0], want):
        fail("For the same example and dout = [[1, 2], [3, 4]], dx should be 0 everywhere except at the four maxima, "
              "which get 1, 2, 3 and 4.")
    ties = as_array(MaxPool2D(2, 2).forward(np.zeros((1, 1, 2, 2))), "out", "MaxPool2D.forward")
    tie_layer = MaxPool2D(2, 2)
    tie_layer.forward(np.zeros((1, 1, 2, 2)))
    tie_dx = as_array(tie_layer.backward(np.ones((1, 1, 1, 1))), "dx", "MaxPool2D.backward")
    if ties.shape != (1, 1, 1, 1) or tie_dx.shape != (1, 1, 2, 2) or tie_dx.sum() != 1 or tie_dx[0, 0, 0, 0] != 1:
        fail("When all four entries of a window are equal (zeros after a ReLU), only the first one (top left) should "
              f"receive the window's gradient; yours gives dx = {tie_dx.reshape(-1).tolist()} for dout = 1.")

    rng = np.random.default_rng(31)
    for (N, C, H, W), pool, stride in (((2, 3, 6, 6), 2, 2), ((1, 2, 7, 9), 3, 2), ((2, 1, 5, 6), 2, 1),
                                       ((1, 2, 9, 7), 2, 3)):
        setting = f"x of shape {(N, C, H, W)}, pool {pool}, stride {stride}"
        layer = MaxPool2D(pool, stride)
        x = (rng.permutation(N * C * H * W) * 0.1 - 1.0).reshape(N, C, H, W)  # no ties
        out = as_array(call("MaxPool2D.forward", layer.forward, x), "out", "MaxPool2D.forward")
        Ho, Wo = (H - pool) // stride + 1, (W - pool) // stride + 1
        if out.shape != (N, C, Ho, Wo):
            fail(f"For {setting}, forward should give shape {(N, C, Ho, Wo)} (Ho = (H − pool) // stride + 1); yours "
                  f"gives {out.shape}.")
        dout = rng.standard_normal(out.shape)
        given = Handed(x=x, dout=dout)
        layer.forward(given.x)
        dx = as_array(layer.backward(given.dout), "dx", "MaxPool2D.backward")
        given.check("MaxPool2D")
        if dx.shape != x.shape:
            fail(f"For {setting}, backward should return dx of the shape of x, {x.shape}; yours has {dx.shape}.")
        numeric = numerical_gradient(lambda v: float(np.sum(layer.forward(v.copy()) * dout)), x.copy())
        if _gradient_error(dx, numeric) > TOLERANCE:
            phrase = mistake(dx, numeric, against="the numerical gradient")
            if phrase:
                fail(f"For {setting}, dx {phrase}.")
            fail(f"For {setting}, dx does not match the numerical gradient of your forward: every window's dout goes to "
                  f"the position of its maximum, and where windows overlap the contributions add up.")
    print("✓ MaxPool2D: np.arange windows, the first of tied maxima, shapes and numerical gradients (overlapping "
          "windows, strides that leave rows out).")


@check
def check_Flatten(Flatten):
    """Shapes, row-major order, and the way back."""
    rng = np.random.default_rng(41)
    for shape in ((2, 3, 4, 5), (1, 8, 7, 7), (3, 6)):
        layer = Flatten()
        x = rng.standard_normal(shape)
        out = as_array(call("Flatten.forward", layer.forward, x), "out", "Flatten.forward")
        D = int(np.prod(shape[1:]))
        if out.shape != (shape[0], D):
            fail(f"For x of shape {shape}, Flatten.forward should give ({shape[0]}, {D}); yours gives {out.shape}.")
        if not np.array_equal(out[0, :3], x[0].reshape(-1)[:3]):
            fail("Flatten.forward should keep each sample's numbers in row-major order (numpy's reshape order).")
        dout = rng.standard_normal(out.shape)
        dx = as_array(call("Flatten.backward", layer.backward, dout), "dx", "Flatten.backward")
        if dx.shape != shape or not np.array_equal(dx.reshape(shape[0], -1), dout):
            fail(f"Flatten.backward should reshape dout back to the input's shape {shape}, moving every number back "
                  f"where it came from.")
    print("✓ Flatten: (N, d1, d2, ...) -> (N, d1·d2·...) in row-major order, and back.")


@check
def check_train_cnn(train_cnn, predict):
    """One epoch on 2 000 images of the shipped slice; accuracy on its 1 000 test images."""
    images, labels = load_mnist(".", "train")
    test_images, test_labels = load_mnist(".", "t10k")
    images, labels = images[:2000], labels[:2000]
    before = images.copy()
    start = time.perf_counter()
    model = train_cnn(images, labels, seed=0, epochs=1)
    seconds = time.perf_counter() - start
    unchanged("train_cnn", {"images": before}, {"images": images})
    predicted = np.asarray(predict(model, test_images))
    if predicted.shape != test_labels.shape:
        fail(f"predict(model, images) for 1 000 images gives an array of shape {predicted.shape}, expected (1000,): "
              f"return the list of layers (input first), whose last layer gives 10 scores per image.")
    accuracy = float(np.mean(predicted == test_labels))
    if accuracy < 0.65:
        fail(f"After 1 epoch on 2 000 images the test accuracy is {accuracy:.1%}; a working CNN reaches well over 65%. "
              f"Check that the loss goes down, the layers' shapes (table in section 4), float32 everywhere, and the "
              f"learning rate (Adam: about 2e-3).")
    if seconds > 20:
        fail(f"One epoch on 2 000 images took {seconds:.0f} s; the grader trains on 6 000 images for several epochs "
              f"within a minute. Make Conv2D and MaxPool2D faster (float32, no Python loops over positions).")
    print(f"✓ train_cnn: {accuracy:.1%} test accuracy after 1 epoch on 2 000 images ({seconds:.1f} s of training).")
