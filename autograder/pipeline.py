"""nbgrader preprocessors of the autograde pipeline (configured in ``config.py``).

- ``ExecuteAndGrade`` replaces nbgrader's ``Execute``: it runs the submitted notebook, then, in the
  same kernel, calls the student's functions on every hidden case and judges the outputs here.
- ``ShowVerdicts`` puts each task's verdict into its test cell, so feedback shows it.
- ``SaveVerdicts`` replaces ``SaveAutoGrades``: the gradebook gets the grader's scores, never
  anything computed in the kernel.
"""
from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Float, Integer, Unicode

from . import harness, sandbox
from .cases import Case, Task
from .graders import tasks_for
from .hygiene import scrub
from .intake import remove_tree
from .kernel import SandboxedKernelManager, take_spare
from .report import (CRASHED, GRADED, OUT_OF_MEMORY, TIMED_OUT, CaseResult, Status, SubmissionReport,
                     TaskResult, case_summary)

RESOURCE_KEY = "backprop_lab"


class KernelGone(Exception):
    """The kernel died or stopped answering: nothing more can be asked of it."""


OUTPUT_TYPES = {"stream", "display_data", "execute_result", "update_display_data", "error"}
# The file name IPython gives a cell's code ("/tmp/ipykernel_12/2739893793.py"): students never see it.
CELL_FILE = re.compile(r"(?<![\w./-])[\w./-]*?ipykernel_\d+/\d+\.py|(?<![\w.])\d{5,}\.py\b")  # linear time
MAX_ERROR_TEXT = 2000  # characters of an error's value and of each of its traceback lines (at most 50) kept
MALFORMED = "your kernel's reply could not be read ({why}); did your code change how the notebook displays results?"
MUTATION_SHARE = 0.25  # of a task's points, lost once when any case changed an input in place


_DEFAULT_LIMITS = sandbox.Limits()
# sandbox.Limits field -> the ExecuteAndGrade setting that sets it (c.ExecuteAndGrade.<name> in nbgrader_config.py)
LIMIT_SETTINGS = {"memory": "memory_limit", "cpu": "cpu_limit", "processes": "process_limit",
                  "file_size": "file_size_limit", "tmp": "tmpfs_size"}


