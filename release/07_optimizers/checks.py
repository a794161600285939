"""Visible checks for assignment 07_optimizers (optimization methods, 优化方法).

Each ``check_*`` prints one line starting with ✓ when it passes, and raises AssertionError with
a sentence saying what is wrong and where to look when it does not. No check holds a value
computed by a reference solution: they test shapes, the contract of ``config``, the documented
defaults, and consequences of each update rule that the notebook derives (the first step of a
rule, its steps under a constant gradient, its invariance to the scale of the gradient), plus a
loss that must go down on a simple quadratic bowl.
"""
import numpy as np

from checking import as_array, checker, fail, mistake, returned, unchanged

# The documented defaults (the notebook's docstrings); a config of None must behave exactly like these.
DEFAULTS = {
    "sgd": {"learning_rate": 1e-2},
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-8},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adadelta": {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}

# Learning rates for the quadratic bowl: each rule should shrink the loss a lot in 200 steps.
BOWL = {
    "sgd": ({"learning_rate": 0.05}, 1e-2),
    "sgd_momentum": ({"learning_rate": 0.02}, 1e-2),
    "adagrad": ({"learning_rate": 0.5}, 1e-2),
    "rmsprop": ({"learning_rate": 0.05}, 1e-2),
    "adadelta": (None, 0.5),  # Adadelta starts slowly: halving the loss in 200 steps is enough
    "adam": ({"learning_rate": 0.1}, 1e-2),
}

SHAPES = [(1,), (3,), (4, 5), (2, 3, 4)]


TASKS = ["sgd", "sgd_momentum", "adagrad", "rmsprop", "adadelta", "adam"]
check = checker(TASKS)


def _as_array(value, name, function):
    return np.array(as_array(value, name, function), copy=True)


def _gradients(seed, shape, steps, scale=1.0):
    """Random gradients whose entries are between 0.5 and 2 in size (so epsilon hardly matters)."""
    rng = np.random.default_rng(seed)
    size = rng.uniform(0.5, 2.0, size=(steps,) + shape)
    return scale * size * rng.choice([-1.0, 1.0], size=(steps,) + shape)


def _run(update, name, w0, dws, config):
    """Call ``update`` once per gradient as a training loop does; the w after every step.

    Returns (list of w arrays after each step, the last config).
    """
    w = np.array(w0, dtype=np.float64)
    after = []
    for k, dw in enumerate(dws):
        dw = np.array(dw, dtype=np.float64)
        dw_before = dw.copy()
        result = update(w, dw, config)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            fail(f"{name} should return a pair `(next_w, config)`: the updated parameter and the "
                 f"config (hyperparameters and state) to pass into the next call.")
        next_w, config = result
        if not isinstance(config, dict):
            fail(f"{name} returned a config of type {type(config).__name__}; return a dict (when you "
                  f"were given None, create a new dict), holding the hyperparameters and the state.")
        unchanged(name, {"dw": dw_before}, {"dw": dw})  # w may be updated in place, dw may not
        array = _as_array(next_w, "next_w", name)
        if array.shape != np.shape(w0):
            fail(f"{name} returned next_w of shape {array.shape} for w of shape {np.shape(w0)}; the "
                  f"update is elementwise and keeps the shape of w.")
        if not np.all(np.isfinite(array)):
            fail(f"{name} returned NaN or inf at step {k + 1} for ordinary gradients (entries of "
                  f"size 0.5 to 2). Look for a division by zero: epsilon is there to prevent it.")
        after.append(array)
        w = next_w
    return after, config


def _steps(w0, after):
    """The step taken at each call: w after the call minus w before it."""
    before = [np.asarray(w0, dtype=np.float64)] + after[:-1]
    return [a - b for a, b in zip(after, before)]


def _close(a, b, rtol):
    return bool(np.all(np.abs(a - b) <= rtol * np.abs(b) + 1e-15))


