"""Input makers shared by the graders (not a grader: discovery skips modules whose name starts with "_").

Hidden cases must be decided by the derivation, not by luck of the draw: every kink or threshold a
function has gets inputs just either side of it (at ±1e-3, ±1e-2 and ±5e-2 of the input's scale), and
never exactly on it; every max gets near-ties (the runner-up 1e-3 of the scale below the maximum)
that are still ties-free.
"""
from __future__ import annotations

import numpy as np

from autograder.cases import out_size

NEAR = (1e-3, 1e-2, 5e-2)  # distances from a kink or a maximum, in units of the input's scale


def off_kink(rng: np.random.Generator, shape: tuple[int, ...], kinks=(0.0,), scale: float = 1.0,
             spread: float = 4.0) -> np.ndarray:
    """Values within ``spread·scale`` of the kinks, of which about a third (at least one either side of
    every kink when the array has room) sit at kink ± d·scale for d in NEAR (times 1 … 1.2, so never on
    a grid), the closest ones first. No entry is closer than 1e-3·scale to any kink, none is on one."""
    size = int(np.prod(shape))
    kinks = np.asarray(kinks, dtype=np.float64)
    values = rng.choice(kinks, size=size) + rng.choice([-1.0, 1.0], size=size) * rng.uniform(0.1, spread, size) * scale
    near = [(k, sign * d) for d in NEAR for k in kinks for sign in (-1.0, 1.0)]  # closest first
    count = min(size, len(near), max(2 * len(kinks), size // 3))
    if count:
        where = rng.choice(size, size=count, replace=False)
        values[where] = [k + offset * scale * rng.uniform(1.0, 1.2) for k, offset in near[:count]]
    for k in kinks:  # bulk values that landed near another kink
        close = np.abs(values - k) < NEAR[0] * scale
        values[close] = k + np.where(values[close] >= k, 1.1, -1.1) * NEAR[0] * scale
    return values.reshape(shape)


def pool_windows(shape: tuple[int, ...], ph: int, pw: int, stride: int):
    """Index tuples (n, c, rows, cols) of every pooling window of an NCHW input."""
    N, C, H, W = shape
    for n in range(N):
        for c in range(C):
            for i in range(out_size(H, ph, stride)):
                for j in range(out_size(W, pw, stride)):
                    yield n, c, slice(i * stride, i * stride + ph), slice(j * stride, j * stride + pw)


def near_ties(rng: np.random.Generator, shape: tuple[int, ...], ph: int, pw: int, stride: int,
              scale: float = 1.0) -> np.ndarray:
    """Distinct values of about ``scale``·[-3, 3], at least 1e-4·scale apart, where in about half of
    the windows (ph × pw, moved by stride) the runner-up is only 1e-3 … 5e-2 of the scale below the
    maximum. Tie-free in every window: each window's maximum is unique."""
    for _ in range(50):  # a retouched runner-up may land next to a value of an overlapping window: draw again
        x = _near_ties(rng, shape, ph, pw, stride, scale)
        if tie_free(x, ph, pw, stride, 1e-4 * scale):
            return x
    raise AssertionError("could not draw tie-free pooling inputs")


def _near_ties(rng, shape, ph, pw, stride, scale):
    n = int(np.prod(shape))
    x = (rng.permutation(n) - n / 2) * (6.0 / n) * scale + rng.uniform(0, 1e-5 * scale)
    x = x.reshape(shape)
    windows = list(pool_windows(shape, ph, pw, stride))
    if ph * pw > 1:
        for index in rng.permutation(len(windows))[: (len(windows) + 1) // 2]:
            n_, c, rows, cols = windows[index]
            block = x[n_, c, rows, cols]  # a view
            flat = block.reshape(-1).copy()
            top = int(np.argmax(flat))
            other = int(rng.choice([k for k in range(flat.size) if k != top]))
            gap = NEAR[index % len(NEAR)] * scale * (1.0 + rng.uniform(0.0, 0.2))
            flat[other] = flat[top] - gap
            block[...] = flat.reshape(block.shape)
    return x


def tie_free(x: np.ndarray, ph: int, pw: int, stride: int, margin: float) -> bool:
    """True when every window's maximum beats its runner-up by at least ``margin``."""
    for n, c, rows, cols in pool_windows(x.shape, ph, pw, stride):
        top2 = np.sort(x[n, c, rows, cols].reshape(-1))[-2:]
        if top2.size == 2 and top2[1] - top2[0] < margin:
            return False
    return True


def between_draws(draws: np.ndarray, low: float, high: float) -> float:
    """A threshold p in [low, high] halfway between the two closest of ``draws`` there, so that one draw
    lies just below p and one just above (for masks like ``u < p``)."""
    inside = np.sort(draws[(draws > low) & (draws < high)].reshape(-1))
    if inside.size < 2:
        return (low + high) / 2
    k = int(np.argmin(np.diff(inside)))
    return float((inside[k] + inside[k + 1]) / 2)
