"""Assemble nbgrader source notebooks: skeletons from ``assignments/`` + bodies from ``solutions/``.

Each stub (``# YOUR CODE HERE`` / ``raise NotImplementedError()``) in an answer cell is replaced
by the body of the same function in the reference module, wrapped in nbgrader's solution
markers. ``nbgrader generate_assignment`` turns the markers back into the stub, so the released
cell is the skeleton again.
"""
from __future__ import annotations

import ast
import shutil
import textwrap
from pathlib import Path

import jupytext
import nbformat

from . import paths

STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


class BuildError(Exception):
    """A source that cannot be assembled; the message says which file and what to fix."""


def function_bodies(source: str) -> dict[str, list[str]]:
    """Body lines (docstring dropped, dedented) of every function, keyed by qualified name."""
    lines = source.splitlines()
    bodies: dict[str, list[str]] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    body = child.body
                    if ast.get_docstring(child) is not None:
                        body = body[1:]
                    if body:
                        start = min([body[0].lineno] + [d.lineno for d in getattr(body[0], "decorator_list", [])])
                        text = "\n".join(lines[start - 1:body[-1].end_lineno])
                        bodies[name] = textwrap.dedent(text).splitlines()
                visit(child, name + ".")

    visit(ast.parse(source), "")
    return bodies


def stub_owners(source: str) -> dict[int, str]:
    """Line index of each stub's first line -> qualified name of the function it sits in."""
    lines = source.splitlines()
    owners: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                for i in range(child.lineno - 1, child.end_lineno - 1):
                    if lines[i].strip() == STUB[0] and lines[i + 1].strip() == STUB[1]:
                        owners[i] = name  # innermost definition wins: visited last
                visit(child, name + ".")

    visit(ast.parse(source), "")
    return owners


def fill_stubs(cell_source: str, reference: dict[str, list[str]], where: str) -> str:
    lines = cell_source.splitlines()
    owners = stub_owners(cell_source)
    if not owners:
        raise BuildError(f"{where}: answer cell has no '{STUB[0]}' / '{STUB[1]}' stub")
    for i in sorted(owners, reverse=True):
        name = owners[i]
        if name not in reference:
            raise BuildError(f"{where}: the reference module defines no `{name}` to fill its stub")
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        body = [indent + line if line else line for line in reference[name]]
        lines[i:i + 2] = [indent + "### BEGIN SOLUTION", *body, indent + "### END SOLUTION"]
    return "\n".join(lines)


def is_answer_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("solution", False) and not meta.get("grade", False)


def source_notebook(slug: str) -> nbformat.NotebookNode:
    """The instructor's notebook for ``slug``: skeleton with the reference solutions filled in."""
    source_path = paths.notebook_source(slug)
    notebook = jupytext.read(source_path)
    reference = function_bodies(paths.reference_module(slug).read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook.cells):
        cell.metadata.pop("lines_to_next_cell", None)
        cell.id = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell-{index:03d}")
        if is_answer_cell(cell):
            where = f"{source_path.relative_to(paths.REPO)} cell '{cell.metadata['nbgrader']['grade_id']}'"
            cell.source = fill_stubs(cell.source, reference, where)
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    return notebook


def support_files(slug: str) -> list[Path]:
    """Files shipped beside the notebook. Shared helpers from ``autograder/student/`` are symlinked
    into the assignments that use them (03 must not get a numerical gradient: it is a task there)."""
    return [p for p in sorted((paths.ASSIGNMENTS / slug).iterdir())
            if p.is_file() and p != paths.notebook_source(slug) and not p.name.startswith(".")]


def assemble(slug: str, source_root: Path) -> Path:
    """Write ``source_root/<slug>/`` (notebook + support files) and return the notebook's path."""
    folder = source_root / slug
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    notebook_path = folder / f"{slug}.ipynb"
    nbformat.write(source_notebook(slug), notebook_path)
    for path in support_files(slug):
        shutil.copy2(path, folder / path.name)
    return notebook_path
