"""The safety rules: no field of a document, of any format, holds anything a
reader would run, and every link is http or https.

Fields are of three kinds (the README's Validation section says which is which):

- **escaped HTML**: text a reader parses as HTML. RSS ``title`` and
  ``description`` (channel, item, image, textInput), an item's ``source``,
  ``content:encoded``, ``dc:title`` and ``dc:description``; in every format, an
  element whose ``type`` says ``html`` or ``text/html`` (Atom text constructs,
  Media RSS) or whose ``contenttype`` says ``text/html`` (NewsML-G2
  ``inlineData``). Judged by :func:`syndication.validate.active.html_findings`.
- **markup**: the outermost elements in the XHTML, SVG or MathML namespace
  wherever they are (Atom ``xhtml``, NewsML-G2 ``inlineXML``, an ``xhtml:body``
  extension), and the element children of a field typed ``xhtml`` or an XML
  media type (``inlineXML``), whatever their namespace. Judged by
  :func:`syndication.validate.active.markup_findings`.
- **links**: channel, feed, item, image and enclosure links, ``atom:link``
  hrefs, Media RSS urls, NewsML-G2 hrefs and ``xml:base``: a scheme, when one is
  given, is http or https. A relative reference is allowed there (it resolves
  against an http(s) base), except in the links a reader follows to the feed
  and its stories: the feed's, every item's and the self link (RSS channel and
  item ``link`` and ``atom:link``, Atom feed and entry ``link``) are absolute
  http(s) URLs with a host (rule ``absolute-link``), as the W3C Feed Validation
  Service requires, so ``<link>not a url</link>`` is refused. RFC 5005's
  ``current``, ``prev-archive`` and ``next-archive`` links may be relative:
  the archive rules (:mod:`syndication.validate.history`) check where ours
  lead. Our renderers write absolute http(s) links otherwise.

Everything else is plain text by its specification (Atom ``type="text"``,
``dc:creator``, ``media:credit``, NewsML-G2 ``headline``…) and is not read as
HTML: a headline about a ``<script>`` tag is words there.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from lxml import etree

from syndication.validate import active
from syndication.validate.report import Problem, source_line

NAMESPACES = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
    "atom": "http://www.w3.org/2005/Atom",
    "at": "http://purl.org/atompub/tombstones/1.0",
    "g": "http://iptc.org/std/nar/2006-10-01/",
}
_FOREIGN = tuple(f"{{{uri}}}" for uri in (active.XHTML, active.SVG, active.MATHML))
# Attributes that say what a field holds (Atom and Media RSS type, NewsML-G2
# contenttype); on a link (href, url, src) they describe what it points at.
_TYPES = etree.XPath("//@type | //@contenttype")
_LINK_ATTRIBUTES = ("href", "url", "src")
_RSS_HTML = (
    "/rss/channel/title | /rss/channel/description"
    " | /rss/channel/image/title | /rss/channel/image/description"
    " | /rss/channel/textInput/title | /rss/channel/textInput/description"
    " | /rss/channel/item/title | /rss/channel/item/description"
    " | /rss/channel/item/source | //content:encoded | //dc:title | //dc:description"
)
_LINKS = {
    "rss": (
        "/rss/channel/link | /rss/channel/item/link | /rss/channel/image/url"
        " | /rss/channel/image/link | /rss/channel/textInput/link"
        " | /rss/channel/item/comments | /rss/channel/item/guid[@isPermaLink = 'true']"
        " | /rss/channel/item/enclosure/@url | /rss/channel/item/source/@url"
        " | //atom:link/@href | //media:*/@url | //@xml:base"
    ),
    "atom": (
        "//atom:link/@href | //atom:content/@src | //atom:icon | //atom:logo"
        " | //atom:uri | //atom:generator/@uri | //media:*/@url | //@xml:base"
    ),
    "newsml": "//g:*/@href | //@xml:base",
}
# The links a reader follows to the feed and its stories (and the self link it
# refreshes the feed from): absolute http(s) URLs only.
# RFC 5005's links between a feed and its archives may be relative (they are
# ours when the feed's public address is unknown); the archive rules check
# where they lead (syndication/validate/history.py).
_HISTORY = "[not(@rel = 'current' or @rel = 'prev-archive' or @rel = 'next-archive')]"
_READER_LINKS = {
    "rss": (
        "/rss/channel/link | /rss/channel/item/link"
        f" | /rss/channel/atom:link{_HISTORY}/@href"
        " | /rss/channel/item/atom:link/@href"
    ),
    "atom": (
        f"/atom:feed/atom:link{_HISTORY}/@href"
        " | /atom:feed/atom:entry/atom:link/@href"
        " | /atom:entry/atom:link/@href"
    ),
}
ABSOLUTE = "absolute-link"
_RSS_FIELDS = etree.XPath(_RSS_HTML, namespaces=NAMESPACES)
_LINK_FIELDS = {
    fmt: etree.XPath(path, namespaces=NAMESPACES) for fmt, path in _LINKS.items()
}
_READER_LINK_FIELDS = {
    fmt: etree.XPath(path, namespaces=NAMESPACES) for fmt, path in _READER_LINKS.items()
}


def safety_problems(root: etree._Element, fmt: str, name: str) -> list[Problem]:
    """Every field of the document ``root`` (of format ``fmt``) that holds
    active content or a link of another scheme, as problems named ``name``."""
    problems: list[Problem] = []
    html_fields, markup = _typed_fields(root)
    if fmt == "rss":
        html_fields = {**dict.fromkeys(_elements(_RSS_FIELDS(root))), **html_fields}
    for element in html_fields:
        text = (element.text or "") if not len(element) else _text(element)
        for rule, what in active.html_findings(text):
            message = f"The {_label(element)} contains {what}."
            problems.append(Problem(name, source_line(element), rule, message))
    markup.update(dict.fromkeys(_foreign_roots(root)))
    for element in markup:
        for rule, what in active.markup_findings(element):
            message = f"The {_label(element)} markup contains {what}."
            problems.append(Problem(name, source_line(element), rule, message))
    for element, label, value in _link_values(_LINK_FIELDS[fmt](root)):
        scheme = link_scheme(value)
        if scheme:
            message = f"The {label} is a {scheme}: URL; links must be http or https."
            problems.append(Problem(name, source_line(element), active.SCHEME, message))
    if fmt in _READER_LINK_FIELDS:
        problems += _relative_links(root, fmt, name)
    return problems


def is_absolute_web_url(value: str) -> bool:
    """Whether ``value`` (surrounding whitespace aside) is an absolute http or
    https URL with a host (characters a browser percent-encodes are its own
    business; see :func:`link_scheme` for what it would run)."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # an invalid IPv6 host, a bad port
        return False
    return parts.scheme.lower() in active.WEB_SCHEMES and bool(parts.hostname)


