"""Visible checks for assignment 01_fc_layer (the fully-connected layer, 全连接层).

Each ``check_*`` prints one line starting with ✓ when it passes; when it does not, it ends in one
sentence saying what is wrong and where to look (see checking.py). The only fixed numbers in
this file are the course's worked example (the values printed in the course notes).
"""
import numpy as np

from checking import (IN_PLACE_COST, Handed, as_array, call, checker, compare, dependency_first, expect_shape,
                      fail, mistake, returned)
from gradient_check import numerical_gradient_array

# ---------------------------------------------------------------------------------------------
# The course's worked example (section 4 of its fully-connected layer post), exactly as printed there.
SEED_X = np.arange(1, 11, dtype=np.float64).reshape(2, 5)
SEED_W = np.array([
    [-2.02246258e-04, -2.86134686e-05, 5.67536552e-05],
    [-2.65147732e-05, 3.46693399e-05, -4.84865213e-05],
    [-8.56741462e-05, -1.36582254e-04, -1.63278178e-04],
    [7.67300884e-05, 4.15051110e-05, 3.05435127e-05],
    [2.03954211e-05, 7.60062287e-05, -2.58280679e-04],
])
SEED_B = np.zeros(3)
SEED_DOUT = np.arange(0, 1.2, 0.2).reshape(2, 3)  # the course calls this upstream gradient `loss`
SEED_LR = 0.01
# printed by the course's forward cell
SEED_OUT = np.array([[-0.0001034, 0.00017703, -0.00169928],
                     [-0.00118995, 0.00011195, -0.00361302]])
# one step of the course's update cell (W's first row, and b)
ONE_STEP_W0 = np.array([-0.03620225, -0.05002861, -0.06394325])
ONE_STEP_B = np.array([-0.006, -0.01, -0.014])
# printed by the course's backward cell -- after that cell had been run five times
FIVE_RUNS_RESIDUAL_X = np.array([
    [-0.14238302, -0.17281246, -0.20329263, -0.23357948, -0.26408811],
    [-0.50248748, -0.60483666, -0.70752395, -0.80949021, -0.91218524],
])
FIVE_RUNS_W = np.array([
    [-0.18020225, -0.25002861, -0.31994325],
    [-0.21002651, -0.29996533, -0.39004849],
    [-0.24008567, -0.35013658, -0.46016328],
    [-0.26992327, -0.39995849, -0.52996946],
    [-0.2999796, -0.44992399, -0.60025828],
])
FIVE_RUNS_B = np.array([-0.03, -0.05, -0.07])
PRINTED = 5.5e-9  # the course prints 8 decimals: half a unit in the last place, plus rounding slack
# ---------------------------------------------------------------------------------------------


TASKS = ["fc_forward", "fc_backward", "sgd_step"]
check = checker(TASKS)
BIAS_MISSING = ("is 0 where it should be the bias (偏置) b: with x = 0 nothing but b is left, so b is "
                "not added. Add b (shape (M,)) to every row of x·w")


def _printed_match(actual, printed):
    return actual.shape == printed.shape and bool(np.all(np.abs(actual - printed) <= PRINTED))


def _call_forward(fc_forward, x, w, b):
    out, cache = returned(call("fc_forward", fc_forward, x, w, b), "fc_forward", ("out", "cache"))
    return as_array(out, "out", "fc_forward"), cache


def _call_backward(fc_backward, dout, cache):
    grads = returned(call("fc_backward", fc_backward, dout, cache), "fc_backward", ("dx", "dw", "db"))
    return tuple(as_array(g, n, "fc_backward") for g, n in zip(grads, ("dx", "dw", "db")))