def _contract(update, name):
    """Shapes, config handling, defaults, fresh state, the learning rate and the bowl."""
    defaults = DEFAULTS[name]
    for i, shape in enumerate(SHAPES):
        w0 = np.random.default_rng(100 + i).standard_normal(shape)
        _run(update, name, w0, _gradients(200 + i, shape, 3), None)

    w0 = np.random.default_rng(1).standard_normal((4, 5))
    dws = _gradients(2, (4, 5), 6)
    first, _ = _run(update, name, w0, dws, None)
    again, _ = _run(update, name, w0, dws, None)
    if not all(np.array_equal(a, b) for a, b in zip(first, again)):
        fail(f"Running {name} twice on the same gradients, each time starting from config=None, "
              f"gave different results: some state survives from one run to the next. Keep the "
              f"state only in config, and make a NEW dict when config is None (not a dict shared "
              f"between calls, such as a module-level or default-argument dict).")
    explicit, _ = _run(update, name, w0, dws, dict(defaults))
    if not all(np.array_equal(a, b) for a, b in zip(first, explicit)):
        fail(f"With config=None, {name} does not behave like a config holding the documented "
              f"defaults {defaults}. A missing hyperparameter takes its default, e.g. with "
              f"config.setdefault(...).")
    doubled, _ = _run(update, name, w0, dws, {"learning_rate": 2 * defaults["learning_rate"]})
    steps, steps2 = _steps(w0, first), _steps(w0, doubled)
    if not all(_close(s2, 2 * s, 1e-9) for s, s2 in zip(steps, steps2)):
        fail(f"With config={{'learning_rate': {2 * defaults['learning_rate']:g}}} (twice the default, "
              f"every other hyperparameter at its default) every step of {name} should be exactly "
              f"twice as long as with config=None: the learning rate multiplies the whole step. Read "
              f"the learning rate from config['learning_rate']." + (
                  " In Adadelta, E[Δw²] averages the squares of Δ itself, before Δ is multiplied by the "
                  "learning rate." if name == "adadelta" else ""))

    config, bound = BOWL[name]
    rng = np.random.default_rng(3)
    curvature, w = rng.uniform(1.0, 10.0, size=(3, 4)), rng.uniform(-2.0, 2.0, size=(3, 4))
    loss0 = 0.5 * np.sum(curvature * w ** 2)
    config = None if config is None else dict(config)
    for _ in range(200):
        result = returned(update(w, curvature * w, config), name, ("next_w", "config"))
        w, config = np.array(result[0], dtype=np.float64), result[1]
    loss = 0.5 * np.sum(curvature * w ** 2)
    if not np.isfinite(loss) or loss > bound * loss0:
        fail(f"On the bowl L(w) = ½·Σ a·w² (curvatures a between 1 and 10), 200 steps of {name} with "
              f"config={BOWL[name][0]} took the loss from {loss0:.3g} to {loss:.3g}; it should fall "
              f"below {bound:g} of where it started. Check the sign of the step (against the "
              f"gradient) and that the state is carried from call to call.")
    if name != "sgd":
        w0 = np.zeros(3)
        g1, g2 = _gradients(4, (3,), 2)
        carried = _steps(w0, _run(update, name, w0, [g1, g2], None)[0])[1]
        fresh = _steps(w0, _run(update, name, w0, [g2], None)[0])[0]
        if _close(carried, fresh, 1e-12):
            fail(f"The second step of {name} (after a first gradient g1) is the same as the first step "
                  f"of a fresh run on the same gradient: the state is not carried. Store it in config and "
                  f"read it back on the next call (the caller passes the config you returned).")


def _constant_gradient_steps(update, name, config, steps=10, scale=1.0, seed=5):
    g = _gradients(seed, (3,), 1, scale)[0]
    w0 = np.random.default_rng(seed + 1).standard_normal(3)
    after, _ = _run(update, name, w0, [g] * steps, config)
    return g, _steps(w0, after)


@check
def check_sgd(sgd):
    """The contract of config, defaults, the learning rate, and the rule w − lr·dw."""
    _contract(sgd, "sgd")
    g, steps = _constant_gradient_steps(sgd, "sgd", {"learning_rate": 0.1}, steps=3)
    phrase = mistake(steps[0], -0.1 * g, against="the step −0.1·dw")
    if phrase:
        fail(f"With learning_rate 0.1, the step of sgd {phrase}.")
    if not all(_close(s, -0.1 * g, 1e-12) for s in steps):
        fail("With learning_rate 0.1, every step of sgd should be −0.1·dw: a step against the "
              "gradient, as long as the gradient times the learning rate.")
    print("✓ sgd: shapes, config (defaults, learning rate) and the rule w − η·dw are right; the loss "
          "falls on the bowl.")


