"""Hostile and broken submissions, graded in one batch through `make autograde`'s code path.

Each probe is a real notebook. None may earn what it did not earn honestly, each gets its status,
and the control student graded in the same batch keeps full marks.
"""
import json
import os
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder import batch, feedback, grades, hygiene, paths, submissions
from autograder.config import nbgrader_config
from autograder.graders import tasks_for
from autograder.sandbox import detect

pytestmark = pytest.mark.slow
SLUG = "01_fc_layer"
FULL = sum(t.points for t in tasks_for(SLUG))
ORPHAN = "bplab-orphan-probe"
SUBMISSION_TIMEOUT = 25
RAW_MESSAGES = '''
kernel = get_ipython().kernel
parent = kernel.get_parent("shell")
for msg_type, content in [("error", [1, 2]), ("stream", "text"), ("error", {"ename": 1, "traceback": "tb"}),
                          ("display_data", {"data": 5}), ("comm_msg", None)]:
    kernel.session.send(kernel.iopub_socket, msg_type, content=content, parent=parent)
'''
SLOW_FORWARD = '''
import time
_forward = fc_forward
def fc_forward(x, w, b):
    time.sleep(4)  # just under every budget, many times over
    return _forward(x, w, b)
'''
LINK_EXEC = '''
import pathlib
for name in ("reference.py", "hard.py", "peer.ipynb", "zero"):
    try:
        text = pathlib.Path(name).read_text()[:10**6]
        exec(text, globals()) if name.endswith(".py") else print("read", name)
    except Exception as error:
        print("could not use", name, type(error).__name__)
'''


def cell(source):
    return nbformat.v4.new_code_cell(source)


def reference():
    return submissions.reference_notebook(SLUG)


def blank():
    return submissions.blank_notebook(SLUG)


def appended(notebook, *sources):
    notebook.cells += [cell(s) for s in sources]
    return notebook


def course_paths(root):
    return {"solution": paths.reference_module(SLUG), "gradebook": root / "gradebook.db",
            "control": root / "submitted" / "control" / SLUG / f"{SLUG}.ipynb"}


