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
# # Assignment 05 — The backward pass of convolution (卷积层的反向传播)
#
# **Where the notes are.** This assignment follows the course notes
# **“0_2_2-卷积层的反向传播-多通道、无padding、步长1”** — part 0_2_2 of the series “numpy实现神经网络系列”
# (https://github.com/yizt/numpy_neuron_network) — together with the three parts of that series
# around it, which are not shipped with the course and are read in the original series:
# 0_2_1 (卷积层的反向传播-单通道、无padding、步长1), 0_2_3 (…-多通道、无padding、步长不为1) and 0_2_4
# (…-多通道、有padding、步长不为1). Below, *the notes* means these four parts, and a citation such as
# "part 0_2_1, eq. (5)" names the part and its equation number.
#
# The notes derive the backward pass of a convolution layer in four steps, each adding one
# complication to the previous one:
#
# | step | part of the notes | what is added | your function |
# |---|---|---|---|
# | 1 | 0_2_1 单通道、无padding、步长1 | one channel, one filter, stride 1, no padding | `conv_backward_single_channel(dout, x, w)` |
# | 2 | 0_2_2 多通道、无padding、步长1 | many input channels, many filters, a batch | `conv_backward_multi_channel(dout, x, w)` |
# | 3 | 0_2_3 多通道、无padding、步长不为1 | a stride $s > 1$ | `conv_backward_strided(dout, x, w, stride)` |
# | 4 | 0_2_4 多通道、有padding、步长不为1 | zero padding (零填充) | `conv_backward(dout, cache)` |
#
# Before them you write the forward pass `conv_forward(x, w, b, stride, pad)`, which the checks
# of every step use to compute numerical gradients (数值梯度). Two results carry the whole
# assignment:
#
# - the gradient of the weights is the **input correlated with the error term δ** (以 δ 为卷积核在输入上做卷积);
# - the gradient of the input is the **full convolution of δ with the kernel rotated by 180°**
#   (以翻转180°的卷积核在加了padding的 δ 上做卷积) — with zeros inserted into δ when the stride is
#   larger than 1, and the padding cut off at the end.
#
# **Grading.** Five graded tasks. The cell after each runs visible checks (shapes, the notes'
# worked example, numerical gradients of *your* `conv_forward`); the grader compares your outputs
# with the derivation on other random inputs (batch of 1, non-square images and kernels, $C \ne F$,
# strides that do not divide the image). Plain Python loops are fine: a correct answer written
# with loops gets full marks (the grader's cases are small; the feedback tells you how long your
# code took). Assignment 09 will ask for a vectorised version. Keep the names and signatures
# exactly as given; cells tagged `provided` are given.
#
# **Conventions and the rules the grader checks** (each docstring repeats them):
#
# - `float64` arrays in the NCHW layout of section 0; return exactly the documented shapes
#   (`db` is `(F,)`; `dx` always has the full shape of `x`). The single-channel `db` is one
#   number: a Python float or a 0-d array.
# - `conv_backward` is always given the cache of **your own** `conv_forward`.
# - **Do not change an input in place.** Your functions must leave the arrays they are given
#   untouched: `dout`, `x`, `w`, `b`, and the arrays in the cache (they are your forward's
#   inputs). Writing into a *new* array (`dx = np.zeros_like(x)`, then `dx[...] += ...`) is the
#   normal way; `x[...] = ...` or `dout *= ...` would change the caller's array. Values are judged
#   on their own; changing an input in place costs a quarter of the task's points, and the
#   feedback says which input.

# %% tags=["provided"]
import numpy as np

