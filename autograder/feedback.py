"""``make feedback``: nbgrader's per-student HTML feedback, made safe and checked before it is kept.

Every graded submission gets a page; one that could not run (missing, invalid, crashed before
grading) gets a short page saying why. Each page opens with the submission's status and a table
of its tasks. What the student's notebook produced is sanitised (see :mod:`autograder.sanitize`),
the page carries a Content-Security-Policy that allows no script, hidden numbers are scrubbed,
and the folder handed back holds the page only (and, for nbgrader's exchange, the submission's
``timestamp.txt`` and ``submission_secret.txt`` that ``nbgrader release_feedback`` needs). One
student's failure withholds that student's page and nothing else.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np

from . import hygiene, intake
from .config import Late, lateness
from .course import Course
from .hygiene import LeakError, find_leaks, notebook_lines, scrub
from .report import SubmissionReport
from .sanitize import STATUS_CLASS, VERDICT_CLASS, audit, cut, feedback_config, finish_page, status_page

# Shown when a page is read without CSS (plain text, a screen reader, a text browser); hidden by ours.
SEP = "<span class='backprop-lab-sep'> | </span>"
OWN_NOTEBOOK_LIMIT = 64 * 2**20


def _clean(text: object, slug: str) -> str:
    return html.escape(scrub(cut(text), slug))


def _points(value: float) -> str:
    return f"{round(value, 2):g}"


def banner(report: SubmissionReport, slug: str | None = None, late: Late | None = None) -> str:
    """The grader's summary: total (after a late penalty, which is explained), status, and one row
    per task (task | score | what happened)."""
    slug = slug or report.assignment
    score = sum(t.score for t in report.tasks)
    total = sum(t.points for t in report.tasks)
    penalty = late.penalty if late is not None and late.penalty > 0 else 0.0
    late_line = (f"<p><b>Late.</b> {html.escape(late.sentence())} Your tasks earned {_points(score)}; "
                 f"{_points(score - penalty)} count.</p>\n") if late is not None else ""
    score -= penalty
    rows = "".join(f"<tr><td>{_clean(t.task, slug)}{SEP}</td><td>{_points(t.score)} / {_points(t.points)}{SEP}</td>"
                   f"<td>{_clean(t.message, slug)}</td></tr>\n" for t in report.tasks)
    table = (f"<table border='1' cellpadding='5' cellspacing='0'>\n<thead><tr><th>Task{SEP}</th><th>Score{SEP}</th>"
             f"<th>What happened</th></tr></thead>\n<tbody>\n{rows}</tbody></table>") if report.tasks else ""
    return (f"<div class='{STATUS_CLASS}'>"
            f"<h2>{_clean(report.assignment, slug)}: {_points(score)} / {_points(total)} points</h2>\n"
            f"<p><b>Status: {_clean(report.status, slug)}.</b> {_clean(report.message, slug)}</p>\n"
            f"{late_line}{table}</div>\n")


def _keep_only(folder: Path, page: Path) -> None:
    """Everything in ``folder`` but the page goes (nbgrader copies the graded folder's other files)."""
    for entry in os.scandir(folder):
        if entry.name == page.name and entry.is_file(follow_symlinks=False):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


EXCHANGE_FILES = {  # what nbgrader's release_feedback reads beside the page, and the shape it must have
    "timestamp.txt": re.compile(r"[0-9][0-9 :.+\-TZUCa-z]{5,60}\n?\Z"),
    "submission_secret.txt": re.compile(r"[A-Za-z0-9+/=_\-]{1,200}\n?\Z"),
}


def _exchange_files(submitted: Path, folder: Path) -> None:
    """Copies the submission's ``timestamp.txt`` and ``submission_secret.txt`` (written by nbgrader's
    exchange on submit) next to the page, so ``nbgrader release_feedback`` can hand it back; each only
    when it is a small regular file of the expected form (the student wrote it)."""
    for name, form in EXCHANGE_FILES.items():
        data = intake.read_regular(submitted / name, 256)
        if isinstance(data, bytes) and form.match(data.decode("ascii", "replace")):
            (folder / name).write_bytes(data)


def _own_lines(course: Course, student: str, slug: str) -> set[str]:
    """Lines the student wrote (a regular, bounded file only: never follow a link); like intake, a
    notebook under another name counts when it is the only one."""
    folder = course.submitted(student, slug)
    path = folder / f"{slug}.ipynb"
    if not os.path.lexists(path) and not folder.is_symlink():
        others = sorted(folder.glob("*.ipynb"))
        if len(others) == 1:
            path = others[0]
    try:
        info = os.lstat(path)
    except OSError:
        return set()
    import stat
    if not stat.S_ISREG(info.st_mode) or info.st_size > OWN_NOTEBOOK_LIMIT:
        return set()
    return notebook_lines(path)


def _one(api, course: Course, student: str, slug: str) -> tuple[Path | None, list[str]]:
    """Makes one student's page; returns it and what is wrong with it (empty: fit to hand out)."""
    graded = course.autograded(student, slug)
    report = SubmissionReport.read(graded)
    if report is None:
        return None, []
    folder, page = course.feedback(student, slug), course.page(student, slug)
    top = banner(report, slug, lateness(course.db_url, slug, student))
    if (graded / f"{slug}.ipynb").is_file():
        result = api.generate_feedback(slug, student)
        if not result["success"] or not page.is_file() or page.is_symlink():
            error = (result.get("error") or "").strip().splitlines()
            return page, [f"nbgrader generate_feedback failed ({cut(error[-1] if error else 'no page', 200)})"]
        _keep_only(folder, page)
        _exchange_files(course.submitted(student, slug), folder)
        text = finish_page(page.read_text(encoding="utf-8"), top)
    else:
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        text = status_page(report.assignment, top)
    page.write_text(text, encoding="utf-8")
    findings = [f"{page.name}: {problem}" for problem in audit(text)]
    findings += find_leaks(folder, slug, _own_lines(course, student, slug), check_values=False,
                           every_file=True)
    findings += hidden_values_in(folder, slug, _own_numbers(graded / f"{slug}.ipynb"))
    return page, findings


def _own_numbers(notebook: Path) -> np.ndarray:
    """Numbers of the graded notebook's cells and outputs, verdicts left out: the cells ran before
    any hidden case reached the kernel, so what they print is the student's own (a public example
    can compute a number a hidden case also has). The verdicts carry the kernel's text from the
    hidden cases: they are scrubbed instead, and checked."""
    try:
        cells = nbformat.read(notebook, as_version=4).cells
    except Exception:
        return np.zeros(0)
    parts = []
    for cell in cells:
        parts.append(str(cell.get("source", "")))
        for output in cell.get("outputs", []):
            text = json.dumps(output, ensure_ascii=False)
            if VERDICT_CLASS not in text:
                parts.append(text)
    return hygiene._sorted(hygiene._numbers("\n".join(parts)))


def hidden_values_in(folder: Path, slug: str, own: np.ndarray) -> list[str]:
    """Every returned file's reference and hidden-input numbers that the student's own cells did
    not print themselves (what the grader wrote is scrubbed, so any is a finding)."""
    secret = hygiene.secret_values(slug)
    if own.size:
        secret = secret[~hygiene._close(secret, own)]
    findings = []
    for path in hygiene._returned_files(folder)[0]:
        numbers = hygiene._numbers(hygiene.text_of(path))
        findings += [f"{path.relative_to(folder)}: contains the hidden value {float(n)!r}"
                     for n in numbers[hygiene._close(numbers, secret, presorted=True)][:3]]
    return findings


def generate(course_root: Path, slugs: list[str], students: list[str] | None = None, log=print) -> list[Path]:
    """Feedback for every autograded submission; raises :class:`LeakError` at the end, naming each
    page that was withheld (a leak, or any failure), after every other page has been written."""
    course = Course(course_root)
    course.config = feedback_config(course.config)
    api = course.api()
    written, withheld = [], []
    for student, slug in course.submissions(slugs, students):
        try:
            page, findings = _one(api, course, student, slug)
        except Exception as error:  # one submission must never stop the others' feedback
            page, findings = None, [f"feedback could not be made ({type(error).__name__}: {cut(error, 200)})"]
        folder = course.feedback(student, slug)
        if findings:
            shutil.rmtree(folder, ignore_errors=True)
            if folder.is_symlink():
                folder.unlink()
            withheld += [f"{student} {slug}: {f}" for f in findings]
            log(f"  {student} {slug}: feedback withheld: {findings[0]}"
                + (f" (and {len(findings) - 1} more finding(s))" if len(findings) > 1 else ""))
            continue
        if page is None:
            log(f"  {student} {slug}: not autograded yet; run make autograde first")
            continue
        written.append(page)
        log(f"  {student} {slug}: {page.relative_to(course.root)}")
    if withheld:
        raise LeakError(f"feedback withheld for {len(withheld)} finding(s); every other page was written:\n  "
                        + "\n  ".join(withheld))
    return written
