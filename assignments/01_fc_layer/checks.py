"""Visible checks for assignment 01_fc_layer (the fully-connected layer, 全连接层).

Each ``check_*`` prints one line starting with ✓ when it passes, and raises AssertionError with
a sentence saying what is wrong and where to look when it does not. The only fixed numbers in
this file are the seed's worked example (the blog post's printed values).
"""
import numpy as np

from gradient_check import numerical_gradient_array, rel_error

# ---------------------------------------------------------------------------------------------
# The seed's worked example (section 4 of the blog post), exactly as printed there.
SEED_X = np.arange(1, 11, dtype=np.float64).reshape(2, 5)
SEED_W = np.array([
    [-2.02246258e-04, -2.86134686e-05, 5.67536552e-05],
    [-2.65147732e-05, 3.46693399e-05, -4.84865213e-05],
    [-8.56741462e-05, -1.36582254e-04, -1.63278178e-04],
    [7.67300884e-05, 4.15051110e-05, 3.05435127e-05],
    [2.03954211e-05, 7.60062287e-05, -2.58280679e-04],
])
SEED_B = np.zeros(3)
SEED_DOUT = np.arange(0, 1.2, 0.2).reshape(2, 3)  # the seed calls this upstream gradient `loss`
SEED_LR = 0.01
# printed by the seed's forward cell
SEED_OUT = np.array([[-0.0001034, 0.00017703, -0.00169928],
                     [-0.00118995, 0.00011195, -0.00361302]])
# one step of the seed's update cell (W's first row, and b)
ONE_STEP_W0 = np.array([-0.03620225, -0.05002861, -0.06394325])
ONE_STEP_B = np.array([-0.006, -0.01, -0.014])
# printed by the seed's backward cell -- after that cell had been run five times
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
PRINTED = 5.5e-9  # the seed prints 8 decimals: half a unit in the last place, plus rounding slack
# ---------------------------------------------------------------------------------------------


def _fail(message):
    raise AssertionError(message)


def _as_array(value, name, function):
    try:
        return np.asarray(value, dtype=np.float64)
    except Exception:
        _fail(f"{function} returned something for `{name}` that is not a numeric array "
              f"({type(value).__name__}); return a numpy array.")


def _printed_match(actual, printed):
    return actual.shape == printed.shape and bool(np.all(np.abs(actual - printed) <= PRINTED))


def _call_forward(fc_forward, x, w, b):
    returned = fc_forward(x, w, b)
    if not isinstance(returned, (tuple, list)) or len(returned) != 2:
        _fail("fc_forward should return a pair `(out, cache)`: the output and whatever "
              "fc_backward needs later (for example `(x, w, b)`).")
    return _as_array(returned[0], "out", "fc_forward"), returned[1]


def _call_backward(fc_backward, dout, cache):
    returned = fc_backward(dout, cache)
    if not isinstance(returned, (tuple, list)) or len(returned) != 3:
        _fail("fc_backward should return three gradients `(dx, dw, db)`, in the order of "
              "fc_forward's inputs.")
    return tuple(_as_array(g, n, "fc_backward") for g, n in zip(returned, ("dx", "dw", "db")))


def _forward_problems(fc_forward):
    """Run the forward checks; raise AssertionError with the first problem found."""
    rng = np.random.default_rng(101)
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    copies = x.copy(), w.copy(), b.copy()
    out, _ = _call_forward(fc_forward, x, w, b)
    if out.shape != (3, 5):
        _fail(f"For x of shape (3, 4), w of shape (4, 5) and b of shape (5,), `out` has shape "
              f"{out.shape}; it should be (N, M) = (3, 5): one row per sample, one column per "
              f"output unit. Look at the order of the matrix product x·w.")
    for name, before, now in zip("xwb", copies, (x, w, b)):
        if not np.array_equal(before, now):
            _fail(f"fc_forward changed its input `{name}` in place; compute `out` into a new "
                  f"array and leave the inputs as they were.")
    if not np.all(np.isfinite(out)):
        _fail("`out` contains NaN or inf for ordinary random inputs.")

    out0, _ = _call_forward(fc_forward, np.zeros((3, 4)), w, b)
    if out0.shape != (3, 5) or not np.allclose(out0, np.broadcast_to(b, (3, 5)), rtol=1e-12, atol=1e-12):
        _fail("With x = 0 every row of `out` should be the bias (偏置) b itself: b has shape (M,) "
              "and is added to every sample's row (broadcast over the batch).")

    out1, _ = _call_forward(fc_forward, x[:1].copy(), w, b)
    if out1.shape != (1, 5):
        _fail(f"For a batch of one sample, x of shape (1, 4), `out` has shape {out1.shape}; it "
              f"should be (1, 5). Keep the batch axis even when N = 1.")

    out_seed, _ = _call_forward(fc_forward, SEED_X.copy(), SEED_W.copy(), SEED_B.copy())
    if not _printed_match(out_seed, SEED_OUT):
        where = ""
        if out_seed.shape == SEED_OUT.shape:
            i, j = np.unravel_index(np.argmax(np.abs(out_seed - SEED_OUT)), SEED_OUT.shape)
            where = (f" The largest difference is at out[{i}, {j}]: you give {out_seed[i, j]:.8f}, "
                     f"the seed printed {SEED_OUT[i, j]:.8f}.")
        _fail("On the seed's worked example (x = 1..10 as 2×5, the seed's w, b = 0) `out` does "
              "not match the output printed in the seed." + where +
              " out[i, j] is sample i (row i of x) dotted with column j of w, plus b[j].")