def _forward_problems(fc_forward):
    """Run the forward checks; raise CheckFailed with the first problem found."""
    rng = np.random.default_rng(101)
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    out, _ = _call_forward(fc_forward, x, w, b)   # on copies: fails if fc_forward changes one
    expect_shape("fc_forward", "out", out, (3, 5), "x of shape (3, 4), w (4, 5) and b (5,)",
                 "(N, M): one row per sample, one column per output unit — look at the order of the "
                 "matrix product x·w")
    if not np.all(np.isfinite(out)):
        fail("`out` contains NaN or inf for ordinary random inputs.")

    out0, _ = _call_forward(fc_forward, np.zeros((3, 4)), w, b)
    compare("fc_forward", "out", out0, np.broadcast_to(b, (3, 5)), "x = 0",
            "With x = 0 every row of `out` should be the bias b itself: b has shape (M,) and is added "
            "to every sample's row (broadcast over the batch).", against="the bias b in every row",
            alternatives=[(BIAS_MISSING, np.zeros((3, 5)))], rtol=1e-12, atol=1e-12)

    out1, _ = _call_forward(fc_forward, x[:1], w, b)
    expect_shape("fc_forward", "out", out1, (1, 5), "a batch of one sample, x of shape (1, 4)",
                 "(1, 5): keep the batch axis even when N = 1")

    out_seed, _ = _call_forward(fc_forward, SEED_X, SEED_W, SEED_B)
    if not _printed_match(out_seed, SEED_OUT):
        where = ""
        if out_seed.shape == SEED_OUT.shape:
            i, j = np.unravel_index(np.argmax(np.abs(out_seed - SEED_OUT)), SEED_OUT.shape)
            where = (f" The largest difference is at out[{i}, {j}]: you give {out_seed[i, j]:.8f}, "
                     f"the course printed {SEED_OUT[i, j]:.8f}.")
        fail("On the course's worked example (x = 1..10 as 2×5, the course's w, b = 0) `out` does "
             "not match the output printed there." + where +
             " out[i, j] is sample i (row i of x) dotted with column j of w, plus b[j].")


@check
def check_fc_forward(fc_forward):
    """Shapes, the bias, a batch of one, inputs untouched, and the course's printed forward output."""
    _forward_problems(fc_forward)
    print("✓ fc_forward: shapes, bias, batch of 1 and the course's worked example "
          "(out matches the printed [[-0.0001034 0.00017703 -0.00169928] ...]) are right.")


@check
def check_fc_backward(fc_forward, fc_backward):
    """Shapes and numerical gradients of dx, dw, db (using your own fc_forward's cache)."""
    dependency_first(check_fc_forward, (fc_forward,), "fc_backward", "fc_forward", TASKS)

    for seed, (N, D, M) in ((7, (4, 5, 3)), (8, (1, 3, 2)), (9, (5, 1, 4))):
        rng = np.random.default_rng(seed)
        x, w, b = rng.standard_normal((N, D)), rng.standard_normal((D, M)), rng.standard_normal(M)
        dout = rng.standard_normal((N, M))
        given = Handed(x=x, w=w, b=b, dout=dout)
        _, cache = returned(fc_forward(given.x, given.w, given.b), "fc_forward", ("out", "cache"))
        grads = returned(fc_backward(given.dout, cache), "fc_backward", ("dx", "dw", "db"))
        given.check("fc_backward")   # dout, and x, w, b kept in the cache

        numeric = {
            "dx": numerical_gradient_array(lambda v: _call_forward(fc_forward, v, w, b)[0], x.copy(), dout),
            "dw": numerical_gradient_array(lambda v: _call_forward(fc_forward, x, v, b)[0], w.copy(), dout),
            "db": numerical_gradient_array(lambda v: _call_forward(fc_forward, x, w, v)[0], b.copy(), dout),
        }
        shape_hints = {
            "dx": "x (N, D): the gradient passed back to the previous layer, Bottom_diff = Top_diff·Wᵀ",
            "dw": "w (D, M): weight_diff = Bottom_dataᵀ·Top_diff; check which matrix is transposed and "
                  "the order of the product",
            "db": "b (M,): one number per output unit, dout added up over the batch (cᵀ·Top_diff with c a "
                  "column of ones)",
        }
        derivation = {
            "dx": "∂loss/∂x_k = Σ_j ∂loss/∂a_j · w_kj (notebook section 2.1), for every sample of the batch",
            "dw": "∂loss/∂w_kj = ∂loss/∂a_j · x_k, added up over the samples of the batch (notebook section 2.2)",
            "db": "∂a_j/∂b_j = 1, so db is dout added up over the batch, axis 0 (notebook section 2.3)",
        }
        for name, grad in zip(("dx", "dw", "db"), grads):
            compare("fc_backward", name, grad, numeric[name], f"N={N}, D={D}, M={M}",
                    f"Look at the derivation: {derivation[name]}.", batch=N, shape_hint=shape_hints[name])
    print("✓ fc_backward: dx, dw, db have the right shapes and match numerical gradients "
          "(batches of 4, 1 and 5; D = 1 included), and the inputs are left untouched.")


