"""Visible checks of 02_gender_demo: the course's worked example, comparisons with the provided
per-weight network, shapes and numerical gradients. Each check prints a line starting with ✓
when it passes and raises AssertionError with an explanation when it does not."""
import numpy as np

from checking import Handed, call, checker, compare, fail
from gradient_check import numerical_gradient, numerical_gradient_array

TASKS = ["NeuralNetwork_train", "LinearLayer", "SigmoidLayer", "MSELoss"]
check = checker(TASKS)

# The course's four people, rows [weight kg, height cm], female = 1, male = 0.
_DATA = np.array([[50.0, 150.0], [51.0, 149.0], [60.0, 172.0], [90.0, 188.0]])
_LABELS = np.array([1.0, 1.0, 0.0, 0.0])
_CENTERED = _DATA - np.floor(_DATA.mean(axis=0))      # 62 kg, 164 cm
_NAMES = ("w31", "w32", "w41", "w42", "w53", "w54", "b3", "b4", "b5")

# Printed by the course for all parameters 0.1 on the raw data: the first logged loss.
_COURSE_FIRST_LOSS = 0.2551368026612414


def _params(values):
    return {name: float(v) for name, v in zip(_NAMES, values)}


def _losses_array(losses, who):
    try:
        arr = np.array([float(v) for v in losses], dtype=float)
    except TypeError:
        fail(f"{who}.train should return a list of floats (the logged losses), got {type(losses).__name__}.")
    return arr


def _first_difference(mine, theirs, atol):
    bad = np.flatnonzero(np.abs(mine - theirs) > atol)
    return int(bad[0]) if bad.size else None


@check
def check_NeuralNetwork_train(NeuralNetwork_train, NeuralNetwork_train_before):
    # The constructor must not touch params.
    params = _params([0.1] * 9)
    net = NeuralNetwork_train(params)
    assert params == _params([0.1] * 9), (
        "Creating NeuralNetwork_train(params) changed the params dict; the constructor should only "
        "copy the values into its own arrays.")

    # feedforward: one person -> one float, the same y5 as the per-weight network.
    params = _params(np.random.default_rng(3).standard_normal(9))
    person = np.array([-12.0, -14.0])                  # the first person, zero-meaned
    y5 = NeuralNetwork_train(dict(params)).feedforward(person.copy())
    assert np.ndim(y5) == 0, (
        f"feedforward(x) for one person x of shape (2,) should return a float (y5), got something of "
        f"shape {np.shape(y5)}.")
    expected = NeuralNetwork_train_before(dict(params)).feedforward(person.copy())
    assert abs(float(y5) - expected) <= 1e-12, (
        f"feedforward([-12, -14]) with random parameters gives {float(y5)!r}, but the per-weight "
        f"network gives {expected!r}. Check net_hidden = W_hidden·x + b_hidden (row j of W_hidden "
        f"holds the weights into neuron j) and net5 = W_out·y_hidden + b5, each followed by the sigmoid.")
    print("✓ feedforward of one person returns a float equal to the per-weight network's y5")

    # The course's run: all parameters 0.1, raw data.
    losses = _losses_array(NeuralNetwork_train(_params([0.1] * 9)).train(_DATA.copy(), _LABELS.copy()),
                           "NeuralNetwork_train")
    assert losses.shape == (100,), (
        f"train(data, all_y_trues) ran 1000 epochs and should log one loss for every epoch with "
        f"epoch % 10 == 0, i.e. 100 losses; got {losses.size}.")
    assert abs(losses[0] - _COURSE_FIRST_LOSS) <= 1e-12, (
        f"With every parameter 0.1 on the raw data the course's first logged loss (after epoch 0) is "
        f"{_COURSE_FIRST_LOSS!r}; yours is {float(losses[0])!r}. Check the error terms (δ5 = dE/dy5·y5(1 - y5), "
        f"then δ_hidden with the factor y(1 - y)), dE/dy5 = -2/n (t - y5) with n = 4, learning rate 0.1, "
        f"one update per person in array order, and that the loss is the MSE over all four people "
        f"after the updates of the epoch.")
    assert np.all(np.abs(losses - 0.25) < 0.006), (
        "On the raw data with all parameters 0.1 the loss should stay near 0.25 for all 1000 epochs "
        f"(the sigmoids saturate); yours ranges from {losses.min():.4f} to {losses.max():.4f}.")
    print(f"✓ all parameters 0.1, raw data: first loss {float(losses[0])!r} (the course's), "
          f"stays near 0.25 — saturation, which is why we zero-mean")

    # Random parameters on zero-meaned data: the loss trace of the per-weight version.
    start = _params(np.random.default_rng(1).standard_normal(9))
    mine = _losses_array(NeuralNetwork_train(dict(start)).train(_CENTERED.copy(), _LABELS.copy()),
                         "NeuralNetwork_train")
    theirs = np.array(NeuralNetwork_train_before(dict(start)).train(_CENTERED.copy(), _LABELS.copy()))
    assert mine.shape == theirs.shape, (
        f"On the zero-meaned data you logged {mine.size} losses, the per-weight version {theirs.size}.")
    k = _first_difference(mine, theirs, 1e-12)
    assert k is None, (
        f"On the zero-meaned data with random parameters your loss trace leaves the per-weight "
        f"version's at losses[{k}] (epoch {10 * k}): {float(mine[k])!r} vs {float(theirs[k])!r}. Compare your "
        f"error terms with the derivation: δ5 = dE/dy5·y5(1 - y5), δ_hidden = (W_outᵀ δ5) ∘ y(1 - y) "
        f"with W_out from before the step, gradients δ xᵀ (outer products), bias gradients δ.")
    print(f"✓ random parameters, zero-meaned data: your loss trace equals the per-weight version's "
          f"(final loss {mine[-1]:.4f})")


