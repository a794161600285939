# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 04 — A fully-connected network of any depth (全连接神经网络)
#
# This assignment follows the course notes **“全连接神经网络”** (a blog post; below, *the post*; its
# sections 1–5 are the structure, forward pass, backward pass, weight initialisation and gradient
# descent of a fully-connected network), which summarise the fully-connected
# network of Stanford's cs231n, assignment 2. A network has an input layer (输入层), hidden layers
# (隐藏层) and an output layer (输出层); the input layer is not counted, so a network with one hidden
# layer is a two-layer network. Each neuron first forms a linear sum of its inputs,
# $Z = \sum_{i} w_i x_i + b$, and then applies an activation function $f$: its output is
# $f\big(\sum_i w_i x_i + b\big)$.
#
# The architecture of cs231n's network is
#
# $$\{\text{affine} - [\text{batch norm}] - \text{relu} - [\text{dropout}]\} \times (L - 1)
#   - \text{affine} - \text{softmax}:$$
#
# each of the first $L - 1$ layers is an affine (fully-connected) map, optionally a batch
# normalization, a ReLU, and optionally dropout; the last layer is an affine map whose outputs (the
# class scores) go into a softmax loss. You implement every piece, forward and backward, then the
# whole model, and train it:
#
# | part | tasks |
# |---|---|
# | 1. affine layer | `affine_forward`, `affine_backward` |
# | 2. ReLU | `relu_forward`, `relu_backward` |
# | 3. batch normalization | `batchnorm_forward`, `batchnorm_backward` |
# | 4. dropout | `dropout_forward`, `dropout_backward` |
# | 5. softmax loss | `softmax_loss` |
# | 6–7. weight initialisation and the model | `FullyConnectedNet` |
# | 8. training | `train_net` — overfit 50 handwritten digits |
#
# **Conventions** (as in assignment 01). Everything is `float64` unless a `dtype` says otherwise. A
# batch is stored row by row: `x (N, D)`, one sample per row. Every layer is a pair of functions:
#
# - `*_forward(inputs...) -> (out, cache)`: the output, and a `cache` holding whatever the backward
#   pass will need (your choice: the grader always hands your backward the cache of *your* forward);
# - `*_backward(dout, cache) -> gradients`: given `dout` $= \partial L/\partial\,\text{out}$, the
#   gradients of the loss with respect to the forward's inputs, in the order of those inputs.
#
# In the post's notation, the $l$-th layer takes $X$ to `affOut` (affine), `batchOut` (batch norm),
# `reluOut` (ReLU) and `dropOut` (dropout), and the last layer's affine output is $Z_L$, the
# scores. Backpropagation (反向传播) "is just an application of the chain rule (链式求导)": from
# $dZ_L = \partial L/\partial Z_L$ back through dropout, ReLU, batch norm and affine, each backward
# pass multiplies by its own local derivative.
#
# **Rules the grader checks** (each task's docstring repeats the ones that apply to it):
#
# - **Do not change an input in place.** Your functions must leave the arrays they are given
#   untouched. `dx = dout; dx[x <= 0] = 0` changes the caller's `dout` (both names point to the
#   same array), and `x -= x.max(axis=1, keepdims=True)` changes the caller's `x`. Work on a copy
#   (`dx = dout.copy()`) or build a new array (`shifted = x - x.max(axis=1, keepdims=True)`).
#   Values are judged on their own; changing an input in place costs a quarter of the task's
#   points, and the feedback says which input. This covers the arrays in a backward pass's cache
#   too (they are your forward's inputs), the model's input `X`, and the training data of
#   `train_net` (shuffle an index array, not `X_train`). The exception is the contract of batch
#   norm: `batchnorm_forward` stores the running averages back into `bn_param`.
# - Backward passes are always given the cache of **your own** forward pass.
# - `float64` (or the model's `dtype`), and exactly the documented shapes: `db` is $(M,)$, `dgamma`,
#   `dbeta`, `running_mean` and `running_var` are $(D,)$ — not $(1, M)$ or $(1, D)$, which
#   broadcasting would quietly accept in a computation but the grader does not (it compares shapes
#   before values). A loss may be a Python float or a 0-d array.
#
# Each task is followed by a cell of visible checks (✓ when they pass, an `AssertionError` that says
# what is wrong otherwise). They compare your gradients with numerical gradients (central
# differences, the helper `gradient_check.py` shipped next to this notebook). The grader runs hidden
# cases of its own on other inputs.

