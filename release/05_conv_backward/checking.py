"""What every visible check of backprop-lab shares (the ``checks.py`` beside each notebook uses it).

A check prints one line starting with ✓ when it passes. When it fails it raises ``CheckFailed``:
IPython shows that as ONE short message (no traceback through the checker). When your own code
raised, your frames are kept and a sentence says which of your functions it was.

    checker(tasks)                  decorator for check_* functions; ``tasks`` are the task names
                                    in notebook order (task 1 first)
    fail(message)                   stop the check with one sentence
    call(function, fn, *args)       fn(*args) on COPIES of the array arguments; fails if fn
                                    changed one of them in place
    Handed(**arrays)                copies handed to several calls (a forward, then a backward);
                                    ``.check(function)`` applies the in-place rule afterwards
    as_array, returned              a returned value as a float array / a tuple of the right length
    expect_shape                    shapes before values
    mistake(mine, expected, ...)    names a common mistake in a phrase, or ""
    compare(...)                    values against expected ones: shape, finite, mistake, error
    compare_gradient(...)           a gradient against central differences of a scalar function
    directional_error, rel_error    reference-free comparisons
    dependency_first(...)           run the check of a task the checked one relies on, quietly

There is no per-element numerical gradient here: assignments that ship one link gradient_check.py
and hand its ``numerical_gradient`` to ``compare_gradient``.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import io
import os
import sysconfig
import traceback
import types

import numpy as np

IN_PLACE_COST = "changing an input in place costs a quarter of the task's points"


class CheckFailed(AssertionError):
    """A visible check failed: IPython shows only the message (``_render_traceback_``)."""

    def __init__(self, message, unimplemented=None):
        super().__init__(message)
        self.message = message
        self.unimplemented = unimplemented  # name of a stub that still raises NotImplementedError

    def _render_traceback_(self):
        return ["✗ " + self.message]


class StudentCodeError(CheckFailed):
    """Your own code raised: your frames (not the checker's) and one sentence."""

    def __init__(self, message, error, frames):
        super().__init__(message)
        self.error, self.frames = error, frames

    def _render_traceback_(self):
        lines = traceback.format_exception(type(self.error), self.error, self.frames, chain=False)
        return "".join(lines).rstrip("\n").split("\n") + ["✗ " + self.message]


def fail(message, unimplemented=None):
    __tracebackhide__ = True
    raise CheckFailed(message, unimplemented)


# ------------------------------------------------------------------------------ whose code raised

_LIBRARY = tuple(os.path.realpath(p) for key, p in sysconfig.get_paths().items()
                 if key in ("stdlib", "platstdlib", "purelib", "platlib"))


def _is_students(filename, checker_dir):
    """Is this frame's file the student's (a notebook cell, their own module), not the checker's or a library's?"""
    if filename.startswith("<"):
        return not filename.startswith("<frozen")  # "<ipython-input-…>" cells are the student's
    path = os.path.realpath(filename)
    if os.path.dirname(os.path.abspath(filename)) == checker_dir or path == os.path.realpath(__file__):
        return False  # checks.py and the helpers shipped beside it
    if "site-packages" in path or "dist-packages" in path or path.startswith(_LIBRARY):
        return False
    return True


def _qualname(frame):
    return getattr(frame.f_code, "co_qualname", frame.f_code.co_name)


def _task_of(qualname, tasks):
    head = qualname.split(".")[0]
    return head if head in tasks else None


def _describe(name, tasks):
    task = _task_of(name, tasks)
    return f"`{name}` (task {tasks.index(task) + 1})" if task else f"`{name}`"


def _from_students_code(error, checked, tasks, checker_dir):
    """The exception ``error`` (raised during a check) as a CheckFailed worded for the student."""
    entries = []
    tb = error.__traceback__
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    students = [t for t in entries if _is_students(t.tb_frame.f_code.co_filename, checker_dir)]
    kind = type(error).__name__
    if not students and isinstance(error, AssertionError):
        return CheckFailed(str(error))  # a check written with `assert`
    if not students:
        return CheckFailed(f"The check of `{checked}` could not use what your code returned ({kind}: "
                           f"{error}). Look at the types and shapes your code returns (the docstring says "
                           f"what to return).")
    names = [_qualname(t.tb_frame) for t in students]
    if isinstance(error, NotImplementedError):
        stub = next((n for n in reversed(names) if _task_of(n, tasks)), names[-1])
        if _task_of(stub, tasks) == checked:
            return CheckFailed(f"`{stub}` is not implemented yet: it still raises NotImplementedError. "
                               f"Replace the two stub lines with your code, run that cell, then this one.",
                               unimplemented=stub)
        return CheckFailed(f"{_describe(stub, tasks)} is not implemented yet; do it first: the check of "
                           f"`{checked}` runs it.", unimplemented=stub)
    inner = next((n for n in reversed(names) if _task_of(n, tasks)), names[-1])
    where = f"your {_describe(inner, tasks)}"
    if _task_of(inner, tasks) not in (None, checked):
        where += f", an earlier task that `{checked}` relies on"
    return StudentCodeError(f"{kind} raised in {where} (the lines above are your own code) while "
                            f"checking `{checked}`. Fix it and run this cell again.", error, students[0])


# ------------------------------------------------------------------------------ the decorator

def _referenced_names(obj, seen=None):
    """Global names the code of a function or class refers to (nested code included)."""
    seen = set() if seen is None else seen
    codes = []
    if inspect.isclass(obj):
        for value in vars(obj).values():
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if isinstance(value, property):
                value = value.fget
            if isinstance(value, types.FunctionType):
                codes.append(value.__code__)
    elif isinstance(obj, types.FunctionType):
        codes.append(obj.__code__)
    names = set()
    while codes:
        code = codes.pop()
        if code in seen:
            continue
        seen.add(code)
        names |= set(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return names


def _globals_of(obj):
    if isinstance(obj, types.FunctionType):
        return obj.__globals__
    if inspect.isclass(obj):
        for value in vars(obj).values():
            if isinstance(value, types.FunctionType):
                return value.__globals__
    return {}


def quietly(check, *args, **kwargs):
    """Run a check without printing its ✓ line."""
    __tracebackhide__ = True
    with contextlib.redirect_stdout(io.StringIO()):
        return check(*args, **kwargs)


class checker:  # noqa: N801 (used as a decorator)
    """``check = checker(["fc_forward", "fc_backward", ...])``, then ``@check`` on every check_*.

    A decorated ``check_<task>`` (1) first runs, quietly, the checks of the student's EARLIER
    tasks that their ``<task>`` calls, and blames the earlier task when it fails; (2) ends in one
    short message whatever goes wrong, keeping the student's frames when their code raised.
    """

    def __init__(self, tasks):
        self.tasks = list(tasks)
        self.checks = {}

    def __call__(self, check):
        checked = check.__name__[len("check_"):]
        self.checks[checked] = check
        checker_dir = os.path.dirname(os.path.abspath(check.__code__.co_filename))
        tasks = self.tasks

        @functools.wraps(check)
        def run(*args, **kwargs):
            __tracebackhide__ = True
            try:
                self._earlier_first(checked, check, args)
                return check(*args, **kwargs)
            except CheckFailed as failure:
                failure.__traceback__ = None
                raise failure from None
            except Exception as error:  # the student's code raised, or returned something unusable
                raise _from_students_code(error, checked, tasks, checker_dir) from None
        return run

    def _earlier_first(self, checked, check, args):
        """Check the earlier tasks that the student's code for ``checked`` calls; blame the first failing one."""
        __tracebackhide__ = True
        if checked not in self.tasks:
            return
        mine = next((a for a in args if getattr(a, "__name__", None) == checked), None)
        if mine is None:
            return
        names, space = _referenced_names(mine), _globals_of(mine)
        number = self.tasks.index(checked)
        for earlier in self.tasks[:number]:
            if earlier not in names or earlier not in space or earlier not in self.checks:
                continue
            earlier_check = self.checks[earlier]
            parameters = [p for p in inspect.signature(earlier_check).parameters.values()
                          if p.default is inspect.Parameter.empty]
            if any(p.name not in space for p in parameters):
                continue
            try:
                quietly(earlier_check, *[space[p.name] for p in parameters])
            except StudentCodeError:
                raise
            except CheckFailed as failure:
                task = f"`{earlier}` (task {self.tasks.index(earlier) + 1})"
                if failure.unimplemented:
                    fail(f"{_describe(failure.unimplemented, self.tasks)} is not implemented yet; do it "
                         f"first: your `{checked}` calls {task}.", failure.unimplemented)
                fail(f"Your `{checked}` calls your {task}, which does not pass its own check yet: fix "
                     f"task {self.tasks.index(earlier) + 1} first. Its check says: {failure.message}")


def dependency_first(check, args, function, dependency, tasks, why="is checked with numerical gradients of"):
    """Run ``check(*args)`` quietly before checking ``function``; blame ``dependency`` if it fails."""
    __tracebackhide__ = True
    try:
        quietly(check, *args)
    except StudentCodeError:
        raise
    except CheckFailed as failure:
        if failure.unimplemented:
            fail(f"{_describe(failure.unimplemented, tasks)} is not implemented yet; do it first: "
                 f"`{function}` {why} your `{dependency}`.", failure.unimplemented)
        fail(f"`{function}` {why} your {_describe(dependency, tasks)}, which does not pass its own check "
             f"yet. Fix `{dependency}` first: {failure.message}")


# ------------------------------------------------------------------------------ returned values

def as_array(value, name, function):
    """``value`` as a float64 array, or a message saying it is not one."""
    __tracebackhide__ = True
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception:
        fail(f"`{function}` returned something for `{name}` that is not a numeric array "
             f"({type(value).__name__}); return a numpy array.")
    return array


def returned(value, function, names):
    """The tuple ``value`` of len(names), or a message naming what should be returned."""
    __tracebackhide__ = True
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        got = f"a {type(value).__name__} of length {len(value)}" if isinstance(value, (tuple, list)) \
            else f"a {type(value).__name__}"
        fail(f"`{function}` should return {len(names)} values `({', '.join(names)})`; it returned {got}.")
    return value


# ------------------------------------------------------------------------------ the in-place rule

def _same(before, after):
    return (isinstance(after, np.ndarray) and after.shape == before.shape
            and np.array_equal(before, after, equal_nan=True))


def in_place_message(function, names):
    names = list(names)
    listed = " and ".join(f"`{n}`" for n in names)
    first = names[0]
    return (f"`{function}` changed its input {listed} in place (e.g. `{first} += ...`, `{first}[...] = ...`, "
            f"or through a view of it). Work on a copy instead (`{first} = {first}.copy()` before changing it, "
            f"or compute the result into a new array) and leave the inputs as they were: {IN_PLACE_COST}.")


class Handed:
    """Copies of the check's own arrays, handed to the student's code (``given.x`` or ``given['x']``).

    The check keeps its originals, so nothing the student's code does to the copies changes what
    the check computes; ``check(function)`` fails if a copy was changed in place.
    """

    def __init__(self, **arrays):
        self._originals = {k: np.array(v, copy=True) for k, v in arrays.items()}
        self._copies = {k: np.array(v, copy=True) for k, v in arrays.items()}

    def __getattr__(self, name):
        try:
            return self.__dict__["_copies"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name):
        return self._copies[name]

    def check(self, function, names=None):
        __tracebackhide__ = True
        changed = [n for n in (names or self._originals) if not _same(self._originals[n], self._copies[n])]
        if changed:
            fail(in_place_message(function, changed))


def _parameter_names(fn, count):
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return names[:count] + [f"argument {k + 1}" for k in range(len(names), count)]


def call(function, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with a copy of every array argument; fail if ``fn`` changed one."""
    __tracebackhide__ = True
    names = _parameter_names(fn, len(args))
    originals = {**dict(zip(names, args)), **kwargs}
    arrays = {k: v for k, v in originals.items() if isinstance(v, np.ndarray)}
    given = Handed(**arrays)
    positional = [given[n] if n in arrays else a for n, a in zip(names, args)]
    keywords = {k: given[k] if k in arrays else v for k, v in kwargs.items()}
    result = fn(*positional, **keywords)
    given.check(function)
    return result


def unchanged(function, before, now):
    """The in-place rule for arrays the check handed over itself: ``before`` are copies."""
    __tracebackhide__ = True
    changed = [n for n in before if not _same(np.asarray(before[n]), now[n])]
    if changed:
        fail(in_place_message(function, changed))


# ------------------------------------------------------------------------------ shapes and values

def expect_shape(function, name, array, shape, setting="", what=None):
    __tracebackhide__ = True
    shape = tuple(shape)
    if array.shape != shape:
        where = f" with {setting}" if setting else ""
        of = f"the shape of {what}, " if what else ""
        extra = ""
        if array.size == int(np.prod(shape)) and tuple(d for d in array.shape if d != 1) == \
                tuple(d for d in shape if d != 1):
            extra = (" It holds the right number of entries with an extra or missing axis of length 1: "
                     "look for keepdims=True, a reshape, or a (1, D) row where a vector (D,) is expected.")
        fail(f"`{function}`{where}: `{name}` has shape {array.shape}; it should have {of}{shape}.{extra}")


def rel_error(a, b):
    """Largest relative error max(|a - b| / max(1e-8, |a| + |b|)); below 1e-7 means "equal"."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def _close(a, b, rtol):
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-12)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * np.abs(b) + rtol * 1e-2 * scale))


