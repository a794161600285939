"""Assemble nbgrader source notebooks: skeletons from ``assignments/`` + bodies from ``solutions/``.

The notebook source marks a task's cells only by role: ``# %% answer="fc_forward"`` (the cell the
student writes) and ``# %% test="fc_forward"`` (the locked cell that runs the visible checks).
Their nbgrader metadata (grade id, points, lock) is written here from the catalogue, the one place
a task's name and points are declared.

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

from . import catalogue, paths

STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
ANSWER, TEST = "answer", "test"  # the cell markers: ``# %% answer="<task>"``, ``# %% test="<task>"``


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
    """An nbgrader solution cell that is not graded itself (or, in a notebook source, a cell marked
    ``answer=...``)."""
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type == "code" and ANSWER in cell.metadata and not meta:
        return True
    return cell.cell_type == "code" and meta.get("solution", False) and not meta.get("grade", False)


def nbgrader_metadata(role: str, task: catalogue.TaskSpec) -> dict:
    """The nbgrader cell metadata of ``task``'s answer or test cell (nbgrader's schema 3)."""
    if role == ANSWER:
        return {"grade": False, "grade_id": task.name, "locked": False, "schema_version": 3, "solution": True,
                "task": False}
    return {"grade": True, "grade_id": task.test_cell, "locked": True, "points": task.points, "schema_version": 3,
            "solution": False, "task": False}


def marked_notebook(slug: str) -> nbformat.NotebookNode:
    """The notebook source of ``slug`` with the nbgrader metadata of every answer and test cell
    written from the catalogue (the stubs are left as they are). Every task needs exactly one
    answer cell and one test cell after it; cells may not carry nbgrader metadata of their own."""
    source_path = paths.notebook_source(slug)
    where = source_path.relative_to(paths.REPO) if source_path.is_relative_to(paths.REPO) else source_path
    notebook = jupytext.read(source_path)
    tasks = {t.name: t for t in catalogue.tasks(slug)}
    seen: dict[str, list[tuple[str, int]]] = {}
    for index, cell in enumerate(notebook.cells):
        cell.metadata.pop("lines_to_next_cell", None)
        if "nbgrader" in cell.metadata:
            raise BuildError(f"{where}, cell {index}: write `# %% answer=\"<task>\"` or `# %% test=\"<task>\"` "
                             f"instead of nbgrader metadata (points and grade ids come from the catalogue)")
        roles = [role for role in (ANSWER, TEST) if role in cell.metadata]
        if not roles:
            continue
        if len(roles) > 1 or cell.cell_type != "code":
            raise BuildError(f"{where}, cell {index}: a code cell is either the answer or the test of one task")
        role = roles[0]
        name = cell.metadata.pop(role)
        if name not in tasks:
            raise BuildError(f"{where}, cell {index}: {role}={name!r} is not a task of {slug} in the catalogue "
                             f"(autograder/graders/{catalogue.get(slug).module}.py); its tasks: {', '.join(tasks)}")
        cell.metadata["nbgrader"] = nbgrader_metadata(role, tasks[name])
        seen.setdefault(name, []).append((role, index))
    for name in tasks:
        roles = [role for role, _ in seen.get(name, [])]
        if roles != [ANSWER, TEST]:
            raise BuildError(f"{where}: task {name!r} needs one `# %% answer=\"{name}\"` cell followed by one "
                             f"`# %% test=\"{name}\"` cell; found {', '.join(roles) or 'neither'}")
    return notebook


def source_notebook(slug: str) -> nbformat.NotebookNode:
    """The instructor's notebook for ``slug``: skeleton with the reference solutions filled in."""
    source_path = paths.notebook_source(slug)
    notebook = marked_notebook(slug)
    reference = function_bodies(paths.reference_module(slug).read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook.cells):
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
    """Files shipped beside the notebook: the catalogue's ``support`` of ``slug``, each of which must
    be in ``assignments/<slug>/``, and nothing else may be there. Shared helpers from
    ``autograder/student/`` are symlinked into the assignments that use them (03 must not get a
    numerical gradient: it is a task there)."""
    folder = paths.ASSIGNMENTS / slug
    present = {p.name for p in folder.iterdir()
               if p.is_file() and p != paths.notebook_source(slug) and not p.name.startswith(".")}
    declared = catalogue.get(slug).support
    missing = [name for name in declared if name not in present]
    undeclared = sorted(present - set(declared))
    if missing or undeclared:
        raise BuildError(f"assignments/{slug}/ and the catalogue's support files differ: "
                         + "; ".join(([f"missing {', '.join(missing)}"] if missing else [])
                                     + ([f"not declared {', '.join(undeclared)}"] if undeclared else []))
                         + f" (support=... in autograder/graders/{catalogue.get(slug).module}.py)")
    return [folder / name for name in sorted(declared)]


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
