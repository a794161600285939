"""Hidden graders, one module per assignment. Each declares its assignment once, as
``ASSIGNMENT = Assignment(...)`` (see :mod:`autograder.catalogue`), and builds its hidden cases."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from ..cases import Task


@lru_cache(maxsize=None)
def modules() -> dict[str, object]:
    """Every grader module by its name (modules whose name starts with "_" are shared helpers)."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):  # helpers shared by the graders, not graders
            continue
        found[info.name] = importlib.import_module(f"{__name__}.{info.name}")
    return found


def module_for(slug: str) -> object:
    """The grader module that declares ``slug``."""
    from ..catalogue import get

    return modules()[get(slug).module]


def tasks_for(slug: str) -> tuple[Task, ...]:
    """Every graded task of ``slug`` with its hidden cases, its grading data loaded (see
    :func:`autograder.catalogue.tasks_for`; names and points alone: :func:`autograder.catalogue.tasks`)."""
    from ..catalogue import tasks_for as built

    return built(slug)
