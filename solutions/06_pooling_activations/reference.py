"""Reference solutions for 06_pooling_activations (instructors only).

Each body is pasted into the notebook's answer cell by ``make release``; bodies use only ``np``
and the provided constants ``SELU_LAMBDA``, ``SELU_ALPHA``. Pooling: x (N, C, H, W),
pool_param {"pool_height", "pool_width", "stride"}, output Ho = (H − PH) // stride + 1 (floored,
as in PyTorch). Activations work on arrays of any shape; PReLU's alpha (C,) runs along axis 1.
"""
import numpy as np


def max_pool_forward(x, pool_param):
    """out[n, c, i, j] = max of the window x[n, c, i·s : i·s + PH, j·s : j·s + PW] (seed eq. 1)."""
    PH, PW, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::s, ::s]
    out = windows.max(axis=(4, 5))
    cache = (x, pool_param)
    return out, cache


def max_pool_backward(dout, cache):
    """Each window's δ goes to the position of its maximum, added up where windows overlap (eq. 5)."""
    x, pool_param = cache
    PH, PW, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, Ho, Wo = dout.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::s, ::s]
    flat = windows.reshape(N, C, Ho, Wo, PH * PW).argmax(axis=4)  # first maximum of each window
    m, k = np.divmod(flat, PW)
    rows = np.arange(Ho).reshape(1, 1, Ho, 1) * s + m
    cols = np.arange(Wo).reshape(1, 1, 1, Wo) * s + k
    n_idx = np.arange(N).reshape(N, 1, 1, 1)
    c_idx = np.arange(C).reshape(1, C, 1, 1)
    dx = np.zeros(x.shape)
    np.add.at(dx, (np.broadcast_to(n_idx, flat.shape), np.broadcast_to(c_idx, flat.shape), rows, cols), dout)
    return dx


def avg_pool_forward(x, pool_param):
    """out[n, c, i, j] = mean of the window (seed eq. 2)."""
    PH, PW, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(x, (PH, PW), axis=(2, 3))[:, :, ::s, ::s]
    out = windows.mean(axis=(4, 5))
    cache = (x.shape, pool_param)
    return out, cache


def avg_pool_backward(dout, cache):
    """Each window's δ is shared equally by its PH·PW inputs, added up where windows overlap (eq. 9)."""
    shape, pool_param = cache
    PH, PW, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros(shape)
    share = dout / (PH * PW)
    for m in range(PH):
        for k in range(PW):
            dx[:, :, m:m + (Ho - 1) * s + 1:s, k:k + (Wo - 1) * s + 1:s] += share
    return dx


def global_avg_pool_forward(x):
    """out[n, c] = mean of channel c over all H·W positions (eq. 4)."""
    out = x.mean(axis=(2, 3))
    cache = x.shape
    return out, cache


def global_avg_pool_backward(dout, cache):
    """Every position of channel c gets δ_c / (H·W) (eq. 12, with the input's H and W)."""
    N, C, H, W = cache
    dx = np.broadcast_to(dout.reshape(N, C, 1, 1) / (H * W), (N, C, H, W)).copy()
    return dx


def global_max_pool_forward(x):
    """out[n, c] = max of channel c (eq. 3)."""
    out = x.max(axis=(2, 3))
    cache = x
    return out, cache


def global_max_pool_backward(dout, cache):
    """δ_c goes to the position of channel c's maximum, 0 elsewhere (eq. 10)."""
    x = cache
    N, C, H, W = x.shape
    flat = x.reshape(N, C, H * W)
    dx = np.zeros((N, C, H * W))
    np.put_along_axis(dx, flat.argmax(axis=2)[:, :, None], dout[:, :, None], axis=2)
    return dx.reshape(N, C, H, W)


def relu_forward(x):
    """ReLU(z) = z for z > 0, 0 otherwise (eq. 1)."""
    out = np.maximum(x, 0)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """δ^l = δ^(l+1) where z > 0, 0 elsewhere (eq. 2)."""
    x = cache
    dx = dout * (x > 0)
    return dx


def leaky_relu_forward(x, alpha=0.01):
    """z for z > 0, alpha·z otherwise (eq. 3)."""
    out = np.where(x > 0, x, alpha * x)
    cache = (x, alpha)
    return out, cache


def leaky_relu_backward(dout, cache):
    """δ where z > 0, alpha·δ otherwise (eq. 4)."""
    x, alpha = cache
    dx = np.where(x > 0, dout, alpha * dout)
    return dx


def prelu_forward(x, alpha):
    """z for z > 0, alpha_c·z otherwise, one alpha per channel (axis 1) (eq. 5)."""
    a = alpha.reshape((1, -1) + (1,) * (x.ndim - 2))
    out = np.where(x > 0, x, a * x)
    cache = (x, alpha)
    return out, cache


def prelu_backward(dout, cache):
    """dx as leaky ReLU with alpha_c (eq. 6); dalpha_c = Σ of δ·z where z ≤ 0, over every axis but 1 (eq. 7)."""
    x, alpha = cache
    a = alpha.reshape((1, -1) + (1,) * (x.ndim - 2))
    dx = np.where(x > 0, dout, a * dout)
    axes = (0,) + tuple(range(2, x.ndim))
    dalpha = np.sum(np.where(x > 0, 0.0, dout * x), axis=axes)
    return dx, dalpha


def elu_forward(x, alpha=1.0):
    """z for z > 0, alpha·(exp(z) − 1) otherwise (eq. 8)."""
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    cache = (x, alpha)
    return out, cache


def elu_backward(dout, cache):
    """δ where z > 0, alpha·exp(z)·δ otherwise (eq. 9)."""
    x, alpha = cache
    dx = np.where(x > 0, dout, alpha * np.exp(np.minimum(x, 0)) * dout)
    return dx


def selu_forward(x):
    """λ·z for z > 0, λ·α·(exp(z) − 1) otherwise (eq. 10), λ and α fixed."""
    out = SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))
    cache = x
    return out, cache


def selu_backward(dout, cache):
    """λ·δ where z > 0, λ·α·exp(z)·δ otherwise (eq. 11)."""
    x = cache
    dx = SELU_LAMBDA * np.where(x > 0, dout, SELU_ALPHA * np.exp(np.minimum(x, 0)) * dout)
    return dx
