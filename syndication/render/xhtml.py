"""A credited HTML body as one XHTML document for NewsML-G2 ``inlineXML``.

The body is HTML (it may hold HTML entities such as ``&nbsp;``, which XML does
not define), so it is read with lxml's HTML parser, network access off, comments
and processing instructions dropped, and every element moved into the XHTML
namespace.

The story's images open the body, one ``<figure>`` each: ``<img src alt>`` (the
alt text in HTML's own place for it) and a ``<figcaption>`` holding the caption
(``<span class="caption">``) and the photographer's credit (``<span
class="image-credit">``, not ``credit``: that class is the feed's credit
paragraph). NewsML-G2 gives a linked picture no place for alt text, and the
XHTML body is what every reader of a text item shows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from lxml import etree, html

from syndication.render.media import MediaImage

log = logging.getLogger(__name__)

XHTML = "http://www.w3.org/1999/xhtml"
# lxml's key for the default namespace is None; lxml-stubs only allows str keys.
_NSMAP: dict[str, str] = {None: XHTML}  # type: ignore[dict-item]
_PARSER = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)


def xhtml_document(
    title: str,
    body_html: str,
    where: str = "",
    images: Sequence[MediaImage] = (),
) -> etree._Element:
    """``<html xmlns="http://www.w3.org/1999/xhtml"><head><title/></head>
    <body>…</body></html>`` holding a figure per image, then ``body_html``'s
    content."""
    root = etree.Element(f"{{{XHTML}}}html", nsmap=_NSMAP)
    head = etree.SubElement(root, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}title").text = title
    body = etree.SubElement(root, f"{{{XHTML}}}body")
    figures = [_figure(body, image) for image in images]
    if not body_html.strip():
        return root
    container = html.fragment_fromstring(body_html, create_parent="div", parser=_PARSER)
    if figures:
        figures[-1].tail = container.text
    else:
        body.text = container.text
    for child in container:
        if not isinstance(child.tag, str):  # a comment the parser kept
            continue
        body.append(child)
    for element in body.iterdescendants():
        if isinstance(element.tag, str) and not element.tag.startswith("{"):
            element.tag = f"{{{XHTML}}}{element.tag}"
    etree.cleanup_namespaces(root)
    return root


def _figure(body: etree._Element, image: MediaImage) -> etree._Element:
    figure = etree.SubElement(body, f"{{{XHTML}}}figure")
    etree.SubElement(figure, f"{{{XHTML}}}img", src=image.href, alt=image.alt)
    parts = [
        (name, text)
        for name, text in (("caption", image.caption), ("image-credit", image.credit))
        if text
    ]
    if parts:
        caption = etree.SubElement(figure, f"{{{XHTML}}}figcaption")
        for name, text in parts:
            span = etree.SubElement(caption, f"{{{XHTML}}}span", {"class": name})
            span.text = text
            span.tail = " "
        span.tail = None
    return figure