@check
def check_sgd_step(sgd_step):
    """A new array, param untouched, and one step of the course's update cell."""
    rng = np.random.default_rng(3)
    param, grad = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    given = Handed(param=param, grad=grad)
    new = sgd_step(given.param, given.grad, 0.1)
    if new is given.param or (isinstance(new, np.ndarray) and np.shares_memory(new, given.param)):
        fail("`sgd_step` returned `param` itself (or a view of it). Return a NEW array: an in-place "
             "update such as `param -= ...` changes the caller's array -- exactly what made the course's "
             f"printed W the result of five updates instead of one -- and {IN_PLACE_COST}.")
    given.check("sgd_step")
    new = as_array(new, "new_param", "sgd_step")
    expect_shape("sgd_step", "new_param", new, param.shape, f"param of shape {param.shape}",
                 "param: the updated parameter has the same shape as the old one")
    same = as_array(call("sgd_step", sgd_step, param, grad, 0.0), "new_param", "sgd_step")
    if not np.allclose(same, param, rtol=0, atol=1e-15):
        fail("With learning rate 0, sgd_step should return param unchanged; the step is the "
             "learning rate times the gradient.")
    step = new - param
    phrase = mistake(step, -0.1 * grad, against="the step −lr·grad")
    if phrase:
        fail(f"The step new_param − param of `sgd_step` {phrase}. The step is param − lr·grad.")
    if not np.all(np.sign(step) == -np.sign(grad)):
        fail("sgd_step should move every entry AGAINST its gradient (gradient descent): where "
             "grad is positive the parameter must decrease.")

    # The course's update cell, run once: its gradients are x.T.dot(loss) and np.sum(loss, axis=0).
    w1 = as_array(call("sgd_step", sgd_step, SEED_W, SEED_X.T.dot(SEED_DOUT), SEED_LR), "new_param", "sgd_step")
    b1 = as_array(call("sgd_step", sgd_step, SEED_B, np.sum(SEED_DOUT, axis=0), SEED_LR), "new_param", "sgd_step")
    if w1.shape != SEED_W.shape or not _printed_match(w1[0], ONE_STEP_W0):
        fail(f"One step of the course's example (lr = 0.01) should give W[0] = "
             f"{ONE_STEP_W0.tolist()}, yours gives {np.round(w1[0], 8).tolist() if w1.ndim == 2 else w1}. "
             f"The step is param − lr·grad.")
    if not _printed_match(b1, ONE_STEP_B):
        fail(f"One step of the course's example (lr = 0.01) should give b = {ONE_STEP_B.tolist()}, "
             f"yours gives {np.round(b1, 8).tolist()}. The step is param − lr·grad.")
    print("✓ sgd_step: returns a new array, leaves param alone, and one step of the course's "
          "example gives W[0] = [-0.03620225 -0.05002861 -0.06394325], b = [-0.006 -0.01 -0.014].")


@check
def check_seed_rerun(fc_forward, fc_backward, sgd_step):
    """Run the course's backward/update cell five times with your functions, as its author did."""
    w, b = SEED_W.copy(), SEED_B.copy()
    for _ in range(5):
        _, cache = _call_forward(fc_forward, SEED_X, w, b)
        residual_x, dw, db = _call_backward(fc_backward, SEED_DOUT, cache)
        w = as_array(call("sgd_step", sgd_step, w, dw, SEED_LR), "new_param", "sgd_step")
        b = as_array(call("sgd_step", sgd_step, b, db, SEED_LR), "new_param", "sgd_step")
    for name, mine, printed in (("residual_x (dx of the fifth run)", residual_x, FIVE_RUNS_RESIDUAL_X),
                                ("W", w, FIVE_RUNS_W), ("b", b, FIVE_RUNS_B)):
        if not _printed_match(mine, printed):
            fail(f"After five runs of the course's cell, {name} does not match what the course printed. "
                 f"Run check_fc_forward, check_fc_backward and check_sgd_step first.")
    print("✓ five runs of the course's update cell reproduce its printed residual_x, W and b.")
