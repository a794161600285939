"""The visible checks (assignments/<slug>/checks.py): the reference passes them, and planted mistakes
end in one sentence naming the mistake, without a traceback through the checker's internals."""
import contextlib
import importlib.util
import io
import os
import re
import sys
import textwrap

import numpy as np
import pytest

from autograder import paths
from autograder.reference import reference_namespace

HELPERS = ("checks", "checking", "gradient_check", "idx")
INTERNALS = re.compile(r"Traceback|checks\.py|checking\.py|gradient_check\.py|_check_batch|_compare_gradient|"
                       r"compare_gradient|_fail\b|\bfail\(|_forward_problems|_earlier_first")


@contextlib.contextmanager
def assignment(slug):
    """Import the assignment's checks.py as a notebook would: its folder on sys.path and as cwd."""
    folder = paths.ASSIGNMENTS / slug
    saved = {name: sys.modules.pop(name) for name in HELPERS if name in sys.modules}
    old_cwd = os.getcwd()
    sys.path.insert(0, str(folder))
    os.chdir(folder)
    try:
        spec = importlib.util.spec_from_file_location("checks", folder / "checks.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["checks"] = module
        spec.loader.exec_module(module)
        yield module
    finally:
        os.chdir(old_cwd)
        sys.path.remove(str(folder))
        for name in HELPERS:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


_REFERENCES = {}


def reference(slug):
    if slug not in _REFERENCES:
        _REFERENCES[slug] = reference_namespace(slug)
    return _REFERENCES[slug]


def _notebook_values(slug):
    """Values the notebook computes in cells that are neither provided nor answers."""
    if slug == "04_fully_connected_net":
        digits = np.load(paths.ASSIGNMENTS / slug / "digits_small.npz")
        return {"X_train": digits["X_train"] / 16.0, "y_train": digits["y_train"].astype(np.int64)}
    if slug == "02_gender_demo":  # the cell that trains the layer-built demo, without its check
        import jupytext
        cell = next(c.source for c in jupytext.read(paths.notebook_source(slug)).cells
                    if c.cell_type == "code" and "check_layer_demo(" in c.source)
        code = "\n".join(line for line in cell.splitlines() if "check" not in line)
        space = dict(reference(slug))
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, space)
        return {"losses": space["layer_losses"], "predictions": space["predictions"]}
    return {}


def namespace(slug, planted=""):
    """The reference namespace with ``planted`` (student code) executed on top of it, as a notebook
    would define it: the functions' globals are this namespace."""
    space = dict(reference(slug))
    space.update(_notebook_values(slug))
    exec(compile(textwrap.dedent(planted), "<student cell>", "exec"), space)
    return space


def rendered(failure):
    """What IPython shows for the exception: its _render_traceback_ lines."""
    assert hasattr(failure, "_render_traceback_"), f"{type(failure).__name__}: {failure}"
    return "\n".join(failure._render_traceback_())


def run_check(checks, name, space, *args):
    """Run checks.<name> with the student's names from ``space``; the printed failure (or None)."""
    check = getattr(checks, name)
    import inspect
    parameters = [p.name for p in inspect.signature(check).parameters.values() if p.default is p.empty]
    values = args or tuple(space[p] for p in parameters)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            check(*values)
        except Exception as failure:  # noqa: BLE001
            return rendered(failure)
    assert out.getvalue().startswith("✓"), out.getvalue()
    return None


def assert_fails_with(text, *phrases):
    assert text is not None, "the check passed"
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in:\n{text}"
    assert not INTERNALS.search(text), f"checker internals in:\n{text}"
    assert text.count("\n") == 0, f"more than one line:\n{text}"


def planted(slug, code):
    """Student code wrapping the reference: ``ref.<task>`` is the reference implementation."""
    ref = type("Ref", (), {k: staticmethod(v) if callable(v) and not isinstance(v, type) else v
                           for k, v in reference(slug).items() if not k.startswith("__")})
    space = namespace(slug)
    space["ref"] = ref
    exec(compile(textwrap.dedent(code), "<student cell>", "exec"), space)
    return space


SLUGS = ["01_fc_layer", "02_gender_demo", "03_column_major_net", "04_fully_connected_net", "05_conv_backward",
         "06_pooling_activations", "07_optimizers", "08_mlp", "09_cnn"]
FAST = {  # checks that train on data sets take a while: (slug, check) -> skipped in (a)
}


