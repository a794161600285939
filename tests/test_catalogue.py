"""The catalogue: one declaration per assignment; names and points are read without building a
hidden case, and a release, grades and feedback need no Debian data set."""
import os
import subprocess
import sys

import pytest

from autograder import catalogue, paths
from autograder.graders import tasks_for


def test_every_assignment_is_declared_once(slugs):
    assert sorted(catalogue.assignments()) == slugs
    for slug in slugs:
        declared = catalogue.get(slug)
        assert [t.name for t in declared.tasks] == [t.name for t in tasks_for(slug)]
        assert catalogue.points(slug) == {t.name: t.points for t in tasks_for(slug)}
        assert [(t.hint, t.timeout) for t in declared.tasks] == [(t.hint, t.timeout) for t in tasks_for(slug)]


def test_names_and_points_never_build_cases(monkeypatch, slugs):
    def refuse(*args, **kwargs):
        raise AssertionError("a hidden case was built")
    monkeypatch.setattr(catalogue, "cases", refuse)
    monkeypatch.setattr("autograder.reference.reference_namespace", refuse)
    for slug in slugs:
        assert catalogue.tasks(slug) and sum(catalogue.points(slug).values()) == catalogue.get(slug).total


def test_support_files_are_declared(slugs):
    for slug in slugs:
        shipped = sorted(p.name for p in (paths.ASSIGNMENTS / slug).iterdir()
                         if p.is_file() and p != paths.notebook_source(slug) and not p.name.startswith("."))
        assert sorted(catalogue.get(slug).support) == shipped, slug


def test_a_declaration_is_checked():
    with pytest.raises(ValueError, match="more than once"):
        catalogue.Assignment("99_x", [catalogue.TaskSpec("f", 1, "", list)] * 2)
    with pytest.raises(ValueError, match="more than 0 points"):
        catalogue.Assignment("99_x", [catalogue.TaskSpec("f", 0, "", list)])
    with pytest.raises(KeyError, match="99_nothing"):
        catalogue.get("99_nothing")


NO_DATA = """
import os, sys, tempfile
from pathlib import Path
sys.path.insert(0, {repo!r})
from autograder import heldout
heldout.FASHION_MNIST = Path(tempfile.mkdtemp()) / "no-dataset-fashion-mnist"

from autograder import catalogue, feedback, grades, release
from autograder.report import Status, SubmissionReport, TaskResult
slugs = ["08_mlp", "09_cnn"]
course, out = Path(sys.argv[1]), Path(sys.argv[2])
try:
    catalogue.tasks_for("08_mlp")
    raise SystemExit("grading did not ask for the data set")
except RuntimeError as error:
    assert "dataset-fashion-mnist" in str(error), error
release.build(slugs, release_dir=out, course_root=course, log=lambda *_: None)
for slug in slugs:
    (course / "submitted" / "ada" / slug).mkdir(parents=True)
    tasks = [TaskResult(t.name, t.points, 0.0, Status.NOT_RUN, "Not graded: no notebook", t.hint)
             for t in catalogue.tasks(slug)]
    SubmissionReport("ada", slug, Status.MISSING_NOTEBOOK, "No notebook.", tasks).write(
        course / "autograded" / "ada" / slug)
table = grades.export(course, slugs, course / "grades.csv")
assert len(table) == sum(len(catalogue.tasks(s)) for s in slugs), table
assert {{r["status"] for r in table}} == {{"missing notebook"}}, table
pages = feedback.generate(course, slugs, log=lambda *_: None)
assert len(pages) == 2, pages
print("ok")
"""


def test_release_grades_and_feedback_need_no_data_set(tmp_path):
    """08 and 09 read Debian's dataset-fashion-mnist only to judge a trained model."""
    course, out = tmp_path / "course", tmp_path / "release"
    course.mkdir()
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([sys.executable, "-c", NO_DATA.format(repo=str(paths.REPO)), str(course), str(out)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]
    assert (out / "08_mlp" / "08_mlp.ipynb").is_file() and (out / "09_cnn" / "09_cnn.ipynb").is_file()
    assert "08_mlp,Sequential" in (course / "grades.csv").read_text()
