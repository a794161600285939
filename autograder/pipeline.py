"""nbgrader preprocessors of the autograde pipeline (configured in ``config.py``).

- ``ExecuteAndGrade`` replaces nbgrader's ``Execute``: it runs the submitted notebook, then, in the
  same kernel, calls the student's functions on every hidden case and judges the outputs here.
- ``ShowVerdicts`` puts each task's verdict into its test cell, so feedback shows it.
- ``SaveVerdicts`` replaces ``SaveAutoGrades``: the gradebook gets the grader's scores, never
  anything computed in the kernel.
"""
from __future__ import annotations

import html
import shutil
import time
from pathlib import Path

import numpy as np
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor

from . import harness, sandbox
from .cases import Case, Task
from .graders import tasks_for
from .kernel import SandboxedKernelManager
from .report import (CRASHED, GRADED, OUT_OF_MEMORY, TIMED_OUT, CaseResult, SubmissionReport,
                     TaskResult, case_summary)

RESOURCE_KEY = "backprop_lab"


class KernelGone(Exception):
    """The kernel died or stopped answering: nothing more can be asked of it."""


class ExecuteAndGrade(Execute):

    limits = sandbox.Limits()

    def preprocess(self, nb: NotebookNode, resources=None, km=None):
        slug = resources["nbgrader"]["assignment"]
        tasks = tasks_for(slug)
        self.__init_client(nb, km, resources)
        isolation = sandbox.detect()
        self._scratch = sandbox.make_scratch(Path(resources["metadata"]["path"]), isolation)
        self._isolation = isolation
        self._output_bytes: dict[int, int] = {}
        try:
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                status, message = self._run_notebook(resources)
                results = self._grade(tasks) if status in (GRADED, TIMED_OUT, OUT_OF_MEMORY) else [
                    self._not_run(t, f"Not graded: {message}") for t in tasks]
        finally:
            shutil.rmtree(self._scratch, ignore_errors=True)
        resources[RESOURCE_KEY] = SubmissionReport(
            resources["nbgrader"]["student"], slug, status, message, results)
        return self.nb, self.resources

    def create_kernel_manager(self):
        self.km = SandboxedKernelManager(kernel_name="python3", config=self.config)
        self.km.configure(self._scratch, self._isolation, self.limits)
        return self.km

    def _run_notebook(self, resources) -> tuple[str, str]:
        """Execute every cell; the submission's status and a sentence saying why."""
        timed_out, out_of_memory = [], []
        for index, cell in enumerate(self.nb.cells):
            hung = (f"Cell {index + 1} ran past {self.timeout} s and did not stop when interrupted, so the "
                    "kernel was stopped; nothing could be graded.")
            try:
                self.preprocess_cell(cell, resources, index)
            except DeadKernelError:
                return CRASHED, (f"The kernel died while running cell {index + 1} of your notebook (a crash, "
                                 "exit(), or a memory or CPU limit); nothing could be graded.")
            except CellTimeoutError:  # no answer at all after the interrupt
                run_sync(self.km.shutdown_kernel)(now=True)
                return TIMED_OUT, hung
            if _raised(cell, "CellTimeoutError"):
                timed_out.append(index + 1)
                if not self._responsive():
                    return TIMED_OUT, hung
            if _raised(cell, "MemoryError"):
                out_of_memory.append(index + 1)
        if out_of_memory:
            return OUT_OF_MEMORY, (f"Cell(s) {', '.join(map(str, out_of_memory))} ran out of memory (the limit "
                                   f"is {self.limits.memory / 2**30:g} GiB); the tasks were graded anyway.")
        if timed_out:
            return TIMED_OUT, (f"Cell(s) {', '.join(map(str, timed_out))} did not finish within "
                               f"{self.timeout} s and were interrupted; the tasks were graded anyway.")
        return GRADED, "Graded."

    def _responsive(self) -> bool:
        """After an interrupt: does the kernel answer again? If not, it is shut down."""
        try:
            self._ask("result = {}", {}, 10)
            return True
        except (TimeoutError, KernelGone):
            run_sync(self.km.shutdown_kernel)(now=True)
            return False

    def output(self, outs, msg, display_id, cell_index):
        """Keeps at most ``limits.output`` bytes of output per cell; the rest is dropped as it arrives."""
        size = len(str(msg.get("content", "")))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size <= self.limits.output:
            return super().output(outs, msg, display_id, cell_index)
        if used <= self.limits.output:
            outs.append(NotebookNode(output_type="stream", name="stderr", text=(
                f"\n[output cut: this cell printed more than {self.limits.output // 2**20} MiB]\n")))
        return None

    def __init_client(self, nb, km, resources):
        # What ExecutePreprocessor.preprocess does before it starts the kernel.
        from nbclient import NotebookClient
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)

    def _grade(self, tasks: tuple[Task, ...]) -> list[TaskResult]:
        if not run_sync(self.km.is_alive)():
            return [self._not_run(t, "Not graded: the kernel had stopped.") for t in tasks]
        try:
            names = [t.name for t in tasks]
            defined = self._ask(f"result = {{name: np.float64(name in globals()) for name in {names!r}}}", {}, 30)
        except (KernelGone, TimeoutError):
            defined = None
        results = []
        errors = _cell_errors(self.nb)
        for task in tasks:
            if defined is None or defined.get("outputs", {}).get(task.name) is None:
                results.append(self._not_run(task, "Not graded: the kernel stopped answering."))
            elif harness.decode_array(defined["outputs"][task.name]) != 1.0:
                why = (f" Running its answer cell raised {errors[task.name]}." if task.name in errors else
                       " Its answer cell must define it under exactly that name.")
                results.append(self._not_run(task, f"Your notebook defines no `{task.name}`.{why}",
                                             status="missing"))
            else:
                results.append(self._grade_task(task))
        return results

    @staticmethod
    def _not_run(task: Task, message: str, status: str = "not run") -> TaskResult:
        return TaskResult(task.name, task.points, 0.0, status, message, task.hint)

    def _grade_task(self, task: Task) -> TaskResult:
        cases: list[CaseResult] = []
        status = "graded"
        seconds = reference_seconds = 0.0
        for case in task.cases:
            if status != "graded":
                cases.append(CaseResult(case.name, False, ["not run: an earlier case " + status]))
                continue
            start = time.monotonic()
            budget = task.timeout
            try:
                reply = self._ask(case.call, case.inputs, budget)
                problems = judge(case, reply)
                if reply is not None and isinstance(reply.get("seconds"), (int, float)):
                    seconds += float(reply["seconds"])
                    reference_seconds += case.reference_seconds
            except TimeoutError:
                status = "timed out"
                problems = [f"did not finish within {budget:g} s (an endless loop?)"]
            except KernelGone:
                status = "crashed"
                problems = ["the kernel died while running this case (a crash or out of memory)"]
            cases.append(CaseResult(case.name, not problems, problems, round(time.monotonic() - start, 3)))
        passed = sum(c.passed for c in cases)
        score = round(task.points * passed / len(cases), 2) if cases else 0.0
        result = TaskResult(task.name, task.points, score, status, "", task.hint, cases,
                            round(seconds, 4), round(reference_seconds, 4))
        result.message = case_summary(result) + ("" if status == "graded" else f" ({status})")
        return result

    def _ask(self, call: str, inputs: dict[str, np.ndarray], timeout: float) -> dict | None:
        """Run one call in the kernel; the parsed reply, or None if none came back."""
        replies: list[str] = []

        def hook(msg):  # keeps only the last reply: a flood of them cannot fill the grader's memory
            data = msg.get("content", {}).get("data", {})
            if msg.get("msg_type") == "display_data" and harness.MIME in data:
                replies[:] = [data[harness.MIME]]

        try:
            run_sync(self.kc.execute_interactive)(
                harness.kernel_code(call, inputs), store_history=False, allow_stdin=False,
                timeout=timeout, output_hook=hook)
        except TimeoutError:
            if not run_sync(self.kc.is_alive)():
                raise KernelGone() from None
            run_sync(self.km.interrupt_kernel)()
            raise
        if not run_sync(self.kc.is_alive)():
            raise KernelGone()
        return harness.read_reply(replies[-1]) if replies else None


