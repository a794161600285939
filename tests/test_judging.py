"""Judging happens in the grader: what comes back from the kernel is data, never a verdict."""
import base64
import io
import json
import pickle

import numpy as np
import pytest

from autograder import harness
from autograder.cases import compare, reference_case, run_call
from autograder.pipeline import judge

REFERENCE = {"np": np, "scale": lambda x, k: x * float(k)}
CALL = "result = {'y': scale(x, k)}"


@pytest.fixture
def case():
    return reference_case("one", CALL, {"x": np.arange(6.0).reshape(2, 3) + 0.5, "k": np.array(3.0)}, REFERENCE)


def reply(**outputs):
    return {"outputs": {k: harness.encode_array(np.asarray(v)) for k, v in outputs.items()}}


def test_right_outputs_pass(case):
    assert judge(case, reply(y=case.inputs["x"] * 3)) == []


def test_wrong_output_names_the_output_the_entry_and_the_error_but_not_the_value(case):
    wrong = case.inputs["x"] * 3
    wrong[1, 2] += 1.0
    [problem] = judge(case, reply(y=wrong))
    assert "`y` is wrong in 1 of 6 entries" in problem and "y[1, 2]" in problem
    assert "16.5" not in problem  # the expected value itself is never shown


def test_shape_nan_missing_and_error_replies_fail(case):
    assert "shape (3, 2)" in judge(case, reply(y=np.ones((3, 2))))[0]
    assert "NaN or inf" in judge(case, reply(y=np.full((2, 3), np.nan)))[0]
    assert "was not returned" in judge(case, reply())[0]
    assert "raised ValueError: bad" in judge(case, {"outputs": {}, "error": "ValueError: bad"})[0]
    assert "no result came back" in judge(case, None)[0]


def test_pickled_objects_are_never_unpickled():
    class Boom:
        def __reduce__(self):
            return (print, ("unpickled!",))

    buffer = io.BytesIO()
    np.save(buffer, np.array([Boom()], dtype=object), allow_pickle=True)
    assert harness.decode_array(base64.b64encode(buffer.getvalue()).decode()) is None
    assert harness.decode_array(base64.b64encode(pickle.dumps(np.ones(3))).decode()) is None
    assert harness.decode_array("not base64 at all!") is None


def test_crafted_replies_are_rejected(case):
    assert harness.read_reply("[1, 2]") is None
    assert harness.read_reply("x" * (harness.MAX_REPLY_BYTES + 1)) is None
    assert harness.read_reply(json.dumps({"outputs": []})) is None
    strings = {"outputs": {"y": harness.encode_array(np.array(["a", "b"]))}}
    assert "could not be read as a numeric array" in judge(case, strings)[0]


def test_mutated_inputs_are_reported(case):
    r = reply(y=case.inputs["x"] * 3)
    r["inputs_after"] = {"x": harness.encode_array(case.inputs["x"] + 1), "k": harness.encode_array(case.inputs["k"])}
    [problem] = judge(case, r)
    assert "changed its input `x`" in problem


def test_tolerance_is_absolute_plus_relative():
    expected = np.array([0.0, 1e6])
    assert compare("g", np.array([5e-11, 1e6 + 0.05]), expected, rtol=1e-7, atol=1e-10) == []
    assert compare("g", np.array([5e-9, 1e6]), expected, rtol=1e-7, atol=1e-10) != []


def test_run_call_copies_inputs_so_the_reference_cannot_change_them():
    inputs = {"x": np.ones(3)}
    run_call({"np": np}, "x += 1\nresult = {'y': x}", inputs)
    assert np.array_equal(inputs["x"], np.ones(3))


def test_the_kernel_code_is_plain_python_that_compiles():
    compile(harness.kernel_code(CALL, {"x": np.ones(2)}), "<kernel>", "exec")


def test_without_bubblewrap_the_grader_says_loudly_what_still_holds():
    from autograder.sandbox import Isolation, Limits
    text = "\n".join(Isolation("limits", why="the bwrap command is not installed").describe(Limits()))
    assert "WARNING" in text and "can READ any file" in text and "bwrap command is not installed" in text
    assert "verdicts are still computed outside the kernel" in text and "resource limits" in text
