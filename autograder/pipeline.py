"""The nbgrader preprocessors of the autograde pipeline (configured in ``config.py``), one job each:

- ``RunNotebook`` replaces nbgrader's ``Execute``: it runs the submitted notebook in a fresh
  sandboxed kernel and leaves that kernel running;
- ``AskHiddenCases`` calls the student's functions on every hidden case in that kernel, keeps
  the replies, and stops the kernel;
- ``JudgeCases`` decides every case with the grader's own computation (the kernel's claims are
  never taken for a verdict) and makes the submission's report;
- ``ShowVerdicts`` puts each task's verdict into its test cell, so feedback shows it;
- ``SaveVerdicts`` replaces ``SaveAutoGrades``: the gradebook gets the grader's scores, never
  anything computed in the kernel.

They pass one :class:`Grading` along in ``resources["backprop_lab"]``.
"""
from __future__ import annotations

import contextlib
import html
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer, Unicode

from . import harness, sandbox
from .cases import Case, Task
from .client import KernelGone, SubmissionClient, listed
from .graders import tasks_for
from .hygiene import scrub
from .intake import remove_tree
from .kernel import take_spare
from .report import (GRADED, OUT_OF_MEMORY, TIMED_OUT, CaseResult, Status, SubmissionReport,
                     TaskResult, case_summary)

RESOURCE_KEY = "backprop_lab"
ASKABLE = (GRADED, TIMED_OUT, OUT_OF_MEMORY)  # a notebook in these states still has its tasks asked
MALFORMED = "your kernel's reply could not be read ({why}); did your code change how the notebook displays results?"
MUTATION_SHARE = 0.25  # of a task's points, lost once when any case changed an input in place


@dataclass
class Asked:
    """One hidden case as the kernel answered it."""
    case: Case
    reply: harness.Reply | None = None
    failure: str = ""       # why there is no reply to judge ("" when there is one, or none came back)
    seconds: float = 0.0    # from the reply to the case before (or the request) to its own, as the grader timed it


@dataclass
class TaskAsked:
    task: Task
    cases: list[Asked] = field(default_factory=list)
    status: Status = Status.GRADED        # GRADED, or what stopped its cases (TIMED_OUT, CRASHED)
    not_run: TaskResult | None = None     # the task's result when none of its cases could be asked


@dataclass
class Grading:
    """What the grading preprocessors hand on, for one submission."""
    student: str
    slug: str
    status: Status = GRADED
    message: str = "Graded."
    client: SubmissionClient | None = None
    kernel: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)  # closing it ends the kernel
    asked: list[TaskAsked] = field(default_factory=list)
    report: SubmissionReport | None = None


_DEFAULT_LIMITS = sandbox.Limits()
# sandbox.Limits field -> the RunNotebook setting that sets it (c.RunNotebook.<name> in nbgrader_config.py)
LIMIT_SETTINGS = {"memory": "memory_limit", "cpu": "cpu_limit", "processes": "process_limit",
                  "file_size": "file_size_limit", "tmp": "tmpfs_size"}


class RunNotebook(NbGraderPreprocessor):
    """Runs the notebook in a fresh sandboxed kernel (the one started ahead for this submission, when
    there is one) and leaves the kernel running for :class:`AskHiddenCases`."""

    timeout = Integer(30, help="Seconds one cell may run before it is interrupted.").tag(config=True)
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

    @property
    def limits(self) -> sandbox.Limits:
        return sandbox.Limits(**{field: getattr(self, name) for field, name in LIMIT_SETTINGS.items()})

    @classmethod
    def limits_from(cls, config) -> sandbox.Limits:
        """The kernel limits a configuration sets (the defaults where it says nothing)."""
        section = config.get(cls.__name__, {})
        return sandbox.Limits(**{field: int(section.get(name, getattr(_DEFAULT_LIMITS, field)))
                                 for field, name in LIMIT_SETTINGS.items()})

    def preprocess(self, nb: NotebookNode, resources: dict):
        grading = resources[RESOURCE_KEY] = Grading(resources["nbgrader"]["student"], resources["nbgrader"]["assignment"])
        folder = Path(resources["metadata"]["path"])
        isolation = sandbox.detect()
        spare = take_spare((grading.student, grading.slug), folder)  # started ahead for these very files
        scratch = spare[1] if spare else sandbox.make_scratch(folder, isolation,
                                                               Path(self.scratch_root) if self.scratch_root else None)
        grading.kernel.callback(remove_tree, scratch)
        client = SubmissionClient(nb, resources, scratch, isolation, self.limits, self.timeout,
                                  self.submission_timeout, self.output_budget, km=spare[0] if spare else None,
                                  config=self.config)
        if spare:
            client.kc = spare[2]  # connected while the kernel booted
        try:
            grading.kernel.enter_context(client.setup_kernel(cleanup_kc=True))
            info = client.wait_for_reply(client.kc.kernel_info())
            if isolation.uid is not None:
                sandbox.lock_scratch(scratch)
            nb.metadata["language_info"] = info["content"]["language_info"]
            grading.status, grading.message = client.run_cells(lambda index: cell_name(nb, index))
        except BaseException:
            grading.kernel.close()
            raise
        grading.client = client
        if grading.status not in ASKABLE:
            grading.kernel.close()
        return nb, resources


