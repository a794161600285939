"""What a feedback page may show of a student's notebook: everything the student's kernel or
markdown produced is hostile HTML, cleaned by nh3 (the Rust ``ammonia`` sanitiser) before nbconvert
puts it on the page.

Three pieces, configured into nbgrader's ``generate_feedback`` by :func:`feedback_config`:

* :class:`SanitizeOutputs`, a preprocessor: keeps only inert output types (text, raster images,
  sanitised HTML, markdown), drops scripts, widgets, SVG and every output metadata, resets cell and
  notebook metadata to what the feedback template needs, and re-renders the grader's verdicts
  from ``grading.json`` (so a look-alike printed by the student is only ever student output);
* :class:`SafeFeedbackExporter`: nbconvert's HTML exporter whose markdown (cells, ``text/markdown``
  outputs, gradebook comments) is sanitised after rendering, so raw HTML in markdown cannot style
  or script the page, and whose LaTeX is typeset as MathML by the grader (:mod:`.mathml`);
* :func:`finish_page`: the page's own scripts (nbconvert's MathJax loader, not needed) go, a
  Content-Security-Policy that allows no script and no network comes first in ``<head>``, the
  grader's CSS comes last, and the banner opens the body. :func:`audit` then checks the result.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import nh3
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import MarkdownWithMath
from nbconvert.preprocessors import Preprocessor

from . import mathml

try:
    from jinja2 import pass_context
except ImportError:  # pragma: no cover - old jinja2
    from jinja2 import contextfilter as pass_context

MESSAGE_LIMIT = 500       # characters of one student-derived message on a page or in a CSV
PROBLEMS_PER_CASE = 20    # a verdict lists at most this many problems per hidden case

CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
       "base-uri 'none'; form-action 'none'")
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

VERDICT_CLASS = "backprop-lab-verdict"
STATUS_CLASS = "backprop-lab-status"
STUDENT_CLASS = "backprop-lab-student"
STYLE = f"""<style>
.{STATUS_CLASS} {{ display: block !important; visibility: visible !important; position: static !important;
  border: 3px solid #1a5276; background: #eaf2f8; color: #000; padding: 1em; margin: 1em 0 2em 0; }}
.{STATUS_CLASS} table {{ border-collapse: collapse; margin-top: .5em; }}
.{STATUS_CLASS} th, .{STATUS_CLASS} td {{ border: 1px solid #7f8c8d; padding: .3em .7em; text-align: left;
  vertical-align: top; }}
.{STATUS_CLASS} th {{ background: #d4e6f1; }}
.{STATUS_CLASS} .backprop-lab-sep {{ display: none; }}
.{VERDICT_CLASS} {{ display: block !important; visibility: visible !important; border-left: 5px solid #1a5276;
  background: #eaf2f8; color: #000; padding: .5em 1em; margin: .5em 0; }}
.{STUDENT_CLASS} {{ border-left: 3px dashed #b9770e; padding-left: .7em; overflow: auto; max-height: 60em; }}
.{STUDENT_CLASS}::before {{ content: "Output of your code"; display: block; font-size: 80%; color: #7e5109; }}
</style>"""

# Tags a student's HTML may keep (nh3's defaults minus image maps); every attribute not listed by
# nh3's defaults goes (class, id, style, on*...), and with them any way to reach the page's CSS.
TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"}
ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag in TAGS}
DROP_WITH_CONTENT = {"script", "style", "svg", "math", "iframe", "object", "embed", "template", "noscript",
                     "textarea", "select", "title", "head", "xmp", "noembed", "noframes", "frameset"}
RASTER = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*\Z")
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*\Z")
SAFE_MIMETYPES = ("text/html", "text/markdown", "image/png", "image/jpeg", "text/plain")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "src":  # images only inline and raster (CSP allows nothing else either)
        return value if RASTER.match(value) else None
    if attribute == "href" and value.strip().lower().startswith("data:"):
        return None
    return value


def clean_html(fragment: str) -> str:
    """A student's HTML fragment, made inert and balanced (it cannot close the page's elements)."""
    if not isinstance(fragment, str):
        fragment = str(fragment)
    return nh3.clean(fragment, tags=TAGS, clean_content_tags=DROP_WITH_CONTENT, attributes=ATTRIBUTES,
                     attribute_filter=_attribute_filter, url_schemes={"http", "https", "mailto", "data"},
                     url_relative="deny", strip_comments=True)


def student_html(fragment: str) -> str:
    """Sanitised student HTML inside a frame that says whose output it is."""
    return f"<div class='{STUDENT_CLASS}'>{clean_html(fragment)}</div>"


def cut(text: object, limit: int = MESSAGE_LIMIT) -> str:
    """A student-derived string, bounded (a cut ends in "…")."""
    text = text if isinstance(text, str) else str(text)
    return text if len(text) <= limit else text[:limit] + "\u2026"


class SafeFeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter; all markdown it renders is sanitised, its math is typeset as
    MathML (:mod:`.mathml`), and it embeds no file."""

    def from_notebook_node(self, nb, resources=None, **kw):
        self._formula_budget = [mathml.MAX_FORMULAS]
        return super().from_notebook_node(nb, resources, **kw)

    @pass_context
    def markdown2html(self, context, source):
        formulas = mathml.Formulas(getattr(self, "_formula_budget", [mathml.MAX_FORMULAS]))
        renderer = mathml.MathMLRenderer(formulas, escape=False, embed_images=False,
                                         exclude_anchor_links=self.exclude_anchor_links,
                                         anchor_link_text=self.anchor_link_text, **self.lexer_options)
        return formulas.typeset(clean_html(MarkdownWithMath(renderer=renderer).render(source)))


def _text(value) -> str:
    if isinstance(value, list):
        value = "".join(str(v) for v in value)
    return value if isinstance(value, str) else str(value)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


GRADE_ID = re.compile(r"[A-Za-z0-9_\-]{1,100}\Z")


def _nbgrader_metadata(meta) -> dict:
    """The cell's nbgrader metadata with only the keys the feedback template reads, well typed."""
    if not isinstance(meta, dict) or not isinstance(meta.get("grade_id"), str) \
            or not GRADE_ID.match(meta["grade_id"]):
        return {}
    clean = {"grade_id": meta["grade_id"]}
    for key in ("grade", "solution", "task", "locked"):
        clean[key] = meta.get(key) is True
    for key in ("points", "score"):
        if _number(meta.get(key)) is not None:
            clean[key] = _number(meta.get(key))
    if isinstance(meta.get("comment"), str):
        clean["comment"] = cut(meta["comment"], 4 * MESSAGE_LIMIT)
    if "schema_version" in meta and isinstance(meta["schema_version"], int):
        clean["schema_version"] = meta["schema_version"]
    return clean


def _output(output, slug: str | None) -> dict | None:
    """One output as it may appear on the page, or None to drop it."""
    from nbformat import NotebookNode

    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return NotebookNode(output_type="stream", name=name, text=_text(output.get("text", "")))
    if kind == "error":
        trace = output.get("traceback")
        trace = [_text(line) for line in trace] if isinstance(trace, list) else [_text(trace or "")]
        return NotebookNode(output_type="error", ename=_text(output.get("ename", "")),
                            evalue=_text(output.get("evalue", "")), traceback=trace)
    if kind not in ("display_data", "execute_result"):
        return None
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    kept = {}
    for mimetype in SAFE_MIMETYPES:
        if mimetype not in data:
            continue
        value = _text(data[mimetype])
        if mimetype == "text/html":
            value = student_html(value)
        elif mimetype.startswith("image/"):
            if not BASE64.match(value):
                continue
        kept[mimetype] = value
    dropped = sorted(set(data) - set(kept))
    if not kept:
        if not dropped:
            return None
        kept["text/plain"] = (f"[output of type {cut(', '.join(dropped), 200)} is not shown in feedback: "
                              f"scripts, widgets and SVG are left out]")
    clean = NotebookNode(output_type=kind, data=kept, metadata={})
    if kind == "execute_result":
        count = output.get("execution_count")
        clean["execution_count"] = count if isinstance(count, int) and not isinstance(count, bool) else None
    return clean


class SanitizeOutputs(Preprocessor):
    """Makes a graded notebook fit for a feedback page (runs after nbgrader's GetGrades)."""

    enabled = True

    def preprocess(self, nb, resources):
        from nbformat import NotebookNode

        from .hygiene import scrub
        from .pipeline import render_task
        from .report import SubmissionReport

        folder = Path(resources.get("metadata", {}).get("path") or ".")
        slug = (resources.get("nbgrader") or {}).get("assignment")
        try:
            report = SubmissionReport.read(folder)
        except Exception:
            report = None
        tasks = {f"test_{t.task}": t for t in report.tasks} if report else {}
        nb.metadata = NotebookNode(language_info=NotebookNode(name="python", pygments_lexer="ipython3"))
        cells = []
        for cell in nb.cells:
            meta = _nbgrader_metadata(cell.get("metadata", {}).get("nbgrader"))
            source = _text(cell.get("source", ""))
            if cell.get("cell_type") == "markdown":
                attachments = cell.get("attachments") if isinstance(cell.get("attachments"), dict) else {}
                kept = {name: {m: _text(v) for m, v in bundle.items() if m in ("image/png", "image/jpeg")
                               and BASE64.match(_text(v))}
                        for name, bundle in attachments.items() if isinstance(bundle, dict)}
                new = NotebookNode(cell_type="markdown", source=source, metadata=NotebookNode())
                if kept:
                    new["attachments"] = kept
            elif cell.get("cell_type") == "code":
                outputs = [o for o in (_output(o, slug) for o in cell.get("outputs", []) if isinstance(o, dict))
                           if o is not None]
                task = tasks.get(meta.get("grade_id"))
                if task is not None:
                    # ShowVerdicts appended the grader's verdict last: render it again from the report,
                    # bounded and scrubbed, in place of whatever the notebook holds there.
                    raw = cell.get("outputs", [])
                    if raw and VERDICT_CLASS in _text((raw[-1].get("data") or {}).get("text/html", "")):
                        outputs = outputs[:-1]
                    text, markup = render_task(bounded_task(task, slug))
                    outputs.append(NotebookNode(output_type="display_data", metadata={},
                                                data={"text/plain": text, "text/html": markup}))
                count = cell.get("execution_count")
                new = NotebookNode(cell_type="code", source=source, outputs=outputs, metadata=NotebookNode(),
                                   execution_count=count if isinstance(count, int) else None)
            else:  # raw and unknown cells: shown as text
                new = NotebookNode(cell_type="markdown", metadata=NotebookNode(),
                                   source="<pre>" + html.escape(source) + "</pre>")
            if meta.get("comment") and slug:  # the gradebook's comment quotes the grader's message
                meta["comment"] = scrub(meta["comment"], slug, limit=None)
            if meta:
                new.metadata["nbgrader"] = NotebookNode(meta)
            if "id" in cell and isinstance(cell["id"], str) and GRADE_ID.match(cell["id"]):
                new["id"] = cell["id"]
            cells.append(new)
        nb.cells = cells
        return nb, resources


def bounded_task(task, slug: str | None):
    """A copy of a report's task whose student-derived strings are cut and scrubbed of hidden numbers."""
    from dataclasses import replace

    from .hygiene import scrub

    def clean(text):
        text = cut(text)
        return scrub(text, slug) if slug else text

    cases = [replace(c, name=clean(c.name), problems=[clean(p) for p in list(c.problems)[:PROBLEMS_PER_CASE]]
                     + ([f"… and {len(c.problems) - PROBLEMS_PER_CASE} more"]
                        if len(c.problems) > PROBLEMS_PER_CASE else []))
             for c in task.cases]
    return replace(task, task=clean(task.task), message=clean(task.message), hint=clean(task.hint), cases=cases)


def feedback_config(config):
    """``config`` (a traitlets Config) extended so nbgrader's generate_feedback sanitises."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades
    from traitlets.config import Config

    c = Config()
    c.merge(config)
    c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, SanitizeOutputs]
    c.GenerateFeedback.exporter_class = SafeFeedbackExporter
    c.HTMLExporter.embed_images = False
    c.HTMLExporter.exclude_anchor_links = True
    # nbgrader copies every other file of autograded/<student>/<slug>/ next to the page (following
    # links): copy none.
    c.CourseDirectory.ignore = ["*", ".*"]
    return c


SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def finish_page(page: str, banner: str) -> str:
    """nbconvert's page made safe: the CSP first in <head>, no script in the head (nbconvert's
    MathJax loader; the CSP would block it anyway), our CSS last in the head, the banner first in
    the body. Student content (all in the body, already sanitised) is not touched here."""
    end = HEAD_END.search(page)
    if end is None or not HEAD.search(page, 0, end.start()) or not BODY.search(page, end.end()):
        raise ValueError("nbconvert's page has no <head> and <body>")
    head = HEAD.sub(lambda m: m.group(0) + CSP_META, SCRIPT.sub("", page[:end.start()]), count=1)
    body = BODY.sub(lambda m: m.group(0) + banner, page[end.start():], count=1)
    return head + STYLE + body


def status_page(title: str, banner: str) -> str:
    return (f"<!DOCTYPE html><html><head>{CSP_META}<meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"{STYLE}</head><body>{banner}</body></html>")


FORBIDDEN = {"script", "iframe", "object", "embed", "svg", "link", "base", "form", "frame", "frameset",
             "applet", "meta", "template", "portal"}


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.styles = 0
        self.csp = False
        self.in_body = False
        self.first = None  # the body's first element's class

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.in_body = True
            return
        if self.in_body and self.first is None:
            self.first = attrs.get("class") or tag
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = self.csp or attrs.get("content") == CSP
            return
        if tag == "style":
            self.styles += 1
            if self.in_body:
                self.problems.append("a <style> in the body")
        elif tag in FORBIDDEN and not (tag == "meta" and not self.in_body):
            self.problems.append(f"a <{tag}> element")
        elif tag in mathml.TAGS and set(attrs) - mathml.ATTRIBUTES[tag]:
            self.problems.append(f"an attribute the typeset math never has on <{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"an event handler attribute {name!r} on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value and \
                    re.sub(r"\s", "", value).lower().startswith(("javascript:", "vbscript:")):
                self.problems.append(f"a script URL in {name!r} of <{tag}>")


def audit(page: str) -> list[str]:
    """What is wrong with a finished page (empty when it is fit for a student)."""
    parser = _Audit()
    parser.feed(page)
    parser.close()
    problems = list(dict.fromkeys(parser.problems))
    if not parser.csp:
        problems.append("no Content-Security-Policy")
    if parser.first != STATUS_CLASS:
        problems.append("the grader's banner is not the first thing on the page")
    return problems
