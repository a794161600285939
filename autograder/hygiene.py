"""Checks that what students get holds no solution, no hidden test and no reference value."""
from __future__ import annotations

import html
import os
import re
import stat
from functools import lru_cache
from pathlib import Path

import nbformat
import numpy as np

from . import paths
from . import catalogue
from .graders import module_for

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
NUMBER = re.compile(r"(?<!\d)-?\d++\.\d{4,}+(?:[eE][-+]?\d++)?")  # linear: one try per digit run
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
    secret |= _code_lines(Path(module_for(slug).__file__).read_text(encoding="utf-8"))
    return frozenset(line for line in secret - public
                     if len(line) >= 12 and not line.startswith(("#", '"""', "'''", "import ", "from ")))


def _numbers(text: str) -> np.ndarray:
    """Every number with 4+ decimals in ``text``, in order (8 bytes each, no list of strings)."""
    return np.fromiter((float(m.group()) for m in NUMBER.finditer(text)), dtype=np.float64)


def _sorted(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).ravel()
    return np.unique(values[np.isfinite(values)])


def _close(numbers: np.ndarray, values: np.ndarray, presorted: bool = False) -> np.ndarray:
    """For each number: does it equal one of ``values`` to 1e-6 relative (|n - v| <= 1e-6 |v|)?

    O((N + M) log M) time and O(N + M) memory: the values that match a number form one interval
    around it, so the nearest value on each side of the number (searchsorted) decides.
    """
    numbers = np.asarray(numbers, dtype=np.float64).ravel()
    values = values if presorted else _sorted(values)
    if not numbers.size or not values.size:
        return np.zeros(numbers.shape, dtype=bool)
    right = np.searchsorted(values, numbers)
    found = np.zeros(numbers.shape, dtype=bool)
    for index in (np.minimum(right, values.size - 1), np.maximum(right - 1, 0)):
        nearest = values[index]
        found |= np.abs(numbers - nearest) <= 1e-6 * np.abs(nearest)
    return found


def _distinctive(flat: np.ndarray, slug: str) -> np.ndarray:
    """Sorted distinct values of ``flat`` that identify a hidden case: not round (not writable with
    4 significant digits: 0.0729 or 2.5 could be anything: a time, an error ratio, a
    hyperparameter), and not printed by the student-facing sources anyway (a seed's worked example)."""
    flat = _sorted(flat)
    flat = flat[np.abs(flat) > 1e-3]
    if not flat.size:
        return flat
    scale = 10.0 ** (np.floor(np.log10(np.abs(flat))) - 3)
    short = np.round(flat / scale) * scale  # the value at 4 significant digits
    flat = flat[np.abs(flat - short) > 1e-6 * np.abs(flat)]  # also float32 images of short numbers
    return flat[~_close(flat, _public_numbers(slug))]


@lru_cache(maxsize=None)
def _public_numbers(slug: str) -> np.ndarray:
    return _sorted(np.concatenate([np.zeros(0)] + [_numbers(p.read_text(encoding="utf-8"))
                                                   for p in _text_files(paths.ASSIGNMENTS / slug)]))


@lru_cache(maxsize=None)
def reference_values(slug: str) -> np.ndarray:
    """Distinctive numbers the reference produced on the hidden cases (sorted). Built from the cases
    alone: no grading data (08's and 09's held-out images are loaded only by their judges)."""
    values = [np.ravel(v) for task in catalogue.cases(slug) for case in task.cases for v in case.expected.values()]
    return _distinctive(np.concatenate(values) if values else np.zeros(0), slug)


@lru_cache(maxsize=None)
def hidden_input_values(slug: str) -> np.ndarray:
    """Distinctive numbers of the hidden cases' inputs (sorted): a kernel's error text can quote
    them (``raised ValueError: ... x = [...]``)."""
    values = [np.ravel(np.asarray(v, dtype=np.float64)) for task in catalogue.cases(slug) for case in task.cases
              for v in case.inputs.values() if np.asarray(v).dtype.kind == "f"]
    return _distinctive(np.concatenate(values) if values else np.zeros(0), slug)


@lru_cache(maxsize=None)
def secret_values(slug: str) -> np.ndarray:
    """Every number feedback must not show: reference outputs and hidden inputs (sorted)."""
    return _sorted(np.concatenate([reference_values(slug), hidden_input_values(slug)]))


SCRUB_LIMIT = 2000
ELLIPSIS = "\u2026"
CUT_NUMBER = re.compile(r"-?\d[\d.eE+-]*$")


