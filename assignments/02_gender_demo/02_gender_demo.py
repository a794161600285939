# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 — The gender demo (判断性别 Demo): backpropagation with error terms
#
# In the previous lessons of the course we built a tiny network that guesses a person's gender
# from their weight and height, and we trained it with stochastic gradient descent
# (随机梯度下降, SGD) by writing out the gradient (梯度) of the loss function (损失函数) for
# **every single weight** with the chain rule. It worked, but the code was bloated. This
# assignment follows the course notes of the third lesson, **“深度学习基础课:全连接层的前向和后向传播推导(下)”**
# (the notes of the online course 深度学习基础班, lesson 3; below, *the course*). The course's
# programs are written in ReScript and live in its repository, https://github.com/yyc-git/DeepLearningEdu
# (lesson 2, the “判断性别” demo, in `lessons/2_gender_analyze`; this lesson in
# `lessons/3_derivation_3`). The lesson goes:
#
# 1. Why vectorise (向量化) the gradients at all?
# 2. What is the error term (误差项) $\delta$, and how does it remove the repeated work?
# 3. What is backpropagation (后向传播)?
# 4. Rewrite the demo's training with error terms and matrices (`NeuralNetwork_train`), then
#    cut the network into reusable layers (`LinearLayer`, `SigmoidLayer`, `MSELoss`) and
#    rebuild the demo from them.
#
# **The network.** Five neurons, numbered as in the course: neurons 1 and 2 are the inputs
# (1 = weight in kg, 2 = height in cm), neurons 3 and 4 form the hidden layer, neuron 5 is the
# output. $w_{ji}$ is the weight of the connection **from neuron $i$ to neuron $j$**, $b_j$ the
# bias of neuron $j$. Every neuron after the input uses the sigmoid activation $\sigma$. The
# nine parameters are `w31 w32 w41 w42 w53 w54 b3 b4 b5`.
#
# $$
# \begin{aligned}
# net_3 &= w_{31}x_1 + w_{32}x_2 + b_3, & y_3 &= \sigma(net_3)\\
# net_4 &= w_{41}x_1 + w_{42}x_2 + b_4, & y_4 &= \sigma(net_4)\\
# net_5 &= w_{53}y_3 + w_{54}y_4 + b_5, & y_5 &= \sigma(net_5)
# \end{aligned}
# \qquad \sigma(z) = \frac{1}{1+e^{-z}},\quad \sigma'(z) = \sigma(z)\,(1-\sigma(z))
# $$
#
# $y_5$ close to 1 means "female", close to 0 means "male".
#
# **Grading.** Four graded tasks: `NeuralNetwork_train`, `LinearLayer`, `SigmoidLayer`,
# `MSELoss`. The cell after each task runs the visible checks; the grader runs more cases of
# its own (other random parameters, other shapes, the layer-built demo) and compares with
# what the derivation says. Keep the names and signatures exactly as given. Cells tagged
# `provided` are given — read them, do not change them.
#
# **Conventions and the rules the grader checks** (each docstring repeats the ones that apply):
#
# - Everything is `float64`; return arrays of exactly the documented shapes (`db` of a layer
#   is `(out,)`, not `(1, out)`: broadcasting would hide the difference in a sum, but the grader
#   compares shapes before values). A scalar (a loss, $y_5$) may be a Python float or a 0-d
#   array.
# - **Do not change an input in place.** A method must leave the arrays it is given untouched:
#   `delta *= y * (1 - y)` changes the caller's `delta`, and `x -= mean` changes the caller's
#   `x`. Work on a copy or build a new array (`delta * y * (1 - y)`). Values are judged on their
#   own; changing an input in place costs a quarter of the task's points, and the feedback says
#   which input. A layer's *own* parameters are different: `update` may change `self.w` and
#   `self.b` in place or replace them, as you like; the constructor of `NeuralNetwork_train` must
#   not modify `params`.

# %% tags=["provided"]
import numpy as np

# The four people of the course: rows [weight kg, height cm]; female = 1, male = 0.
data = np.array([
    [50.0, 150.0],   # female
    [51.0, 149.0],   # female
    [60.0, 172.0],   # male
    [90.0, 188.0],   # male
])
all_y_trues = np.array([1.0, 1.0, 0.0, 0.0])

# Two new people for inference (推理): (89 kg, 190 cm) is male, (60 kg, 155 cm) is female.
inference_data = np.array([
    [89.0, 190.0],
    [60.0, 155.0],
])
inference_y_trues = np.array([0.0, 1.0])


