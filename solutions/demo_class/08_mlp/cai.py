# %% mse_loss
def mse_loss(pred, y):
    diff = pred - y
    n = pred.shape[0]
    loss = np.sum(diff ** 2) / n
    dpred = diff / n  # bug: the derivative of (pred − y)² is 2(pred − y); the 2 is missing
    return loss, dpred
