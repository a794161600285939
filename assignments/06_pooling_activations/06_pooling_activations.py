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
# # Assignment 06 — Pooling layers and activation functions, backward (池化层与激活函数的反向传播)
#
# After the convolution layer (assignment 05), the course derives the backward pass of the
# other layers a CNN is made of:
#
# - **pooling layers (池化层)**, part 0_2_5 of the notes: max pooling, average pooling, global
#   average pooling, global max pooling;
# - **activation functions (激活函数)**, part 0_3 of the notes: ReLU, LeakyReLU, PReLU, ELU, SELU.
#
# **Where the notes are.** Both parts belong to the series “numpy实现神经网络系列”
# (https://github.com/yizt/numpy_neuron_network), whose part 0_2_2 (卷积层的反向传播) is in the
# course notes. These two parts are not shipped with the course; read them in the original series:
# **“0_2_5-池化层的反向传播-MaxPooling、AveragePooling、GlobalAveragePooling、GlobalMaxPooling”** and
# **“0_3-激活函数的反向传播-ReLU、LeakyReLU、PReLU、ELU、SELU”**. Below, *the notes* means these two
# parts, and the equation numbers in brackets are theirs.
#
# Each is a layer with a `*_forward(...) -> (out, cache)` and a `*_backward(dout, cache)`;
# the backward returns the gradient with respect to the layer's input (and, for PReLU, its
# parameter). That is 18 small functions, each graded on its own.
#
# **Conventions.** float64 arrays; images in NCHW layout, `x: (N, C, H, W)`. Pooling works on every
# sample and every channel separately; its window is described by
# `pool_param = {"pool_height": PH, "pool_width": PW, "stride": s}` (the stride is always given,
# the same in both directions; there is no padding). Activations work elementwise on arrays of
# any shape. `dout` is the upstream derivative $\partial L / \partial \text{out}$.
#
# **Rules the grader checks** (each docstring repeats them):
#
# - Return `float64` arrays of exactly the documented shapes: `dx` has the full shape of `x`
#   (zeros where no window reaches), global pooling gives `(N, C)`, `dalpha` has the shape of
#   `alpha`.
# - Every backward is given the cache of **your own** forward.
# - **Do not change an input in place.** Your functions must leave the arrays they are given
#   untouched — `x`, `dout`, `alpha`, and the arrays in the cache (your forward's inputs) — and
#   must not modify `pool_param`. `dx = dout; dx[x <= 0] = 0` changes the caller's `dout` (both
#   names point to the same array), and `x[x < 0] *= alpha` changes the caller's `x`. Work on a
#   copy (`dout.copy()`) or build a new array (an expression such as `2.0 * dout` is one). Values
#   are judged on their own; changing an input in place costs a quarter of the task's points, and the feedback
#   says which input.
#
# **Grading.** The cell after each task runs visible checks (hand-countable examples, the
# definitions, numerical gradients of *your* forward); the grader compares your outputs with the
# derivation on other random inputs (batch of 1, non-square images and windows, overlapping
# windows, strides that leave rows out). Inputs never sit exactly on a kink ($z = 0$) or on a
# tie of a maximum. Plain Python loops are fine: correct answers written with loops get full
# marks. Keep the names and signatures exactly as given; cells tagged `provided` are given.

# %% tags=["provided"]
import numpy as np

# SELU's fixed constants (Klambauer et al., "Self-Normalizing Neural Networks", 2017); the
# notes (part 0_3) round them to λ ≈ 1.0507, α ≈ 1.673.
SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772