class ExecuteAndGrade(Execute):

    memory_limit = Integer(_DEFAULT_LIMITS.memory, help="Bytes of address space of a student's kernel.").tag(config=True)
    cpu_limit = Integer(_DEFAULT_LIMITS.cpu, help="CPU seconds of a student's kernel.").tag(config=True)
    process_limit = Integer(_DEFAULT_LIMITS.processes, help="Processes and threads of a student's kernel.").tag(config=True)
    file_size_limit = Integer(_DEFAULT_LIMITS.file_size, help="Bytes of one file a student's kernel writes.").tag(config=True)
    tmpfs_size = Integer(_DEFAULT_LIMITS.tmp, help="Bytes of each of the kernel's two tmpfs folders (its working "
                                                   "folder and /tmp; bubblewrap only).").tag(config=True)
    submission_timeout = Float(300.0, help="Seconds a whole submission may take: its cells and the hidden "
                                           "cases together.").tag(config=True)
    output_budget = Integer(2 * 2**20, help="Bytes of output kept from a whole notebook, across every kind "
                                            "of output message.").tag(config=True)
    scratch_root = Unicode("", help="Folder for the kernels' scratch folders (default: the system's temporary "
                                    "folder); make autograde uses one per batch and removes it at the end.").tag(config=True)
    # zmq drops a message over kernel.MAX_MESSAGE_BYTES together with the connection it came on: a
    # cell whose reply came but whose end-of-output status was lost is finished, not hung, and the
    # channels are opened again (see _reconnect).
    raise_on_iopub_timeout = False

    def preprocess(self, nb: NotebookNode, resources=None, km=None):
        slug = resources["nbgrader"]["assignment"]
        tasks = tasks_for(slug)
        self.__init_client(nb, km, resources)
        self._slug = slug
        self._deadline = time.monotonic() + self.submission_timeout
        self.timeout_func = self._cell_timeout
        isolation = sandbox.detect()
        spare = take_spare((resources["nbgrader"]["student"], slug),  # started ahead for these very files
                           Path(resources["metadata"]["path"]))
        self._scratch = spare[1] if spare else sandbox.make_scratch(Path(resources["metadata"]["path"]), isolation,
                                                                   Path(self.scratch_root) if self.scratch_root else None)
        if spare:
            self.km = spare[0]
        self._isolation = isolation
        self._output_bytes = 0
        try:
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                if isolation.uid is not None:
                    sandbox.lock_scratch(self._scratch)
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                status, message = self._run_notebook(resources)
                results = self._grade(tasks) if status in (GRADED, TIMED_OUT, OUT_OF_MEMORY) else [
                    self._not_run(t, f"Not graded: {message}") for t in tasks]
        finally:
            remove_tree(self._scratch)
        if any(r.status == TIMED_OUT for r in results) and self._remaining() <= 0 and status == GRADED:
            status, message = TIMED_OUT, self._out_of_time()
        resources[RESOURCE_KEY] = SubmissionReport(
            resources["nbgrader"]["student"], slug, status, message, results)
        return self.nb, self.resources

    @property
    def limits(self) -> sandbox.Limits:
        return sandbox.Limits(**{field: getattr(self, name) for field, name in LIMIT_SETTINGS.items()})

    @classmethod
    def limits_from(cls, config) -> sandbox.Limits:
        """The kernel limits a configuration sets (the defaults where it says nothing)."""
        section = config.get("ExecuteAndGrade", {})
        return sandbox.Limits(**{field: int(section.get(name, getattr(_DEFAULT_LIMITS, field)))
                                 for field, name in LIMIT_SETTINGS.items()})

    def create_kernel_manager(self):
        self.km = SandboxedKernelManager(kernel_name="python3", config=self.config)
        self.km.configure(self._scratch, self._isolation, self.limits)
        return self.km

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _cell_timeout(self, cell) -> int:
        return max(1, int(min(self.timeout, self._remaining())))

    def _out_of_time(self) -> str:
        return (f"Your submission used up the {self.submission_timeout:g} s allowed for a whole notebook (its "
                "cells and the hidden cases together); what had not run by then scored nothing.")

    def _run_notebook(self, resources) -> tuple[str, str]:
        """Execute every cell; the submission's status and a sentence saying why."""
        timed_out, out_of_memory = [], []
        for index, cell in enumerate(self.nb.cells):
            where = cell_name(self.nb, index)
            if cell.cell_type == "code" and self._remaining() < 1:
                return TIMED_OUT, self._out_of_time()
            hung = (f"{where} ran past its time limit and did not stop when interrupted, so the kernel was "
                    "stopped; nothing could be graded.")
            self._idle_seen = False
            try:
                self.preprocess_cell(cell, resources, index)
                if cell.cell_type == "code" and not self._idle_seen and not _raised(cell, "CellTimeoutError"):
                    self._reconnect()
            except (DeadKernelError, KernelGone):
                return CRASHED, (f"The kernel died while running {where} (a crash, exit(), or a memory or CPU "
                                 "limit); nothing could be graded.")
            except CellTimeoutError:  # no answer at all after the interrupt
                run_sync(self.km.shutdown_kernel)(now=True)
                return TIMED_OUT, hung
            except Exception as error:  # a message forged past Jupyter's format
                run_sync(self.km.shutdown_kernel)(now=True)
                return CRASHED, (f"{where} sent messages the grader could not read ({type(error).__name__}); "
                                 "nothing could be graded.")
            if _raised(cell, "CellTimeoutError"):
                timed_out.append(where)
                if not self._responsive():
                    return TIMED_OUT, hung
            if _raised(cell, "MemoryError"):
                out_of_memory.append(where)
        if out_of_memory:
            return OUT_OF_MEMORY, (f"{_listed(out_of_memory)} ran out of memory (the limit is "
                                   f"{self.limits.memory / 2**30:g} GiB); the tasks were graded anyway.")
        if timed_out:
            return TIMED_OUT, (f"{_listed(timed_out)} did not finish within {self.timeout} s (or the time left "
                               "for the whole submission) and were interrupted; the tasks were graded anyway.")
        return GRADED, "Graded."

    def _responsive(self) -> bool:
        """After an interrupt: does the kernel answer again? If not, it is shut down."""
        try:
            self._ask("result = {}", {}, 10)
            return True
        except (TimeoutError, KernelGone, harness.MalformedReply):
            run_sync(self.km.shutdown_kernel)(now=True)
            return False

    def process_message(self, msg, cell, cell_index):
        """Every kind of output counts against one budget per notebook; what is over it is dropped
        before nbclient stores it. Comm (widget) messages are never kept."""
        msg_type = msg.get("msg_type")
        if not isinstance(msg.get("content"), dict):
            return None
        if msg_type in OUTPUT_TYPES:
            size = len(str(msg.get("content", "")))
            self._output_bytes += size
            if self._output_bytes > self.output_budget:
                if self._output_bytes - size <= self.output_budget:
                    cell.outputs.append(NotebookNode(output_type="stream", name="stderr", text=(
                        f"\n[output cut: this notebook printed more than {self.output_budget / 2**20:g} MiB; "
                        "later output is not shown]\n")))
                if msg_type != "error":
                    return None
                msg["content"] = {"ename": str(msg["content"].get("ename", ""))[:100],
                                  "evalue": str(msg["content"].get("evalue", ""))[:200], "traceback": []}
        elif msg_type and msg_type.startswith("comm"):
            return None
        if msg_type == "error":
            content = msg["content"]
            traceback = content.get("traceback")
            content["ename"] = str(content.get("ename", ""))[:200]
            content["evalue"] = CELL_FILE.sub("your cell", str(content.get("evalue", ""))[:MAX_ERROR_TEXT])
            content["traceback"] = [CELL_FILE.sub("your cell", str(line)[:MAX_ERROR_TEXT])
                                    for line in (traceback if isinstance(traceback, list) else [])[-50:]]
        elif msg_type == "status" and msg.get("content", {}).get("execution_state") == "idle":
            self._idle_seen = True
        return super().process_message(msg, cell, cell_index)

    def _reconnect(self, wait: bool = True) -> None:
        """A fresh client for the kernel (after zmq dropped an oversized message and its connection);
        with ``wait``, KernelGone unless the kernel answers within 30 s."""
        self.kc.stop_channels()
        self.kc = self.km.client()
        self.kc.start_channels()
        if wait:
            try:
                run_sync(self.kc.wait_for_ready)(timeout=30)
            except RuntimeError:
                raise KernelGone() from None

    def __init_client(self, nb, km, resources):
        # What ExecutePreprocessor.preprocess does before it starts the kernel.
        from nbclient import NotebookClient
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)

    def _grade(self, tasks: tuple[Task, ...]) -> list[TaskResult]:
        if not run_sync(self.km.is_alive)():
            return [self._not_run(t, "Not graded: the kernel had stopped.") for t in tasks]
        unanswered = "Not graded: the kernel stopped answering."
        try:
            names = [t.name for t in tasks]
            defined = self._ask(f"result = {{name: np.float64(name in globals()) for name in {names!r}}}", {},
                                max(1.0, min(30.0, self._remaining())))
        except (KernelGone, TimeoutError):
            defined = None
        except harness.MalformedReply as why:
            defined, unanswered = None, f"Not graded: {MALFORMED.format(why=why)}"
        results = []
        errors = self._cell_errors()
        for task in tasks:
            flag = harness.decode_array(defined.outputs.get(task.name)) if defined is not None else None
            if flag is None:
                results.append(self._not_run(task, unanswered))
            elif flag != 1.0:
                why = (f" Running its answer cell raised {errors[task.name]}." if task.name in errors else
                       " Its answer cell must define it under exactly that name.")
                results.append(self._not_run(task, f"Your notebook defines no `{task.name}`.{why}",
                                             status=Status.TASK_MISSING))
            else:
                results.append(self._grade_task(task))
        return blame_dependencies(tasks, results)

    @staticmethod
    def _not_run(task: Task, message: str, status: str = Status.NOT_RUN) -> TaskResult:
        return TaskResult(task.name, task.points, 0.0, status, message, task.hint)

    def _grade_task(self, task: Task) -> TaskResult:
        cases: list[CaseResult] = []
        status = Status.GRADED
        seconds = reference_seconds = 0.0
        mutated: set[str] = set()
        for case in task.cases:
            if status != Status.GRADED:
                cases.append(CaseResult(case.name, False, ["not run: an earlier case " + status]))
                continue
            start = time.monotonic()
            verdict = None
            budget = min(task.timeout, self._remaining())
            try:
                if budget <= 0:
                    raise TimeoutError()
                reply = self._ask(case.call, case.inputs, budget)
                verdict = judge(case, reply, self._slug)
                problems = verdict.problems
                mutated |= set(verdict.mutated)
                if reply is not None and reply.seconds is not None:
                    seconds += reply.seconds
                    reference_seconds += case.reference_seconds
            except TimeoutError:
                status = Status.TIMED_OUT
                problems = [f"did not finish within {budget:.3g} s (an endless loop?)" if budget > 0 else
                            "not run: the time for the whole submission was used up"]
            except KernelGone:
                status = Status.CRASHED
                problems = ["the kernel died while running this case (a crash or out of memory)"]
            except harness.MalformedReply as why:
                problems = [MALFORMED.format(why=why)]
            notes = verdict.notes if verdict else []
            cases.append(CaseResult(case.name, not problems, problems + notes,
                                    round(time.monotonic() - start, 3)))
        passed = sum(c.passed for c in cases)
        score = task.points * passed / len(cases) if cases else 0.0
        penalty = f"; {MUTATION_SHARE:.0%} of the points lost for changing {_listed(sorted(mutated), '`')} in place" \
            if mutated else ""
        if mutated:
            score = max(0.0, score - MUTATION_SHARE * task.points)
        result = TaskResult(task.name, task.points, round(score, 2), status, "", task.hint, cases,
                            round(seconds, 4), round(reference_seconds, 4))
        result.message = case_summary(result) + penalty + ("" if status == Status.GRADED else f" ({status.value})")
        return result

    def _ask(self, call: str, inputs: dict[str, np.ndarray], timeout: float) -> harness.Reply | None:
        """Run one call in the kernel; its validated reply, or None if none came back."""
        replies: list[object] = []

        def hook(msg):  # keeps only the last reply: a flood of them cannot fill the grader's memory
            content = msg.get("content")
            data = content.get("data") if isinstance(content, dict) else None
            if msg.get("msg_type") == "display_data" and isinstance(data, dict) and harness.MIME in data:
                replies[:] = [data[harness.MIME]]

        try:
            run_sync(self.kc.execute_interactive)(
                harness.kernel_code(call, inputs), store_history=False, allow_stdin=False,
                timeout=timeout, output_hook=hook)
        except (AttributeError, KeyError, TypeError, ValueError) as error:  # a message forged past Jupyter's format
            raise harness.MalformedReply(f"a message not in Jupyter's format ({type(error).__name__})") from None
        except TimeoutError:
            if not run_sync(self.kc.is_alive)():
                raise KernelGone() from None
            run_sync(self.km.interrupt_kernel)()
            self._reconnect(wait=False)
            raise
        if not run_sync(self.kc.is_alive)():
            raise KernelGone()
        return harness.read_reply(replies[-1]) if replies else None

    def _cell_errors(self) -> dict[str, str]:
        """grade_id -> "ename: evalue" of the first error each answer cell raised (bounded, scrubbed)."""
        errors = {}
        for cell in self.nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            for output in cell.get("outputs", []):
                if grade_id and output.get("output_type") == "error":
                    text = f"{str(output.get('ename'))[:100]}: {str(output.get('evalue'))[:300]}"
                    errors.setdefault(grade_id, scrub(text, self._slug)[:200])
        return errors


