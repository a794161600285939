"""What grading found, per submission and task: the record behind grades.csv and feedback."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPORT_NAME = "grading.json"

# Submission statuses, each with the sentence a student can act on.
GRADED = "graded"
TIMED_OUT = "timed out"
CRASHED = "crashed"
OUT_OF_MEMORY = "out of memory"
INVALID = "invalid notebook"
MISSING = "missing notebook"
ERROR = "grader error"


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
    status: str  # "graded", "missing", "timed out", "crashed", "not run"
    message: str
    hint: str = ""
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0            # the student's code on the cases that ran (as the kernel timed it)
    reference_seconds: float = 0.0  # the reference on the same cases


@dataclass
class SubmissionReport:
    student: str
    assignment: str
    status: str
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
        tasks = [TaskResult(**{**t, "cases": [CaseResult(**c) for c in t["cases"]]}) for t in data.pop("tasks")]
        return cls(**data, tasks=tasks)


def case_summary(task: TaskResult) -> str:
    passed = sum(c.passed for c in task.cases)
    return f"{passed} of {len(task.cases)} hidden cases passed"