# %% [markdown]
# ## Part 1 — Pooling layers (池化层), part 0_2_5 of the notes
#
# The notation of part 0_2_5: $z^{l-1}$ is the pooling layer's input and $z^l$ its output,
# $z^l_{c,i,j}$ the value of channel $c$ at $(i, j)$; the pooling unit has size $(k_1, k_2)$ and
# stride $(s_1, s_2)$; $\delta^l = \partial L / \partial z^l$. Here: `x[n, c]` is $z^{l-1}_c$ for
# sample `n`, `out[n, c]` is $z^l_c$, $(k_1, k_2)$ = `(pool_height, pool_width)`, $s_1 = s_2$ =
# `stride`, and `dout` is $\delta^l$. (The notes also allow zero padding $p$ and pools the padded
# $pz^{l-1}$; our `pool_param` has none, so $pz^{l-1} = z^{l-1}$.)
#
# Window $(i, j)$ covers rows $i s \dots i s + k_1 - 1$ and columns $j s \dots j s + k_2 - 1$, and
# must fit inside the input, so the output has
#
# $$H^l = \left\lfloor \frac{H^{l-1} - k_1}{s} \right\rfloor + 1, \qquad
#   \hat W^l = \left\lfloor \frac{\hat W^{l-1} - k_2}{s} \right\rfloor + 1$$
#
# rows and columns — floored, as in PyTorch (the notes write the division without a floor). When
# the stride does not divide, the last rows (columns) of the input are in no window; they do not
# influence the output and their gradient is 0. Windows overlap when $s < k$ and leave gaps when
# $s > k$.
#
# ### 1.1 Max pooling (最大池化)
#
# $$z^l_{c,i,j} = \max_{\substack{i s \le m < i s + k_1\\ j s \le n < j s + k_2}} z^{l-1}_{c,m,n} . \tag{1}$$
#
# ### Task 1 — `max_pool_forward` (1 point)
#
# Implement `max_pool_forward`. Keep in the cache what the backward pass will
# need (the input, or where each window's maximum was).

# %% answer="max_pool_forward"
def max_pool_forward(x, pool_param):
    """
    Forward pass of max pooling (最大池化).

    Inputs:
    - x: Input data, of shape (N, C, H, W)
    - pool_param: dict with keys 'pool_height', 'pool_width', 'stride' (ints); do not modify it

    Returns a tuple of:
    - out: shape (N, C, Ho, Wo), Ho = (H - pool_height) // stride + 1, Wo likewise;
      out[n, c, i, j] = max of x[n, c, i*stride : i*stride + pool_height, j*stride : j*stride + pool_width]
    - cache: whatever max_pool_backward needs

    Rules: x must not be changed in place (a quarter of the task's points), and
    pool_param must not be modified.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="max_pool_forward"
from checks import check_max_pool_forward
check_max_pool_forward(max_pool_forward)

# %% [markdown]
# **Backward.** Only the maximum of a window influences the output: moving any other entry a
# little changes nothing. Let $I(c, a, b)$ be the set of output positions $(i, j)$ whose window
# has its maximum at input position $(a, b)$ of channel $c$. Then
#
# $$\frac{\partial L}{\partial z^{l-1}_{c,a,b}} = \sum_{(i,j) \in I(c,a,b)} \delta^l_{c,i,j} . \tag{5}$$
#
# Usually $I(c,a,b)$ is empty (gradient 0) or holds one window. With overlapping windows one input
# can be the maximum of several windows — then their $\delta$'s **add up** (`+=`, not `=`).
# Ties (two equal maxima in one window) make the maximum non-differentiable; PyTorch sends the
# gradient to the first maximum. The tests never have ties, so any choice is accepted.
#
# ### Task 2 — `max_pool_backward` (2 points)
#
# Implement `max_pool_backward(dout, cache)` → `dx` of the shape of `x`.

# %% answer="max_pool_backward"
def max_pool_backward(dout, cache):
    """
    Backward pass of max pooling.

    Inputs:
    - dout: Upstream derivative, of shape (N, C, Ho, Wo)
    - cache: what your max_pool_forward returned as its cache

    Returns:
    - dx: Gradient with respect to x, shape (N, C, H, W): each dout[n, c, i, j] added at the
      position of window (i, j)'s maximum, 0 where no window has its maximum

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="max_pool_backward"
from checks import check_max_pool_backward
check_max_pool_backward(max_pool_backward, max_pool_forward)