def blame_dependencies(tasks: tuple[Task, ...], results: list[TaskResult]) -> list[TaskResult]:
    """A task that lost points while calling another task of the student's that also lost points
    says so first: the earlier task is where to look."""
    lost = {r.task for r in results if r.score < r.points}
    for task, result in zip(tasks, results):
        if task.name not in lost:
            continue
        calls = " ".join(case.call for case in task.cases)
        culprits = [t.name for t in tasks if t.name != task.name and t.name in lost
                    and re.search(rf"\b{re.escape(t.name)}\b", calls)]
        if culprits:
            result.message = (f"This task calls your {_listed(culprits, '`')}, which also lost points on its own "
                              f"hidden cases: fix {'it' if len(culprits) == 1 else 'them'} first. {result.message}")
    return results


@dataclass
class Verdict:
    problems: list[str]                                  # why the case failed (empty: passed)
    mutated: list[str] = field(default_factory=list)     # inputs the call changed in place
    notes: list[str] = field(default_factory=list)       # said in feedback, not counted per case


def judge(case: Case, reply: harness.Reply | None, slug: str) -> Verdict:
    """The grader's verdict on one case. Values are judged on their own; an input changed in place
    is reported separately (the task loses MUTATION_SHARE of its points once)."""
    if reply is None:
        return Verdict(["no result came back from your kernel (did your code replace `display` or exit?)"])
    if reply.error:
        return Verdict([f"raised {scrub(reply.error, slug)[:300]}"])
    outputs = {name: harness.decode_array(text) for name, text in reply.outputs.items()}
    problems = [f"`{name}` could not be read as a numeric array" for name, value in outputs.items()
                if value is None and name in case.expected]
    problems += [f"`{name}` could not be converted to a numeric array" for name in reply.unconvertible
                 if name in case.expected]
    try:
        judged = case.judge({name: value for name, value in outputs.items() if value is not None})
    except Exception as error:  # outputs no honest solution returns (odd shapes, sizes, kinds)
        judged = [f"your outputs could not be judged ({type(error).__name__}): check their shapes and types "
                  "against the docstring"]
    problems += [scrub(p, slug) for p in judged]
    mutated = [name for name, value in case.inputs.items()
               if not _same(harness.decode_array(reply.inputs_after.get(name)), value)]
    notes = ["your code changed its input " + _listed(mutated, "`") + " in place; it must leave inputs "
             "untouched (work on a copy)"] if mutated else []
    return Verdict(problems, mutated, notes)


