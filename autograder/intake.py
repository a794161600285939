"""The first boundary a submission crosses: its folder is copied into a private staging folder
before nbgrader sees it, and nbgrader grades only that copy.

Only regular files with a single link are copied, each opened without following links and read
up to a bound; links, devices, FIFOs, hard-linked, oversized or surplus files are left out and
named in the student's feedback. Nothing is ever written into ``submitted/``. The notebook is
parsed under bounds and its nbgrader metadata is reset from the released notebook: a cell keeps
the role the assignment gave it, a cell claiming a role the assignment does not have loses it.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .report import Status

MAX_FILE_BYTES = 32 * 2**20       # one file
MAX_SUBMISSION_BYTES = 64 * 2**20  # everything copied
MAX_FILES = 200
MAX_DEPTH = 4                      # folders inside the submission folder
MAX_CELLS = 500
RESERVED = {"grading.json"}        # the grader's own report: never taken from a student
SKIPPED_FOLDERS = {".ipynb_checkpoints", "__pycache__"}
STUDENT_ID = re.compile(r"^[^\W_][\w.@-]{0,99}$")


class NotGradable(Exception):
    """The submission cannot be graded; ``status`` and the sentence say why."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Staged:
    notebook: Path
    notes: list[str] = field(default_factory=list)  # sentences for the student's feedback


def shown(name: str, limit: int = 60) -> str:
    """A student-chosen name, safe to put in a sentence: printable, quoted, bounded."""
    text = name.encode("utf-8", "replace").decode("utf-8")
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def valid_student_id(name: str) -> bool:
    """Letters, digits, ``. _ - @``; starting with a letter or digit (no ``=``, ``+``, ``-``, ``@``)."""
    return bool(STUDENT_ID.match(name))


def remove_tree(path: Path) -> None:
    """Delete a file, link or folder however deep it is: ``shutil.rmtree`` (which never follows a
    link) first, and ``rm -rf`` for what it leaves (it recurses, and fails on very deep trees)."""
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.unlink(path)
    except (OSError, RecursionError):
        pass
    if os.path.lexists(path):
        subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)], check=False)


def read_regular(path: Path, limit: int) -> bytes | str:
    """The bytes of ``path`` if it is a regular file with one link and at most ``limit`` bytes;
    otherwise why it was left out."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        return "a link" if error.errno == errno.ELOOP else f"unreadable ({error.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_nlink != 1:
            return "a hard link"
        if info.st_size > limit:
            return f"larger than {limit // 2**20} MiB"
        chunks, size = [], 0
        while chunk := os.read(fd, min(2**20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return f"larger than {limit // 2**20} MiB"
        return b"".join(chunks)
    finally:
        os.close(fd)


def copy_files(source: Path, target: Path) -> list[str]:
    """Copy what may be graded from ``source`` into ``target``; a sentence per thing left out."""
    left_out: list[str] = []
    copied = total = 0
    pending = [(source, target, 0)]
    while pending:
        folder, into, depth = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            left_out.append(f"folder {shown(folder.name)} ({error.strerror})")
            continue
        for entry in entries:
            relative = shown(os.path.relpath(entry.path, source))
            if entry.is_symlink():
                left_out.append(f"{relative} (a link)")
            elif entry.is_dir(follow_symlinks=False):
                if entry.name in SKIPPED_FOLDERS:
                    continue
                if depth >= MAX_DEPTH:
                    left_out.append(f"{relative} (folders nested deeper than {MAX_DEPTH})")
                    continue
                (into / entry.name).mkdir(mode=0o700)
                pending.append((Path(entry.path), into / entry.name, depth + 1))
            elif entry.name in RESERVED:
                left_out.append(f"{relative} (a name the grader reserves)")
            elif copied >= MAX_FILES:
                left_out.append(f"{relative} (more than {MAX_FILES} files)")
            else:
                data = read_regular(Path(entry.path), min(MAX_FILE_BYTES, MAX_SUBMISSION_BYTES - total))
                if isinstance(data, str):
                    left_out.append(f"{relative} ({data})")
                    continue
                (into / entry.name).write_bytes(data)
                copied += 1
                total += len(data)
    return left_out


def choose_notebook(staged: Path, slug: str) -> tuple[Path, str]:
    """The staged notebook to grade, renamed to what nbgrader expects, and a note if it was renamed."""
    expected = staged / f"{slug}.ipynb"
    if expected.is_file():
        return expected, ""
    others = sorted(p for p in staged.glob("*.ipynb") if p.is_file())
    if len(others) == 1:
        others[0].rename(expected)
        return expected, (f"Your notebook was named {shown(others[0].name)}, not '{expected.name}'; it was the "
                          "only notebook, so it was graded. Please keep the original name next time.")
    if others:
        names = ", ".join(shown(p.name) for p in others[:5]) + (", …" if len(others) > 5 else "")
        raise NotGradable(Status.MISSING_NOTEBOOK, f"No '{expected.name}' was submitted, and {len(others)} other "
                                              f"notebooks were ({names}); submit the assignment under its original name.")
    raise NotGradable(Status.MISSING_NOTEBOOK, f"No '{expected.name}' was submitted.")


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Parse and validate a student's notebook; NotGradable with a reason when it cannot be."""
    invalid = Status.INVALID_NOTEBOOK
    try:
        notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(notebook)
    except (RecursionError, UnicodeDecodeError) as error:
        raise NotGradable(invalid, f"'{path.name}' is not a valid notebook ({type(error).__name__}); open it in "
                                   "Jupyter, save it again and resubmit.") from None
    except Exception as error:
        reason = str(getattr(error, "message", "") or type(error).__name__).splitlines()[0][:120]
        raise NotGradable(invalid, f"'{path.name}' is not a valid notebook ({reason}); open it in Jupyter, save "
                                   "it again and resubmit.") from None
    if len(notebook.cells) > MAX_CELLS:
        raise NotGradable(invalid, f"'{path.name}' has {len(notebook.cells)} cells; at most {MAX_CELLS} can be "
                                   "graded. Merge or delete cells and resubmit.")
    return notebook