# %% [markdown]
# ### 1.2 Average pooling (平均池化)
#
# $$z^l_{c,i,j} = \frac{1}{k_1 k_2} \sum_{m=i s}^{i s + k_1 - 1} \sum_{n=j s}^{j s + k_2 - 1} z^{l-1}_{c,m,n} . \tag{2}$$
#
# **Backward.** Every input of window $(i, j)$ enters its mean with coefficient $1/(k_1 k_2)$. The
# notes turn this around: input row $m$ lies in the windows $i$ with $i s \le m \le i s + k_1 - 1$,
# that is
#
# $$\left\lceil \frac{m - k_1 + 1}{s} \right\rceil \le i \le \left\lfloor \frac{m}{s} \right\rfloor
#   \quad (\text{and } 0 \le i < H^l), \tag{8}$$
#
# likewise for columns, and
#
# $$\frac{\partial L}{\partial z^{l-1}_{c,m,n}} = \sum_{i} \sum_{j} \frac{\delta^l_{c,i,j}}{k_1 k_2}
#   \quad \text{over the } (i, j) \text{ of (8)} . \tag{9}$$
#
# (The notes write a floor on the left of (8); the smallest such $i$ is the ceiling.) In code it is
# simpler to go the other way, window by window: add $\delta^l_{c,i,j} / (k_1 k_2)$ to every
# position of window $(i, j)$ — overlapping windows add up by themselves.
#
# **Task 3 — `avg_pool_forward` (1 point)** and **Task 4 — `avg_pool_backward` (2 points).**

# %% answer="avg_pool_forward"
def avg_pool_forward(x, pool_param):
    """
    Forward pass of average pooling (平均池化).

    Inputs:
    - x: Input data, of shape (N, C, H, W)
    - pool_param: dict with keys 'pool_height', 'pool_width', 'stride' (ints); do not modify it

    Returns a tuple of:
    - out: shape (N, C, Ho, Wo), Ho = (H - pool_height) // stride + 1, Wo likewise;
      out[n, c, i, j] = mean of the window x[n, c, i*stride : i*stride + pool_height, j*stride : j*stride + pool_width]
    - cache: whatever avg_pool_backward needs

    Rules: x must not be changed in place (a quarter of the task's points), and
    pool_param must not be modified.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="avg_pool_forward"
from checks import check_avg_pool_forward
check_avg_pool_forward(avg_pool_forward)

# %% answer="avg_pool_backward"
def avg_pool_backward(dout, cache):
    """
    Backward pass of average pooling.

    Inputs:
    - dout: Upstream derivative, of shape (N, C, Ho, Wo)
    - cache: what your avg_pool_forward returned as its cache

    Returns:
    - dx: Gradient with respect to x, shape (N, C, H, W): every position of window (i, j) gets
      dout[n, c, i, j] / (pool_height * pool_width), added up where windows overlap

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="avg_pool_backward"
from checks import check_avg_pool_backward
check_avg_pool_backward(avg_pool_backward, avg_pool_forward)

# %% [markdown]
# ### 1.3 Global pooling (全局池化)
#
# Global pooling is simpler still: one window as large as the whole channel, so each channel of
# each sample becomes **one number** and the output has shape `(N, C)` (经过全局池化后输出就是一维的).
# Global average pooling ends networks such as Network-in-Network and ResNet, in place of large
# fully-connected layers.
#
# $$z^l_c = \max_{0 \le m < H^{l-1},\; 0 \le n < \hat W^{l-1}} z^{l-1}_{c,m,n} \tag{3}$$
#
# $$z^l_c = \frac{1}{H^{l-1} \hat W^{l-1}} \sum_{m=0}^{H^{l-1}-1} \sum_{n=0}^{\hat W^{l-1}-1} z^{l-1}_{c,m,n} \tag{4}$$
#
# **Backward.** Global max pooling sends $\delta^l_c$ to the position of channel $c$'s maximum and
# 0 everywhere else (10). Global average pooling shares $\delta^l_c$ equally among all positions
# of the channel (后一层梯度平均的分给前一层所有的神经元):
#
# $$\delta^{l-1}_{c,i,j} = \frac{\delta^l_c}{H^{l-1} \cdot \hat W^{l-1}} . \tag{12}$$
#
# (The notes print the denominator as $H^l \cdot \hat W^{l-1}$, a typo: both sizes are the
# input's — $z^l$ has no height any more.)
#
# **Task 5 — `global_avg_pool_forward` (1 point)**, **Task 6 — `global_avg_pool_backward` (1 point)**,
# **Task 7 — `global_max_pool_forward` (1 point)** and **Task 8 — `global_max_pool_backward` (1 point).**
# `global_avg_pool_forward(x) -> (out (N, C), cache)`, `global_avg_pool_backward(dout (N, C), cache)
# -> dx (N, C, H, W)`, and the same for global max pooling.

