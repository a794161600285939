"""A course folder: where its student data lives, its nbgrader configuration, gradebook and API.

The layout (``docs/contracts.md``), spelled here only::

    submitted/<student>/<slug>/            what a student handed in (make collect, or the exchange)
    autograded/<student>/<slug>/           the graded notebook and grading.json (make autograde)
    feedback/<student>/<slug>/<slug>.html  the page handed back (make feedback)
"""
from __future__ import annotations

import contextlib
import os
import sys
import warnings
from functools import cached_property
from pathlib import Path
from typing import Iterator

from traitlets.config import Config

from . import intake
from .config import Settings, course_settings, nbgrader_config
from .report import REPORT_NAME

SUBMITTED, AUTOGRADED, FEEDBACK = "submitted", "autograded", "feedback"


def ready_for_nbgrader() -> None:
    """Silences nbgrader's warnings (SQLAlchemy's, noise here) and puts this environment's scripts
    first on PATH: nbgrader runs ``alembic`` from it when it creates a gradebook."""
    warnings.filterwarnings("ignore")
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != scripts:
        os.environ["PATH"] = f"{scripts}{os.pathsep}{path}"


class Course:
    """The course folder ``root``; ``options`` go to :func:`config.nbgrader_config` (release_dir,
    source_dir, cell_timeout, submission_timeout, db_url)."""

    def __init__(self, root: Path, **options):
        self.root = Path(root).resolve()
        self.options = options

    def submitted(self, *parts: str) -> Path:
        """``submitted/<student>/<slug>/``, or the folder above it for fewer parts."""
        return self.root.joinpath(SUBMITTED, *parts)

    def autograded(self, *parts: str) -> Path:
        """``autograded/<student>/<slug>/``, or the folder above it for fewer parts."""
        return self.root.joinpath(AUTOGRADED, *parts)

    def feedback(self, *parts: str) -> Path:
        """``feedback/<student>/<slug>/``, or the folder above it for fewer parts."""
        return self.root.joinpath(FEEDBACK, *parts)

    def page(self, student: str, slug: str) -> Path:
        """The feedback page handed back to ``student``."""
        return self.feedback(student, slug) / f"{slug}.html"

    def report(self, student: str, slug: str) -> Path:
        """The grading record of a graded submission (``grading.json``)."""
        return self.autograded(student, slug) / REPORT_NAME

    def student_folders(self) -> list[Path]:
        """Every folder in ``submitted/`` (a link is none), sorted."""
        root = self.submitted()
        return sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()) if root.is_dir() else []

    def submissions(self, slugs: list[str], students: list[str] | None = None) -> list[tuple[str, str]]:
        """(student, slug) for every ``submitted/<student>/<slug>/`` folder of one of ``slugs`` whose
        student id is valid (see ``intake.valid_student_id``), by student, then in ``slugs`` order."""
        return [(student.name, slug) for student in self.student_folders()
                if intake.valid_student_id(student.name) and (students is None or student.name in students)
                for slug in slugs if (student / slug).is_dir()]

    @cached_property
    def config(self) -> Config:
        """The course's nbgrader configuration, built on first use; a change (or a replacement)
        must come before the first :meth:`api`."""
        return nbgrader_config(self.root, **self.options)

    @property
    def db_url(self) -> str:
        """The gradebook's database URL (see :func:`config.nbgrader_config`)."""
        return self.config.CourseDirectory.db_url

    @cached_property
    def settings(self) -> Settings:
        """The course's checked ``c.BackpropLab`` settings."""
        return course_settings(self.root)

    def api(self):
        """nbgrader's API for :attr:`config`, made once."""
        ready_for_nbgrader()
        return self._api

    @cached_property
    def _api(self):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        return NbGraderAPI(coursedir=CourseDirectory(config=self.config), config=self.config)

    @contextlib.contextmanager
    def gradebook(self) -> Iterator:
        """nbgrader's gradebook of the course, open."""
        from nbgrader.api import Gradebook

        ready_for_nbgrader()
        with Gradebook(self.db_url) as gb:
            yield gb
