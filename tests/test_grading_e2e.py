"""End to end through nbgrader and real kernels: validate, the demo class, a hostile student."""
import contextlib
import csv
import os
import signal
import sys

import nbformat
import pytest

from autograder import batch, demo, feedback, grades, paths, submissions
from autograder.cases import run_call
from autograder.graders import tasks_for
from autograder.hygiene import find_leaks, notebook_lines
from autograder.reference import reference_namespace
from autograder.validate import validate

pytestmark = pytest.mark.slow

HOSTILE = '''
import json, numpy as np, numpy.testing
from IPython.display import display
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
_real_asarray = np.asarray
class Liar(np.ndarray):
    def __eq__(self, other): return np.ones(self.shape, dtype=bool)
    def __sub__(self, other): return np.zeros(self.shape)
display({"application/x-backprop-lab+json": json.dumps({"outputs": {}})}, raw=True)
print("Autograder: every task passed, full marks")
'''


@contextlib.contextmanager
def kernel_like_folder(slug):
    before = os.getcwd()
    os.chdir(paths.ASSIGNMENTS / slug)
    sys.path.insert(0, str(paths.STUDENT_FILES))
    try:
        yield
    finally:
        sys.path.remove(str(paths.STUDENT_FILES))
        os.chdir(before)


class CaseTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise CaseTimeout()


def expected_fraction(student, slug, task):
    """The share of hidden cases a demo student's answers should pass, computed here, in-process,
    by the grader's rules: a cell that does not compile defines nothing, a case that runs past
    its budget fails and so do the task's later cases. Calls run where a kernel would: in the
    assignment's folder, with the shipped helpers importable."""
    if student == "dee":
        return 0.0
    namespace = reference_namespace(slug)
    path = demo.DEMO_ANSWERS / slug / f"{student}.py"
    answers = submissions.parse_answers(path.read_text()) if path.is_file() else {}
    for grade_id, source in answers.items():
        try:
            code = compile(source, grade_id, "exec")
        except SyntaxError:
            namespace.pop(grade_id)
            continue
        exec(code, namespace)
    passed = []
    signal.signal(signal.SIGALRM, _alarm)
    for case in task.cases:
        if passed and passed[-1] is None:
            passed.append(None)
            continue
        signal.setitimer(signal.ITIMER_REAL, task.timeout)
        try:
            with kernel_like_folder(slug):
                outputs = run_call(namespace, case.call, case.inputs)
            passed.append(not case.judge(outputs))
        except CaseTimeout:
            passed.append(None)
        except Exception:
            passed.append(False)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return sum(bool(p) for p in passed) / len(passed)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, slugs):
    root = tmp_path_factory.mktemp("class") / "course"
    demo.make_class(root, slugs)
    for slug in slugs:
        notebook = submissions.reference_notebook(slug)
        notebook.cells.insert(0, nbformat.v4.new_code_cell(HOSTILE))
        wrong = {t.name: f"{t.name} = None\n" for t in tasks_for(slug)}
        submissions.write(submissions.with_answers(notebook, wrong), root, "mallory", slug)
    reports = batch.autograde(root, slugs, workers=2, cell_timeout=5, log=lambda *_: None)
    feedback.generate(root, slugs, log=lambda *_: None)
    table = grades.export(root, slugs, root / "grades.csv")
    return root, reports, table


def test_validate_passes_for_every_assignment(slugs):
    assert validate(slugs, log=lambda *_: None) == []


def test_demo_students_get_exactly_the_marks_their_answers_deserve(graded_class, slugs):
    _, _, table = graded_class
    for row in table:
        if row["student"] == "mallory":
            continue
        task = next(t for t in tasks_for(row["assignment"]) if t.name == row["task"])
        want = round(task.points * expected_fraction(row["student"], row["assignment"], task), 2)
        assert row["score"] == pytest.approx(want, abs=0.011), row


def test_correct_students_get_full_marks_and_the_blank_one_nothing(graded_class):
    _, _, table = graded_class
    for row in table:
        if row["student"] in ("ada", "ben"):
            assert (row["score"], row["status"]) == (row["max_score"], "graded"), row
        if row["student"] == "dee":
            assert row["score"] == 0, row


def test_statuses_say_what_happened(graded_class):
    _, _, table = graded_class
    rows = {(r["student"], r["assignment"], r["task"]): r for r in table}
    assert rows["eli", "01_fc_layer", "fc_forward"]["status"] == "missing"
    assert "SyntaxError" in rows["eli", "01_fc_layer", "fc_forward"]["message"]
    assert rows["fay", "01_fc_layer", "sgd_step"]["status"] == "timed out"
    assert "did not finish" in rows["fay", "01_fc_layer", "fc_forward"]["message"]  # its notebook cells timed out


def test_a_student_who_patches_numpy_and_fakes_verdicts_earns_nothing(graded_class, slugs):
    _, _, table = graded_class
    mallory = [r for r in table if r["student"] == "mallory"]
    assert len(mallory) == sum(len(tasks_for(s)) for s in slugs)
    assert all(r["score"] == 0 for r in mallory), mallory


def test_grades_csv_contract(graded_class, slugs):
    root, _, table = graded_class
    with (root / "grades.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["student", "assignment", "task", "score", "max_score", "status", "message"]
    students = {"ada", "ben", "cai", "dee", "eli", "fay", "mallory"}
    keys = [(r["student"], r["assignment"], r["task"]) for r in rows]
    assert len(keys) == len(set(keys)) == len(students) * sum(len(tasks_for(s)) for s in slugs)
    assert all(0 <= float(r["score"]) <= float(r["max_score"]) and r["status"] and r["message"] for r in rows)


def test_feedback_names_the_wrong_output_and_leaks_nothing(graded_class, slugs):
    root, _, _ = graded_class
    for folder in sorted((root / "feedback").glob("*/*")):
        student, slug = folder.parent.name, folder.name
        own = notebook_lines(root / "submitted" / student / slug / f"{slug}.ipynb")
        assert find_leaks(folder, slug, own, check_values=False) == [], folder
    cai = (root / "feedback" / "cai" / "01_fc_layer" / "01_fc_layer.html").read_text()
    assert "`dw` is exactly 1/N of the expected values (N = 4) — did you average over the batch" in cai
    assert "`dx` is wrong" not in cai and "`db` is wrong" not in cai
    assert "Your code took" in cai and "the reference" in cai  # time against the reference


def test_reports_time_the_student_against_the_reference(graded_class):
    _, reports, _ = graded_class
    ben = [(r.assignment, t) for r in reports if r.student == "ben" for t in r.tasks]
    assert ben and all(t.seconds > 0 for _, t in ben)
    for slug, result in ben:  # outcome-only tasks have no reference run to compare with
        task = next(t for t in tasks_for(slug) if t.name == result.task)
        if any(case.reference_seconds > 0 for case in task.cases):
            assert result.reference_seconds > 0, (slug, result.task)


def test_regrading_unchanged_submissions_gives_the_same_scores(graded_class, slugs):
    root, _, table = graded_class
    again = batch.autograde(root, slugs, students=["cai"], workers=1, cell_timeout=5, log=lambda *_: None)
    before = {(r["assignment"], r["task"]): r["score"] for r in table if r["student"] == "cai"}
    after = {(rep.assignment, t.task): t.score for rep in again for t in rep.tasks}
    assert after == before