# %% answer="global_avg_pool_forward"
def global_avg_pool_forward(x):
    """
    Global average pooling (全局平均池化): the mean of every channel.

    Inputs:
    - x: Input data, of shape (N, C, H, W)

    Returns a tuple of:
    - out: shape (N, C), out[n, c] = mean of x[n, c]
    - cache: whatever global_avg_pool_backward needs

    Rules: x must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="global_avg_pool_forward"
from checks import check_global_avg_pool_forward
check_global_avg_pool_forward(global_avg_pool_forward)

# %% answer="global_avg_pool_backward"
def global_avg_pool_backward(dout, cache):
    """
    Backward pass of global average pooling.

    Inputs:
    - dout: Upstream derivative, of shape (N, C)
    - cache: what your global_avg_pool_forward returned as its cache

    Returns:
    - dx: shape (N, C, H, W), every position of channel c gets dout[n, c] / (H * W)

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="global_avg_pool_backward"
from checks import check_global_avg_pool_backward
check_global_avg_pool_backward(global_avg_pool_backward, global_avg_pool_forward)

# %% answer="global_max_pool_forward"
def global_max_pool_forward(x):
    """
    Global max pooling (全局最大池化): the largest value of every channel.

    Inputs:
    - x: Input data, of shape (N, C, H, W)

    Returns a tuple of:
    - out: shape (N, C), out[n, c] = max of x[n, c]
    - cache: whatever global_max_pool_backward needs

    Rules: x must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="global_max_pool_forward"
from checks import check_global_max_pool_forward
check_global_max_pool_forward(global_max_pool_forward)

# %% answer="global_max_pool_backward"
def global_max_pool_backward(dout, cache):
    """
    Backward pass of global max pooling.

    Inputs:
    - dout: Upstream derivative, of shape (N, C)
    - cache: what your global_max_pool_forward returned as its cache

    Returns:
    - dx: shape (N, C, H, W), dout[n, c] at the position of the maximum of x[n, c], 0 elsewhere

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="global_max_pool_backward"
from checks import check_global_max_pool_backward
check_global_max_pool_backward(global_max_pool_backward, global_max_pool_forward)

# %% [markdown]
# ## Part 2 — Activation functions (激活函数), part 0_3 of the notes
#
# The notes treat an activation as a layer of its own (我们将激活函数也看做一层): the layer before
# outputs $z^l$, the activation outputs $z^{l+1} = f(z^l)$ elementwise, and with
# $\delta^l = \partial L / \partial z^l$ the chain rule gives, entry by entry,
#
# $$\delta^l = \frac{\partial L}{\partial z^{l+1}} \frac{\partial z^{l+1}}{\partial z^l}
#   = \delta^{l+1} \odot f'(z^l) .$$
#
# Here `x` is $z^l$, `out` is $z^{l+1}$, `dout` is $\delta^{l+1}$ and `dx` is $\delta^l$. The
# backward needs $z^l$ (or the output), so the forward caches it. The functions below work on
# arrays of any shape. At $z = 0$ the piecewise functions have a kink; the notes put $z = 0$ into
# the "$\le 0$" branch, and the tests never use it.
#
# ### 2.1 ReLU (整流线性单元, Rectified Linear Unit)
#
# $$\mathrm{ReLU}(z) = \begin{cases} z & z > 0\\ 0 & z \le 0 \end{cases} \tag{1}
# \qquad\qquad
# \delta^l = \begin{cases} \delta^{l+1} & z^l > 0\\ 0 & z^l \le 0 \end{cases} \tag{2}$$
#
# **Task 9 — `relu_forward` (1 point)** and **Task 10 — `relu_backward` (1 point).**
# `relu_forward(x) -> (out, cache)`, `relu_backward(dout, cache) -> dx`.

