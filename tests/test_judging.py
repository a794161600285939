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


SLUG = "01_fc_layer"  # whose hidden values are scrubbed from kernel text


def reply(case, after=None, **fields):
    """What an honest kernel sends: the outputs, and every input as it was after the call."""
    fields.setdefault("outputs", {})
    fields["outputs"] = {k: harness.encode_array(np.asarray(v)) for k, v in fields["outputs"].items()}
    inputs = {**case.inputs, **(after or {})}
    fields.setdefault("inputs_after", {k: harness.encode_array(v) for k, v in inputs.items()})
    return harness.read_reply(json.dumps({"case": 0, **fields}), 1)


def problems(case, **fields):
    return judge(case, reply(case, **fields), SLUG).problems


def test_right_outputs_pass(case):
    verdict = judge(case, reply(case, outputs={"y": case.inputs["x"] * 3}), SLUG)
    assert verdict.problems == [] and verdict.mutated == []


def test_wrong_output_names_the_output_the_entry_and_the_error_but_not_the_value(case):
    wrong = case.inputs["x"] * 3
    wrong[1, 2] += 1.0
    [problem] = problems(case, outputs={"y": wrong})
    assert "`y` is wrong in 1 of 6 entries" in problem and "y[1, 2]" in problem
    assert "16.5" not in problem  # the expected value itself is never shown


def test_shape_nan_missing_and_error_replies_fail(case):
    assert "shape (3, 2)" in problems(case, outputs={"y": np.ones((3, 2))})[0]
    assert "NaN or inf" in problems(case, outputs={"y": np.full((2, 3), np.nan)})[0]
    assert "was not returned" in problems(case)[0]
    assert "raised ValueError: bad" in problems(case, error="ValueError: bad")[0]
    assert "no result came back" in judge(case, None, SLUG).problems[0]


def test_pickled_objects_are_never_unpickled():
    class Boom:
        def __reduce__(self):
            return (print, ("unpickled!",))

    buffer = io.BytesIO()
    np.save(buffer, np.array([Boom()], dtype=object), allow_pickle=True)
    assert harness.decode_array(base64.b64encode(buffer.getvalue()).decode()) is None
    assert harness.decode_array(base64.b64encode(pickle.dumps(np.ones(3))).decode()) is None
    assert harness.decode_array("not base64 at all!") is None


@pytest.mark.parametrize("data, case", [
    *[(data, None) for data in ("[1, 2]", "x" * (harness.MAX_REPLY_BYTES + 1), 17, "[" * 100_000 + "]" * 100_000)],
    *[(json.dumps({"case": 1, **fields}), 1) for fields in (
        {"outputs": []}, {"outputs": {"y": 5}}, {"seconds": "soon"}, {"error": ["a"]}, {"error": "x" * 100_000},
        {"spy": 1}, {"outputs": {"y" * 1000: "AA=="}}, {"seconds": float("nan")})],
])
def test_crafted_replies_are_malformed_with_a_sentence_and_the_case_they_name(data, case):
    with pytest.raises(harness.MalformedReply) as raised:
        harness.read_reply(data, 3)
    assert str(raised.value) and raised.value.case == case


@pytest.mark.parametrize("fields", [{}, {"case": 3}, {"case": -1}, {"case": True}, {"case": 1.0}, {"case": "1"}])
def test_a_reply_that_names_none_of_the_cases_is_none(fields):
    assert harness.read_reply(json.dumps({"outputs": {}, **fields}), 3) is None


def test_outputs_that_are_not_numeric_arrays_fail(case):
    strings = reply(case)
    strings.outputs["y"] = harness.encode_array(np.array(["a", "b"]))
    assert "could not be read as a numeric array" in judge(case, strings, SLUG).problems[0]


def test_a_mutated_input_is_reported_but_values_are_judged_on_their_own(case):
    verdict = judge(case, reply(case, after={"x": case.inputs["x"] + 1}, outputs={"y": case.inputs["x"] * 3}), SLUG)
    assert verdict.problems == [] and verdict.mutated == ["x"]
    assert "changed its input `x` in place" in verdict.notes[0]


def test_a_reply_that_hides_its_inputs_counts_as_a_mutation(case):
    verdict = judge(case, reply(case, inputs_after={}, outputs={"y": case.inputs["x"] * 3}), SLUG)
    assert sorted(verdict.mutated) == ["k", "x"]