def judge(case: Case, reply: dict | None) -> list[str]:
    """The grader's verdict on one case: a list of problems, empty when it passed."""
    if reply is None:
        return ["no result came back from your kernel (did your code replace `display` or exit?)"]
    if reply.get("error"):
        return [f"raised {reply['error']}"]
    outputs = {name: harness.decode_array(text) for name, text in reply["outputs"].items()}
    problems = [f"`{name}` could not be read as a numeric array" for name, value in outputs.items() if value is None]
    problems += [f"`{name}` could not be converted to a numeric array" for name in reply.get("unconvertible", {})]
    problems += case.judge({name: value for name, value in outputs.items() if value is not None})
    after = reply.get("inputs_after", {})
    mutated = [name for name, value in case.inputs.items()
               if name in after and not _same(harness.decode_array(after[name]), value)]
    if mutated:
        problems.append("your code changed its input " + ", ".join(f"`{n}`" for n in mutated)
                        + " in place; it must leave inputs untouched")
    return problems


def _same(after: np.ndarray | None, before: np.ndarray) -> bool:
    return after is not None and after.shape == before.shape and np.array_equal(after, before, equal_nan=True)


def _cell_errors(nb: NotebookNode) -> dict[str, str]:
    """grade_id -> "ename: evalue" of the first error each answer cell raised."""
    errors = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if grade_id and output.get("output_type") == "error":
                errors.setdefault(grade_id, f"{output.get('ename')}: {output.get('evalue')}"[:200])
    return errors


def _raised(cell: NotebookNode, ename: str) -> bool:
    return any(o.get("output_type") == "error" and o.get("ename") == ename for o in cell.get("outputs", []))


class ForgetUnknownCells(NbGraderPreprocessor):
    """Cells that claim an nbgrader role the assignment does not have become ordinary cells
    (nbgrader's OverwriteCells half-strips their metadata and then crashes on them)."""

    def preprocess(self, nb, resources):
        meta = resources["nbgrader"]
        with Gradebook(meta["db_url"]) as gb:
            known = {c.name for c in gb.find_notebook(meta["notebook"], meta["assignment"]).source_cells}
        for cell in nb.cells:
            if "nbgrader" in cell.metadata and cell.metadata["nbgrader"].get("grade_id") not in known:
                del cell.metadata["nbgrader"]
        return nb, resources


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