def mistake(mine, expected, *, against="the expected values", batch=None, alternatives=(), rtol=1e-5,
            show_factor=True):
    """A phrase naming the common mistake that turns ``expected`` into ``mine``, or "".

    The phrase follows the array's name: "`db` " + mistake(...). ``batch`` is N where an average
    over the batch instead of a sum (or the reverse) is possible; ``alternatives`` are pairs
    (phrase, array) of known wrong answers, such as the output without the bias. Without
    ``show_factor`` a constant factor other than N or 1/N is named but its value is not.
    """
    a, e = np.asarray(mine, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        if a.ndim == 2 and a.shape == e.shape[::-1] and _close(a.T, e, rtol):
            return (f"has shape {a.shape} and is the transpose (转置) of {against}, shape {e.shape}: check "
                    f"which matrix is transposed and the order of the product")
        return ""
    if not np.all(np.isfinite(a)) or _close(a, e, rtol):
        return ""
    for phrase, wrong in alternatives:
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == a.shape and _close(a, wrong, rtol):
            return phrase
    if not np.any(e):
        return ""
    if not np.any(a):
        return f"is all zeros where {against} is not: is it computed and returned (not a fresh array of zeros)?"
    if _close(a, -e, rtol):
        return (f"has the opposite sign (符号相反) of {against} everywhere: look for a lost minus sign, or "
                f"a subtraction in the wrong order (y − t versus t − y)")
    if a.ndim == 2 and a.shape[0] == a.shape[1] and not _close(e, e.T, rtol) and _close(a.T, e, rtol):
        return (f"is the transpose (转置) of {against}: check which matrix is transposed and the order of "
                f"the product")
    k = float(np.sum(a * e) / np.sum(e * e))
    if _close(a, k * e, rtol):
        if batch and batch > 1 and abs(k * batch - 1) < 1e-4:
            return (f"is exactly 1/N of {against} (N = {batch}) — did you average over the batch instead "
                    f"of summing? Every sample of the batch (批量) adds its own contribution (求和, not 求平均)")
        if batch and batch > 1 and abs(k / batch - 1) < 1e-4:
            return (f"is exactly N times {against} (N = {batch}) — did you sum over the batch (批量) where "
                    f"the mean is taken, i.e. forget to divide by N?")
        return (f"is exactly {k:.4g} times {against}" if show_factor else f"is a constant multiple of {against}") + \
            ": the shape of the formula is right, a constant factor (比例系数) is off"
    for axis in range(a.ndim):
        if a.shape[axis] < 3:
            continue
        for step in (1, -1):
            head = [slice(None)] * a.ndim
            tail = [slice(None)] * a.ndim
            head[axis], tail[axis] = (slice(1, None), slice(None, -1)) if step == 1 else \
                (slice(None, -1), slice(1, None))
            if np.any(e[tuple(tail)]) and _close(a[tuple(head)], e[tuple(tail)], rtol):
                return (f"is {against} shifted by one position along axis {axis} (off by one, 差一错误): "
                        f"check where your index ranges start and end")
    return ""


def compare(function, name, mine, expected, setting, hint="", *, against="the numerical gradient",
            batch=None, alternatives=(), rtol=1e-6, atol=1e-8, shape_hint=None):
    """``mine`` against ``expected``: shape first, then finite values, then a named mistake."""
    __tracebackhide__ = True
    mine = as_array(mine, name, function)
    expected = np.asarray(expected, dtype=np.float64)
    where = f"`{function}` with {setting}" if setting else f"`{function}`"
    if mine.shape != expected.shape:
        phrase = mistake(mine, expected, against=against)
        if phrase:
            fail(f"{where}: `{name}` {phrase}.")
        expect_shape(function, name, mine, expected.shape, setting, shape_hint)
    if not np.all(np.isfinite(mine)):
        fail(f"{where}: `{name}` contains NaN or inf.")
    if np.allclose(mine, expected, rtol=rtol, atol=atol):
        return
    phrase = mistake(mine, expected, against=against, batch=batch, alternatives=alternatives)
    hint = f" {hint}" if hint else ""
    if phrase:
        fail(f"{where}: `{name}` {phrase}.{hint}")
    fail(f"{where}: `{name}` does not match {against} (largest relative error "
         f"{rel_error(mine, expected):.2g}).{hint}")


def directional_error(f, x, grad, seed=0, directions=3, h=1e-6):
    """Largest relative error between <grad, v> and (f(x + h·v) − f(x − h·v)) / 2h over a few random
    unit directions v: a reference-free check of the gradient of a scalar function f."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(directions):
        v = rng.standard_normal(x.shape)
        v /= max(np.linalg.norm(v), 1e-300)
        numeric = (f(x + h * v) - f(x - h * v)) / (2 * h)
        worst = max(worst, rel_error(np.sum(grad * v), numeric))
    return worst


def compare_gradient(function, name, mine, f, at, setting, derivation, *, numerical=None, batch=None,
                     explain=None, tolerance=1e-6, h=1e-5, seed=2024):
    """Your gradient ``mine`` of the scalar f at ``at`` against central differences of f.

    Along three random directions first (cheap); when that fails and ``numerical`` (the shipped
    ``numerical_gradient``) is given, element by element, to name the mistake and the worst entry.
    """
    __tracebackhide__ = True
    mine = as_array(mine, name, function)
    full = None
    if mine.shape != at.shape and numerical is not None and mine.size == at.size:
        full = numerical(f, np.array(at, dtype=float, copy=True), h)
        phrase = mistake(mine, full, against="the numerical gradient")
        if phrase:
            fail(f"`{function}` with {setting}: `{name}` {phrase}.")
    expect_shape(function, name, mine, at.shape, setting, "what it is the gradient of")
    if not np.all(np.isfinite(mine)):
        fail(f"`{function}` with {setting}: `{name}` contains NaN or inf.")
    error = directional_error(f, at, mine, seed=seed, h=h)
    if error <= tolerance:
        return
    if numerical is None:
        fail(f"`{function}` with {setting}: `{name}` does not match the derivative of the forward pass along "
             f"random directions (relative error {error:.2g}, should be below {tolerance:g}). {derivation}")
    full = numerical(f, np.array(at, dtype=float, copy=True), h)
    phrase = mistake(mine, full, against="the numerical gradient", batch=batch)
    if phrase:
        fail(f"`{function}` with {setting}: `{name}` {phrase}. Look at the derivation: {derivation}")
    diff = np.abs(mine - full)
    worst = np.unravel_index(np.argmax(diff), at.shape) if at.ndim else ()
    index = f"{name}[{', '.join(map(str, worst))}]" if at.ndim else name
    extra = explain(worst, mine, full) if explain else ""
    fail(f"`{function}` with {setting}: `{name}` does not match the numerical gradient (largest relative "
         f"error {rel_error(mine, full):.2g}, should be below {tolerance:g}). The worst entry is {index}: "
         f"yours is {float(mine[worst]):.6g}, the numerical gradient is {float(full[worst]):.6g}. {extra}"
         f"Look at the derivation: {derivation}")
