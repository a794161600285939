"""The committed release equals a fresh build, and holds nothing students must not see."""
import filecmp
import re
import shutil

import nbformat
import pytest

from autograder import paths, release
from autograder.graders import tasks_for
from autograder.hygiene import LeakError, check_cells, find_leaks, reference_values, verify_release


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, slugs):
    out = tmp_path_factory.mktemp("release")
    release.build(slugs, release_dir=out, course_root=tmp_path_factory.mktemp("course"), log=lambda *_: None)
    return out


def test_release_equals_a_fresh_build(fresh, slugs):
    assert sorted(p.name for p in paths.RELEASE.iterdir()) == sorted(slugs)
    for slug in slugs:
        assert _files(fresh / slug) == _files(paths.RELEASE / slug), f"{slug}: run make release"
        for name in _files(fresh / slug):
            assert filecmp.cmp(fresh / slug / name, paths.RELEASE / slug / name, shallow=False), \
                f"release/{slug}/{name} differs from a fresh build: run make release"


def test_committed_release_passes_the_hygiene_checks(slugs):
    verify_release(paths.RELEASE, slugs)


def test_each_release_folder_is_self_contained(slugs):
    local = {p.stem for p in paths.STUDENT_FILES.glob("*.py")} | {"checks"}
    for slug in slugs:
        folder = paths.RELEASE / slug
        code = "\n".join(p.read_text() for p in [folder / "checks.py", folder / f"{slug}.ipynb"])
        imported = set(re.findall(r"(?:from|import) (\w+)", code)) & local
        assert {f"{m}.py" for m in imported} <= {p.name for p in folder.iterdir()}, slug


def test_no_release_ships_a_numerical_gradient_where_writing_one_is_the_task(slugs):
    for slug in slugs:
        if any(t.name == "numerical_gradient" for t in tasks_for(slug)):
            assert not (paths.RELEASE / slug / "gradient_check.py").exists()
            assert "np.ndindex" not in (paths.RELEASE / slug / "checks.py").read_text()


@pytest.fixture
def planted(tmp_path, slugs):
    """A copy of the release to plant leaks in."""
    shutil.copytree(paths.RELEASE, tmp_path / "release")
    return tmp_path / "release"


def _append_to_first_code_cell(notebook_path, text):
    notebook = nbformat.read(notebook_path, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code")
    cell.source += "\n" + text
    nbformat.write(notebook, notebook_path)


def test_a_planted_solution_line_is_caught(planted, slugs):
    slug = slugs[0]
    reference = paths.reference_module(slug).read_text().splitlines()
    secret = next(line for line in reference if line.startswith("    ") and len(line.strip()) >= 12
                  and not line.strip().startswith(("#", '"""')) and line.strip() not in
                  paths.notebook_source(slug).read_text())
    _append_to_first_code_cell(planted / slug / f"{slug}.ipynb", secret.strip())
    with pytest.raises(LeakError, match="solution or hidden-test line"):
        verify_release(planted, [slug])


def test_a_planted_marker_is_caught(planted, slugs):
    slug = slugs[0]
    (planted / slug / "notes.txt").write_text("### BEGIN HIDDEN TESTS\n")
    assert any("BEGIN HIDDEN TESTS" in f for f in find_leaks(planted / slug, slug))


def test_a_planted_reference_value_is_caught(planted, slugs):
    for slug in slugs:
        values = reference_values(slug)
        assert values.size, f"{slug}: hidden cases should produce distinctive reference values"
        (planted / slug / "extra.md").write_text(f"the answer is {values[len(values) // 2]!r}\n")
        assert any("reference value" in f for f in find_leaks(planted / slug, slug))


def test_points_and_grade_ids_must_match_the_grader(planted, slugs):
    slug = slugs[0]
    path = planted / slug / f"{slug}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    test_cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade"))
    test_cell.metadata["nbgrader"]["points"] += 1
    answer = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.metadata["nbgrader"]["grade_id"] = "renamed"
    nbformat.write(notebook, path)
    findings = "\n".join(check_cells(path, slug))
    assert "must carry" in findings and "'renamed' is not a task" in findings
    assert tasks_for(slug)[0].name in findings


def test_short_numbers_are_never_taken_for_reference_values(slugs):
    """Times and error ratios in feedback (0.0729 s, 2.5×) are not leaks, whatever the cases hold."""
    from autograder.hygiene import values_in
    for slug in slugs:
        assert values_in("took 0.0729 s, the reference 0.0012 s; largest relative error 0.5312", slug) == []
