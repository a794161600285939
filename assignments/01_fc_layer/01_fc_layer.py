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
# # Assignment 01 — The fully-connected layer (全连接层)
#
# This assignment follows the course notes **“全连接层的推导”** (the derivation of the fully-connected
# layer: its forward pass, its three partial derivatives and a worked example in code). The notes
# are a blog post, so below they are called *the post*; section numbers such as "2.2 全连接层的前向计算代码"
# are the post's own.
#
# In a **fully-connected layer (全连接层)** every node is connected to every node of the previous
# layer (每一个结点都与上一层的所有结点相连). It combines the features extracted so far, and because
# of this full connectivity it usually holds the most parameters of a network: a layer with 100
# input nodes and 10 output nodes needs $100 \times 10 = 1000$ weights $W$ and 10 biases $b$.
#
# In this assignment you derive and implement, in numpy:
#
# 1. `fc_forward(x, w, b)` — the **forward pass (前向计算)**, a weighted sum plus a bias (偏置);
# 2. `fc_backward(dout, cache)` — the **backward propagation (反向传播)**: the three partial
#    derivatives (偏导数) the layer needs;
# 3. `sgd_step(param, grad, lr)` — one step of plain stochastic gradient descent that uses them.
#
# At the end you reproduce the worked example of the post (its section "4.代码"), number for
# number, and find out why some of its printed results are not what one run of its code gives.
#
# **Conventions.** Everything is `float64`. A batch is stored row by row: `x` has shape $(N, D)$,
# one sample of $D$ features per row; `w` has shape $(D, M)$ and `b` shape $(M,)$; the output has
# shape $(N, M)$.
#
# **Rules the grader checks** (each task's docstring repeats the ones that apply to it):
#
# - **Do not change an input in place.** Your functions must leave the arrays they are given
#   untouched. `dx = dout; dx[x <= 0] = 0` changes the caller's `dout` (both names point to the
#   same array), and `x -= x.max(axis=1, keepdims=True)` changes the caller's `x`. Work on a copy
#   (`dout.copy()`) or build a new array (`x - x.max(axis=1, keepdims=True)`). Values are judged on
#   their own; changing an input in place costs a quarter of the task's points, and the feedback
#   says which input. For `sgd_step` this is its contract: it returns a **new** array and leaves
#   `param` unchanged.
# - `fc_backward` is always given the cache of **your own** `fc_forward`, so the cache may hold
#   whatever you like.
# - Return `float64` arrays of exactly the documented shapes: `db` has shape $(M,)$, not
#   $(1, M)$ (broadcasting would hide the difference in a sum, but the grader compares shapes
#   before values), and a batch of one sample still gives `out` of shape $(1, M)$.
#
# Each task is followed by a cell of visible checks. A passing check prints a line starting with ✓;
# a failing one raises an `AssertionError` that says what is wrong. The hidden tests used for
# grading compare your outputs on other, random inputs.

# %% tags=["provided"]
import numpy as np

# %% [markdown]
# ## 1. Forward pass (前向计算)
#
# The forward pass is a linear weighted sum (线性的加权求和): every output is each node of the
# previous layer times a weight coefficient, summed, plus a bias. With inputs $x_1, \dots, x_D$ and
# outputs $a_1, \dots, a_M$, where $w_{kj}$ is the weight from input $k$ to output $j$:
#
# $$a_j = \sum_{k=1}^{D} x_k\, w_{kj} + b_j, \qquad j = 1, \dots, M .$$
#
# With $x$ a row vector $(1 \times D)$ this is one matrix product, $a = x W + b$. For a batch of
# $N$ samples (the post trains 10 images at once, `batch_size=10`) the rows of $X$ are the samples
# and the same bias is added to every row. The post writes it as
#
# $$\mathrm{Top\_data} = \mathrm{Bottom\_data} \cdot W + c \cdot \mathrm{Bias},$$
#
# where $c = [1, 1, \dots, 1]^\top$ is a column of $N$ ones and Bias the row vector $b$; i.e.
# $A = XW + \mathbf{1}_N b$ with $X \in \mathbb{R}^{N\times D}$, $W \in \mathbb{R}^{D\times M}$,
# $A \in \mathbb{R}^{N\times M}$. In numpy, broadcasting plays the role of $c$.
#
# The post's layer keeps its input (`self.bottom_val = in_data`) because the backward pass needs
# it. Your `fc_forward` returns it in a **cache**: anything `fc_backward` will need later.
#
# ### Task 1 — `fc_forward` (3 points)
#
# Implement `fc_forward`. Check: `out` has shape $(N, M)$, $x = 0$ gives the bias in every row, and
# the post's worked example reproduces its printed output.

