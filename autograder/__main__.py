"""The instructor's commands (the Makefile calls these): release, validate, autograde, feedback,
grades, demo. Errors are one sentence and a non-zero exit, not a traceback."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import paths


def _slugs(chosen: list[str] | None) -> list[str]:
    known = paths.slugs()
    unknown = sorted(set(chosen or []) - set(known))
    if unknown:
        raise SystemExit(f"error: no assignment {', '.join(unknown)}; known: {', '.join(known)}")
    return chosen or known


def cmd_release(args) -> None:
    from .release import build
    slugs = _slugs(args.assignment)
    print(f"Building the student release of {len(slugs)} assignment(s) into {paths.RELEASE.relative_to(paths.REPO)}/")
    build(slugs)
    print("Release verified: no solution code, hidden test or reference value; every task has its cells.")


def cmd_validate(args) -> None:
    from .validate import validate
    failures = validate(_slugs(args.assignment), workers=args.workers)
    if failures:
        raise SystemExit("validate FAILED:\n  " + "\n  ".join(failures))
    print("validate passed: every reference scores full marks and every released stub scores 0.")


def cmd_autograde(args) -> None:
    from .batch import autograde
    autograde(Path(args.course), _slugs(args.assignment), args.student, workers=args.workers,
              cell_timeout=args.timeout, submission_timeout=args.submission_timeout)


def cmd_feedback(args) -> None:
    from .feedback import generate
    written = generate(Path(args.course), _slugs(args.assignment), args.student)
    print(f"{len(written)} feedback file(s) under {Path(args.course) / 'feedback'}")


def cmd_grades(args) -> None:
    from .grades import export, summary
    path = Path(args.course) / "grades.csv"
    table = export(Path(args.course), _slugs(args.assignment), path)
    print(summary(table))
    print(f"\n{len(table)} row(s) written to {path}")


def cmd_demo(args) -> None:
    from .demo import run
    run(Path(args.course), _slugs(args.assignment), workers=args.workers, cell_timeout=args.timeout)


def main(argv: list[str] | None = None) -> int:
    # nbgrader runs `alembic` from PATH: make this environment's scripts come first.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, course in [("release", cmd_release, None), ("validate", cmd_validate, None),
                               ("autograde", cmd_autograde, "."), ("feedback", cmd_feedback, "."),
                               ("grades", cmd_grades, "."), ("demo", cmd_demo, "demo-class")]:
        p = sub.add_parser(name, help=func.__doc__)
        p.set_defaults(func=func)
        p.add_argument("--assignment", "-a", action="append", help="only this assignment (repeatable)")
        if course is not None:
            p.add_argument("--course", default=str(paths.REPO / course),
                           help=f"folder holding submitted/, autograded/, feedback/, gradebook.db (default: {course})")
        if name in ("autograde", "feedback"):
            p.add_argument("--student", "-s", action="append", help="only this student (repeatable)")
        if name in ("autograde", "validate", "demo"):
            p.add_argument("--workers", "-j", type=int, default=None,
                           help="notebooks graded at once (default: the number of cores)")
        if name in ("autograde", "demo"):
            p.add_argument("--timeout", type=float, default=30.0 if name == "autograde" else 10.0,
                           help="seconds a notebook cell may run before it is interrupted (hidden cases "
                                "have their own budgets, set per task by the grader)")
        if name == "autograde":
            p.add_argument("--submission-timeout", type=float, default=300.0,
                           help="seconds a whole submission may take, its cells and hidden cases together "
                                "(default 300)")
    args = parser.parse_args(argv)
    from .assemble import BuildError
    from .hygiene import LeakError
    from .release import ReleaseError
    try:
        args.func(args)
    except (BuildError, LeakError, ReleaseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; what was graded so far is kept", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
