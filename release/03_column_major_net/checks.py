"""Visible checks for assignment 03_column_major_net (data stored by columns, 数据按列存储).

Each ``check_*`` prints one line starting with ✓ when it passes, and raises AssertionError with
a sentence saying what is wrong and where to look when it does not. The expected values here are
directional derivatives (central differences of the loss along a few random directions) and
properties that follow from the definitions. There is deliberately no per-element numerical
gradient here: writing one is task 4.
"""
import numpy as np


from checking import Handed, as_array, call, checker, directional_error, fail, mistake, unchanged

TASKS = ["SquareLoss", "FC", "Net", "numerical_gradient", "gradient_check"]
check = checker(TASKS)


def _directional_error(f, x, grad, seed=0, directions=3, h=1e-6):
    return directional_error(f, x, grad, seed, directions, h)


def _array(value, what):
    return as_array(value, what, what)


# ---------------------------------------------------------------------------------------------- SquareLoss

@check
def check_SquareLoss(SquareLoss):
    """A hand example, a float result, N = number of columns, and backward = numerical gradient."""
    y = np.array([[0.5, 1.0]])
    t = np.array([[0.0, 0.0]])
    value = call("SquareLoss.forward", SquareLoss().forward, y, t)
    if np.ndim(value) != 0:
        fail(f"forward(y, t) should return one number, the loss; got something of shape {np.shape(value)}.")
    if abs(float(value) - 0.3125) > 1e-12:
        fail(f"forward([[0.5, 1.0]], [[0, 0]]) should be (0.5² + 1²) / N / 2 with N = 2 columns, i.e. "
              f"0.3125; got {float(value)!r}.")
    # N is the number of columns (samples), not the number of entries.
    y, t = np.ones((2, 3)), np.zeros((2, 3))
    value = float(call("SquareLoss.forward", SquareLoss().forward, y, t))
    if abs(value - 1.0) > 1e-12:
        fail(f"For y = ones((2, 3)) and t = zeros((2, 3)) the loss is 6 / N / 2 with N = 3 samples "
              f"(columns), i.e. 1.0; got {value!r}. Divide by y.shape[1], the number of columns.")

    rng = np.random.default_rng(30)
    for shape in ((1, 4), (3, 5), (2, 1)):
        y, t = rng.standard_normal(shape), rng.standard_normal(shape)
        loss = SquareLoss()
        given = Handed(y=y, t=t)
        loss.forward(given.y, given.t)
        dy = _array(loss.backward(), "backward()")
        given.check("SquareLoss")
        if dy.shape != shape:
            fail(f"backward() should return dL/dy in the shape of y {shape}; got {dy.shape}.")
        error = _directional_error(lambda v: float(SquareLoss().forward(v.copy(), t.copy())), y.copy(), dy)
        if error > 1e-6 and dy.shape == shape:
            phrase = mistake(dy, (y - t) / shape[1], against="the derivative of your forward",
                             batch=shape[1])
            if phrase:
                fail(f"backward() (shape {shape}) {phrase}. The derivative of sum((y − t)²) / N / 2 is (y − t) / N.")
        if error > 1e-6:
            fail(f"backward() disagrees with the derivative of forward along random directions (shape "
                  f"{shape}): relative error {error:.2g}. The derivative of sum((y - t)²) / N / 2 is (y - t) / N.")
    print("✓ SquareLoss: the hand example (0.3125), N = number of columns, and backward() matches the "
          "derivative of forward along random directions.")


# ---------------------------------------------------------------------------------------------- FC

def _fc(FC, w, b, lr):
    layer = FC(w.shape[0], w.shape[1], lr, np.random.default_rng(0))
    layer.w, layer.b, layer.lr = w.copy(), b.copy(), lr
    return layer


