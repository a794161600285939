"""Hidden graders, one module per assignment, found by their ``SLUG``."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from ..cases import Task
from ..reference import reference_namespace


@lru_cache(maxsize=None)
def modules() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):  # helpers shared by the graders, not graders
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[module.SLUG] = module
    return found


@lru_cache(maxsize=None)
def tasks_for(slug: str) -> tuple[Task, ...]:
    """Every graded task of ``slug`` with its hidden cases (references computed here, once)."""
    if slug not in modules():
        raise KeyError(f"no grader module in autograder/graders/ has SLUG = {slug!r}")
    return tuple(modules()[slug].tasks(reference_namespace(slug)))
