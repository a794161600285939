"""The intake boundary (a submission folder → the grader's private staging copy) and the
worker pool, without kernels: hostile files never leave the submission folder, and a dead
worker costs only its own job."""
import json
import os

import nbformat
import pytest

from autograder import intake, paths, submissions, workers

SLUG = "01_fc_layer"
RELEASED = paths.RELEASE / SLUG / f"{SLUG}.ipynb"


def stage(folder, tmp_path):
    return intake.stage(folder, tmp_path / "staged", SLUG, RELEASED)


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "submitted" / "ann" / SLUG
    path.mkdir(parents=True)
    return path


def write_blank(path):
    nbformat.write(submissions.blank_notebook(SLUG), path)


def test_links_devices_fifos_and_hard_links_stay_behind_and_are_named(folder, tmp_path):
    write_blank(folder / f"{SLUG}.ipynb")
    secret = tmp_path / "secret.py"
    secret.write_text("SECRET = 1\n")
    (folder / "reference.py").symlink_to(paths.reference_module(SLUG))
    (folder / "zero").symlink_to("/dev/zero")
    (folder / "dangling.py").symlink_to(tmp_path / "nowhere" / "planted.py")
    os.link(secret, folder / "peer.py")
    os.mkfifo(folder / "pipe")
    (folder / "linked_dir").symlink_to(tmp_path)
    (folder / "own_helper.py").write_text("HELPER = 2\n")
    staged = stage(folder, tmp_path)
    kept = sorted(p.name for p in staged.notebook.parent.iterdir())
    assert kept == [f"{SLUG}.ipynb", "own_helper.py"]
    note = " ".join(staged.notes)
    for name in ("reference.py", "zero", "dangling.py", "peer.py", "pipe", "linked_dir"):
        assert repr(name) in note
    assert not (tmp_path / "nowhere").exists()


def test_a_dangling_link_under_the_expected_name_writes_nothing_anywhere(folder, tmp_path):
    target = tmp_path / "victim" / f"{SLUG}.ipynb"
    target.parent.mkdir()
    (folder / f"{SLUG}.ipynb").symlink_to(target)
    write_blank(folder / "my_work.ipynb")
    staged = stage(folder, tmp_path)
    assert not target.exists()
    assert sorted(p.name for p in folder.iterdir()) == [f"{SLUG}.ipynb", "my_work.ipynb"]  # untouched
    assert "my_work.ipynb" in " ".join(staged.notes) and staged.notebook.name == f"{SLUG}.ipynb"


def test_sizes_and_counts_are_bounded(folder, tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILES", 5)
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", 2**20)
    write_blank(folder / f"{SLUG}.ipynb")
    (folder / "big.bin").write_bytes(b"0" * (2**20 + 1))
    for i in range(10):
        (folder / f"f{i}.txt").write_text("x")
    deep = folder
    for i in range(intake.MAX_DEPTH + 2):
        deep = deep / f"d{i}"
        deep.mkdir()
    staged = stage(folder, tmp_path)
    files = [p for p in staged.notebook.parent.rglob("*") if p.is_file()]
    assert len(files) == 5
    note = " ".join(staged.notes)
    assert "larger than 1 MiB" in note and "more than 5 files" in note and "nested deeper" in note


def test_the_grader_reserved_report_name_is_never_taken_from_a_student(folder, tmp_path):
    write_blank(folder / f"{SLUG}.ipynb")
    (folder / "grading.json").write_text(json.dumps({"status": "graded", "tasks": []}))
    staged = stage(folder, tmp_path)
    assert not (staged.notebook.parent / "grading.json").exists()


@pytest.mark.parametrize("text, reason", [
    ('{"cells": [ not json', "not a valid notebook"),
    (json.dumps({"cells": [], "metadata": "a string", "nbformat": 4, "nbformat_minor": 5}), "not a valid notebook"),
    ("[" * 100_000 + "]" * 100_000, "not a valid notebook"),
])
def test_unreadable_notebooks_are_invalid_with_a_reason(folder, tmp_path, text, reason):
    (folder / f"{SLUG}.ipynb").write_text(text)
    with pytest.raises(intake.NotGradable) as raised:
        stage(folder, tmp_path)
    assert raised.value.status == "invalid notebook" and reason in str(raised.value)


def test_too_many_cells_is_invalid_with_a_reason(folder, tmp_path):
    notebook = submissions.blank_notebook(SLUG)
    notebook.cells += [nbformat.v4.new_code_cell("pass") for _ in range(intake.MAX_CELLS)]
    nbformat.write(notebook, folder / f"{SLUG}.ipynb")
    with pytest.raises(intake.NotGradable, match="cells; at most"):
        stage(folder, tmp_path)


def test_every_known_cell_gets_the_released_metadata_back(folder, tmp_path):
    notebook = submissions.reference_notebook(SLUG)
    answer = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "fc_forward")
    answer.metadata["nbgrader"].update(grade=True, points=1000)
    test = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sgd_step")
    test.metadata["nbgrader"] = "not a dict"
    extra = nbformat.v4.new_code_cell("pass")
    extra.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 50, "solution": False}
    notebook.cells.append(extra)
    nbformat.write(notebook, folder / f"{SLUG}.ipynb")
    staged = stage(folder, tmp_path)
    released = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]
                for c in nbformat.read(RELEASED, as_version=4).cells if "nbgrader" in c.metadata}
    roles = [c.metadata.get("nbgrader") for c in nbformat.read(staged.notebook, as_version=4).cells]
    assert released["fc_forward"] in roles
    assert all(role is None or role == released[role["grade_id"]] for role in roles)
    assert "bonus" in " ".join(staged.notes)


@pytest.mark.parametrize("name, ok", [("ann", True), ("a.b-c_d@x.org", True), ("李雷", True),
                                      ("=HYPERLINK(1)", False), ("+1", False), ("-x", False), ("@x", False),
                                      (".hidden", False), ("a b", False), ("<b>x</b>", False), ("x" * 200, False)])
def test_student_ids_are_validated_where_they_enter(name, ok):
    assert intake.valid_student_id(name) is ok


def test_deep_trees_are_removed(tmp_path):
    path = tmp_path / "deep"
    os.makedirs(path)
    here = os.open(path, os.O_RDONLY)
    for _ in range(3000):  # deeper than shutil.rmtree's recursion allows
        os.mkdir("d", dir_fd=here)
        nxt = os.open("d", os.O_RDONLY, dir_fd=here)
        os.close(here)
        here = nxt
    os.close(here)
    intake.remove_tree(path)
    assert not path.exists()


def test_removing_a_link_never_touches_what_it_points_to(tmp_path):
    target = tmp_path / "target"
    (target / "inner").mkdir(parents=True)
    (target / "inner" / "keep.txt").write_text("x")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "link").symlink_to(target, target_is_directory=True)
    intake.remove_tree(tmp_path / "folder" / "link")
    intake.remove_tree(folder)
    intake.remove_tree(tmp_path / "never-was")
    assert not folder.exists() and (target / "inner" / "keep.txt").read_text() == "x"


def _work(job):
    if job == "die":
        os._exit(3)
    if job == "kill":
        os.kill(os.getpid(), 9)
    return job.upper()


def test_a_dead_worker_costs_only_the_job_it_held():
    jobs = ["a", "die", "b", "kill", "c", "d"]
    results = dict(workers.run(jobs, _work, 2, lambda job, code: f"lost {code}"))
    assert results == {"a": "A", "b": "B", "c": "C", "d": "D", "die": "lost 3", "kill": "lost -9"}
