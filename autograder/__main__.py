"""The instructor's commands (the Makefile calls these): release, validate, collect, autograde,
feedback, release-feedback, grades, report, demo. Errors are one sentence and a non-zero exit, not a traceback."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import paths

# jsonschema compiles rfc3987_syntax's 38 grammars when it is imported (0.75 s of every command) for
# the "iri" formats, which no schema these commands validate uses; without the module it skips them.
sys.modules.setdefault("rfc3987_syntax", None)

if TYPE_CHECKING:
    from .course import Course


def _slugs(chosen: list[str] | None) -> list[str]:
    known = paths.slugs()
    unknown = sorted(set(chosen or []) - set(known))
    if unknown:
        raise SystemExit(f"error: no assignment {', '.join(unknown)}; known: {', '.join(known)}")
    return chosen or known


def _course(args, must_have_submissions: bool = True) -> Course:
    """The course folder named by --course (COURSE=), which must exist."""
    if not str(args.course).strip():
        raise SystemExit("error: COURSE= is empty; name the course folder (or leave COURSE out for this folder)")
    folder = Path(args.course)
    if not folder.is_dir():
        raise SystemExit(f"error: no course folder {folder} (COURSE= names the folder holding submitted/, "
                         "autograded/, feedback/ and gradebook.db)")
    from .course import Course
    course = Course(folder)
    course.settings  # the course's nbgrader_config.py is checked before anything is done
    if must_have_submissions and not course.submitted().is_dir():
        raise SystemExit(f"error: {folder} has no submitted/ folder: collect submissions first "
                         "(make collect ZIP=<LMS download> ASSIGNMENT=<slug>) or put them in "
                         "submitted/<student>/<assignment>/")
    return course


def _students(args, course: Course) -> list[str] | None:
    """The --student names (STUDENT=), each of which must have a folder in submitted/."""
    chosen = getattr(args, "student", None)
    if not chosen:
        return None
    folder = course.submitted()
    known = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        listed = ", ".join(known[:20]) + (", …" if len(known) > 20 else "")
        raise SystemExit(f"error: no student {', '.join(unknown)} in {folder}; known: {listed or 'none'}")
    return chosen


def _graded(course: Course, slugs: list[str], students: list[str] | None) -> list[tuple[str, str]]:
    return [(s, a) for s, a in course.submissions(slugs, students) if course.report(s, a).is_file()]


def cmd_release(args) -> None:
    """Build release/<assignment>/ for students from assignments/, solutions/ and the catalogue, and verify it."""
    from .release import build
    slugs = _slugs(args.assignment)
    print(f"Building the student release of {len(slugs)} assignment(s) into {paths.RELEASE.relative_to(paths.REPO)}/")
    build(slugs)
    print("Release verified: no solution code, hidden test or reference value; every task has its cells.")


def cmd_validate(args) -> None:
    """Grade every reference solution (full marks expected) and every released stub (0 expected)."""
    from .validate import validate
    failures = validate(_slugs(args.assignment), workers=args.workers)
    if failures:
        raise SystemExit("validate FAILED:\n  " + "\n  ".join(failures))
    print("validate passed: every reference scores full marks and every released stub scores 0.")


def cmd_collect(args) -> None:
    """Build submitted/<student>/<assignment>/ from a Canvas or Moodle download (--zip)."""
    from .collect import collect
    course = _course(args, must_have_submissions=False)
    slugs = _slugs(args.assignment)
    if not args.assignment or len(slugs) != 1:
        raise SystemExit("error: say which assignment the download is for: make collect ZIP=<file> ASSIGNMENT=<slug>")
    if not args.zip:
        raise SystemExit("error: say which LMS download to collect: make collect ZIP=<file> ASSIGNMENT=<slug>")
    outcome = collect(course.root, slugs[0], Path(args.zip), lms=args.lms, pattern=args.pattern)
    if not outcome.collected and not outcome.unchanged and outcome.skipped:
        raise SystemExit(f"error: nothing in {args.zip} was collected (see the list above); check the LMS naming "
                         "(LMS=canvas|moodle|pattern, PATTERN=...)")


def cmd_autograde(args) -> None:
    """Grade new or changed submissions in submitted/ into the gradebook (--force: all of them)."""
    from .batch import autograde
    course = _course(args)
    autograde(course.root, _slugs(args.assignment), _students(args, course), workers=args.workers,
              cell_timeout=args.timeout, submission_timeout=args.submission_timeout, force=args.force)


def cmd_feedback(args) -> None:
    """Write feedback/<student>/<assignment>/<assignment>.html for every graded submission."""
    from .feedback import generate
    course = _course(args)
    slugs, students = _slugs(args.assignment), _students(args, course)
    if not _graded(course, slugs, students):
        raise SystemExit("error: nothing graded yet: run make autograde")
    written = generate(course.root, slugs, students)
    print(f"{len(written)} feedback file(s) under {course.feedback()}")


def cmd_release_feedback(args) -> None:
    """Hand the feedback pages of exchange (JupyterHub) submissions back through nbgrader's exchange."""
    from .handback import release
    course = _course(args)
    slugs, students = _slugs(args.assignment), _students(args, course)
    if not any(course.page(s, a).is_file() for s, a in _graded(course, slugs, students)):
        raise SystemExit("error: no feedback pages yet: run make feedback")
    print(f"{release(course.root, slugs, students)} page(s) released to nbgrader's exchange")


