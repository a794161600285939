"""Hidden cases for 07_optimizers: sgd, sgd_momentum, adagrad, rmsprop, adadelta, adam
(course notes part 0_4).

Every case runs one update rule for several steps on a seeded gradient sequence, as a training loop
does: it starts from ``config = None`` (the defaults) or from a dict holding only hyperparameters,
always passes the returned config into the next call, and compares ``w`` after every step with the
reference. The rule may mutate and return ``config`` or return a new one, and may update ``w`` in
place (the spec writes ``w += v``): each call gets a fresh copy of the starting ``w`` and then the
``w`` it returned. The gradients are read-only: changing ``dw`` in place is reported.
"""
from __future__ import annotations

import dataclasses
from functools import partial

import numpy as np

from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import Case, compare, reference_case

SLUG = "07_optimizers"

# Each step is a few elementwise operations on O(1) numbers: float64 round-off stays near 1e-15.
RTOL, ATOL = 1e-7, 1e-10

# The call: `w` is the starting parameter, `dw` the stacked gradients (one per step), `hp_<key>`
# the hyperparameters of the case (0-d arrays). {update} and {config} are filled in per case.
CALL = """\
config = {config}
next_w = w.copy()
result = {{}}
for step in range(dw.shape[0]):
    next_w, config = {update}(next_w, dw[step], config)
    result["w_after_step_%d" % (step + 1)] = np.array(next_w, dtype=np.float64)
"""

