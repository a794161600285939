"""``make demo``: a simulated class of six goes through release → autograde → feedback → grades."""
from __future__ import annotations

import shutil
from pathlib import Path

from . import paths, submissions
from .batch import autograde
from .feedback import generate
from .grades import export, summary

DEMO_ANSWERS = paths.SOLUTIONS / "demo_class"
STUDENTS = {
    "ada": "correct, vectorised",
    "ben": "correct, written with loops",
    "cai": "one gradient wrong",
    "dee": "blank: the release submitted untouched",
    "eli": "a syntax error in one answer cell",
    "fay": "an endless loop in one function",
}
MARKER = ".backprop-lab-demo"


def student_notebook(student: str, slug: str):
    if student == "dee":
        return submissions.blank_notebook(slug)
    notebook = submissions.reference_notebook(slug)
    answers = DEMO_ANSWERS / slug / f"{student}.py"
    if answers.is_file():
        notebook = submissions.with_answers(notebook, submissions.parse_answers(answers.read_text(encoding="utf-8")))
    return notebook


def make_class(course_root: Path, slugs: list[str]) -> None:
    """A fresh course folder holding only the demo class's submissions."""
    if course_root.exists():
        if not (course_root / MARKER).is_file():
            raise SystemExit(f"error: {course_root} exists and is not a demo folder; choose another --course")
        shutil.rmtree(course_root)
    course_root.mkdir(parents=True)
    (course_root / MARKER).write_text("made by make demo; safe to delete\n")
    for student in STUDENTS:
        for slug in slugs:
            submissions.write(student_notebook(student, slug), course_root, student, slug)


def run(course_root: Path, slugs: list[str], workers: int | None = None, cell_timeout: float = 10.0, log=print) -> list[dict]:
    course_root = course_root.resolve()
    log(f"The demo class in {course_root}:")
    for student, what in STUDENTS.items():
        log(f"  {student}: {what}")
    make_class(course_root, slugs)
    log("\n== make autograde")
    autograde(course_root, slugs, workers=workers, cell_timeout=cell_timeout, log=log)
    log("\n== make feedback")
    generate(course_root, slugs, log=log)
    log("\n== make grades")
    table = export(course_root, slugs, course_root / "grades.csv")
    log(summary(table))
    log(f"\nFeedback: {course_root / 'feedback'}/<student>/<assignment>/<assignment>.html; "
        f"grades: {course_root / 'grades.csv'}")
    return table