class AskHiddenCases(NbGraderPreprocessor):
    """Asks the kernel :class:`RunNotebook` left running for every hidden case of every task the
    notebook defines, keeps each reply (validated, never judged here), then stops the kernel."""

    def preprocess(self, nb: NotebookNode, resources: dict):
        grading: Grading = resources[RESOURCE_KEY]
        tasks = tasks_for(grading.slug)
        try:
            if grading.status in ASKABLE and grading.client is not None:
                grading.asked = ask_tasks(grading.client, tasks, grading.slug)
                client = grading.client
                if any(t.status == TIMED_OUT for t in grading.asked) and client.remaining() <= 0 \
                        and grading.status == GRADED:
                    grading.status, grading.message = TIMED_OUT, client.out_of_time()
            else:
                grading.asked = [TaskAsked(t, not_run=not_run(t, f"Not graded: {grading.message}")) for t in tasks]
        finally:
            grading.kernel.close()
            grading.client = None
        return nb, resources


class JudgeCases(NbGraderPreprocessor):
    """Judges every reply with the grader's own computation and makes the submission's report."""

    def preprocess(self, nb: NotebookNode, resources: dict):
        grading: Grading = resources[RESOURCE_KEY]
        results = [judge_task(asked, grading.slug) for asked in grading.asked]
        results = blame_dependencies(tuple(a.task for a in grading.asked), results)
        grading.report = SubmissionReport(grading.student, grading.slug, grading.status, grading.message, results)
        return nb, resources


def not_run(task: Task, message: str, status: str = Status.NOT_RUN) -> TaskResult:
    return TaskResult(task.name, task.points, 0.0, status, message, task.hint)


def ask_tasks(client: SubmissionClient, tasks: tuple[Task, ...], slug: str) -> list[TaskAsked]:
    """Which tasks the notebook defines, then every case of each defined task."""
    if not client.alive():
        return [TaskAsked(t, not_run=not_run(t, "Not graded: the kernel had stopped.")) for t in tasks]
    unanswered = "Not graded: the kernel stopped answering."
    try:
        names = [t.name for t in tasks]
        defined = client.ask(f"result = {{name: np.float64(name in globals()) for name in {names!r}}}", {},
                             max(1.0, min(30.0, client.remaining())))
    except (KernelGone, TimeoutError):
        defined = None
    except harness.MalformedReply as why:
        defined, unanswered = None, f"Not graded: {MALFORMED.format(why=why)}"
    asked = []
    errors = cell_errors(client.nb, slug)
    for task in tasks:
        flag = harness.decode_array(defined.outputs.get(task.name)) if defined is not None else None
        if flag is None:
            asked.append(TaskAsked(task, not_run=not_run(task, unanswered)))
        elif flag != 1.0:
            why = (f" Running its answer cell raised {errors[task.name]}." if task.name in errors else
                   " Its answer cell must define it under exactly that name.")
            asked.append(TaskAsked(task, not_run=not_run(task, f"Your notebook defines no `{task.name}`.{why}",
                                                         status=Status.TASK_MISSING)))
        else:
            asked.append(ask_cases(client, task))
    return asked