def _checks_of(checks):
    return [name for name in dir(checks) if name.startswith("check_") and callable(getattr(checks, name))]


@pytest.mark.parametrize("slug", SLUGS)
def test_the_reference_passes_every_visible_check(slug):
    space = namespace(slug)
    with assignment(slug) as checks:
        for name in _checks_of(checks):
            if (slug, name) in FAST:
                continue
            assert run_check(checks, name, space) is None, name


# ---------------------------------------------------------------------------------------------- 01

def test_01_planted_mistakes():
    slug = "01_fc_layer"
    with assignment(slug) as checks:
        def fails(name, code, *phrases):
            assert_fails_with(run_check(checks, name, planted(slug, code)), *phrases)

        fails("check_fc_backward", """
            def fc_backward(dout, cache):
                dx, dw, db = ref.fc_backward(dout, cache)
                return -dx, dw, db
            """, "`dx` has the opposite sign", "符号相反")
        fails("check_fc_backward", """
            def fc_backward(dout, cache):
                dx, dw, db = ref.fc_backward(dout, cache)
                return dx, dw.T, db
            """, "`dw` has shape", "transpose", "转置")
        fails("check_fc_backward", """
            def fc_backward(dout, cache):
                dx, dw, db = ref.fc_backward(dout, cache)
                return dx, dw, db / dout.shape[0]
            """, "`db` is exactly 1/N", "average over the batch instead of summing")
        fails("check_fc_backward", """
            def fc_backward(dout, cache):
                dx, dw, db = ref.fc_backward(dout, cache)
                return dx, dw, db.reshape(1, -1)
            """, "`db` has shape (1, ", "it should have")
        fails("check_fc_backward", """
            def fc_backward(dout, cache):
                grads = ref.fc_backward(dout, cache)
                dout *= 2
                return grads
            """, "`fc_backward` changed its input `dout` in place", "a quarter of the task's points", "copy")
        fails("check_fc_backward", """
            def fc_forward(x, w, b):
                raise NotImplementedError()
            """, "`fc_forward` (task 1) is not implemented yet; do it first")
        fails("check_fc_forward", """
            def fc_forward(x, w, b):
                raise NotImplementedError()
            """, "`fc_forward` is not implemented yet")
        fails("check_fc_forward", """
            def fc_forward(x, w, b):
                return x.dot(w), (x, w, b)
            """, "bias (偏置)")
        fails("check_fc_forward", """
            def fc_forward(x, w, b):
                x -= 0.0; x[0] = 1.0
                return ref.fc_forward(x, w, b)
            """, "changed its input `x` in place")
        fails("check_sgd_step", """
            def sgd_step(param, grad, lr):
                param -= lr * grad
                return param
            """, "returned `param` itself", "quarter")
        fails("check_sgd_step", """
            def sgd_step(param, grad, lr):
                return param + lr * grad
            """, "opposite sign")


# ---------------------------------------------------------------------------------------------- 05

