"""``make release``: assemble sources, run ``nbgrader generate_assignment``, verify the result."""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from . import paths
from .assemble import assemble
from .course import Course
from .hygiene import verify_release


class ReleaseError(Exception):
    pass


def generate(slugs: list[str], release_dir: Path, course_root: Path, log=print) -> None:
    """Assemble every slug into ``build/source`` and let nbgrader release it into ``release_dir``.

    Also registers the assignments in ``course_root``'s gradebook, which grading needs.
    """
    source_root = paths.BUILD / "source"
    course_root.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        assemble(slug, source_root)
    api = Course(course_root, release_dir=release_dir, source_dir=source_root).api()
    for slug in slugs:
        log(f"  nbgrader generate_assignment {slug}")
        result = api.generate_assignment(slug, force=True)
        if not result["success"]:
            raise ReleaseError(f"nbgrader generate_assignment {slug} failed:\n{result.get('log', '')}\n"
                               f"{result.get('error', '')}")


def source_key(slug: str) -> str:
    """A digest of everything ``build/source/<slug>`` and its release are made from."""
    import nbgrader

    digest = hashlib.sha256(f"nbgrader {nbgrader.__version__}\n".encode())
    from .graders import module_for

    here = Path(__file__).parent  # the catalogue entry (points, grade ids) is assembled into the source too
    inputs = [paths.ASSIGNMENTS / slug, paths.SOLUTIONS / slug, paths.STUDENT_FILES, here / "assemble.py",
              here / "catalogue.py", Path(module_for(slug).__file__)]
    for root in inputs:
        files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts) if root.is_dir() else [root]
        for path in files:
            digest.update(f"{path.relative_to(paths.REPO)}\n".encode() + path.read_bytes() + b"\n")
    return digest.hexdigest()


def _registered_cells(course: Course, slug: str) -> dict[str, str] | None:
    """grade_id -> checksum of the source cells ``course``'s gradebook holds for ``slug`` (None: not
    registered)."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            return {cell.name: cell.checksum for cell in gb.find_notebook(slug, slug).source_cells}
        except MissingEntry:
            return None


@contextlib.contextmanager
def build_lock():
    """Held while ``build/source`` is rewritten: grading runs of several courses (and Dask workers)
    share it."""
    paths.BUILD.mkdir(parents=True, exist_ok=True)
    with open(paths.BUILD / ".assemble.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def register(slugs: list[str], course_root: Path, log=print) -> None:
    """Make sure ``build/source/<slug>`` is current and ``course_root``'s gradebook knows the
    assignments, without touching ``release/``.

    Both are keyed by content: the source is assembled again only when its inputs changed (see
    ``source_key``; under ``build_lock``), and ``nbgrader generate_assignment`` (seconds per
    assignment) runs only when the gradebook's cells differ from those of the last release built
    from that source; a new gradebook is registered from the current source without rewriting it,
    so other courses grading from it meanwhile are not disturbed.
    """
    course = Course(course_root)
    stamps = paths.BUILD / "registered"

    def known(slug: str) -> dict:
        try:
            return json.loads((stamps / f"{slug}.json").read_text())
        except (OSError, ValueError):
            return {}

    def current(slug: str) -> bool:
        return known(slug).get("key") == source_key(slug) and (paths.BUILD / "source" / slug / f"{slug}.ipynb").is_file()

    def stamp(slug: str) -> None:
        stamps.mkdir(parents=True, exist_ok=True)
        temporary = stamps / f"{slug}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({"key": source_key(slug), "cells": _registered_cells(course, slug)}))
        os.replace(temporary, stamps / f"{slug}.json")

    stale = [slug for slug in slugs if not current(slug)]
    if stale:
        with build_lock():
            stale = [slug for slug in stale if not current(slug)]
            if stale:
                with tempfile.TemporaryDirectory(prefix="bplab-release-") as scratch:
                    generate(stale, Path(scratch), course_root, log=lambda *_: None)
                for slug in stale:
                    stamp(slug)
    unregistered = [slug for slug in slugs if _registered_cells(course, slug) != known(slug).get("cells")]
    if unregistered:
        with tempfile.TemporaryDirectory(prefix="bplab-release-") as scratch:
            api = Course(course_root, release_dir=Path(scratch)).api()
            for slug in unregistered:
                result = api.generate_assignment(slug, force=True)
                if not result["success"]:
                    raise ReleaseError(f"nbgrader generate_assignment {slug} failed:\n{result.get('log', '')}\n"
                                       f"{result.get('error', '')}")
                stamp(slug)


def build(slugs: list[str], release_dir: Path = paths.RELEASE, course_root: Path = paths.REPO, log=print) -> None:
    """A fresh release of ``slugs`` in ``release_dir``, verified; nothing else is left there."""
    release_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bplab-release-") as scratch:
        generate(slugs, Path(scratch), course_root, log=log)
        verify_release(Path(scratch), slugs)
        for slug in slugs:
            target = release_dir / slug
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(Path(scratch) / slug, target, ignore=shutil.ignore_patterns("__pycache__"))
    for stale in sorted(p for p in release_dir.iterdir() if p.is_dir() and p.name not in paths.slugs()):
        shutil.rmtree(stale)
        log(f"  removed {stale.name}: no such assignment any more")
