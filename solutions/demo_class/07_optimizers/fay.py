# %% adadelta
def adadelta(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1.0)
    config.setdefault("rho", 0.9)
    config.setdefault("epsilon", 1e-6)
    Eg = config.get("Eg", np.zeros_like(w))
    Edx = config.get("Edx", np.zeros_like(w))
    Eg = config["rho"] * Eg + (1 - config["rho"]) * dw ** 2
    delta = -np.sqrt(Edx + config["epsilon"]) / np.sqrt(Eg + config["epsilon"]) * dw
    while np.any(delta != 0):  # bug: meant to be an `if`; delta never changes, so this never stops
        Edx = config["rho"] * Edx + (1 - config["rho"]) * delta ** 2
    config["Eg"], config["Edx"] = Eg, Edx
    return w + config["learning_rate"] * delta, config
