"""``make autograde``: grade every submitted notebook, in parallel, whatever state it is in.

Each submission is one job: stage a bounded, link-free copy of it (``intake.py``), then
``nbgrader autograde`` that copy through the pipeline of ``pipeline.py``. Whatever happens, the
job leaves a report with a status and a reason, and gradebook scores that match it: a failed
re-grade never keeps the previous run's grades, and a grading worker that dies costs only the
submission it held.
"""
from __future__ import annotations

import contextlib
import difflib
import os
import re
import signal
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from . import catalogue, intake, paths
from .course import Course
from .engines import share_engines
from .graders import tasks_for
from .intake import remove_tree
from .pipeline import RunNotebook, save_scores
from .sandbox import detect
from .workers import run as run_in_workers
from .report import ERROR, INVALID, MISSING, Status, SubmissionReport, TaskResult


@dataclass(frozen=True)
class Job:
    course_root: Path
    student: str
    slug: str
    staging_root: Path  # private to the grader; its batch folder is removed when the batch ends
    cell_timeout: float
    submission_timeout: float = 300.0

    @property
    def course(self) -> Course:
        return Course(self.course_root)

    @property
    def submitted(self) -> Path:
        return self.course.submitted(self.student, self.slug)

    @property
    def kernels_root(self) -> Path:
        """Where this batch's kernels get their scratch folders."""
        return self.staging_root.parent / "kernels"

    @property
    def autograded(self) -> Path:
        return self.course.autograded(self.student, self.slug)

    @property
    def feedback(self) -> Path:
        return self.course.feedback(self.student, self.slug)


def unusable_folders(course_root: Path, slugs: list[str], students: list[str] | None = None) -> list[str]:
    """A sentence for every folder under ``submitted/`` that will not be graded, and why."""
    problems = []
    for student in Course(course_root).student_folders():
        if students is not None and student.name not in students:
            continue
        if not intake.valid_student_id(student.name):
            problems.append(f"submitted/{intake.shown(student.name)}: not a valid student id (letters, digits, "
                            "'. _ - @', starting with a letter or digit); rename the folder to grade it")
            continue
        for folder in sorted(p for p in student.iterdir() if p.is_dir() and p.name not in slugs):
            guess = difflib.get_close_matches(folder.name, paths.slugs(), n=1, cutoff=0.5)
            meant = f"; did you mean '{guess[0]}'?" if guess else ""
            problems.append(f"submitted/{student.name}/{intake.shown(folder.name)}: no such assignment{meant}")
    return problems


def failed_report(job: Job, status: str, message: str) -> SubmissionReport:
    tasks = [TaskResult(t.name, t.points, 0.0, Status.NOT_RUN, f"Not graded: {message}", t.hint)
             for t in catalogue.tasks(job.slug)]
    return SubmissionReport(job.student, job.slug, status, message, tasks)


@lru_cache(maxsize=None)
def _grading_course(course_root: Path, staging_root: Path, cell_timeout: float, submission_timeout: float) -> Course:
    course = Course(course_root, cell_timeout=cell_timeout, submission_timeout=submission_timeout)
    course.config.CourseDirectory.submitted_directory = str(staging_root)  # nbgrader reads only the staged copies
    course.config.RunNotebook.scratch_root = str(staging_root.parent / "kernels")
    return course


def grade(job: Job) -> SubmissionReport:
    """Grade one submission; always returns a report and leaves matching scores in the gradebook."""
    share_engines()
    for stale in (job.autograded, job.feedback):
        remove_tree(stale)
    staging = job.staging_root / job.student / job.slug
    try:
        staged = intake.stage(job.submitted, staging, job.slug, paths.RELEASE / job.slug / f"{job.slug}.ipynb")
    except intake.NotGradable as why:
        report = failed_report(job, why.status, str(why))
    else:
        course = _grading_course(job.course_root, job.staging_root, job.cell_timeout, job.submission_timeout)
        result = course.api().autograde(job.slug, job.student)
        report = SubmissionReport.read(job.autograded) if result["success"] else None
        if report is None:
            report = failed_report(job, ERROR, f"the grader failed on this submission ({_reason(result)}); "
                                               "tell your instructor.")
        elif staged.notes:
            report.message = f"{' '.join(staged.notes)} {report.message}"
    finally:
        remove_tree(staging)
    if report.status in (MISSING, INVALID, ERROR):
        save_scores(job.course.db_url, job.slug, job.slug, job.student, report)
    report.write(job.autograded)
    return report


def _create_students(course_root: Path, students: list[str]) -> None:
    """Students are created before the workers start: two workers creating one race in SQLite."""
    with Course(course_root).gradebook() as gb:
        for student in students:
            gb.update_or_create_student(student)


def _reason(result: dict) -> str:
    """The exception nbgrader logged (its own last line only says 'see the traceback above')."""
    lines = [line.strip() for line in (result.get("log", "") + "\n" + result.get("error", "")).splitlines()]
    raised = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b", line)
              and not line.startswith("nbgrader.converters.base.NbGraderException")]
    return (raised or ["no report was written"])[-1][:300]