def _check_linear_case(LinearLayer, n, d_in, d_out, rng):
    x = rng.standard_normal((n, d_in))
    w = rng.standard_normal((d_in, d_out))
    b = rng.standard_normal(d_out)
    delta = rng.standard_normal((n, d_out))
    shape = f"N={n}, in={d_in}, out={d_out}"

    layer = LinearLayer(d_in, d_out, np.random.default_rng(0))
    layer.w, layer.b = w.copy(), b.copy()
    given = Handed(x=x, delta=delta)
    out = np.asarray(layer.forward(given.x))
    assert out.shape == (n, d_out), f"forward of x {x.shape} should give shape {(n, d_out)}, got {out.shape} ({shape})."
    delta_in = np.asarray(layer.backward(given.delta))
    given.check("LinearLayer")
    assert delta_in.shape == (n, d_in), (
        f"backward should return delta_in of the input's shape {(n, d_in)}, got {delta_in.shape} ({shape}).")
    assert layer.dw is not None and np.shape(layer.dw) == (d_in, d_out), (
        f"after backward, self.dw should have the shape of w, {(d_in, d_out)}; got {np.shape(layer.dw)} ({shape}).")
    assert layer.db is not None and np.shape(layer.db) == (d_out,), (
        f"after backward, self.db should have the shape of b, {(d_out,)}; got {np.shape(layer.db)} ({shape}). "
        f"Sum over the batch.")
    dw, db = np.array(layer.dw, dtype=float), np.array(layer.db, dtype=float)

    probe = LinearLayer(d_in, d_out, np.random.default_rng(0))
    probe.w, probe.b = w.copy(), b.copy()

    def with_w(v):
        probe.w = v
        return probe.forward(x.copy())

    def with_b(v):
        probe.b = v
        return probe.forward(x.copy())

    num_x = numerical_gradient_array(lambda v: probe.forward(v.copy()), x.copy(), delta)
    num_w = numerical_gradient_array(with_w, w.copy(), delta)
    probe.w = w.copy()
    num_b = numerical_gradient_array(with_b, b.copy(), delta)
    for name, mine, num, what in (("delta_in", delta_in, num_x, "delta·wᵀ"),
                                  ("dw", dw, num_w, "xᵀ·delta, summed over the batch"),
                                  ("db", db, num_b, "the sum of delta's rows")):
        compare("LinearLayer.backward", name, mine, num, shape, f"It should be {what}.", batch=n,
                rtol=1e-7, atol=1e-9)

    lr = 0.1
    layer.update(lr)
    assert np.allclose(layer.w, w - lr * dw, rtol=1e-12, atol=1e-12) and \
        np.allclose(layer.b, b - lr * db, rtol=1e-12, atol=1e-12), (
        f"update(lr) should set w to w - lr·dw and b to b - lr·db, using the gradients of the last "
        f"backward ({shape}).")


