"""Reference solutions for 01_fc_layer (instructors only).

Each body is pasted into the notebook's answer cell by ``make release``; bodies use only ``np``.
"""
import numpy as np


def fc_forward(x, w, b):
    """out = x·w + b; the cache keeps the inputs for the backward pass."""
    out = x.dot(w) + b
    cache = (x, w, b)
    return out, cache


def fc_backward(dout, cache):
    """dx = dout·wᵀ, dw = xᵀ·dout, db = column sums of dout (cᵀ·dout with c a column of ones)."""
    x, w, b = cache
    dx = dout.dot(w.T)
    dw = x.T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def sgd_step(param, grad, lr):
    """One plain SGD step, into a new array."""
    new_param = param - lr * grad
    return new_param
