"""Assembling nbgrader sources from skeletons and references."""
import jupytext
import nbformat
import pytest

from autograder import paths
from autograder.assemble import BuildError, fill_stubs, function_bodies, is_answer_cell, source_notebook

SKELETON = '''class Net:
    def __init__(self, w):
        self.w = w

    def forward(self, x):
        """Docstring stays."""
        # YOUR CODE HERE
        raise NotImplementedError()
'''

REFERENCE = '''import numpy as np

class Net:
    def __init__(self, w):
        self.w = None

    def forward(self, x):
        """Reference docstring is dropped."""
        y = x @ self.w
        if y.ndim:
            y = y + 1
        return y
'''


def test_fill_stubs_pastes_the_reference_body_at_the_stub_indentation():
    filled = fill_stubs(SKELETON, function_bodies(REFERENCE), "test")
    assert filled.splitlines()[-7:] == [
        '        """Docstring stays."""',
        "        ### BEGIN SOLUTION",
        "        y = x @ self.w",
        "        if y.ndim:",
        "            y = y + 1",
        "        return y",
        "        ### END SOLUTION",
    ]
    assert "self.w = w" in filled  # given code is left alone
    assert "Reference docstring" not in filled


def test_a_stub_without_reference_is_an_error_naming_the_function():
    with pytest.raises(BuildError, match="Net.forward"):
        fill_stubs(SKELETON, {}, "somewhere")


def test_an_answer_cell_without_stub_is_an_error():
    with pytest.raises(BuildError, match="no '# YOUR CODE HERE'"):
        fill_stubs("def f():\n    return 1\n", {"f": ["return 2"]}, "somewhere")


def test_every_released_answer_cell_is_its_skeleton_again(slugs):
    for slug in slugs:
        skeleton = [c for c in jupytext.read(paths.notebook_source(slug)).cells if is_answer_cell(c)]
        released = [c for c in nbformat.read(paths.RELEASE / slug / f"{slug}.ipynb", as_version=4).cells
                    if is_answer_cell(c)]
        assert [c.source.rstrip() for c in released] == [c.source.rstrip() for c in skeleton], slug


def test_source_notebook_cell_ids_are_stable(slugs):
    for slug in slugs:
        assert [c.id for c in source_notebook(slug).cells] == [c.id for c in source_notebook(slug).cells]


def test_cells_are_marked_by_role_and_get_their_metadata_from_the_catalogue(slugs):
    from autograder import catalogue
    for slug in slugs:
        text = paths.notebook_source(slug).read_text(encoding="utf-8")
        assert "nbgrader=" not in text, f"{slug}: mark cells with answer=/test=, points live in the catalogue"
        cells = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in source_notebook(slug).cells
                 if "nbgrader" in c.metadata}
        for task in catalogue.tasks(slug):
            assert cells[task.name] == {"grade": False, "grade_id": task.name, "locked": False, "schema_version": 3,
                                        "solution": True, "task": False}
            assert cells[task.test_cell] == {"grade": True, "grade_id": task.test_cell, "locked": True,
                                             "points": task.points, "schema_version": 3, "solution": False,
                                             "task": False}
        assert len(cells) == 2 * len(catalogue.tasks(slug))


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace('# %% test="fc_backward"', "# %%"), "fc_backward.*found answer$"),
    (lambda s: s.replace('# %% answer="sgd_step"', '# %% answer="sgd"'), "'sgd' is not a task of 01_fc_layer"),
    (lambda s: s.replace('# %% test="fc_forward"', '# %% nbgrader={"grade": true, "points": 9}'), "instead of nbgrader"),
])
def test_a_wrong_cell_marker_is_an_error_naming_the_task(tmp_path, monkeypatch, edit, message):
    from autograder.assemble import marked_notebook
    source = tmp_path / "01_fc_layer.py"
    source.write_text(edit(paths.notebook_source("01_fc_layer").read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.setattr(paths, "notebook_source", lambda slug: source)
    with pytest.raises(BuildError, match=message):
        marked_notebook("01_fc_layer")
