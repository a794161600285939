"""``make feedback``: nbgrader's per-student HTML feedback, checked for leaks before it is kept."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

from .batch import submissions
from .config import nbgrader_config
from .hygiene import LeakError, find_leaks, notebook_lines, values_in
from .report import REPORT_NAME


def generate(course_root: Path, slugs: list[str], students: list[str] | None = None, log=print) -> list[Path]:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    warnings.filterwarnings("ignore")
    course_root = course_root.resolve()
    config = nbgrader_config(course_root)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    written, leaks = [], []
    for student, slug in submissions(course_root, slugs, students):
        if not (course_root / "autograded" / student / slug / f"{slug}.ipynb").is_file():
            log(f"  {student} {slug}: not autograded yet (or it could not run); see grades.csv for why")
            continue
        result = api.generate_feedback(slug, student)
        folder = course_root / "feedback" / student / slug
        findings = []
        if result["success"]:
            own = notebook_lines(course_root / "submitted" / student / slug / f"{slug}.ipynb")
            graded = course_root / "autograded" / student / slug
            findings = [f"{student} {slug}: {f}" for f in find_leaks(folder, slug, own, check_values=False)]
            findings += [f"{student} {slug}: the grader's report shows the reference value {v}"
                         for v in values_in((graded / REPORT_NAME).read_text(encoding="utf-8"), slug)]
        if not result["success"] or findings:
            shutil.rmtree(folder, ignore_errors=True)
            leaks += findings or [f"{student} {slug}: nbgrader generate_feedback failed"]
            continue
        written += sorted(folder.glob("*.html"))
        log(f"  {student} {slug}: {folder.relative_to(course_root)}/{slug}.html")
    if leaks:
        raise LeakError("feedback withheld:\n  " + "\n  ".join(leaks))
    return written
