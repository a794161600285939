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
