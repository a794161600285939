"""A term of a small class: LMS downloads collected, deadlines and late penalties, regrades of only
what changed, the export, the class report, misused commands; and every command of the guides.

The grading tests use 01_fc_layer (fast) and are marked slow; the rest run in seconds."""
from __future__ import annotations

import contextlib
import csv
import datetime
import io
import os
import re
import stat
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import batch, class_report, collect, config, demo, grades, regrade, submissions
from autograder.__main__ import main

REPO = Path(__file__).resolve().parent.parent
SLUG = "01_fc_layer"
FULL = 8.0
PNG = b"\x89PNG\r\n\x1a\n"


def notebook_bytes(kind: str) -> bytes:
    if kind == "reference":
        nb = submissions.reference_notebook(SLUG)
    elif kind == "blank":
        nb = submissions.blank_notebook(SLUG)
    else:  # a demo student: "cai" averages dw over the batch
        nb = demo.student_notebook(kind, SLUG)
    return nbformat.writes(nb).encode()


def write_zip(path: Path, entries: list[tuple[str, bytes, tuple]], links: list[str] = ()) -> Path:
    """A zip as an LMS gives it: each entry a name, its bytes and the time the LMS gave it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, when in entries:
            zf.writestr(zipfile.ZipInfo(name, when), data)
        for name in links:
            info = zipfile.ZipInfo(name, (2026, 11, 30, 12, 0, 0))
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


def course_file(root: Path, extra: str = "") -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.BackpropLab.due = {{'{SLUG}': '2026-12-02 00:00 UTC'}}\n"
        "c.BackpropLab.late_penalty_per_day = 0.1\n"
        "c.BackpropLab.late_penalty_cap = 0.5\n"
        f"c.BackpropLab.extensions = {{'1005': {{'{SLUG}': '1 day'}}}}\n" + extra)


def fails(argv: list[str]) -> str:
    """The sentence a misused command exits with (it must exit non-zero)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code
    assert code not in (0, None), argv
    return f"{code}\n{err.getvalue()}"


# Collect: naming, newest wins, safe extraction (no grading)


def test_canvas_download_is_collected_newest_first_and_everything_left_out_is_listed(tmp_path):
    root = tmp_path / "course"
    course_file(root)
    nb = notebook_bytes("blank")
    download = write_zip(tmp_path / "canvas.zip", [
        (f"ada_1001_9001_{SLUG}.ipynb", nb, (2026, 11, 30, 9, 0, 0)),
        (f"ada_1001_9002_{SLUG}-1.ipynb", nb + b"\n", (2026, 12, 1, 9, 0, 0)),
        (f"ben_LATE_1002_9003_{SLUG}.ipynb", nb, (2026, 12, 3, 10, 0, 0)),
        ("dan_1004_9005_02_gender_demo.ipynb", nb, (2026, 11, 30, 9, 0, 0)),
        ("eve_1005_9006_notes.txt", b"hello", (2026, 11, 30, 9, 0, 0)),
        ("readme.txt", b"x", (2026, 11, 30, 9, 0, 0)),
        (f"../evil_1006_9007_{SLUG}.ipynb", nb, (2026, 11, 30, 9, 0, 0)),
        (f"/abs_1007_9008_{SLUG}.ipynb", nb, (2026, 11, 30, 9, 0, 0)),
    ], links=[f"lnk_1008_9009_{SLUG}.ipynb"])
    lines = []
    outcome = collect.collect(root, SLUG, download, log=lines.append)
    assert sorted(outcome.collected) == ["1001", "1002"]
    assert outcome.late_marked == ["1002"]
    ada = root / "submitted" / "1001" / SLUG
    assert sorted(p.name for p in ada.iterdir()) == [f"{SLUG}.ipynb", "timestamp.txt"]
    assert (ada / f"{SLUG}.ipynb").read_bytes() == nb + b"\n"  # the resubmission, under its own name
    assert (ada / "timestamp.txt").read_text().startswith("2026-12-01 09:00:00")
    skipped = "\n".join(outcome.skipped)
    for expected in ["an older submission", "another assignment, 02_gender_demo", "not a notebook",
                     "'readme.txt': matches no student", "'..'", "absolute path", "a link"]:
        assert expected in skipped, expected
    assert len(outcome.skipped) == 7
    assert "Not collected (7)" in "\n".join(lines)
    assert not (tmp_path / "evil_1006_9007_01_fc_layer.ipynb").exists()
    assert not list(root.rglob("*evil*")) and not any(p.is_symlink() for p in root.rglob("*"))