def _listed(items, quote: str = "") -> str:
    return ", ".join(f"{quote}{item}{quote}" for item in items)


def cell_name(nb: NotebookNode, index: int) -> str:
    """How the student finds a cell: the task's answer or test cell, or the code cell's number."""
    grade_id = nb.cells[index].metadata.get("nbgrader", {}).get("grade_id")
    if grade_id:
        return f"the {'test' if grade_id.startswith('test_') else 'answer'} cell of `{grade_id.removeprefix('test_')}`"
    number = sum(c.cell_type == "code" for c in nb.cells[:index + 1])
    return f"code cell {number}"


def _same(after: np.ndarray | None, before: np.ndarray) -> bool:
    return after is not None and after.shape == before.shape and np.array_equal(after, before, equal_nan=True)


def _raised(cell: NotebookNode, ename: str) -> bool:
    return any(o.get("output_type") == "error" and o.get("ename") == ename for o in cell.get("outputs", []))


class ShowVerdicts(NbGraderPreprocessor):
    """Appends each task's verdict (per case, no reference values) to its test cell's outputs."""

    def preprocess(self, nb, resources):
        report: SubmissionReport = resources[RESOURCE_KEY]
        by_cell = {f"test_{t.task}": t for t in report.tasks}
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "code" and grade_id in by_cell:
                text, markup = render_task(by_cell[grade_id])
                cell.outputs.append(NotebookNode(output_type="display_data", metadata={},
                                                 data={"text/plain": text, "text/html": markup}))
        return nb, resources