# %% answer="relu_forward"
def relu_forward(x):
    """
    ReLU: out = x where x > 0, 0 elsewhere (elementwise, any shape).

    Returns a tuple of:
    - out: same shape as x
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
    Backward pass of ReLU.

    Inputs:
    - dout: Upstream derivative, any shape
    - cache: what your relu_forward returned as its cache

    Returns:
    - dx: same shape as dout: dout where the forward's input was > 0, 0 elsewhere

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="relu_backward"
from checks import check_relu_backward
check_relu_backward(relu_backward, relu_forward)

# %% [markdown]
# ### 2.2 LeakyReLU
#
# ReLU has no gradient for $z < 0$: a neuron whose input is always negative stops learning.
# LeakyReLU gives that side a small slope $\alpha$ (在取值小于0部分给一个很小的梯度):
#
# $$\mathrm{LeakyReLU}(z) = \begin{cases} z & z > 0\\ \alpha z & z \le 0 \end{cases} \tag{3}
# \qquad\qquad
# \delta^l = \begin{cases} \delta^{l+1} & z^l > 0\\ \alpha\, \delta^{l+1} & z^l \le 0 \end{cases} \tag{4}$$
#
# $\alpha$ is a fixed hyperparameter. The formula of the notes shows $\alpha = 0.1$; our
# `leaky_relu_forward(x, alpha=0.01)` takes it as an argument with PyTorch's default 0.01. The
# backward uses the same $\alpha$ (keep it in the cache) and returns `dx` only — there is nothing
# to learn.
#
# **Task 11 — `leaky_relu_forward` (1 point)** and **Task 12 — `leaky_relu_backward` (1 point).**

# %% answer="leaky_relu_forward"
def leaky_relu_forward(x, alpha=0.01):
    """
    LeakyReLU: out = x where x > 0, alpha * x elsewhere (elementwise, any shape).

    Returns a tuple of:
    - out: same shape as x
    - cache: whatever leaky_relu_backward needs (including alpha)

    Rules: x must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="leaky_relu_forward"
from checks import check_leaky_relu_forward
check_leaky_relu_forward(leaky_relu_forward)