# %% tags=["provided"]
import numpy as np

# %% [markdown]
# ## 1. The affine layer (全连接层)
#
# The affine layer is assignment 01's fully-connected layer, with one addition: an input may have
# any shape $(N, d_1, \dots, d_k)$ — an image batch $(N, C, H, W)$, say — and is **flattened per
# sample** into a row of $D = d_1 \cdots d_k$ numbers (`x.reshape(N, -1)`) before the product:
#
# $$\text{out} = x_{\text{flat}}\, w + b, \qquad x_{\text{flat}}: (N, D),\ w: (D, M),\ b: (M,),\
#   \text{out}: (N, M).$$
#
# The backward pass is 01's, with `dx` reshaped back to the shape of `x`:
#
# $$dx = \text{dout}\, w^{\mathsf T}\ (\text{reshaped to } x\text{'s shape}), \qquad
#   dw = x_{\text{flat}}^{\mathsf T}\, \text{dout}, \qquad db = \textstyle\sum_n \text{dout}_{n,:} .$$
#
# **Task 1 — `affine_forward` (1 point)** and **Task 2 — `affine_backward` (2 points).** Implement
# both.

# %% answer="affine_forward"
def affine_forward(x, w, b):
    """
    Forward pass of an affine (fully-connected) layer.

    Inputs:
    - x: A numpy array of shape (N, d_1, ..., d_k): N samples, each flattened to D = d_1 * ... * d_k
    - w: A numpy array of weights, of shape (D, M)
    - b: A numpy array of biases, of shape (M,)

    Returns a tuple of:
    - out: output, of shape (N, M)
    - cache: whatever affine_backward needs

    Rules: x, w and b must not be changed in place (a quarter of the task's points);
    reshape into a new name (x_flat = x.reshape(N, -1)), never assign to x.shape.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="affine_forward"
from checks import check_affine_forward
check_affine_forward(affine_forward)

# %% answer="affine_backward"
def affine_backward(dout, cache):
    """
    Backward pass of an affine layer.

    Inputs:
    - dout: Upstream derivative, of shape (N, M)
    - cache: what affine_forward returned as its cache

    Returns a tuple of:
    - dx: Gradient with respect to x, of the shape of x, (N, d_1, ..., d_k)
    - dw: Gradient with respect to w, of shape (D, M), summed over the batch
    - db: Gradient with respect to b, of shape (M,)

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the task's
    points); dx, dw, db have exactly these shapes (db is (M,), not (1, M)).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="affine_backward"
from checks import check_affine_backward
check_affine_backward(affine_forward, affine_backward)

# %% [markdown]
# ## 2. ReLU
#
# The rectified linear unit is the activation of cs231n's hidden layers, elementwise
#
# $$\text{relu}(x) = \max(0, x), \qquad \frac{\partial\,\text{relu}}{\partial x} =
#   \begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}$$
#
# so the backward pass lets `dout` through where the input was positive and blocks it elsewhere
# (at exactly $x = 0$ the derivative is undefined; take 0 — the tests never hit it). Inputs may
# have any shape.
#
# **Task 3 — `relu_forward` (1 point)** and **Task 4 — `relu_backward` (1 point).** Implement both.
# Both return **new** arrays: `relu_forward` must not clip `x` in place, and `relu_backward` must
# not zero entries of `dout` in place (`dx = dout; dx[x <= 0] = 0` does exactly that, because `dx`
# and `dout` are then the same array — start from `dout.copy()`, or compute a new array).

