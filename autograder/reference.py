"""The reference namespace of an assignment: its provided notebook cells plus the solutions."""
from __future__ import annotations

import runpy

import jupytext

from . import paths


def provided_code(slug: str) -> str:
    """Source of the notebook cells tagged ``provided`` (data, helpers the students are given)."""
    notebook = jupytext.read(paths.notebook_source(slug))
    return "\n\n".join(c.source for c in notebook.cells
                       if c.cell_type == "code" and "provided" in c.metadata.get("tags", []))


def reference_namespace(slug: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(compile(provided_code(slug), f"<{slug} provided cells>", "exec"), namespace)
    namespace.update(runpy.run_path(str(paths.reference_module(slug)), init_globals=dict(namespace)))
    return namespace