# %% [markdown]
# ## 0. Notation: from the symbols of the notes to arrays
#
# The notes write one sample at a time, layer by layer. Layer $l-1$'s output $z^{l-1}$ is the
# convolution's input, $z^l$ its output, and $\delta^l = \frac{\partial L}{\partial z^l}$ the
# error term (误差项) arriving from above. Here everything is a float64 numpy array in the
# **NCHW** layout used by PyTorch and cs231n:
#
# | notes | here | shape |
# |---|---|---|
# | $z^{l-1}_{c,i,j}$, channel $c = 1..C^{l-1}$, height $H^{l-1}$, width $\hat W^{l-1}$ | `x[n, c, i, j]` (channels from 0) | `x: (N, C, H, W)` |
# | $W^{l-1}_{m,n,c,d} \in \mathbb R^{k_1 \times k_2 \times C^{l-1} \times C^{l}}$ | `w[d, c, m, n]` | `w: (F, C, KH, KW)` |
# | $b^{l-1}_d$, one bias per output channel | `b[d]` | `b: (F,)` |
# | $z^{l}_{d,i,j}$, $d = 1..C^l$, size $H^l \times \hat W^l$ | `out[n, d, i, j]` | `out: (N, F, Ho, Wo)` |
# | $\delta^l_{d,i,j} = \partial L / \partial z^l_{d,i,j}$ | `dout[n, d, i, j]` | like `out` |
# | $\delta^{l-1}_{c,i,j} = \partial L / \partial z^{l-1}_{c,i,j}$ | `dx[n, c, i, j]` | like `x` |
# | kernel size $(k_1, k_2)$, stride $(s_1, s_2)$, padding $(p_1, p_2)$ | `KH, KW`, `stride`, `pad` | one `stride` and one `pad` for both directions |
#
# So the weight tensor of the notes (part 0_2_2, "约定说明" and "前向传播") puts the kernel position
# first and the output channel last; ours (PyTorch's layout) puts the output channel (the **filter**
# $f$, the notes' $d$) first: `w = W.transpose(3, 2, 0, 1)`. The notes write $\hat W$ for the width to avoid a clash with
# the weights $W$; and its $n$ is a kernel column, while in code `n` is usually the sample of the
# batch — the docstrings below use `n` for the sample.
#
# The notes derive everything for one sample. For a batch, `dx` is computed per sample, while
# `dw` and `db` are **summed over the batch**: the same kernel is used by every sample, exactly as
# the same $W$ was used by every row in assignment 01. (The series' own code divides `dw` and
# `db` by $N$; here, as in 01, they are the gradient of whatever loss produced `dout` — if that
# loss is a mean, the $1/N$ is already in `dout`.)
#
# **"Convolution" is a correlation.** The notes (part 0_2_1, eq. (1)) define
# $(I * K)_{ij} = \sum_m \sum_n I(i+m, j+n)\,K(m, n)$ and notes that mathematics calls this
# cross-correlation (协相关): the kernel is *not* flipped. Neural networks call it convolution
# anyway. Keep this in mind — the flip (rot180) appears in the backward pass, not in the forward.

# %% [markdown]
# ## 1. The forward pass (前向传播)
#
# With stride $s$ and padding $p$ (part 0_2_4, eq. (4)), output channel $d$ is
#
# $$z^l_{d,i,j} = \sum_{c} \sum_{m=0}^{k_1-1} \sum_{n=0}^{k_2-1}
#   W_{m,n,c,d}\; pz^{l-1}_{c,\; i s + m,\; j s + n} + b_d,$$
#
# where $pz^{l-1}$ is the input with $p$ rows of zeros added at the top and bottom and $p$
# columns at the left and right (`np.pad`). Window $(i, j)$ starts at row $i s$ and column $j s$;
# it must fit inside the padded input, so
#
# $$H^l = \left\lfloor \frac{H^{l-1} + 2p - k_1}{s} \right\rfloor + 1, \qquad
#   \hat W^l = \left\lfloor \frac{\hat W^{l-1} + 2p - k_2}{s} \right\rfloor + 1 .$$
#
# The notes write this without the floor (the series' code asserts that the stride divides
# exactly), and part 0_2_3 even keeps the stride-1 size $H^{l-1} - k_1 + 1$ in its forward formula — an oversight.
# Here, as in PyTorch, the size is **floored**: when the stride does not divide
# $H + 2p - K$, the last few rows (columns) are in no window at all. They do not influence the
# output, so their gradient will be zero.
#
# ### Task 1 — `conv_forward` (2 points)
#
# Implement `conv_forward`. Loops over the output positions are fine. The
# check tests the output shape for four stride/pad settings, the bias, zero padding, the
# all-ones example of the series' code (a 3×3 window of ones on ones gives 9) and kernels with a
# single 1, which must *pick* an input value without flipping.

