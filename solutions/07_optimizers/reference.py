"""Reference solutions for 07_optimizers (instructors only).

Each body is pasted into the notebook's answer cell by ``make release``; bodies use only ``np``.
Every rule follows the notebook's formulas exactly; hyperparameters come from ``config`` with the documented
defaults, and the state lives in ``config`` (created on the first call, carried from call to call).
"""
import numpy as np


def sgd(w, dw, config=None):
    """Plain SGD: w - learning_rate * dw."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    next_w = w - config["learning_rate"] * dw
    return next_w, config


def sgd_momentum(w, dw, config=None):
    """v = momentum * v - learning_rate * dw; w + v."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config


def adagrad(w, dw, config=None):
    """cache += dw**2; w - learning_rate * dw / (sqrt(cache) + epsilon)."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw ** 2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    config["cache"] = cache
    return next_w, config


def rmsprop(w, dw, config=None):
    """cache = rho * cache + (1 - rho) * dw**2; w - learning_rate * dw / (sqrt(cache) + epsilon)."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    rho = config["decay_rate"]
    cache = rho * config.get("cache", np.zeros_like(w)) + (1 - rho) * dw ** 2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    config["cache"] = cache
    return next_w, config


def adadelta(w, dw, config=None):
    """Running averages of dw**2 and of the steps; the step has the units of w."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1.0)
    config.setdefault("rho", 0.9)
    config.setdefault("epsilon", 1e-6)
    rho, eps = config["rho"], config["epsilon"]
    Eg = rho * config.get("Eg", np.zeros_like(w)) + (1 - rho) * dw ** 2
    Edx = config.get("Edx", np.zeros_like(w))
    delta = -np.sqrt(Edx + eps) / np.sqrt(Eg + eps) * dw
    Edx = rho * Edx + (1 - rho) * delta ** 2
    next_w = w + config["learning_rate"] * delta
    config["Eg"], config["Edx"] = Eg, Edx
    return next_w, config


def adam(w, dw, config=None):
    """Momentum (first moment) and RMSProp (second moment), both bias-corrected."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    beta1, beta2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = beta1 * config.get("m", np.zeros_like(w)) + (1 - beta1) * dw
    v = beta2 * config.get("v", np.zeros_like(w)) + (1 - beta2) * dw ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    config["t"], config["m"], config["v"] = t, m, v
    return next_w, config
