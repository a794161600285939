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
# # Assignment 07 — Optimization methods (优化方法): SGD, momentum, AdaGrad, RMSProp, Adadelta, Adam
#
# Backpropagation gives the gradient $\nabla_w L$ of the loss with respect to every parameter; an
# **optimizer (优化器)** decides what to do with it. Part 0_4 of the notes,
# **“0_4-优化方法-SGD、AdaGrad、RMSProp、Adadelta、Adam”** (below, *the post*), walks from plain
# stochastic gradient descent to rules that give every parameter its own, **adaptive learning
# rate (自适应学习率)**. The post stops after RMSProp
# ("未完待续", to be continued); Adadelta and Adam follow their original papers (Zeiler 2012;
# Kingma & Ba 2014) in the form written below.
#
# You implement six update rules, each one a function
#
# | task | rule | hyperparameters (超参数) in `config`, with defaults |
# |---|---|---|
# | `sgd` | stochastic gradient descent (随机梯度下降) | `learning_rate` 1e-2 |
# | `sgd_momentum` | SGD with momentum (动量) | `learning_rate` 1e-2, `momentum` 0.9 |
# | `adagrad` | AdaGrad | `learning_rate` 1e-2, `epsilon` 1e-8 |
# | `rmsprop` | RMSProp | `learning_rate` 1e-2, `decay_rate` 0.99, `epsilon` 1e-8 |
# | `adadelta` | Adadelta | `learning_rate` 1.0, `rho` 0.9, `epsilon` 1e-6 |
# | `adam` | Adam | `learning_rate` 1e-3, `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-8 |
#
# and at the end you race all six on the Rosenbrock function.
#
# **Where the notes are.** Part 0_4 belongs to the series “numpy实现神经网络系列”
# (https://github.com/yizt/numpy_neuron_network), whose part 0_2_2 (卷积层的反向传播) is in the
# course notes. Part 0_4 itself is not shipped with the course; read it in the original series.
# The equation numbers in brackets are the post's.
#
# **Conventions and the rules the grader checks** (section 0 explains them; each docstring
# repeats them):
#
# - `float64`; `next_w` has exactly the shape of `w`.
# - **Do not change the gradient in place.** `dw` must be left untouched: `dw *= lr` or
#   `dw **= 2` changes the caller's gradient. Build new arrays (`lr * dw`, `dw ** 2`). Values
#   are judged on their own; changing an input in place costs a quarter of the task's points, and
#   the feedback says which input.
# - Two things are the contract, not mutations: the rule may update `config` in place (and return
#   it) or return a new dict, and it may update `w` in place (`w += v`) or build a new array —
#   the caller always continues with the `next_w` and `config` you return.
#
# Each task is followed by a cell of visible checks. A passing check prints a line starting with ✓;
# a failing one raises an `AssertionError` that says what is wrong. The hidden tests used for
# grading run your rules for several steps on other, random gradients and compare `w` after every
# step.

# %% tags=["provided"]
import numpy as np

# %% [markdown]
# ## 0. One interface for every rule
#
# All six functions have the same signature (the one of cs231n's `optim.py`):
#
# ```python
# next_w, config = update(w, dw, config=None)
# ```
#
# - `w` is a parameter array of any shape (a weight matrix, a bias vector, …); `dw` is the
#   gradient $\nabla_w L$, of the same shape. Every rule works **elementwise** (按元素): each entry
#   of `w` is updated from its own entry of `dw` and its own entries of the state.
# - `config` is a dict, or `None` on the first call. It holds
#   - the **hyperparameters**, under exactly the keys of the table above. A key that is missing
#     takes its default (`config.setdefault("learning_rate", 1e-2)` does this in one line); when
#     `config` is `None`, start from a new empty dict;
#   - the rule's **state (状态)**: velocity, accumulated squares, moving averages, the step count —
#     whatever must be remembered from one call to the next, under key names you choose. State that
#     is not there yet starts at zero: `np.zeros_like(w)` for arrays, `0` for a count.
# - It returns `next_w` (the shape of `w`) and the config for the next call. You may update
#   `config` in place and return it, or return a new dict: the caller always continues with the
#   config you returned. You may also update `w` in place (the formulas below write `w += v`) or
#   build a new array; return it either way. Do not modify `dw`.
#
# A training loop keeps one config per parameter array and passes it back in at every step:
#
# ```python
# config = None                    # or {"learning_rate": 1e-3}: the other keys take their defaults
# for step in range(num_steps):
#     dw = gradient_of_the_loss(w)
#     w, config = adam(w, dw, config)
# ```
#
# The tests call your functions exactly like this: they start from `config = None` or from a dict
# holding only hyperparameters, and never put state into it themselves.
#
# Notation: $g_t = \nabla_w L(w_{t-1})$ is the gradient passed in at step $t$ (`dw`), $\eta$ the
# learning rate (学习率), squares, square roots and divisions of arrays are elementwise.

