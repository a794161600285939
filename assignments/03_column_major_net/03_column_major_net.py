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
# # Assignment 03 — A network with data stored by columns (数据按列存储)
#
# This assignment follows the course notes **“神经网络-全连接层(3)”** (a blog post, the third of a
# series on the fully-connected layer; below, *the post*). The post packs the forward and
# backward pass of a small network into three classes — a loss, a fully-connected layer with a
# sigmoid, and a network that chains them — and then asks how we know the code is right: "一般来说
# 我们会采用一些近似方法计算验证梯度是否正确" (we check the gradients with an approximation).
# You will:
#
# 1. `SquareLoss` — the squared-error loss (平方误差损失) and its exact gradient;
# 2. `FC` — a fully-connected layer (全连接层) with sigmoid activation that updates its own
#    parameters in `backward`;
# 3. `Net` — the 2-4-1 network of the post, trained on XOR;
# 4. `numerical_gradient` — the approximation: central differences (中心差分);
# 5. `gradient_check` — a layer's backward pass checked against that approximation.
#
# Along the way you find three bugs in the post's snippet (section 6).
#
# **The one new thing: data stored by columns.** In assignments 01 and 02 a batch was stored row
# by row, `x (N, D)`. The post stores it *by columns* and we keep its convention here:
#
# - all training data are stored by columns (所有的训练数据按列存储): $N$ samples with $D$ features
#   form a matrix `X` of shape $(D, N)$ — one **column** per sample;
# - the weights $w$ of a layer are a matrix with as many rows as the layer has inputs and as many
#   columns as it has outputs: `w (in, out)`;
# - the bias $b$ is a matrix with one row per output and one column: `b (out, 1)`.
#
# **Conventions and the rules the grader checks** (each docstring repeats the ones that apply):
#
# - Everything is `float64`; return arrays of exactly the documented shapes — `grad_b` is
#   `(out, 1)`, not `(out,)` and not a single number; a loss may be a Python float or a 0-d array.
# - **Do not change an input in place.** Your methods must leave the arrays they are given
#   untouched: `residual *= top * (1 - top)` changes the caller's `residual`, `y -= t` changes the
#   caller's `y`. Work on a copy or build a new array (`residual * top * (1 - top)`). Values are
#   judged on their own; changing an input in place costs a quarter of the task's points, and the
#   feedback says which input. Three things are the contract, not mutations: `FC.backward` updates
#   the layer's **own** `w` and `b` (in place or by replacing them, as you like);
#   `numerical_gradient` perturbs `x` in place and puts every value back (section 5); and
#   `gradient_check` sets the layer's `lr` to 0 and restores it.
#
# Each task is followed by a cell of visible checks (✓ when they pass, an `AssertionError` saying
# what is wrong otherwise); the grader runs hidden cases of its own.

# %% tags=["provided"]
import numpy as np


