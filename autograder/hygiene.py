"""Checks that what students get holds no solution, no hidden test and no reference value."""
from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import nbformat
import numpy as np

from . import paths
from .graders import modules, tasks_for

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
NUMBER = re.compile(r"-?\d+\.\d{4,}(?:[eE][-+]?\d+)?")
TAG = re.compile(r"<[^>]+>")
TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".json", ".html", ".txt", ".csv"}


class LeakError(Exception):
    """The release (or feedback) would give something away; the message lists every finding."""


def _text_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)


def _code_lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines()}


@lru_cache(maxsize=None)
def _secret_lines(slug: str) -> frozenset[str]:
    """Lines of the reference and the hidden grader that the student-facing sources do not have."""
    public = set()
    for path in _text_files(paths.ASSIGNMENTS / slug):  # shared helpers count only where shipped
        public |= _code_lines(path.read_text(encoding="utf-8"))
    secret = _code_lines(paths.reference_module(slug).read_text(encoding="utf-8"))
    secret |= _code_lines(Path(modules()[slug].__file__).read_text(encoding="utf-8"))
    return frozenset(line for line in secret - public
                     if len(line) >= 12 and not line.startswith(("#", '"""', "'''", "import ", "from ")))


def _numbers(text: str) -> np.ndarray:
    return np.array([float(n) for n in NUMBER.findall(text)])


def _close(numbers: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each number: does it equal one of ``values`` to 1e-6 relative?"""
    if not numbers.size or not values.size:
        return np.zeros(numbers.shape, dtype=bool)
    return (np.abs(numbers[:, None] - values[None, :]) <= 1e-6 * np.abs(values[None, :])).any(axis=1)


@lru_cache(maxsize=None)
def reference_values(slug: str) -> np.ndarray:
    """Distinctive numbers the reference produced on the hidden cases (not round ones, and not
    ones the student-facing sources print anyway, such as a seed's worked example)."""
    values = [np.ravel(v) for task in tasks_for(slug) for case in task.cases for v in case.expected.values()]
    flat = np.concatenate(values) if values else np.zeros(0)
    flat = np.unique(flat[np.isfinite(flat) & (np.abs(flat) > 1e-3)])
    # Distinctive: not writable with 4 significant digits (0.0729 or 2.5 could be anything: a
    # time, an error ratio, a hyperparameter).
    short = np.array([float(f"{v:.4g}") for v in flat])
    flat = flat[np.abs(flat - short) > 1e-6 * np.abs(flat)]  # also float32 images of short numbers
    public = np.concatenate([np.zeros(0)] + [_numbers(p.read_text(encoding="utf-8"))
                                             for p in _text_files(paths.ASSIGNMENTS / slug)])
    return flat[~_close(flat, public)]


def text_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        notebook = nbformat.reads(text, as_version=4)
        text = "\n".join(cell.source for cell in notebook.cells) + "\n" + text
    if path.suffix == ".html":
        text = html.unescape(TAG.sub("", text))
    return text


def values_in(text: str, slug: str) -> list[str]:
    """Reference values of ``slug``'s hidden cases that appear in ``text``."""
    numbers = _numbers(text)
    return [repr(float(n)) for n in numbers[_close(numbers, reference_values(slug))]]


def notebook_lines(path: Path) -> set[str]:
    """Stripped source lines of a notebook's cells (empty if it cannot be read)."""
    try:
        return _code_lines("\n".join(c.source for c in nbformat.read(path, as_version=4).cells))
    except Exception:
        return set()


def find_leaks(folder: Path, slug: str, own_lines: set[str] = frozenset(), check_values: bool = True) -> list[str]:
    """Every way the files under ``folder`` give away ``slug``'s solutions or hidden tests.

    ``own_lines`` are lines the student wrote themselves (allowed in their own feedback, even when
    they equal the reference); ``check_values`` is off where the student's own outputs appear.
    """
    secret = _secret_lines(slug) - set(own_lines)
    values = reference_values(slug) if check_values else np.zeros(0)
    findings = []
    for path in _text_files(folder):
        text = text_of(path)
        where = path.relative_to(folder)
        findings += [f"{where}: contains the nbgrader marker '{m}'" for m in MARKERS if m in text]
        findings += [f"{where}: contains solution or hidden-test line {line!r}"
                     for line in sorted(secret & _code_lines(text))]
        numbers = _numbers(text)
        findings += [f"{where}: contains the reference value {float(n)!r}" for n in numbers[_close(numbers, values)][:3]]
    return findings


def check_cells(notebook_path: Path, slug: str) -> list[str]:
    """Answer cells are nbgrader solution cells named by task; test cells carry the task's points."""
    notebook = nbformat.read(notebook_path, as_version=4)
    tasks = {t.name: t for t in tasks_for(slug)}
    answers, tests, findings = [], {}, []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answers.append(meta.get("grade_id"))
        elif meta.get("grade"):
            tests[meta.get("grade_id")] = meta.get("points")
    for name, task in tasks.items():
        if answers.count(name) != 1:
            findings.append(f"{notebook_path.name}: task {name!r} needs exactly one solution cell with that "
                            f"grade_id, found {answers.count(name)}")
        if tests.get(task.test_cell) != task.points:
            findings.append(f"{notebook_path.name}: test cell {task.test_cell!r} must carry {task.points:g} "
                            f"points (the grader's), found {tests.get(task.test_cell)}")
    findings += [f"{notebook_path.name}: solution cell {g!r} is not a task of the grader" for g in answers if g not in tasks]
    findings += [f"{notebook_path.name}: grade cell {g!r} belongs to no task" for g in tests if g not in
                 {t.test_cell for t in tasks.values()}]
    return findings


def verify_release(release_dir: Path, slugs: list[str]) -> None:
    findings = []
    for slug in slugs:
        notebook = release_dir / slug / f"{slug}.ipynb"
        if not notebook.is_file():
            findings.append(f"{slug}: {notebook.name} is missing from the release")
            continue
        findings += [f"{slug}: {f}" for f in check_cells(notebook, slug) + find_leaks(release_dir / slug, slug)]
    if findings:
        raise LeakError("the release is not fit for students:\n  " + "\n  ".join(findings))
