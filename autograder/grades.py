"""``make grades``: grades.csv, one row per student, assignment and task, with a status and why;
grades-summary.csv beside it, one row per student and one column per assignment; and the same
scores in the gradebook import layout of the course's LMS (Canvas or Moodle, :func:`lms_import`).

Every text cell is cut to a bound, scrubbed of hidden numbers and neutralised against spreadsheet
formulas (a student folder named ``=HYPERLINK(...)`` stays text); numbers stay numbers.
"""
from __future__ import annotations

import csv
from pathlib import Path

from . import catalogue
from .config import lateness
from .course import Course
from .hygiene import scrub
from .report import Status, SubmissionReport
from .sanitize import MESSAGE_LIMIT, cut

COLUMNS = ["student", "assignment", "task", "score", "max_score", "status", "message"]
SUMMARY_NAME = "grades-summary.csv"
# grades.csv's status column holds a Status, or one of these two:
NOT_GRADED = "not graded"  # the submission is in submitted/ but has not been autograded yet (blank score)
LATE, LATE_TASK = "late", "late penalty"  # a row of its own: its score is the (negative) penalty
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading "'"
    (numbers are left alone: a score is a number, never a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write(path: Path, columns: list[str], table: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: neutral(v) for k, v in row.items()} for row in table)


def rows(course_root: Path, slugs: list[str], students: list[str] | None = None) -> list[dict[str, object]]:
    """One row per task of every submission, and a ``late penalty`` row (a negative score) for each
    submission the gradebook holds a late penalty for; a task not graded yet has a blank score.
    Task names and points come from the catalogue (no hidden case is built, no data set read)."""
    from nbgrader.api import MissingEntry

    course = Course(course_root)
    out = []
    with course.gradebook() as gb:
        for student, slug in course.submissions(slugs, students):
            try:
                report = SubmissionReport.read(course.autograded(student, slug))
                unreadable = False
            except Exception:  # one damaged record must not cost the whole export
                report, unreadable = None, True
            results = {t.task: t for t in report.tasks} if report else {}
            for task in catalogue.tasks(slug):
                try:
                    score = gb.find_grade(task.test_cell, slug, slug, student).score
                except MissingEntry:
                    score = 0.0
                result = results.get(task.name)
                if unreadable:
                    status, message = Status.GRADER_ERROR, "The grading record could not be read: run make autograde again."
                elif report is None:
                    status, message = NOT_GRADED, "Not graded yet: run make autograde."
                elif report.status not in (Status.GRADED, Status.TIMED_OUT, Status.OUT_OF_MEMORY) or result is None:
                    status, message = report.status, report.message
                else:
                    status = result.status
                    message = result.message if report.status == Status.GRADED else f"{result.message}. {report.message}"
                out.append(dict(student=student, assignment=slug, task=task.name,
                                score="" if status == NOT_GRADED else round(score, 2),
                                max_score=task.points, status=cut(str(status), 100),
                                message=scrub(cut(message, MESSAGE_LIMIT), slug)))
            late = lateness(course.db_url, slug, student) if report is not None else None
            if late is not None and late.penalty > 0:
                out.append(dict(student=student, assignment=slug, task=LATE_TASK, score=-round(late.penalty, 2),
                                max_score=0, status=LATE, message=late.sentence()))
    return out


def export(course_root: Path, slugs: list[str], path: Path, students: list[str] | None = None,
           log=lambda *_: None) -> list[dict[str, object]]:
    """Writes ``path`` (per task), grades-summary.csv beside it (per student, after late penalties)
    and the gradebook import of the course's LMS, logging each file; returns the rows."""
    table = rows(course_root, slugs, students)
    _write(path, COLUMNS, table)
    summary_rows = per_student(table, slugs)
    _write(path.with_name(SUMMARY_NAME), ["student", *slugs, "total"], summary_rows)
    log(f"{len(table)} row(s) written to {path}; one row per student in {path.with_name(SUMMARY_NAME)}")
    for written in lms_import(course_root, summary_rows, slugs, path.parent):
        log(f"gradebook import for the LMS: {written}")
    return table