# (case name, seed, shape of w, steps, scale of the gradients, hyperparameters or None)
CASES = {
    "sgd": [
        ("shape (3,), 6 steps, config=None (the default learning rate)", 701, (3,), 6, 1.0, None),
        ("shape (4, 5), 8 steps, config=None", 702, (4, 5), 8, 1.0, None),
        ("shape (1,), 10 steps, learning_rate 0.3", 703, (1,), 10, 1.0, {"learning_rate": 0.3}),
        ("shape (2, 3, 4), 7 steps, learning_rate 0.05", 704, (2, 3, 4), 7, 2.0, {"learning_rate": 0.05}),
        ("shape (4, 5), 5 steps, learning_rate 1e-3, large gradients", 705, (4, 5), 5, 100.0,
         {"learning_rate": 1e-3}),
    ],
    "sgd_momentum": [
        ("shape (3,), 6 steps, config=None (defaults)", 711, (3,), 6, 1.0, None),
        ("shape (4, 5), 8 steps, config=None", 712, (4, 5), 8, 1.0, None),
        ("shape (2, 3, 4), 5 steps, config=None", 713, (2, 3, 4), 5, 1.0, None),
        ("shape (1,), 10 steps, learning_rate 0.1, momentum 0.5", 714, (1,), 10, 1.0,
         {"learning_rate": 0.1, "momentum": 0.5}),
        ("shape (2, 3, 4), 7 steps, learning_rate 0.03, momentum 0.99", 715, (2, 3, 4), 7, 1.0,
         {"learning_rate": 0.03, "momentum": 0.99}),
        ("shape (4, 5), 9 steps, learning_rate 0.2 only (momentum at its default)", 716, (4, 5), 9, 1.0,
         {"learning_rate": 0.2}),
        ("shape (3,), 8 steps, momentum 0.7 only (learning_rate at its default)", 717, (3,), 8, 1.0,
         {"momentum": 0.7}),
    ],
    "adagrad": [
        ("shape (3,), 6 steps, config=None (defaults)", 721, (3,), 6, 1.0, None),
        ("shape (4, 5), 8 steps, config=None", 722, (4, 5), 8, 1.0, None),
        ("shape (2, 3, 4), 5 steps, config=None, large gradients", 723, (2, 3, 4), 5, 1e3, None),
        ("shape (1,), 10 steps, learning_rate 0.5, epsilon 1e-4", 724, (1,), 10, 1.0,
         {"learning_rate": 0.5, "epsilon": 1e-4}),
        ("shape (2, 3, 4), 7 steps, learning_rate 0.1, epsilon 0.01", 725, (2, 3, 4), 7, 1.0,
         {"learning_rate": 0.1, "epsilon": 0.01}),
        ("shape (4, 5), 9 steps, learning_rate 0.05 only, small gradients", 726, (4, 5), 9, 1e-3,
         {"learning_rate": 0.05}),
    ],
    "rmsprop": [
        ("shape (3,), 6 steps, config=None (defaults)", 731, (3,), 6, 1.0, None),
        ("shape (4, 5), 8 steps, config=None", 732, (4, 5), 8, 1.0, None),
        ("shape (2, 3, 4), 5 steps, config=None, small gradients", 733, (2, 3, 4), 5, 1e-3, None),
        ("shape (1,), 10 steps, learning_rate 0.05, decay_rate 0.9, epsilon 1e-4", 734, (1,), 10, 1.0,
         {"learning_rate": 0.05, "decay_rate": 0.9, "epsilon": 1e-4}),
        ("shape (2, 3, 4), 7 steps, learning_rate 0.002, decay_rate 0.5, epsilon 0.01", 735, (2, 3, 4), 7,
         1.0, {"learning_rate": 0.002, "decay_rate": 0.5, "epsilon": 0.01}),
        ("shape (4, 5), 9 steps, decay_rate 0.95 only (the rest at their defaults)", 736, (4, 5), 9, 10.0,
         {"decay_rate": 0.95}),
    ],
    "adadelta": [
        ("shape (3,), 6 steps, config=None (defaults)", 741, (3,), 6, 1.0, None),
        ("shape (4, 5), 8 steps, config=None", 742, (4, 5), 8, 1.0, None),
        ("shape (2, 3, 4), 5 steps, config=None, small gradients", 743, (2, 3, 4), 5, 1e-3, None),
        ("shape (1,), 10 steps, learning_rate 0.5, rho 0.95, epsilon 1e-4", 744, (1,), 10, 1.0,
         {"learning_rate": 0.5, "rho": 0.95, "epsilon": 1e-4}),
        ("shape (2, 3, 4), 7 steps, learning_rate 2.0, rho 0.5, epsilon 1e-3", 745, (2, 3, 4), 7, 1.0,
         {"learning_rate": 2.0, "rho": 0.5, "epsilon": 1e-3}),
        ("shape (4, 5), 9 steps, rho 0.8 only (the rest at their defaults)", 746, (4, 5), 9, 5.0,
         {"rho": 0.8}),
    ],
    "adam": [
        ("shape (3,), 6 steps, config=None (defaults)", 751, (3,), 6, 1.0, None),
        ("shape (4, 5), 8 steps, config=None", 752, (4, 5), 8, 1.0, None),
        ("shape (2, 3, 4), 5 steps, config=None, large gradients", 753, (2, 3, 4), 5, 1e3, None),
        ("shape (1,), 10 steps, learning_rate 0.05, beta1 0.8, beta2 0.95, epsilon 1e-4", 754, (1,), 10,
         1.0, {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.95, "epsilon": 1e-4}),
        ("shape (2, 3, 4), 7 steps, learning_rate 0.01, beta1 0.5, beta2 0.9, epsilon 1e-3", 755,
         (2, 3, 4), 7, 1.0, {"learning_rate": 0.01, "beta1": 0.5, "beta2": 0.9, "epsilon": 1e-3}),
        ("shape (4, 5), 9 steps, learning_rate 0.02 only (the rest at their defaults)", 756, (4, 5), 9,
         1.0, {"learning_rate": 0.02}),
        ("shape (3,), 8 steps, beta1 0.95 and beta2 0.99 only, small gradients", 757, (3,), 8, 1e-2,
         {"beta1": 0.95, "beta2": 0.99}),
    ],
}

HINTS = {
    "sgd": "Plain gradient descent: every step moves w against its gradient by learning_rate · dw, with the "
           "learning rate read from config (default 1e-2 when config is None or has no 'learning_rate'). "
           "Return the config, so the next call gets the same hyperparameters.",
    "sgd_momentum": "The velocity v starts at zeros and lives in config: v_t = μ·v_{t−1} − η·dw, then w_t = "
                    "w_{t−1} + v_t (the first step equals SGD's). Missing keys default to η = 1e-2 and μ = 0.9; "
                    "a config that already holds hyperparameters keeps them, and the velocity must be carried "
                    "from one call to the next.",
    "adagrad": "Accumulate the elementwise squares of every gradient, s_t = s_{t−1} + dw² (starting at zeros, kept "
               "in config), and divide the step by the root of the sum plus ε: w − η·dw/(√s_t + ε), with ε added "
               "after the root. Defaults: η = 1e-2, ε = 1e-8.",
    "rmsprop": "Like AdaGrad, but with a moving average instead of a sum: s_t = ρ·s_{t−1} + (1 − ρ)·dw² (ρ is "
               "'decay_rate', default 0.99; s starts at zeros and is kept in config), then w − η·dw/(√s_t + ε), "
               "ε after the root. Defaults: η = 1e-2, ε = 1e-8.",
    "adadelta": "Two running averages kept in config, both starting at zeros and both with decay ρ ('rho', default "
                "0.9): first E[g²] is updated with dw²; the step is Δ = −√(E[Δ²] + ε)/√(E[g²] + ε)·dw using "
                "E[Δ²] from before this step (ε inside both roots, default 1e-6); then E[Δ²] is updated with Δ² "
                "(Δ itself, not multiplied by the learning rate); finally w + η·Δ (η default 1.0).",
    "adam": "Increase the step count t (kept in config, 0 before the first call) before using it; update m with "
            "dw and v with dw² as moving averages (β1 = 0.9, β2 = 0.999 by default); bias-correct both: "
            "m/(1 − β1^t) and v/(1 − β2^t); step −η·m̂/(√v̂ + ε) with ε after the root (η = 1e-3, ε = 1e-8 by "
            "default). Under a constant gradient every bias-corrected step is η in size.",
}