# %% answer="fc_forward"
def fc_forward(x, w, b):
    """
    Forward pass of a fully-connected layer (全连接层): out = x·w + b.

    Inputs:
    - x: A numpy array of shape (N, D): a batch of N samples, D features each
    - w: A numpy array of weights, of shape (D, M)
    - b: A numpy array of biases (偏置), of shape (M,)

    Returns a tuple of:
    - out: output, of shape (N, M)
    - cache: whatever fc_backward needs, e.g. the tuple (x, w, b)

    Rules: x, w and b must not be changed in place (a quarter of the task's points);
    out is a new float64 array of shape (N, M), also when N = 1.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="fc_forward"
from checks import check_fc_forward
check_fc_forward(fc_forward)

# %% [markdown]
# ## 2. Backward propagation (反向传播)
#
# The layer receives from the layer after it the gradient of the loss with respect to its output,
# $\frac{\partial L}{\partial a}$ (`dout`; the post calls it Top_diff). Because $W$ and $b$ must be
# updated and the gradient must also be passed on to the layer before, it needs **three partial
# derivatives (偏导数)**: with respect to its input $x$, its weights $W$ and its bias $b$.
#
# ### 2.1 With respect to the input (对上一层的输出求导)
# Output $a_j$ depends on input $x_k$ through one weight: $\frac{\partial a_j}{\partial x_k} = w_{kj}$.
# Input $x_k$ feeds every output, so the chain rule (链式法则) adds up all paths:
#
# $$\frac{\partial L}{\partial x_k} = \sum_{j=1}^{M} \frac{\partial L}{\partial a_j}\,
#   \frac{\partial a_j}{\partial x_k} = \sum_{j=1}^{M} \frac{\partial L}{\partial a_j}\, w_{kj} .$$
#
# This is the post's rule of thumb: if node $a$ of one layer contributes to node $b$ of the next
# layer through a weight $W$, then in backward propagation the gradient flows from $b$ back to $a$
# through the same weight $W$. For a batch, each row (sample) is treated the same way:
#
# $$\frac{\partial L}{\partial X} = \frac{\partial L}{\partial A}\, W^\top
#   \qquad (\mathrm{Bottom\_diff} = \mathrm{Top\_diff} \cdot W^\top),\quad \text{shape } (N, D).$$
#
# ### 2.2 With respect to the weights (对权重系数W求导)
# From $a_j = \sum_k x_k w_{kj} + b_j$ we get $\frac{\partial a_j}{\partial w_{kj}} = x_k$, so
# $\frac{\partial L}{\partial w_{kj}} = \frac{\partial L}{\partial a_j}\, x_k$. Every sample of the
# batch uses the same $W$, so the contributions of the samples are **summed over the batch**:
#
# $$\frac{\partial L}{\partial W} = X^\top \frac{\partial L}{\partial A}
#   \qquad (\mathrm{weight\_diff} = \mathrm{Bottom\_data}^\top \cdot \mathrm{Top\_diff}),\quad
#   \text{shape } (D, M).$$
#
# ### 2.3 With respect to the bias (对偏置系数b求导)
# $\frac{\partial a_j}{\partial b_j} = 1$: the gradient for the bias equals the gradient arriving
# at the output. For a batch, the derivatives of the same $b_j$ from the different samples are
# added up — multiplying by the column of ones $c$ from the forward pass:
#
# $$\frac{\partial L}{\partial b} = c^\top \frac{\partial L}{\partial A}
#   = \sum_{n=1}^{N} \frac{\partial L}{\partial A_{n,:}}
#   \qquad (\mathrm{bias\_diff} = c^\top \cdot \mathrm{Top\_diff}),\quad \text{shape } (M,).$$
#
# **Summary (小结).** Read off the forward formula $\mathrm{Top\_data} = \mathrm{Bottom\_data} \cdot W +
# c \cdot \mathrm{Bias}$: the gradient of each parameter matrix is *the transposed coefficient matrix
# times Top_diff* (将参数前的系数矩阵转置,然后再乘以从后边传来的Top_diff) — on the side where the
# coefficient stands. $X$'s coefficient $W$ stands to its right, so $\mathrm{Top\_diff}\cdot W^\top$;
# $W$'s coefficient $X$ stands to its left, so $X^\top\cdot\mathrm{Top\_diff}$; Bias's coefficient is
# $c$, so $c^\top\cdot\mathrm{Top\_diff}$. A quick sanity check: every gradient has the shape of the
# thing it is the gradient of.
#
# `dw` and `db` are summed, not averaged, over the batch: they are the gradient of whatever
# scalar loss produced `dout` (if that loss is a mean over the batch, the $1/N$ is already in
# `dout`).
#
# ### Task 2 — `fc_backward` (4 points)
#
# Implement `fc_backward`, using the cache of your own `fc_forward`. The check compares your
# gradients with numerical gradients (central differences of your `fc_forward`) on small random
# inputs.

# %% answer="fc_backward"
def fc_backward(dout, cache):
    """
    Backward pass (反向传播) of a fully-connected layer.

    Inputs:
    - dout: Upstream derivative ∂loss/∂out (Top_diff), of shape (N, M)
    - cache: what fc_forward returned as its cache

    Returns a tuple of:
    - dx: Gradient with respect to x, of shape (N, D):  dout·wᵀ
    - dw: Gradient with respect to w, of shape (D, M):  xᵀ·dout (summed over the batch)
    - db: Gradient with respect to b, of shape (M,):    dout summed over the batch

    Rules: dout and the arrays in cache (your forward's x, w, b) must not be changed in place
    (a quarter of the task's points); the three gradients are float64 arrays of exactly these
    shapes (db is (M,), not (1, M)).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="fc_backward"
from checks import check_fc_backward
check_fc_backward(fc_forward, fc_backward)

# %% [markdown]
# ## 3. Updating the parameters: plain SGD
#
# With the gradients in hand, gradient descent moves every parameter a small step against its
# gradient, with learning rate $\eta$ (`lr`):
#
# $$W \leftarrow W - \eta\, \frac{\partial L}{\partial W}, \qquad
#   b \leftarrow b - \eta\, \frac{\partial L}{\partial b} .$$
#
# The post updates in place, `ww -= lr * (...)`. Here `sgd_step` must **return a new array and
# leave `param` unchanged**: the caller decides whether to replace its parameter
# (`w = sgd_step(w, dw, lr)`). Section 4 shows what in-place updates of notebook variables can do
# to a worked example.
#
# ### Task 3 — `sgd_step` (1 point)
#
# Implement `sgd_step`. It works for a parameter of any shape (`w` or `b`); `lr` may arrive as a
# Python float.

# %% answer="sgd_step"
def sgd_step(param, grad, lr):
    """
    One step of plain stochastic gradient descent: param − lr·grad.

    Inputs:
    - param: A numpy array of any shape, e.g. w (D, M) or b (M,); must not be modified
    - grad: Gradient of the loss with respect to param, same shape as param
    - lr: Learning rate, a float

    Returns:
    - new_param: A NEW numpy array of the same shape as param, the updated parameter

    Rules: param and grad must not be changed in place (`param -= lr * grad` costs a quarter of
    the task's points); return param − lr·grad as a new float64 array of param's shape.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="sgd_step"
from checks import check_sgd_step
check_sgd_step(sgd_step)

# %% [markdown]
# ## 4. The post's worked example (代码)
#
# The post runs a layer with 5 inputs and 3 outputs on a batch of 2: `x = np.arange(1, 11)`
# reshaped to $2\times 5$, a small random `w` ($5\times 3$, printed in the post), `b = 0`. For the
# backward pass it assumes the gradient arriving from the next layer is
# `np.arange(0, 1.2, 0.2).reshape(2, 3)` — it names that array `loss`, but it plays the role of
# $\partial L / \partial a$ (`dout`), not of a loss value — and it updates with `lr = 0.01`.
# Below are the post's numbers; the next cell runs them through your functions.

# %% tags=["provided"]
x_post = np.arange(1, 11, dtype=np.float64).reshape(2, 5)
w_post = np.array([
    [-2.02246258e-04, -2.86134686e-05, 5.67536552e-05],
    [-2.65147732e-05, 3.46693399e-05, -4.84865213e-05],
    [-8.56741462e-05, -1.36582254e-04, -1.63278178e-04],
    [7.67300884e-05, 4.15051110e-05, 3.05435127e-05],
    [2.03954211e-05, 7.60062287e-05, -2.58280679e-04],
])
b_post = np.zeros(3)
dout_post = np.arange(0, 1.2, 0.2).reshape(2, 3)  # the post's `loss`
lr_post = 0.01

# %%
out, cache = fc_forward(x_post, w_post, b_post)
print("output of the layer (the post prints [[-0.0001034 0.00017703 -0.00169928]"
      " [-0.00118995 0.00011195 -0.00361302]]):\n", out)
residual_x, dw, db = fc_backward(dout_post, cache)
print("\nresidual_x = dx:\n", residual_x)
w_one_step = sgd_step(w_post, dw, lr_post)
b_one_step = sgd_step(b_post, db, lr_post)
print("\nW after one step:\n", w_one_step)
print("\nb after one step:\n", b_one_step)

# %% [markdown]
# The forward output matches the post. Its updated parameters do not: the post prints
# `W[0] = [-0.18020225 -0.25002861 -0.31994325]` and `b = [-0.03 -0.05 -0.07]`, while one step
# gives `W[0] = [-0.03620225 -0.05002861 -0.06394325]` and `b = [-0.006 -0.01 -0.014]`. The post's
# values are what its update cell gives when it is **run five times**: `ww -= ...` and `bb -= ...`
# change the notebook's global arrays in place, so every re-run of the cell applies one more step —
# a notebook re-run artefact, not a different formula. The gradient does not depend on `w`, so
# five runs give $W_5 = w - 5\,\eta\,\partial L/\partial W$ against one step's
# $W_1 = w - \eta\,\partial L/\partial W$: the **update term** $W - w$ is exactly five times
# larger, and so is `b` (it starts at 0, so it *is* its update term). `W` itself is **not** exactly
# five times larger, because the initial `w` is counted once in both: row 0 gives the ratios
# $-0.18020225 / -0.03620225 \approx 4.978$, $-0.25002861 / -0.05002861 \approx 4.998$ and
# $-0.31994325 / -0.06394325 \approx 5.004$. (The cell's
# `reg = 0.75` term adds nothing: `prev_grad_w` is reset to zeros at the top of the cell just
# before it is used, so `prev_grad_w * reg` is zero on the first step and on every re-run; the
# line `prev_grad_w = ww` afterwards only makes the printed "prev_grad_w" the updated weights.)
#
# The printed `residual_x` carries the same artefact, even though it does not depend on the update
# at all. The cell computes `residual_x = loss.dot(ww.T)` *before* its update, but on the fifth
# run `ww` already holds the weights after four updates. Checked with numpy: `dout·wᵀ` with the
# four-times-updated weights reproduces the printed `[[-0.14238302 -0.17281246 ...] ...]` to all
# printed digits, while with the post's initial `w` (one run of the cell) it is tiny, of the order
# of $10^{-4}$: first row $\approx$ `[1.70e-05 -1.25e-05 -9.26e-05 2.05e-05 -8.81e-05]` — the size
# you expect from weights of order $10^{-4}$.
#
# The next cell replays the post's cell five times with your functions and compares with everything
# it printed.

# %%
from checks import check_seed_rerun
check_seed_rerun(fc_forward, fc_backward, sgd_step)

# %% [markdown]
# ## 5. A tiny use: fitting a linear function
#
# One fully-connected layer with no activation is linear regression. With the mean squared error
# $L = \frac{1}{2N}\sum_{n,j} (A_{nj} - Y_{nj})^2$ the gradient arriving at the layer is
# $\partial L/\partial A = (A - Y)/N$; your three functions do the rest. The loss should fall to
# the noise level and the learned weights approach the true ones.

# %%
rng = np.random.default_rng(0)
w_true, b_true = rng.standard_normal((3, 2)), rng.standard_normal(2)
X = rng.standard_normal((64, 3))
Y = X.dot(w_true) + b_true + 0.01 * rng.standard_normal((64, 2))

w, b = 0.01 * rng.standard_normal((3, 2)), np.zeros(2)
for step in range(201):
    A, cache = fc_forward(X, w, b)
    L = 0.5 * np.sum((A - Y) ** 2) / len(X)
    _, dw, db = fc_backward((A - Y) / len(X), cache)
    w, b = sgd_step(w, dw, 0.1), sgd_step(b, db, 0.1)
    if step % 50 == 0:
        print(f"step {step:3d}  loss {L:.6f}")
print("largest error in the learned w:", np.abs(w - w_true).max())