def check_fc_forward(fc_forward):
    """Shapes, the bias, a batch of one, and the seed's printed forward output."""
    _forward_problems(fc_forward)
    print("✓ fc_forward: shapes, bias, batch of 1 and the seed's worked example "
          "(out matches the printed [[-0.0001034 0.00017703 -0.00169928] ...]) are right.")


def check_fc_backward(fc_forward, fc_backward):
    """Shapes and numerical gradients of dx, dw, db (using your own fc_forward's cache)."""
    try:
        _forward_problems(fc_forward)
    except AssertionError as problem:
        _fail("fc_backward is checked with numerical gradients of your fc_forward, which does not "
              f"pass its own check yet. Fix fc_forward first: {problem}")

    for seed, (N, D, M) in ((7, (4, 5, 3)), (8, (1, 3, 2)), (9, (5, 1, 4))):
        rng = np.random.default_rng(seed)
        x, w, b = rng.standard_normal((N, D)), rng.standard_normal((D, M)), rng.standard_normal(M)
        dout = rng.standard_normal((N, M))
        dout_before = dout.copy()
        _, cache = _call_forward(fc_forward, x, w, b)
        dx, dw, db = _call_backward(fc_backward, dout, cache)
        if not np.array_equal(dout, dout_before):
            _fail("fc_backward changed `dout` in place; compute the gradients into new arrays.")
        shape_hints = {
            "dx": (x.shape, "the shape of x (N, D): the gradient passed back to the previous layer, "
                            "Bottom_diff = Top_diff·Wᵀ"),
            "dw": (w.shape, "the shape of w (D, M): weight_diff = Bottom_dataᵀ·Top_diff; check "
                            "which matrix is transposed and the order of the product"),
            "db": (b.shape, "the shape of b (M,): one number per output unit, dout added up over "
                            "the batch (cᵀ·Top_diff with c a column of ones)"),
        }
        for name, grad in zip(("dx", "dw", "db"), (dx, dw, db)):
            want, hint = shape_hints[name]
            if grad.shape != want:
                _fail(f"With N={N}, D={D}, M={M}, `{name}` has shape {grad.shape}; it should have "
                      f"{hint}, i.e. {want}.")

        numeric = {
            "dx": numerical_gradient_array(lambda v: _call_forward(fc_forward, v, w, b)[0], x.copy(), dout),
            "dw": numerical_gradient_array(lambda v: _call_forward(fc_forward, x, v, b)[0], w.copy(), dout),
            "db": numerical_gradient_array(lambda v: _call_forward(fc_forward, x, w, v)[0], b.copy(), dout),
        }
        derivation = {
            "dx": "∂loss/∂x_k = Σ_j ∂loss/∂a_j · w_kj (notebook section 2.1), for every sample of the batch",
            "dw": "∂loss/∂w_kj = ∂loss/∂a_j · x_k, added up over the samples of the batch (notebook section 2.2)",
            "db": "∂a_j/∂b_j = 1, so db is dout added up over the batch, axis 0 (notebook section 2.3)",
        }
        for name, grad in zip(("dx", "dw", "db"), (dx, dw, db)):
            error = rel_error(grad, numeric[name])
            if not np.all(np.isfinite(grad)) or error > 1e-6:
                _fail(f"With N={N}, D={D}, M={M}, `{name}` does not match the numerical gradient "
                      f"(relative error {error:.2g}, should be below 1e-6). Look at the derivation: "
                      f"{derivation[name]}.")
    print("✓ fc_backward: dx, dw, db have the right shapes and match numerical gradients "
          "(batches of 4, 1 and 5; D = 1 included).")