CANVAS_NAME = "grades-canvas.csv"
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_NAME = "grades-moodle-{slug}.csv"
MOODLE_COLUMNS = ["Identifier", "Grade", "Maximum Grade"]


def lms_import(course_root: Path, summary_rows: list[dict[str, object]], slugs: list[str],
               folder: Path) -> list[Path]:
    """The per-student scores in the import layout of the course's LMS (``c.BackpropLab.lms``):

    * canvas: ``grades-canvas.csv``, Canvas's gradebook import (the five identity columns, then one
      column per assignment, named by ``c.BackpropLab.lms_columns``, and a ``Points Possible`` row);
      a student is matched by ``ID``, the Canvas user id that ``make collect`` took from the
      download's file names;
    * moodle: ``grades-moodle-<assignment>.csv`` per assignment, Moodle's offline grading worksheet
      (``Identifier`` is ``Participant <id>``, the id of the download's folder names), uploaded in
      the assignment's *Upload grading worksheet*.

    A blank score (not graded) stays blank, so an import never turns it into a zero."""
    settings = Course(course_root).settings
    maximum = {slug: sum(catalogue.points(slug).values()) for slug in slugs}
    if settings.lms == "canvas":
        columns = CANVAS_IDENTITY + [settings.lms_columns[slug] for slug in slugs]
        table = [{**{c: "" for c in CANVAS_IDENTITY}, "Student": "Points Possible",
                  **{settings.lms_columns[slug]: maximum[slug] for slug in slugs}}]
        table += [{"Student": row["student"], "ID": row["student"], "SIS User ID": "", "SIS Login ID": "",
                   "Section": "", **{settings.lms_columns[slug]: row[slug] for slug in slugs}}
                  for row in summary_rows]
        _write(folder / CANVAS_NAME, columns, table)
        return [folder / CANVAS_NAME]
    if settings.lms == "moodle":
        written = []
        for slug in slugs:
            path = folder / MOODLE_NAME.format(slug=slug)
            _write(path, MOODLE_COLUMNS, [{"Identifier": f"Participant {row['student']}", "Grade": row[slug],
                                           "Maximum Grade": maximum[slug]}
                                          for row in summary_rows if row[slug] != ""])
            written.append(path)
        return written
    return []


def per_student(table: list[dict[str, object]], slugs: list[str]) -> list[dict[str, object]]:
    """One row per student: each assignment's score (blank where not graded) and their total."""
    out: dict[str, dict[str, object]] = {}
    for r in table:
        row = out.setdefault(r["student"], {"student": r["student"], **{s: "" for s in slugs}, "total": 0.0})
        if r["status"] == NOT_GRADED or r["score"] == "" or r["assignment"] not in row:
            continue
        row[r["assignment"]] = round((row[r["assignment"]] or 0.0) + r["score"], 2)
    for row in out.values():
        row["total"] = round(sum(row[s] for s in slugs if row[s] != ""), 2)
    return [out[s] for s in sorted(out)]


def summary(table: list[dict[str, object]]) -> str:
    """A readable per-student, per-task table for the terminal."""
    tasks = list(dict.fromkeys((r["assignment"], r["task"]) for r in table if r["task"] != LATE_TASK))
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
            marks = [f"{g['score']:g}/{g['max_score']:g}" if g and g["score"] != "" else "-" for g in got]
            late = cell.get((student, slug, LATE_TASK))
            total = sum(g["score"] for g in got if g and g["score"] != "") + (late["score"] if late else 0)
            maximum = sum(g["max_score"] for g in got if g)
            status = next((g["status"] for g in got if g and g["status"] != Status.GRADED), "")
            status = ", ".join(s for s in (status, f"late {late['score']:g}" if late else "") if s)
            lines.append("  " + student.ljust(width) + "  " + "  ".join(m.ljust(c) for m, c in zip(marks, cols))
                         + f"  {total:g}/{maximum:g}" + (f"  ({status})" if status else ""))
    return "\n".join(lines)
