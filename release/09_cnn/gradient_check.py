"""Numerical gradient checking, shared by every backprop-lab assignment (cs231n style).

    rel_error(a, b)                         largest relative error between two arrays
    numerical_gradient(f, x, h=1e-5)        d f(x) / d x for a scalar f, by central differences
    numerical_gradient_array(f, x, df, h)   d (sum f(x) * df) / d x for an array-valued f
"""
import numpy as np


def rel_error(a, b):
    """Largest relative error max(|a - b| / max(1e-8, |a| + |b|)); below 1e-7 means "equal"."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f, x, h=1e-5):
    """Central differences of the scalar function f at x, one element at a time.

    x is changed in place and restored, so f may read it directly.
    """
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, df, h=1e-5):
    """Gradient of sum(f(x) * df) with respect to x: what a backward pass returns for upstream df."""
    return numerical_gradient(lambda v: float(np.sum(f(v) * df)), x, h)
