"""The gate's rules for the browser face of RSS and Atom (see
:mod:`syndication.render.stylesheet`).

- **The stylesheet** (``feed.xsl``): an XSLT 1.0 stylesheet that compiles with
  every file and network access denied (``xsl-compiles``), that never turns
  escaping off (``xsl-escaping``: no ``disable-output-escaping="yes"``, the
  one way XSLT writes text as markup) and that loads nothing (``xsl-self-
  contained``: no ``xsl:import``, ``xsl:include``, ``document()`` or
  extension element, so the page is this file's work alone).
- **The instruction** in a feed (``stylesheet-link``): an ``xml-stylesheet``
  href is a relative reference or an http(s) URL, as any link is
  (``url-scheme`` for another scheme); ours is relative, so it works under any
  base URL.
- **The page**: a feed whose instruction names ``feed.xsl`` (as ours do) is
  transformed with the shipped stylesheet, as a browser would, and the page's
  body, the tree a browser builds its page from, is judged by the rules
  applied to any markup (``no-script``, ``no-event-handler``,
  ``no-active-element``, ``url-scheme``; see
  :mod:`syndication.validate.active`), so no story can make the page run
  anything. The head is the stylesheet's own (libxslt adds a ``meta
  http-equiv`` charset declaration to it; its title is text).
"""

from __future__ import annotations

import functools
import threading

from lxml import etree

from syndication.render.stylesheet import FILE_NAME, stylesheet_bytes
from syndication.validate import active
from syndication.validate.report import GateReport, Problem, source_line
from syndication.validate.safety import link_scheme

XSL = "http://www.w3.org/1999/XSL/Transform"
COMPILES = "xsl-compiles"
ESCAPING = "xsl-escaping"
SELF_CONTAINED = "xsl-self-contained"
LINK = "stylesheet-link"
PAGE = "browser-page"
# XSLT instructions that bring in another file or write one.
_LOADING = ("import", "include", "result-document")
_TARGET = "xml-stylesheet"
# No file or network access at all; lxml-stubs 0.5 know neither DENY_ALL nor
# the constructor's keywords.
_DENY_ALL: etree.XSLTAccessControl = getattr(etree.XSLTAccessControl, "DENY_ALL")  # noqa: B009


def is_stylesheet(root: etree._Element) -> bool:
    return root.tag in (f"{{{XSL}}}stylesheet", f"{{{XSL}}}transform")


def check_stylesheet(tree: etree._ElementTree, name: str) -> GateReport:
    """Every problem of an XSLT stylesheet meant for browsers (parsed safely by
    the caller)."""
    root = tree.getroot()
    if not is_stylesheet(root):
        problem = Problem(name, source_line(root), "format", "not an XSLT stylesheet")
        return GateReport((problem,), 1)
    problems: list[Problem] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, _, local = element.tag[1:].rpartition("}")
        if element.get("disable-output-escaping", "no").strip() == "yes":
            problems.append(
                Problem(
                    name,
                    source_line(element),
                    ESCAPING,
                    f"xsl:{local} turns output escaping off: text from a feed "
                    "would become markup",
                )
            )
        if namespace == XSL and local in _LOADING:
            problems.append(
                Problem(
                    name,
                    source_line(element),
                    SELF_CONTAINED,
                    f"xsl:{local} loads or writes another file",
                )
            )
        elif namespace not in (XSL, "") and _is_extension(element):
            problems.append(
                Problem(
                    name,
                    source_line(element),
                    SELF_CONTAINED,
                    f"extension element {element.tag} (only XSLT 1.0 is allowed)",
                )
            )
        for attribute, value in element.items():
            if "document(" in "".join(str(value).split()):
                problems.append(
                    Problem(
                        name,
                        source_line(element),
                        SELF_CONTAINED,
                        f"{attribute!s} calls document(), which loads another file",
                    )
                )
    try:
        etree.XSLT(tree, access_control=_DENY_ALL)
    except etree.XSLTParseError as exc:
        problems.append(Problem(name, None, COMPILES, f"does not compile: {exc}"))
    return GateReport(tuple(problems), 1)


def _is_extension(element: etree._Element) -> bool:
    """Whether ``element`` is in a namespace the stylesheet declares as an
    extension (``extension-element-prefixes``): literal result elements in
    other namespaces are plain output."""
    root = element.getroottree().getroot()
    prefixes = (root.get("extension-element-prefixes") or "").split()
    uris = {root.nsmap.get(None if p == "#default" else p) for p in prefixes}
    return element.tag[1:].rpartition("}")[0] in uris


def instruction_problems(
    tree: etree._ElementTree, fmt: str, name: str
) -> list[Problem]:
    """The ``xml-stylesheet`` instructions before the root of a feed: their
    links, and the page ours makes of the feed."""
    problems: list[Problem] = []
    node = tree.getroot().getprevious()
    instructions = []
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == _TARGET:
            instructions.append(node)
        node = node.getprevious()
    for instruction in reversed(instructions):
        href = (instruction.get("href") or "").strip()
        line = source_line(instruction)
        if not href:
            problems.append(
                Problem(name, line, LINK, "the xml-stylesheet instruction has no href")
            )
            continue
        scheme = link_scheme(href)
        if scheme:
            problems.append(
                Problem(
                    name,
                    line,
                    active.SCHEME,
                    f"The xml-stylesheet href is a {scheme}: URL; links must be "
                    "http or https.",
                )
            )
        elif names_ours(href):
            problems += page_problems(tree, name)
    return problems


def names_ours(href: str) -> bool:
    """Whether an ``xml-stylesheet`` href names our stylesheet: beside the
    feed (``feed.xsl``) or, from an archive document, in the feed's folder
    (``../../feed.xsl``); an absolute URL names someone's."""
    return href == FILE_NAME or (
        href.endswith("/" + FILE_NAME) and ":" not in href and not href.startswith("/")
    )


def page_problems(
    tree: etree._ElementTree, name: str, *, transform: etree.XSLT | None = None
) -> list[Problem]:
    """What the page the shipped stylesheet (or ``transform``) makes of
    ``tree`` would run."""
    try:
        page = render_page(tree, transform)
    except etree.XSLTApplyError as exc:
        return [Problem(name, None, PAGE, f"{FILE_NAME} fails on this feed: {exc}")]
    body = page.find("body")
    if body is None:
        return [Problem(name, None, PAGE, f"{FILE_NAME} made a page without a body")]
    # A browser builds its page from the transformation's result tree, not
    # from its serialization, so the tree is what is judged.
    return [
        Problem(name, None, rule, f"The browser page ({FILE_NAME}) contains {what}.")
        for rule, what in active.tree_findings(body)
    ]


def render_page(
    tree: etree._ElementTree, transform: etree.XSLT | None = None
) -> etree._Element:
    """The page (an HTML tree) the shipped stylesheet (or ``transform``) makes
    of a feed. Raises ``etree.XSLTApplyError`` when the transformation fails."""
    shipped, lock = _compiled()
    with lock:
        result = (transform or shipped)(tree)
    root = result.getroot()
    if root is None:
        raise etree.XSLTApplyError(f"{FILE_NAME} made no page")
    return root


@functools.cache
def _compiled() -> tuple[etree.XSLT, threading.Lock]:
    """The shipped stylesheet, compiled once, with every file and network
    access denied (it needs none); the lock keeps one transformation at a time
    (the scheduler renders feeds in threads)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.fromstring(stylesheet_bytes(), parser).getroottree()
    return etree.XSLT(document, access_control=_DENY_ALL), threading.Lock()
