"""Feedback pages opened in a real headless browser (Debian's chromium, installed by .ci/run): they
render, the grader's table is there and visible, student scripts do not run, student CSS does not
hide the verdicts, and no hidden value reaches the DOM."""
import html
import re
import shutil
import subprocess

import nbformat
import numpy as np
import pytest

from autograder import batch, feedback, hygiene, submissions
from autograder.catalogue import tasks

pytestmark = pytest.mark.slow
SLUG = "01_fc_layer"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = """
from IPython.display import display, HTML
display(HTML("<style>body, .backprop-lab-status, .backprop-lab-verdict {display:none !important}</style>"))
display(HTML("<script>document.body.innerHTML = 'PW' + 'NED'</script><img src=x onerror=\\"document.title='PW' + 'NED'\\">"))
display(HTML("<div class='backprop-lab-status'><h2>01_fc_layer: 8 / 8 points</h2></div>"))
"""


def browse(page, tmp_path, *extra):
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra, page.as_uri()],
                            capture_output=True, text=True, timeout=120)
    return result.stdout


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    if CHROMIUM is None:
        pytest.fail("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    root = tmp_path_factory.mktemp("browser")
    wrong_db = submissions.with_answers(submissions.reference_notebook(SLUG), {"fc_backward": (
        "def fc_backward(dout, cache):\n    x, w, b = cache\n"
        "    return dout.dot(w.T), x.T.dot(dout), dout.mean(axis=0)")})
    hostile = submissions.reference_notebook(SLUG)
    hostile.cells.append(nbformat.v4.new_code_cell(HOSTILE))
    for student, notebook in {"control": submissions.reference_notebook(SLUG), "averager": wrong_db,
                              "hostile": hostile}.items():
        submissions.write(notebook, root, student, SLUG)
    batch.autograde(root, [SLUG], workers=2, cell_timeout=10, log=lambda *_: None)
    feedback.generate(root, [SLUG], log=lambda *_: None)
    return {student: root / "feedback" / student / SLUG / f"{SLUG}.html" for student in ("control", "averager", "hostile")}


@pytest.mark.parametrize("student", ["control", "averager", "hostile"])
def test_the_page_renders_with_the_graders_table_and_no_hidden_value(pages, tmp_path, student):
    dom = browse(pages[student], tmp_path, "--dump-dom")
    assert "backprop-lab-status" in dom and "PWNED" not in dom
    text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
    for task in tasks(SLUG):
        assert task.name in text
    numbers = hygiene._numbers(text)  # the student's own cells may print what a public example computes
    assert not hygiene._close(numbers, hygiene.hidden_input_values(SLUG), presorted=True).any()


def test_the_named_mistake_is_on_the_page(pages, tmp_path):
    text = html.unescape(re.sub(r"<[^>]+>", " ", browse(pages["averager"], tmp_path, "--dump-dom")))
    assert "`db` is exactly 1/N of the expected values" in text


def test_student_css_cannot_hide_the_banner(pages, tmp_path):
    from matplotlib.image import imread

    shot = tmp_path / "shot.png"
    browse(pages["hostile"], tmp_path, f"--screenshot={shot}", "--window-size=1000,600")
    pixels = imread(shot)[:, :, :3]
    dark = (pixels.mean(axis=2) < 0.5).mean()  # share of dark (text, border) pixels above the fold
    assert dark > 0.002, "the top of the page is blank: the banner was hidden"
    assert np.isfinite(dark)


def test_the_course_notes_math_is_typeset_offline(pages, tmp_path):
    """The notebook's LaTeX reaches the browser as MathML the page itself carries (no script, no CDN),
    and no formula is left as raw LaTeX outside code."""
    dom = browse(pages["control"], tmp_path, "--dump-dom")
    assert dom.count("<math") >= 20
    prose = re.sub(r"<(code|pre)\b.*?</\1>", " ", dom, flags=re.DOTALL)
    text = html.unescape(re.sub(r"<[^>]+>", " ", prose))
    assert not re.search(r"\$[^$\n]{0,80}\\(frac|partial|delta|sum)", text), "raw LaTeX left on the page"
    assert "<script" not in dom