@check
def check_sgd_momentum(sgd_momentum):
    """Contract, the first step (= SGD), momentum 0 (= SGD), the geometric build-up of velocity."""
    _contract(sgd_momentum, "sgd_momentum")
    g, steps = _constant_gradient_steps(sgd_momentum, "sgd_momentum", {"learning_rate": 0.1, "momentum": 0.0}, 4)
    if not all(_close(s, -0.1 * g, 1e-12) for s in steps):
        fail("With momentum 0, sgd_momentum should be plain SGD: every step −learning_rate·dw. Read "
              "config['momentum'] and check the sign: v = μ·v − η·dw, then w + v.")
    g, steps = _constant_gradient_steps(sgd_momentum, "sgd_momentum", None, 8)
    if not _close(steps[0], -1e-2 * g, 1e-12):
        fail("The first step of sgd_momentum (velocity v starts at zeros) should equal the SGD step "
              "−η·dw; check how v starts and the sign of the update.")
    for k in range(1, len(steps)):
        factor = sum(0.9 ** i for i in range(k + 1))
        if not _close(steps[k], factor * steps[0], 1e-9):
            fail(f"Under a constant gradient the velocity builds up geometrically: step {k + 1} should be "
                  f"1 + μ + … + μ^{k} = {factor:.6g} times the first step (μ = 0.9). Keep v in config "
                  f"and update it as v = μ·v − η·dw.")
    print("✓ sgd_momentum: shapes, config, defaults; momentum 0 is SGD and a constant gradient builds up "
          "the velocity as 1 + μ + μ² + …; the loss falls on the bowl.")


@check
def check_adagrad(adagrad):
    """Contract, steps lr/√t under a constant gradient, invariance to the gradient's scale."""
    _contract(adagrad, "adagrad")
    for scale in (1.0, 1e3, 1e-3):
        g, steps = _constant_gradient_steps(adagrad, "adagrad", None, 9, scale)
        for k, step in enumerate(steps, start=1):
            if not _close(step, -1e-2 * np.sign(g) / np.sqrt(k), 1e-4):
                fail(f"Under a constant gradient (entries of size {0.5 * scale:g} to {2 * scale:g}) "
                      f"the accumulated squares after t steps are t·dw², so step t of adagrad should be "
                      f"about η/√t in every coordinate, against the sign of dw, whatever the gradient's "
                      f"scale. Step {k} is not. Accumulate dw² in config and divide by √cache + ε.")
    print("✓ adagrad: shapes, config, defaults; under a constant gradient the steps shrink as η/√t in every "
          "coordinate, whatever the scale of the gradient; the loss falls on the bowl.")


@check
def check_rmsprop(rmsprop):
    """Contract, decay_rate 0 (steps of size lr), the start-up steps lr/√(1 − ρ^t)."""
    _contract(rmsprop, "rmsprop")
    w0 = np.random.default_rng(6).standard_normal((2, 3))
    dws = _gradients(7, (2, 3), 4)
    after, _ = _run(rmsprop, "rmsprop", w0, dws, {"learning_rate": 0.1, "decay_rate": 0.0})
    for k, (step, dw) in enumerate(zip(_steps(w0, after), dws), start=1):
        if not _close(step, -0.1 * np.sign(dw), 1e-6):
            fail(f"With decay_rate ρ = 0 the cache is just dw², so every step of rmsprop should be η in "
                  f"size, against the sign of dw (step {k} is not). Read config['decay_rate'] and check "
                  f"cache = ρ·cache + (1 − ρ)·dw² and the division by √cache + ε.")
    for scale in (1.0, 1e-3):
        g, steps = _constant_gradient_steps(rmsprop, "rmsprop", None, 8, scale)
        for k, step in enumerate(steps, start=1):
            size = 1e-2 / np.sqrt(1 - 0.99 ** k)
            if not _close(step, -size * np.sign(g), 1e-4):
                fail(f"Under a constant gradient the cache after t steps is (1 − ρ^t)·dw², so step t of "
                      f"rmsprop should be η/√(1 − ρ^t) in size (with the defaults {size:.4g} at step {k}), "
                      f"whatever the gradient's scale. Step {k} is not. Keep the cache in config and "
                      f"update it as a moving average.")
    print("✓ rmsprop: shapes, config, defaults; decay_rate 0 gives steps of size η, and a constant gradient "
          "gives the start-up steps η/√(1 − ρ^t); the loss falls on the bowl.")


