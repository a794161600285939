"""A task's hidden cases go to the student's kernel in one request, with the grading of one request
per case: each case keeps its own time limit, and whatever the student's code displays in a case
wins it nothing and cannot make the grader keep more than one reply per case.

Each test runs a correct 01 notebook, with a probe cell appended, in a real kernel in this process,
then asks and judges its tasks as ``AskHiddenCases`` and ``JudgeCases`` do.
"""
import textwrap
import time
import tracemalloc
from dataclasses import replace

import nbformat
import pytest

from autograder import harness, paths, pipeline, submissions
from autograder.graders import tasks_for
from autograder.report import Status

pytestmark = pytest.mark.slow
SLUG = "01_fc_layer"
TIMEOUT = 2.0  # seconds per case here (the graders give 10)


def counted(probe: str, when: str = "len(_calls) == 3") -> str:
    """A cell that makes fc_forward count its calls in ``_calls`` and run ``probe`` in those ``when`` holds
    for (fc_forward's cases come first, then fc_backward's, each of which calls it once)."""
    return ("_forward, _calls = fc_forward, []\n"
            "def fc_forward(x, w, b):\n"
            "    _calls.append(1)\n"
            f"    if {when}:\n"
            f"{textwrap.indent(probe, ' ' * 8)}\n"
            "    return _forward(x, w, b)\n")


FORGER = '''
import base64, io, json, os
import IPython.display
_forward, _forged = fc_forward, []
def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array, dtype=np.float64))
    return base64.b64encode(buffer.getvalue()).decode()
def fc_forward(x, w, b):
    out, cache = _forward(x, w, b)
    if not _forged:  # in the first case: its right answer, replayed as the answer to every later case
        _forged.append(1)
        reply = {"outputs": {"out": _npy(out)}, "inputs_after": {"x": _npy(x), "w": _npy(w), "b": _npy(b)}}
        for case in range(1, 100):
            IPython.display.display({MIME: json.dumps({"case": case, **reply})}, raw=True)
        ENDING
    return out, cache
'''


@pytest.fixture
def start():
    """start(probe) -> the client of a kernel that ran the correct notebook and then ``probe``."""
    kernels = []

    def started(probe: str = ""):
        notebook = submissions.reference_notebook(SLUG)
        notebook.cells.append(nbformat.v4.new_code_cell(probe.replace("MIME", repr(harness.MIME))))
        resources = {"nbgrader": {"student": "probe", "assignment": SLUG},
                     "metadata": {"path": str(paths.RELEASE / SLUG)}}
        _, resources = pipeline.RunNotebook().preprocess(notebook, resources)
        grading = resources[pipeline.RESOURCE_KEY]
        kernels.append(grading.kernel)
        assert grading.status == Status.GRADED, grading.message
        return grading.client

    yield started
    for kernel in kernels:
        kernel.close()


def grade(client) -> dict:
    """task name -> its result, every case given TIMEOUT seconds."""
    tasks = tuple(replace(task, timeout=TIMEOUT) for task in tasks_for(SLUG))
    return {asked.task.name: pipeline.judge_task(asked, SLUG) for asked in pipeline.ask_tasks(client, tasks, SLUG)}


def calls_made(client) -> int:
    return int(harness.decode_array(client.ask("result = {'n': len(_calls)}", {}, 10).outputs["n"]))


def test_each_task_is_one_request(start, monkeypatch):
    client = start()
    sent = []
    execute = type(client.kc).execute
    monkeypatch.setattr(type(client.kc), "execute", lambda kc, code, **kw: sent.append(code) or execute(kc, code, **kw))
    results = grade(client)
    assert all(r.score == r.points and r.status == Status.GRADED for r in results.values()), results
    assert len(sent) == 1 + len(results)  # which tasks are defined, then one request per task


@pytest.mark.parametrize("probe", ["while True:\n    pass", "while True:\n    display({MIME: '{}'}, raw=True)"],
                         ids=["endless loop", "endless flood of replies"])
def test_a_case_that_hangs_times_out_alone_and_stops_its_request(start, probe):
    client = start("from IPython.display import display\n" + counted(probe))
    began = time.monotonic()
    results = grade(client)
    assert time.monotonic() - began < TIMEOUT + 6
    forward = results["fc_forward"]
    assert forward.status == Status.TIMED_OUT
    assert [c.passed for c in forward.cases] == [True, True] + [False] * (len(forward.cases) - 2)
    assert forward.cases[2].problems == [f"did not finish within {TIMEOUT:g} s (an endless loop?)"]
    assert all(c.problems == ["not run: an earlier case timed out"] for c in forward.cases[3:])
    assert TIMEOUT <= forward.cases[2].seconds < TIMEOUT + 1
    others = [r for name, r in results.items() if name != "fc_forward"]
    assert all(r.score == r.points and r.status == Status.GRADED for r in others), others
    # The interrupt ended the request: the cases after the one that hung never ran (fc_backward calls
    # fc_forward once per case).
    assert calls_made(client) == 3 + len(results["fc_backward"].cases)