# %% [markdown]
# ## Helpers: activation, loss function, zero mean, parameters
#
# The loss function (损失函数) is the mean squared error over the $n = 4$ people,
#
# $$
# E = \frac{1}{n}\sum_{k=1}^{n}\left(t^{(k)} - y_5^{(k)}\right)^2 ,
# $$
#
# where $t^{(k)}$ is the label of person $k$. SGD takes one person at a time, in array order, and
# steps along the gradient of that person's share $\frac1n (t - y_5)^2$ of $E$, so
#
# $$
# \frac{\partial E}{\partial y_5} = -\frac{2}{n}\,(t - y_5) .
# $$

# %% tags=["provided"]
def sigmoid(x):
    """The activation function: 1 / (1 + e^(-x)), elementwise."""
    return 1.0 / (1.0 + np.exp(-x))


def deriv_sigmoid(x):
    """Derivative of the sigmoid at net input x: f(x) * (1 - f(x))."""
    fx = sigmoid(x)
    return fx * (1.0 - fx)


def mse_loss(y_true, y_pred):
    """Mean squared error of two arrays of the same length."""
    return np.mean((y_true - y_pred) ** 2)


# %% [markdown]
# ### Zero mean (零均值)
#
# Weights around 60 and heights around 165 make $net_3$ and $net_4$ huge, so $\sigma$ is flat
# (saturated) there and its derivative is practically 0: the gradients vanish and the network
# cannot learn (you will see this below). The course's fix is to shift every feature by the
# training set's mean, rounded down: 62 kg and 164 cm.
#
# New people must be shifted by **the same training mean**. The network has learned in
# coordinates "kg above 62, cm above 164"; a new person means something only in those
# coordinates. The course shifted the two inference people by *their own* mean (74 kg, 172 cm),
# which moves them into a different coordinate system: it happens to give the right answer for
# these two, but a single new person would always land at (0, 0), whoever they are, and a
# batch of tall people would be judged relative to each other rather than to the training set.
# So `zero_mean` returns the mean it used, and you pass it back in for new data.

# %% tags=["provided"]
def zero_mean(X, mean=None):
    """Centre every feature (column) of X.

    mean=None: use the floor of X's own column means (do this for the training set).
    Otherwise subtract the given mean (do this for new people: pass the training mean).
    Returns (X_centered, mean), mean a float array of shape (features,).
    """
    X = np.asarray(X, dtype=float)
    if mean is None:
        mean = np.floor(X.mean(axis=0))
    mean = np.asarray(mean, dtype=float)
    return X - mean, mean


data_centered, train_mean = zero_mean(data)                        # train_mean = [62., 164.]
inference_centered, _ = zero_mean(inference_data, mean=train_mean)

# %% tags=["provided"]
PARAM_NAMES = ("w31", "w32", "w41", "w42", "w53", "w54", "b3", "b4", "b5")


def init_params(value=None, rng=None):
    """The nine parameters of the demo as a dict {"w31": ..., ..., "b5": ...}.

    value given: every parameter equals value (the course uses 0.1).
    Otherwise each parameter is drawn from rng's standard normal distribution.
    """
    if value is not None:
        return {name: float(value) for name in PARAM_NAMES}
    if rng is None:
        rng = np.random.default_rng()
    return {name: float(v) for name, v in zip(PARAM_NAMES, rng.standard_normal(len(PARAM_NAMES)))}


# %% [markdown]
# ## The per-weight version (the course's `NeuralNetwork_train_before`)
#
# Last lesson we trained the network by writing the chain rule out for each of the nine
# parameters. For a weight into the output neuron,
#
# $$
# \frac{\partial E}{\partial w_{53}} = \frac{\partial E}{\partial y_5}\,
#   \frac{\partial y_5}{\partial net_5}\,\frac{\partial net_5}{\partial w_{53}}
#   = \frac{\partial E}{\partial y_5}\;\sigma'(net_5)\;y_3 ,
# $$
#
# and for a weight into a hidden neuron the chain is longer:
#
# $$
# \frac{\partial E}{\partial w_{31}} = \frac{\partial E}{\partial y_5}\,
#   \frac{\partial y_5}{\partial y_3}\,\frac{\partial y_3}{\partial w_{31}}
#   = \frac{\partial E}{\partial y_5}\;\bigl(w_{53}\,\sigma'(net_5)\bigr)\;\bigl(x_1\,\sigma'(net_3)\bigr) .
# $$
#
# The other seven are alike: $w_{32}$ has $x_2$ instead of $x_1$; $w_{41}, w_{42}$ go through
# $w_{54}$ and $\sigma'(net_4)$; $w_{54}$ has $y_4$; a bias has 1 in place of its input. Every
# parameter is then moved against its gradient, $w \leftarrow w - \eta\,\partial E/\partial w$
# with learning rate $\eta = 0.1$, all nine computed from the parameters **before** the step.
#
# The class below is that version, corrected (see the aside further down). It is the yardstick
# for your vectorised version. Its `train` returns `losses`: after every epoch whose number is a
# multiple of 10 (epochs 0, 10, …, 990), the MSE over all four people — 100 floats.

