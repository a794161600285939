"""The course catalogue: every assignment declared once.

An assignment's declaration is the ``ASSIGNMENT`` of its grader module
(``autograder/graders/<name>.py``)::

    ASSIGNMENT = Assignment(
        slug="01_fc_layer",
        support=("checks.py", "checking.py", "gradient_check.py"),
        tasks=[
            TaskSpec("fc_forward", 3, "out = x·w + b ...", cases=_forward_cases),
            ...
        ])

It is the only place a task's name, points, hint and time budget are written. Everything else
reads them from here:

- ``assemble`` writes the nbgrader metadata of the answer and test cells from it (the notebook
  source only marks a cell ``answer="fc_forward"`` or ``test="fc_forward"``);
- release verification, ``grades``, feedback and the batch's failure reports use the cheap
  accessors :func:`tasks`, :func:`points` and :func:`get`, which import the grader modules and
  nothing else: they never build a hidden case, run the reference or read held-out data;
- the leak checks use :func:`cases`: the hidden cases, built once per process (this runs the
  reference on every case), without loading the data the judges need;
- grading uses :func:`tasks_for`: the same cases, after the assignment's ``grading_data`` is
  loaded (a missing Debian data set fails here, with a sentence saying what to install).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Mapping, Sequence

from .cases import Case, Task


@dataclass(frozen=True)
class Data:
    """Data the judges of an assignment need when they judge (never for a release, grades or feedback).

    ``load`` loads it (cached by its owner) and raises ``RuntimeError`` with a sentence when it is
    missing; ``package`` names where it comes from, for the docs and that sentence."""

    package: str
    load: Callable[[], object]


@dataclass(frozen=True)
class TaskSpec:
    """One graded task. ``name`` is the grade id of the student's answer cell (and the function or
    class they write); ``test_<name>`` is the grade id of its test cell, which carries ``points``.
    ``cases(reference)`` builds the hidden cases from the reference namespace; it is called only
    when the cases are needed. ``timeout`` is the seconds one hidden case may take."""

    name: str
    points: float
    hint: str
    cases: Callable[[Mapping[str, object]], Sequence[Case]]
    timeout: float = 10.0

    @property
    def test_cell(self) -> str:
        return f"test_{self.name}"

    def build(self, reference: Mapping[str, object]) -> Task:
        """The task with its hidden cases, judged against ``reference``."""
        return Task(self.name, self.points, self.hint, list(self.cases(reference)), self.timeout)


@dataclass(frozen=True)
class Assignment:
    """One assignment: its slug (``NN_name``, the folder under ``assignments/`` and ``solutions/``),
    its tasks in notebook order, the files shipped beside the notebook (``support``, each in
    ``assignments/<slug>/``) and the data its judges need at grading time (``grading_data``)."""

    slug: str
    tasks: Sequence[TaskSpec]
    support: Sequence[str] = ()
    grading_data: Sequence[Data] = ()
    module: str = field(default="", compare=False)  # the grader module, filled in by discovery

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", tuple(self.tasks))
        object.__setattr__(self, "support", tuple(self.support))
        object.__setattr__(self, "grading_data", tuple(self.grading_data))
        names = [t.name for t in self.tasks]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"{self.slug}: task {', '.join(doubled)} is declared more than once")
        if not self.tasks:
            raise ValueError(f"{self.slug}: an assignment needs at least one task")
        for task in self.tasks:
            if not task.points > 0:
                raise ValueError(f"{self.slug}: task {task.name} must be worth more than 0 points")

    def task(self, name: str) -> TaskSpec:
        for task in self.tasks:
            if task.name == name:
                return task
        raise KeyError(f"{self.slug} has no task {name!r}; its tasks: {', '.join(t.name for t in self.tasks)}")

    @property
    def total(self) -> float:
        return sum(t.points for t in self.tasks)


@lru_cache(maxsize=None)
def assignments() -> dict[str, Assignment]:
    """Every declared assignment by slug (the ``ASSIGNMENT`` of each module in autograder/graders/)."""
    from .graders import modules

    found = {}
    for name, module in sorted(modules().items()):
        declared = getattr(module, "ASSIGNMENT", None)
        if not isinstance(declared, Assignment):
            raise TypeError(f"autograder/graders/{name}.py declares no ASSIGNMENT = Assignment(...)")
        if declared.slug in found:
            raise ValueError(f"{declared.slug} is declared by two grader modules: {found[declared.slug].module} "
                             f"and {name}")
        object.__setattr__(declared, "module", name)
        found[declared.slug] = declared
    return dict(sorted(found.items()))


def get(slug: str) -> Assignment:
    """The declaration of ``slug``."""
    try:
        return assignments()[slug]
    except KeyError:
        raise KeyError(f"no grader module in autograder/graders/ declares ASSIGNMENT = Assignment({slug!r}, ...)") \
            from None


def tasks(slug: str) -> tuple[TaskSpec, ...]:
    """Names, points, hints and budgets of ``slug``'s tasks, in notebook order. Cheap: no hidden case
    is built, no reference run, no data read."""
    return get(slug).tasks


def points(slug: str) -> dict[str, float]:
    """Task name -> points, in notebook order (cheap, like :func:`tasks`)."""
    return {t.name: t.points for t in tasks(slug)}


@lru_cache(maxsize=None)
def cases(slug: str) -> tuple[Task, ...]:
    """Every task of ``slug`` with its hidden cases and their reference outputs, built once per
    process. The judges' grading data are not loaded (see :func:`tasks_for`)."""
    from .reference import reference_namespace

    reference = reference_namespace(slug)
    return tuple(spec.build(reference) for spec in tasks(slug))


def load_data(slug: str) -> None:
    """Load the data ``slug``'s judges need; RuntimeError with a sentence when it is missing."""
    for data in get(slug).grading_data:
        data.load()


def tasks_for(slug: str) -> tuple[Task, ...]:
    """What grading uses: :func:`cases`, after the grading data are loaded (so a missing data set
    stops grading before any submission runs, and forked workers share what was loaded)."""
    load_data(slug)
    return cases(slug)
