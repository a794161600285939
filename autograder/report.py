"""What grading found, per submission and task: the record behind grades.csv and feedback."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

REPORT_NAME = "grading.json"


class Status(str, Enum):
    """What happened to a submission, or to one task of it. A ``str``: a status equals its text
    ("graded" == Status.GRADED), and is written as that text in grading.json, grades.csv and feedback.

    A submission's status is one of the first seven; a task's status is ``graded``, ``timed out``,
    ``crashed``, ``missing`` or ``not run`` (and, for a submission that could not be graded at all,
    the submission's own status)."""

    GRADED = "graded"                      # every cell ran (or failed on its own) and every task was judged
    TIMED_OUT = "timed out"                # a cell, a hidden case or the whole submission ran out of time
    CRASHED = "crashed"                    # the kernel died or sent what could not be read
    OUT_OF_MEMORY = "out of memory"        # a cell ran out of the sandbox's memory
    INVALID_NOTEBOOK = "invalid notebook"  # the file is not a notebook nbformat can read and validate
    MISSING_NOTEBOOK = "missing notebook"  # no notebook in the submission folder
    GRADER_ERROR = "grader error"          # the grader itself failed on this submission (never the student's fault)
    TASK_MISSING = "missing"               # task: the function or class is not defined after the notebook ran
    NOT_RUN = "not run"                    # task: its cases were not run (the notebook could not be graded)

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def of(cls, text: str) -> "Status | str":
        """``text`` as a Status when it is one (a record written by another version keeps its text)."""
        try:
            return cls(text)
        except ValueError:
            return text


# The submission statuses under their short names.
GRADED = Status.GRADED
TIMED_OUT = Status.TIMED_OUT
CRASHED = Status.CRASHED
OUT_OF_MEMORY = Status.OUT_OF_MEMORY
INVALID = Status.INVALID_NOTEBOOK
MISSING = Status.MISSING_NOTEBOOK
ERROR = Status.GRADER_ERROR


@dataclass
class CaseResult:
    name: str
    passed: bool
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class TaskResult:
    task: str
    points: float
    score: float
    status: str  # a Status: graded, missing, timed out, crashed, not run
    message: str
    hint: str = ""
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0            # the student's code on the cases that ran (as the kernel timed it)
    reference_seconds: float = 0.0  # the reference on the same cases


@dataclass
class SubmissionReport:
    student: str
    assignment: str
    status: str  # a Status
    message: str
    tasks: list[TaskResult] = field(default_factory=list)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / REPORT_NAME).write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> "SubmissionReport | None":
        path = folder / REPORT_NAME
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        tasks = [TaskResult(**{**t, "status": Status.of(t["status"]), "cases": [CaseResult(**c) for c in t["cases"]]})
                 for t in data.pop("tasks")]
        return cls(**{**data, "status": Status.of(data["status"])}, tasks=tasks)


def case_summary(task: TaskResult) -> str:
    passed = sum(c.passed for c in task.cases)
    return f"{passed} of {len(task.cases)} hidden cases passed"