# %% tags=["provided"]
class NeuralNetwork_train_before:
    """The 2-2-1 gender network trained with one chain-rule line per parameter."""

    def __init__(self, params):
        self.w31, self.w32 = float(params["w31"]), float(params["w32"])
        self.w41, self.w42 = float(params["w41"]), float(params["w42"])
        self.w53, self.w54 = float(params["w53"]), float(params["w54"])
        self.b3, self.b4, self.b5 = float(params["b3"]), float(params["b4"]), float(params["b5"])

    def _forward(self, x1, x2):
        net3 = self.w31 * x1 + self.w32 * x2 + self.b3
        net4 = self.w41 * x1 + self.w42 * x2 + self.b4
        y3, y4 = sigmoid(net3), sigmoid(net4)
        net5 = self.w53 * y3 + self.w54 * y4 + self.b5
        y5 = sigmoid(net5)
        return net3, net4, net5, y3, y4, y5

    def feedforward(self, x):
        """x = [weight, height] of one person -> y5 (a float)."""
        return float(self._forward(float(x[0]), float(x[1]))[-1])

    def train(self, data, all_y_trues, learn_rate=0.1, epochs=1000, verbose=False):
        n = len(data)
        losses = []
        for epoch in range(epochs):
            for x, y_true in zip(data, all_y_trues):
                x1, x2, y_true = float(x[0]), float(x[1]), float(y_true)
                net3, net4, net5, y3, y4, y5 = self._forward(x1, x2)

                d_E_d_y5 = -2.0 / n * (y_true - y5)

                # Neuron 5
                d_y5_d_w53 = y3 * deriv_sigmoid(net5)
                d_y5_d_w54 = y4 * deriv_sigmoid(net5)
                d_y5_d_b5 = deriv_sigmoid(net5)
                d_y5_d_y3 = self.w53 * deriv_sigmoid(net5)
                d_y5_d_y4 = self.w54 * deriv_sigmoid(net5)

                # Neuron 3
                d_y3_d_w31 = x1 * deriv_sigmoid(net3)
                d_y3_d_w32 = x2 * deriv_sigmoid(net3)
                d_y3_d_b3 = deriv_sigmoid(net3)

                # Neuron 4
                d_y4_d_w41 = x1 * deriv_sigmoid(net4)
                d_y4_d_w42 = x2 * deriv_sigmoid(net4)
                d_y4_d_b4 = deriv_sigmoid(net4)

                # Update every parameter from the values before this step
                self.w31, self.w32, self.b3, self.w41, self.w42, self.b4, self.w53, self.w54, self.b5 = (
                    self.w31 - learn_rate * d_E_d_y5 * d_y5_d_y3 * d_y3_d_w31,
                    self.w32 - learn_rate * d_E_d_y5 * d_y5_d_y3 * d_y3_d_w32,
                    self.b3 - learn_rate * d_E_d_y5 * d_y5_d_y3 * d_y3_d_b3,
                    self.w41 - learn_rate * d_E_d_y5 * d_y5_d_y4 * d_y4_d_w41,
                    self.w42 - learn_rate * d_E_d_y5 * d_y5_d_y4 * d_y4_d_w42,
                    self.b4 - learn_rate * d_E_d_y5 * d_y5_d_y4 * d_y4_d_b4,
                    self.w53 - learn_rate * d_E_d_y5 * d_y5_d_w53,
                    self.w54 - learn_rate * d_E_d_y5 * d_y5_d_w54,
                    self.b5 - learn_rate * d_E_d_y5 * d_y5_d_b5,
                )

            if epoch % 10 == 0:
                y_preds = np.array([self.feedforward(x) for x in data])
                losses.append(float(mse_loss(np.asarray(all_y_trues, dtype=float), y_preds)))
                if verbose:
                    print("Epoch %d loss: %.3f" % (epoch, losses[-1]))
        return losses