POINTS = {"sgd": 1, "sgd_momentum": 2, "adagrad": 2, "rmsprop": 2, "adadelta": 3, "adam": 3}


def _call(update: str, hyperparameters: dict | None) -> str:
    if hyperparameters is None:
        config = "None"
    else:
        config = "{" + ", ".join(f'"{key}": float(hp_{key})' for key in hyperparameters) + "}"
    return CALL.format(update=update, config=config)


def _inputs(seed: int, shape: tuple, steps: int, scale: float, hyperparameters: dict | None) -> dict:
    """A starting w and a gradient per step; entries of the gradients are 0.2 to 2 times `scale`."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape)
    size = rng.uniform(0.2, 2.0, size=(steps,) + shape)
    dw = scale * size * rng.choice([-1.0, 1.0], size=(steps,) + shape)
    inputs = {"w": w, "dw": dw}
    inputs.update({f"hp_{key}": np.array(float(value)) for key, value in (hyperparameters or {}).items()})
    return inputs


def _first_wrong_step(case: Case) -> Case:
    """Report the first step that goes wrong and how many later ones follow, not every one of them."""
    judge = case.judge

    def first_only(outputs):
        problems = judge(outputs)
        steps = [p for p in problems if p.startswith("`w_after_step_")]
        others = [p for p in problems if p not in steps]
        if len(steps) > 1:
            steps = [steps[0], f"w after {len(steps) - 1} later step(s) is wrong as well"]
        return steps + others

    return dataclasses.replace(case, judge=first_only)


def _any_default_learning_rate(case: Case) -> Case:
    """sgd with config=None: the spec gives sgd no default learning rate, so accept any fixed positive one
    (the notebook documents 1e-2, which is what the reference uses)."""
    w, dw = case.inputs["w"], case.inputs["dw"]
    descent = np.cumsum(dw, axis=0)  # w after step k is w − η·(dw_1 + … + dw_k)

    def judge(outputs):
        keys = [f"w_after_step_{k + 1}" for k in range(dw.shape[0])]
        first = outputs.get(keys[0])
        if first is not None and first.shape == w.shape and np.all(np.isfinite(first)):
            rate = float(np.sum((w - first) * descent[0]) / np.sum(descent[0] ** 2))
        else:
            rate = 1e-2
        if not (np.isfinite(rate) and rate > 0):
            return ["`w_after_step_1` does not move w against dw: with config=None, sgd should take the step "
                    "−learning_rate·dw with a positive default learning rate (the notebook's is 1e-2)"]
        problems = [p for k, key in enumerate(keys)
                    for p in compare(key, outputs.get(key), w - rate * descent[k], RTOL, ATOL)]
        problems += [f"unexpected output `{k}`" for k in sorted(set(outputs) - set(keys))]
        return problems

    return dataclasses.replace(case, judge=judge)


def _cases(name: str, reference: dict) -> list[Case]:
    cases = []
    for title, seed, shape, steps, scale, hyperparameters in CASES[name]:
        case = reference_case(title, _call(name, hyperparameters), _inputs(seed, shape, steps, scale, hyperparameters),
                              reference, RTOL, ATOL)
        if name == "sgd" and hyperparameters is None:
            case = _any_default_learning_rate(case)
        cases.append(_first_wrong_step(case))
    return cases


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checking.py", "checks.py"),
    tasks=[TaskSpec(name, POINTS[name], HINTS[name], cases=partial(_cases, name)) for name in CASES])