# %% answer="relu_forward"
def relu_forward(x):
    """
    Forward pass of a layer of rectified linear units (ReLUs).

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: Output, of the same shape as x: max(0, x) elementwise, a new array
    - cache: whatever relu_backward needs

    Rules: x must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="relu_forward"
from checks import check_relu_forward
check_relu_forward(relu_forward)

# %% answer="relu_backward"
def relu_backward(dout, cache):
    """
    Backward pass of a layer of ReLUs.

    Input:
    - dout: Upstream derivatives, of any shape
    - cache: what relu_forward returned as its cache

    Returns:
    - dx: Gradient with respect to x, of the shape of dout, a new array

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points): not dx = dout; dx[x <= 0] = 0, but dx = dout.copy() first.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="relu_backward"
from checks import check_relu_backward
check_relu_backward(relu_forward, relu_backward)

# %% [markdown]
# ## 3. Batch normalization (批量归一化)
#
# Batch normalization (Ioffe and Szegedy, 2015) normalizes every feature over the batch, then lets
# the network rescale it with learned parameters $\gamma$ (scale) and $\beta$ (shift), one of each
# per feature. For a batch $x$ of shape $(N, D)$, feature by feature (axis 0):
#
# $$\mu = \frac1N \sum_n x_n, \qquad \sigma^2 = \frac1N \sum_n (x_n - \mu)^2, \qquad
#   \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad \text{out} = \gamma\, \hat x + \beta .$$
#
# $\sigma^2$ is the **biased** batch variance, `x.var(axis=0)` (divide by $N$, not $N - 1$), and
# $\epsilon$ keeps the division safe.
#
# **Train and test mode.** During training $\mu$ and $\sigma^2$ come from the batch. At test time
# a prediction must not depend on which other samples happen to be in the batch, so the layer
# uses running averages collected during training instead. `bn_param` is a dict that carries the
# mode and this state from call to call:
#
# - `mode`: `'train'` or `'test'`;
# - `eps` (default `1e-5`) and `momentum` (default `0.9`);
# - `running_mean`, `running_var`: arrays of shape $(D,)$; when missing, they start as zeros.
#   In train mode, after computing the batch statistics, update them and **store them back into
#   `bn_param`**:
#   $$\text{running\_mean} \leftarrow m \cdot \text{running\_mean} + (1 - m)\, \mu, \qquad
#     \text{running\_var} \leftarrow m \cdot \text{running\_var} + (1 - m)\, \sigma^2 ;$$
# - in test mode, normalize with them: $\hat x = (x - \text{running\_mean}) /
#   \sqrt{\text{running\_var} + \epsilon}$, and leave them unchanged.
#
# Changing `bn_param` is the point of this function, not a side effect to avoid.
#
# **The backward pass** (train mode) goes through the same graph in reverse — the post's
# $\frac{dL}{d\,\text{affOut}} = \frac{dL}{d\,\text{batchOut}} \cdot \frac{d\,\text{batchOut}}{d\,\text{affOut}}$,
# $d\gamma$ and $d\beta$. (A slip in the post: it writes $d\gamma$ and $d\beta$ with the same
# factor as $dx$, $d\gamma = d\beta = \frac{dL}{d\,\text{batchOut}} \cdot
# \frac{d\,\text{batchOut}}{d\,\text{affOut}}$. The chain rule needs the derivative of batchOut
# with respect to the parameter itself: $\partial\,\text{batchOut}/\partial\gamma = \hat x$ and
# $\partial\,\text{batchOut}/\partial\beta = 1$, which gives the two sums below.) With $s = \sqrt{\sigma^2 + \epsilon}$ and sums over the batch (axis 0):
#
# $$d\beta = \sum_n \text{dout}_n, \qquad d\gamma = \sum_n \text{dout}_n \circ \hat x_n, \qquad
#   d\hat x = \text{dout} \circ \gamma,$$
#
# $$d\sigma^2 = \sum_n d\hat x_n \circ (x_n - \mu) \cdot \left(-\tfrac12\right) s^{-3}, \qquad
#   d\mu = -\frac1s \sum_n d\hat x_n \;+\; d\sigma^2 \cdot \frac{-2}{N} \sum_n (x_n - \mu),$$
#
# $$dx = \frac{d\hat x}{s} + d\sigma^2 \cdot \frac{2\,(x - \mu)}{N} + \frac{d\mu}{N} .$$
#
# Every sample influences $\mu$ and $\sigma^2$, and so every other sample's output: that is where
# the last two terms come from. (The second term of $d\mu$ is zero, since $\sum_n (x_n - \mu) = 0$.
# Substituting everything gives a one-line formula for $dx$ in terms of $\hat x$ and $d\hat x$ — a
# good exercise, optional.)
#
# **Task 5 — `batchnorm_forward` (2 points)** and **Task 6 — `batchnorm_backward` (3 points).**
# Implement `batchnorm_forward` (both modes) and `batchnorm_backward` (train mode).