@check
def check_FC(FC):
    """Shapes, sigmoid range, backward against numerical gradients at the old weights, the update."""
    layer = FC(3, 2)
    if getattr(layer, "lr", None) != 0.1 or np.shape(layer.w) != (3, 2) or np.shape(layer.b) != (2, 1):
        fail("FC(3, 2) should have lr = 0.1, w of shape (3, 2) and b of shape (2, 1); the constructor "
              "is given — did it change?")
    zero = _fc(FC, np.zeros((3, 2)), np.zeros((2, 1)), 0.1)
    top = _array(zero.forward(np.ones((3, 4))), "forward(x)")
    if top.shape != (2, 4):
        fail(f"forward(x) for x of shape (3, 4) (3 inputs, 4 samples as columns) should have shape "
              f"(out, N) = (2, 4); got {top.shape}. Compute w.T @ x + b.")
    if not np.allclose(top, 0.5, rtol=0, atol=1e-15):
        fail("With w = 0 and b = 0 every output should be sigmoid(0) = 0.5.")

    rng = np.random.default_rng(31)
    for n_in, n_out, N, lr in ((3, 4, 5, 0.1), (2, 1, 1, 0.5), (4, 3, 2, 1.0)):
        x = rng.standard_normal((n_in, N))
        w, b = rng.standard_normal((n_in, n_out)), rng.standard_normal((n_out, 1))
        residual = rng.standard_normal((n_out, N))
        where = f"in={n_in}, out={n_out}, N={N}, lr={lr}"

        layer = _fc(FC, w, b, lr)
        given = Handed(x=x, residual=residual)
        top = _array(layer.forward(given.x), "forward(x)")
        given.check("FC.forward")
        z = w.T @ x + b
        if top.shape == (n_out, N) and np.allclose(top, 1 / (1 + np.exp(-(w.T @ x))), rtol=1e-12, atol=1e-14):
            fail(f"forward(x) is sigmoid(w.T @ x) without the bias (偏置) b ({where}): add b, of shape (out, 1), "
                 f"to every column before the sigmoid.")
        if top.shape != (n_out, N) or not np.allclose(top, 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-14):
            fail(f"forward(x) is not sigmoid(w.T @ x + b) ({where}); b has shape (out, 1) and is added to "
                  f"every column.")
        residual_x = _array(layer.backward(given.residual), "backward(residual)")
        given.check("FC")
        grad_w, grad_b = getattr(layer, "grad_w", None), getattr(layer, "grad_b", None)
        if grad_w is None or grad_b is None:
            fail("After backward, the layer should have the attributes grad_w and grad_b.")
        grad_w, grad_b = _array(grad_w, "grad_w"), _array(grad_b, "grad_b")
        for name, value, shape, hint in (
                ("residual_x", residual_x, (n_in, N), "the shape of the input x, (in, N): w @ dZ"),
                ("grad_w", grad_w, (n_in, n_out), "the shape of w, (in, out): x @ dZ.T"),
                ("grad_b", grad_b, (n_out, 1), "the shape of b, (out, 1): one number per output unit, "
                                               "the sum of dZ over the batch (axis 1)")):
            if value.shape != shape:
                fail(f"{name} has shape {value.shape} ({where}); it should have {hint}, i.e. {shape}.")

        probe = _fc(FC, w, b, 0.0)  # numerical gradients at the weights before the update
        def through(attribute):
            def f(v):
                setattr(probe, attribute, v)
                return probe.forward(x)
            return f
        def loss(forward):
            return lambda v: float(np.sum(forward(v) * residual))
        errors = {
            "residual_x": _directional_error(loss(lambda v: probe.forward(v.copy())), x.copy(), residual_x),
            "grad_w": _directional_error(loss(through("w")), w.copy(), grad_w),
        }
        probe.w = w.copy()
        errors["grad_b"] = _directional_error(loss(through("b")), b.copy(), grad_b)
        hints = {
            "residual_x": "residual_x = w @ dZ with dZ = residual * top * (1 - top), using w from BEFORE "
                          "the update (compute it before changing w)",
            "grad_w": "grad_w = x @ dZ.T with dZ = residual * top * (1 - top)",
            "grad_b": "grad_b = the row sums of dZ, np.sum(dZ, axis=1, keepdims=True)",
        }
        for name, error in errors.items():
            if error > 1e-6:
                fail(f"{name} does not match the derivative of the forward pass along random directions "
                      f"({where}): relative error {error:.2g}. {hints[name]}.")
        w_after, b_after = _array(layer.w, "w"), _array(layer.b, "b")
        if not (np.allclose(w_after, w - lr * grad_w, rtol=1e-12, atol=1e-12)
                and np.allclose(b_after, b - lr * grad_b, rtol=1e-12, atol=1e-12)):
            fail(f"After backward, w should be w - lr * grad_w and b should be b - lr * grad_b ({where}).")
    print("✓ FC: shapes, sigmoid(w.T @ x + b), residual_x, grad_w and grad_b match directional derivatives "
          "at the weights before the update, and the update is one SGD step.")