def test_05_planted_mistakes():
    slug = "05_conv_backward"
    with assignment(slug) as checks:
        def fails(name, code, *phrases):
            assert_fails_with(run_check(checks, name, planted(slug, code)), *phrases)

        fails("check_conv_backward_single_channel", """
            def conv_backward_single_channel(dout, x, w):
                dx, dw, db = ref.conv_backward_single_channel(dout, x, w)
                return -dx, dw, db
            """, "`dx` has the opposite sign")
        fails("check_conv_backward_multi_channel", """
            def conv_backward_multi_channel(dout, x, w):
                dx, dw, db = ref.conv_backward_multi_channel(dout, x, w)
                return dx, dw, db / dout.shape[0]
            """, "`db` is exactly 1/N", "average over the batch")
        fails("check_conv_backward_multi_channel", """
            def conv_backward_multi_channel(dout, x, w):
                dx, dw, db = ref.conv_backward_multi_channel(dout, x, w)
                return dx, dw, db.reshape(1, -1)
            """, "`db` has shape (1, ")
        fails("check_conv_backward_multi_channel", """
            def conv_backward_multi_channel(dout, x, w):
                dx, dw, db = ref.conv_backward_multi_channel(dout, x, w)
                dx = np.zeros_like(dx)
                dx[:, :, 1:] = ref.conv_backward_multi_channel(dout, x, w)[0][:, :, :-1]
                return dx, dw, db
            """, "shifted by one position along axis 2", "差一错误")
        fails("check_conv_backward_multi_channel", """
            def conv_backward_multi_channel(dout, x, w):
                grads = ref.conv_backward_multi_channel(dout, x, w)
                w[...] = 0.0
                return grads
            """, "changed its input `w` in place", "quarter of the task's points")
        fails("check_conv_backward", """
            def conv_backward(dout, cache):
                grads = ref.conv_backward(dout, cache)
                cache[0][...] = 0.0
                return grads
            """, "changed its input `x` in place")
        for task in ("check_conv_backward_single_channel", "check_conv_backward_multi_channel",
                     "check_conv_backward_strided", "check_conv_backward"):
            fails(task, """
                def conv_forward(x, w, b, stride=1, pad=0):
                    raise NotImplementedError()
                """, "`conv_forward` (task 1) is not implemented yet; do it first")
        # task 4 calls the student's task 3, which is wrong: task 3 is blamed
        fails("check_conv_backward_strided", """
            def conv_backward_multi_channel(dout, x, w):
                dx, dw, db = ref.conv_backward_multi_channel(dout, x, w)
                return dx, -dw, db

            def conv_backward_strided(dout, x, w, stride):
                N, F, Ho, Wo = dout.shape
                KH, KW = w.shape[2:]
                full = np.zeros((N, F, x.shape[2] - KH + 1, x.shape[3] - KW + 1))
                full[:, :, ::stride, ::stride][:, :, :Ho, :Wo] = dout
                return conv_backward_multi_channel(full, x, w)
            """, "calls your `conv_backward_multi_channel` (task 3), which does not pass its own check yet",
            "fix task 3 first", "`dw` has the opposite sign")
        fails("check_conv_backward_strided", """
            def conv_backward_multi_channel(dout, x, w):
                raise NotImplementedError()

            def conv_backward_strided(dout, x, w, stride):
                return conv_backward_multi_channel(dout, x, w)
            """, "`conv_backward_multi_channel` (task 3) is not implemented yet; do it first")


# ---------------------------------------------------------------------------------------------- 06

def test_06_planted_mistakes():
    slug = "06_pooling_activations"
    with assignment(slug) as checks:
        def fails(name, code, *phrases):
            assert_fails_with(run_check(checks, name, planted(slug, code)), *phrases)

        fails("check_relu_backward", """
            def relu_backward(dout, cache):
                dx = dout
                dx[ref.relu_backward(np.ones_like(dout), cache) == 0] = 0
                return dx
            """, "`relu_backward` changed its input `dout` in place", "quarter")
        fails("check_relu_forward", """
            def relu_forward(x):
                x[x < 0] = 0
                return x, x
            """, "`relu_forward` changed its input `x` in place")
        fails("check_avg_pool_backward", """
            def avg_pool_backward(dout, cache):
                return -ref.avg_pool_backward(dout, cache)
            """, "opposite sign")
        fails("check_prelu_backward", """
            def prelu_backward(dout, cache):
                dx, dalpha = ref.prelu_backward(dout, cache)
                return dx, dalpha / dout.shape[0]
            """, "`dalpha` is exactly 1/N", "average over the batch")
        fails("check_prelu_backward", """
            def prelu_backward(dout, cache):
                dx, dalpha = ref.prelu_backward(dout, cache)
                return dx, dalpha.reshape(1, -1)
            """, "`dalpha` has shape (1, ")
        fails("check_max_pool_backward", """
            def max_pool_forward(x, pool_param):
                raise NotImplementedError()
            """, "`max_pool_forward` (task 1) is not implemented yet; do it first")
        fails("check_global_avg_pool_backward", """
            def global_avg_pool_backward(dout, cache):
                raise NotImplementedError()
            """, "`global_avg_pool_backward` is not implemented yet")
        fails("check_selu_backward", """
            def selu_backward(dout, cache):
                return 2 * ref.selu_backward(dout, cache)
            """, "exactly 2 times")


# ---------------------------------------------------------------------------------------------- 04

def _source(slug, name):
    """The source of one top-level definition of the reference (to run it in a planted namespace)."""
    import ast
    text = paths.reference_module(slug).read_text(encoding="utf-8")
    node = next(n for n in ast.parse(text).body if getattr(n, "name", None) == name)
    return "\n" + ast.get_source_segment(text, node) + "\n"


