"""Which submissions ``make autograde`` must grade: those that are new or changed since their
report was written, by content and by grader version.

A submission's *key* is a hash of
- its folder's contents, read the way intake reads them (no link followed, bounded reads; a link,
  device or oversized file counts by its name and what it is),
- the grader version: the sources of ``autograder/``, the slug's ``solutions/`` and
  ``assignments/`` folders and the released notebook,
- the time-outs and the late policy that apply to it (due date, extension, penalty),
- the gradebook it was graded into (another gradebook does not hold its scores).

The key is stored beside the report, ``autograded/<student>/<slug>/grading-key.json``, together
with a hash of the report it belongs to, so a report that was replaced or edited is regraded.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from functools import lru_cache
from pathlib import Path

from . import intake, paths
from .report import ERROR, REPORT_NAME

KEY_NAME = "grading-key.json"


def _hash_tree(digest, root: Path, follow: bool) -> None:
    """Every file under ``root`` (a repository folder) by relative path and content."""
    if not root.exists():
        digest.update(f"absent:{root.name}\n".encode())
        return
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    for path in files:
        if path.is_symlink() and not follow:
            continue
        digest.update(f"{path.relative_to(root.parent)}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())


@lru_cache(maxsize=None)
def grader_version(slug: str) -> str:
    """A hash of what decides a grade besides the submission itself."""
    digest = hashlib.sha256(b"backprop-lab grader v1\n")
    _hash_tree(digest, paths.REPO / "autograder", follow=False)
    _hash_tree(digest, paths.SOLUTIONS / slug, follow=True)
    _hash_tree(digest, paths.ASSIGNMENTS / slug, follow=True)
    _hash_tree(digest, paths.RELEASE / slug / f"{slug}.ipynb", follow=True)
    return digest.hexdigest()


def submission_digest(folder: Path) -> str:
    """A hash of what intake would see in ``folder``, read without following any link."""
    digest = hashlib.sha256()
    if folder.is_symlink() or not folder.is_dir():
        return "not a folder"
    pending = [(folder, 0)]
    while pending:
        current, depth = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as error:
            digest.update(f"unreadable folder {current}: {error.strerror}\n".encode())
            continue
        for entry in entries:
            relative = os.path.relpath(entry.path, folder).encode("utf-8", "surrogateescape")
            if entry.is_symlink():
                digest.update(b"link " + relative + b"\n")
            elif entry.is_dir(follow_symlinks=False):
                if entry.name in intake.SKIPPED_FOLDERS:
                    continue
                digest.update(b"dir " + relative + b"\n")
                if depth < intake.MAX_DEPTH:
                    pending.append((Path(entry.path), depth + 1))
            else:
                data = intake.read_regular(Path(entry.path), intake.MAX_FILE_BYTES)
                what = data.encode() if isinstance(data, str) else hashlib.sha256(data).hexdigest().encode()
                digest.update(b"file " + relative + b" " + what + b"\n")
    return digest.hexdigest()


def key(submitted: Path, slug: str, cell_timeout: float, submission_timeout: float, policy: str) -> str:
    parts = [submission_digest(submitted), grader_version(slug), f"timeout={cell_timeout:g}",
             f"submission_timeout={submission_timeout:g}", policy]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _report_hash(autograded: Path) -> str | None:
    try:
        return hashlib.sha256((autograded / REPORT_NAME).read_bytes()).hexdigest()
    except OSError:
        return None


def stored(autograded: Path) -> dict:
    """The key file beside a report (empty when there is none or it is unreadable)."""
    try:
        data = json.loads((autograded / KEY_NAME).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def is_current(autograded: Path, wanted: str) -> bool:
    """The report in ``autograded`` was written by a grading with key ``wanted`` and is unchanged."""
    data = stored(autograded)
    report = _report_hash(autograded)
    return report is not None and data.get("key") == wanted and data.get("report") == report


def record(autograded: Path, wanted: str, seconds: float | None, started: float) -> bool:
    """Store the key beside a report written since ``started`` (a time.time()); False if there is
    none, or if it says the grader failed (that submission is tried again next time)."""
    path = autograded / REPORT_NAME
    try:
        if path.stat().st_mtime < started - 1:
            return False
        if json.loads(path.read_text(encoding="utf-8")).get("status") == ERROR:
            return False
    except (OSError, ValueError, AttributeError):
        return False
    (autograded / KEY_NAME).write_text(json.dumps(
        {"key": wanted, "report": _report_hash(autograded), "seconds": seconds,
         "graded_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}, indent=1), encoding="utf-8")
    return True


class Plan:
    """The jobs of one ``make autograde``: which to grade, which reports to keep, and the progress
    lines (``[k/n] … ETA mm:ss``) of those graded."""

    LINE = None  # compiled lazily

    def __init__(self, jobs: list, force: bool, log):
        from .report import SubmissionReport

        self.log = log
        self.keys: dict[tuple[str, str], str] = {}
        self.todo, self.kept = [], []
        self.seconds: dict[tuple[str, str], float] = {}
        course = jobs[0].course if jobs else None
        settings = course.settings if course else None
        gradebook = course.db_url if course else ""
        for job in jobs:
            wanted = key(job.submitted, job.slug, job.cell_timeout, job.submission_timeout,
                         f"{settings.policy(job.student, job.slug)};gradebook={gradebook}")
            self.keys[(job.student, job.slug)] = wanted
            report = None
            if not force and is_current(job.autograded, wanted):
                try:
                    report = SubmissionReport.read(job.autograded)
                except Exception:  # an unreadable report is graded again
                    report = None
            if report is None:
                self.todo.append(job)
            else:
                self.kept.append(report)
        self.jobs = {(job.student, job.slug): job for job in jobs}
        if self.kept and self.todo:
            log(f"Skipping {len(self.kept)} submission(s) unchanged since they were graded "
                "(same files, same grader; FORCE=1 regrades them).")
        elif self.kept:
            log(f"Nothing new to grade: all {len(self.kept)} submission(s) are unchanged since they were graded "
                "(FORCE=1 regrades them).")
        self.started = time.time()
        self._clock = time.monotonic()

    def progress(self, line: str) -> None:
        """The batch's log, with an ETA on each ``[k/n]`` line; remembers each notebook's time."""
        import re

        if Plan.LINE is None:
            Plan.LINE = re.compile(r"^\s*\[(\d+)/(\d+)\]\s+(\S+)\s+(\S+):.*\bin ([\d.]+) s\s*$")
        if str(line).startswith("Grading "):  # the workers start now: time from here
            self._clock = time.monotonic()
        match = Plan.LINE.match(str(line))
        if match:
            done, total = int(match.group(1)), int(match.group(2))
            self.seconds[(match.group(3), match.group(4))] = float(match.group(5))
            if done < total:
                left = (time.monotonic() - self._clock) / done * (total - done)
                line = f"{line}  ETA {int(left) // 60:02d}:{int(left) % 60:02d}"
        self.log(line)

    def record(self) -> int:
        """Store the key beside every report this run wrote (also after an interruption)."""
        written = 0
        for job in self.todo:
            ident = (job.student, job.slug)
            written += record(job.autograded, self.keys[ident], self.seconds.get(ident), self.started)
        return written