def test_a_later_download_adds_resubmissions_and_never_replaces_with_older(tmp_path):
    root = tmp_path / "course"
    nb = notebook_bytes("blank")
    collect.collect(root, SLUG, write_zip(tmp_path / "a.zip", [
        (f"ada_1001_9001_{SLUG}.ipynb", nb, (2026, 12, 1, 9, 0, 0))]), log=lambda *_: None)
    again = collect.collect(root, SLUG, write_zip(tmp_path / "b.zip", [
        (f"ada_1001_9000_{SLUG}.ipynb", nb + b" ", (2026, 11, 1, 9, 0, 0)),
        (f"bo_1002_9010_{SLUG}.ipynb", nb, (2026, 12, 1, 10, 0, 0))]), log=lambda *_: None)
    assert sorted(again.collected) == ["1002"] and again.unchanged == ["1001"]
    assert (root / "submitted" / "1001" / SLUG / f"{SLUG}.ipynb").read_bytes() == nb
    assert any("an older submission" in s or "older than the submission already" in s for s in again.skipped)
    # the same download twice changes nothing
    before = (root / "submitted" / "1002" / SLUG / "timestamp.txt").read_text()
    collect.collect(root, SLUG, tmp_path / "b.zip", log=lambda *_: None)
    assert (root / "submitted" / "1002" / SLUG / "timestamp.txt").read_text() == before
    assert len(list((root / "downloaded" / SLUG / "archive").iterdir())) == 2


def test_moodle_naming_and_a_custom_pattern(tmp_path):
    root = tmp_path / "course"
    nb = notebook_bytes("blank")
    download = write_zip(tmp_path / "moodle.zip", [
        (f"Ada Lovelace_2001_assignsubmission_file_{SLUG}.ipynb", nb, (2026, 11, 30, 9, 0, 0)),
        (f"Ben Ng_2002_assignsubmission_file_/{SLUG}.ipynb", nb, (2026, 11, 30, 9, 0, 0)),
        ("Ben Ng_2002_assignsubmission_onlinetext_onlinetext.html", b"<p>", (2026, 11, 30, 9, 0, 0)),
    ])
    outcome = collect.collect(root, SLUG, download, lms="moodle", log=lambda *_: None)
    assert sorted(outcome.collected) == ["2001", "2002"] and len(outcome.skipped) == 1
    custom = write_zip(tmp_path / "custom.zip", [
        (f"{SLUG}_ann_attempt_2026-11-30-15-00-00_{SLUG}.ipynb", nb, (2020, 1, 1, 0, 0, 0))])
    pattern = r"^.*_(?P<student_id>\w+?)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>.+)$"
    collect.collect(root, SLUG, custom, lms="pattern", pattern=pattern, log=lambda *_: None)
    assert (root / "submitted" / "ann" / SLUG / "timestamp.txt").read_text().startswith("2026-11-30 15:00:00")


def test_an_oversized_or_bad_download_is_refused(tmp_path, monkeypatch):
    root = tmp_path / "course"
    monkeypatch.setattr(collect.intake, "MAX_FILE_BYTES", 2**20)
    big = write_zip(tmp_path / "big.zip", [(f"ada_1001_9001_{SLUG}.ipynb", b"0" * (2**20 + 10), (2026, 11, 30, 9, 0, 0))])
    outcome = collect.collect(root, SLUG, big, log=lambda *_: None)
    assert not outcome.collected and "larger than 1 MiB" in outcome.skipped[0]
    (tmp_path / "not.zip").write_text("no zip")
    with pytest.raises(collect.CollectError, match="not a zip file"):
        collect.collect(root, SLUG, tmp_path / "not.zip", log=lambda *_: None)
    with pytest.raises(collect.CollectError, match="student_id"):
        collect.collect(root, SLUG, big, lms="pattern", pattern=r"(?P<file_id>.*)", log=lambda *_: None)


# Settings, keys, misuse (no grading)


