"""Visible checks for assignment 08_mlp (全连接神经网络: Sequential, regression, Fashion-MNIST).

Each ``check_*`` prints one line starting with ✓ when it passes, and raises AssertionError with a
sentence saying what is wrong and where to look when it does not. Gradients are checked against
numerical gradients (central differences) of YOUR forward passes; training is checked by what the
trained model does on data it did not train on. No number here comes from a reference solution.
"""
import time

import numpy as np

from checking import Handed, as_array, call, checker, compare, fail, returned, unchanged
from gradient_check import numerical_gradient
from idx import load_mnist

TOLERANCE = 1e-6  # largest error accepted, relative to the size of the numerical gradient


TASKS = ["Sequential", "mse_loss", "fit_regression", "train_mlp"]
check = checker(TASKS)


def _gradient_error(mine, numeric):
    """Largest difference, relative to the largest entry of the numerical gradient."""
    return float(np.max(np.abs(mine - numeric), initial=0.0) / max(np.max(np.abs(numeric), initial=0.0), 1e-8))


def _small_model(Linear, ReLU, Tanh, rng):
    layers = [Linear(4, 5, rng), ReLU(), Linear(5, 3, rng), Tanh()]
    for layer in (layers[0], layers[2]):
        layer.params["b"][...] = 0.5 * rng.standard_normal(layer.params["b"].shape)  # not all zero
    return layers


@check
def check_Sequential(Sequential, Linear, ReLU, Tanh):
    """forward chains the layers, params/grads collect them, backward matches numerical gradients."""
    rng = np.random.default_rng(8)
    layers = _small_model(Linear, ReLU, Tanh, rng)
    model = Sequential(layers)
    x = rng.standard_normal((6, 4))
    expected = x
    for layer in layers:
        expected = layer.forward(expected)
    out = as_array(call("Sequential.forward", model.forward, x), "out", "Sequential.forward")
    if out.shape != expected.shape or not np.allclose(out, expected, rtol=1e-12, atol=1e-12):
        fail("Sequential.forward should feed x to the first layer, its output to the second, and so on, and "
              f"return the last layer's output (here of shape {expected.shape}); yours gives "
              f"{'shape ' + str(out.shape) if out.shape != expected.shape else 'other values'}.")

    params = model.params
    if not isinstance(params, dict):
        fail(f"Sequential.params should be a dict (a property: model.params, no parentheses), not "
              f"{type(params).__name__}.")
    keys = ["0.w", "0.b", "2.w", "2.b"]
    if sorted(params) != sorted(keys):
        fail(f"For Sequential([Linear(4, 5), ReLU(), Linear(5, 3), Tanh()]) params should have the keys {keys} "
              f"('<position of the layer>.<name in its params>'; ReLU and Tanh have none); yours has "
              f"{sorted(params)}.")
    for key in keys:
        index, name = key.split(".")
        if params[key] is not layers[int(index)].params[name]:
            fail(f"model.params['{key}'] is not the array layers[{index}].params['{name}'] itself (a copy?). "
                  f"An optimizer updates params in place; with copies the model would never change.")

    dout = rng.standard_normal(expected.shape)
    given = Handed(x=x, dout=dout)
    model.forward(given.x)
    dx = as_array(model.backward(given.dout), "dx", "Sequential.backward")
    given.check("Sequential")
    if dx.shape != x.shape:
        fail(f"Sequential.backward should return ∂L/∂x, of the shape of the input {x.shape}; yours has shape "
              f"{dx.shape}. Call every layer's backward, last layer first, each on the result of the one after it.")
    grads = model.grads
    if not isinstance(grads, dict) or sorted(grads) != sorted(keys):
        fail(f"Sequential.grads should be a dict with the keys of params, {keys}; yours is "
              f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}.")
    grads = {k: as_array(v, f"grads['{k}']", "Sequential.grads").copy() for k, v in grads.items()}

    def loss(_):
        return float(np.sum(model.forward(x) * dout))

    numeric_dx = numerical_gradient(lambda v: float(np.sum(model.forward(v) * dout)), x.copy())
    if _gradient_error(dx, numeric_dx) > TOLERANCE:
        fail("The dx returned by Sequential.backward does not match the numerical gradient of your "
              "Sequential.forward. Go through the layers in reverse order (reversed(self.layers)) and pass each "
              "backward the result of the previous call, starting from dout.")
    for key in keys:
        numeric = numerical_gradient(loss, params[key])
        if grads[key].shape != numeric.shape or _gradient_error(grads[key], numeric) > TOLERANCE:
            fail(f"model.grads['{key}'] does not match the numerical gradient of the loss with respect to "
                  f"model.params['{key}']. grads should hand out each layer's own grads[name], as stored by its "
                  f"backward during Sequential.backward.")

    single = Sequential(_small_model(Linear, ReLU, Tanh, rng))
    out1 = as_array(single.forward(x[:1]), "out", "Sequential.forward")
    dx1 = as_array(single.backward(np.ones_like(out1)), "dx", "Sequential.backward")
    if out1.shape != (1, 3) or dx1.shape != (1, 4):
        fail(f"For a batch of one, x of shape (1, 4), forward should give (1, 3) and backward (1, 4); yours give "
              f"{out1.shape} and {dx1.shape}.")

    inner = Sequential([Linear(3, 2, rng), Tanh()])
    nested = Sequential([Linear(4, 3, rng), inner])
    nested_keys = sorted(nested.params) if isinstance(nested.params, dict) else None
    if nested_keys != ["0.b", "0.w", "1.0.b", "1.0.w"]:
        fail("A Sequential is a layer too: Sequential([Linear(4, 3), Sequential([Linear(3, 2), Tanh()])]) should have "
              f"the params 0.w, 0.b, 1.0.w, 1.0.b (the inner model's own keys behind its position); yours has "
              f"{nested_keys}. Collect every layer's params dict, whatever the layer is.")
    print("✓ Sequential: forward chains the layers, params holds the layers' own arrays under '<i>.<name>', "
          "backward and grads match numerical gradients (batch of 6 and of 1, a nested Sequential).")