# %% [markdown]
# ## 1. SGD: stochastic gradient descent (随机梯度下降)
#
# Move every parameter a small step against its gradient:
#
# $$w_t = w_{t-1} - \eta\, g_t .$$
#
# As the post points out, what deep learning calls SGD is really mini-batch gradient descent
# (注意这里的随机梯度下降是 mini-batch gradient descent): $g_t$ is the gradient of the loss on one
# mini-batch, a noisy estimate of the gradient on all the data. One learning rate serves every
# parameter: too large, and $w$ oscillates (震荡) or diverges along steep directions; too small,
# and it crawls along flat ones.
#
# The post also decays the learning rate, $\eta_t = \eta / (1 + t\cdot decay)$ (学习率衰减, its
# formula (1)), with a very small `decay`. That is a schedule around any rule, not part of the
# tasks here. (The series' own `SGD` class, in `nn/optimizers.py` of its repository, writes it as
# `self.lr /= (1 + self.iterations)`: it divides the *already decayed* rate again at every step
# and never uses `decay`, so after $t$ steps the rate is $\eta / t!$ — after ten steps about
# $3\cdot 10^{-7}\,\eta$, and training stops moving. A schedule computes $\eta_t$ from the initial
# $\eta$.)
#
# ### Task 1 — `sgd` (1 point)
#
# Implement `sgd`. It has no state; it still returns the config (with its defaults
# filled in), because the caller passes it into the next call.