def _role(cell) -> dict | None:
    meta = cell.get("metadata")
    role = meta.get("nbgrader") if isinstance(meta, dict) else None
    return role if isinstance(role, dict) else None


def reset_roles(notebook: nbformat.NotebookNode, released: nbformat.NotebookNode) -> str:
    """Give every cell the nbgrader metadata the released notebook gave its ``grade_id`` (or none);
    returns a note on what the student had changed to the locked test cells."""
    roles = {role["grade_id"]: (role, cell.source) for cell in released.cells if (role := _role(cell))}
    tests = {g for g, (role, _) in roles.items() if role.get("grade")}
    theirs: dict[str, str] = {}
    claimed: list[str] = []
    for cell in notebook.cells:
        role = _role(cell)
        if "nbgrader" not in cell.metadata:
            continue
        grade_id = role.get("grade_id") if role else None
        if isinstance(grade_id, str) and grade_id in roles:
            cell.metadata["nbgrader"] = dict(roles[grade_id][0])
            if grade_id in tests:
                theirs[grade_id] = cell.source
        else:
            if role and role.get("grade"):
                claimed.append(shown(str(grade_id), 40))
            del cell.metadata["nbgrader"]
    deleted = sorted(tests - set(theirs))
    edited = sorted(g for g in theirs if theirs[g].strip() != roles[g][1].strip())
    notes = []
    if deleted or edited:
        what = "; ".join(part for part in (f"edited: {', '.join(edited)}" if edited else "",
                                           f"deleted: {', '.join(deleted)}" if deleted else "") if part)
        notes.append(f"Locked test cells were changed ({what}); the originals were restored for grading.")
    if claimed:
        notes.append(f"Cells claiming to be graded ({', '.join(sorted(claimed)[:10])}) are not part of the "
                     "assignment and earned nothing.")
    return " ".join(notes)


def stage(submitted: Path, staged: Path, slug: str, released_notebook: Path) -> Staged:
    """Fill ``staged`` (emptied first) with what may be graded of ``submitted``."""
    remove_tree(staged)
    staged.mkdir(parents=True, mode=0o700)
    if submitted.is_symlink() or not submitted.is_dir():
        raise NotGradable(Status.MISSING_NOTEBOOK, "The submission folder is a link or not a folder; it was not read.")
    notes = []
    left_out = copy_files(submitted, staged)
    if left_out:
        shown_list = "; ".join(left_out[:10]) + (f"; and {len(left_out) - 10} more" if len(left_out) > 10 else "")
        notes.append(f"Left out of grading: {shown_list}. Only plain files are graded.")
    notebook_path, renamed = choose_notebook(staged, slug)
    notebook = read_notebook(notebook_path)
    tampering = reset_roles(notebook, nbformat.read(released_notebook, as_version=4))
    nbformat.write(notebook, notebook_path)
    return Staged(notebook_path, [n for n in (renamed, tampering, *notes) if n])