def test_each_case_has_its_own_time_limit(start):
    results = grade(start("import time\n" + counted(f"time.sleep({0.6 * TIMEOUT})", when="len(_calls) <= 4")))
    assert all(r.score == r.points and r.status == Status.GRADED for r in results.values()), results
    assert all(0.6 * TIMEOUT <= c.seconds < TIMEOUT for c in results["fc_forward"].cases[:4])


def test_the_end_of_a_request_is_not_awaited_past_the_last_case(start):
    """A display that never returns after the reply to a task's last case costs one time limit, not the task."""
    hang = ("import IPython.display, json, time\n"
            "_real = IPython.display.display\n"
            "def display(obj, *args, **kwargs):\n"
            "    _real(obj, *args, **kwargs)\n"
            "    if isinstance(obj, dict) and MIME in obj and json.loads(obj[MIME])['case'] == 6:\n"
            "        while True:\n"
            "            time.sleep(0.01)\n"
            "IPython.display.display = display")
    began = time.monotonic()
    results = grade(start(hang))
    assert all(r.score == r.points and r.status == Status.GRADED for r in results.values()), results
    assert [len(r.cases) for r in results.values()] == [7, 7, 6]  # two tasks ended in the hanging display
    assert time.monotonic() - began < 2 * TIMEOUT + 15


def test_a_kernel_that_dies_in_a_case_crashes_that_case(start):
    results = grade(start(counted("import os\nos._exit(1)")))
    forward = results["fc_forward"]
    assert forward.status == Status.CRASHED
    assert [c.passed for c in forward.cases] == [True, True] + [False] * (len(forward.cases) - 2)
    assert forward.cases[2].problems == ["the kernel died while running this case (a crash or out of memory)"]
    assert all(c.problems == ["not run: an earlier case crashed"] for c in forward.cases[3:])


def test_a_reply_that_cannot_be_read_fails_its_case_only(start):
    spoil = ("real = IPython.display.display\n"
             "def spoiled(obj, *args, **kwargs):\n"
             "    IPython.display.display = real\n"
             "    return real({MIME: 'not json'}, raw=True)\n"
             "IPython.display.display = spoiled")
    results = grade(start("import IPython.display\n" + counted(spoil)))
    forward = results["fc_forward"]  # the display each case uses is looked up as it starts: the fourth's is spoiled
    assert [c.passed for c in forward.cases] == [True, True, True, False] + [True] * (len(forward.cases) - 4)
    assert "could not be read (the reply is not valid JSON" in forward.cases[3].problems[0]
    assert forward.status == Status.GRADED and results["fc_backward"].score == results["fc_backward"].points


@pytest.mark.parametrize("ending", ["IPython.display.display = lambda *args, **kwargs: None", "os._exit(0)"])
def test_forged_replies_to_later_cases_earn_nothing(start, ending):
    results = grade(start(FORGER.replace("ENDING", ending)))
    forward = results["fc_forward"]
    assert not any(c.passed for c in forward.cases) and forward.score == 0, forward
    assert sum(r.score for r in results.values()) == 0
    if ending.startswith("os."):
        assert forward.status == Status.CRASHED
        assert forward.cases[-1].problems == ["the kernel died while running this case (a crash or out of memory)"]
    else:
        assert forward.status == Status.GRADED
        assert "no result came back" in forward.cases[0].problems[0]  # its own reply came after later ones


def test_a_flood_of_replies_keeps_one_per_case(start):
    flood = ("junk = json.dumps({'case': 0, 'outputs': {'junk': 'A' * 2**18}})\n"
             "for _ in range(300):\n"
             "    display({MIME: junk}, raw=True)\n"
             "    display('not a reply ' * 1000)")
    client = start("import json\nfrom IPython.display import display\n" + counted(flood, when="len(_calls) == 1"))
    tracemalloc.start()
    try:
        results = grade(client)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert all(r.score == r.points for r in results.values()), results  # each case's own reply came last
    assert peak < 16 * 2**20  # the flood was 300 replies of 256 KiB
