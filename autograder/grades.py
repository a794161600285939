"""``make grades``: grades.csv, one row per student, assignment and task, with a status and why."""
from __future__ import annotations

import csv
import warnings
from pathlib import Path

from .batch import submissions
from .config import nbgrader_config
from .graders import tasks_for
from .report import GRADED, OUT_OF_MEMORY, TIMED_OUT, SubmissionReport

COLUMNS = ["student", "assignment", "task", "score", "max_score", "status", "message"]


def rows(course_root: Path, slugs: list[str]) -> list[dict[str, object]]:
    from nbgrader.api import Gradebook, MissingEntry

    warnings.filterwarnings("ignore")
    course_root = course_root.resolve()
    db_url = nbgrader_config(course_root).CourseDirectory.db_url
    out = []
    with Gradebook(db_url) as gb:
        for student, slug in submissions(course_root, slugs):
            report = SubmissionReport.read(course_root / "autograded" / student / slug)
            results = {t.task: t for t in report.tasks} if report else {}
            for task in tasks_for(slug):
                try:
                    score = gb.find_grade(task.test_cell, slug, slug, student).score
                except MissingEntry:
                    score = 0.0
                result = results.get(task.name)
                if report is None:
                    status, message = "not graded", "Not graded yet: run make autograde."
                elif report.status not in (GRADED, TIMED_OUT, OUT_OF_MEMORY) or result is None:
                    status, message = report.status, report.message
                else:
                    status = result.status
                    message = result.message if report.status == GRADED else f"{result.message}. {report.message}"
                out.append(dict(student=student, assignment=slug, task=task.name, score=round(score, 2),
                                max_score=task.points, status=status, message=message))
    return out


def export(course_root: Path, slugs: list[str], path: Path) -> list[dict[str, object]]:
    table = rows(course_root, slugs)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(table)
    return table


def summary(table: list[dict[str, object]]) -> str:
    """A readable per-student, per-task table for the terminal."""
    tasks = list(dict.fromkeys((r["assignment"], r["task"]) for r in table))
    students = list(dict.fromkeys(r["student"] for r in table))
    cell = {(r["student"], r["assignment"], r["task"]): r for r in table}
    width = max([len("student")] + [len(s) for s in students])
    lines = []
    for slug in dict.fromkeys(a for a, _ in tasks):
        names = [t for a, t in tasks if a == slug]
        cols = [max(len(n), 9) for n in names]
        lines.append(f"\n{slug}")
        lines.append("  " + "student".ljust(width) + "  " + "  ".join(n.ljust(c) for n, c in zip(names, cols)) + "  total")
        for student in students:
            got = [cell.get((student, slug, n)) for n in names]
            if not any(got):
                continue
            marks = [f"{g['score']:g}/{g['max_score']:g}" if g else "-" for g in got]
            total = sum(g["score"] for g in got if g)
            maximum = sum(g["max_score"] for g in got if g)
            status = next((g["status"] for g in got if g and g["status"] != "graded"), "")
            lines.append("  " + student.ljust(width) + "  " + "  ".join(m.ljust(c) for m, c in zip(marks, cols))
                         + f"  {total:g}/{maximum:g}" + (f"  ({status})" if status else ""))
    return "\n".join(lines)
