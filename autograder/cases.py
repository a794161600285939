"""Hidden test cases, judged in the grader process.

A :class:`Case` carries inputs made by the grader, a short piece of Python (``call``) that
calls the student's functions with those inputs in the student's kernel and assigns a dict to
``result``, and a ``judge`` that the grader applies to what comes back. The judge never runs in
the kernel, so nothing the student's code does there can change a verdict.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .student.checking import mistake

Arrays = Mapping[str, np.ndarray]
Judge = Callable[[Arrays], "list[str]"]


@dataclass(frozen=True)
class Case:
    name: str
    call: str
    inputs: dict[str, np.ndarray]
    judge: Judge
    expected: dict[str, np.ndarray] = field(default_factory=dict)  # reference outputs, grader only
    reference_seconds: float = 0.0  # how long the reference took on this case


@dataclass(frozen=True)
class Task:
    """One graded task: ``name`` is the nbgrader ``grade_id`` of the student's answer cell."""

    name: str
    points: float
    hint: str
    cases: list[Case] = field(default_factory=list)
    timeout: float = 10.0  # seconds one case may take (the grader author's budget)

    @property
    def test_cell(self) -> str:
        return f"test_{self.name}"


def run_call(namespace: Mapping[str, object], call: str, inputs: Arrays) -> dict[str, np.ndarray]:
    """Run ``call`` against ``namespace`` (here: the reference) exactly as the kernel runs it."""
    env = dict(namespace)
    env.update({k: np.array(v, copy=True) for k, v in inputs.items()})
    exec(compile(call, "<case>", "exec"), env)
    return {k: np.asarray(v, dtype=np.float64) for k, v in env["result"].items()}


def compare(name: str, actual: np.ndarray | None, expected: np.ndarray, rtol: float, atol: float,
            batch: int | None = None) -> list[str]:
    """Problems with one output, worded for the student; never shows the expected values. A common
    mistake (a sign, a transpose, 1/N or N times, an off-by-one shift) is named when it explains
    the whole array; ``batch`` is the N of an average taken instead of a sum."""
    if actual is None:
        return [f"`{name}` was not returned"]
    named = mistake(actual, expected, against="the expected values", batch=batch, show_factor=False) \
        if expected.size > 1 else ""  # for one number, naming the mistake would give the value away
    if actual.shape != expected.shape:
        return [f"`{name}` " + (named if named else f"has shape {actual.shape}, expected shape {expected.shape}")]
    if not np.all(np.isfinite(actual)):
        return [f"`{name}` contains NaN or inf"]
    error = np.abs(actual - expected)
    bad = error > atol + rtol * np.abs(expected)
    if not bad.any():
        return []
    if named:
        return [f"`{name}` {named}"]
    relative = error / np.maximum(np.abs(expected), atol)
    worst = np.unravel_index(np.argmax(np.where(bad, relative, -1.0)), actual.shape)
    where = f"{name}[{', '.join(map(str, worst))}]" if actual.ndim else name
    return [f"`{name}` is wrong in {int(bad.sum())} of {bad.size} entries; "
            f"largest relative error {relative[worst]:.3g} at {where}"]


def batch_size(inputs: Arrays) -> int | None:
    """N of the first batched input (an array of two or more axes), if any."""
    return next((int(v.shape[0]) for v in inputs.values() if np.ndim(v) >= 2), None)


def reference_case(name: str, call: str, inputs: Arrays, reference: Mapping[str, object],
                   rtol: float = 1e-7, atol: float = 1e-10) -> Case:
    """A case whose outputs must match what ``call`` gives with the reference implementation."""
    inputs = {k: np.asarray(v) for k, v in inputs.items()}
    start = time.perf_counter()
    expected = run_call(reference, call, inputs)
    seconds = time.perf_counter() - start

    batch = batch_size(inputs)

    def judge(outputs: Arrays) -> list[str]:
        problems = [p for key, want in expected.items()
                    for p in compare(key, outputs.get(key), want, rtol, atol, batch)]
        extra = sorted(set(outputs) - set(expected))
        return problems + [f"unexpected output `{k}`" for k in extra]

    return Case(name, call, inputs, judge, expected, seconds)


def outcome_case(name: str, call: str, inputs: Arrays, judge: Judge) -> Case:
    """A case judged by an outcome (a loss below a bound, a correct prediction), not by equality."""
    return Case(name, call, {k: np.asarray(v) for k, v in inputs.items()}, judge)


# ---------------------------------------------------------------------------------------------- helpers for graders

def out_size(size: int, window: int, stride: int = 1, pad: int = 0) -> int:
    """How many positions a window of ``window`` takes along an axis of ``size`` padded by ``pad`` on
    each side, moving by ``stride``: (size + 2·pad − window) // stride + 1 — the output height or width
    of a convolution (kernel KH, KW) or a pooling (pool_height, pool_width; no padding) alike."""
    return (size + 2 * pad - window) // stride + 1


def forward_backward_calls(forward: str, backward: str, grads: tuple[str, ...], setup: str = "") -> tuple[str, str]:
    """The ``call`` of a forward case and of the matching backward case, which always runs the
    student's own forward first and hands its cache to the backward::

        FORWARD_CALL, BACKWARD_CALL = forward_backward_calls("fc_forward(x, w, b)", "fc_backward(dout, cache)",
                                                             ("dx", "dw", "db"))

    gives ``out, cache = fc_forward(x, w, b)`` / ``result = {"out": out}`` and ``out, cache = ...`` /
    ``dx, dw, db = fc_backward(dout, cache)`` / ``result = {"dx": dx, "dw": dw, "db": db}``. ``setup``
    (whole lines) comes first in both."""
    returned = ", ".join(f'"{name}": {name}' for name in grads)
    first = f"{setup}out, cache = {forward}\n"
    return (first + 'result = {"out": out}\n',
            first + f"{', '.join(grads)} = {backward}\nresult = {{{returned}}}\n")