def scrub(text: str, slug: str, limit: int | None = SCRUB_LIMIT) -> str:
    """``text`` with every distinctive reference or hidden-input number of ``slug`` replaced by "…".

    A student-provided string (e.g. a kernel's error message) is first cut to ``limit`` characters
    (a cut ends in "…"); ``limit=None`` keeps the whole text (a page). Linear in the text: one
    regex pass, one sorted lookup. Non-strings are turned into strings first.
    """
    if not isinstance(text, str):
        text = str(text)
    if limit is not None and len(text) > limit:
        text = CUT_NUMBER.sub("", text[:limit]) + ELLIPSIS  # never keep the first digits of a number
    hits = np.flatnonzero(_close(_numbers(text), secret_values(slug), presorted=True))
    if not hits.size:
        return text
    wanted, out, last = set(hits.tolist()), [], 0
    for i, m in enumerate(NUMBER.finditer(text)):
        if i in wanted:
            out += [text[last:m.start()], ELLIPSIS]
            last = m.end()
    return "".join(out) + text[last:]


def text_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            notebook = nbformat.reads(text, as_version=4)
            text = "\n".join(cell.source for cell in notebook.cells) + "\n" + text
        except Exception:  # not a notebook after all: its text is still checked
            pass
    if path.suffix == ".html":
        text = html.unescape(TAG.sub("", text))
    return text


def values_in(text: str, slug: str) -> list[str]:
    """Reference values of ``slug``'s hidden cases that appear in ``text``."""
    numbers = _numbers(text)
    return [repr(float(n)) for n in numbers[_close(numbers, reference_values(slug), presorted=True)]]


def notebook_lines(path: Path) -> set[str]:
    """Stripped source lines of a notebook's cells (empty if it cannot be read)."""
    try:
        return _code_lines("\n".join(c.source for c in nbformat.read(path, as_version=4).cells))
    except Exception:
        return set()


def _returned_files(folder: Path) -> tuple[list[Path], list[str]]:
    """Every entry under ``folder`` (links are not followed): regular files to read, and findings
    for what cannot be checked (links, devices, fifos, files too large to read)."""
    files, findings = [], []
    for top, dirs, names in os.walk(folder, followlinks=False):
        for name in sorted(dirs + names):
            path = Path(top) / name
            info = os.lstat(path)
            where = path.relative_to(folder)
            if stat.S_ISDIR(info.st_mode):
                continue
            if not stat.S_ISREG(info.st_mode):
                findings.append(f"{where}: is a link or special file, not a regular file")
            elif info.st_size > RETURNED_FILE_LIMIT:
                findings.append(f"{where}: {info.st_size} bytes, too large to check")
            else:
                files.append(path)
    return sorted(files), findings


RETURNED_FILE_LIMIT = 256 * 2**20


def find_leaks(folder: Path, slug: str, own_lines: set[str] = frozenset(), check_values: bool = True,
               every_file: bool = False, hidden_inputs: bool = False) -> list[str]:
    """Every way the files under ``folder`` give away ``slug``'s solutions or hidden tests.

    ``own_lines`` are lines the student wrote themselves (allowed in their own feedback, even when
    they equal the reference); ``check_values`` is off where the student's own outputs appear.
    ``every_file`` reads every file, whatever its suffix (what is handed to a student; links and
    special files are findings themselves); otherwise only text sources are read (a release).
    ``hidden_inputs`` also looks for the hidden cases' distinctive input numbers.
    """
    secret = _secret_lines(slug) - set(own_lines)
    values = np.zeros(0)
    if check_values:
        values = secret_values(slug) if hidden_inputs else reference_values(slug)
    files, findings = _returned_files(folder) if every_file else (_text_files(folder), [])
    for path in files:
        text = text_of(path)
        where = path.relative_to(folder)
        findings += [f"{where}: contains the nbgrader marker '{m}'" for m in MARKERS if m in text]
        findings += [f"{where}: contains solution or hidden-test line {line!r}"
                     for line in sorted(secret & _code_lines(text))]
        numbers = _numbers(text)
        findings += [f"{where}: contains the hidden value {float(n)!r}" if hidden_inputs else
                     f"{where}: contains the reference value {float(n)!r}"
                     for n in numbers[_close(numbers, values, presorted=True)][:3]]
    return findings


def check_cells(notebook_path: Path, slug: str) -> list[str]:
    """Answer cells are nbgrader solution cells named by task; test cells carry the task's points
    (both as the catalogue declares them; no hidden case is built)."""
    notebook = nbformat.read(notebook_path, as_version=4)
    tasks = {t.name: t for t in catalogue.tasks(slug)}
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
                            f"points (the catalogue's), found {tests.get(task.test_cell)}")
    findings += [f"{notebook_path.name}: solution cell {g!r} is not a task of the catalogue" for g in answers if g not in tasks]
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
