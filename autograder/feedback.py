"""``make feedback``: nbgrader's per-student HTML feedback, checked for leaks before it is kept.

Every graded submission gets a page; one that could not run (missing, invalid, crashed before
grading) gets a short page saying why. Each page opens with the submission's status.
"""
from __future__ import annotations

import html
import re
import shutil
import warnings
from pathlib import Path

from .batch import submissions
from .config import nbgrader_config
from .hygiene import LeakError, find_leaks, notebook_lines, values_in
from .report import REPORT_NAME, SubmissionReport

BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)


def banner(report: SubmissionReport) -> str:
    score = sum(t.score for t in report.tasks)
    total = sum(t.points for t in report.tasks)
    rows = "".join(f"<tr><td>{html.escape(t.task)}</td><td>{t.score:g} / {t.points:g}</td>"
                   f"<td>{html.escape(t.message)}</td></tr>" for t in report.tasks)
    return (f"<div class='backprop-lab-status' style='border:2px solid #888;padding:1em;margin:1em'>"
            f"<h2>{html.escape(report.assignment)}: {score:g} / {total:g} points</h2>"
            f"<p><b>Status: {html.escape(report.status)}.</b> {html.escape(report.message)}</p>"
            f"<table>{rows}</table></div>")


def status_page(report: SubmissionReport) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(report.assignment)}"
            f"</title></head><body>{banner(report)}</body></html>")


def generate(course_root: Path, slugs: list[str], students: list[str] | None = None, log=print) -> list[Path]:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    warnings.filterwarnings("ignore")
    course_root = course_root.resolve()
    config = nbgrader_config(course_root)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    written, leaks = [], []
    for student, slug in submissions(course_root, slugs, students):
        graded = course_root / "autograded" / student / slug
        report = SubmissionReport.read(graded)
        if report is None:
            log(f"  {student} {slug}: not autograded yet; run make autograde first")
            continue
        folder = course_root / "feedback" / student / slug
        page = folder / f"{slug}.html"
        findings = [f"the grader's report shows the reference value {v}"
                    for v in values_in((graded / REPORT_NAME).read_text(encoding="utf-8"), slug)]
        if (graded / f"{slug}.ipynb").is_file():
            result = api.generate_feedback(slug, student)
            if not result["success"] or not page.is_file():
                findings.append("nbgrader generate_feedback failed")
            else:
                own = notebook_lines(course_root / "submitted" / student / slug / f"{slug}.ipynb")
                findings += find_leaks(folder, slug, own, check_values=False)
                text = page.read_text(encoding="utf-8")
                page.write_text(BODY.sub(lambda m: m.group(0) + banner(report), text, count=1), encoding="utf-8")
        else:
            folder.mkdir(parents=True, exist_ok=True)
            page.write_text(status_page(report), encoding="utf-8")
        if findings:
            shutil.rmtree(folder, ignore_errors=True)
            leaks += [f"{student} {slug}: {f}" for f in findings]
            continue
        written.append(page)
        log(f"  {student} {slug}: {page.relative_to(course_root)} ({report.status})")
    if leaks:
        raise LeakError("feedback withheld:\n  " + "\n  ".join(leaks))
    return written
