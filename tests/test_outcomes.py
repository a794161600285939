"""Outcome tasks judge what the student built, not what their kernel claims.

The judges are called here, in-process, with what a kernel would send back: a lookup table of the
public test images, a nearest-neighbour regression, a constant gradient check, a memorising `Net`,
a ReLU or max pool that is wrong only near its kink or near a tie all fail, and the reference passes.
One slow test grades crafted 08 notebooks end to end.
"""
import hashlib
import os
import sys
from contextlib import contextmanager

import numpy as np
import pytest

from autograder import batch, heldout, paths, submissions
from autograder.cases import run_call
from autograder.graders import tasks_for
from autograder.reference import reference_namespace
from autograder.student.idx import FASHION_MNIST, load_mnist


def task(slug, name):
    return next(t for t in tasks_for(slug) if t.name == name)


def outputs_of(namespace, case):
    return run_call(namespace, case.call, case.inputs)


@contextmanager
def in_assignment_folder(slug):
    """Training calls read the shipped slice from the working folder, as in the kernel."""
    here = os.getcwd()
    os.chdir(paths.ASSIGNMENTS / slug)
    sys.path.insert(0, ".")
    try:
        yield
    finally:
        sys.path.remove(".")
        os.chdir(here)


# ------------------------------------------------------------------------------------ 08/09: held-out images

def test_no_public_test_image_answers_a_held_out_image():
    images, labels = heldout.held_out()
    public, public_labels = load_mnist(FASHION_MNIST, "t10k")
    table = {hashlib.sha1(image.tobytes()).hexdigest(): label for image, label in zip(public, public_labels)}
    hits = sum(hashlib.sha1(image.tobytes()).hexdigest() in table for image in images)
    assert hits == 0
    # and the nearest public image (the attack a table of near-copies would make) is often wrong
    flat = public.reshape(len(public), -1).astype(np.float32)
    sample = images[:300].reshape(300, -1).astype(np.float32)
    distances = (sample ** 2).sum(1)[:, None] - 2 * sample @ flat.T + (flat ** 2).sum(1)[None]
    nearest = public_labels[np.argmin(distances, axis=1)]
    assert np.mean(nearest == labels[:300]) < 0.9


def test_transforms_are_deterministic_and_keep_labels():
    images, labels = load_mnist(FASHION_MNIST, "t10k")
    first = heldout.transform(images[:50], labels[:50].astype(int), 1)
    assert np.array_equal(first, heldout.transform(images[:50], labels[:50].astype(int), 1))
    assert first.dtype == np.uint8 and first.shape == (50, 28, 28)
    shoes = np.isin(labels[:50], (5, 7, 9))
    # shoes are never mirrored: each stays close to its own (possibly shifted) original
    for image, original in zip(first[shoes], images[:50][shoes]):
        mirrored = np.abs(image.astype(int) - original[:, ::-1].astype(int)).mean()
        assert np.abs(image.astype(int) - original.astype(int)).mean() < mirrored or mirrored > 10


@pytest.mark.parametrize("claim", [
    {},
    {"labels": "table"},  # predicted labels for the images (of the old protocol): never read
    {"kinds": np.array([99.0])},  # a layer kind the grader does not know
])
def test_a_lookup_table_earns_nothing_on_train_mlp(claim):
    images, labels = heldout.held_out()
    if claim.get("labels") == "table":
        claim = {"labels": labels.astype(np.float64)}  # even the true labels
    for case in task("08_mlp", "train_mlp").cases:
        assert case.judge(claim), case.name
        assert set(case.inputs) == {"n", "seed", "epochs"}  # no image is sent to the kernel


def test_the_grader_runs_its_own_forward_pass_on_the_exported_layers():
    reference = reference_namespace("08_mlp")
    case = task("08_mlp", "train_mlp").cases[0]
    with in_assignment_folder("08_mlp"):
        outputs = outputs_of(reference, case)
    assert case.judge(outputs) == []
    broken = dict(outputs)
    broken["2.w"] = np.zeros_like(outputs["2.w"])  # what the kernel's own forward does no longer matters
    assert case.judge(broken)
    wrong_shape = dict(outputs, **{"0.w": outputs["0.w"][:100]})
    assert "takes rows of 100 numbers" in case.judge(wrong_shape)[0]
    huge = {"kinds": np.array([1.0]), "0.w": np.zeros((784, 10_000)), "0.b": np.zeros(10_000)}
    assert "million multiply-adds" in case.judge(huge)[0]


def test_a_lookup_model_cannot_be_exported():
    """The export that runs in the kernel refuses anything that is not a list of the notebook's layers."""
    reference = reference_namespace("08_mlp")
    table = dict(reference)
    exec("class _Table:\n    def forward(self, x):\n        return x[:, :10]\n"
         "def train_mlp(images, labels, seed=0, epochs=10):\n    return _Table()\n", table)
    case = task("08_mlp", "train_mlp").cases[0]
    with in_assignment_folder("08_mlp"), pytest.raises(TypeError, match="not a model the grader can read"):
        outputs_of(table, case)


