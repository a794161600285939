"""Make student submissions from the sources: the reference answers, the blank release, or the
reference with some answer cells replaced (the demo class and the tests use these)."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from . import paths
from .assemble import is_answer_cell, source_notebook
from .course import Course

MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
CELL_HEADER = re.compile(r"^# %% (\S+)\s*$", re.MULTILINE)


def reference_notebook(slug: str) -> nbformat.NotebookNode:
    """What a student who wrote exactly the reference solution would submit."""
    notebook = source_notebook(slug)
    for cell in notebook.cells:
        if is_answer_cell(cell):
            cell.source = "\n".join(line for line in cell.source.splitlines() if not MARKER.match(line))
    return notebook


def blank_notebook(slug: str, release_dir: Path = paths.RELEASE) -> nbformat.NotebookNode:
    return nbformat.read(release_dir / slug / f"{slug}.ipynb", as_version=4)


def parse_answers(text: str) -> dict[str, str]:
    """``# %% <grade_id>`` headers split a file into replacement sources for answer cells."""
    parts = CELL_HEADER.split(text)
    return {grade_id: body.strip("\n") for grade_id, body in zip(parts[1::2], parts[2::2])}


def with_answers(notebook: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """``notebook`` with the answer cells named in ``answers`` replaced by their new source."""
    found = set()
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if is_answer_cell(cell) and grade_id in answers:
            cell.source = answers[grade_id]
            found.add(grade_id)
    missing = set(answers) - found
    if missing:
        raise KeyError(f"no answer cell named {', '.join(sorted(missing))}")
    return notebook


def write(notebook: nbformat.NotebookNode, course_root: Path, student: str, slug: str) -> Path:
    path = Course(course_root).submitted(student, slug) / f"{slug}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path
