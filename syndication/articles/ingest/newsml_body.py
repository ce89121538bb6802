"""A NewsML-G2 ``contentSet`` → the story's body and pictures.

The first usable rendition is read: XHTML in ``inlineXML`` (its ``<figure>``
pictures become the story's images, as the renderer writes them: ``img`` src
and alt, and a ``figcaption`` of caption and credit spans), an NITF
``body.content`` (its subheads as ``h2``, its media left out), or
``inlineData`` holding HTML (escaped or CDATA) or plain text. The indentation
the renderer's pretty-printing adds inside an XHTML body (libxml2 indents the
children of an element without text) is taken out again, so our own items
come back as the bodies they were made from.
"""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Iterator

from lxml import etree

from syndication.articles.ingest.newsml_xml import children, line_of, text_of
from syndication.articles.model import Image
from syndication.articles.sanitize import strip_control_characters

log = logging.getLogger(__name__)

XHTML = "http://www.w3.org/1999/xhtml"
NITF = "http://iptc.org/std/NITF/2006-10-18/"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def content_body(
    content_set: etree._Element | None, path: str
) -> tuple[str, bool, tuple[Image, ...], int | None]:
    """``(body, is it HTML, images, line)`` from the first usable rendition:
    XHTML or NITF ``inlineXML``, then ``inlineData`` of HTML, then of text."""
    if content_set is None:
        return "", True, (), None
    for inline in children(content_set, "inlineXML"):
        container = _xhtml_body(inline)
        if container is not None:
            images = tuple(_take_figures(container))
            return _html_of(container), True, images, line_of(inline)
        nitf = _nitf_body(inline)
        if nitf is not None:
            return _html_of(nitf), True, (), line_of(inline)
    data = [d for d in children(content_set, "inlineData") if not d.get("encoding")]
    for wanted in (True, False):
        for element in data:
            kind = element.get("contenttype", "text/plain").split(";")[0].strip()
            if (kind.lower() in _HTML_TYPES) == wanted:
                return text_of(element), wanted, (), line_of(element)
    if len(content_set):
        log.warning("%s: no rendition in contentSet ingest can read", path)
    return "", True, (), line_of(content_set)


def _xhtml_body(inline: etree._Element) -> etree._Element | None:
    """The XHTML ``body`` in ``inline``, or ``inline`` itself when it holds
    XHTML elements without one; None when it holds no XHTML."""
    body = inline.find(f".//{{{XHTML}}}body")
    if body is not None:
        return body
    if any(isinstance(e.tag, str) and e.tag.startswith(f"{{{XHTML}}}") for e in inline):
        return inline
    return None


def _nitf_body(inline: etree._Element) -> etree._Element | None:
    """An NITF ``body.content`` (in NITF's namespace or none), its subheads as
    ``h2`` and its media left out."""
    for namespace in (f"{{{NITF}}}", ""):
        found = inline.find(f".//{namespace}body.content")
        if found is None:
            continue
        for media in list(found.iter(f"{namespace}media")):
            _remove(media)
        for subhead in found.iter(f"{namespace}hl2"):
            subhead.tag = "h2"
        return found
    return None


def _take_figures(body: etree._Element) -> Iterator[Image]:
    """Each ``<figure>`` of the body as an image (``img`` src and alt; the
    caption and credit spans of the renderer's ``figcaption``, or its text as
    the caption), the figure taken out of the body."""
    for figure in list(body.iter(f"{{{XHTML}}}figure")):
        img = figure.find(f".//{{{XHTML}}}img")
        caption, credit = "", ""
        figcaption = figure.find(f".//{{{XHTML}}}figcaption")
        if figcaption is not None:
            spans = {s.get("class", ""): text_of(s) for s in figcaption}
            if spans.keys() & {"caption", "image-credit"}:
                caption, credit = (
                    spans.get("caption", ""),
                    spans.get("image-credit", ""),
                )
            else:
                caption = text_of(figcaption)
        _remove(figure)
        if img is not None and img.get("src"):
            yield Image(img.get("src", ""), caption, credit, img.get("alt", ""))


def _html_of(container: etree._Element) -> str:
    """The content of ``container`` as an HTML fragment, without namespaces and
    without the indentation our renderer's pretty-printing added."""
    _unindent(container, sum(1 for _ in container.iterancestors()))
    plain = copy.deepcopy(container)
    for element in plain.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(plain)
    parts = [html.escape(plain.text or "", quote=False)]
    for child in plain:
        if isinstance(child.tag, str):
            parts.append(
                etree.tostring(child, method="html", encoding="unicode", with_tail=True)
            )
        elif child.tail:
            parts.append(html.escape(child.tail, quote=False))
    cleaned, _removed = strip_control_characters("".join(parts))
    return cleaned


def _unindent(element: etree._Element, depth: int) -> None:
    """Remove what pretty-printing adds: libxml2 indents an element's children
    only when it holds no text, each on a new line indented two spaces a
    level, so text of exactly that shape and nothing else is indentation."""
    children = [c for c in element if isinstance(c.tag, str)]
    if children and len(children) == len(element):
        inner, outer = "\n" + "  " * (depth + 1), "\n" + "  " * depth
        tails = [c.tail for c in children]
        if (
            element.text == inner
            and tails[:-1] == [inner] * (len(tails) - 1)
            and (tails[-1] == outer)
        ):
            element.text = None
            for child in children:
                child.tail = None
    for child in children:
        _unindent(child, depth + 1)


def _remove(element: etree._Element) -> None:
    """Take ``element`` out of its parent, keeping the text after it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)