def cmd_grades(args) -> None:
    """Write grades.csv (one row per task), grades-summary.csv (one row per student) and the LMS import."""
    from . import grades
    course = _course(args)
    slugs, students = _slugs(args.assignment), _students(args, course)
    if not _graded(course, slugs, students):
        raise SystemExit("error: nothing graded yet: run make autograde (no grades were written, so none can be "
                         "uploaded as zeros)")
    path = course.root / "grades.csv"
    lines = []
    table = grades.export(course.root, slugs, path, students, log=lines.append)
    print(grades.summary(table) + "\n")
    print("\n".join(lines))


def cmd_report(args) -> None:
    """Write class-report/<assignment>.html: scores, failures, statuses and times of the class."""
    from .class_report import write
    course = _course(args)
    slugs, students = _slugs(args.assignment), _students(args, course)
    if not _graded(course, slugs, students):
        raise SystemExit("error: nothing graded yet: run make autograde")
    for page in write(course.root, slugs, students):
        print(f"  {page}")


def cmd_demo(args) -> None:
    """Run a simulated class of six students through collect, autograde, feedback and grades."""
    from .demo import run
    run(Path(args.course), _slugs(args.assignment), workers=args.workers, cell_timeout=args.timeout)


def docs_of(func) -> str:
    """A subcommand's one-line help: its docstring, without the final full stop, lower case first."""
    text = (func.__doc__ or "").strip().rstrip(".")
    return text[:1].lower() + text[1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, course in [("release", cmd_release, None), ("validate", cmd_validate, None),
                               ("collect", cmd_collect, "."), ("autograde", cmd_autograde, "."),
                               ("feedback", cmd_feedback, "."), ("release-feedback", cmd_release_feedback, "."),
                               ("grades", cmd_grades, "."),
                               ("report", cmd_report, "."), ("demo", cmd_demo, "demo-class")]:
        p = sub.add_parser(name, help=docs_of(func), description=func.__doc__)
        p.set_defaults(func=func)
        p.add_argument("--assignment", "-a", action="append", help="only this assignment (repeatable)")
        if course is not None:
            p.add_argument("--course", default=str(paths.REPO / course),
                           help=f"folder holding submitted/, autograded/, feedback/, gradebook.db (default: {course})")
        if name in ("autograde", "feedback", "release-feedback", "grades", "report"):
            p.add_argument("--student", "-s", action="append", help="only this student (repeatable)")
        if name == "collect":
            p.add_argument("--zip", help="the LMS download (a zip of every student's file for one assignment)")
            p.add_argument("--lms", choices=["canvas", "moodle", "pattern"], default=None,
                           help="how the LMS names the files (default: c.BackpropLab.lms of the course, canvas)")
            p.add_argument("--pattern", default=None,
                           help="a regular expression with (?P<student_id>...) and (?P<file_id>...) groups")
        if name in ("autograde", "validate", "demo"):
            p.add_argument("--workers", "-j", type=int, default=None,
                           help="notebooks graded at once (default: the number of cores)")
        if name in ("autograde", "demo"):
            p.add_argument("--timeout", type=float, default=30.0 if name == "autograde" else 10.0,
                           help="seconds a notebook cell may run before it is interrupted (hidden cases "
                                "have their own budgets, set per task by the grader)")
        if name == "autograde":
            p.add_argument("--force", action="store_true",
                           help="grade again even the submissions that have not changed since they were graded")
            p.add_argument("--submission-timeout", type=float, default=300.0,
                           help="seconds a whole submission may take, its cells and hidden cases together "
                                "(default 300)")
            where = p.add_mutually_exclusive_group()
            where.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                               help="grade on this Dask cluster (one task per submission; see autograder/cluster.py)")
            where.add_argument("--dask-local", type=int, default=None, metavar="N",
                               help="grade on a local Dask cluster of N worker processes")
        if course is not None:
            p.add_argument("--db-url", default=None,
                           help="the gradebook's database URL, e.g. postgresql://user@host/course (default: $BACKPROP_LAB_DB_URL, "
                                "else c.CourseDirectory.db_url in the course's nbgrader_config.py, else "
                                "sqlite:///<course>/gradebook.db)")
    args = parser.parse_args(argv)
    from .cluster import SCHEDULER_ENV
    from .config import DB_URL_ENV
    if getattr(args, "db_url", None):  # every nbgrader config of this run, workers included, reads it
        os.environ[DB_URL_ENV] = args.db_url
    if getattr(args, "scheduler", None) or getattr(args, "dask_local", None):
        os.environ[SCHEDULER_ENV] = args.scheduler or f"local:{args.dask_local}"
    from .assemble import BuildError
    from .collect import CollectError
    from .config import CourseError
    from .handback import HandbackError
    from .hygiene import LeakError
    from .release import ReleaseError
    try:
        args.func(args)
    except (BuildError, CollectError, CourseError, HandbackError, LeakError, ReleaseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; what was graded so far is kept", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
