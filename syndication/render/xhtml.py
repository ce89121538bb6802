"""A credited HTML body as one XHTML document for NewsML-G2 ``inlineXML``.

The body is HTML (it may hold HTML entities such as ``&nbsp;``, which XML does
not define), so it is read with lxml's HTML parser, network access off, comments
and processing instructions dropped, and every element moved into the XHTML
namespace.
"""

from __future__ import annotations

import logging

from lxml import etree, html

log = logging.getLogger(__name__)

XHTML = "http://www.w3.org/1999/xhtml"
# lxml's key for the default namespace is None; lxml-stubs only allows str keys.
_NSMAP: dict[str, str] = {None: XHTML}  # type: ignore[dict-item]
_PARSER = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)


def xhtml_document(title: str, body_html: str, where: str = "") -> etree._Element:
    """``<html xmlns="http://www.w3.org/1999/xhtml"><head><title/></head>
    <body>…</body></html>`` holding ``body_html``'s content."""
    root = etree.Element(f"{{{XHTML}}}html", nsmap=_NSMAP)
    head = etree.SubElement(root, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}title").text = title
    body = etree.SubElement(root, f"{{{XHTML}}}body")
    if not body_html.strip():
        return root
    container = html.fragment_fromstring(body_html, create_parent="div", parser=_PARSER)
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