# ------------------------------------------------------------------------------------ 08: fit_regression

KNN = '''
class _Nearest:
    def __init__(self, x, y, k=7):
        self.x, self.y, self.k = x, y, k
    def forward(self, x_new):
        d = np.abs(x_new - self.x.T)
        return np.sort(self.y[np.argsort(d, axis=1)[:, :self.k], 0], axis=1).mean(axis=1, keepdims=True)
def fit_regression(x, y, seed=0):
    return _Nearest(x, y)
'''


def test_knn_regression_earns_nothing():
    reference = reference_namespace("08_mlp")
    knn = dict(reference)
    exec(KNN, knn)
    for case in task("08_mlp", "fit_regression").cases:
        assert set(case.inputs) == {"x", "y", "seed"}  # the fresh points are never sent
        with pytest.raises(TypeError, match="not a model the grader can read"):
            outputs_of(knn, case)
        assert case.judge({})
        assert case.judge({"pred": np.zeros((200, 1))})  # a claimed prediction is not read


def test_fit_regression_of_the_reference_passes_on_fresh_points_and_a_constant_model_fails():
    reference = reference_namespace("08_mlp")
    for case in task("08_mlp", "fit_regression").cases:
        outputs = outputs_of(reference, case)
        assert case.judge(outputs) == []
        flat = dict(outputs)
        last = max(int(k.split(".")[0]) for k in outputs if k.endswith(".w"))
        flat[f"{last}.w"] = np.zeros_like(outputs[f"{last}.w"])
        flat[f"{last}.b"] = np.full_like(outputs[f"{last}.b"], float(case.inputs["y"].mean()))
        assert "R²" in case.judge(flat)[0]


# ------------------------------------------------------------------------------------ 03: Net, gradient_check

MEMORISER = '''
class Net(Net):
    def train(self, X, y, iterations):
        self.memory = y.copy()
        return [0.0] * iterations
    def predict(self, X):
        return self.memory
'''

CONSTANT_CHECK = '''
def gradient_check(layer, x):
    lr, layer.lr = layer.lr, 0.0
    layer.forward(x)
    layer.backward(layer.top)
    layer.lr = lr
    return 0.0
'''


def test_a_memorising_net_fails_and_the_reference_learns_xor():
    reference = reference_namespace("03_column_major_net")
    memoriser = dict(reference)
    exec(MEMORISER, memoriser)
    for case in task("03_column_major_net", "Net").cases:
        if "learns XOR" not in case.name:
            continue
        assert case.judge(outputs_of(reference, case)) == []
        assert case.judge(outputs_of(memoriser, case)), case.name


def test_a_net_whose_predict_ignores_its_weights_fails():
    reference = reference_namespace("03_column_major_net")
    liar = dict(reference)
    exec("class Net(Net):\n    def predict(self, X):\n        return (np.abs(X[0:1] - X[1:2]) > 0.5) * 0.98 + 0.01\n",
         liar)
    for case in task("03_column_major_net", "Net").cases:
        if "learns XOR" in case.name:
            assert "does not give the trained network's outputs" in " ".join(case.judge(outputs_of(liar, case)))


def test_a_constant_gradient_check_earns_nothing():
    reference = reference_namespace("03_column_major_net")
    constant = dict(reference)
    exec(CONSTANT_CHECK, constant)
    cases = task("03_column_major_net", "gradient_check").cases
    assert all(case.judge(outputs_of(reference, case)) == [] for case in cases)
    assert all(case.judge(outputs_of(constant, case)) for case in cases)
    exec(CONSTANT_CHECK.replace("return 0.0", "return 1.0"), constant)
    assert all(case.judge(outputs_of(constant, case)) for case in cases)


# ------------------------------------------------------------------------------------ kinks and near-ties

@pytest.mark.parametrize("slug", ["04_fully_connected_net", "06_pooling_activations"])
def test_relu_backward_that_leaks_just_below_zero_fails(slug):
    cases = task(slug, "relu_backward").cases
    failed = sum(bool(c.judge({"dx": c.inputs["dout"] * (c.inputs["x"] > -0.05)})) for c in cases)
    assert failed >= len(cases) - 1
    assert all(c.judge({"dx": c.inputs["dout"] * (c.inputs["x"] > 0)}) == [] for c in cases)


@pytest.mark.parametrize("name", ["leaky_relu_backward", "elu_backward", "selu_backward", "prelu_backward"])
def test_every_activation_gets_inputs_just_either_side_of_zero(name):
    for case in task("06_pooling_activations", name).cases:
        x = case.inputs["x"]
        assert np.any((x < 0) & (x > -2e-3)) and np.any((x > 0) & (x < 2e-3)) and not np.any(x == 0)


