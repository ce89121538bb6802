"""``index.html``: a destination's feeds as a page for people.

Built as an lxml tree, so every value from a feed definition is a text node or
an attribute value, escaped by the serializer; nothing is pasted into markup.
The page is HTML5 that XML can read: served as ``text/html`` it is HTML,
and it is also well-formed XML (void elements closed, no empty element written
short), which the gate checks. Links go to http(s) addresses or to keys
relative to the page. Styles are inline attributes (the gate refuses style
elements in any HTML it judges). Same listing, same bytes.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from syndication.articles.model import utc
from syndication.face.listing import ListedFeed, Listing
from syndication.render.text import iso_time, xml_text

FILE_NAME = "index.html"
FORMAT = "html"
CONTENT_TYPE = "text/html; charset=utf-8"
DOCTYPE = b"<!DOCTYPE html>\n"
# Elements HTML writes without an end tag; every other element gets one.
VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "col", "wbr"})

_BODY_STYLE = (
    "font-family: system-ui, sans-serif; line-height: 1.45; max-width: 60em; "
    "margin: 0 auto; padding: 1em; color: #1a1a1a; background: #ffffff; "
    "overflow-wrap: anywhere"
)
_CELL_STYLE = "text-align: left; vertical-align: top; padding: 0.5em; "
_ROW_STYLE = "border-top: 1px solid #d0d0d0"


def render_page(listing: Listing, opml_name: str | None) -> bytes:
    """The page of ``listing`` (UTF-8), linking to the OPML file ``opml_name``
    beside it when there is one."""
    agency = xml_text(listing.agency.name, "agency name")
    html = _element("html", lang="en")
    head = _sub(html, "head")
    _sub(head, "meta", charset="utf-8")
    _sub(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    _sub(head, "title", text=f"{agency}: feeds")
    if opml_name:
        _sub(
            head,
            "link",
            rel="alternate",
            type="text/x-opml",
            title=f"{agency}: feeds (OPML)",
            href=opml_name,
        )
    body = _sub(html, "body", style=_BODY_STYLE)
    _sub(body, "h1", id="title", text=f"{agency}: feeds")
    intro = (
        "The news feeds published here, with their formats and subscription "
        "addresses. To subscribe, copy a feed's address into your feed reader"
    )
    about = _sub(body, "p", id="about")
    if opml_name:
        about.text = f"{intro}, or import "
        _sub(
            about, "a", href=opml_name, text=opml_name
        ).tail = " (OPML) to subscribe to all of them."
    else:
        about.text = f"{intro}."
    updated = listing.updated
    if updated is not None:
        facts = _sub(body, "p", id="updated", style="color: #555555")
        facts.text = f"{len(listing.feeds)} feed(s); last update "
        _time(facts, updated)
        facts[-1].tail = "."
    table = _sub(body, "table", id="feeds", style="border-collapse: collapse")
    header = _sub(_sub(table, "thead"), "tr")
    for heading in ("Feed", "Formats and addresses", "Last update"):
        _sub(header, "th", scope="col", style=_CELL_STYLE, text=heading)
    rows = _sub(table, "tbody")
    for feed in listing.feeds:
        _row(rows, feed)
    credit = _sub(body, "p", id="agency", style="color: #555555; font-size: 0.9em")
    credit.text = f"Published by {agency}"
    credit.text += f" ({listing.agency.url})." if listing.agency.url else "."
    _close_empty(html)
    serialized = etree.tostring(html, encoding="unicode", method="xml")
    return DOCTYPE + serialized.encode("utf-8") + b"\n"


def _row(rows: etree._Element, feed: ListedFeed) -> None:
    where = f"feed {feed.feed_id}"
    row = _sub(rows, "tr", id=f"feed-{feed.feed_id}", style=_ROW_STYLE)
    about = _sub(row, "td", style=_CELL_STYLE)
    title = _sub(about, "strong", **{"class": "feed-title"})
    _link(title, feed.link, xml_text(feed.title, f"{where} title"))
    _sub(about, "br")
    _sub(about, "span", text=xml_text(feed.description, f"{where} description")).set(
        "class", "feed-description"
    )
    _sub(about, "br")
    _sub(
        about,
        "small",
        text=f"{xml_text(feed.partner, f'{where} partner')} · {feed.feed_id}",
        style="color: #555555",
    )
    formats = _sub(_sub(row, "td", style=_CELL_STYLE), "ul", style="margin: 0")
    for subscription in feed.subscriptions:
        entry = _sub(formats, "li", **{"class": f"format-{subscription.format}"})
        _sub(entry, "a", href=subscription.url, text=subscription.label)
        _sub(entry, "br")
        _sub(entry, "code", text=subscription.url, style="font-size: 0.85em")
        entry[-1].tail = " (updated "
        _time(entry, subscription.updated)
        entry[-1].tail = ")"
    _time(_sub(row, "td", style=_CELL_STYLE), feed.updated)


def _link(parent: etree._Element, url: str, text: str) -> None:
    """``text`` as a link to ``url`` when it is http(s), else as text."""
    if url.lower().startswith(("http://", "https://")):
        _sub(parent, "a", href=url, text=text)
    else:
        parent.text = (parent.text or "") + text


def _time(parent: etree._Element, moment: datetime) -> None:
    exact = utc(moment).replace(microsecond=0)
    shown = exact.strftime("%Y-%m-%d %H:%M UTC")
    _sub(parent, "time", datetime=iso_time(exact), text=shown)


def _element(tag: str, **attributes: str) -> etree._Element:
    return etree.Element(tag, attributes)


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _close_empty(root: etree._Element) -> None:
    """Give every empty non-void element an empty text, so the serializer
    writes ``<td></td>``: HTML reads ``<td/>`` as a start tag alone."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag not in VOID and element.text is None and not len(element):
            element.text = ""
