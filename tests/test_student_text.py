"""What a student reads in every notebook (issue 13), checked on the notebook sources — fast, no kernels.

- The course material is "the course notes" (or "the notes", with the part): the word "seed" appears
  only in its programming sense (`seed=0`, `default_rng(seed)`, a random seed), never as a name for
  the course's documents ("the seed's formula", "seed part 0_2_5", "seed 004").
- Every graded task has a heading that names it and shows its points, equal to the `points` of its
  test cell: "### Task 2 — `fc_backward` (4 points)", "**Task 13 — `prelu_forward` (1 point)**".
- The conventions section states the in-place rule, with the consequence the grader applies.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from autograder import paths
from autograder.assemble import marked_notebook

SLUGS = paths.slugs()

# ------------------------------------------------------------------------------------------ reading


def _cells(slug: str):
    """The notebook source's cells, answer and test cells with their nbgrader metadata (from the catalogue)."""
    return marked_notebook(slug).cells


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {}) if "nbgrader" in cell.metadata else {}


def _docstrings(source: str) -> list[str]:
    """Docstrings of the module, classes and functions of one code cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a cell with IPython syntax: fall back to its triple-quoted strings
        return re.findall(r'"""(.*?)"""', source, flags=re.S)
    nodes = [n for n in ast.walk(tree)
             if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
    return [d for d in (ast.get_docstring(n, clean=False) for n in nodes) if d]


def _student_text(slug: str) -> list[tuple[str, str]]:
    """(where, text) of every markdown cell and every docstring, with code spans blanked out."""
    texts = []
    for index, cell in enumerate(_cells(slug)):
        if cell.cell_type == "markdown":
            pieces = [cell.source]
        elif cell.cell_type == "code":
            pieces = _docstrings(cell.source)
        else:
            continue
        texts += [(f"cell {index} ({cell.cell_type})", _blank_code(text)) for text in pieces]
    return texts


def _blank_code(text: str) -> str:
    """Prose only: fenced code and inline code spans (`seed`, `default_rng(seed)`) become ``."""
    text = re.sub(r"```.*?```", "``", text, flags=re.S)
    return re.sub(r"`[^`]+`", "``", text)  # a span may run over a line break


# ------------------------------------------------------------------------------------------ "seed"

SEED = re.compile(r"\bseed(?:s|'s|’s)?\b", re.IGNORECASE)
# The programming sense, judged by what follows the word ...
ALLOWED_AFTER = re.compile(
    r"""^(?:
        \s*[=:)\],]                                     # seed=0, - seed: ..., default_rng(seed)
      | \s*\((?!\s*(?:parts?\s*)?\d)                    # seed (int), but not "the seed (0_2_1, eq. 1)"
      | s?\s+np\.                                        # seeds np.random.default_rng
      | s\s+(?:the|every|each|its|a|an|np|numpy)\b       # "seeds the generator" (the verb)
      | \s+(?:is|was|are)\s+(?:given|set|fixed|passed|used)\b
      | s?\s+(?:of|for)\s+(?:the\s+|a\s+|its\s+)?(?:random|generator|rng|mask|dropout|shuffl|weights)
    )""", re.IGNORECASE | re.VERBOSE)
# ... or by what precedes it.
ALLOWED_BEFORE = re.compile(
    r"(?:\brandom|\brng|\bgenerator|\bfixed|\bother|\bsame|\bdifferent|\bdropout|\binteger|\bint|"
    r"\bnumpy|\ba|\bone|\beach|\bevery|\bnew|\banother|\bits|\bwhich|\bper)\s+$", re.IGNORECASE)


def _course_material_seeds(text: str) -> list[str]:
    """Snippets of `text` (prose, code already blanked) where "seed" names the course material."""
    found = []
    for match in SEED.finditer(text):
        word = match.group(0)
        before, after = text[:match.start()], text[match.end():]
        if word.lower().endswith(("'s", "’s")):  # "the seed's formula": always the documents
            found.append(text[max(0, match.start() - 40):match.end() + 40])
            continue
        # "seeds the" is the verb only for the bare word "seed" + "s"
        tail = after if word.lower() == "seed" else word[4:] + after
        if ALLOWED_AFTER.match(tail) or ALLOWED_BEFORE.search(before):
            continue
        found.append(text[max(0, match.start() - 40):match.end() + 40])
    return found


def test_the_seed_detector_knows_both_senses():
    programming = ["- seed: optional int; the mask is", "`seed` seeds the generator", "a fixed seed and a budget",
                   "with other seeds, and", "when a seed is given", "If not None, seeds np.random.default_rng",
                   "the random seed of the run", "is the dropout seed", "default_rng(seed)", "seed (int)"]
    material = ["the seed's weight tensor", "| step | seed part | what |", "The seed writes this without",
                "Seed 0_2_1: dw is", "as in seed 004", "(the seed says.)", "The seed (0_2_1, eq. 1) defines",
                "the course seeds"]
    for text in programming:
        assert _course_material_seeds(_blank_code(text)) == [], text
    for text in material:
        assert _course_material_seeds(_blank_code(text)), text


@pytest.mark.parametrize("slug", SLUGS)
def test_no_seed_as_a_name_for_the_course_material(slug):
    problems = [f"{where}: …{snippet!r}…" for where, text in _student_text(slug)
                for snippet in _course_material_seeds(text)]
    assert not problems, (f"{slug} calls the course material 'seed' (write 'the course notes, part …' "
                          f"instead):\n" + "\n".join(problems))


# ------------------------------------------------------------------------------------------ points in headings

TASK = re.compile(r"\bTasks?\s+\d")
POINTS = re.compile(r"\((\d+(?:\.\d+)?) (points?)(?: each)?\)")


def _graded_tasks(cells) -> list[tuple[str, float, int]]:
    """(task, points, index of its answer cell or else of its test cell) in notebook order."""
    answers = {_nbgrader(c).get("grade_id"): i for i, c in enumerate(cells)
               if _nbgrader(c).get("solution") and not _nbgrader(c).get("grade")}
    tasks = []
    for i, cell in enumerate(cells):
        meta = _nbgrader(cell)
        if meta.get("grade") and str(meta.get("grade_id", "")).startswith("test_"):
            name = meta["grade_id"][len("test_"):]
            tasks.append((name, float(meta.get("points", 0)), answers.get(name, i)))
    return tasks


def _heading_segments(markdown: str):
    """Each "Task N ..." stretch of a heading line or a bold task line, up to the next "Task"."""
    for line in markdown.splitlines():
        starts = [m.start() for m in TASK.finditer(line)]
        if not starts or not (line.lstrip().startswith("#") or "**Task" in line):
            continue
        for a, b in zip(starts, starts[1:] + [len(line)]):
            yield line[a:b]


def _names(segment: str, task: str) -> bool:
    return re.search(r"`" + re.escape(task) + r"(?:`|\()", segment) is not None


@pytest.mark.parametrize("slug", SLUGS)
def test_every_task_heading_shows_the_points_of_its_test_cell(slug):
    cells = _cells(slug)
    tasks = _graded_tasks(cells)
    assert tasks, f"{slug} has no graded test cells"
    problems = []
    for task, points, position in tasks:
        segments = [s for cell in cells[:position] if cell.cell_type == "markdown"
                    for s in _heading_segments(cell.source) if _names(s, task)]
        shown = [m for s in segments for m in POINTS.finditer(s)]
        if not shown:
            problems.append(f"`{task}`: no task heading before its answer cell names it with its points, "
                            f"e.g. \"### Task k — `{task}` ({points:g} point{'s' if points != 1 else ''})\"")
            continue
        for m in shown:
            value, unit = float(m.group(1)), m.group(2)
            if value != points:
                problems.append(f"`{task}`: a heading shows {m.group(0)}, its test cell is worth {points:g}")
            elif (unit == "point") != (value == 1):
                problems.append(f"`{task}`: write {'(1 point)' if value == 1 else f'({value:g} points)'}")
    assert not problems, f"{slug}:\n" + "\n".join(problems)


# ------------------------------------------------------------------------------------------ the in-place rule

IN_PLACE_CONSEQUENCE = ("Values are judged on their own; changing an input in place costs a quarter of the task's "
                        "points, and the feedback says which input.")


@pytest.mark.parametrize("slug", SLUGS)
def test_the_conventions_state_the_in_place_rule(slug):
    conventions = [" ".join(c.source.split()) for c in _cells(slug)
                   if c.cell_type == "markdown" and re.search(r"\bconventions\b", c.source, re.IGNORECASE)]
    assert conventions, f"{slug} has no conventions section (a markdown cell that says 'Conventions')"
    assert any("in place" in text and IN_PLACE_CONSEQUENCE in text for text in conventions), (
        f"{slug}: the conventions section must state that inputs may not be changed in place, and the "
        f"consequence: {IN_PLACE_CONSEQUENCE!r}")


def test_jupyterlab_shows_the_notebooks_math_without_a_network():
    """Students open the notebooks in JupyterLab (requirements.txt), whose MathJax is in its own
    bundle: no CDN address for it anywhere in the bundle."""
    import sys

    static = Path(sys.prefix) / "share" / "jupyter" / "lab" / "static"
    bundle = [p.read_text(encoding="utf-8", errors="replace") for p in static.glob("*.js")]
    assert any("MathJax" in text for text in bundle)
    assert not any(re.search(r"https?://[\w./-]*(mathjax|jsdelivr|cdnjs)", text, re.IGNORECASE) for text in bundle)