def rel_error(a, b):
    """Largest relative error max(|a - b| / max(1e-8, |a| + |b|)) between two arrays."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


# XOR, stored by columns: X (2 features, 4 samples), targets y (1 output, 4 samples).
X_xor = np.array([[0.0, 0.0, 1.0, 1.0],
                  [0.0, 1.0, 0.0, 1.0]])
y_xor = np.array([[0.0, 1.0, 1.0, 0.0]])

# %% [markdown]
# ## 1. Column-major and row-major: the same layer, transposed
#
# The post's layer computes, for a batch $X$ of shape $(\text{in}, N)$,
#
# $$Z = w^{\mathsf T} X + b, \qquad \text{top} = \sigma(Z) = \frac{1}{1 + e^{-Z}},
#   \qquad Z,\ \text{top}: (\text{out}, N),$$
#
# where $b$ $(\text{out}, 1)$ is added to every column (numpy broadcasts it). Transpose both sides:
# $Z^{\mathsf T} = X^{\mathsf T} w + b^{\mathsf T}$ — that is 01's `fc_forward` on the row-major
# batch $x = X^{\mathsf T}$ $(N, \text{in})$, **with the same matrix $w$**. So nothing about the
# layer changes; only the bookkeeping does:
#
# | | row-major (01) | column-major (this assignment) |
# |---|---|---|
# | a batch | `x (N, in)`, one row per sample | `X = x.T (in, N)`, one column per sample |
# | forward | `out = x @ w + b` | `Z = w.T @ X + b` $= $ `out.T` |
# | bias | `b (out,)` | `b (out, 1)` |
# | $\partial L/\partial w$ | `x.T @ dout` | `X @ dZ.T` — the same matrix, `(in, out)` |
# | $\partial L/\partial b$ | `dout.sum(axis=0)` | `dZ.sum(axis=1, keepdims=True)`, `(out, 1)` |
# | $\partial L/\partial x$ | `dout @ w.T`, `(N, in)` | `w @ dZ`, `(in, N)` — its transpose |
#
# Here `dZ` $= \partial L / \partial Z$ $= $ `dout.T`. A sample's features are read down a column,
# so "sum over the batch" is a sum **along axis 1**, and a batch of one sample is a matrix with one
# column, shape $(\text{in}, 1)$.
#
# **Why would anyone store data by columns?** It is how the math is usually written ($z = Wx + b$
# for a column vector $x$), and it is the memory order of Fortran, MATLAB and the BLAS routines
# under numpy. The price is that the weight matrix appears transposed, $w^{\mathsf T}X$: the post
# keeps `w (in, out)` so that it is stored exactly like 01's `w`.

# %% [markdown]
# ## 2. The loss: `SquareLoss`
#
# With outputs $y$ and targets $t$ of shape $(\text{out}, N)$ the post's loss is
#
# $$L = \frac{1}{2N} \sum_{i,n} (y_{in} - t_{in})^2, \qquad N = \text{number of columns (samples)},$$
#
# and since $\partial L / \partial y_{in} = (y_{in} - t_{in})/N$, the gradient is
#
# $$\frac{\partial L}{\partial y} = \frac{y - t}{N} \qquad (\text{shape of } y).$$
#
# The post's classes keep in `forward` what `backward` will need ("前向为后向准备运算数据", the
# forward pass prepares the data of the backward pass): `backward()` takes no argument and uses
# what the last `forward` stored.
#
# ### Task 1 — `SquareLoss` (1 point)
#
# Implement `SquareLoss`. `forward(y, t)` returns the loss as a float, `backward()`
# returns $\partial L/\partial y$ of the last `forward`, exactly.

# %% answer="SquareLoss"
class SquareLoss:
    """L = sum((y - t)**2) / N / 2 for outputs y and targets t of shape (out, N), N = columns."""

    def forward(self, y, t):
        """y, t: arrays of shape (out, N). Returns the loss L, a float (or a 0-d array).

        Rules: y and t must not be changed in place (a quarter of the task's points).
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self):
        """Returns dL/dy = (y - t) / N for the last forward, a float64 array of shape (out, N)."""
        # YOUR CODE HERE
        raise NotImplementedError()


# %% test="SquareLoss"
from checks import check_SquareLoss
check_SquareLoss(SquareLoss)

# %% [markdown]
# ## 3. The layer: `FC`
#
# The post writes the backward pass with the **residual (残差)** $\delta$: "我们用残差符号 $\delta$
# 表达 Loss 对指定变量的偏导数" — $\delta_v$ is $\partial L/\partial v$ for the variable $v$. The
# layer receives $\delta_{\text{top}} = \partial L / \partial\,\text{top}$ (`residual`, shape
# $(\text{out}, N)$) from the layer after it. Step by step, with $\circ$ the elementwise product:
#
# 1. through the sigmoid, $\sigma'(Z) = \text{top}\,(1 - \text{top})$:
#    $$\delta_Z = \delta_{\text{top}} \circ \text{top} \circ (1 - \text{top}) \qquad (\text{out}, N);$$
# 2. the weights: $Z_{jn} = \sum_i w_{ij} X_{in} + b_j$, so
#    $\partial L/\partial w_{ij} = \sum_n X_{in}\,(\delta_Z)_{jn}$, summed over the batch:
#    $$\nabla w = X\,\delta_Z^{\mathsf T} \qquad (\text{in}, \text{out});$$
#    this is where the post transposes a matrix "so that the dimensions come out right"
#    (为了维度对矩阵做转置): $X$ is $(\text{in}, N)$, $\delta_Z$ is $(\text{out}, N)$, and only
#    $X \delta_Z^{\mathsf T}$ has the shape of $w$;
# 3. the bias: $\partial L/\partial b_j = \sum_n (\delta_Z)_{jn}$ — **one number per output unit**,
#    the row sums of $\delta_Z$:
#    $$\nabla b = \textstyle\sum_n \delta_Z[:, n] \qquad (\text{out}, 1);$$
# 4. the residual passed back to the previous layer: $\partial L/\partial X_{in} = \sum_j w_{ij}
#    (\delta_Z)_{jn}$,
#    $$\delta_X = w\,\delta_Z \qquad (\text{in}, N),$$
#    **with the weights the forward pass used**, i.e. from before this step's update.
#
# Then the layer takes its own gradient step, $w \leftarrow w - \eta\,\nabla w$,
# $b \leftarrow b - \eta\,\nabla b$ with $\eta$ = `self.lr`, and returns $\delta_X$. The gradients
# are summed over the batch (they are the gradient of whatever loss produced `residual`; with
# `SquareLoss` the $1/N$ is already in it).
#
# The constructor is given: `FC(in_num, out_num, lr=0.1, rng=None)` draws `w` from `rng`'s standard
# normal distribution (`np.random.default_rng(0)` when no `rng` is given), sets `b` to zeros and
# `grad_w`, `grad_b` to `None`. The tests may set `w`, `b` and `lr` directly.
#
# ### Task 2 — `FC` (3 points)
#
# Implement `FC.forward` and `FC.backward`. `backward` stores `self.grad_w (in, out)`
# and `self.grad_b (out, 1)`, updates `w` and `b`, and returns `residual_x (in, N)`. The check
# compares everything with numerical gradients at the weights from before the update.