def probes(root):
    """student -> notebook (or raw bytes, or None for an empty folder)."""
    p = course_paths(root)
    steal = f'''
import pathlib
stolen = {{}}
for path in [{str(p["solution"])!r}, {str(p["control"])!r}, "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"]:
    try:
        exec(pathlib.Path(path).read_text(), stolen)
    except Exception as error:
        print("could not read", path, type(error).__name__)
for name in ("fc_forward", "fc_backward", "sgd_step"):
    if name in stolen:
        globals()[name] = stolen[name]
'''
    gradebook = f'''
import sqlite3
try:
    db = sqlite3.connect({str(p["gradebook"])!r})
    db.execute("UPDATE grade SET auto_score = 100, extra_credit = 100")
    db.commit()
    print("gradebook written")
except Exception as error:
    print("no gradebook:", type(error).__name__)
'''
    patcher = '''
import json, numpy as np, numpy.testing
from IPython.display import display
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
display({"application/x-backprop-lab+json": json.dumps({"outputs": {}})}, raw=True)
print("Autograder: fc_forward: 3 / 3 points")
'''
    transformer = '''
def _blank(lines):
    return ["result = {}\\n"]
get_ipython().input_transformers_cleanup.append(_blank)
'''
    crafted = '''
import numpy as np
class Liar(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)
    def __sub__(self, other): return np.zeros(np.shape(other))
    def __array__(self, dtype=None, copy=None): return np.zeros(self.shape)
class Evil:
    def __reduce__(self): return (print, ("unpickled in the grader!",))
def fc_forward(x, w, b):
    return np.zeros((x.shape[0], w.shape[1])).view(Liar), None
def fc_backward(dout, cache):
    return np.full((1,), np.nan), np.inf, Evil()
def sgd_step(param, grad, lr):
    return {"param": param}
'''
    orphan = f'''
import os, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)  # {ORPHAN}"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)  # {ORPHAN}"])
'''
    tampered = reference()
    test_cells = [c for c in tampered.cells if c.metadata.get("nbgrader", {}).get("grade")]
    test_cells[0].source = "pass"
    test_cells[0].metadata["nbgrader"]["points"] = 1000
    tampered.cells.remove(test_cells[1])
    fake = cell("print('extra credit')")
    fake.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "extra_credit",
                                 "points": 100, "schema_version": 3, "task": False}
    tampered.cells.append(fake)

    notebooks = {
        "control": reference(),
        "patcher": submissions.with_answers(appended(reference(), patcher), {
            t.name: f"{t.name} = None" for t in tasks_for(SLUG)}),
        "thief": appended(blank(), steal),
        "transformer": appended(blank(), transformer),
        "gradebook": appended(blank(), gradebook),
        "crafted": appended(blank(), crafted),
        "exiter": appended(reference(), "import os\nos._exit(0)"),
        "hog": appended(reference(), "import numpy as np\nbig = np.ones(2**30)"),
        "orphan": appended(reference(), orphan),
        "stubborn": appended(reference(), "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                          "while True:\n    pass"),
        "flooder": appended(reference(), "print('x' * 20_000_000)"),
        "mutator": submissions.with_answers(reference(), {"sgd_step": (
            "def sgd_step(param, grad, lr):\n    param -= lr * grad\n    return param")}),
        "tampered": tampered,
        "renamed": reference(),
        "corrupt": b'{"cells": [ this is not json',
        "absent": None,
    }
    forger = '''
import IPython.display
_real_display = IPython.display.display
def _forged(obj, *args, **kwargs):
    mime = "application/x-backprop-lab+json"
    if isinstance(obj, dict) and mime in obj:
        obj = {mime: "[" * 100_000 + "]" * 100_000}
    return _real_display(obj, *args, **kwargs)
IPython.display.display = _forged
'''
    echo = '''
def fc_forward(x, w, b):
    raise ValueError("x = " + repr(x.ravel().tolist()) + " " + "9" * 1_000_000)
'''
    many = [f"print('{c}' * 2**20)" for c in "abcdefghijklmnopqrst"]
    updater = ("from IPython.display import display\nh = display('x', display_id=True)\n"
               "for _ in range(4):\n    h.update('y' * 16 * 2**20)")
    comms = ("from comm import create_comm\n"
             "for i in range(6):\n    create_comm(target_name='jupyter.widget', data={'state': {'v': 'z' * 32 * 2**20}})")
    huge = "from IPython.display import display\ndisplay({'text/plain': 'h' * 100 * 2**20}, raw=True)"
    digger = ("import os\nfor _ in range(3000):\n    os.mkdir('d')\n    os.chdir('d')\n"
              "open('bottom', 'wb').write(b'0' * 2**20)\nos.chdir(os.path.expanduser('~'))")
    filler = "open('fill.bin', 'wb').write(b'0' * 600 * 2**20)"
    claimer = reference()
    answer = next(c for c in claimer.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "fc_forward")
    answer.metadata["nbgrader"].update(grade=True, points=1000)
    string_meta = json.loads(nbformat.writes(reference()))
    string_meta["metadata"] = "not a mapping"

    notebooks.update({
        "forger": appended(reference(), forger),
        "raw_forger": appended(reference(), RAW_MESSAGES),
        "echo": submissions.with_answers(reference(), {"fc_forward": echo}),
        "many_cells": appended(reference(), *many),
        "updater": appended(reference(), updater),
        "comms": appended(reference(), comms),
        "huge": appended(reference(), huge),
        "digger": appended(reference(), digger),
        "filler": appended(reference(), filler),
        "sleeper": appended(reference(), *["import time\ntime.sleep(4.5)"] * 3, SLOW_FORWARD),
        "sprawler": appended(reference(), *["pass"] * 600),
        "claimer": claimer,
        "string_meta": json.dumps(string_meta).encode(),
        "=HYPERLINK(1)": reference(),
    })
    if detect().mode == "bubblewrap":  # anywhere else this would kill the grader
        notebooks["killer"] = appended(reference(), "import os, signal\nos.kill(-1, signal.SIGKILL)")
    return notebooks


def build_course(root):
    """Every probe's submission folder under ``root/submitted``."""
    for student, notebook in probes(root).items():
        folder = root / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        name = "my_work.ipynb" if student == "renamed" else f"{SLUG}.ipynb"
        if isinstance(notebook, bytes):
            (folder / name).write_bytes(notebook)
        elif notebook is not None:
            nbformat.write(notebook, folder / name)
    linked = root / "submitted" / "linker" / SLUG
    linked.mkdir(parents=True)
    nbformat.write(appended(blank(), LINK_EXEC), linked / f"{SLUG}.ipynb")
    for name, target in [("reference.py", paths.reference_module(SLUG)), ("zero", "/dev/zero"),
                         ("peer.ipynb", root / "submitted" / "control" / SLUG / f"{SLUG}.ipynb"),
                         ("grader.py", paths.REPO / "autograder" / "graders" / "planted_by_student.py")]:
        (linked / name).symlink_to(target)
    instructor_copy = root / "solutions-copy.py"  # a secret on the same file system as the submissions
    instructor_copy.write_text(paths.reference_module(SLUG).read_text())
    os.link(instructor_copy, linked / "hard.py")
    dangling = root / "submitted" / "dangler" / SLUG
    dangling.mkdir(parents=True)
    (dangling / f"{SLUG}.ipynb").symlink_to(root / "submitted" / "control" / SLUG / "planted.ipynb")
    nbformat.write(blank(), dangling / "mine.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "course"
    build_course(root)
    seen = [f"scratch before: {sorted(p.name for p in Path(tempfile.gettempdir()).glob('bplab-*'))}"]
    reports = batch.autograde(root, [SLUG], workers=2, cell_timeout=5, submission_timeout=SUBMISSION_TIMEOUT,
                              log=seen.append)
    feedback.generate(root, [SLUG], log=lambda *_: None)
    table = grades.export(root, [SLUG], root / "grades.csv")
    scores = {}
    for row in table:
        scores[row["student"]] = scores.get(row["student"], 0) + row["score"]
    return root, {r.student: r for r in reports}, scores, seen


def test_isolation_is_bubblewrap_here():
    """CI installs bubblewrap: the probes below must run fully isolated there."""
    assert detect().mode == "bubblewrap", detect().why


def test_the_control_student_keeps_full_marks(graded):
    _, reports, scores, _ = graded
    assert scores["control"] == FULL and reports["control"].status == "graded"


@pytest.mark.parametrize("student", ["patcher", "thief", "transformer", "gradebook", "crafted"])
def test_cheaters_earn_nothing(graded, student):
    _, reports, scores, _ = graded
    assert scores[student] == 0, reports[student]


def test_the_kernel_cannot_read_solutions_or_other_students(graded):
    root, _, _, _ = graded
    notebook = nbformat.read(root / "autograded" / "thief" / SLUG / f"{SLUG}.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert printed.count("could not read") == 3  # the solution, another student, held-out labels


def test_only_the_grader_writes_the_gradebook(graded):
    root, _, scores, _ = graded
    from nbgrader.api import Gradebook
    with Gradebook(nbgrader_config(root).CourseDirectory.db_url) as gb:
        for student in ("gradebook", "control"):
            submission = gb.find_submission(SLUG, student)
            assert all(not g.extra_credit for nb in submission.notebooks for g in nb.grades)
            assert submission.score == (FULL if student == "control" else 0)


def test_crashes_and_exits_are_reported_not_fatal(graded):
    _, reports, scores, _ = graded
    assert reports["exiter"].status == "crashed" and scores["exiter"] == 0
    assert "kernel died while running code cell" in reports["exiter"].message


def test_a_kernel_that_kills_every_process_it_can_only_reaches_its_own(graded):
    _, reports, scores, _ = graded
    # kill(-1) spares the caller; in its own process namespace there is nothing else to kill.
    assert reports["killer"].status == "graded" and scores["killer"] == FULL
    assert scores["control"] == FULL


def test_memory_is_bounded_and_the_rest_still_graded(graded):
    _, reports, scores, _ = graded
    assert reports["hog"].status == "out of memory"
    assert scores["hog"] == FULL


def test_processes_started_by_a_kernel_do_not_outlive_it(graded):
    _, reports, scores, _ = graded
    assert scores["orphan"] == FULL
    survivors = subprocess.run(["pgrep", "-f", ORPHAN], capture_output=True, text=True).stdout.split()
    assert survivors == [], "processes started by a student's kernel survived it"


def test_a_kernel_that_ignores_interrupts_is_stopped_and_named(graded):
    _, reports, _, _ = graded
    report = reports["stubborn"]
    assert report.status == "timed out"
    assert "did not stop when interrupted" in report.message
    code_cells = sum(c.cell_type == "code" for c in reference().cells)
    assert f"code cell {code_cells + 1} ran past" in report.message


def test_output_floods_are_cut(graded):
    root, reports, scores, _ = graded
    assert scores["flooder"] == FULL
    size = (root / "autograded" / "flooder" / SLUG / f"{SLUG}.ipynb").stat().st_size
    assert size < 3 * 2**20
    assert (root / "feedback" / "flooder" / SLUG / f"{SLUG}.html").stat().st_size < 4 * 2**20


def test_mutating_inputs_costs_a_quarter_of_the_task_and_is_reported_in_feedback(graded):
    root, reports, scores, _ = graded
    sgd = next(t for t in reports["mutator"].tasks if t.task == "sgd_step")
    assert sgd.score == 0.75 * sgd.points and scores["mutator"] == FULL - 0.25 * sgd.points
    assert all(c.passed and "changed its input `param` in place" in " ".join(c.problems) for c in sgd.cases)
    assert "25% of the points lost for changing `param` in place" in sgd.message
    assert "changed its input `param`" in (root / "feedback" / "mutator" / SLUG / f"{SLUG}.html").read_text()


def test_test_cell_tampering_is_undone_and_reported(graded):
    root, reports, scores, _ = graded
    assert scores["tampered"] == FULL
    message = reports["tampered"].message
    assert "originals were restored" in message and "extra_credit" in message
    with open(root / "grades.csv") as handle:
        assert sum(1 for line in handle if line.startswith("tampered,")) == len(tasks_for(SLUG))


def test_file_level_problems_get_a_status_and_a_reason(graded):
    root, reports, scores, _ = graded
    assert reports["renamed"].status == "graded" and scores["renamed"] == FULL
    assert "my_work.ipynb" in reports["renamed"].message
    assert reports["corrupt"].status == "invalid notebook" and scores["corrupt"] == 0
    assert reports["absent"].status == "missing notebook" and scores["absent"] == 0
    for student in ("corrupt", "absent"):
        page = (root / "feedback" / student / SLUG / f"{SLUG}.html").read_text()
        assert reports[student].status in page


def test_every_probe_has_feedback_without_leaks(graded):
    root, reports, _, _ = graded
    for student in reports:
        assert (root / "feedback" / student / SLUG / f"{SLUG}.html").is_file(), student


def test_a_failed_regrade_leaves_no_stale_grades(graded, tmp_path):
    root, _, _, _ = graded
    target = root / "submitted" / "renamed" / SLUG
    for path in target.glob("*.ipynb"):
        path.unlink()
    (target / f"{SLUG}.ipynb").write_text("{ broken")
    [report] = batch.autograde(root, [SLUG], students=["renamed"], workers=1, cell_timeout=5, log=lambda *_: None)
    assert report.status == "invalid notebook"
    rows = [r for r in grades.rows(root, [SLUG]) if r["student"] == "renamed"]
    assert all(r["score"] == 0 and r["status"] == "invalid notebook" for r in rows)
    assert not (root / "autograded" / "renamed" / SLUG / f"{SLUG}.ipynb").exists()


# Intake: files in the submission folder


def test_links_and_hard_links_in_a_submission_are_left_out_and_named(graded):
    root, reports, scores, _ = graded
    assert scores["linker"] == 0 and reports["linker"].status == "graded"
    for name in ("reference.py", "zero", "peer.ipynb", "grader.py", "hard.py"):
        assert repr(name) in reports["linker"].message
    assert not (paths.REPO / "autograder" / "graders" / "planted_by_student.py").exists()
    assert sorted(p.name for p in (root / "feedback" / "linker" / SLUG).iterdir()) == [f"{SLUG}.html"]


def test_a_dangling_link_writes_nothing_and_the_real_notebook_is_graded(graded):
    root, reports, scores, _ = graded
    assert not (root / "submitted" / "control" / SLUG / "planted.ipynb").exists()
    assert reports["dangler"].status == "graded" and "mine.ipynb" in reports["dangler"].message
    assert scores["control"] == FULL and scores["dangler"] == 0
    assert sorted(p.name for p in (root / "submitted" / "dangler" / SLUG).iterdir()) == [f"{SLUG}.ipynb", "mine.ipynb"]


def test_a_student_id_that_would_be_a_spreadsheet_formula_is_not_graded_and_is_named(graded):
    root, reports, _, seen = graded
    assert "=HYPERLINK(1)" not in reports
    assert any("'=HYPERLINK(1)': not a valid student id" in line for line in seen)
    assert "HYPERLINK" not in (root / "grades.csv").read_text()


def test_metadata_is_reset_from_the_release(graded):
    _, reports, scores, _ = graded
    assert scores["claimer"] == FULL and reports["claimer"].status == "graded"
    assert reports["string_meta"].status == "invalid notebook" and scores["string_meta"] == 0
    assert reports["sprawler"].status == "invalid notebook" and "cells; at most" in reports["sprawler"].message


# Kernel replies and strings


def test_messages_forged_past_jupyters_format_are_dropped(graded):
    _, reports, scores, _ = graded
    assert reports["raw_forger"].status == "graded" and scores["raw_forger"] == FULL, reports["raw_forger"].message


def test_forged_replies_fail_their_cases_with_a_sentence_not_a_grader_error(graded):
    _, reports, scores, _ = graded
    assert reports["forger"].status == "graded" and scores["forger"] == 0
    assert all("reply could not be read (the reply is not valid JSON or is nested too deeply)" in t.message
               for t in reports["forger"].tasks)


def test_kernel_error_text_is_bounded_and_never_carries_hidden_inputs(graded):
    root, reports, scores, _ = graded
    task = next(t for t in reports["echo"].tasks if t.task == "fc_forward")
    sgd = next(t for t in reports["echo"].tasks if t.task == "sgd_step")
    assert task.score == 0 and scores["echo"] == sgd.points  # fc_backward calls fc_forward
    texts = [json.dumps([t.message for t in reports["echo"].tasks] + [c.problems for c in task.cases]),
             (root / "grades.csv").read_text(), (root / "feedback" / "echo" / SLUG / f"{SLUG}.html").read_text()]
    assert all(len(p) < 500 for c in task.cases for p in c.problems)
    assert sum("raised ValueError: x = [" in p for c in task.cases for p in c.problems) == len(task.cases)
    hidden = hygiene.hidden_input_values(SLUG)
    assert hidden.size
    for text in texts:
        numbers = hygiene._numbers(text)
        assert not hygiene._close(numbers, hidden, presorted=True).any()


# Output


@pytest.mark.parametrize("student", ["many_cells", "updater", "comms", "huge"])
def test_one_output_budget_per_notebook_across_every_kind_of_message(graded, student):
    root, reports, scores, _ = graded
    assert scores[student] == FULL and reports[student].status == "graded", reports[student].message
    graded_notebook = root / "autograded" / student / SLUG / f"{SLUG}.ipynb"
    assert graded_notebook.stat().st_size < 4 * 2**20
    assert "widgets" not in nbformat.read(graded_notebook, as_version=4).metadata
    assert (root / "feedback" / student / SLUG / f"{SLUG}.html").stat().st_size < 6 * 2**20


# Disk and time


def test_kernels_write_only_to_a_bounded_tmpfs_that_vanishes(graded):
    _, reports, scores, seen = graded
    for student in ("digger", "filler"):
        assert scores[student] == FULL and reports[student].status == "graded", reports[student].message
    leftovers = [p for p in Path(tempfile.gettempdir()).glob("bplab-*") if p.name not in seen[0]]
    assert leftovers == [], "kernel scratch or staging folders survived grading"


def test_one_deadline_bounds_a_whole_submission(graded):
    _, reports, scores, seen = graded
    report = reports["sleeper"]
    assert report.status == "timed out" and "whole notebook" in report.message
    assert scores["sleeper"] < FULL
    assert "not run: the time for the whole submission was used up" in json.dumps([t.cases for t in report.tasks],
                                                                                 default=vars)
    [line] = [line for line in seen if " sleeper " in line]
    assert float(line.split(" in ")[1].split(" s")[0]) < SUBMISSION_TIMEOUT + 10