# %% answer="leaky_relu_backward"
def leaky_relu_backward(dout, cache):
    """
    Backward pass of LeakyReLU.

    Returns:
    - dx: same shape as dout: dout where the forward's input was > 0, alpha * dout elsewhere

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="leaky_relu_backward"
from checks import check_leaky_relu_backward
check_leaky_relu_backward(leaky_relu_backward, leaky_relu_forward)

# %% [markdown]
# ### 2.3 PReLU (参数化ReLU, He et al. 2015)
#
# The same shape as LeakyReLU, but $\alpha$ is **learned from the data** (不是固定的常量而是根据数据学习到的):
#
# $$\mathrm{PReLU}(z) = \begin{cases} z & z > 0\\ \alpha z & z \le 0 \end{cases} \tag{5}
# \qquad
# \delta^l = \begin{cases} \delta^{l+1} & z^l > 0\\ \alpha\, \delta^{l+1} & z^l \le 0 \end{cases} \tag{6}$$
#
# $$\frac{\partial L}{\partial \alpha} = \delta^{l+1}\, \frac{\partial \mathrm{PReLU}(z^l)}{\partial \alpha}
#   = \begin{cases} 0 & z^l > 0\\ \delta^{l+1} z^l & z^l \le 0 \end{cases} \tag{7}$$
#
# The notes let $\alpha$ have the same shape as $z$, one $\alpha$ per neuron; then (7) is the
# whole story. The PReLU paper — and PyTorch, and this assignment — use **one $\alpha$ per
# channel**: `alpha` has shape `(C,)` and runs along axis 1 of `x`, i.e. per feature for
# `x (N, D)`, per channel for NCHW `x (N, C, H, W)`, and so on for any rank $\ge 2$ (reshape it to
# `(1, C, 1, ...)` to broadcast). One $\alpha_c$ is then used at every position of channel $c$ in
# every sample, so by the chain rule its gradient **adds up** the contributions (7) of all of them:
#
# $$\frac{\partial L}{\partial \alpha_c} = \sum_{n} \sum_{\text{positions } p} 
#   \delta^{l+1}_{n,c,p}\; z^l_{n,c,p}\; [z^l_{n,c,p} \le 0] ,$$
#
# a sum over every axis except axis 1; `dalpha` has the shape of `alpha`. (This is the same rule as
# a bias shared by a batch in assignment 01, or a kernel shared by all positions in 05.)
#
# **Task 13 — `prelu_forward` (1 point)** and **Task 14 — `prelu_backward` (2 points).**
# `prelu_forward(x, alpha) -> (out, cache)`, `prelu_backward(dout, cache) -> (dx, dalpha)`.

# %% answer="prelu_forward"
def prelu_forward(x, alpha):
    """
    PReLU: out = x where x > 0, alpha[c] * x elsewhere, with c the index along axis 1.

    Inputs:
    - x: Input data of rank >= 2, e.g. (N, D) or (N, C, H, W)
    - alpha: The learned slopes, shape (C,) = (x.shape[1],); do not modify it

    Returns a tuple of:
    - out: same shape as x
    - cache: whatever prelu_backward needs

    Rules: x and alpha must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="prelu_forward"
from checks import check_prelu_forward
check_prelu_forward(prelu_forward)

# %% answer="prelu_backward"
def prelu_backward(dout, cache):
    """
    Backward pass of PReLU.

    Returns a tuple of:
    - dx: same shape as dout: dout where x > 0, alpha[c] * dout elsewhere
    - dalpha: shape (C,): dalpha[c] = sum of dout * x over every position of channel c where x <= 0
      (all samples, all spatial positions)

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="prelu_backward"
from checks import check_prelu_backward
check_prelu_backward(prelu_backward, prelu_forward)

# %% [markdown]
# ### 2.4 ELU (指数化ReLU, Clevert et al. 2015)
#
# ELU uses an exponential for $z \le 0$, so it is smooth at 0 when $\alpha = 1$ and saturates at
# $-\alpha$ for very negative inputs:
#
# $$\mathrm{ELU}(z) = \begin{cases} z & z > 0\\ \alpha\,(e^{z} - 1) & z \le 0 \end{cases} \tag{8}
# \qquad
# \delta^l = \begin{cases} \delta^{l+1} & z^l > 0\\ \alpha\, e^{z^l}\, \delta^{l+1} & z^l \le 0 \end{cases} \tag{9}$$
#
# For $z \le 0$ the derivative $\alpha e^{z}$ equals $\mathrm{ELU}(z) + \alpha$, so the backward can
# reuse the forward's output. The formula of the notes shows $\alpha = 0.1$; the ELU paper and PyTorch
# use $\alpha = 1.0$, the default of `elu_forward(x, alpha=1.0)`. As for LeakyReLU, $\alpha$ is a
# fixed hyperparameter and `elu_backward` returns `dx` only.
#
# **Task 15 — `elu_forward` (1 point)** and **Task 16 — `elu_backward` (1 point).**

# %% answer="elu_forward"
def elu_forward(x, alpha=1.0):
    """
    ELU: out = x where x > 0, alpha * (exp(x) - 1) elsewhere (elementwise, any shape).

    Returns a tuple of:
    - out: same shape as x
    - cache: whatever elu_backward needs (including alpha)

    Rules: x must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="elu_forward"