# %% answer="FC"
class FC:
    """Fully-connected layer with sigmoid activation on column-major data: top = sigmoid(w.T @ x + b)."""

    def __init__(self, in_num, out_num, lr=0.1, rng=None):
        if rng is None:
            rng = np.random.default_rng(0)
        self._in_num = in_num
        self._out_num = out_num
        self.w = rng.standard_normal((in_num, out_num))
        self.b = np.zeros((out_num, 1))
        self.lr = lr
        self.grad_w = None
        self.grad_b = None

    def _sigmoid(self, in_data):
        return 1.0 / (1.0 + np.exp(-in_data))

    def forward(self, in_data):
        """in_data: (in_num, N), one column per sample. Returns top = sigmoid(w.T @ in_data + b), (out_num, N).

        Keep what backward needs. Rules: in_data must not be changed in place (keeping a
        reference to it is fine).
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, residual):
        """residual: dL/dtop, shape (out_num, N).

        Stores self.grad_w (in_num, out_num) and self.grad_b (out_num, 1), summed over the batch;
        updates w and b by one SGD step with self.lr; returns residual_x = dL/d(in_data),
        shape (in_num, N), computed with the weights from before the update.

        Rules: residual (and the in_data kept by forward) must not be changed in place (a quarter
        of the task's points); w and b are the layer's own and may be updated in place or
        replaced. grad_b has exactly the shape (out_num, 1).
        """
        # YOUR CODE HERE
        raise NotImplementedError()


# %% test="FC"
from checks import check_FC
check_FC(FC)

# %% [markdown]
# ## 4. The network: `Net`, and XOR
#
# The post chains two layers and the loss: `FC(2, 4)` → `FC(4, 1)` → `SquareLoss`. One training
# iteration on the whole batch is
#
# 1. forward: `layer1out = fc1.forward(X)`, `layer2out = fc2.forward(layer1out)`,
#    `loss = self.loss.forward(layer2out, y)`;
# 2. backward, from the loss back to the input: `self.loss.backward()` gives
#    $\partial L/\partial\,$`layer2out`, `fc2.backward` turns it into $\partial L/\partial\,$`layer1out`
#    (and updates fc2), `fc1.backward` does the same for fc1.
#
# **XOR (异或)** is the classic test: the output is 1 exactly when the two inputs differ. No single
# layer can learn it (the two classes are not linearly separable); a hidden layer can.
#
# The constructor is given. Implement
#
# - `train(X, y, iterations)`: `iterations` full-batch iterations as above; returns `losses`, the
#   list of the loss values (floats) of every iteration's forward pass, computed before that
#   iteration's updates — so `losses[0]` is the loss of the untrained network;
# - `predict(X)`: the network's sigmoid outputs for `X (input_num, N)`, shape `(out_num, N)`.
#
# **Learning rate.** The post trains with `lr = 0.1` for 10000 iterations. Its `SquareLoss.backward`
# returns $y - t$, which is $N = 4$ times the true gradient (section 6), so its steps were 4 times
# larger than `lr` says. With the exact gradient we use `lr = 2.0` and 2000 iterations: from each of
# a hundred random starts we tried, the network then separates XOR with a wide margin (with `lr = 0.1`
# and 10000 iterations, one random start in five does not get there).
#
# ### Task 3 — `Net` (2 points)
#
# Implement `Net.train` and `Net.predict`.
#
# **How it is graded.** Your network is trained on the four XOR points, then judged on what it
# learned, not on what it reports: the grader reads the trained `net.fc1` and `net.fc2` (their `w`
# and `b`, so keep those two attributes and the shapes `FC` gives them) and runs the forward pass
# itself, on the four points and on points near them that `train` never saw; `predict` is also
# called on such new points and must agree with that forward pass. A `predict` that remembers the
# training targets instead of computing them earns nothing.

# %% answer="Net"
class Net:
    """The post's network: FC(input_num, hidden_num) -> FC(hidden_num, out_num) -> SquareLoss."""

    def __init__(self, input_num=2, hidden_num=4, out_num=1, lr=0.1, rng=None):
        if rng is None:
            rng = np.random.default_rng(0)
        self.fc1 = FC(input_num, hidden_num, lr, rng)
        self.fc2 = FC(hidden_num, out_num, lr, rng)
        self.loss = SquareLoss()

    def train(self, X, y, iterations=10000):
        """X: (input_num, N) stored by columns, y: targets (out_num, N).

        Runs `iterations` full-batch iterations (forward, loss, backward with updates).
        Returns losses: a list of floats, the loss of each iteration's forward pass.

        Rules: X and y must not be changed in place (a quarter of the task's points).
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def predict(self, X):
        """X: (input_num, N). Returns the network's outputs (after the last sigmoid), (out_num, N).

        Rules: X must not be changed in place.
        """
        # YOUR CODE HERE
        raise NotImplementedError()


# %% test="Net"
from checks import check_Net
check_Net(Net, X_xor, y_xor)

# %% [markdown]
# The post's final print, with your network:

# %%
net = Net(lr=2.0)
losses = net.train(X_xor, y_xor, 2000)
print("X={0}".format(X_xor))
print("t={0}".format(y_xor))
print("y={0}".format(np.round(net.predict(X_xor), 3)))
print("loss: first %.4f, after 500 iterations %.4f, last %.6f" % (losses[0], losses[500], losses[-1]))

# %% [markdown]
# ## 5. Checking gradients with an approximation (近似方法计算验证梯度)
#
# "代码是写完了,可是我们还需要验证一下自己的代码是不是正确的": the code is written, but is it right?
# A backward pass can be wrong in ways that still let a network learn something (section 6 has
# three). The reliable check needs no derivation at all: the derivative is a limit,
#
# $$\frac{\partial f}{\partial x_i} = \lim_{h \to 0} \frac{f(x + h e_i) - f(x - h e_i)}{2h},$$
#
# so for a small $h$ the **central difference (中心差分)** on the right approximates it — for every
# element $x_i$ of $x$ in turn ($e_i$ is 1 at element $i$ and 0 elsewhere). By Taylor expansion its
# error is $\frac{h^2}{6} f'''$: with $h = 10^{-5}$ it is far below the rounding error of the two
# function values, about $10^{-16}|f|/h$. The one-sided difference $(f(x + h e_i) - f(x))/h$ is
# worse: its error is $\frac{h}{2} f''$.
#
# Implement it **in place**: change `x[i]` to `x[i] + h`, evaluate `f(x)`, change it to `x[i] - h`,
# evaluate again, and put the old value back before moving to the next element. Then `f` may either
# use its argument or read the very array `x` (as in `lambda _: loss(layer.forward(x))`), and `x` is
# unchanged when `numerical_gradient` returns.
#
# ### Task 4 — `numerical_gradient` (2 points)
#
# Implement `numerical_gradient(f, x, h=1e-5)` for `x` of any shape; `f(x)` returns a
# scalar (a float or a 0-d array). Return the gradient as a float array of `x`'s shape.

# %% answer="numerical_gradient"
def numerical_gradient(f, x, h=1e-5):
    """
    Central differences of the scalar function f at x, one element of x at a time.

    Inputs:
    - f: a function of one array argument returning a scalar
    - x: a float numpy array of any shape; perturbed in place and restored (this is the
      contract: change x itself, not a copy, and put every value back)
    - h: the step

    Returns:
    - grad: a float numpy array of x's shape, grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="numerical_gradient"
from checks import check_numerical_gradient
check_numerical_gradient(numerical_gradient)

# %% [markdown]
# ### Checking a layer: `gradient_check`
#
# To check a layer's `backward` we need a scalar function of its input. Take
#
# $$L = \tfrac12 \sum \text{top}^2, \qquad\text{so}\qquad \frac{\partial L}{\partial\,\text{top}} = \text{top}:$$
#
# feeding `top` itself into `backward` as the residual must give back $\partial L/\partial x$, which
# `numerical_gradient` approximates from forward passes alone. Two details:
#
# - `FC.backward` also *updates* the layer. If it did, the numerical gradient would be taken of a
#   different function (new weights) than the one `backward` differentiated. So set the layer's
#   `lr` to 0 for the check, and put the old value back afterwards — also when something raises on
#   the way (`try` / `finally`).
# - Compare with the provided `rel_error`, the largest relative error
#   $\max_i |a_i - b_i| / \max(10^{-8}, |a_i| + |b_i|)$. Below about $10^{-7}$ means "equal"; a wrong
#   backward pass gives something of order $10^{-2}$ to 1.
#
# ### Task 5 — `gradient_check` (2 points)
#
# Implement `gradient_check(layer, x)` for any layer with `forward(x)`, `backward(residual)
# -> residual_x` and an attribute `lr`. It returns `rel_error(residual_x, numerical gradient)` as a
# float.

# %% answer="gradient_check"
def gradient_check(layer, x):
    """
    Checks layer.backward against numerical_gradient for L = 1/2 * sum(top**2).

    Inputs:
    - layer: an object with forward(x) -> top, backward(residual) -> residual_x and an attribute lr
    - x: the layer's input, e.g. (in, N) for an FC layer

    Sets layer.lr to 0 during the check and restores it afterwards (also when something raises).
    Rules: the layer's weights must be unchanged afterwards (the check must not train it). The
    grader hands it correct layers and layers whose backward is wrong (a flipped sign, a missing
    factor, an average instead of a sum, ...): it must return a tiny error for the first and a
    large one for the second, so compute the error, never return a constant.

    Returns:
    - error: rel_error(residual_x, numerical gradient of L with respect to x), one number (a
      float or a 0-d array)
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="gradient_check"
from checks import check_gradient_check
check_gradient_check(gradient_check, FC)

# %% [markdown]
# ## 6. Exercise (not graded): three bugs in the post's snippet
#
# Below is the post's code, ported to Python 3 and to this notebook's conventions (it draws its
# weights from an `rng`, and keeps its gradients in `grad_w`, `grad_b` so that we can look at
# them); nothing else is changed. It learns XOR. It is nevertheless wrong in three places. Before
# you read on, compare it line by line with your `SquareLoss` and `FC` and find them.
#
# Hints: one line is not the derivative of the line it is supposed to differentiate; one gradient
# has the wrong shape; and one line is in the wrong place.

# %% tags=["provided"]
class PostSquareLoss:
    """The post's SquareLoss."""

    def forward(self, y, t):
        self.loss = y - t
        return np.sum(self.loss * self.loss) / self.loss.shape[1] / 2

    def backward(self):
        return self.loss


class PostFC:
    """The post's FC (sigmoid activation, data by columns)."""

    def __init__(self, in_num, out_num, lr=0.1, rng=None):
        if rng is None:
            rng = np.random.default_rng(0)
        self._in_num = in_num
        self._out_num = out_num
        self.w = rng.standard_normal((in_num, out_num))
        self.b = np.zeros((out_num, 1))
        self.lr = lr

    def _sigmoid(self, in_data):
        return 1 / (1 + np.exp(-in_data))

    def forward(self, in_data):
        self.topVal = self._sigmoid(np.dot(self.w.T, in_data) + self.b)
        self.bottomVal = in_data
        return self.topVal

    def backward(self, loss):
        residual_z = loss * self.topVal * (1 - self.topVal)
        grad_w = np.dot(self.bottomVal, residual_z.T)
        grad_b = np.sum(residual_z)
        self.grad_w, self.grad_b = grad_w, grad_b    # kept for inspection (not in the post)
        self.w -= self.lr * grad_w
        self.b -= self.lr * grad_b
        residual_x = np.dot(self.w, residual_z)
        return residual_x


# %% [markdown]
# The next cell puts numbers on the three bugs, with your `numerical_gradient` as the judge.

# %%
rng = np.random.default_rng(3)
x3, t3 = rng.standard_normal((3, 5)), rng.random((2, 5))
y3 = rng.random((2, 5))

# Bug 1: SquareLoss.backward is not the gradient of SquareLoss.forward.
post_loss = PostSquareLoss()
post_loss.forward(y3, t3)
numeric = numerical_gradient(lambda v: PostSquareLoss().forward(v, t3), y3.copy())
print("1. SquareLoss: the post's backward / the numerical gradient =",
      np.round(post_loss.backward() / numeric, 6).ravel()[:3], "... (N =", y3.shape[1], ")")

# Bug 2: the bias gradient is summed over all output units.
layer = PostFC(3, 2, lr=0.0, rng=np.random.default_rng(4))
residual = rng.standard_normal((2, 5))
layer.forward(x3)
layer.backward(residual)
probe = PostFC(3, 2, lr=0.0, rng=np.random.default_rng(4))
numeric_b = numerical_gradient(lambda v: np.sum(probe.forward(x3) * residual), probe.b)
print("2. bias gradient: the post's", np.shape(layer.grad_b), np.round(layer.grad_b, 4),
      "| numerical", numeric_b.shape, np.round(numeric_b.ravel(), 4))

# Bug 3: residual_x is computed with the weights after the update.
for lr in (0.0, 0.5):
    layer = PostFC(3, 2, lr=lr, rng=np.random.default_rng(4))
    probe = PostFC(3, 2, lr=0.0, rng=np.random.default_rng(4))
    layer.forward(x3)
    residual_x = layer.backward(residual)
    numeric_x = numerical_gradient(lambda v: np.sum(probe.forward(v) * residual), x3.copy())
    print("3. lr = %.1f: rel_error(post's residual_x, numerical) = %.2e" % (lr, rel_error(residual_x, numeric_x)))

# %% [markdown]
# What the numbers say:
#
# 1. **`SquareLoss.backward` returns $y - t$**, but the forward pass divides by $2N$, so the
#    derivative is $(y - t)/N$: the post's gradient is $N$ times too large (here $N = 5$). Training
#    still works — it is the right direction with a learning rate $N$ times larger than stated — which
#    is why the bug survives. Any check of the *value* of the gradient (a gradient check, or a second
#    implementation) catches it at once.
# 2. **`grad_b = np.sum(residual_z)`** adds up the whole $(\text{out}, N)$ matrix: a single number,
#    the sum of all output units' bias gradients. Every bias then moves by the same amount. The
#    gradient of $b_j$ is the sum over the batch only, one number per output unit:
#    `np.sum(residual_z, axis=1, keepdims=True)`, shape $(\text{out}, 1)$. With one output unit
#    (the post's second layer) the two agree — another reason the bug goes unnoticed.
# 3. **`residual_x = np.dot(self.w, residual_z)` comes after `self.w -= ...`**, so the residual
#    passed back uses the *updated* weights. The chain rule needs the weights the forward pass used.
#    With `lr = 0` nothing is updated and the error disappears — which also means that a gradient
#    check that sets `lr` to 0 (as yours does) cannot see this bug. The checks of `FC` therefore
#    compare `residual_x` with the numerical gradient at the old weights *with* `lr` ≠ 0. The fix
#    is to compute `residual_x` before the update. (A third small problem: `self.w -= ...` updates
#    the array in place, so anyone holding a reference to the old `w` sees it change.)
#
# The post itself says it: "把我们的代码用博客上数据和结果做一下验证,就可以帮助我们修正代码做好debug"
# — checking the code against independent numbers is how bugs are found, and "可能犯错的地方也不多"
# (there are not many places to get wrong) turned out to hold three.
#
# ## Summary (小结)
#
# - Column-major data `X (features, N)` is the row-major batch transposed; the layer is the same,
#   with `Z = w.T @ X + b`, `grad_w = X @ dZ.T`, `grad_b` the row sums of `dZ`, `residual_x = w @ dZ`.
# - Every backward pass returns the gradient of *its own* forward pass, computed with the values the
#   forward pass used.
# - Central differences check any gradient without a derivation; keep every other part of the
#   computation fixed (here: `lr = 0`) while you check it.