def check_sgd_step(sgd_step):
    """A new array, param untouched, and one step of the seed's update cell."""
    rng = np.random.default_rng(3)
    param, grad = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    param_before, grad_before = param.copy(), grad.copy()
    new = sgd_step(param, grad, 0.1)
    if new is param or (isinstance(new, np.ndarray) and np.shares_memory(new, param)):
        _fail("sgd_step returned `param` itself (or a view of it). Return a NEW array: an "
              "in-place update such as `param -= ...` changes the caller's array -- exactly what "
              "made the seed's printed W the result of five updates instead of one.")
    if not np.array_equal(param, param_before):
        _fail("sgd_step changed `param` in place. Leave `param` untouched and return the updated "
              "values as a new array.")
    if not np.array_equal(grad, grad_before):
        _fail("sgd_step changed `grad`; it should only read it.")
    new = _as_array(new, "new_param", "sgd_step")
    if new.shape != param.shape:
        _fail(f"sgd_step returned shape {new.shape} for a param of shape {param.shape}; the "
              f"updated parameter has the same shape as the old one.")
    same = _as_array(sgd_step(param, grad, 0.0), "new_param", "sgd_step")
    if not np.allclose(same, param, rtol=0, atol=1e-15):
        _fail("With learning rate 0, sgd_step should return param unchanged; the step is the "
              "learning rate times the gradient.")
    if not np.all(np.sign(new - param) == -np.sign(grad)):
        _fail("sgd_step should move every entry AGAINST its gradient (gradient descent): where "
              "grad is positive the parameter must decrease.")

    # The seed's update cell, run once: its gradients are x.T.dot(loss) and np.sum(loss, axis=0).
    w1 = _as_array(sgd_step(SEED_W.copy(), SEED_X.T.dot(SEED_DOUT), SEED_LR), "new_param", "sgd_step")
    b1 = _as_array(sgd_step(SEED_B.copy(), np.sum(SEED_DOUT, axis=0), SEED_LR), "new_param", "sgd_step")
    if w1.shape != SEED_W.shape or not _printed_match(w1[0], ONE_STEP_W0):
        _fail(f"One step of the seed's example (lr = 0.01) should give W[0] = "
              f"{ONE_STEP_W0.tolist()}, yours gives {np.round(w1[0], 8).tolist() if w1.ndim == 2 else w1}. "
              f"The step is param − lr·grad.")
    if not _printed_match(b1, ONE_STEP_B):
        _fail(f"One step of the seed's example (lr = 0.01) should give b = {ONE_STEP_B.tolist()}, "
              f"yours gives {np.round(b1, 8).tolist()}. The step is param − lr·grad.")
    print("✓ sgd_step: returns a new array, leaves param alone, and one step of the seed's "
          "example gives W[0] = [-0.03620225 -0.05002861 -0.06394325], b = [-0.006 -0.01 -0.014].")


def check_seed_rerun(fc_forward, fc_backward, sgd_step):
    """Run the seed's backward/update cell five times with your functions, as its author did."""
    w, b = SEED_W.copy(), SEED_B.copy()
    for _ in range(5):
        _, cache = _call_forward(fc_forward, SEED_X.copy(), w, b)
        residual_x, dw, db = _call_backward(fc_backward, SEED_DOUT.copy(), cache)
        w = _as_array(sgd_step(w, dw, SEED_LR), "new_param", "sgd_step")
        b = _as_array(sgd_step(b, db, SEED_LR), "new_param", "sgd_step")
    for name, mine, printed in (("residual_x (dx of the fifth run)", residual_x, FIVE_RUNS_RESIDUAL_X),
                                ("W", w, FIVE_RUNS_W), ("b", b, FIVE_RUNS_B)):
        if not _printed_match(mine, printed):
            _fail(f"After five runs of the seed's cell, {name} does not match what the seed printed. "
                  f"Run check_fc_forward, check_fc_backward and check_sgd_step first.")
    print("✓ five runs of the seed's update cell reproduce its printed residual_x, W and b.")