def test_course_settings_are_read_and_checked(tmp_path):
    root = tmp_path / "course"
    course_file(root)
    settings = config.course_settings(root)
    assert settings.due[SLUG] == datetime.datetime(2026, 12, 2)
    assert settings.extension("1005", SLUG) == datetime.timedelta(days=1)
    built = config.nbgrader_config(root)
    assert built.AssignLatePenalties.plugin_class is config.LatePenalty
    assert built.LatePenalty.per_day == 0.1 and built.LatePenalty.cap == 0.5
    assert config.late_fraction(3600, 0.1, 0.5) == 0.1           # a started day counts
    assert config.late_fraction(86400 * 1.5, 0.1, 0.5) == 0.2
    assert config.late_fraction(86400 * 30, 0.1, 0.5) == 0.5     # the cap
    assert config.LatePenalty(per_day=0.1, cap=0.5).late_submission_penalty("x", 8.0, 122400) == pytest.approx(1.6)
    course_file(root, "c.CourseDirectory.root = '/etc'\n")
    assert config.nbgrader_config(root).CourseDirectory.root == str(root)  # the kit owns where data lives
    course_file(root, "c.BackpropLab.due = {'99_nope': '2026-12-01'}\n")
    assert "no such assignment: 99_nope" in fails(["grades", "--course", str(root)])
    course_file(root, f"c.BackpropLab.extensions = {{'x': {{'{SLUG}': 'a while'}}}}\n")
    with pytest.raises(config.CourseError, match="2 days"):
        config.course_settings(root)


def test_the_regrade_key_follows_contents_not_links(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "a.ipynb").write_text("one")
    first = regrade.submission_digest(folder)
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("noise")
    assert regrade.submission_digest(folder) == first
    (folder / "a.ipynb").write_text("two")
    assert regrade.submission_digest(folder) != first
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    (folder / "link").symlink_to(outside)
    linked = regrade.submission_digest(folder)
    outside.write_text("changed")
    assert regrade.submission_digest(folder) == linked  # a link counts by its name, never followed
    assert regrade.key(folder, SLUG, 30, 300, "p") != regrade.key(folder, SLUG, 10, 300, "p")
    assert regrade.key(folder, SLUG, 30, 300, "p") != regrade.key(folder, SLUG, 30, 300, "q")


def test_misused_commands_exit_non_zero_with_a_sentence(tmp_path):
    assert "no course folder" in fails(["autograde", "--course", str(tmp_path / "nope")])
    assert "COURSE= is empty" in fails(["grades", "--course", ""])
    root = tmp_path / "course"
    (root / "submitted" / "ada" / SLUG).mkdir(parents=True)
    assert "nothing graded yet: run make autograde" in fails(["grades", "--course", str(root)])
    assert not (root / "grades.csv").exists() and not (root / "grades-summary.csv").exists()
    assert "nothing graded yet" in fails(["report", "--course", str(root)])
    assert "nothing graded yet" in fails(["feedback", "--course", str(root)])
    assert "no student zed" in fails(["autograde", "--course", str(root), "--student", "zed"])
    assert "no assignment 99_x" in fails(["autograde", "--course", str(root), "--assignment", "99_x"])
    assert "say which assignment" in fails(["collect", "--course", str(root), "--zip", "x.zip"])
    assert "no zip file" in fails(["collect", "--course", str(root), "--zip", str(tmp_path / "x.zip"),
                                   "--assignment", SLUG])
    assert "no submitted/ folder" in fails(["autograde", "--course", str(tmp_path)])