# %% answer="batchnorm_forward"
def batchnorm_forward(x, gamma, beta, bn_param):
    """
    Forward pass of batch normalization.

    Input:
    - x: Data of shape (N, D)
    - gamma: Scale parameter of shape (D,)
    - beta: Shift parameter of shape (D,)
    - bn_param: Dictionary with the following keys:
      - mode: 'train' or 'test'; required
      - eps: Constant for numeric stability (default 1e-5)
      - momentum: Constant for the running mean / variance (default 0.9)
      - running_mean: Array of shape (D,), the running mean of the features (default zeros)
      - running_var: Array of shape (D,), the running variance of the features (default zeros)
      In train mode, store the updated running_mean and running_var back into bn_param.

    Returns a tuple of:
    - out: of shape (N, D)
    - cache: whatever batchnorm_backward needs (train mode)

    Rules: x, gamma and beta must not be changed in place (a quarter of the task's points);
    updating bn_param is the contract, not a mutation. running_mean and running_var have
    exactly the shape (D,) (x.mean(axis=0), not keepdims=True's (1, D)).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="batchnorm_forward"
from checks import check_batchnorm_forward
check_batchnorm_forward(batchnorm_forward)

# %% answer="batchnorm_backward"
def batchnorm_backward(dout, cache):
    """
    Backward pass of batch normalization (train mode).

    Inputs:
    - dout: Upstream derivatives, of shape (N, D)
    - cache: what batchnorm_forward returned as its cache in train mode

    Returns a tuple of:
    - dx: Gradient with respect to x, of shape (N, D)
    - dgamma: Gradient with respect to gamma, of shape (D,)
    - dbeta: Gradient with respect to beta, of shape (D,)

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the task's
    points); dgamma and dbeta have exactly the shape (D,).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="batchnorm_backward"
from checks import check_batchnorm_backward
check_batchnorm_backward(batchnorm_forward, batchnorm_backward)

# %% [markdown]
# ## 4. Dropout
#
# Dropout (Srivastava et al., 2014) regularizes a network by switching off a random part of the
# neurons in every training step, so that no neuron can rely on particular others. Here $p$ is
# the probability to **keep** a neuron (`dropout_param['p']`).
#
# - **Train mode.** Draw a mask with entry 1 with probability $p$ and 0 otherwise, and multiply. In
#   this course the mask is pinned so that results are reproducible:
#   `keep = np.random.default_rng(seed).random(x.shape) < p`, a fresh generator from
#   `dropout_param['seed']` on every call (with no `seed` in `dropout_param`, use any generator).
# - **Inverted dropout.** A kept neuron is divided by $p$: $\text{out} = x \circ \text{keep} / p$. Then
#   the expected value of every output equals its input, $E[\text{out}] = x$, and nothing needs
#   rescaling at test time.
# - **Test mode.** Dropout does nothing: `out` is `x` unchanged.
#
# The backward pass multiplies by the same mask: $dx = \text{dout} \circ \text{keep} / p$ in train
# mode, $dx = \text{dout}$ in test mode. Inputs may have any shape.
#
# **Task 7 — `dropout_forward` (1 point)** and **Task 8 — `dropout_backward` (1 point).** Implement
# both.