# %% answer="conv_forward"
def conv_forward(x, w, b, stride=1, pad=0):
    """
    Forward pass of a convolution layer (卷积层), NCHW.

    Inputs:
    - x: Input data, of shape (N, C, H, W)
    - w: Filter weights, of shape (F, C, KH, KW)
    - b: Biases, of shape (F,)
    - stride: The step between neighbouring windows, an int >= 1 (same in both directions)
    - pad: The number of zero rows/columns added on every side of H and W, an int >= 0

    Returns a tuple of:
    - out: Output data, of shape (N, F, Ho, Wo) with Ho = (H + 2*pad - KH) // stride + 1 and
      Wo = (W + 2*pad - KW) // stride + 1:
      out[n, f, i, j] = sum over c, m, k of w[f, c, m, k] * xp[n, c, i*stride + m, j*stride + k] + b[f]
      where xp is x zero-padded by `pad`
    - cache: whatever conv_backward needs, e.g. (x, w, b, stride, pad)

    Rules: x, w and b must not be changed in place (a quarter of the task's points): pad into
    a new array (np.pad returns one); out is float64 of exactly this shape.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="conv_forward"
from checks import check_conv_forward
check_conv_forward(conv_forward)

# %% [markdown]
# ## 2. One channel, stride 1, no padding (单通道、无padding、步长1) — part 0_2_1 of the series
#
# One image $z^{l-1}$ of size $H^{l-1} \times \hat W^{l-1}$, one kernel $W$ of size
# $k_1 \times k_2$, one bias $b$ (a number):
#
# $$z^l_{i,j} = \sum_{m=0}^{k_1-1} \sum_{n=0}^{k_2-1} W_{m,n}\, z^{l-1}_{i+m,\,j+n} + b,
#   \qquad H^l = H^{l-1} - k_1 + 1,\quad \hat W^l = \hat W^{l-1} - k_2 + 1. \tag{4}$$
#
# ### 2.1 The weights and the bias (权重梯度)
# Every output neuron $z^l_{i,j}$ uses $W_{m,n}$, so all of them send gradient to it (l层的每个神经元都有梯度传给权重):
#
# $$\frac{\partial L}{\partial W_{m,n}} = \sum_i \sum_j \frac{\partial L}{\partial z^l_{i,j}}\,
#   \frac{\partial z^l_{i,j}}{\partial W_{m,n}} = \sum_i \sum_j \delta^l_{i,j}\; z^{l-1}_{i+m,\,j+n}. \tag{5}$$
#
# Compare with (4): this is the input **correlated with $\delta^l$** — $\delta^l$ plays the role of
# the kernel (以 $\delta^l$ 为卷积核在 $z^{l-1}$ 上做卷积), and the result has the kernel's size
# $k_1 \times k_2$. ("多么简洁对称呀", the notes say.) Every output also has $b$ with coefficient 1:
#
# $$\frac{\partial L}{\partial b} = \sum_i \sum_j \delta^l_{i,j}. \tag{6}$$
#
# ### 2.2 The input (l-1层梯度)
# Input $z^{l-1}_{i',j'}$ enters output $z^l_{i,j}$ with the weight $W_{i'-i,\,j'-j}$ — whenever that
# index lies inside the kernel:
#
# $$\delta^{l-1}_{i',j'} = \sum_i \sum_j \delta^l_{i,j}\, W_{i'-i,\,j'-j},
#   \qquad 0 \le i'-i < k_1,\; 0 \le j'-j < k_2,\; 0 \le i < H^l,\; 0 \le j < \hat W^l . \tag{8, 11}$$
#
# The example of part 0_2_1: a $5 \times 5$ input and a $3 \times 3$ kernel give a $3 \times 3$ output
# ($5 - 3 + 1 = 3$), and
#
# $$\begin{aligned}
# \delta^{l-1}_{0,0} &= \delta^l_{0,0} W_{0,0}\\
# \delta^{l-1}_{0,1} &= \delta^l_{0,1} W_{0,0} + \delta^l_{0,0} W_{0,1}\\
# \delta^{l-1}_{0,2} &= \delta^l_{0,2} W_{0,0} + \delta^l_{0,1} W_{0,1} + \delta^l_{0,0} W_{0,2}\\
# \delta^{l-1}_{1,0} &= \delta^l_{1,0} W_{0,0} + \delta^l_{0,0} W_{1,0}\\
# \delta^{l-1}_{1,1} &= \delta^l_{1,1} W_{0,0} + \delta^l_{0,1} W_{1,0} + \delta^l_{1,0} W_{0,1} + \delta^l_{0,0} W_{1,1}
# \end{aligned}$$
#
# — which is exactly what a correlation of the **zero-padded** $\delta^l$ with the **rotated**
# kernel gives:
#
# $$\delta^{l-1} =
# \begin{pmatrix}
# 0&0&0&0&0&0&0\\ 0&0&0&0&0&0&0\\
# 0&0&\delta_{0,0}&\delta_{0,1}&\delta_{0,2}&0&0\\
# 0&0&\delta_{1,0}&\delta_{1,1}&\delta_{1,2}&0&0\\
# 0&0&\delta_{2,0}&\delta_{2,1}&\delta_{2,2}&0&0\\
# 0&0&0&0&0&0&0\\ 0&0&0&0&0&0&0
# \end{pmatrix}
# \star
# \begin{pmatrix}
# W_{2,2}&W_{2,1}&W_{2,0}\\ W_{1,2}&W_{1,1}&W_{1,0}\\ W_{0,2}&W_{0,1}&W_{0,0}
# \end{pmatrix}$$
#
# In general, with $\mathrm{rot}_{180^\circ}W$ the kernel turned by 180° (`w[::-1, ::-1]`) and
# $p\delta^l$ the error term padded with $k_1 - 1$ rows and $k_2 - 1$ columns of zeros on every
# side (size $(H^l + 2k_1 - 2) \times (\hat W^l + 2k_2 - 2) = (H^{l-1} + k_1 - 1) \times (\hat W^{l-1} + k_2 - 1)$):
#
# $$\delta^{l-1}_{i,j} = \sum_{m=0}^{k_1-1} \sum_{n=0}^{k_2-1}
#   \mathrm{rot}_{180^\circ}W_{m,n}\; p\delta^l_{i+m,\,j+n}. \tag{16}$$
#
# This is a **full convolution**: a correlation with the flipped kernel is a true (mathematical)
# convolution, and the padding lets the kernel hang over $\delta$'s border by all but one row.
# The result has exactly the input's size $H^{l-1} \times \hat W^{l-1}$. Part 0_2_1 proves (16) by
# substituting $m' = k_1 - 1 - m$: it turns into (8). (Its text says "5−3−1=3"; it means
# $5 - 3 + 1$.)
#
# ### Task 2 — `conv_backward_single_channel` (2 points)
#
# Implement `conv_backward_single_channel(dout, x, w)` for one image
# `x (H, W)`, one kernel `w (KH, KW)` and `dout (H − KH + 1, W − KW + 1)`; `db` is one float. You
# may use formula (8) directly (loops that add $\delta_{i,j} W_{m,n}$ into `dx[i + m, j + n]`) or
# (16) (pad and rotate). The check tests the five entries of the example above and
# numerical gradients.

# %% answer="conv_backward_single_channel"
def conv_backward_single_channel(dout, x, w):
    """
    Backward pass of a convolution with one channel, one filter, stride 1 and no padding.

    Inputs:
    - dout: Upstream derivative δ = ∂L/∂out, of shape (H - KH + 1, W - KW + 1)
    - x: The input image, of shape (H, W)
    - w: The kernel, of shape (KH, KW)

    Returns a tuple of:
    - dx: Gradient with respect to x, shape (H, W): padded δ correlated with rot180(w)  (eq. 16)
    - dw: Gradient with respect to w, shape (KH, KW): x correlated with δ             (eq. 5)
    - db: Gradient with respect to the bias, a float: the sum of δ                    (eq. 6)

    Rules: dout, x and w must not be changed in place (a quarter of the task's points);
    db may be a Python float or a 0-d array.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="conv_backward_single_channel"
from checks import check_conv_backward_single_channel
check_conv_backward_single_channel(conv_backward_single_channel, conv_forward)

# %% [markdown]
# ## 3. Many channels (多通道、无padding、步长1) — course notes, part 0_2_2
#
# Now the input has $C^{l-1}$ channels and the layer $C^l$ output channels, each with its own
# bias. The channels are **fully connected** (前后通道直接相当于全连接): every output channel $d$ sums
# over every input channel $c$:
#
# $$z^l_{d,i,j} = \sum_{c=1}^{C^{l-1}} \sum_{m=0}^{k_1-1} \sum_{n=0}^{k_2-1}
#   W_{m,n,c,d}\; z^{l-1}_{c,\,i+m,\,j+n} + b_d . \tag{4}$$
#
# **Weights.** $W_{m,n,c,d}$ is used only by output channel $d$, on input channel $c$:
#
# $$\frac{\partial L}{\partial W_{m,n,c,d}} = \sum_i \sum_j \delta^l_{d,i,j}\; z^{l-1}_{c,\,i+m,\,j+n} . \tag{5}$$
#
# The gradient of the slice $W_{:,:,c,d}$ — in our layout `w[d, c]` — is input channel $c$
# correlated with $\delta^l_d$: a single-channel-to-single-channel correlation, exactly step 1's
# `dw`. For a batch, add up the samples.
#
# **Bias.** $\dfrac{\partial L}{\partial b_d} = \sum_i \sum_j \delta^l_{d,i,j}$ (6), summed over the
# batch too: `db` has shape `(F,)`.
#
# **Input.** From step 1, output channel $d$ sends input channel $c$ the gradient
# $\sum_{m,n} \mathrm{rot}_{180^\circ}W_{m,n,c,d}\; p\delta^l_{d,i+m,j+n}$ (7); and *every* output
# channel sends some, so
#
# $$\delta^{l-1}_{c,i,j} = \sum_{d=1}^{C^l} \sum_{m=0}^{k_1-1} \sum_{n=0}^{k_2-1}
#   \mathrm{rot}_{180^\circ}W_{m,n,c,d}\; p\delta^l_{d,\,i+m,\,j+n} . \tag{8}$$
#
# In array terms, for each sample `n`: `dx[n, c] = Σ_f  full_conv(dout[n, f], w[f, c])` and
# `dw[f, c] = Σ_n  correlate(x[n, c], dout[n, f])` — step 1's two formulas, once per pair
# $(f, c)$ (and sample). The sum in `dx` runs over the **filters** $f$, the one in `dw` over the
# **samples** $n$; mixing them up is the classic bug.
#
# ### Task 3 — `conv_backward_multi_channel` (3 points)
#
# Implement `conv_backward_multi_channel(dout, x, w)`: `x (N, C, H, W)`,
# `w (F, C, KH, KW)`, `dout (N, F, H − KH + 1, W − KW + 1)`, stride 1, no padding. You may call
# your `conv_backward_single_channel` for every `(n, f, c)` and add up, or vectorise.

# %% answer="conv_backward_multi_channel"
def conv_backward_multi_channel(dout, x, w):
    """
    Backward pass of a convolution with many channels and filters, stride 1, no padding.

    Inputs:
    - dout: Upstream derivative δ, of shape (N, F, H - KH + 1, W - KW + 1)
    - x: Input data, of shape (N, C, H, W)
    - w: Filter weights, of shape (F, C, KH, KW)

    Returns a tuple of:
    - dx: shape (N, C, H, W):     dx[n, c] = sum over f of (padded δ[n, f] correlated with rot180(w[f, c]))
    - dw: shape (F, C, KH, KW):   dw[f, c] = sum over n of (x[n, c] correlated with δ[n, f])
    - db: shape (F,):             db[f] = sum of δ[:, f]

    Rules: dout, x and w must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="conv_backward_multi_channel"
from checks import check_conv_backward_multi_channel
check_conv_backward_multi_channel(conv_backward_multi_channel, conv_forward)

# %% [markdown]
# ## 4. Stride larger than 1 (多通道、无padding、步长不为1) — part 0_2_3 of the series
#
# With stride $s$, window $(i, j)$ starts at row $i s$ and column $j s$:
#
# $$z^l_{d,i,j} = \sum_{c} \sum_{m} \sum_{n} W_{m,n,c,d}\; z^{l-1}_{c,\; i s + m,\; j s + n} + b_d,
#   \qquad H^l = \left\lfloor \frac{H^{l-1} - k_1}{s} \right\rfloor + 1 . \tag{4}$$
#
# **Weights and bias** follow as before, with the stride in the index:
#
# $$\frac{\partial L}{\partial W_{m,n,c,d}} = \sum_i \sum_j \delta^l_{d,i,j}\; z^{l-1}_{c,\; i s + m,\; j s + n},
#   \qquad \frac{\partial L}{\partial b_d} = \sum_i \sum_j \delta^l_{d,i,j} . \tag{5, 6}$$
#
# **Why the stride inserts zeros.** Deriving $\delta^{l-1}$ directly is awkward, so part 0_2_3 borrows
# the picture of the transposed convolution from *A guide to convolution arithmetic for deep
# learning* (Dumoulin & Visin): a $5 \times 5$ input, a $3 \times 3$ kernel, stride 2 give a
# $2 \times 2$ output. Think of the strided convolution as two steps: (a) the **stride-1**
# convolution, with $(H^{l-1} - k_1 + 1) \times (\hat W^{l-1} - k_2 + 1)$ outputs; (b) keep every
# $s$-th row and column of it, i.e. positions $(i s, j s)$, and throw the others away. Step (b)
# copies $\delta^l_{d,i,j}$ back to position $(i s, j s)$ and gives the thrown-away positions zero
# gradient — they influenced nothing. So the gradient of step (a)'s output is $\delta^l$ with
# **$s - 1$ rows and columns of zeros inserted between its rows and columns** (the notes'
# $\delta^{l_{padding}}$; for the example, the $2 \times 2$ δ becomes $3 \times 3$). After that, step (a)
# is the stride-1 case of section 3: its formulas apply unchanged to the zero-inserted δ. For
# $\delta^{l-1}$ that means: insert the zeros, pad with $k_1 - 1$ and $k_2 - 1$ zeros all round,
# correlate with the rotated kernel, sum over $d$ (eq. 8).
#
# **Left-over rows.** When $s$ does not divide $H^{l-1} - k_1$, step (a) has more rows than the
# zero-inserted δ, $(H^l - 1)s + 1$: the last ones were thrown away too, so δ also gets zeros at
# its bottom (right) end, up to step (a)'s size. Equivalently, the last
# $H^{l-1} - \big((H^l - 1)s + k_1\big)$ rows of the input lie in no window: **their gradient is
# zero**, and `dx` must still have the full shape of `x`. (The series' code simply forbids such
# strides with an `assert`.)
#
# The cell below shows that figure of part 0_2_3 in numbers: δ of the $5 \times 5$ / $3 \times 3$ /
# stride-2 example with its inserted zeros, then padded for the full convolution.

# %%
example_delta = np.array([[1.0, 2.0], [3.0, 4.0]])  # δ of a 5×5 input, 3×3 kernel, stride 2
example_stride, example_k = 2, 3
inserted = np.zeros(((2 - 1) * example_stride + 1, (2 - 1) * example_stride + 1))
inserted[::example_stride, ::example_stride] = example_delta  # stride − 1 zeros between rows and columns
padded = np.pad(inserted, example_k - 1)
print("zero-inserted δ (3×3):\n", inserted)
print("\npadded for the full convolution (7×7); correlating it with rot180(w) gives the 5×5 dx:\n", padded)

# %% [markdown]
# ### Task 4 — `conv_backward_strided` (3 points)
#
# Implement `conv_backward_strided(dout, x, w, stride)`: like task 3, with
# `stride >= 1` and `dout (N, F, Ho, Wo)`, `Ho = (H − KH) // stride + 1`. A neat way to build on
# task 3: place `dout` at positions `(i·stride, j·stride)` of a zero array of the stride-1 output
# size `(N, F, H − KH + 1, W − KW + 1)` and hand that to `conv_backward_multi_channel` — think about
# why that also gets `dw`, `db` and the left-over rows right. Or loop directly over the formulas.

# %% answer="conv_backward_strided"
def conv_backward_strided(dout, x, w, stride):
    """
    Backward pass of a convolution with many channels, stride >= 1 and no padding.

    Inputs:
    - dout: Upstream derivative δ, of shape (N, F, Ho, Wo) with Ho = (H - KH) // stride + 1,
      Wo = (W - KW) // stride + 1
    - x: Input data, of shape (N, C, H, W)
    - w: Filter weights, of shape (F, C, KH, KW)
    - stride: an int >= 1

    Returns a tuple of:
    - dx: shape (N, C, H, W); rows/columns of x that no window reaches get 0
    - dw: shape (F, C, KH, KW)
    - db: shape (F,)

    Rules: dout, x and w must not be changed in place (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="conv_backward_strided"
from checks import check_conv_backward_strided
check_conv_backward_strided(conv_backward_strided, conv_forward)

# %% [markdown]
# ## 5. Padding and stride (多通道、有padding、步长不为1) — part 0_2_4 of the series
#
# With padding the kernel slides over $pz^{l-1}$, the input with $p$ zero rows and columns added
# all round. Forward and backward are the strided ones with $z^{l-1}$ replaced by $pz^{l-1}$
# (只需要将所有公式中的 $z^{l-1}$ 替换为 $pz^{l-1}$ 即可):
#
# $$\frac{\partial L}{\partial W_{m,n,c,d}} = \sum_i \sum_j \delta^l_{d,i,j}\; pz^{l-1}_{c,\; i s + m,\; j s + n}, \tag{5}$$
#
# $$\frac{\partial L}{\partial pz^{l-1}_{c,i,j}} = \sum_{d} \sum_{m} \sum_{n}
#   \mathrm{rot}_{180^\circ}W_{m,n,c,d}\; p\delta^{l_{padding}}_{d,\,i+m,\,j+n}, \tag{8}$$
#
# where $p\delta^{l_{padding}}$ is δ with the stride's zeros inserted and then padded by
# $k_1 - 1$, $k_2 - 1$. **What padding removes:** the padded zeros are constants, not inputs of
# the layer, so their "gradient" is discarded; $\delta^{l-1}$ is the block of
# $\partial L / \partial pz^{l-1}$ without the padding,
#
# $$\delta^{l-1}_c = \left(\frac{\partial L}{\partial pz^{l-1}_{c,i,j}}\right)_{p \le i < H^{l-1} + p,\;\; p \le j < \hat W^{l-1} + p} . \tag{9}$$
#
# In numpy: `dx = dxp[:, :, pad:pad + H, pad:pad + W]`. The tempting `dxp[:, :, pad:-pad, pad:-pad]`
# — which the series' code uses — returns an **empty** array when `pad = 0`, since `-0` is `0`.
#
# ### Task 5 — `conv_backward` (3 points)
#
# Implement `conv_backward(dout, cache)` for any stride and padding, with
# the cache of your own `conv_forward`. Building on task 4 is one line plus a slice: run
# `conv_backward_strided` on the padded input, then cut the padding off `dx`. The bias gradient
# and `dw` need no change — `dw` simply sees the padded input.

# %% answer="conv_backward"
def conv_backward(dout, cache):
    """
    Backward pass of a convolution layer, any stride and padding (the general case).

    Inputs:
    - dout: Upstream derivative δ = ∂L/∂out, of shape (N, F, Ho, Wo)
    - cache: what your conv_forward returned as its cache

    Returns a tuple of:
    - dx: Gradient with respect to x, shape (N, C, H, W) (the padding cut off)
    - dw: Gradient with respect to w, shape (F, C, KH, KW), summed over the batch
    - db: Gradient with respect to b, shape (F,), summed over the batch

    Rules: dout and the arrays in cache (your forward's x, w, b) must not be changed in place
    (a quarter of the task's points).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="conv_backward"
from checks import check_conv_backward
check_conv_backward(conv_backward, conv_forward)

# %% [markdown]
# ## 6. Summary (结论)
#
# For a convolution with stride $s$ and padding $p$:
#
# - **forward**: correlate the padded input with each filter, step $s$, add the filter's bias;
#   output size $\lfloor (H + 2p - K)/s \rfloor + 1$;
# - **dw**: the padded input correlated with the zero-inserted δ — one single-channel
#   correlation per (filter, input channel), summed over the batch;
# - **db**: δ summed over the batch and the positions, per filter;
# - **dx**: insert $s - 1$ zeros into δ, pad it by $K - 1$, correlate with the kernel rotated by
#   180°, sum over the filters, then cut off the padding $p$ (and leave zeros where no window
#   reached).
#
# A loop version is slow: for a batch of 64 MNIST images, plain loops are hundreds to thousands
# of times slower than a good numpy version. Assignment 09 asks for a vectorised convolution
# (im2col with `np.lib.stride_tricks`), trained on real images.