def test_04_planted_mistakes():
    slug = "04_fully_connected_net"
    with assignment(slug) as checks:
        def fails(name, code, *phrases):
            assert_fails_with(run_check(checks, name, planted(slug, code)), *phrases)

        # the cs231n solutions that lost every case of their task
        fails("check_relu_backward", """
            def relu_backward(dout, cache):
                x = cache
                dx = dout
                dx[x <= 0] = 0
                return dx
            """, "`relu_backward` changed its input `dout` in place", "quarter of the task's points")
        fails("check_softmax_loss", """
            def softmax_loss(x, y):
                logits = x
                logits -= np.max(logits, axis=1, keepdims=True)
                return ref.softmax_loss(logits, y)
            """, "`softmax_loss` changed its input `x` in place", "copy")
        fails("check_softmax_loss", """
            def softmax_loss(x, y):
                loss, dx = ref.softmax_loss(x, y)
                return loss, dx * x.shape[0]
            """, "`dx` is exactly N times", "divide by N")
        fails("check_affine_forward", """
            def affine_forward(x, w, b):
                return x.reshape(x.shape[0], -1).dot(w), (x, w, b)
            """, "bias (偏置) b is missing")
        fails("check_affine_backward", """
            def affine_backward(dout, cache):
                dx, dw, db = ref.affine_backward(dout, cache)
                return dx, dw, db / dout.shape[0]
            """, "`db` is exactly 1/N", "average over the batch")
        fails("check_affine_backward", """
            def affine_forward(x, w, b):
                raise NotImplementedError()
            """, "`affine_forward` (task 1) is not implemented yet; do it first")
        fails("check_batchnorm_forward", """
            def batchnorm_forward(x, gamma, beta, bn_param):
                out, cache = ref.batchnorm_forward(x, gamma, beta, bn_param)
                for key in ("running_mean", "running_var"):
                    bn_param[key] = np.reshape(bn_param[key], (1, -1))
                return out, cache
            """, "`bn_param['running_mean']` has shape (1, 3)", "(3,)")
        fails("check_batchnorm_backward", """
            def batchnorm_backward(dout, cache):
                dx, dgamma, dbeta = ref.batchnorm_backward(dout, cache)
                return dx, -dgamma, dbeta
            """, "`dgamma` has the opposite sign")
        fails("check_dropout_backward", """
            def dropout_backward(dout, cache):
                dx = ref.dropout_backward(dout, cache)
                dout[...] = dx
                return dx
            """, "changed its input `dout` in place")
        fails("check_FullyConnectedNet", """
            class FullyConnectedNet(ref.FullyConnectedNet):
                def loss(self, X, y=None):
                    result = super().loss(X, y)
                    if y is None:
                        return result
                    loss, grads = result
                    grads["b1"] = grads["b1"].reshape(1, -1)
                    return loss, grads
            """, "`grads['b1']` has shape (1, ", "it should have")
        fails("check_FullyConnectedNet", textwrap.dedent("""
            def affine_backward(dout, cache):
                dx, dw, db = ref.affine_backward(dout, cache)
                return dx, dw, -db
            """) + _source(slug, "FullyConnectedNet"),
            "Your `FullyConnectedNet` calls your `affine_backward` (task 2), which does not pass its own check",
            "fix task 2 first", "`db` has the opposite sign")
        fails("check_train_net", """
            def train_net(model, data, **kwargs):
                data["X_train"] -= 0.0
                data["X_train"][0, 0] = 1.0
                return ref.train_net(model, data, **kwargs)
            """, "`train_net` changed its input `X", "quarter")


# ---------------------------------------------------------------------------------------------- 07

def test_07_planted_mistakes():
    slug = "07_optimizers"
    with assignment(slug) as checks:
        def fails(name, code, *phrases):
            assert_fails_with(run_check(checks, name, planted(slug, code)), *phrases)

        fails("check_adagrad", """
            def adagrad(w, dw, config=None):
                next_w, config = ref.adagrad(w, dw, config)
                dw **= 2
                return next_w, config
            """, "`adagrad` changed its input `dw` in place", "quarter of the task's points")
        fails("check_sgd", """
            def sgd(w, dw, config=None):
                next_w, config = ref.sgd(w, dw, config)
                return 2 * w - next_w, config
            """, "sign")
        fails("check_adam", """
            def adam(w, dw, config=None):
                raise NotImplementedError()
            """, "`adam` is not implemented yet")
        fails("check_rmsprop", """
            def rmsprop(w, dw, config=None):
                return ref.rmsprop(w, dw, config)[0]
            """, "should return a pair")


# ---------------------------------------------------------------------------------------------- 08, 09