# %% answer="sgd"
def sgd(w, dw, config=None):
    """
    Plain stochastic gradient descent (随机梯度下降): w − learning_rate · dw.

    Inputs:
    - w: A numpy array of any shape, the current parameter
    - dw: A numpy array of the same shape, the gradient of the loss with respect to w
    - config: A dict of hyperparameters, or None (use the defaults):
      - learning_rate: scalar, default 1e-2

    Returns a tuple of:
    - next_w: the updated parameter, same shape as w
    - config: the config to pass into the next call

    Rules: dw must not be changed in place (a quarter of the task's points). config may be
    updated in place and returned, or replaced by a new dict; w may be updated in place or
    copied. next_w is a float64 array of w's shape.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="sgd"
from checks import check_sgd
check_sgd(sgd)

# %% [markdown]
# ## 2. Momentum (动量)
#
# Picture a ball rolling down the loss surface: it does not follow the slope at its current point
# only, it keeps its **velocity** $v$. Every step adds the new gradient to a decaying memory of the
# previous ones:
#
# $$v_t = \mu\, v_{t-1} - \eta\, g_t, \qquad w_t = w_{t-1} + v_t, \qquad v_0 = 0,$$
#
# with the momentum coefficient $\mu$ (`momentum`, 动量大小, usually 0.9). The post writes the same
# rule with the opposite sign of $v$: $v_t = \gamma\, v_{t-1} + \eta_t \nabla_w$, $w = w - v_t$
# (its formulas (2) and (3)); here $v$ points the way $w$ moves.
#
# Why it helps:
# - Along a direction where the gradient keeps its sign, the velocity builds up: under a constant
#   gradient the steps are $\eta g$ times $1,\ 1+\mu,\ 1+\mu+\mu^2, \dots$, approaching
#   $\eta g / (1-\mu)$ — ten times plain SGD for $\mu = 0.9$.
# - Across a narrow valley, where the gradient flips its sign from step to step, consecutive
#   contributions cancel in $v$: momentum damps the oscillation (震荡) that makes plain SGD zigzag.
# - The first step, from $v_0 = 0$, is exactly the SGD step.
#
# ### Task 2 — `sgd_momentum` (2 points)
#
# Implement `sgd_momentum`, keeping $v$ in `config`.

# %% answer="sgd_momentum"
def sgd_momentum(w, dw, config=None):
    """
    SGD with momentum (动量): v = momentum·v − learning_rate·dw;  next_w = w + v.

    Inputs:
    - w: A numpy array of any shape, the current parameter
    - dw: A numpy array of the same shape, the gradient of the loss with respect to w
    - config: A dict of hyperparameters and state, or None:
      - learning_rate: scalar, default 1e-2
      - momentum: scalar μ between 0 and 1, default 0.9 (0 gives plain SGD)
      - the velocity v (zeros of w's shape on the first call), under a key of your choice

    Returns a tuple of:
    - next_w: the updated parameter, same shape as w
    - config: the config (with the new velocity) to pass into the next call

    Rules: dw must not be changed in place (a quarter of the task's points). config may be
    updated in place and returned, or replaced by a new dict; w may be updated in place or
    copied. next_w is a float64 array of w's shape.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="sgd_momentum"
from checks import check_sgd_momentum
check_sgd_momentum(sgd_momentum)

# %% [markdown]
# ## 3. AdaGrad: a learning rate for every parameter (自适应学习率)
#
# AdaGrad adapts the learning rate of each dimension to the size of its gradients, "avoiding the
# problem that one common learning rate can hardly suit every dimension" (从而避免统一的学习率难以
# 适应所有维度的问题). It adds the elementwise square of every gradient to an accumulator $s$
# (梯度按元素平方的累加变量) and divides the step by its square root:
#
# $$s_t = s_{t-1} + g_t^2, \qquad
#   w_t = w_{t-1} - \frac{\eta}{\sqrt{s_t} + \epsilon}\, g_t, \qquad s_0 = 0 .$$
#
# $\epsilon$ (`epsilon`) keeps the division numerically stable (避免除零). As the post stresses,
# $s$ sits in the denominator of the learning rate: an element whose partial derivative has been
# large all along gets its learning rate lowered quickly, one with small derivatives slowly. And
# because $s$ only grows, every element's learning rate only decreases (或不变): if it has dropped
# fast early on while the solution is still poor, AdaGrad may crawl late in training
# (迭代后期由于学习率过小,可能较难找到一个有用的解).
#
# Two consequences you can check: under a constant gradient $s_t = t\,g^2$, so the $t$-th step is
# $\eta/\sqrt{t}$ in every coordinate; and multiplying all gradients by 1000 changes nothing (up to
# $\epsilon$) — the rule is invariant to the scale of the gradient.
#
# The post writes the denominator as $\sqrt{s_t + \epsilon}$ with $\epsilon \approx 10^{-6}$.
# Here (as in cs231n and in the tests) $\epsilon$ is added *after* the root, $\sqrt{s_t} + \epsilon$,
# with $\epsilon = 10^{-8}$. Both prevent a division by zero; they differ only for tiny gradients,
# but they do differ, so follow the formula above.
#
# ### Task 3 — `adagrad` (2 points)
#
# Implement `adagrad`, keeping $s$ in `config`.

# %% answer="adagrad"
def adagrad(w, dw, config=None):
    """
    AdaGrad: cache += dw²;  next_w = w − learning_rate · dw / (√cache + epsilon)   (elementwise).

    Inputs:
    - w: A numpy array of any shape, the current parameter
    - dw: A numpy array of the same shape, the gradient of the loss with respect to w
    - config: A dict of hyperparameters and state, or None:
      - learning_rate: scalar, default 1e-2
      - epsilon: small scalar added to the root, default 1e-8
      - the accumulated squared gradients (zeros on the first call), under a key of your choice

    Returns a tuple of:
    - next_w: the updated parameter, same shape as w
    - config: the config (with the new accumulator) to pass into the next call

    Rules: dw must not be changed in place (a quarter of the task's points). config may be
    updated in place and returned, or replaced by a new dict; w may be updated in place or
    copied. next_w is a float64 array of w's shape.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="adagrad"
from checks import check_adagrad
check_adagrad(adagrad)

# %% [markdown]
# ## 4. RMSProp: forget old gradients
#
# RMSProp makes one small change to AdaGrad so that the learning rate no longer only shrinks:
# instead of the sum of all squared gradients so far, it keeps their **exponentially weighted
# moving average (指数加权移动平均)**, with decay rate $\rho$ (`decay_rate`, the post's $\gamma$,
# $0 < \rho < 1$):
#
# $$s_t = \rho\, s_{t-1} + (1 - \rho)\, g_t^2, \qquad
#   w_t = w_{t-1} - \frac{\eta}{\sqrt{s_t} + \epsilon}\, g_t, \qquad s_0 = 0 .$$
#
# The weight of a gradient from $k$ steps ago is $(1-\rho)\rho^k$: the average remembers roughly the
# last $1/(1-\rho)$ steps (100 for $\rho = 0.99$). $\sqrt{s_t}$ is a running **r**oot **m**ean
# **s**quare of the gradient — hence the name — so each step is about $\eta$ in size whenever the
# recent gradients of that element have had a steady size.
#
# Watch the start, though. $s$ starts at zero, so after one step $s_1 = (1-\rho)\,g_1^2$ and the
# first step is $\eta / \sqrt{1-\rho}$ — ten times $\eta$ for $\rho = 0.99$; under a constant
# gradient step $t$ is $\eta/\sqrt{1-\rho^t}$, which takes a few hundred steps to settle. The moving
# average is *biased towards its zero start*. Adam (section 6) corrects exactly this.
#
# ### Task 4 — `rmsprop` (2 points)
#
# Implement `rmsprop`, keeping $s$ in `config`.

# %% answer="rmsprop"
def rmsprop(w, dw, config=None):
    """
    RMSProp: cache = ρ·cache + (1 − ρ)·dw²;  next_w = w − learning_rate · dw / (√cache + epsilon).

    Inputs:
    - w: A numpy array of any shape, the current parameter
    - dw: A numpy array of the same shape, the gradient of the loss with respect to w
    - config: A dict of hyperparameters and state, or None:
      - learning_rate: scalar, default 1e-2
      - decay_rate: scalar ρ between 0 and 1, the decay of the moving average, default 0.99
      - epsilon: small scalar added to the root, default 1e-8
      - the moving average of squared gradients (zeros on the first call), under a key of your choice

    Returns a tuple of:
    - next_w: the updated parameter, same shape as w
    - config: the config (with the new moving average) to pass into the next call

    Rules: dw must not be changed in place (a quarter of the task's points). config may be
    updated in place and returned, or replaced by a new dict; w may be updated in place or
    copied. next_w is a float64 array of w's shape.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="rmsprop"
from checks import check_rmsprop
check_rmsprop(rmsprop)

# %% [markdown]
# ## 5. Adadelta: steps in the units of $w$
#
# Look at the units. If $w$ is in metres and $L$ in joules, $g$ is in joules per metre, and the SGD
# step $\eta g$ is in joules per metre too, not in metres: the learning rate has to carry the
# conversion. (AdaGrad and RMSProp divide $g$ by its own root mean square, a unit-free ratio, so
# there $\eta$ alone carries the units of $w$.) A Newton step $\Delta w = -H^{-1} g$ has the right units, since
# $H^{-1} \sim \Delta w / g$. Adadelta imitates it with two running averages, one of the squared
# gradients and one of the squared *steps*:
#
# $$E[g^2]_t = \rho\, E[g^2]_{t-1} + (1-\rho)\, g_t^2,$$
#
# $$\Delta_t = -\frac{\sqrt{E[\Delta^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\; g_t,$$
#
# $$E[\Delta^2]_t = \rho\, E[\Delta^2]_{t-1} + (1-\rho)\, \Delta_t^2,$$
#
# $$w_t = w_{t-1} + \eta\, \Delta_t, \qquad E[g^2]_0 = E[\Delta^2]_0 = 0 .$$
#
# The ratio of the root mean square of past steps to that of the gradients has the units of
# $H^{-1}$, so $\Delta_t$ has the units of $w$ and the rule needs no learning rate at all: $\eta$
# (`learning_rate`, default 1.0) is only an extra multiplier, applied *after* $\Delta_t$ has gone
# into $E[\Delta^2]$. Note the order: the numerator uses $E[\Delta^2]_{t-1}$, the average up to the
# previous step, because $\Delta_t$ is not known yet.
#
# Here $\epsilon$ (`epsilon`, default $10^{-6}$) sits *inside* both roots, and it does more than
# prevent a division by zero: $E[\Delta^2]_0 = 0$, so the first step is
# $\sqrt{\epsilon}\,/\sqrt{(1-\rho)\,g_1^2 + \epsilon}\;g_1$, about $\sqrt{\epsilon/(1-\rho)} \approx 0.0032$
# in size whatever the gradient's scale. From there the steps grow as $E[\Delta^2]$ builds up.
#
# ### Task 5 — `adadelta` (3 points)
#
# Implement `adadelta`, keeping both running averages in `config`.

# %% answer="adadelta"
def adadelta(w, dw, config=None):
    """
    Adadelta:  Eg = ρ·Eg + (1 − ρ)·dw²;   Δ = −√(Edx + ε) / √(Eg + ε) · dw;
               Edx = ρ·Edx + (1 − ρ)·Δ²;  next_w = w + learning_rate · Δ.

    Inputs:
    - w: A numpy array of any shape, the current parameter
    - dw: A numpy array of the same shape, the gradient of the loss with respect to w
    - config: A dict of hyperparameters and state, or None:
      - learning_rate: scalar multiplier of the step, default 1.0
      - rho: scalar ρ between 0 and 1, the decay of both running averages, default 0.9
      - epsilon: small scalar inside both square roots, default 1e-6
      - the running averages Eg of dw² and Edx of Δ² (zeros on the first call), under keys of
        your choice

    Returns a tuple of:
    - next_w: the updated parameter, same shape as w
    - config: the config (with both running averages) to pass into the next call

    Rules: dw must not be changed in place (a quarter of the task's points). config may be
    updated in place and returned, or replaced by a new dict; w may be updated in place or
    copied. next_w is a float64 array of w's shape.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="adadelta"
from checks import check_adadelta
check_adadelta(adadelta)

# %% [markdown]
# ## 6. Adam: momentum + RMSProp, with bias correction (偏差修正)
#
# Adam (adaptive moment estimation) keeps two moving averages: of the gradients, the **first
# moment estimate (一阶矩估计)** $m$ — momentum — and of their squares, the **second moment
# estimate (二阶矩估计)** $v$ — RMSProp. At every call the step count $t$ goes up by one
# ($t_0 = 0$, so the first call uses $t = 1$):
#
# $$m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2,$$
#
# $$\hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
#   w_t = w_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, \qquad m_0 = v_0 = 0 .$$
#
# **Why bias correction.** Unroll the average: $m_t = (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i$.
# Its weights add up to $(1-\beta_1)\sum_{i=1}^{t}\beta_1^{t-i} = 1 - \beta_1^t$, not to 1: the
# missing $\beta_1^t$ is the weight still sitting on the zero start $m_0$. So if the gradients have
# a steady mean, $E[m_t] = (1-\beta_1^t)\,E[g]$ — biased towards zero in the early steps, and the
# same holds for $v_t$ with $1-\beta_2^t$. Dividing by the sum of the weights turns both into proper
# weighted averages. The bias of $v$ is the worse one: with $\beta_2 = 0.999$, $1-\beta_2^t$ stays
# far below 1 for about a thousand steps. Without correction the first step would be
# $\eta\,(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16\,\eta$, and the early steps up to about $6.5\,\eta$
# (the ratio $(1-\beta_1^t)/\sqrt{1-\beta_2^t}$ peaks near $t = 12$) — too large just when the
# gradients of a fresh network are largest and least reliable. With the correction, a constant
# gradient gives $\hat m_t = g$ and $\hat v_t = g^2$ exactly, so **every step is $\eta$ in size** in
# every coordinate, whatever the scale of $g$: $\eta$ bounds the step, a trust region you can set.
#
# The Adam paper also gives an "efficient" form that folds both corrections into the learning rate,
# $\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)$; it moves $\epsilon$ slightly. Implement the
# formulas above, with $\epsilon$ added after the root of $\hat v_t$.
#
# ### Task 6 — `adam` (3 points)
#
# Implement `adam`, keeping $m$, $v$ and $t$ in `config`.

# %% answer="adam"
def adam(w, dw, config=None):
    """
    Adam:  t += 1;  m = β1·m + (1 − β1)·dw;  v = β2·v + (1 − β2)·dw²;
           next_w = w − learning_rate · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + epsilon).

    Inputs:
    - w: A numpy array of any shape, the current parameter
    - dw: A numpy array of the same shape, the gradient of the loss with respect to w
    - config: A dict of hyperparameters and state, or None:
      - learning_rate: scalar, default 1e-3
      - beta1: decay of the first moment m, default 0.9
      - beta2: decay of the second moment v, default 0.999
      - epsilon: small scalar added to the root, default 1e-8
      - m, v (zeros on the first call) and the step count t (0 before the first call), under keys
        of your choice

    Returns a tuple of:
    - next_w: the updated parameter, same shape as w
    - config: the config (with m, v, t) to pass into the next call

    Rules: dw must not be changed in place (a quarter of the task's points). config may be
    updated in place and returned, or replaced by a new dict; w may be updated in place or
    copied. next_w is a float64 array of w's shape.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% test="adam"
from checks import check_adam
check_adam(adam)

# %% [markdown]
# ## 7. The race: six optimizers on the Rosenbrock function
#
# The Rosenbrock function
#
# $$f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2$$
#
# has its minimum $f = 0$ at $(1, 1)$, at the end of a long, narrow, curved valley (the "banana"):
# across the valley the curvature is about a hundred times larger than along it, the situation where
# one learning rate for every direction is a poor fit. The next cells run your six rules from the
# classic start $(-1.2, 1)$ for 1000 steps each and print the final losses; if `matplotlib` is
# installed they also draw the paths over the contour lines of $\log_{10} f$.
#
# The learning rates are roughly the best of a few tried for each rule, so the race is fair-ish,
# not a benchmark; change them and look again. Things to look for: plain SGD needs a learning rate
# small enough for the steep direction and then crawls along the valley floor; momentum overshoots
# across the valley but races along it; AdaGrad's steps keep shrinking; RMSProp's and Adam's steps
# are about $\eta$ in size per coordinate, so they move briskly on flat ground and jitter near the
# bottom; Adadelta runs with no learning rate at all (the default multiplier 1).

# %% tags=["provided"]
def rosenbrock(p):
    """f(x, y) = (1 − x)² + 100·(y − x²)² at p = (x, y), and its gradient (df/dx, df/dy)."""
    x, y = p
    f = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    grad = np.array([-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)])
    return f, grad


def run_optimizer(update, config, start, steps):
    """The path of `update` on the Rosenbrock function: an array of shape (steps + 1, 2)."""
    w = np.array(start, dtype=np.float64)
    path = [w.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            _, grad = rosenbrock(w)
            w, config = update(w, grad, config)
            path.append(np.array(w, dtype=np.float64))
    return np.array(path)


# %%
race = {  # rule -> its config for the race (None: every default)
    "sgd": {"learning_rate": 2e-3},
    "sgd_momentum": {"learning_rate": 1e-3, "momentum": 0.9},
    "adagrad": {"learning_rate": 1.0},
    "rmsprop": {"learning_rate": 1e-2},
    "adadelta": None,
    "adam": {"learning_rate": 0.1},
}
start, steps = (-1.2, 1.0), 1000
paths = {}
for name, config in race.items():
    update = globals().get(name)
    if update is None:
        print(f"{name:13s} not defined (run its cell)")
        continue
    try:
        paths[name] = run_optimizer(update, None if config is None else dict(config), start, steps)
    except NotImplementedError:
        print(f"{name:13s} not implemented yet")
        continue
    x, y = paths[name][-1]
    with np.errstate(over="ignore", invalid="ignore"):
        print(f"{name:13s} config={config}:  after {steps} steps at ({x:.4f}, {y:.4f}), "
              f"f = {rosenbrock(paths[name][-1])[0]:.3g}")

# %%
try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
    print("matplotlib is not installed: the final losses above are the comparison "
          "(pip install matplotlib to see the paths).")
if plt is not None and paths:
    X, Y = np.meshgrid(np.linspace(-2, 2, 241), np.linspace(-1, 3, 241))
    F = (1 - X) ** 2 + 100 * (Y - X ** 2) ** 2
    fig, ax = plt.subplots(figsize=(8, 6))
    ax.contour(X, Y, np.log10(F + 1e-3), levels=20, cmap="Greys", linewidths=0.6)
    for name, path in paths.items():
        shown = path[np.all(np.isfinite(path), axis=1) & np.all(np.abs(path) < 10, axis=1)]
        ax.plot(shown[:, 0], shown[:, 1], ".-", markersize=2, linewidth=1, label=name)
    ax.plot([1], [1], "k*", markersize=12, label="minimum (1, 1)")
    ax.plot([start[0]], [start[1]], "ko", label="start")
    ax.set_xlim(-2, 2)
    ax.set_ylim(-1, 3)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"{steps} steps on the Rosenbrock function")
    ax.legend(loc="upper right")
    plt.show()