# %% answer="dropout_forward"
def dropout_forward(x, dropout_param):
    """
    Forward pass of inverted dropout.

    Inputs:
    - x: Input data, of any shape
    - dropout_param: A dictionary with the following keys:
      - p: Dropout parameter. We keep each neuron output with probability p.
      - mode: 'test' or 'train'. In test mode, the input is returned unchanged.
      - seed: optional int; the mask is keep = np.random.default_rng(seed).random(x.shape) < p.
        Without it any random generator may be used.

    Returns a tuple of:
    - out: Array of the same shape as x: x * keep / p in train mode, x in test mode
    - cache: whatever dropout_backward needs

    Rules: x and dropout_param must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="dropout_forward"
from checks import check_dropout_forward
check_dropout_forward(dropout_forward)

# %% answer="dropout_backward"
def dropout_backward(dout, cache):
    """
    Backward pass of inverted dropout.

    Inputs:
    - dout: Upstream derivatives, of any shape
    - cache: what dropout_forward returned as its cache

    Returns:
    - dx: Gradient with respect to x, of the shape of dout

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the task's
    points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="dropout_backward"
from checks import check_dropout_backward
check_dropout_backward(dropout_forward, dropout_backward)

# %% [markdown]
# ## 5. The softmax loss
#
# The last affine layer gives every sample a score $s_{nc}$ for every class $c$. The softmax turns
# the scores into class probabilities, and the loss of a sample is the negative log-probability of
# its true class $y_n$; the data loss is the mean over the batch:
#
# $$p_{nc} = \frac{e^{s_{nc}}}{\sum_{c'} e^{s_{nc'}}}, \qquad
#   L = \frac1N \sum_{n=1}^{N} L_n, \quad L_n = -\log p_{n y_n} .$$
#
# Its gradient is remarkably simple (the post's $dZ_L = \frac1N \sum_n \frac{dL_n}{dZ_n}$):
#
# $$\frac{\partial L}{\partial s_{nc}} = \frac1N \left(p_{nc} - [c = y_n]\right).$$
#
# **Numerical stability.** $e^{s}$ overflows for scores above ~709. Softmax does not change when
# the same constant is subtracted from all scores of a sample, so subtract each row's maximum
# first: the largest exponent is then $e^0 = 1$. Compute $\log p$ as
# $(s - \max s) - \log \sum e^{s - \max s}$ rather than as the log of a tiny $p$.
#
# ### Task 9 — `softmax_loss` (2 points)
#
# Implement `softmax_loss`. `y` holds integer labels, $0 \le y_n < C$. Shift into a new array,
# `shifted = x - x.max(axis=1, keepdims=True)`: the in-place `x -= ...` would change the caller's
# scores.