def test_08_planted_mistakes():
    slug = "08_mlp"
    with assignment(slug) as checks:
        def fails(name, code, *phrases):
            assert_fails_with(run_check(checks, name, planted(slug, code)), *phrases)

        fails("check_mse_loss", """
            def mse_loss(pred, y):
                loss, dpred = ref.mse_loss(pred, y)
                return loss, dpred / pred.shape[0]
            """, "`dpred` is exactly 1/N")
        fails("check_mse_loss", """
            def mse_loss(pred, y):
                result = ref.mse_loss(pred, y)
                pred -= y
                return result
            """, "`mse_loss` changed its input `pred` in place", "quarter")
        fails("check_mse_loss", """
            def mse_loss(pred, y):
                loss, dpred = ref.mse_loss(pred, y)
                return loss, -dpred
            """, "opposite sign")
        fails("check_Sequential", """
            class Sequential(ref.Sequential):
                def backward(self, dout):
                    dx = super().backward(dout)
                    dout[...] = 0
                    return dx
            """, "`Sequential` changed its input `dout` in place")
        fails("check_Sequential", """
            class Sequential(ref.Sequential):
                def backward(self, dout):
                    raise NotImplementedError()
            """, "`Sequential.backward` is not implemented yet")


def test_09_planted_mistakes():
    slug = "09_cnn"
    with assignment(slug) as checks:
        def fails(name, code, *phrases):
            assert_fails_with(run_check(checks, name, planted(slug, code)), *phrases)

        fails("check_Conv2D", """
            class Conv2D(ref.Conv2D):
                def forward(self, x):
                    out = super().forward(x)
                    x[...] = 0
                    return out
            """, "`Conv2D.forward` changed its input `x` in place", "quarter")
        fails("check_Conv2D", """
            class Conv2D(ref.Conv2D):
                def backward(self, dout):
                    dx = super().backward(dout)
                    self.grads["b"] = self.grads["b"] / dout.shape[0]
                    return dx
            """, "grads['b'] is exactly 1/N")
        fails("check_MaxPool2D", """
            class MaxPool2D(ref.MaxPool2D):
                def backward(self, dout):
                    return -super().backward(dout)
            """, "opposite sign")
        fails("check_Flatten", """
            class Flatten(ref.Flatten):
                def forward(self, x):
                    raise NotImplementedError()
            """, "`Flatten.forward` is not implemented yet")


# ---------------------------------------------------------------------------------------------- 03

def test_03_planted_mistakes():
    slug = "03_column_major_net"
    with assignment(slug) as checks:
        def fails(name, code, *phrases):
            assert_fails_with(run_check(checks, name, planted(slug, code)), *phrases)

        fails("check_SquareLoss", """
            class SquareLoss(ref.SquareLoss):
                def backward(self):
                    return -super().backward()
            """, "opposite sign")
        fails("check_SquareLoss", """
            class SquareLoss(ref.SquareLoss):
                def forward(self, y, t):
                    self.n = y.shape[1]
                    return super().forward(y, t)

                def backward(self):
                    return super().backward() * self.n
            """, "exactly N times")
        fails("check_SquareLoss", """
            class SquareLoss(ref.SquareLoss):
                def forward(self, y, t):
                    value = super().forward(y.copy(), t)
                    y -= t
                    return value
            """, "changed its input `y` in place", "quarter")
        fails("check_FC", """
            class FC(ref.FC):
                def forward(self, x):
                    self.b = np.zeros_like(self.b) + 0 * self.b
                    return super().forward(x)
            """, "without the bias (偏置)")
        fails("check_FC", """
            class FC(ref.FC):
                def backward(self, residual):
                    out = super().backward(residual)
                    residual *= 0.5
                    return out
            """, "`FC` changed its input `residual` in place")
        fails("check_gradient_check", textwrap.dedent("""
            def numerical_gradient(f, x, h=1e-5):
                raise NotImplementedError()
            """) + _source(slug, "gradient_check"), "`numerical_gradient` (task 4) is not implemented yet; do it first")
        fails("check_Net", textwrap.dedent("""
            class FC(ref.FC):
                def forward(self, x):
                    raise NotImplementedError()
            """) + _source(slug, "Net"), "`FC.forward` (task 2) is not implemented yet; do it first")


# ---------------------------------------------------------------------------------------------- 02

