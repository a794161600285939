"""Reference solutions for 05_conv_backward (instructors only).

Each body is pasted into the notebook's answer cell by ``make release``; bodies use only ``np``.
Every function is vectorised with sliding windows (``sliding_window_view``) and ``tensordot``,
and each one stands on its own, so that one broken answer cell never breaks another task.

Conventions: x (N, C, H, W), w (F, C, KH, KW), b (F,), out (N, F, Ho, Wo) with
Ho = (H + 2·pad − KH) // stride + 1 (rows no window reaches get zero gradient, as in PyTorch).
"""
import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    """out[n, f, i, j] = Σ_c Σ_m Σ_n' w[f, c, m, n'] · xp[n, c, i·s + m, j·s + n'] + b[f]."""
    F, C, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    # (N, C, Hp − KH + 1, Wp − KW + 1, KH, KW), every stride-th window: (N, C, Ho, Wo, KH, KW)
    windows = np.lib.stride_tricks.sliding_window_view(xp, (KH, KW), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, Ho, Wo, F)
    out = out.transpose(0, 3, 1, 2) + b.reshape(1, F, 1, 1)
    cache = (x, w, b, stride, pad)
    return out, cache


def conv_backward_single_channel(dout, x, w):
    """dw: x correlated with δ (seed eq. 5); db: Σ δ (eq. 6); dx: the padded δ correlated with
    the 180°-rotated kernel (eq. 16)."""
    KH, KW = w.shape
    Ho, Wo = dout.shape
    # dw[m, n] = Σ_i Σ_j δ[i, j] · x[i + m, j + n]: windows of x the size of δ
    dw = np.tensordot(np.lib.stride_tricks.sliding_window_view(x, (Ho, Wo)), dout, axes=([2, 3], [0, 1]))
    db = float(np.sum(dout))
    # dx = (δ padded by (KH − 1, KW − 1)) ⋆ rot180(w)
    pdelta = np.pad(dout, ((KH - 1, KH - 1), (KW - 1, KW - 1)))
    dx = np.tensordot(np.lib.stride_tricks.sliding_window_view(pdelta, (KH, KW)), w[::-1, ::-1],
                      axes=([2, 3], [0, 1]))
    return dx, dw, db


def conv_backward_multi_channel(dout, x, w):
    """Seed 0_2_2: dw[f, c] = Σ_n x[n, c] ⋆ δ[n, f]; db[f] = Σ δ[:, f]; dx[n, c] = Σ_f pδ[n, f] ⋆ rot180(w[f, c])."""
    F, C, KH, KW = w.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (KH, KW), axis=(2, 3))  # (N, C, Ho, Wo, KH, KW)
    dw = np.tensordot(dout, windows, axes=([0, 2, 3], [0, 2, 3]))  # (F, C, KH, KW)
    db = dout.sum(axis=(0, 2, 3))
    pdelta = np.pad(dout, ((0, 0), (0, 0), (KH - 1, KH - 1), (KW - 1, KW - 1)))
    pwindows = np.lib.stride_tricks.sliding_window_view(pdelta, (KH, KW), axis=(2, 3))  # (N, F, H, W, KH, KW)
    dx = np.tensordot(pwindows, w[:, :, ::-1, ::-1], axes=([1, 4, 5], [0, 2, 3]))  # (N, H, W, C)
    dx = dx.transpose(0, 3, 1, 2)
    return dx, dw, db


def conv_backward_strided(dout, x, w, stride):
    """Seed 0_2_3: insert stride − 1 zeros between the rows and columns of δ, then proceed as for
    stride 1; rows and columns of x that no window reaches get zero gradient."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    # δ with (stride − 1) zeros inserted between its rows and its columns
    dilated = np.zeros((N, F, (Ho - 1) * stride + 1, (Wo - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = dout
    Hr, Wr = dilated.shape[2] + KH - 1, dilated.shape[3] + KW - 1  # what the windows reach
    # dw: the reached part of x correlated with the dilated δ
    windows = np.lib.stride_tricks.sliding_window_view(x[:, :, :Hr, :Wr], (KH, KW), axis=(2, 3))
    dw = np.tensordot(dilated, windows, axes=([0, 2, 3], [0, 2, 3]))
    db = dout.sum(axis=(0, 2, 3))
    # dx: the padded, dilated δ correlated with the rotated kernel; the rest of x gets zero
    pdelta = np.pad(dilated, ((0, 0), (0, 0), (KH - 1, KH - 1), (KW - 1, KW - 1)))
    pwindows = np.lib.stride_tricks.sliding_window_view(pdelta, (KH, KW), axis=(2, 3))  # (N, F, Hr, Wr, KH, KW)
    dx = np.zeros_like(x, dtype=np.float64)
    dx[:, :, :Hr, :Wr] = np.tensordot(pwindows, w[:, :, ::-1, ::-1], axes=([1, 4, 5], [0, 2, 3])).transpose(0, 3, 1, 2)
    return dx, dw, db


def conv_backward(dout, cache):
    """Seed 0_2_4: the strided backward on the padded input, then the padding is cut off dx."""
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dilated = np.zeros((N, F, (Ho - 1) * stride + 1, (Wo - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = dout
    Hr, Wr = dilated.shape[2] + KH - 1, dilated.shape[3] + KW - 1
    windows = np.lib.stride_tricks.sliding_window_view(xp[:, :, :Hr, :Wr], (KH, KW), axis=(2, 3))
    dw = np.tensordot(dilated, windows, axes=([0, 2, 3], [0, 2, 3]))
    db = dout.sum(axis=(0, 2, 3))
    pdelta = np.pad(dilated, ((0, 0), (0, 0), (KH - 1, KH - 1), (KW - 1, KW - 1)))
    pwindows = np.lib.stride_tricks.sliding_window_view(pdelta, (KH, KW), axis=(2, 3))
    dxp = np.zeros(xp.shape)
    dxp[:, :, :Hr, :Wr] = np.tensordot(pwindows, w[:, :, ::-1, ::-1], axes=([1, 4, 5], [0, 2, 3])).transpose(0, 3, 1, 2)
    dx = dxp[:, :, pad:pad + H, pad:pad + W]  # remove the padding (p:-p would be empty for p = 0)
    return dx, dw, db