def render_task(task: TaskResult) -> tuple[str, str]:
    head = f"Autograder: {task.task}: {task.score:g} / {task.points:g} points. {task.message}"
    lines = [head] + [f"  {'passed' if c.passed else 'FAILED'}  {c.name}"
                      + "".join(f"\n          {p}" for p in c.problems) for c in task.cases]
    timing = ""
    if task.reference_seconds > 0:
        timing = (f"Your code took {task.seconds:.3g} s on these cases, the reference "
                  f"{task.reference_seconds:.3g} s ({task.seconds / task.reference_seconds:.0f}×).")
        lines.append(f"  {timing}")
    if task.score < task.points and task.hint:
        lines.append(f"  Hint: {task.hint}")
    items = "".join(
        f"<li>{'✅' if c.passed else '❌'} {html.escape(c.name)}"
        + ("<ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in c.problems) + "</ul>" if c.problems else "")
        + "</li>" for c in task.cases)
    hint = f"<p><b>Hint:</b> {html.escape(task.hint)}</p>" if task.score < task.points and task.hint else ""
    markup = (f"<div class='backprop-lab-verdict'><p><b>Autograder — {html.escape(task.task)}: "
              f"{task.score:g} / {task.points:g} points.</b> {html.escape(task.message)}</p>"
              f"<ul>{items}</ul>{hint}" + (f"<p>{html.escape(timing)}</p>" if timing else "") + "</div>")
    return "\n".join(lines), markup


class SaveVerdicts(NbGraderPreprocessor):
    """Writes the grader's scores into the gradebook and the report beside the graded notebook."""

    def preprocess(self, nb, resources):
        report: SubmissionReport = resources[RESOURCE_KEY]
        meta = resources["nbgrader"]
        save_scores(meta["db_url"], meta["assignment"], meta["notebook"], meta["student"], report)
        report.write(Path(resources["metadata"]["path"]))
        return nb, resources


def save_scores(db_url: str, assignment: str, notebook: str, student: str, report: SubmissionReport) -> None:
    """Every grade cell of the notebook gets the report's score (0 for a task without one)."""
    scores = {f"test_{t.task}": t.score for t in report.tasks}
    messages = {t.task: f"{t.score:g} / {t.points:g}: {t.message}" for t in report.tasks}
    with Gradebook(db_url) as gb:
        gb.update_or_create_submission(assignment, student)
        submission = gb.find_submission_notebook(notebook, assignment, student)
        for grade in submission.grades:
            grade.auto_score = scores.get(grade.name, 0.0)
            grade.needs_manual_grade = False
        for comment in submission.comments:
            comment.auto_comment = messages.get(comment.name, report.message)
        gb.db.commit()