# %% [markdown]
# ### Why zero mean is needed
#
# The course's per-weight program — `NeuralNetwork_train_before.res` in `lessons/3_derivation_3/src/exec/`
# of the course repository, the code the notes call 判断性别Demo的 `NeuralNetwork_train_before` —
# starts every parameter at 0.1 and trains on the raw data. The first loss it logs (it prints
# `loss:` every 10 epochs) is `0.2551368026612414`, and then the loss hardly moves from 0.25: every $net_3$, $net_4$ is
# about $0.1\cdot(50 + 150) = 20$ or more, $\sigma'(20) \approx 2\cdot10^{-9}$, so all hidden
# gradients vanish and the output can only learn the average label 0.5 (loss 0.25). On the
# zero-meaned data the same network learns.

# %%
raw_losses = NeuralNetwork_train_before(init_params(0.1)).train(data, all_y_trues)
print("raw data, all parameters 0.1: first loss %r, last %.6f" % (raw_losses[0], raw_losses[-1]))

centered_net = NeuralNetwork_train_before(init_params(0.1))
centered_losses = centered_net.train(data_centered, all_y_trues)
for epoch in range(0, 1000, 200):
    print("Epoch %d loss: %.3f" % (epoch, centered_losses[epoch // 10]))
for person, x in zip(inference_data, inference_centered):
    y5 = centered_net.feedforward(x)
    print(person, "->", "female" if y5 > 0.5 else "male", "(y5 = %.3f)" % y5)


# %% [markdown]
# ### Aside: three bugs in the course's original per-weight code
#
# The course's ReScript program for this version, `NeuralNetwork_train_before.res` (lesson 3, in
# `lessons/3_derivation_3/src/exec/` of https://github.com/yyc-git/DeepLearningEdu), has three
# slips that the demo never revealed:
#
# 1. **Feature/weight swap.** The neuron computes `height * weight1 + weight * weight2`, so
#    $w_{31}$ multiplies the height $x_2$ — but its gradient uses `d_y3_d_w31 = x1 * ...` with
#    $x_1$ the weight.
# 2. **$w_{32}$ updated from $w_{41}$.** The new value is `weight32: state.weight41 -. ...`.
# 3. **Swapped inputs at neuron 5.** Neuron 5 is fed `{weight: y3, height: y4}`, which with
#    slip 1 gives $net_5 = w_{53}y_4 + w_{54}y_3 + b_5$, while the gradient uses
#    $\partial y_5/\partial w_{53} = y_3\,\sigma'(net_5)$.
#
# They stayed hidden because the demo saturates: with all parameters 0.1 the swapped weights
# are equal (so swapping changes nothing, $w_{41} = w_{32}$ at first), and on the raw data the
# hidden gradients are ~$10^{-9}$, so the loss trace is the same 0.255 → 0.250 with or without
# the bugs. `NeuralNetwork_train_before` above is the corrected version. Lesson: a test that
# cannot fail does not test anything — compare against a second, independent computation
# (here: your vectorised version; in general, numerical gradients).

# %% [markdown]
# ## From per-weight gradients to error terms (误差项)
#
# **Why vectorise?** Look at the per-weight code again. Nine gradients, each a product of
# three or four factors, and most factors computed several times: $\partial E/\partial y_5 \cdot
# \sigma'(net_5)$ appears in all nine, $w_{53}\sigma'(net_5)\sigma'(net_3)$ in three. It is
# bloated, and worse: add a third hidden neuron and you must write new lines for
# $w_{61}, w_{62}, w_{56}, b_6$ by hand. We want code in which the number of neurons is a
# *parameter* (a shape), not something you rewrite. The answer is to vectorise (向量化) the
# gradients.
#
# **Reuse what is already computed.** Work from the back to the front: the factors for the
# output layer are computed first and then reused by the layer before it. The shared factor
# is the *error term* (误差项) of neuron $j$, the derivative of the loss with respect to the
# neuron's net input:
#
# $$
# \delta_j = \frac{\partial E}{\partial net_j} .
# $$
#
# **Output layer.** $E$ depends on $net_5$ only through $y_5$:
#
# $$
# \delta_5 = \frac{\partial E}{\partial y_5}\,\frac{\partial y_5}{\partial net_5}
#          = \frac{\partial E}{\partial y_5}\; y_5\,(1 - y_5)
#          = -\frac{2}{n}\,(t - y_5)\; y_5\,(1 - y_5) .
# $$
#
# **Hidden layer.** $net_j$ of a hidden neuron influences $E$ through every neuron $k$ it
# feeds, via $net_k = \dots + w_{kj}\,y_j + \dots$:
#
# $$
# \delta_j = \sum_k \frac{\partial E}{\partial net_k}\,\frac{\partial net_k}{\partial y_j}\,
#            \frac{\partial y_j}{\partial net_j}
#          = y_j\,(1 - y_j)\sum_k \delta_k\, w_{kj},
# \qquad\text{here}\quad \delta_3 = y_3(1-y_3)\,\delta_5 w_{53},\quad \delta_4 = y_4(1-y_4)\,\delta_5 w_{54} .
# $$
#
# **Gradients.** $net_j = \sum_i w_{ji} x_i + b_j$, where $x_i$ is the output of neuron $i$
# (the person's features for neurons 3 and 4; $y_3, y_4$ for neuron 5), so
#
# $$
# \frac{\partial E}{\partial w_{ji}} = \delta_j\, x_i ,\qquad
# \frac{\partial E}{\partial b_j} = \delta_j .
# $$
#
# For example $\partial E/\partial w_{31} = \delta_3 x_1$ and $\partial E/\partial w_{54} =
# \delta_5 y_4$ — expand $\delta_3$ and you get back exactly the per-weight chain above. The
# problem of finding gradients has become the problem of finding error terms.
#
# **Vectorised.** Collect each layer's weights in a matrix whose row $j$ holds the weights
# *into* neuron $j$ (so entry $(j, i)$ is $w_{ji}$), and the outputs and error terms in column
# vectors:
#
# $$
# W_\text{hidden} = \begin{pmatrix} w_{31} & w_{32}\\ w_{41} & w_{42}\end{pmatrix},\quad
# \mathbf b_\text{hidden} = \begin{pmatrix} b_3\\ b_4\end{pmatrix},\quad
# W_\text{out} = \begin{pmatrix} w_{53} & w_{54}\end{pmatrix},\quad
# \mathbf b_\text{out} = \begin{pmatrix} b_5\end{pmatrix},\quad
# \mathbf x = \begin{pmatrix} x_1\\ x_2\end{pmatrix}.
# $$
#
# Forward: $\mathbf y_\text{hidden} = \sigma(W_\text{hidden}\mathbf x + \mathbf b_\text{hidden})$,
# $\mathbf y_\text{out} = \sigma(W_\text{out}\mathbf y_\text{hidden} + \mathbf b_\text{out})$.
# Backward ($\circ$ is the elementwise product):
#
# $$
# \boldsymbol\delta_\text{out} = \frac{\partial E}{\partial \mathbf y_\text{out}} \circ
#     \mathbf y_\text{out}\circ(1 - \mathbf y_\text{out}),\qquad
# \boldsymbol\delta_\text{hidden} = \left(W_\text{out}^{\mathsf T}\,\boldsymbol\delta_\text{out}\right)
#     \circ \mathbf y_\text{hidden}\circ(1 - \mathbf y_\text{hidden}),
# $$
#
# $$
# \nabla W_\text{out} = \boldsymbol\delta_\text{out}\,\mathbf y_\text{hidden}^{\mathsf T},\quad
# \nabla \mathbf b_\text{out} = \boldsymbol\delta_\text{out},\qquad
# \nabla W_\text{hidden} = \boldsymbol\delta_\text{hidden}\,\mathbf x^{\mathsf T},\quad
# \nabla \mathbf b_\text{hidden} = \boldsymbol\delta_\text{hidden},
# $$
#
# and every matrix steps as $W \leftarrow W - \eta\,\nabla W$. The gradients are outer
# products (`np.outer`): entry $(j, i)$ of $\boldsymbol\delta\,\mathbf x^{\mathsf T}$ is
# $\delta_j x_i$. The same formulas hold, unchanged, for any number of hidden or output neurons.
#
# **Backpropagation (后向传播)**: first compute the output layer's error terms, then go back
# layer by layer, computing each layer's error terms from the next one's, down to the layer
# connected to the input; finally each layer's gradients follow from its error terms and its
# input.

# %% [markdown]
# ## Task 1 — `NeuralNetwork_train`: the demo's training, vectorised (4 points)
#
# Write the same network as `NeuralNetwork_train_before`, with matrices and error terms. The
# constructor is given: it copies the nine parameters into `W_hidden (2, 2)`, `b_hidden (2,)`,
# `W_out (1, 2)`, `b_out (1,)` laid out as above (it must not modify `params`). Implement
#
# - `feedforward(x)`: one person `x (2,)` → $y_5$ as a float (making a batch `(N, 2)` work too
#   is optional);
# - `train(data, all_y_trues, learn_rate=0.1, epochs=1000) -> losses`: per-sample SGD over the
#   people in array order. For each person: forward pass; $\boldsymbol\delta_\text{out}$ with
#   $\partial E/\partial y_5 = -\frac{2}{n}(t - y_5)$, $n$ = number of people; then
#   $\boldsymbol\delta_\text{hidden}$ (with $W_\text{out}$ from *before* the step); gradients as
#   outer products; update. After every epoch with `epoch % 10 == 0`, append the MSE over all
#   people (a float) to `losses`.
#
# **Check:** from the same `params`, your `losses` must equal those of
# `NeuralNetwork_train_before` to $10^{-12}$ (absolute) — the two are the same arithmetic in a
# different order. The course's check: all parameters 0.1 on the raw data give the first loss
# `0.2551368026612414`.

# %% answer="NeuralNetwork_train"
class NeuralNetwork_train:
    """The 2-2-1 gender network, trained with error terms and matrices."""

    def __init__(self, params):
        # Row j holds the weights into neuron j: W_hidden[0] = (w31, w32), W_hidden[1] = (w41, w42).
        self.W_hidden = np.array([[params["w31"], params["w32"]],
                                  [params["w41"], params["w42"]]], dtype=float)
        self.b_hidden = np.array([params["b3"], params["b4"]], dtype=float)
        self.W_out = np.array([[params["w53"], params["w54"]]], dtype=float)
        self.b_out = np.array([params["b5"]], dtype=float)

    def feedforward(self, x):
        """x: one person [weight, height], shape (2,). Returns y5 as a float.

        Rules: x must not be changed in place (a quarter of the task's points).
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def train(self, data, all_y_trues, learn_rate=0.1, epochs=1000):
        """Per-sample SGD with error terms.

        data: (n, 2) people, all_y_trues: (n,) labels (female 1, male 0).
        Returns losses: list of floats, the MSE over all people after every epoch with
        epoch % 10 == 0.

        Rules: data and all_y_trues must not be changed in place (a quarter of the task's
        points); the parameters are the object's own (W_hidden, ...) and are updated in place or
        replaced, as you like.
        """
        # YOUR CODE HERE
        raise NotImplementedError()


# %% test="NeuralNetwork_train"
from checks import check_NeuralNetwork_train
check_NeuralNetwork_train(NeuralNetwork_train, NeuralNetwork_train_before)


# %% [markdown]
# ## From a network to layers (全连接层)
#
# `NeuralNetwork_train` still knows it has exactly two layers. The course's next step is to cut
# the network into layers that each do one job and know nothing of each other, so that any
# network is a list of layers. Backpropagation then becomes: the loss gives
# $\partial E/\partial \mathbf y_\text{out}$, and each layer, from the last to the first, turns
# "derivative of $E$ with respect to my output" into "derivative of $E$ with respect to my input".
#
# From here on data comes in **row-major batches**: `x` has shape `(N, in_features)`, one person
# per row, as in assignment 01. A fully-connected layer computes
#
# $$
# \text{out} = x\,w + b,\qquad w\ (\text{in}, \text{out}),\ b\ (\text{out},),
# $$
#
# so its `w` is the *transpose* of the course's $W$: `w[i, j]` $= w_{ji}$. The layer's output
# is the net input of the next neurons, so the `delta` it receives in `backward` is exactly their
# error term $\boldsymbol\delta$ (one row per sample). For one sample the formulas above become
# rows: $\nabla w = x^{\mathsf T}\delta$ (the outer product, transposed), $\nabla b = \delta$,
# and what the layer passes back is $\delta\,w^{\mathsf T}$, whose entry $j$ is
# $\sum_k \delta_k w_{kj}$ — the sum in the hidden error term, before the factor
# $y_j(1-y_j)$. That factor is the job of `SigmoidLayer.backward`. With a batch of $N$ rows,
# $x^{\mathsf T}\delta$ already sums the $N$ outer products, and `db` is the sum of the rows of
# $\delta$: the gradient of the loss that produced `delta`.

# %% [markdown]
# ## Task 2 — `LinearLayer` (4 points)
#
# The constructor is given (weights from `rng`, biases 0; the tests may set `w` and `b`
# directly). Implement
#
# - `forward(x)`: `x (N, in)` → `x w + b`, shape `(N, out)`; keep what `backward` needs;
# - `backward(delta)`: `delta (N, out)` = $\partial E/\partial\,\text{out}$ → returns
#   `delta_in (N, in)` = $\partial E/\partial x$, and stores `self.dw (in, out)` and
#   `self.db (out,)`, both **summed over the batch**;
# - `update(lr)`: one SGD step, `w ← w − lr·dw`, `b ← b − lr·db`.
#
# The check compares `backward` with numerical gradients (central differences). The grader
# also builds the whole gender demo from your layers (next sections) and checks that it learns.

# %% answer="LinearLayer"
class LinearLayer:
    """Fully-connected layer: out = x @ w + b for a row-major batch x (N, in_features)."""

    def __init__(self, in_features, out_features, rng):
        self.w = rng.standard_normal((in_features, out_features))
        self.b = np.zeros(out_features)
        self.dw = None
        self.db = None

    def forward(self, x):
        """x: (N, in_features). Returns out = x @ w + b, shape (N, out_features).

        Rules: x must not be changed in place (keeping a reference to it is fine).
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, delta):
        """delta: dE/d(out), shape (N, out_features).

        Stores self.dw (in_features, out_features) and self.db (out_features,), summed over
        the batch. Returns delta_in = dE/dx, shape (N, in_features).

        Rules: delta (and the x kept by forward) must not be changed in place (a quarter of the
        task's points); dw and db have exactly these shapes (db is (out_features,), not
        (1, out_features)).
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def update(self, lr):
        """One SGD step on w and b with the gradients of the last backward.

        w and b are the layer's own: update them in place or replace them, as you like.
        """
        # YOUR CODE HERE
        raise NotImplementedError()


# %% test="LinearLayer"
from checks import check_LinearLayer
check_LinearLayer(LinearLayer)


# %% [markdown]
# ## Task 3 — `SigmoidLayer` (1 point)
#
# The activation as a layer: `forward(x)` returns $y = \sigma(x)$ elementwise (any shape);
# `backward(delta)` gets $\partial E/\partial y$ and returns $\partial E/\partial x = $
# `delta` $\circ\, y(1-y)$. Together with `LinearLayer.backward` this is the hidden error term
# $\boldsymbol\delta_\text{hidden} = (W_\text{out}^{\mathsf T}\boldsymbol\delta_\text{out})\circ
# \mathbf y(1-\mathbf y)$, split in two.

# %% answer="SigmoidLayer"
class SigmoidLayer:
    """Elementwise sigmoid activation."""

    def forward(self, x):
        """x: any shape. Returns sigmoid(x), same shape.

        Rules: x must not be changed in place (a quarter of the task's points).
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, delta):
        """delta: dE/dy, same shape as the last forward's output. Returns dE/dx, same shape.

        Rules: delta must not be changed in place (a quarter of the task's points).
        """
        # YOUR CODE HERE
        raise NotImplementedError()


# %% test="SigmoidLayer"
from checks import check_SigmoidLayer
check_SigmoidLayer(SigmoidLayer)


# %% [markdown]
# ## Task 4 — `MSELoss` (1 point)
#
# The loss function as a layer. `forward(y_pred, y_true)` (same shapes) returns the mean of the
# squared differences over **all** entries; `backward()` returns its exact gradient with
# respect to `y_pred`:
#
# $$
# L = \frac{1}{m}\sum (y_\text{pred} - y_\text{true})^2,\qquad
# \frac{\partial L}{\partial y_\text{pred}} = \frac{2}{m}\,(y_\text{pred} - y_\text{true}) ,
# $$
#
# where $m$ is the number of entries, `y_pred.size`.
#
# (The course's $\partial E/\partial y_5 = -\frac2n(t - y_5)$ is the same thing for one person,
# whose share of the MSE over $n$ people is $\frac1n(t-y_5)^2$.)

# %% answer="MSELoss"
class MSELoss:
    """Mean squared error as a layer."""

    def forward(self, y_pred, y_true):
        """y_pred, y_true: arrays of the same shape. Returns mean((y_pred - y_true)**2).

        The loss may be a Python float or a 0-d array. Rules: y_pred and y_true must not be
        changed in place (a quarter of the task's points).
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self):
        """Returns dL/d(y_pred) for the last forward, a float64 array of y_pred's shape."""
        # YOUR CODE HERE
        raise NotImplementedError()


# %% test="MSELoss"
from checks import check_MSELoss
check_MSELoss(MSELoss)


# %% [markdown]
# ## The gender demo rebuilt from layers
#
# The course's final test: the demo network as `Linear(2, 2) → Sigmoid → Linear(2, 1) →
# Sigmoid`, trained per sample in array order on the zero-meaned data with learning rate 0.1
# for 1000 epochs, must converge and classify both inference people correctly.
#
# `MSELoss` on one person gives $(y_5 - t)^2$, whose gradient is $n$ times the course's step
# $-\frac2n(t - y_5)$ (the person's share of the MSE over all $n$ people). So the training loop
# divides `loss.backward()` by $n$: then each step is *exactly* the step of
# `NeuralNetwork_train`. We also start from the same nine parameters (copied into the layers'
# `w`, `b` — note the transposes), so the layer-built network must reproduce your
# `NeuralNetwork_train` loss trace up to rounding. The grader runs this demo from your classes
# with parameters of its own, and requires a final logged loss below 0.02 and both inference
# people classified correctly ($y_5 > 0.5$ → female). Nothing in this section needs editing.

# %%
def train_layers(layers, loss, data, all_y_trues, learn_rate=0.1, epochs=1000):
    """Per-sample SGD over a list of layers; returns the MSE over all people every 10 epochs."""
    def predict(x):
        for layer in layers:
            x = layer.forward(x)
        return x

    n = len(data)
    targets = np.asarray(all_y_trues, dtype=float).reshape(-1, 1)
    losses = []
    for epoch in range(epochs):
        for i in range(n):
            loss.forward(predict(data[i:i + 1]), targets[i:i + 1])
            delta = loss.backward() / n          # the course's dE/dy5 = -2/n (t - y5)
            for layer in reversed(layers):       # backpropagation: from the output back
                delta = layer.backward(delta)
            for layer in layers:
                if hasattr(layer, "update"):
                    layer.update(learn_rate)
        if epoch % 10 == 0:
            losses.append(float(loss.forward(predict(data), targets)))
    return losses, predict


params = init_params(rng=np.random.default_rng(2))
rng = np.random.default_rng(0)
layers = [LinearLayer(2, 2, rng), SigmoidLayer(), LinearLayer(2, 1, rng), SigmoidLayer()]
layers[0].w = np.array([[params["w31"], params["w41"]], [params["w32"], params["w42"]]])
layers[0].b = np.array([params["b3"], params["b4"]])
layers[2].w = np.array([[params["w53"]], [params["w54"]]])
layers[2].b = np.array([params["b5"]])

layer_losses, predict = train_layers(layers, MSELoss(), data_centered, all_y_trues)
for epoch in range(0, 1000, 100):
    print("Epoch %d loss: %.3f" % (epoch, layer_losses[epoch // 10]))

vector_losses = NeuralNetwork_train(params).train(data_centered, all_y_trues)
print("largest difference from NeuralNetwork_train's losses: %.2e"
      % np.max(np.abs(np.array(layer_losses) - np.array(vector_losses))))

predictions = predict(inference_centered)[:, 0]
for person, y5 in zip(inference_data, predictions):
    print(person, "->", "female" if y5 > 0.5 else "male", "(y5 = %.3f)" % y5)

from checks import check_layer_demo
check_layer_demo(layer_losses, predictions, inference_y_trues)

# %% [markdown]
# ## Summary (总结)
#
# - Per-weight gradients repeat the same factors and must be rewritten whenever the network
#   changes; vectorising (向量化) them with error terms fixes both.
# - The error term (误差项) of neuron $j$ is $\delta_j = \partial E/\partial net_j$. Output layer:
#   $\delta = \frac{\partial E}{\partial y}\,y(1-y)$. Hidden layer:
#   $\delta_j = y_j(1-y_j)\sum_k \delta_k w_{kj}$, or $(W^{\mathsf T}\boldsymbol\delta)\circ
#   \mathbf y(1-\mathbf y)$. Gradient: $\partial E/\partial w_{ji} = \delta_j x_i$, an outer
#   product for a whole layer.
# - Finding gradients is therefore finding error terms; backpropagation (后向传播) computes them
#   from the output layer backwards, then each layer's gradients from its error terms and its
#   input.
# - Split into layers, the same algorithm is: each layer maps $\partial E/\partial\text{output}$
#   to $\partial E/\partial\text{input}$ and keeps the gradients of its own parameters.
