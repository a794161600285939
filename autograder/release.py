"""``make release``: assemble sources, run ``nbgrader generate_assignment``, verify the result."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from . import paths
from .assemble import assemble
from .config import nbgrader_config
from .hygiene import verify_release


class ReleaseError(Exception):
    pass


def generate(slugs: list[str], release_dir: Path, course_root: Path, log=print) -> None:
    """Assemble every slug into ``build/source`` and let nbgrader release it into ``release_dir``.

    Also registers the assignments in ``course_root``'s gradebook, which grading needs.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    source_root = paths.BUILD / "source"
    course_root.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        assemble(slug, source_root)
    config = nbgrader_config(course_root, release_dir=release_dir, source_dir=source_root)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for slug in slugs:
        log(f"  nbgrader generate_assignment {slug}")
        result = api.generate_assignment(slug, force=True)
        if not result["success"]:
            raise ReleaseError(f"nbgrader generate_assignment {slug} failed:\n{result.get('log', '')}\n"
                               f"{result.get('error', '')}")


def register(slugs: list[str], course_root: Path, log=print) -> None:
    """Make sure ``course_root``'s gradebook knows the assignments, without touching ``release/``."""
    with tempfile.TemporaryDirectory(prefix="bplab-release-") as scratch:
        generate(slugs, Path(scratch), course_root, log=lambda *_: None)


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
