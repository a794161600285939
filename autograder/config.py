"""The nbgrader configuration of a course run, built in code so every command agrees, and the
course's own settings (due dates, late policy, LMS naming) read from its ``nbgrader_config.py``.

A course folder may hold an ``nbgrader_config.py`` like any nbgrader course::

    c = get_config()
    c.BackpropLab.due = {"01_fc_layer": "2026-12-01 23:59 UTC"}
    c.BackpropLab.late_penalty_per_day = 0.1   # a tenth of the score per started day late
    c.BackpropLab.late_penalty_cap = 0.5       # never more than half the score
    c.BackpropLab.extensions = {"ann": {"01_fc_layer": "2 days"}}
    c.BackpropLab.lms = "canvas"               # how `make collect` reads file names ("moodle", "pattern")
                                               # and which gradebook import `make grades` writes
    c.BackpropLab.lms_columns = {"01_fc_layer": "Assignment 1 (4711)"}  # Canvas gradebook columns

Other nbgrader settings in the file are honoured too, except those the kit must own (where the
course's data lives, the grading pipeline): those are set after the file is read.

Lateness goes through nbgrader's own machinery: the due date is the assignment's ``duedate`` in the
gradebook, an extension is the submission's ``extension``, the submission time is nbgrader's
``timestamp.txt``, and the ``AssignLatePenalties`` step of the autograde pipeline asks
:class:`LatePenalty` (its ``plugin_class``) for the penalty, which lands in the gradebook's
``late_submission_penalty``.
"""
from __future__ import annotations

import datetime
import math
import os
import re
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import AssignLatePenalties
from traitlets import Dict, Float, Unicode
from traitlets.config import Config, Configurable

from . import paths

COURSE_ID = "backprop-lab"
COURSE_FILE = "nbgrader_config.py"
LMS_PRESETS = ("canvas", "moodle", "pattern")


class CourseError(Exception):
    """A course folder or its settings cannot be used; the message says why in one sentence."""


class BackpropLab(Configurable):
    """The course's own settings (``c.BackpropLab.*`` in the course folder's nbgrader_config.py)."""

    due = Dict(help="Due date per assignment, e.g. {'01_fc_layer': '2026-12-01 23:59 UTC'}.").tag(config=True)
    late_penalty_per_day = Float(0.0, help="Fraction of the score taken per started day late.").tag(config=True)
    late_penalty_cap = Float(1.0, help="Largest fraction of the score a late penalty takes.").tag(config=True)
    extensions = Dict(help="Extra time per student and assignment, e.g. {'ann': {'01_fc_layer': '2 days'}}."
                      ).tag(config=True)
    lms = Unicode("canvas", help="File naming of the LMS download `make collect` reads: canvas, moodle or "
                                 "pattern (then collect_pattern is used).").tag(config=True)
    collect_pattern = Unicode("", help="Regular expression with (?P<student_id>...) and (?P<file_id>...) groups "
                                       "(optionally (?P<timestamp>...)) for lms = 'pattern'.").tag(config=True)
    zip_timezone = Unicode("UTC", help="Time zone of the file times inside an LMS download.").tag(config=True)
    lms_columns = Dict(help="Gradebook column per assignment in the Canvas import, e.g. {'01_fc_layer': "
                            "'Assignment 1 (4711)'} (Canvas matches an existing column by the id in "
                            "parentheses; without one it creates a column named after the assignment)."
                       ).tag(config=True)


DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(minute|hour|day|week)s?\s*$", re.IGNORECASE)