# ---------------------------------------------------------------------------------------------- Net

@check
def check_Net(Net, X_xor, y_xor):
    """losses is a list with the loss before training first; XOR is learned from two random starts."""
    for seed in (0, 5):
        net = Net(lr=2.0, rng=np.random.default_rng(seed))
        before = _array(call("Net.predict", net.predict, X_xor), "predict(X)")
        if before.shape != (1, 4):
            fail(f"predict(X) for X of shape (2, 4) should return the outputs, shape (1, 4); got {before.shape}.")
        if not np.all((before > 0) & (before < 1)):
            fail("predict(X) should return the sigmoid outputs of the last layer, values in (0, 1).")
        first = float(np.sum((before - y_xor) ** 2) / 4 / 2)
        losses = call("Net.train", net.train, X_xor, y_xor, 2000)
        if not isinstance(losses, list) or len(losses) != 2000:
            fail(f"train(X, y, 2000) should return a list of 2000 losses, one per iteration; got "
                  f"{type(losses).__name__} of length {len(losses) if hasattr(losses, '__len__') else '?'}.")
        losses = _array(losses, "losses")
        if abs(losses[0] - first) > 1e-12:
            fail(f"losses[0] should be the loss of the untrained network (the forward pass of the first "
                  f"iteration, before any update): {first!r}; got {losses[0]!r}.")
        if not losses[-1] < losses[0]:
            fail("The loss did not decrease during training: check the order of the backward calls "
                  "(loss, then fc2, then fc1) and what you pass from one to the next.")
        after = _array(call("Net.predict", net.predict, X_xor), "predict(X)")
        if not np.array_equal(after > 0.5, y_xor > 0.5):
            fail(f"After 2000 iterations with lr = 2.0 (rng seed {seed}) the network should output > 0.5 "
                  f"exactly for the XOR inputs (0, 1) and (1, 0); it gives {np.round(after, 3).tolist()}.")
    print(f"✓ Net: losses[0] is the untrained loss, and XOR is learned from two random starts "
          f"(final loss {losses[-1]:.2e}).")


# ---------------------------------------------------------------------------------------------- numerical_gradient

