"""The nbgrader configuration of a course run, built in code so every command agrees."""
from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

from . import paths

COURSE_ID = "backprop-lab"


def nbgrader_config(course_root: Path, release_dir: Path = paths.RELEASE,
                    source_dir: Path = paths.BUILD / "source", cell_timeout: float = 30.0,
                    submission_timeout: float = 300.0) -> Config:
    """Config for a course whose student data (submitted/, autograded/, feedback/, gradebook.db)
    lives in ``course_root``; sources and release may live elsewhere (absolute paths)."""
    from .pipeline import ExecuteAndGrade, SaveVerdicts, ShowVerdicts
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds,
                                        IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec)
    from nbconvert.preprocessors import ClearMetadataPreprocessor

    c = Config()
    c.CourseDirectory.root = str(course_root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.source_directory = str(source_dir)
    c.CourseDirectory.release_directory = str(release_dir)
    c.CourseDirectory.db_url = f"sqlite:///{Path(course_root).resolve() / 'gradebook.db'}"
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.sanitize_preprocessors = [
        ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
    ]
    c.Autograde.autograde_preprocessors = [
        ExecuteAndGrade, ShowVerdicts, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
        SaveVerdicts, AssignLatePenalties, CheckCellMetadata,
    ]
    c.ExecuteAndGrade.timeout = int(cell_timeout)
    c.ExecuteAndGrade.submission_timeout = float(submission_timeout)
    return c