@check
def check_LinearLayer(LinearLayer):
    rng = np.random.default_rng(0)
    layer = LinearLayer(3, 4, rng)
    assert np.shape(layer.w) == (3, 4) and np.shape(layer.b) == (4,), (
        "LinearLayer(3, 4, rng) should have w of shape (3, 4) and b of shape (4,).")

    # A hand example: out = 1·1 + 2·1 + 0.5.
    layer = LinearLayer(2, 1, rng)
    layer.w, layer.b = np.array([[1.0], [1.0]]), np.array([0.5])
    out = np.asarray(call("LinearLayer.forward", layer.forward, np.array([[1.0, 2.0]])))
    if out.shape == (1, 1) and abs(float(out[0, 0]) - 3.0) < 1e-12:
        fail("forward([[1, 2]]) with w = [[1], [1]] and b = [0.5] gives [[3.0]] = x·w: the bias (偏置) b is "
             "missing. out = x·w + b, with b added to every row.")
    assert out.shape == (1, 1) and abs(float(out[0, 0]) - 3.5) < 1e-12, (
        f"forward([[1, 2]]) with w = [[1], [1]] and b = [0.5] should be [[3.5]] (x·w + b); got {out.tolist()}.")

    for n, d_in, d_out in ((4, 3, 2), (1, 2, 2), (5, 1, 3)):
        _check_linear_case(LinearLayer, n, d_in, d_out, rng)
    print("✓ LinearLayer: shapes, forward example, backward (delta_in, dw, db) matches numerical "
          "gradients, update is one SGD step")


@check
def check_SigmoidLayer(SigmoidLayer):
    layer = SigmoidLayer()
    y = np.asarray(layer.forward(np.zeros((2, 3))))
    assert y.shape == (2, 3) and np.allclose(y, 0.5, rtol=0, atol=1e-15), (
        "forward(zeros) should be 0.5 everywhere (σ(0) = 1/2), in the input's shape.")
    rng = np.random.default_rng(1)
    for shape in ((4, 2), (1, 1), (3, 5)):
        x = 2.0 * rng.standard_normal(shape)
        delta = rng.standard_normal(shape)
        layer = SigmoidLayer()
        given = Handed(x=x, delta=delta)
        y = np.asarray(layer.forward(given.x))
        assert y.shape == shape and np.all((y > 0) & (y < 1)), (
            f"forward should return values in (0, 1) in the input's shape {shape}.")
        dx = np.asarray(layer.backward(given.delta))
        given.check("SigmoidLayer")
        num = numerical_gradient_array(lambda v: SigmoidLayer().forward(v.copy()), x.copy(), delta)
        compare("SigmoidLayer.backward", "dx", dx, num, f"shape {shape}",
                "The sigmoid's derivative is y(1 - y), with y the output of the last forward.", rtol=1e-7, atol=1e-9)
    print("✓ SigmoidLayer: σ(0) = 0.5, backward matches numerical gradients")


@check
def check_MSELoss(MSELoss):
    loss = MSELoss()
    value = loss.forward(np.zeros(4), np.array([1.0, 0.0, 0.0, 1.0]))
    assert np.ndim(value) == 0 and abs(float(value) - 0.5) < 1e-12, (
        f"forward(y_pred=[0, 0, 0, 0], y_true=[1, 0, 0, 1]) should be (1 + 0 + 0 + 1) / 4 = 0.5, a "
        f"single number; got {np.asarray(value).tolist()}.")
    rng = np.random.default_rng(2)
    for shape in ((4, 1), (1, 1), (2, 3)):
        y_pred, y_true = rng.standard_normal(shape), rng.standard_normal(shape)
        loss = MSELoss()
        given = Handed(y_pred=y_pred, y_true=y_true)
        loss.forward(given.y_pred, given.y_true)
        grad = np.asarray(loss.backward())
        given.check("MSELoss")
        num = numerical_gradient(lambda v: float(MSELoss().forward(v.copy(), y_true.copy())), y_pred.copy())
        compare("MSELoss.backward", "the gradient", grad, num, f"shape {shape}",
                "Differentiate the mean of squares exactly: mind the factor 2 and the division by the number of "
                "entries.", batch=y_pred.size, rtol=1e-7, atol=1e-9)
    print("✓ MSELoss: forward example, backward matches numerical gradients")


@check
def check_layer_demo(losses, predictions, inference_y_trues):
    losses = np.asarray(losses, dtype=float)
    predictions = np.reshape(np.asarray(predictions, dtype=float), -1)
    assert losses.shape == (100,) and np.all(np.isfinite(losses)), (
        "The layer-built demo should log 100 finite losses (one every 10 epochs).")
    assert losses[-1] < 0.02, (
        f"The layer-built demo did not converge: final logged loss {losses[-1]:.4f}, it should be below "
        f"0.02. If your layers pass their checks, look at how they are chained in backward.")
    for person, y5, label in zip(("(89 kg, 190 cm)", "(60 kg, 155 cm)"), predictions, inference_y_trues):
        assert (y5 > 0.5) == bool(label), (
            f"The trained layer-built network classifies {person} as "
            f"{'female' if y5 > 0.5 else 'male'} (y5 = {y5:.3f}); it should be "
            f"{'female' if label else 'male'}.")
    print(f"✓ the gender demo built from layers converges (final loss {losses[-1]:.4f}) and "
          f"classifies both inference people correctly")