@check
def check_numerical_gradient(numerical_gradient):
    """Central differences (checked exactly on a cubic), the step h, in-place perturbation, x restored."""
    rng = np.random.default_rng(32)
    # f = sum(x³): the central difference is exactly 3x² + h², the one-sided one 3x² + 3xh + h².
    for shape, h in (((3, 4), 1e-3), ((5,), 0.1), ((2, 3, 2), 1e-2)):
        x = rng.standard_normal(shape)
        before = x.copy()
        grad = _array(numerical_gradient(lambda v: np.sum(v ** 3), x, h), "numerical_gradient(...)")
        if grad.shape != shape:
            fail(f"For x of shape {shape} the gradient should have shape {shape}; got {grad.shape}.")
        if not np.array_equal(x, before) and not np.allclose(x, before, rtol=1e-14, atol=1e-15):
            fail("numerical_gradient left x changed: put every element back to its old value after "
                  "evaluating f(x + h) and f(x - h).")
        exact = 3 * before ** 2 + h ** 2
        if not np.allclose(grad, exact, rtol=1e-6, atol=1e-6):
            one_sided = 3 * before ** 2 + 3 * before * h + h ** 2
            if np.allclose(grad, one_sided, rtol=1e-6, atol=1e-6):
                fail("This is the one-sided difference (f(x + h) - f(x)) / h; use the central one, "
                      "(f(x + h) - f(x - h)) / (2h).")
            fail(f"For f(x) = sum(x³) with h = {h} the central differences are exactly 3x² + h²; yours "
                  f"differ (largest difference {np.max(np.abs(grad - exact)):.2g}). Use the given h and "
                  f"divide by 2h.")
    # f reads x itself, not its argument: x must be perturbed in place.
    x = rng.standard_normal((2, 3))
    weights = rng.standard_normal((2, 3))
    grad = _array(numerical_gradient(lambda _: float(np.sum(np.tanh(x) * weights)), x), "numerical_gradient(...)")
    if not np.allclose(grad, weights / np.cosh(x) ** 2, rtol=1e-6, atol=1e-8):
        fail("For a function that reads the array x directly (lambda _: loss(x)) the gradient is wrong: "
              "perturb x itself, in place (x[i] = old + h, then old - h, then old), not a copy of it.")
    # a 0-d array result, default h
    x = rng.standard_normal((1, 1))
    grad = _array(numerical_gradient(lambda v: np.sum(np.exp(v)), x), "numerical_gradient(...)")
    if grad.shape != (1, 1) or not np.allclose(grad, np.exp(x), rtol=1e-8, atol=0):
        fail("For f(x) = sum(exp(x)) on one element with the default h the gradient should be exp(x).")
    print("✓ numerical_gradient: central differences with the given h, x perturbed in place and restored.")


# ---------------------------------------------------------------------------------------------- gradient_check

class _ForgetfulLayer:
    """A layer whose backward forgets the derivative of its sigmoid: gradient_check must see it."""

    def __init__(self, w, lr):
        self.w, self.lr = w, lr

    def forward(self, x):
        self.top = 1 / (1 + np.exp(-(self.w.T @ x)))
        return self.top

    def backward(self, residual):
        residual_x = self.w @ residual
        self.w = self.w - self.lr * np.ones_like(self.w)
        return residual_x


@check
def check_gradient_check(gradient_check, FC):
    """A correct FC passes, a wrong layer fails, and lr is 0 during the check and restored after."""
    rng = np.random.default_rng(33)
    layer = FC(4, 3, 0.7, np.random.default_rng(1))
    layer.b = rng.standard_normal((3, 1))
    w_before, b_before = layer.w.copy(), layer.b.copy()
    error = gradient_check(layer, rng.standard_normal((4, 5)))
    if np.ndim(error) != 0:
        fail(f"gradient_check should return one number, the largest relative error; got shape {np.shape(error)}.")
    if getattr(layer, "lr", None) != 0.7:
        fail(f"After gradient_check the layer's lr should be back to its old value 0.7; it is "
              f"{getattr(layer, 'lr', None)!r}.")
    if not (np.allclose(layer.w, w_before, rtol=0, atol=1e-12) and np.allclose(layer.b, b_before, rtol=0, atol=1e-12)):
        fail("gradient_check changed the layer's weights: set layer.lr to 0 before calling backward, so "
              "that the check does not train the layer.")
    if not float(error) < 1e-7:
        fail(f"For a correct FC layer (if your FC passes its own check) gradient_check returned {float(error):.2g}; "
              f"it should be tiny (< 1e-7). Use residual = top (the gradient of 1/2·sum(top²)) and compare "
              f"with the numerical gradient of 1/2·sum(layer.forward(x)²) with rel_error.")
    wrong = _ForgetfulLayer(rng.standard_normal((3, 2)), 0.3)
    error = gradient_check(wrong, rng.standard_normal((3, 4)))
    if not float(error) > 1e-2:
        fail(f"For a layer whose backward pass is wrong gradient_check returned {float(error):.2g}; it should be "
              f"large (> 1e-2). Compare backward's residual_x with numerical_gradient, both for L = 1/2·sum(top²).")
    if wrong.lr != 0.3:
        fail("gradient_check should restore lr for any layer (here a layer with lr = 0.3).")
    print("✓ gradient_check: a correct FC gives a tiny error, a wrong backward a large one; lr is restored "
          "and the weights are untouched.")