from checks import check_elu_forward
check_elu_forward(elu_forward)

# %% answer="elu_backward"
def elu_backward(dout, cache):
    """
    Backward pass of ELU.

    Returns:
    - dx: same shape as dout: dout where the forward's input x > 0, alpha * exp(x) * dout elsewhere

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="elu_backward"
from checks import check_elu_backward
check_elu_backward(elu_backward, elu_forward)

# %% [markdown]
# ### 2.5 SELU (缩放指数型线性单元, Klambauer et al. 2017)
#
# SELU is ELU with a scale factor $\lambda$ in front (就是对ELU加上一个缩放因子 $\lambda$), and both
# constants fixed:
#
# $$\mathrm{SELU}(z) = \lambda \begin{cases} z & z > 0\\ \alpha\,(e^{z} - 1) & z \le 0 \end{cases} \tag{10}
# \qquad
# \delta^l = \lambda \begin{cases} \delta^{l+1} & z^l > 0\\ \alpha\, e^{z^l}\, \delta^{l+1} & z^l \le 0 \end{cases} \tag{11}$$
#
# The paper derives $\lambda \approx 1.0507$ and $\alpha \approx 1.6733$ so that activations keep
# mean 0 and variance 1 from layer to layer ("self-normalizing"; 论文中有大段证明). Use the exact
# values of the provided cell, `SELU_LAMBDA = 1.0507009873554805` and
# `SELU_ALPHA = 1.6732632423543772` (the same as PyTorch's), not the rounded ones.
#
# **Task 17 — `selu_forward` (1 point)** and **Task 18 — `selu_backward` (1 point).**

# %% answer="selu_forward"
def selu_forward(x):
    """
    SELU: out = SELU_LAMBDA * x where x > 0, SELU_LAMBDA * SELU_ALPHA * (exp(x) - 1) elsewhere.

    Returns a tuple of:
    - out: same shape as x
    - cache: whatever selu_backward needs

    Rules: x must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="selu_forward"
from checks import check_selu_forward
check_selu_forward(selu_forward)

# %% answer="selu_backward"
def selu_backward(dout, cache):
    """
    Backward pass of SELU.

    Returns:
    - dx: same shape as dout: SELU_LAMBDA * dout where x > 0,
      SELU_LAMBDA * SELU_ALPHA * exp(x) * dout elsewhere

    Rules: dout and the arrays in cache must not be changed in place (a quarter of the
    task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="selu_backward"
from checks import check_selu_backward
check_selu_backward(selu_backward, selu_forward)

# %% [markdown]
# ## 3. The five activations side by side
#
# The next cell prints each activation and its derivative (your backward with `dout = 1`) at a
# few points. Note how ReLU's derivative is 0 for every negative input, LeakyReLU's and PReLU's a
# small constant, and ELU's and SELU's fade out exponentially; SELU's slope for positive inputs is
# $\lambda > 1$. (Part 0_3 ends with the sigmoid, $\sigma' = \sigma(1 - \sigma)$, done in
# assignment 02.)

# %%
z_grid = np.array([[-3.0, -1.0, -0.1, 0.1, 1.0, 3.0]])
print("z                ", z_grid[0])
for label, forward, backward, args in [
        ("ReLU", relu_forward, relu_backward, ()),
        ("LeakyReLU(0.01)", leaky_relu_forward, leaky_relu_backward, ()),
        ("PReLU(0.25)", prelu_forward, prelu_backward, (np.full(6, 0.25),)),
        ("ELU(1.0)", elu_forward, elu_backward, ()),
        ("SELU", selu_forward, selu_backward, ())]:
    out, cache = forward(z_grid, *args)
    grad = backward(np.ones_like(z_grid), cache)
    grad = grad[0] if isinstance(grad, tuple) else grad  # PReLU also returns dalpha
    print(f"{label:16s} f  {np.round(out[0], 4)}")
    print(f"{'':16s} f' {np.round(grad[0], 4)}")