def ask_cases(client: SubmissionClient, task: Task) -> TaskAsked:
    """Every case of ``task``, in order and in one request, until one times out or the kernel is gone."""
    asked = TaskAsked(task)
    answers = client.ask_batch([(case.call, case.inputs) for case in task.cases],
                               lambda: min(task.timeout, client.remaining()))
    for case, answer in itertools.zip_longest(task.cases, answers):
        if answer is None:
            asked.cases.append(Asked(case, failure="not run: an earlier case " + asked.status))
            continue
        result = Asked(case, answer.reply, seconds=round(answer.seconds, 3))
        if isinstance(answer.error, TimeoutError):
            asked.status = Status.TIMED_OUT
            result.failure = (f"did not finish within {answer.budget:.3g} s (an endless loop?)" if answer.budget > 0
                              else "not run: the time for the whole submission was used up")
        elif isinstance(answer.error, KernelGone):
            asked.status = Status.CRASHED
            result.failure = "the kernel died while running this case (a crash or out of memory)"
        elif isinstance(answer.error, harness.MalformedReply):
            result.failure = MALFORMED.format(why=answer.error)
        asked.cases.append(result)
    return asked


def judge_task(asked: TaskAsked, slug: str) -> TaskResult:
    """A task's result from its answered cases: partial credit per case, and MUTATION_SHARE of its
    points lost once when any case changed an input in place."""
    if asked.not_run is not None:
        return asked.not_run
    task = asked.task
    cases: list[CaseResult] = []
    mutated: set[str] = set()
    seconds = reference_seconds = 0.0
    for answer in asked.cases:
        if answer.failure:
            cases.append(CaseResult(answer.case.name, False, [answer.failure], answer.seconds))
            continue
        verdict = judge(answer.case, answer.reply, slug)
        mutated |= set(verdict.mutated)
        if answer.reply is not None and answer.reply.seconds is not None:
            seconds += answer.reply.seconds
            reference_seconds += answer.case.reference_seconds
        cases.append(CaseResult(answer.case.name, not verdict.problems, verdict.problems + verdict.notes,
                                answer.seconds))
    passed = sum(c.passed for c in cases)
    score = task.points * passed / len(cases) if cases else 0.0
    penalty = f"; {MUTATION_SHARE:.0%} of the points lost for changing {listed(sorted(mutated), '`')} in place" \
        if mutated else ""
    if mutated:
        score = max(0.0, score - MUTATION_SHARE * task.points)
    result = TaskResult(task.name, task.points, round(score, 2), asked.status, "", task.hint, cases,
                        round(seconds, 4), round(reference_seconds, 4))
    result.message = case_summary(result) + penalty + ("" if asked.status == Status.GRADED else f" ({asked.status.value})")
    return result


def cell_errors(nb: NotebookNode, slug: str) -> dict[str, str]:
    """grade_id -> "ename: evalue" of the first error each answer cell raised (bounded, scrubbed)."""
    errors = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if grade_id and output.get("output_type") == "error":
                text = f"{str(output.get('ename'))[:100]}: {str(output.get('evalue'))[:300]}"
                errors.setdefault(grade_id, scrub(text, slug)[:200])
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
            result.message = (f"This task calls your {listed(culprits, '`')}, which also lost points on its own "
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
    notes = ["your code changed its input " + listed(mutated, "`") + " in place; it must leave inputs "
             "untouched (work on a copy)"] if mutated else []
    return Verdict(problems, mutated, notes)


def cell_name(nb: NotebookNode, index: int) -> str:
    """How the student finds a cell: the task's answer or test cell, or the code cell's number."""
    grade_id = nb.cells[index].metadata.get("nbgrader", {}).get("grade_id")
    if grade_id:
        return f"the {'test' if grade_id.startswith('test_') else 'answer'} cell of `{grade_id.removeprefix('test_')}`"
    number = sum(c.cell_type == "code" for c in nb.cells[:index + 1])
    return f"code cell {number}"


def _same(after: np.ndarray | None, before: np.ndarray) -> bool:
    return after is not None and after.shape == before.shape and np.array_equal(after, before, equal_nan=True)


class ShowVerdicts(NbGraderPreprocessor):
    """Appends each task's verdict (per case, no reference values) to its test cell's outputs."""

    def preprocess(self, nb, resources):
        report: SubmissionReport = resources[RESOURCE_KEY].report
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
        report: SubmissionReport = resources[RESOURCE_KEY].report
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
