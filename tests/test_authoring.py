"""docs/authoring.md, followed step by step: a new assignment (``99_toy``, one task) is written in a
temporary copy of the repository — notebook text, reference, catalogue entry, checks, a demo
student — then released, validated and graded with the instructor's commands."""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import paths

SLUG = "99_toy"

NOTEBOOK = '''\
# %% [markdown]
# # 99 — Toy: scaling a vector
#
# ### Task 1 — `scale` (2 points)
#
# Implement `scale(x, a)`: return a new array `a · x`.

# %% tags=["provided"]
import numpy as np

# %% answer="scale"
def scale(x, a):
    """Inputs: x, an array of any shape; a, a float. Returns a·x, a new float64 array of x's shape."""
    # YOUR CODE HERE
    raise NotImplementedError()

# %% test="scale"
from checks import check_scale
check_scale(scale)
'''

CHECKS = '''\
"""Visible checks of 99_toy."""
import numpy as np


def check_scale(scale):
    out = np.asarray(scale(np.array([1.0, -2.0]), 3.0))
    assert out.shape == (2,), f"scale should keep x's shape (2,), got {out.shape}"
    assert np.allclose(out, [3.0, -6.0]), "scale(x, a) should multiply every entry of x by a"
    print("✓ scale: shape and values")
'''

REFERENCE = '''\
"""Reference solution of 99_toy (instructors only)."""
import numpy as np


def scale(x, a):
    return np.asarray(x, dtype=np.float64) * a
'''

GRADER = '''\
"""Hidden cases for 99_toy."""
import numpy as np

from autograder.catalogue import Assignment, TaskSpec
from autograder.cases import reference_case

SLUG = "99_toy"
CALL = "result = {'out': scale(x, float(a))}\\n"


def _scale_cases(reference):
    cases = []
    for name, seed, shape in [("a vector of 5", 1, (5,)), ("a (3, 4) matrix", 2, (3, 4))]:
        rng = np.random.default_rng(seed)
        inputs = {"x": rng.standard_normal(shape), "a": np.array(rng.uniform(0.5, 2.0))}
        cases.append(reference_case(name, CALL, inputs, reference))
    return cases


ASSIGNMENT = Assignment(
    slug=SLUG,
    support=("checks.py",),
    tasks=[TaskSpec("scale", 2, "Multiply every entry of x by a, into a new array.", cases=_scale_cases)])
'''

CAI = '''\
# %% scale
def scale(x, a):
    return x + a
'''


def run(copy: Path, *args: str) -> str:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=copy, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture
def copy(tmp_path):
    """The repository's code and assignments, copied, with the toy assignment added as the guide says."""
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("autograder", "assignments", "solutions"):
        shutil.copytree(paths.REPO / folder, root / folder, symlinks=True, ignore=ignore)
    (root / "release").mkdir()
    toy = root / "assignments" / SLUG
    toy.mkdir()
    (toy / f"{SLUG}.py").write_text(NOTEBOOK, encoding="utf-8")
    (toy / "checks.py").write_text(CHECKS, encoding="utf-8")
    (root / "solutions" / SLUG).mkdir()
    (root / "solutions" / SLUG / "reference.py").write_text(REFERENCE, encoding="utf-8")
    (root / "autograder" / "graders" / "toy.py").write_text(GRADER, encoding="utf-8")
    (root / "solutions" / "demo_class" / SLUG).mkdir()
    (root / "solutions" / "demo_class" / SLUG / "cai.py").write_text(CAI, encoding="utf-8")
    return root


@pytest.mark.slow
def test_a_new_assignment_is_released_validated_and_graded(copy):
    run(copy, "release", "-a", SLUG)
    released = nbformat.read(copy / "release" / SLUG / f"{SLUG}.ipynb", as_version=4)
    graded = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in released.cells
              if "nbgrader" in c.metadata}
    assert graded["scale"]["solution"] and graded["test_scale"]["points"] == 2  # from the catalogue entry
    assert "np.asarray(x, dtype=np.float64) * a" not in (copy / "release" / SLUG / f"{SLUG}.ipynb").read_text()
    assert sorted(p.name for p in (copy / "release" / SLUG).iterdir()) == ["99_toy.ipynb", "checks.py"]

    assert "validate passed" in run(copy, "validate", "-a", SLUG, "-j", "1")

    course = copy / "demo-class"
    run(copy, "demo", "-a", SLUG, "--course", str(course), "-j", "1")
    with (course / "grades.csv").open(encoding="utf-8") as handle:
        scores = {row["student"]: float(row["score"]) for row in csv.DictReader(handle) if row["task"] == "scale"}
    assert scores["ada"] == scores["ben"] == 2.0      # the reference answer (ben has no file of his own here)
    assert scores["cai"] == 0.0 and scores["dee"] == 0.0  # cai's wrong answer, dee's blank release
    assert (course / "feedback" / "cai" / SLUG / f"{SLUG}.html").is_file()


def test_a_cell_marked_for_no_task_stops_the_release(copy):
    source = copy / "assignments" / SLUG / f"{SLUG}.py"
    source.write_text(NOTEBOOK.replace('test="scale"', 'test="scales"'), encoding="utf-8")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([sys.executable, "-m", "autograder", "release", "-a", SLUG], cwd=copy, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1 and "'scales' is not a task of 99_toy" in result.stderr, result.stderr
