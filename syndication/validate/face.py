"""The gate's rules for a destination's face (see :mod:`syndication.face`).

``index.html`` (format ``html``): it opens with ``<!DOCTYPE html>`` (rule
``html-doctype``: a browser without it renders in quirks mode), the rest is
well-formed XML (``well-formed``; the page is HTML5 that XML can read too)
with an ``html`` root (``format``), and the whole page, read as browsers read HTML, has
no active content and no link of another scheme than http(s) (``no-script``,
``no-event-handler``, ``no-active-element``, ``url-scheme``; see
:mod:`syndication.validate.active`).

``feeds.opml`` (format ``opml``): safely parsed XML (no DOCTYPE), valid against
``schemas/opml.rng`` (``opml-grammar``: OPML 2.0 as we write it), every
``xmlUrl``, ``htmlUrl`` and ``url`` a relative reference or an http(s) URL
(``url-scheme``), and the texts a reader may show as HTML (``text``,
``title``, ``description``) free of active content.
"""

from __future__ import annotations

from pathlib import Path

from syndication.validate import active, schemas
from syndication.validate.checker import parse
from syndication.validate.report import GateReport, Problem, source_line
from syndication.validate.safety import link_scheme

DOCTYPE = b"<!DOCTYPE html>"
HTML_FORMAT = "html"
OPML_FORMAT = "opml"
_OPML_LINKS = ("xmlUrl", "htmlUrl", "url")
_OPML_TEXTS = ("text", "title", "description")


def check_face(body: bytes, name: str, fmt: str, schemas_dir: Path) -> GateReport:
    """Every problem of one face document of format ``fmt`` (``html`` or
    ``opml``). Raises ConfigError when the OPML grammar cannot compile."""
    if fmt == HTML_FORMAT:
        return GateReport(tuple(page_problems(body, name)), 1)
    if fmt == OPML_FORMAT:
        return GateReport(tuple(opml_problems(body, name, schemas_dir)), 1)
    problem = Problem(name, None, "format", f"not a face document: {fmt}")
    return GateReport((problem,), 1)


def page_problems(body: bytes, name: str) -> list[Problem]:
    if not body.startswith(DOCTYPE):
        return [
            Problem(name, 1, "html-doctype", "the page must open with <!DOCTYPE html>")
        ]
    # The line breaks stay, so lines in problems are the file's.
    rest = b" " * len(DOCTYPE) + body[len(DOCTYPE) :]
    tree, problems = parse(rest, name)
    if tree is None:
        return problems
    root = tree.getroot()
    if root.tag != "html":
        return [Problem(name, source_line(root), "format", "not an html page")]
    text = body.decode("utf-8")
    return [
        Problem(name, None, rule, f"The page contains {what}.")
        for rule, what in active.html_findings(text)
    ]


def opml_problems(body: bytes, name: str, schemas_dir: Path) -> list[Problem]:
    tree, problems = parse(body, name)
    if tree is None:
        return problems
    root = tree.getroot()
    if root.tag != "opml":
        return [Problem(name, source_line(root), "format", "not an OPML document")]
    problems = [
        Problem(name, line, "opml-grammar", message)
        for line, message in schemas.grammar(schemas_dir, OPML_FORMAT).errors(tree)
    ]
    for outline in root.iter("outline"):
        line = source_line(outline)
        for attribute in _OPML_LINKS:
            scheme = link_scheme(outline.get(attribute, ""))
            if scheme:
                problems.append(
                    Problem(
                        name,
                        line,
                        active.SCHEME,
                        f"The outline {attribute} is a {scheme}: URL; links must "
                        "be http or https.",
                    )
                )
        for attribute in _OPML_TEXTS:
            for rule, what in active.html_findings(outline.get(attribute, "")):
                problems.append(
                    Problem(
                        name, line, rule, f"The outline {attribute} contains {what}."
                    )
                )
    return problems


def sniff_face(body: bytes) -> str | None:
    """``html`` or ``opml`` for a face document, else None (for ``validate
    FILE``)."""
    if body.startswith(DOCTYPE):
        return HTML_FORMAT
    start = body.lstrip()[:400]
    if start.startswith(b"<?xml"):
        start = start[start.find(b"?>") + 2 :].lstrip()
    return OPML_FORMAT if start.startswith(b"<opml") else None