def test_02_planted_mistakes():
    slug = "02_gender_demo"
    with assignment(slug) as checks:
        def fails(name, code, *phrases):
            assert_fails_with(run_check(checks, name, planted(slug, code)), *phrases)

        fails("check_LinearLayer", """
            class LinearLayer(ref.LinearLayer):
                def backward(self, delta):
                    out = super().backward(delta)
                    self.db = self.db / delta.shape[0]
                    return out
            """, "`db` is exactly 1/N", "average over the batch")
        fails("check_LinearLayer", """
            class LinearLayer(ref.LinearLayer):
                def backward(self, delta):
                    out = super().backward(delta)
                    self.dw = self.dw.T
                    return out
            """, "self.dw should have the shape of w")
        fails("check_LinearLayer", """
            class LinearLayer(ref.LinearLayer):
                def forward(self, x):
                    out = super().forward(x)
                    x *= 2
                    return out
            """, "changed its input `x` in place", "quarter")
        fails("check_LinearLayer", """
            class LinearLayer(ref.LinearLayer):
                def forward(self, x):
                    return super().forward(x) - self.b
            """, "bias (偏置) b is missing")
        fails("check_SigmoidLayer", """
            class SigmoidLayer(ref.SigmoidLayer):
                def backward(self, delta):
                    return -super().backward(delta)
            """, "opposite sign")
        fails("check_MSELoss", """
            class MSELoss(ref.MSELoss):
                def forward(self, y_pred, y_true):
                    self.size = np.size(y_pred)
                    return super().forward(y_pred, y_true)

                def backward(self):
                    return super().backward() * self.size
            """, "exactly N times")
        fails("check_NeuralNetwork_train", """
            class NeuralNetwork_train(ref.NeuralNetwork_train):
                def feedforward(self, x):
                    raise NotImplementedError()
            """, "`NeuralNetwork_train.feedforward` is not implemented yet")


# ---------------------------------------------------------------------------------------------- IPython

def test_ipython_shows_one_line_or_the_students_own_frames(capsys):
    """Through IPython's own rendering: a failed check is one line; an error in the student's code
    shows the student's frame and no frame of the checker."""
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    with assignment("01_fc_layer"):
        shell.run_cell(textwrap.dedent("""
            import numpy as np
            from checks import check_fc_forward
            def fc_forward(x, w, b):
                return -(x.dot(w) + b), None
            check_fc_forward(fc_forward)
            """))
        shown = capsys.readouterr().out
        assert "✗" in shown and "Traceback" not in shown and "checks.py" not in shown, shown
        shell.run_cell(textwrap.dedent("""
            def fc_forward(x, w, b):
                return np.dot(x, w.T) + b, None
            check_fc_forward(fc_forward)
            """))
        shown = capsys.readouterr().out
        assert "ValueError raised in your `fc_forward` (task 1)" in shown, shown
        assert "np.dot(x, w.T)" in shown, shown  # the student's own line
        assert not re.search(r"checks\.py|checking\.py|_forward_problems|_call_forward", shown), shown
    InteractiveShell.clear_instance()


def test_checks_hold_no_reference_line():
    """A line shared with the reference would also hide it from the release's leak check."""
    shared = (paths.STUDENT_FILES / "checking.py").read_text(encoding="utf-8")
    for slug in SLUGS:
        secret = paths.reference_module(slug).read_text(encoding="utf-8")
        public = paths.notebook_source(slug).read_text(encoding="utf-8")
        secret_lines = {line.strip() for line in secret.splitlines()} - {line.strip() for line in public.splitlines()}
        # lines that give nothing away: a bare return, the seeded generator the notebook prescribes
        secret_lines = {line for line in secret_lines if not re.fullmatch(r"return \w+", line)}
        secret_lines -= {"rng = np.random.default_rng(seed)"}
        mine = (paths.ASSIGNMENTS / slug / "checks.py").read_text(encoding="utf-8") + "\n" + shared
        found = sorted(line.strip() for line in mine.splitlines()
                       if len(line.strip()) >= 12 and line.strip() in secret_lines
                       and not line.strip().startswith(("#", '"""', "import ", "from ", "def check_")))
        assert not found, f"{slug}: {found}"


def test_03_gets_no_numerical_gradient():
    assert not (paths.ASSIGNMENTS / "03_column_major_net" / "gradient_check.py").exists()
    for name in ("checks.py", "checking.py"):
        assert "ndindex" not in (paths.ASSIGNMENTS / "03_column_major_net" / name).read_text(encoding="utf-8")
