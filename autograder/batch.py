"""``make autograde``: grade every submitted notebook, in parallel, whatever state it is in.

Each submission is one job: check the notebook can be graded at all (present, valid JSON),
then ``nbgrader autograde`` it through the pipeline of ``pipeline.py``. Whatever happens, the
job leaves a report with a status and a reason, and gradebook scores that match it: a failed
re-grade never keeps the previous run's grades.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

from . import paths
from .config import nbgrader_config
from .graders import tasks_for
from .pipeline import ExecuteAndGrade, save_scores
from .sandbox import detect
from .report import ERROR, INVALID, MISSING, SubmissionReport, TaskResult


@dataclass(frozen=True)
class Job:
    course_root: Path
    student: str
    slug: str
    cell_timeout: float

    @property
    def submitted(self) -> Path:
        return self.course_root / "submitted" / self.student / self.slug

    @property
    def autograded(self) -> Path:
        return self.course_root / "autograded" / self.student / self.slug


def submissions(course_root: Path, slugs: list[str], students: list[str] | None = None) -> list[tuple[str, str]]:
    """(student, slug) for every ``submitted/<student>/<slug>/`` folder of a known assignment."""
    root = course_root / "submitted"
    if not root.is_dir():
        return []
    return [(student.name, slug) for student in sorted(root.iterdir()) if student.is_dir()
            and (students is None or student.name in students)
            for slug in slugs if (student / slug).is_dir()]


def failed_report(job: Job, status: str, message: str) -> SubmissionReport:
    tasks = [TaskResult(t.name, t.points, 0.0, "not run", f"Not graded: {message}", t.hint) for t in tasks_for(job.slug)]
    return SubmissionReport(job.student, job.slug, status, message, tasks)


def locate_notebook(job: Job) -> tuple[Path | None, str]:
    """The notebook to grade and a note for the student, or (None, why not)."""
    expected = job.submitted / f"{job.slug}.ipynb"
    if expected.is_file():
        return expected, ""
    others = sorted(p for p in job.submitted.glob("*.ipynb") if p.is_file())
    if len(others) == 1:
        shutil.copy2(others[0], expected)
        return expected, (f"Your notebook was named '{others[0].name}', not '{expected.name}'; it was the "
                          "only notebook, so it was graded. Please keep the original name next time.")
    if others:
        return None, (f"No '{expected.name}' was submitted, and {len(others)} other notebooks were "
                      f"({', '.join(p.name for p in others)}); submit the assignment under its original name.")
    return None, f"No '{expected.name}' was submitted."


@lru_cache(maxsize=None)
def _api(course_root: Path, cell_timeout: float):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = nbgrader_config(course_root, cell_timeout=cell_timeout)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def tampering_note(submitted: nbformat.NotebookNode, slug: str) -> str:
    """What the student did to the locked test cells (nbgrader restores them; we say so)."""
    released = nbformat.read(paths.RELEASE / slug / f"{slug}.ipynb", as_version=4)
    originals = {c.metadata["nbgrader"]["grade_id"]: c.source for c in released.cells
                 if c.metadata.get("nbgrader", {}).get("grade")}
    theirs = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in submitted.cells
              if isinstance(c.get("metadata", {}).get("nbgrader"), dict) and c.metadata["nbgrader"].get("grade")}
    deleted = sorted(set(originals) - set(theirs))
    edited = sorted(g for g in originals if g in theirs and theirs[g].strip() != originals[g].strip())
    added = sorted(str(g) for g in set(theirs) - set(originals))
    notes = []
    if deleted or edited:
        what = "; ".join(part for part in (f"edited: {', '.join(edited)}" if edited else "",
                                           f"deleted: {', '.join(deleted)}" if deleted else "") if part)
        notes.append(f"Locked test cells were changed ({what}); the originals were restored for grading.")
    if added:
        notes.append(f"Cells claiming to be graded ({', '.join(added)}) are not part of the assignment and "
                     "earned nothing.")
    return " ".join(notes)


def grade(job: Job) -> SubmissionReport:
    """Grade one submission; always returns a report and leaves matching scores in the gradebook."""
    warnings.filterwarnings("ignore")
    for stale in (job.autograded, job.course_root / "feedback" / job.student / job.slug):
        shutil.rmtree(stale, ignore_errors=True)
    notebook, note = locate_notebook(job)
    report = None
    if notebook is None:
        report = failed_report(job, MISSING, note)
    else:
        try:
            submitted = nbformat.read(notebook, as_version=4)
            nbformat.validate(submitted)
            note = " ".join(filter(None, [note, tampering_note(submitted, job.slug)]))
        except Exception as error:
            report = failed_report(job, INVALID, f"'{notebook.name}' is not a valid notebook "
                                   f"({type(error).__name__}); open it in Jupyter, save it again and resubmit.")
    if report is None:
        result = _api(job.course_root, job.cell_timeout).autograde(job.slug, job.student)
        report = SubmissionReport.read(job.autograded)
        if not result["success"] or report is None:
            report = failed_report(job, ERROR, f"the grader failed on this submission ({_reason(result)}); "
                                               "tell your instructor.")
        elif note:
            report.message = f"{note} {report.message}"
    db_url = nbgrader_config(job.course_root).CourseDirectory.db_url
    if report.status in (MISSING, INVALID, ERROR):
        save_scores(db_url, job.slug, job.slug, job.student, report)
    report.write(job.autograded)
    return report


def _create_students(course_root: Path, students: list[str]) -> None:
    """Students are created before the workers start: two workers creating one race in SQLite."""
    from nbgrader.api import Gradebook

    with Gradebook(nbgrader_config(course_root).CourseDirectory.db_url) as gb:
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
        report = failed_report(job, ERROR, f"the grader failed on this submission ({type(error).__name__}: "
                                           f"{error}); tell your instructor.")
        save_scores(nbgrader_config(job.course_root).CourseDirectory.db_url, job.slug, job.slug, job.student, report)
        report.write(job.autograded)
    return report, time.monotonic() - start


def autograde(course_root: Path, slugs: list[str], students: list[str] | None = None,
              workers: int = 2, cell_timeout: float = 30.0, log=print) -> list[SubmissionReport]:
    """Grade every submission of ``slugs`` under ``course_root/submitted``; one line of progress each."""
    from .release import register

    course_root = course_root.resolve()
    jobs = [Job(course_root, student, slug, cell_timeout) for student, slug in submissions(course_root, slugs, students)]
    if not jobs:
        log(f"Nothing to grade: no submitted/<student>/<assignment>/ folders under {course_root}.")
        return []
    register(sorted({j.slug for j in jobs}), course_root)
    _create_students(course_root, sorted({j.student for j in jobs}))
    isolation = detect()
    log(f"Student kernels run with isolation '{isolation.mode}':")
    for line in isolation.describe(ExecuteAndGrade.limits):
        log(f"  {line}")
    log(f"Grading {len(jobs)} submission(s) with {workers} worker(s)...")
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    os.environ.update(env)
    reports = []
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        for done, (report, seconds) in enumerate(pool.map(_grade_in_worker, jobs), 1):
            score = sum(t.score for t in report.tasks)
            total = sum(t.points for t in report.tasks)
            log(f"  [{done}/{len(jobs)}] {report.student} {report.assignment}: {score:g}/{total:g} "
                f"({report.status}) in {seconds:.1f} s")
            reports.append(report)
    return reports