def parse_duration(text: object) -> datetime.timedelta:
    """'2 days', '36 hours', '90 minutes', '1 week' (or a number of days)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return datetime.timedelta(days=float(text))
    match = DURATION.match(str(text))
    if not match:
        raise CourseError(f"cannot read the extension {str(text)[:40]!r}: write it like '2 days', '36 hours' or "
                          "'90 minutes'")
    return datetime.timedelta(**{f"{match.group(2).lower()}s": float(match.group(1))})


def parse_due(slug: str, text: object) -> datetime.datetime:
    """A due date as naive UTC (what nbgrader stores); a time zone is required."""
    from nbgrader.utils import parse_utc

    try:
        value = parse_utc(str(text))
    except (ValueError, OverflowError) as error:
        raise CourseError(f"cannot read the due date of {slug} ({str(text)[:40]!r}): {error}; write it like "
                          "'2026-12-01 23:59 UTC'") from None
    return value


class Settings:
    """The checked course settings of one course folder."""

    def __init__(self, raw: BackpropLab, slugs: list[str]):
        known = set(slugs)
        unknown = sorted(set(raw.due) - known)
        if unknown:
            raise CourseError(f"c.BackpropLab.due names no such assignment: {', '.join(map(str, unknown))}")
        self.due = {slug: parse_due(slug, text) for slug, text in raw.due.items()}
        self.extensions: dict[str, dict[str, datetime.timedelta]] = {}
        for student, per_slug in raw.extensions.items():
            if not isinstance(per_slug, dict):
                raise CourseError(f"c.BackpropLab.extensions[{student!r}] must map assignments to durations, "
                                  "e.g. {'01_fc_layer': '2 days'}")
            bad = sorted(set(per_slug) - known)
            if bad:
                raise CourseError(f"c.BackpropLab.extensions[{student!r}] names no such assignment: {', '.join(bad)}")
            self.extensions[str(student)] = {slug: parse_duration(v) for slug, v in per_slug.items()}
        for name in ("late_penalty_per_day", "late_penalty_cap"):
            if not 0.0 <= getattr(raw, name) <= 1.0:
                raise CourseError(f"c.BackpropLab.{name} must be a fraction between 0 and 1, not {getattr(raw, name)}")
        self.per_day = raw.late_penalty_per_day
        self.cap = raw.late_penalty_cap
        if raw.lms not in LMS_PRESETS:
            raise CourseError(f"c.BackpropLab.lms must be one of {', '.join(LMS_PRESETS)}, not {raw.lms!r}")
        self.lms = raw.lms
        self.collect_pattern = raw.collect_pattern
        self.zip_timezone = raw.zip_timezone
        bad = sorted(set(raw.lms_columns) - known)
        if bad:
            raise CourseError(f"c.BackpropLab.lms_columns names no such assignment: {', '.join(map(str, bad))}")
        self.lms_columns = {slug: str(raw.lms_columns.get(slug) or slug) for slug in slugs}

    def extension(self, student: str, slug: str) -> datetime.timedelta | None:
        return self.extensions.get(student, {}).get(slug)

    def policy(self, student: str, slug: str) -> str:
        """What decides this submission's late penalty, as text (part of its regrade key)."""
        due = self.due.get(slug)
        return f"due={due.isoformat() if due else ''};ext={self.extension(student, slug) or ''};" \
               f"per_day={self.per_day};cap={self.cap}"


def course_file_config(course_root: Path) -> Config:
    """The course folder's nbgrader_config.py as a traitlets Config (empty when there is none)."""
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    if not (Path(course_root) / COURSE_FILE).is_file():
        return Config()
    try:
        return PyFileConfigLoader(COURSE_FILE, path=str(course_root)).load_config()
    except ConfigFileNotFound:
        return Config()
    except Exception as error:
        raise CourseError(f"{Path(course_root) / COURSE_FILE} cannot be read ({type(error).__name__}: "
                          f"{str(error)[:200]})") from None


def course_settings(course_root: Path, slugs: list[str] | None = None) -> Settings:
    return Settings(BackpropLab(config=course_file_config(course_root)), slugs or paths.slugs())


class LatePenalty(LateSubmissionPlugin):
    """nbgrader's late-penalty plugin for this course: ``per_day`` of the score for each started
    day late, at most ``cap`` of it."""

    per_day = Float(0.0).tag(config=True)
    cap = Float(1.0).tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float):
        if total_seconds_late <= 0 or self.per_day <= 0:
            return None
        days = math.ceil(total_seconds_late / 86400)
        return score * min(self.cap, self.per_day * days)


def late_fraction(seconds_late: float, per_day: float, cap: float) -> float:
    """The fraction of the score :class:`LatePenalty` takes (for reports and tests)."""
    return 0.0 if seconds_late <= 0 or per_day <= 0 else min(cap, per_day * math.ceil(seconds_late / 86400))


class ApplyDeadlines(AssignLatePenalties):
    """nbgrader's AssignLatePenalties, after writing this course's due date and this student's
    extension into the gradebook (nbgrader computes ``total_seconds_late`` from them)."""

    due = Dict().tag(config=True)         # slug -> ISO due date (UTC)
    extensions = Dict().tag(config=True)  # student -> {slug: seconds}

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        meta = resources["nbgrader"]
        slug, student = meta["assignment"], meta["student"]
        due = self.due.get(slug)
        seconds = self.extensions.get(student, {}).get(slug)
        with Gradebook(meta["db_url"]) as gb:
            assignment = gb.find_assignment(slug)
            wanted = datetime.datetime.fromisoformat(due) if due else None
            if assignment.duedate != wanted:
                assignment.duedate = wanted
            submission = gb.find_submission(slug, student)
            submission.extension = datetime.timedelta(seconds=seconds) if seconds else None
            gb.db.commit()
        return super().preprocess(nb, resources)