@pytest.mark.parametrize("slug, name, key", [("06_pooling_activations", "max_pool_backward", "x"),
                                             ("09_cnn", "MaxPool2D", "x")])
def test_max_pools_have_near_ties_but_no_ties(slug, name, key):
    from autograder.graders._inputs import pool_windows
    gaps = []
    for case in task(slug, name).cases:
        x = case.inputs[key]
        if "ph" in case.inputs:
            ph, pw, stride = int(case.inputs["ph"]), int(case.inputs["pw"]), int(case.inputs["stride"])
        else:
            ph = pw = int(case.inputs["pool"])
            stride = int(case.inputs["stride"])
        for n, c, rows, cols in pool_windows(x.shape, ph, pw, stride):
            top = np.sort(x[n, c, rows, cols].reshape(-1))[-2:]
            if top.size == 2:
                gaps.append(top[1] - top[0])
    gaps = np.array(gaps)
    assert gaps.min() >= 1e-4 and np.sum(gaps < 2e-3) >= 10


def test_a_max_pool_backward_with_a_tolerance_fails_near_ties():
    reference = reference_namespace("09_cnn")
    sloppy = dict(reference)
    exec('''
class MaxPool2D(MaxPool2D):
    def backward(self, dout):
        k, s = self.pool, self.stride
        x, out = self.cache
        dx = np.zeros_like(x)
        for r in range(out.shape[2]):
            for q in range(out.shape[3]):
                window = x[:, :, r * s:r * s + k, q * s:q * s + k]
                near = window >= out[:, :, r:r + 1, q:q + 1] - 0.02
                dx[:, :, r * s:r * s + k, q * s:q * s + k] += near * dout[:, :, r:r + 1, q:q + 1]
        return dx
''', sloppy)
    cases = [c for c in task("09_cnn", "MaxPool2D").cases if "dout" in c.inputs]
    assert all(c.judge(outputs_of(reference, c)) == [] for c in cases)
    assert sum(bool(c.judge(outputs_of(sloppy, c))) for c in cases) >= len(cases) - 1


def test_dropout_gets_a_keep_probability_between_two_close_draws():
    case = next(c for c in task("04_fully_connected_net", "dropout_forward").cases if "within a hair" in c.name)
    draws = np.random.default_rng(13).random(case.inputs["x"].shape)
    p = float(case.inputs["p"])
    assert np.min(np.abs(draws - p)) < 1e-2
    off = case.inputs["x"] * (draws < p + 2 * np.min(np.abs(draws - p))) / p  # a threshold a hair too high
    assert case.judge({"out": off})


# ------------------------------------------------------------------------------------ end to end

LOOKUP_MLP = '''
import hashlib
from idx import load_mnist as _load

class _Table:
    def __init__(self):
        self.table = {}
        for folder in ("/usr/share/datasets/fashion-mnist", "."):
            try:
                images, labels = _load(folder, "t10k")
            except Exception:
                continue
            self.table.update({hashlib.sha1(i.tobytes()).hexdigest(): int(l) for i, l in zip(images, labels)})
    def forward(self, x):
        scores = np.zeros((len(x), 10))
        for k, row in enumerate(x):
            image = np.rint(np.asarray(row).reshape(28, 28) * 255).astype(np.uint8)
            scores[k, self.table.get(hashlib.sha1(image.tobytes()).hexdigest(), 0)] = 1
        return scores

def train_mlp(images, labels, seed=0, epochs=10):
    return _Table()
'''


@pytest.mark.slow
def test_lookup_and_nearest_neighbour_students_earn_nothing_end_to_end(tmp_path):
    slug = "08_mlp"
    root = tmp_path / "course"
    submissions.write(submissions.reference_notebook(slug), root, "control", slug)
    cheat = submissions.with_answers(submissions.reference_notebook(slug),
                                     {"train_mlp": LOOKUP_MLP, "fit_regression": KNN})
    submissions.write(cheat, root, "cheat", slug)
    reports = {r.student: r for r in batch.autograde(root, [slug], workers=1, cell_timeout=30,
                                                     log=lambda *_: None)}
    control = {t.task: t for t in reports["control"].tasks}
    cheat = {t.task: t for t in reports["cheat"].tasks}
    assert all(t.score == t.points for t in control.values()), {k: t.message for k, t in control.items()}
    assert cheat["train_mlp"].score == 0 and cheat["fit_regression"].score == 0
    assert cheat["Sequential"].score == cheat["Sequential"].points  # the rest of the notebook is graded as usual
    assert "not a model the grader can read" in " ".join(p for c in cheat["train_mlp"].cases for p in c.problems)