# %% answer="softmax_loss"
def softmax_loss(x, y):
    """
    Loss and gradient for softmax classification.

    Inputs:
    - x: Input data (class scores), of shape (N, C) where x[i, j] is the score of the jth class
      for the ith input
    - y: Vector of labels, of shape (N,) where y[i] is the label of x[i] and 0 <= y[i] < C

    Returns a tuple of:
    - loss: Scalar giving the loss, the mean over the batch (a Python float or a 0-d array)
    - dx: Gradient of the loss with respect to x, of shape (N, C)

    Rules: x and y must not be changed in place (a quarter of the task's points): no
    x -= x.max(...), write shifted = x - x.max(...).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="softmax_loss"
from checks import check_softmax_loss
check_softmax_loss(softmax_loss)

# %% [markdown]
# ## 6. Weight initialisation (权重初始化)
#
# Following the post: every layer's `w` has as many rows as the layer has inputs and as many
# columns as it has neurons. In a network with input dimension 3, a first layer of 4 neurons and an
# output layer of 2, the first `w` is $3 \times 4$ and its `b` has 4 entries ($1 \times 4$); the
# second `w` is $4 \times 2$ and its `b` has 2. A batch-norm layer's `gamma` and `beta` have one
# entry per neuron of its layer, $1 \times D$. And:
#
# - `w` is drawn from a Gaussian (高斯分布) with mean 0 — here with standard deviation
#   `weight_scale`, i.e. `weight_scale * rng.standard_normal((fan_in, fan_out))`;
# - `b` starts at zero (初始化为0矩阵), `beta` at 0, `gamma` at 1 — so batch norm starts out as
#   a plain normalization.
#
# **Why the scale matters.** The weights must not all be equal (every neuron of a layer would
# compute, and learn, the same thing), hence the random draw; but its *scale* decides whether a
# signal survives many layers. Each affine layer multiplies the spread of the activations by
# roughly `weight_scale` $\cdot \sqrt{\text{fan\_in}}$ (and a ReLU halves the variance). Far below 1
# and the activations — and with them the gradients — shrink geometrically with depth; far above
# and they explode. The next cell pushes a random batch through ten ReLU layers of 100 neurons.
# He et al. (2015) choose the standard deviation $\sqrt{2/\text{fan\_in}}$ (≈ 0.14 here), which
# keeps the spread constant; batch normalization makes the network much less sensitive to the
# choice, since it re-normalizes every layer.

# %%
rng = np.random.default_rng(0)
for weight_scale in (1e-2, np.sqrt(2 / 100), 0.5):
    h = rng.standard_normal((200, 100))
    stds = []
    for layer in range(10):
        h = np.maximum(0, h @ (weight_scale * rng.standard_normal((100, 100))))
        stds.append(h.std())
    print(f"weight_scale {weight_scale:.3f}: activation std after layers 1, 4, 7, 10:",
          " ".join(f"{stds[i]:9.3g}" for i in (0, 3, 6, 9)))

# %% [markdown]
# ## 7. The model: `FullyConnectedNet`
#
# Put the layers together. `FullyConnectedNet(hidden_dims, input_dim, num_classes, ...)` has
# `L = len(hidden_dims) + 1` affine layers; its parameters live in the dict `self.params`:
#
# - `W1, b1` for the first layer, ..., `WL, bL` for the last (the output layer, `num_classes`
#   scores);
# - with `normalization='batchnorm'`, also `gamma1, beta1, ..., gamma{L-1}, beta{L-1}` for the hidden
#   layers (never for the output layer).
#
# Constructor (initialise as in section 6):
#
# - `seed` seeds the generator of the weights: `rng = np.random.default_rng(seed)`;
# - `dropout_keep_ratio` is the keep probability $p$; dropout is used only when it is not 1, after
#   every ReLU, and **all dropout layers share one dict** `dropout_param = {'mode': 'train', 'p':
#   dropout_keep_ratio}`, with `'seed': seed` added when a seed is given (every call then draws its
#   mask from a fresh `default_rng(seed)`, as pinned in section 4);
# - with batch norm, keep one `bn_param` dict per hidden layer (start with `{'mode': 'train'}`;
#   `batchnorm_forward` adds the running averages);
# - cast every parameter to `dtype`, and keep gradients in that `dtype`.
#
# `loss(X, y=None)`:
#
# - `y is None`: **test mode** — set the mode of the dropout and batch-norm params to `'test'`,
#   run the forward pass and return the scores, shape `(N, num_classes)`;
# - otherwise **train mode**: forward pass, `softmax_loss`, then the backward pass through every
#   layer in reverse order, and return `(loss, grads)` with `grads[k]` the gradient of the loss
#   with respect to `self.params[k]`, for every `k`.
#
# **Regularization (正则化).** The loss adds an L2 penalty on the weights (not on biases, gammas or
# betas):
#
# $$L = \frac1N \sum_{n=1}^{N} L_n + \frac{\lambda}{2} \sum_{l} \sum_{i,j} \left(W^{l}_{ij}\right)^2,
#   \qquad \frac{\partial L}{\partial W^{l}} = \left(\frac{\partial L}{\partial W^{l}}\right)_{\text{data}}
#   + \lambda\, W^{l},$$
#
# with $\lambda$ = `reg`. (The post writes the penalty as $\lambda \sum W^l_{ij}$; the square is
# missing there. The factor $\frac12$ is a convention that makes the gradient $\lambda W$.)
#
# `X` may have any shape `(N, d_1, ..., d_k)` with `d_1 ⋯ d_k = input_dim`; `affine_forward`
# flattens it.
#
# ### Task 10 — `FullyConnectedNet` (4 points)
#
# Implement `FullyConnectedNet`. The check runs a numerical gradient check of the whole
# model — with and without regularization, batch norm and dropout.

# %% answer="FullyConnectedNet"
class FullyConnectedNet:
    """
    A fully-connected network with any number of hidden layers:

        {affine - [batch norm] - relu - [dropout]} x (L - 1) - affine - softmax

    Learnable parameters live in self.params: W1, b1, ..., WL, bL and, with batch norm,
    gamma1, beta1, ..., gamma{L-1}, beta{L-1}.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float64, seed=None):
        """
        Inputs:
        - hidden_dims: A list of integers giving the size of each hidden layer
        - input_dim: An integer giving the size of the input
        - num_classes: An integer giving the number of classes to classify
        - dropout_keep_ratio: Keep probability of dropout; 1 means no dropout
        - normalization: None (no normalization) or 'batchnorm'
        - reg: Scalar giving the L2 regularization strength
        - weight_scale: Standard deviation of the random initialization of the weights
        - dtype: A numpy datatype object; all parameters and gradients use it
        - seed: If not None, seeds np.random.default_rng for the weights, and is the dropout seed
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def loss(self, X, y=None):
        """
        Compute loss and gradient for the fully-connected net.

        Inputs:
        - X: Array of input data of shape (N, d_1, ..., d_k)
        - y: Array of labels, of shape (N,). y[i] gives the label for X[i].

        Returns:
        If y is None, run a test-time forward pass and return:
        - scores: Array of shape (N, C) giving classification scores

        If y is not None, run a training-time forward and backward pass and return a tuple of:
        - loss: Scalar value giving the loss
        - grads: Dictionary with the same keys as self.params, mapping parameter names to
          gradients of the loss with respect to those parameters

        Rules: X and y must not be changed in place (a quarter of the task's points); every
        gradient has the shape and the dtype of its parameter.
        """
        # YOUR CODE HERE
        raise NotImplementedError()


# %% test="FullyConnectedNet"
from checks import check_FullyConnectedNet
check_FullyConnectedNet(FullyConnectedNet)

# %% [markdown]
# ## 8. Training: overfit a small data set
#
# The post's last step is gradient descent (梯度下降) on every layer,
#
# $$\gamma \leftarrow \gamma - \alpha\, d\gamma, \qquad \beta \leftarrow \beta - \alpha\, d\beta, \qquad
#   W \leftarrow W - \alpha\, dW, \qquad b \leftarrow b - \alpha\, db,$$
#
# repeated until the loss is small enough or enough iterations have passed. With minibatches
# (小批量): split the training set into batches of `batch_size` samples, take one step per batch,
# and call one pass over all the batches an **epoch**.
#
# A classic sanity check before any real training: a network with enough parameters must be able
# to **overfit** a tiny training set, i.e. reach 100% training accuracy. If it cannot, something is
# wrong with the gradients or the update.
#
# **The data.** 50 handwritten digits, 5 of each class 0–9, as $8 \times 8$ grey images with
# integer pixels 0–16, plus 100 more for validation, in `digits_small.npz` next to this notebook.
# They are taken from the "Optical Recognition of Handwritten Digits" data set (E. Alpaydin and C.
# Kaynak, UCI Machine Learning Repository, 1998; CC BY 4.0) as shipped with scikit-learn
# (`sklearn.datasets.load_digits`, BSD-3-Clause licence): for every class, the first 5 images in
# that set's order are the training set and the next 10 the validation set (`train_index` and
# `val_index` in the file are their positions in `load_digits()`). We scale the pixels to $[0, 1]$.

# %%
digits = np.load("digits_small.npz")
X_train, y_train = digits["X_train"] / 16.0, digits["y_train"].astype(np.int64)
X_val, y_val = digits["X_val"] / 16.0, digits["y_val"].astype(np.int64)
print("training images", X_train.shape, "labels", np.bincount(y_train))
print("validation images", X_val.shape, "labels", np.bincount(y_val))
for row in (X_train[3] * 9).astype(int):  # one training image, the digit y_train[3]
    print(" ".join(".:-=+*#%@@"[v] for v in row))
print("label:", y_train[3])

# %% [markdown]
# ### Task 11 — `train_net` (2 points)
#
# Implement `train_net(model, data, learning_rate, num_epochs, batch_size, seed, verbose)`, minibatch
# stochastic gradient descent:
#
# - `data` is a dict with `X_train` and `y_train` (other keys, such as `X_val`, are ignored);
# - `rng = np.random.default_rng(seed)`, one generator for the whole run;
# - every epoch: a new random order of the $N$ training samples (`rng.permutation(N)`), cut into
#   consecutive batches of `batch_size` (the last one may be smaller), so that each sample is used
#   exactly once per epoch — that is `num_epochs * ceil(N / batch_size)` iterations in all;
# - every iteration: `loss, grads = model.loss(X_batch, y_batch)`, then
#   `model.params[k] = model.params[k] - learning_rate * grads[k]` for every parameter `k`;
# - return `loss_history`, the list of the minibatch losses (floats), one per iteration.
#
# The next cells train a three-layer network (two hidden layers of 100) with `weight_scale = 0.1`
# and overfit the 50 digits. The grader does the same with your `FullyConnectedNet` and other seeds,
# and checks that every training image is classified correctly.

# %% answer="train_net"
def train_net(model, data, learning_rate=0.2, num_epochs=50, batch_size=10, seed=0, verbose=False):
    """
    Minibatch stochastic gradient descent on model.params.

    Inputs:
    - model: An object with a dict `params` and a method loss(X, y) -> (loss, grads), e.g. a
      FullyConnectedNet
    - data: A dict with 'X_train' (N, d_1, ..., d_k) and 'y_train' (N,)
    - learning_rate: The step size of every update
    - num_epochs: Number of passes over the training set
    - batch_size: Number of samples per minibatch (the last batch of an epoch may be smaller)
    - seed: Seeds np.random.default_rng, which shuffles the samples every epoch
    - verbose: If True, print the loss at the end of every epoch

    Returns:
    - loss_history: A list of floats, the loss of every minibatch (one per iteration)

    Rules: data['X_train'] and data['y_train'] must not be changed in place (a quarter of the
    task's points): shuffle an index array (rng.permutation(N)), never the data. Updating
    model.params is the point of the function.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="train_net"
from checks import check_train_net
check_train_net(train_net, FullyConnectedNet, X_train, y_train)

# %%
model = FullyConnectedNet([100, 100], input_dim=64, num_classes=10, weight_scale=0.1, seed=0)
loss_history = train_net(model, {"X_train": X_train, "y_train": y_train},
                         learning_rate=0.2, num_epochs=50, batch_size=10, seed=0)
for epoch in (1, 5, 10, 20, 50):
    print(f"epoch {epoch:2d}: minibatch loss {loss_history[5 * epoch - 1]:.4f}")
train_accuracy = np.mean(np.argmax(model.loss(X_train), axis=1) == y_train)
val_accuracy = np.mean(np.argmax(model.loss(X_val), axis=1) == y_val)
print(f"training accuracy {train_accuracy:.0%}, validation accuracy {val_accuracy:.0%}")

# %% [markdown]
# 100% on the training set, clearly less on images the network has not seen: with 50 samples
# and about 17 600 parameters, the network memorises. This is what the check is for — it says the
# gradients and the update work, not that the model generalizes. From here, more data, the L2
# penalty `reg`, dropout and batch normalization are the tools that close the gap; try them on
# this data (e.g. `reg=0.01`, `dropout_keep_ratio=0.8`, `normalization='batchnorm'`) and watch the
# two accuracies.
#
# ## Summary (小结)
#
# - A layer is a forward pass that keeps a cache and a backward pass that turns
#   $\partial L/\partial\,\text{out}$ into the gradients of its inputs; backpropagation chains them in
#   reverse order.
# - Batch norm normalizes with batch statistics in training and with running averages at test
#   time; its backward pass must account for every sample's effect on $\mu$ and $\sigma^2$.
# - Inverted dropout scales at training time so that test time needs nothing.
# - Initialise `w` from a zero-mean Gaussian whose scale keeps the activations' spread roughly
#   constant through the layers; `b` and `beta` at 0, `gamma` at 1.
# - Before training a model for real, check that it can overfit a tiny data set.