def test_kernel_error_text_is_cut_and_scrubbed_of_hidden_inputs():
    from autograder.graders import tasks_for
    case = tasks_for(SLUG)[0].cases[0]
    hidden = case.inputs["x"].ravel()[0]
    text = f"ValueError: x = {hidden!r} " + "9" * 50_000
    [problem] = judge(case, reply(case, error=text[:harness.MAX_ERROR_CHARS]), SLUG).problems
    assert repr(hidden) not in problem and len(problem) < 400


def test_tolerance_is_absolute_plus_relative():
    expected = np.array([0.0, 1e6])
    assert compare("g", np.array([5e-11, 1e6 + 0.05]), expected, rtol=1e-7, atol=1e-10) == []
    assert compare("g", np.array([5e-9, 1e6]), expected, rtol=1e-7, atol=1e-10) != []


def test_run_call_copies_inputs_so_the_reference_cannot_change_them():
    inputs = {"x": np.ones(3)}
    run_call({"np": np}, "x += 1\nresult = {'y': x}", inputs)
    assert np.array_equal(inputs["x"], np.ones(3))


def test_the_kernel_code_is_plain_python_that_compiles():
    compile(harness.kernel_code([(CALL, {"x": np.ones(2)}), (CALL, {})]), "<kernel>", "exec")


def test_without_bubblewrap_the_grader_says_loudly_what_still_holds():
    from autograder.sandbox import Isolation, Limits
    text = "\n".join(Isolation("limits", why="the bwrap command is not installed").describe(Limits()))
    assert "WARNING" in text and "can READ any file" in text and "bwrap command is not installed" in text
    assert "verdicts are still computed outside the kernel" in text and "resource limits" in text


def test_outputs_a_judge_cannot_handle_fail_the_case_not_the_grader(case):
    def fragile(outputs):
        raise IndexError("a judge that assumed a shape")

    from dataclasses import replace
    verdict = judge(replace(case, judge=fragile), reply(case, outputs={"y": case.inputs["x"] * 3}), SLUG)
    assert "could not be judged (IndexError)" in verdict.problems[0]


def test_kernel_limits_are_settings_of_the_course_file(tmp_path):
    from autograder.config import nbgrader_config
    from autograder.pipeline import RunNotebook
    from autograder.sandbox import Limits

    assert RunNotebook.limits_from(nbgrader_config(tmp_path)) == Limits()
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.RunNotebook.memory_limit = 2 * 2**30\nc.RunNotebook.tmpfs_size = 64 * 2**20\n")
    config = nbgrader_config(tmp_path)
    limits = RunNotebook.limits_from(config)
    assert (limits.memory, limits.tmp, limits.cpu) == (2 * 2**30, 64 * 2**20, Limits().cpu)
    assert RunNotebook(config=config).limits == limits


# --- the pipeline's judging step, on answers gathered without a kernel ---------------------------------

def test_a_task_is_judged_from_its_answers_with_partial_credit_and_one_mutation_penalty(case):
    from autograder.cases import Task
    from autograder.pipeline import Asked, TaskAsked, judge_task
    from autograder.report import Status

    task = Task("scale", 4.0, "", [case] * 4)
    right = reply(case, outputs={"y": case.inputs["x"] * 3})
    mutated = reply(case, outputs={"y": case.inputs["x"] * 3}, after={"x": case.inputs["x"] + 1})
    result = judge_task(TaskAsked(task, [Asked(case, right), Asked(case, mutated), Asked(case, mutated),
                                         Asked(case, failure="did not finish within 1 s (an endless loop?)")],
                                  status=Status.TIMED_OUT), SLUG)
    assert [c.passed for c in result.cases] == [True, True, True, False]
    assert result.score == 4.0 * 3 / 4 - 1.0  # 3 of 4 cases, a quarter of the points once for `x`
    assert result.status == Status.TIMED_OUT and "changing `x` in place" in result.message
    assert "did not finish" in result.cases[3].problems[0]


def test_grading_is_a_pipeline_of_preprocessors_with_one_job_each(tmp_path):
    from nbclient import NotebookClient

    from autograder import pipeline
    from autograder.config import nbgrader_config

    steps = [p.__name__ for p in nbgrader_config(tmp_path).Autograde.autograde_preprocessors]
    assert steps[:4] == ["RunNotebook", "AskHiddenCases", "JudgeCases", "ShowVerdicts"]
    assert steps.index("SaveVerdicts") > steps.index("JudgeCases")
    for step in (pipeline.RunNotebook, pipeline.AskHiddenCases, pipeline.JudgeCases):
        assert not issubclass(step, NotebookClient)  # the kernel is driven through a client it owns