def _grade_in_worker(job: Job) -> tuple[SubmissionReport, float]:
    start = time.monotonic()
    try:
        report = grade(job)
    except Exception as error:  # one submission must never stop the batch
        report = _record_failure(job, f"the grader failed on this submission ({type(error).__name__}: "
                                      f"{str(error)[:200]}); tell your instructor.")
    return report, time.monotonic() - start


def _record_failure(job: Job, message: str) -> SubmissionReport:
    report = failed_report(job, ERROR, message)
    save_scores(job.course.db_url, job.slug, job.slug, job.student, report)
    report.write(job.autograded)
    return report


def _worker_lost(job: Job, exitcode: int | None) -> tuple[SubmissionReport, float]:
    """The coordinator's record for a submission whose grading worker died."""
    how = (f"was killed by signal {-exitcode}" + (" (most likely out of memory)" if exitcode == -signal.SIGKILL else "")
           if exitcode is not None and exitcode < 0 else f"exited with code {exitcode}")
    return _record_failure(job, f"the grading worker {how} while grading this submission; tell your "
                                "instructor."), 0.0


WORKER_MEMORY = 8 * 2**30  # address space of one grading worker (kernels have their own limit)


def autograde(course_root: Path, slugs: list[str], students: list[str] | None = None,
              workers: int | None = None, cell_timeout: float = 30.0, submission_timeout: float = 300.0,
              log=print, force: bool = False) -> list[SubmissionReport]:
    """Grade every new or changed submission of ``slugs`` under ``course_root/submitted`` (every one
    with ``force``; see ``regrade.py``), one line of progress each; returns the report of every
    selected submission, graded now or kept from before."""
    from . import regrade

    course_root = course_root.resolve()
    for problem in unusable_folders(course_root, slugs, students):
        log(f"Not graded: {problem}")
    found = Course(course_root).submissions(slugs, students)
    if not found:
        log(f"Nothing to grade: no submitted/<student>/<assignment>/ folders under {course_root}.")
        return []
    with batch_folder() as staging_root:
        jobs = [Job(course_root, student, slug, staging_root, cell_timeout, submission_timeout)
                for student, slug in found]
        plan = regrade.Plan(jobs, force, log)
        try:
            return plan.kept + (_grade_all(plan.todo, workers, plan.progress) if plan.todo else [])
        finally:
            plan.record()


@contextlib.contextmanager
def batch_folder() -> Iterator[Path]:
    """A grading batch's private folder, removed at the end with every kernel's scratch folder (even
    of a worker that was killed); yields the staging folder, ``Job.staging_root``."""
    root = Path(tempfile.mkdtemp(prefix="bplab-batch-"))
    os.chmod(root, 0o711)  # kernels/ below is reached by the kernels' user; staged/ is the grader's alone
    (root / "staged").mkdir(mode=0o700)
    (root / "kernels").mkdir(mode=0o711)
    try:
        yield root / "staged"
    finally:
        remove_tree(root)


def _grade_all(jobs: list[Job], workers: int | None, log) -> list[SubmissionReport]:
    from . import cluster
    from .release import register

    course_root = jobs[0].course_root
    register(sorted({j.slug for j in jobs}), course_root)
    for slug in sorted({j.slug for j in jobs}):
        tasks_for(slug)  # the hidden cases and their references, computed once, before the workers fork
    _create_students(course_root, sorted({j.student for j in jobs}))
    isolation = detect()
    config = Course(course_root).config
    limits = RunNotebook.limits_from(config)
    log(f"Student kernels run with isolation '{isolation.mode}':")
    for line in isolation.describe(limits):
        log(f"  {line}")
    scheduler = os.environ.get(cluster.SCHEDULER_ENV)  # set by --scheduler / --dask-local (SCHEDULER=)
    if scheduler:
        log(f"Grading {len(jobs)} submission(s) on the Dask cluster {scheduler}...")
        results = cluster.run(jobs, scheduler, log)
    else:
        workers = workers or os.cpu_count() or 1
        log(f"Grading {len(jobs)} submission(s) with {workers} worker(s)...")
        memory = max(WORKER_MEMORY, limits.memory + 2**30)
        config.RunNotebook.scratch_root = str(jobs[0].kernels_root)

        def prestart(job: Job | None) -> None:  # in the worker: the next submission's kernel boots meanwhile
            from .kernel import prestart
            if job is None:
                prestart(None)
            else:
                prestart(job.submitted, job.student, job.slug, Path(config.CourseDirectory.source_directory) / job.slug,
                         limits, config)

        results = run_in_workers(jobs, _grade_in_worker, workers, _worker_lost, memory, prestart)
    reports = []
    for done, (_, (report, seconds)) in enumerate(results, 1):
        score = sum(t.score for t in report.tasks)
        total = sum(t.points for t in report.tasks)
        log(f"  [{done}/{len(jobs)}] {report.student} {report.assignment}: {score:g}/{total:g} "
            f"({report.status}) in {seconds:.2f} s")
        reports.append(report)
    return reports

