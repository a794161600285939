"""Math on feedback pages, typeset offline: the LaTeX of markdown cells becomes MathML (with the
``latex2mathml`` package, when the page is built), which browsers draw natively. Pages keep their
no-script policy: no MathJax and no CDN are needed to read them.

Markdown is the student's (hostile): a formula becomes MathML only through :func:`to_mathml`, which
bounds its length and the number of formulas per page, keeps only MathML presentation elements and
their layout attributes (nh3), and leaves anything it cannot convert as the LaTeX text it was.
"""
from __future__ import annotations

import html
import re
import secrets

import nh3
from latex2mathml.converter import convert
from nbconvert.filters.markdown_mistune import IPythonRenderer

MAX_FORMULA = 2000         # characters of LaTeX in one formula; longer ones stay text
MAX_FORMULAS = 3000        # formulas typeset per page; the rest stay text

TAGS = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot", "msub", "msup",
        "msubsup", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom",
        "menclose", "merror"}
LAYOUT = {"mathvariant", "displaystyle", "scriptlevel", "stretchy", "fence", "separator", "form", "lspace",
          "rspace", "largeop", "movablelimits", "symmetric", "minsize", "maxsize", "accent", "accentunder",
          "linethickness", "width", "height", "depth", "columnalign", "rowalign", "columnspacing",
          "rowspacing", "columnlines", "rowlines", "frame", "notation", "align", "voffset"}
ATTRIBUTES = {tag: set(LAYOUT) for tag in TAGS}
ATTRIBUTES["math"] |= {"display", "xmlns"}
SAFE_VALUE = re.compile(r"[\w .#%+\-]*\Z")  # names, numbers, lengths and colours; no url(), no quotes


def _value(tag: str, attribute: str, value: str) -> str | None:
    return value if SAFE_VALUE.match(value) else None


def to_mathml(latex: str, display: bool) -> str | None:
    """``latex`` as a sanitised ``<math>`` element, or None when it cannot (or may not) be typeset."""
    if not latex.strip() or len(latex) > MAX_FORMULA:
        return None
    try:
        mathml = convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any LaTeX the converter rejects (or recurses on) stays text
        return None
    return nh3.clean(mathml, tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_value,
                     strip_comments=True) or None


class Formulas:
    """Formulas set aside while markdown is rendered and sanitised, typeset afterwards.

    The renderer leaves a token with a random nonce where each formula was, so text the student
    wrote can never be taken for one; :meth:`typeset` replaces the tokens of sanitised HTML."""

    def __init__(self, budget: list[int]):
        self.nonce = secrets.token_hex(8)
        self.found: list[tuple[str, bool]] = []
        self.budget = budget  # shared by every cell of a page: [formulas left]

    def token(self, latex: str, display: bool) -> str:
        self.found.append((latex, display))
        return f"bplabmath{self.nonce}x{len(self.found) - 1}x"

    def typeset(self, clean: str) -> str:
        def one(match: re.Match) -> str:
            latex, display = self.found[int(match.group(1))]
            mathml = None
            if self.budget[0] > 0:
                self.budget[0] -= 1
                mathml = to_mathml(latex, display)
            return mathml or html.escape(f"$${latex}$$" if display else f"${latex}$", quote=False)
        return re.sub(rf"bplabmath{self.nonce}x(\d+)x", one, clean)


DELIMITERS = re.compile(r"\A\s*(?:\$\$(?P<dollars>.*)\$\$|\\\[(?P<brackets>.*)\\\])\s*\Z", re.DOTALL)


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer with each formula replaced by a :class:`Formulas` token."""

    def __init__(self, formulas: Formulas, **kwargs):
        super().__init__(**kwargs)
        self.formulas = formulas

    def block_math(self, body: str) -> str:
        return self.formulas.token(body, display=True)

    def inline_math(self, body: str) -> str:
        return self.formulas.token(body, display=False)

    def multiline_math(self, text: str) -> str:
        match = DELIMITERS.match(text)
        body = (match.group("dollars") or match.group("brackets") or "") if match else text
        return self.formulas.token(body, display=True)

    def latex_environment(self, name: str, body: str) -> str:
        return self.formulas.token(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)
