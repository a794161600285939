"""``make validate``: the reference scores full marks and the released stub scores 0, through the
very pipeline that grades students."""
from __future__ import annotations

import tempfile
from pathlib import Path

from . import submissions
from .batch import autograde
from .report import Status


def validate(slugs: list[str], workers: int | None = None, log=print) -> list[str]:
    """Failures, one sentence each, naming the assignment and task; empty when all is well."""
    failures = []
    with tempfile.TemporaryDirectory(prefix="bplab-validate-") as scratch:
        root = Path(scratch)
        for slug in slugs:
            submissions.write(submissions.reference_notebook(slug), root, "reference", slug)
            submissions.write(submissions.blank_notebook(slug), root, "stub", slug)
        for report in autograde(root, slugs, workers=workers, log=log):
            for task in report.tasks:
                wanted = task.points if report.student == "reference" else 0.0
                if task.score != wanted:
                    failures.append(f"{report.assignment} {task.task}: the {report.student} scored "
                                    f"{task.score:g} of {task.points:g} (expected {wanted:g}): {task.message}"
                                    + "".join(f"\n      {c.name}: {'; '.join(c.problems)}"
                                              for c in task.cases if not c.passed and report.student == "reference"))
            if report.status != Status.GRADED:
                failures.append(f"{report.assignment}: the {report.student} notebook was {report.status}: {report.message}")
    return failures