def _relative_links(root: etree._Element, fmt: str, name: str) -> list[Problem]:
    """Feed, item and self links that are not absolute http(s) URLs (one of
    another scheme is already a ``url-scheme`` problem)."""
    problems = []
    for element, label, value in _link_values(_READER_LINK_FIELDS[fmt](root)):
        if is_absolute_web_url(value) or link_scheme(value):
            continue
        shown = " ".join(value.split())
        message = (
            f'The {label} "{shown}" is not an absolute http(s) URL; feed, item '
            "and self links must be."
        )
        problems.append(Problem(name, source_line(element), ABSOLUTE, message))
    return problems


def link_scheme(value: str) -> str:
    """The scheme of a link that is neither http(s) nor relative, else ''. A
    reader that writes the link into an HTML attribute unescaped has its
    character references decoded (``java&#x09;script:``), so both readings
    count."""
    for reading in (value, html.unescape(value)):
        scheme = active.url_scheme(reading)
        if scheme and scheme not in active.WEB_SCHEMES:
            return scheme
    return ""


def _typed_fields(
    root: etree._Element,
) -> tuple[dict[etree._Element, None], dict[etree._Element, None]]:
    """Fields whose type says ``html`` (or ``text/html``): escaped HTML; the
    element children of a field typed ``xhtml`` or an XML media type (Atom
    content, NewsML-G2 ``inlineXML``): markup. Ordered sets, in document
    order."""
    html_fields: dict[etree._Element, None] = {}
    markup: dict[etree._Element, None] = {}
    found = _TYPES(root)
    for attribute in found if isinstance(found, list) else ():
        element = attribute.getparent()  # type: ignore[union-attr]
        if element is None or any(element.get(a) for a in _LINK_ATTRIBUTES):
            continue
        kind = str(attribute).split(";")[0].strip().lower()
        if kind in ("html", "text/html"):
            html_fields[element] = None
        elif kind == "xhtml" or kind.endswith("xml"):
            markup.update(
                (child, None) for child in element if isinstance(child.tag, str)
            )
    return html_fields, markup


def _foreign_roots(root: etree._Element) -> list[etree._Element]:
    """The outermost elements in the XHTML, SVG or MathML namespace, wherever
    they are (an ``xhtml:body`` extension in RSS, say)."""
    found = []
    for element in root.iter(*(f"{namespace}*" for namespace in _FOREIGN)):
        parent = element.getparent()
        if parent is None or not str(parent.tag).startswith(_FOREIGN):
            found.append(element)
    return found


def _text(element: etree._Element) -> str:
    return "".join(str(t) for t in element.itertext())


def _elements(found: object) -> list[etree._Element]:
    if not isinstance(found, list):
        return []
    return [node for node in found if isinstance(node, etree._Element)]


def _link_values(found: object) -> list[tuple[etree._Element, str, str]]:
    """(element, label, value) of each link an XPath found: an element's text
    or an attribute's value."""
    values: list[tuple[etree._Element, str, str]] = []
    for node in found if isinstance(found, list) else ():
        if isinstance(node, etree._Element):
            values.append((node, _label(node), _text(node)))
        elif isinstance(node, str) and getattr(node, "is_attribute", False):
            parent = node.getparent()  # type: ignore[attr-defined]
            attribute = _qualified(parent, str(node.attrname))  # type: ignore[attr-defined]
            values.append((parent, f"{_label(parent)} {attribute}", str(node)))
    return values


def _label(element: etree._Element) -> str:
    """The element's name as the document writes it (``content:encoded``)."""
    return _qualified(element, str(element.tag))


def _qualified(element: etree._Element, name: str) -> str:
    namespace, _, local = name.rpartition("}")
    if not namespace:
        return local
    if namespace == "{http://www.w3.org/XML/1998/namespace":
        return f"xml:{local}"
    prefixes = {uri: prefix for prefix, uri in element.nsmap.items() if prefix}
    prefix = prefixes.get(namespace[1:])
    return f"{prefix}:{local}" if prefix else local