@check
def check_mse_loss(mse_loss):
    """Shapes, two hand-computed values, zero at the target, and the numerical gradient."""
    rng = np.random.default_rng(3)
    pred, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    loss, dpred = returned(call("mse_loss", mse_loss, pred, y), "mse_loss", ("loss", "dpred"))
    loss, dpred = as_array(loss, "loss", "mse_loss"), as_array(dpred, "dpred", "mse_loss")
    if loss.size != 1:
        fail(f"The loss should be one number (a float), not an array of shape {loss.shape}: sum over the "
              f"outputs and the samples, then divide by N.")
    if dpred.shape != pred.shape:
        fail(f"dpred should have the shape of pred, {pred.shape}; yours has {dpred.shape}.")

    examples = ((np.array([[1.0], [2.0]]), np.zeros((2, 1)), 2.5, "pred = [[1], [2]], y = 0: (1² + 2²) / 2 = 2.5"),
                (np.array([[1.0, 2.0]]), np.zeros((1, 2)), 5.0,
                 "pred = [[1, 2]] (one sample, two outputs), y = 0: (1² + 2²) / 1 = 5 — the squares are summed "
                 "over the outputs and divided by N = 1 sample, not by the 2 entries"))
    for p, t, want, how in examples:
        got = float(np.asarray(call("mse_loss", mse_loss, p, t)[0]))
        if not np.isclose(got, want, rtol=1e-12):
            fail(f"mse_loss gives {got:g} for {how}.")
    same_loss, same_grad = mse_loss(y.copy(), y.copy())
    if abs(float(np.asarray(same_loss))) > 1e-12 or np.any(np.abs(as_array(same_grad, "dpred", "mse_loss")) > 1e-12):
        fail("When pred equals y the loss and its gradient should both be 0.")

    numeric = numerical_gradient(lambda v: float(np.asarray(mse_loss(v.copy(), y.copy())[0])), pred.copy())
    if _gradient_error(dpred, numeric) > TOLERANCE:
        compare("mse_loss", "dpred", dpred, numeric, "pred and y of shape (5, 3)",
                "∂L/∂pred = 2(pred − y)/N: check the constant 2/N.", batch=pred.shape[0], rtol=0, atol=0)
    print("✓ mse_loss: a float loss (sum of squares / N) and the exact gradient 2(pred − y)/N.")


@check
def check_fit_regression(fit_regression, regression_data, r_squared):
    """Train on 200 noisy points, measure R² on 200 held-out points of the same curve."""
    rng = np.random.default_rng(11)
    x, y = regression_data(200, rng)
    x_new, y_new = regression_data(200, rng)
    start = time.perf_counter()
    given = Handed(x=x, y=y)
    model = fit_regression(given.x, given.y, seed=1)
    given.check("fit_regression")
    seconds = time.perf_counter() - start
    if not hasattr(model, "forward"):
        fail(f"fit_regression should return the trained model (a Sequential), not {type(model).__name__}.")
    pred = as_array(model.forward(x_new.copy()), "pred", "model.forward")
    if pred.shape != y_new.shape:
        fail(f"model.forward(x_new) for x_new of shape {x_new.shape} should give predictions of shape "
              f"{y_new.shape}; yours gives {pred.shape}.")
    if not np.all(np.isfinite(pred)):
        fail("The trained model predicts NaN or inf: the training diverged. Lower the learning rate.")
    score = r_squared(pred, y_new)
    if score < 0.95:
        fail(f"R² on 200 held-out points is {score:.3f}; it should be at least 0.95. Check that the loss goes "
              f"down during training (print it every few hundred steps), then try more steps, more hidden units "
              f"or another learning rate.")
    if seconds > 10:
        fail(f"fit_regression took {seconds:.0f} s; the grader allows a few seconds per curve. Use fewer steps or "
              f"a larger learning rate.")
    print(f"✓ fit_regression: R² = {score:.4f} on 200 held-out points (at least 0.95 needed), in {seconds:.1f} s.")


@check
def check_train_mlp(train_mlp, predict):
    """Two epochs on the 6 000 training images of the shipped slice; accuracy on its 1 000 test images."""
    images, labels = load_mnist(".", "train")
    test_images, test_labels = load_mnist(".", "t10k")
    before = images.copy()
    start = time.perf_counter()
    model = train_mlp(images, labels, seed=0, epochs=2)
    seconds = time.perf_counter() - start
    unchanged("train_mlp", {"images": before}, {"images": images})
    if not hasattr(model, "forward"):
        fail(f"train_mlp should return the trained model (e.g. a Sequential), not {type(model).__name__}.")
    predicted = np.asarray(predict(model, test_images))
    if predicted.shape != test_labels.shape:
        fail(f"predict(model, images) for 1 000 images gives an array of shape {predicted.shape}, expected (1000,): "
              f"model.forward(preprocess(images)) should return scores of shape (N, 10).")
    accuracy = float(np.mean(predicted == test_labels))
    if accuracy < 0.75:
        fail(f"After 2 epochs on 6 000 images the test accuracy is {accuracy:.1%}; a working MLP reaches well over "
              f"75%. Check that the loss goes down, the labels go with their images after shuffling, and the "
              f"learning rate (Adam: about 1e-3).")
    print(f"✓ train_mlp: {accuracy:.1%} test accuracy after 2 epochs on 6 000 images ({seconds:.1f} s of training).")
