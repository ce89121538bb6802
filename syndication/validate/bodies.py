"""The credit-paragraph rule: every body ends with the credit paragraph
(unless the feed opts out), and that paragraph says the credit line.

RSS ``content:encoded`` (else ``description``) and Atom ``content`` of type
``html`` are escaped HTML: they are parsed here with lxml's HTML parser (no
network; HTML has no external entities), which agrees with browsers on the
allow-listed markup a credited body holds. Atom ``xhtml`` content and NewsML-G2
``inlineXML`` are already elements of the document and are walked as they are.
The safety rules (no active content in any field) are in
:mod:`syndication.validate.safety`, which parses HTML as browsers do.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from cachetools import LRUCache, cached
from lxml import etree, html

from syndication.validate.report import Problem, source_line

RSS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
RSS_MEDIA_CREDIT = "{http://search.yahoo.com/mrss/}credit"
ATOM = "{http://www.w3.org/2005/Atom}"
G2 = "{http://iptc.org/std/nar/2006-10-01/}"
XHTML = "{http://www.w3.org/1999/xhtml}"

CREDIT_CLASS = "credit"
# Verdicts on escaped HTML bodies: (SHA-256 of the text, credit line) → the
# credit-paragraph message (None when right).
VERDICT_CACHE_SIZE = 100_000
_VERDICTS: LRUCache[tuple[bytes, str], str | None] = LRUCache(VERDICT_CACHE_SIZE)


@dataclass(frozen=True)
class Field:
    """An item's body: the element holding it (for the line), the element whose
    children are the body's top-level nodes (None when the body is plain text),
    and the escaped HTML as text when it was escaped."""

    element: etree._Element
    root: etree._Element | None
    source: str = ""
    # Escaped HTML is parsed only when its verdict is not known yet (the same
    # body recurs in every feed and format that carries the story).
    escaped: bool = False


@dataclass(frozen=True)
class Entry:
    """An item of any format as the body rules see it."""

    element: etree._Element
    guid: str
    credit_line: str
    body: Field | None
    canceled: bool = False


def entries(root: etree._Element, fmt: str) -> list[Entry]:
    """The items of a sniffed document (RSS items, Atom entries, NewsML-G2
    newsItems)."""
    if fmt == "rss":
        return [_rss_entry(item) for item in root.iterfind("channel/item")]
    if fmt == "atom":
        found = [root] if root.tag == f"{ATOM}entry" else root.findall(f"{ATOM}entry")
        return [_atom_entry(entry) for entry in found]
    return [_g2_entry(item) for item in root.iter(f"{G2}newsItem")]


def body_problems(
    entry: Entry,
    name: str,
    *,
    expected_credit: str | None,
    append_paragraph: bool | None,
) -> list[Problem]:
    """The credit-paragraph problem of one item, if any."""
    problems: list[Problem] = []
    if append_paragraph is not False and entry.body is not None and not entry.canceled:
        credit = " ".join((expected_credit or entry.credit_line).split())
        message = (
            _escaped_paragraph(entry.body.source, credit)
            if entry.body.escaped
            else _paragraph_mismatch(entry.body.root, credit)
        )
        if message:
            problems.append(
                Problem(
                    name, source_line(entry.body.element), "credit-paragraph", message
                )
            )
    return problems


def _paragraph_mismatch(root: etree._Element | None, credit: str) -> str | None:
    if root is None:
        return "The body is plain text, so it cannot end with the credit paragraph."
    last = _last_element(root)
    if last is None or (last.tail and last.tail.strip()):
        return "The body does not end with the credit paragraph."
    classes = (last.get("class") or "").split()
    if _local(last) != "p" or CREDIT_CLASS not in classes:
        return 'The body does not end with the credit paragraph (<p class="credit">).'
    text = " ".join(text_of(last).split())
    if credit and text != credit:
        return (
            f'The body\'s credit paragraph says "{text}", not the credit line '
            f'"{credit}".'
        )
    if not text:
        return "The body's credit paragraph is empty."
    return None


def _last_element(root: etree._Element) -> etree._Element | None:
    children = [child for child in root if isinstance(child.tag, str)]
    return children[-1] if children else None


def _verdict_key(source: str, credit: str) -> tuple[bytes, str]:
    return hashlib.sha256(source.encode("utf-8")).digest(), credit


@cached(_VERDICTS, key=_verdict_key, lock=threading.Lock())
def _escaped_paragraph(source: str, credit: str) -> str | None:
    """The credit-paragraph verdict on escaped HTML, remembered likewise."""
    return _paragraph_mismatch(parse_html(source), credit)


def _local(element: etree._Element) -> str:
    return str(element.tag).rsplit("}", 1)[-1].lower()


def _escaped_html(element: etree._Element) -> Field:
    return Field(element, None, element.text or "", escaped=True)


def parse_html(source: str) -> etree._Element:
    """Escaped HTML parsed as the ``body`` of a document (no network), for the
    credit-paragraph and correction rules. The explicit ``<body>`` keeps
    leading markup in the body rather than moved to a ``head``."""
    parser = html.HTMLParser(
        no_network=True, recover=True, huge_tree=False, remove_comments=True
    )
    document = html.document_fromstring(
        f"<html><body>{source}</body></html>", parser=parser
    )
    body = document.find("body")
    return body if body is not None else document


def _rss_entry(item: etree._Element) -> Entry:
    content = item.find(RSS_CONTENT)
    credit = next(
        (
            c
            for c in item.iterfind(RSS_MEDIA_CREDIT)
            if c.get("role") == "publishing company"
        ),
        None,
    )
    return Entry(
        element=item,
        guid=(item.findtext("guid") or "").strip(),
        credit_line=_text(credit),
        body=_escaped_html(content) if content is not None else None,
    )


def _atom_field(element: etree._Element | None) -> Field | None:
    if element is None or element.get("src"):
        return None
    kind = element.get("type", "text")
    if kind == "html":
        return _escaped_html(element)
    if kind == "xhtml":
        # RFC 4287 §3.1.1.3: the content is a single xhtml:div.
        div = _last_element(element)
        return Field(element, div if div is not None else element)
    if len(element):  # inline XML of another media type
        return Field(element, element)
    return Field(element, None)


def _atom_entry(entry: etree._Element) -> Entry:
    return Entry(
        element=entry,
        guid=(entry.findtext(f"{ATOM}id") or "").strip(),
        credit_line=_text(entry.find(f"{ATOM}rights")),
        body=_atom_field(entry.find(f"{ATOM}content")),
    )


def _g2_entry(item: etree._Element) -> Entry:
    inline = item.find(f"{G2}contentSet/{G2}inlineXML")
    body: Field | None = None
    if inline is not None:
        html_body = inline.find(f".//{XHTML}body")
        body = Field(inline, html_body if html_body is not None else inline)
    status = item.find(f"{G2}itemMeta/{G2}pubStatus")
    return Entry(
        element=item,
        guid=(item.get("guid") or "").strip(),
        credit_line=_text(item.find(f"{G2}contentMeta/{G2}creditline")),
        body=body,
        canceled=status is not None and status.get("qcode") == "stat:canceled",
    )


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join(text_of(element).split())


def text_of(element: etree._Element) -> str:
    """The XPath string value of an element (its text, descendants included)."""
    return "".join(str(text) for text in element.itertext())