def test_make_passes_the_narrowing_variables():
    out = subprocess.run(["make", "-n", "--no-print-directory", "autograde", "report", "COURSE=/c",
                          f"ASSIGNMENT={SLUG} 02_gender_demo", "STUDENT=ada", "FORCE=1"],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout
    flat = " ".join(out.split())
    assert f'autograde --course "/c" --assignment {SLUG} --assignment 02_gender_demo --student ada --force' in flat
    assert f'report --course "/c" --assignment {SLUG} --assignment 02_gender_demo --student ada' in flat
    out = subprocess.run(["make", "-n", "autograde", "FORCE=0"], cwd=REPO, capture_output=True, text=True).stdout
    assert "--force" not in out


# A term: an LMS download with a resubmission, a late submission, an extension and a misnamed folder


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    root = tmp / "course"
    course_file(root)
    download = write_zip(tmp / "canvas-1.zip", [
        (f"ada_1001_9001_{SLUG}.ipynb", notebook_bytes("cai"), (2026, 11, 30, 9, 0, 0)),        # first try
        (f"ada_1001_9002_{SLUG}-1.ipynb", notebook_bytes("reference"), (2026, 12, 1, 9, 0, 0)),  # resubmitted
        (f"ben_LATE_1002_9003_{SLUG}.ipynb", notebook_bytes("reference"), (2026, 12, 3, 10, 0, 0)),  # 1 d 10 h late
        (f"cai_1003_9004_{SLUG}.ipynb", notebook_bytes("cai"), (2026, 12, 1, 20, 0, 0)),
        (f"eve_LATE_1005_9006_{SLUG}.ipynb", notebook_bytes("reference"), (2026, 12, 2, 12, 0, 0)),  # extension
        ("dan_1004_9005_02_gender_demo.ipynb", notebook_bytes("blank"), (2026, 11, 30, 9, 0, 0)),
    ])
    collected = collect.collect(root, SLUG, download, log=lambda *_: None)
    misnamed = root / "submitted" / "1004" / "01-fc-layer"
    misnamed.mkdir(parents=True)
    (misnamed / f"{SLUG}.ipynb").write_bytes(notebook_bytes("reference"))
    log: list[str] = []
    first = batch.autograde(root, [SLUG], workers=2, cell_timeout=10, log=log.append)
    table = grades.export(root, [SLUG], root / "grades.csv")
    pages = class_report.write(root, [SLUG], log=lambda *_: None)
    return root, tmp, collected, first, log, table, pages


def summary_rows(root: Path) -> dict[str, dict[str, str]]:
    with (root / grades.SUMMARY_NAME).open(encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.mark.slow
def test_the_term_ends_in_correct_grades_with_late_penalties(term):
    root, _, collected, first, log, table, _ = term
    assert sorted(collected.collected) == ["1001", "1002", "1003", "1005"]
    assert any("02_gender_demo" in s for s in collected.skipped)
    text = "\n".join(log)
    assert "submitted/1004/'01-fc-layer': no such assignment; did you mean '01_fc_layer'?" in text
    assert re.search(r"\[1/4\] .* ETA \d\d:\d\d", text) and "[4/4]" in text
    assert {r.student for r in first} == {"1001", "1002", "1003", "1005"}
    rows = summary_rows(root)
    assert float(rows["1001"][SLUG]) == FULL                       # the resubmission was graded
    assert float(rows["1002"][SLUG]) == pytest.approx(FULL * 0.8)  # two started days late: 20 %
    assert float(rows["1005"][SLUG]) == FULL                       # late, but within the extension
    assert 0 < float(rows["1003"][SLUG]) < FULL                    # dw averaged over the batch
    assert rows["1002"][SLUG] == rows["1002"]["total"]
    assert "1004" not in rows
    late = [r for r in table if r["task"] == grades.LATE_TASK]
    assert [(r["student"], r["score"]) for r in late] == [("1002", -1.6)]
    assert "1 day 10 h after the due date" in late[0]["message"]


@pytest.mark.slow
def test_feedback_states_the_late_penalty(term):
    from autograder.feedback import generate

    root = term[0]
    [page] = generate(root, [SLUG], ["1002"], log=lambda *_: None)
    text = page.read_text(encoding="utf-8")
    assert "1 day 10 h after the due date" in text and "late penalty 1.6 point(s)" in text
    assert f"{SLUG}: 6.4 / 8 points" in text


@pytest.mark.slow
def test_the_class_report_has_its_plots(term):
    root, _, _, _, _, _, pages = term
    assert pages == [root / "class-report" / f"{SLUG}.html"]
    page = pages[0].read_text(encoding="utf-8")
    for plot in ("scores", "failures", "statuses", "times"):
        png = root / "class-report" / f"{SLUG}-{plot}.png"
        assert png.read_bytes().startswith(PNG), plot
        assert f'src="{png.name}"' in page
    assert "1 ×" in page and "dw" in page  # cai's mistake, counted once
    assert "<script" not in page


@pytest.mark.slow
def test_a_second_autograde_grades_nothing_and_a_resubmission_only_itself(term):
    root, tmp, _, first, _, _, _ = term
    log: list[str] = []
    again = batch.autograde(root, [SLUG], workers=2, cell_timeout=10, log=log.append)
    assert any(line.startswith("Nothing new to grade: all 4 submission(s)") for line in log), log
    assert not any("Grading" in line for line in log)
    assert sorted((r.student, sum(t.score for t in r.tasks)) for r in again) == \
        sorted((r.student, sum(t.score for t in r.tasks)) for r in first)
    later = write_zip(tmp / "canvas-2.zip", [
        (f"cai_1003_9011_{SLUG}-1.ipynb", notebook_bytes("reference"), (2026, 12, 1, 23, 0, 0))])
    collect.collect(root, SLUG, later, log=lambda *_: None)
    log.clear()
    batch.autograde(root, [SLUG], workers=2, cell_timeout=10, log=log.append)
    graded = [line for line in log if re.search(r"\[\d+/\d+\]", line)]
    assert len(graded) == 1 and "[1/1] 1003" in graded[0], log
    assert any("Skipping 3 submission(s) unchanged" in line for line in log)
    grades.export(root, [SLUG], root / "grades.csv")
    assert float(summary_rows(root)["1003"][SLUG]) == FULL


# The guides: every sh block runs


def sh_blocks(path: Path) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", path.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def run_script(script: str, home: Path, cwd: Path) -> str:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}, "HOME": str(home),
           "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),  # where a hub's per-user settings live
           "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, f"{script}\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"
    return done.stdout


def test_the_guides_have_commands_to_run():
    instructor, student = sh_blocks(REPO / "docs" / "instructor.md"), sh_blocks(REPO / "docs" / "student.md")
    assert len(instructor) >= 7 and len(student) >= 4
    text = "\n".join(instructor)
    for command in ("make collect", "make autograde", "make feedback", "make grades", "make report",
                    "STUDENT=1001 FORCE=1", "nbgrader collect", "make release-feedback"):
        assert command in text, command


@pytest.mark.slow
def test_every_command_of_the_guides_runs(tmp_path):
    home = tmp_path / "home"
    write_zip(home / "Downloads" / "submissions.zip", [
        (f"ada_1001_9001_{SLUG}.ipynb", notebook_bytes("reference"), (2026, 11, 30, 9, 0, 0)),
        (f"cai_LATE_1003_9002_{SLUG}.ipynb", notebook_bytes("cai"), (2026, 12, 2, 9, 0, 0)),
    ])
    out = run_script("\n".join(sh_blocks(REPO / "docs" / "instructor.md")), home, REPO)
    course = home / "course"
    assert "Nothing new to grade" in out
    rows = summary_rows(course)
    assert float(rows["1001"][SLUG]) == FULL and "1003" in rows
    canvas = {r["ID"]: r for r in csv.DictReader((course / "grades-canvas.csv").open(newline=""))}
    assert float(canvas["1001"]["Lab 1 (4711)"]) == FULL and float(canvas[""]["Lab 1 (4711)"]) == FULL
    assert canvas["1003"]["Lab 1 (4711)"] == rows["1003"][SLUG]
    assert (course / "class-report" / f"{SLUG}-scores.png").is_file()
    assert (course / "feedback" / "1001" / SLUG / f"{SLUG}.html").is_file()
    assert (home / "exchange" / "backprop-lab" / "outbound" / SLUG / f"{SLUG}.ipynb").is_file()

    # A student on the hub: the hub's exchange is set for everyone; fetch, run the checks, submit.
    (home / ".jupyter").mkdir(exist_ok=True)
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(home / 'exchange')!r}\n")
    *working, fetching = sh_blocks(REPO / "docs" / "student.md")
    run_script("\n".join(working), home, home)
    ran = nbformat.read(home / SLUG / f"{SLUG}.ipynb", as_version=4)
    assert any(cell.get("outputs") for cell in ran.cells if cell.cell_type == "code")
    # ... the instructor collects it from the exchange, grades it and releases the feedback (the
    # guide's last block) ...
    out = run_script(sh_blocks(REPO / "docs" / "instructor.md")[-1], home, REPO)
    user = next(p.name for p in (course / "submitted").iterdir() if not p.name.isdigit())
    assert (course / "submitted" / user / SLUG / "timestamp.txt").is_file()
    assert (course / "autograded" / user / SLUG / "grading.json").is_file()
    assert re.search(rf"\[1/1\] {re.escape(user)} {SLUG}", out), out
    assert sorted(p.name for p in (course / "feedback" / user / SLUG).iterdir()) == [
        f"{SLUG}.html", "submission_secret.txt", "timestamp.txt"]
    # ... and the student fetches the page.
    out = run_script(fetching, home, home)
    fetched = list((home / SLUG / "feedback").glob(f"*/{SLUG}.html"))
    assert len(fetched) == 1 and "backprop-lab-status" in fetched[0].read_text(), out