# Settings the kit owns: a course file may not move the data or change the grading pipeline.
OWNED = {"CourseDirectory": {"root", "course_id", "source_directory", "release_directory", "db_url",
                             "submitted_directory", "autograded_directory", "feedback_directory"},
         "Autograde": {"sanitize_preprocessors", "autograde_preprocessors"}}


DB_URL_ENV = "BACKPROP_LAB_DB_URL"


def with_driver(db_url: str | None) -> str | None:
    """``postgresql://...`` through psycopg2 (the pinned driver; SQLAlchemy 2.1 would pick psycopg 3)."""
    if db_url and db_url.split("://", 1)[0] in ("postgresql", "postgres"):
        return "postgresql+psycopg2://" + db_url.split("://", 1)[1]
    return db_url


def nbgrader_config(course_root: Path, release_dir: Path = paths.RELEASE,
                    source_dir: Path = paths.BUILD / "source", cell_timeout: float = 30.0,
                    submission_timeout: float = 300.0, db_url: str | None = None) -> Config:
    """Config for a course whose student data (submitted/, autograded/, feedback/, gradebook.db)
    lives in ``course_root``; sources and release may live elsewhere (absolute paths).

    The gradebook is ``db_url`` when given, else ``$BACKPROP_LAB_DB_URL`` (what ``--db-url`` sets),
    else the course file's ``c.CourseDirectory.db_url`` (e.g. ``postgresql://host/course``), else
    ``sqlite:///<course_root>/gradebook.db``."""
    from .pipeline import AskHiddenCases, JudgeCases, RunNotebook, SaveVerdicts, ShowVerdicts
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds,
                                        IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec)
    from nbconvert.preprocessors import ClearMetadataPreprocessor

    c = Config()
    course = course_file_config(course_root)
    db_url = with_driver(db_url or os.environ.get(DB_URL_ENV) or course.get("CourseDirectory", {}).get("db_url"))
    for section, owned in OWNED.items():
        if section in course:
            for name in owned & set(course[section]):
                del course[section][name]
    c.merge(course)
    settings = Settings(BackpropLab(config=course), paths.slugs())
    c.CourseDirectory.root = str(course_root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.source_directory = str(source_dir)
    c.CourseDirectory.release_directory = str(release_dir)
    c.CourseDirectory.db_url = db_url or f"sqlite:///{Path(course_root).resolve() / 'gradebook.db'}"
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.sanitize_preprocessors = [
        ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
    ]
    c.Autograde.autograde_preprocessors = [
        RunNotebook, AskHiddenCases, JudgeCases, ShowVerdicts, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
        SaveVerdicts, ApplyDeadlines,  # (the cells' nbgrader metadata was checked after OverwriteCells)
    ]
    c.RunNotebook.timeout = int(cell_timeout)
    c.RunNotebook.submission_timeout = float(submission_timeout)
    c.ApplyDeadlines.due = {slug: due.isoformat() for slug, due in settings.due.items()}
    c.ApplyDeadlines.extensions = {student: {slug: td.total_seconds() for slug, td in per.items()}
                                   for student, per in settings.extensions.items()}
    if not ("AssignLatePenalties" in course and "plugin_class" in course.AssignLatePenalties):
        c.AssignLatePenalties.plugin_class = LatePenalty
    c.LatePenalty.per_day = settings.per_day
    c.LatePenalty.cap = settings.cap
    return c


class Late:
    """How late a graded submission was and what it cost, as the gradebook has it."""

    def __init__(self, seconds: float, penalty: float, submitted: datetime.datetime, due: datetime.datetime):
        self.seconds, self.penalty, self.submitted, self.due = seconds, penalty, submitted, due

    def sentence(self) -> str:
        """e.g. 'Submitted 2026-12-03 10:00 UTC, 1 day 10 h after the due date (2026-12-02 00:00 UTC): late penalty 1.6 points.'"""
        days, rest = divmod(int(self.seconds), 86400)
        hours, rest = divmod(rest, 3600)
        span = " ".join(part for part in (f"{days} day{'s' * (days != 1)}" if days else "",
                                          f"{hours} h" if hours else "",
                                          f"{rest // 60} min" if not days and rest // 60 else "") if part) or "under a minute"
        return (f"Submitted {self.submitted:%Y-%m-%d %H:%M} UTC, {span} after the due date "
                f"({self.due:%Y-%m-%d %H:%M} UTC): late penalty {round(self.penalty, 2):g} point(s).")


def lateness(db_url: str, slug: str, student: str) -> Late | None:
    """The gradebook's lateness of one submission (None when on time, not graded or without a due date)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            submission = gb.find_submission(slug, student)
        except MissingEntry:
            return None
        seconds = submission.total_seconds_late
        if not seconds:
            return None
        return Late(seconds, float(submission.late_submission_penalty or 0.0), submission.timestamp, submission.duedate)