@check
def check_adadelta(adadelta):
    """Contract, the first step √(ε/(1 − ρ)), steps growing under a constant gradient."""
    _contract(adadelta, "adadelta")
    for config, rho, eps in ((None, 0.9, 1e-6), ({"rho": 0.5, "epsilon": 1e-4}, 0.5, 1e-4)):
        g, steps = _constant_gradient_steps(adadelta, "adadelta", config, 10, scale=10.0)
        first = np.sqrt(eps / (1 - rho))
        if not _close(steps[0], -first * np.sign(g), 1e-3):
            fail(f"E[Δw²] starts at zero, so the first Adadelta step is √ε/√((1 − ρ)·dw² + ε)·dw, about "
                  f"√(ε/(1 − ρ)) = {first:.4g} in size for gradients much larger than √ε (here ρ = {rho:g}, "
                  f"ε = {eps:g}). Yours is not: check that ε sits inside both square roots and that "
                  f"config['rho'] and config['epsilon'] are read.")
        sizes = [np.abs(s) for s in steps]
        if not all(np.all(b > a) for a, b in zip(sizes, sizes[1:])):
            fail("Under a constant gradient the Adadelta steps should grow from call to call: the running "
                  "average of the squared steps E[Δw²] builds up in the numerator while E[g²] settles. "
                  "Keep both averages in config, and update E[Δw²] with the step Δ after computing it.")
    w0 = np.ones(3)
    after, _ = _run(adadelta, "adadelta", w0, [np.array([1.0, -2.0, 0.5]), np.zeros(3)], None)
    if not np.array_equal(after[1], after[0]):
        fail("A zero gradient should not move w in Adadelta: the step is a ratio times dw.")
    print("✓ adadelta: shapes, config, defaults; the first step is about √(ε/(1 − ρ)) whatever the gradient's "
          "scale, and the steps grow under a constant gradient; the loss falls on the bowl.")


@check
def check_adam(adam):
    """Contract, bias correction (steps of size lr under a constant gradient), moments carried."""
    _contract(adam, "adam")
    for scale in (1.0, 1e3, 1e-3):
        g, steps = _constant_gradient_steps(adam, "adam", None, 10, scale)
        if _close(steps[0], -1e-3 * np.sign(g) * 0.1 / np.sqrt(0.001), 1e-4):
            fail("The first step of adam is about 3.16·η in size: (1 − β1)/√(1 − β2) = 0.1/√0.001. That is "
                  "the first step WITHOUT bias correction; divide m by 1 − β1^t and v by 1 − β2^t.")
        for k, step in enumerate(steps, start=1):
            if not _close(step, -1e-3 * np.sign(g), 1e-4):
                fail(f"Under a constant gradient the bias-corrected moments are exactly m̂ = dw and "
                      f"v̂ = dw², so every step of adam should be η = 1e-3 in size, against the sign of dw, "
                      f"whatever the gradient's scale. Step {k} is not (gradient entries of size "
                      f"{0.5 * scale:g} to {2 * scale:g}). Check the bias correction (偏差修正), that the step "
                      f"count t is kept in config, starts at 0 and is increased before it is used, and that "
                      f"ε is added after the root of the corrected v̂.")
    w0 = np.zeros(3)
    dws = _gradients(8, (3,), 3)
    after, _ = _run(adam, "adam", w0, dws, {"learning_rate": 0.1, "beta1": 0.0, "beta2": 0.0})
    for k, (step, dw) in enumerate(zip(_steps(w0, after), dws), start=1):
        if not _close(step, -0.1 * np.sign(dw), 1e-6):
            fail("With beta1 = beta2 = 0 the moments are just dw and dw², so every step of adam should be "
                  "η in size against the sign of dw. Read config['beta1'] and config['beta2'].")
    after, _ = _run(adam, "adam", w0, [np.array([1.0, -2.0, 0.5]), np.zeros(3)], None)
    if np.any(after[1] == after[0]):
        fail("After a nonzero gradient, a zero gradient should still move w in adam: the first moment m "
              "(the momentum part) still remembers the previous gradient. Keep m, v and t in config.")
    print("✓ adam: shapes, config, defaults; with bias correction every step under a constant gradient is η, "
          "whatever the gradient's scale; the moments are carried; the loss falls on the bowl.")
