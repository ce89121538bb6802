"""The baseline: a straightforward publisher a competent developer would write.

For each feed: the same selection query as syndication, feedgen for RSS 2.0 and
Atom 1.0, plain lxml for a NewsML-G2 newsMessage, written to a local folder. It
carries the credit line in the body and in rights like syndication does, but has
no validation, no caching and no skip-unchanged. It is the reference, not a
straw man: it does the same rendering work a simple publisher must do.

This one writes the three index documents of each feed only (the
"three-indexes" baseline); bench/baseline_documents.py writes, with the same
pieces, every document our publish writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from feedgen.feed import FeedGenerator
from lxml import etree

from syndication.articles.model import Version
from syndication.config import Agency
from syndication.feeds import FeedDefinition
from syndication.store.base import Store

G2 = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"


def publish_baseline(
    store: Store, feeds: list[FeedDefinition], agency: Agency, at: datetime, out: Path
) -> int:
    """Render every feed in every format to ``out``; returns documents written."""
    written = 0
    for feed in feeds:
        versions = store.select(feed.selection, at)
        credit = feed.credit.line or agency.credit_line
        folder = out / feed.feed_id
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in (
            ("rss.xml", feedgen_index(feed, versions, credit, agency, at, "rss")),
            ("atom.xml", feedgen_index(feed, versions, credit, agency, at, "atom")),
            ("newsml.xml", news_message(versions, credit, agency, at)),
        ):
            (folder / name).write_bytes(body)
            written += 1
    return written


def feedgen_index(
    feed: FeedDefinition,
    versions: Sequence[Version],
    credit: str,
    agency: Agency,
    at: datetime,
    kind: str,
) -> bytes:
    """The feed as RSS 2.0 (``kind`` "rss") or Atom 1.0, by feedgen."""
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.id(f"{agency.id_prefix}:feed:{feed.feed_id}")
    fg.title(feed.title)
    fg.link(href=feed.link, rel="alternate")
    fg.description(feed.description)
    fg.author({"name": agency.name})
    fg.rights(credit)
    fg.lastBuildDate(versions[0].version_created if versions else at)
    fg.updated(versions[0].version_created if versions else at)
    for version in reversed(versions):
        entry = fg.add_entry()
        entry.id(version.guid)
        entry.guid(version.guid, permalink=False)
        entry.title(version.headline)
        entry.link(href=version.link or f"{agency.url}/{version.guid}")
        entry.published(version.first_created)
        entry.updated(version.version_created)
        entry.description(version.summary or version.headline)
        entry.content(f'{version.body}<p class="credit">{credit}</p>', type="html")
        entry.rights(credit)
        for byline in version.bylines:
            entry.dc.dc_creator(byline.name)
        for subject in version.subjects:
            entry.category(term=subject.qcode, label=subject.name)
    body: bytes = (
        fg.rss_str(pretty=False) if kind == "rss" else fg.atom_str(pretty=False)
    )
    return body


def news_message(
    versions: Sequence[Version], credit: str, agency: Agency, at: datetime
) -> bytes:
    """A NewsML-G2 newsMessage holding a newsItem per version."""
    message = etree.Element(f"{{{G2}}}newsMessage", nsmap={None: G2})  # type: ignore[dict-item]  # lxml's default namespace key
    header = _sub(message, "header")
    _sub(header, "sent", at.isoformat())
    item_set = _sub(message, "itemSet")
    for version in versions:
        add_news_item(item_set, version, credit, agency)
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8")


def news_item(version: Version, credit: str, agency: Agency) -> bytes:
    """One version as a standalone NewsML-G2 newsItem document."""
    holder = etree.Element(f"{{{G2}}}holder", nsmap={None: G2})  # type: ignore[dict-item]  # lxml's default namespace key
    item = add_news_item(holder, version, credit, agency)
    return etree.tostring(item, xml_declaration=True, encoding="UTF-8")


def add_news_item(
    parent: etree._Element, version: Version, credit: str, agency: Agency
) -> etree._Element:
    item = _sub(
        parent,
        "newsItem",
        guid=version.guid,
        version=str(version.version),
        standard="NewsML-G2",
        standardversion="2.35",
        conformance="power",
    )
    rights = _sub(item, "rightsInfo")
    _sub(_sub(rights, "copyrightHolder"), "name", agency.copyright_holder)
    _sub(rights, "copyrightNotice", agency.copyright_notice)
    meta = _sub(item, "itemMeta")
    _sub(meta, "itemClass", qcode="ninat:text")
    _sub(meta, "provider", literal=agency.name)
    _sub(meta, "versionCreated", version.version_created.isoformat())
    _sub(meta, "pubStatus", qcode=f"stat:{version.status.value}")
    content = _sub(item, "contentMeta")
    _sub(content, "urgency", str(version.urgency))
    for subject in version.subjects:
        _sub(_sub(content, "subject", qcode=subject.qcode), "name", subject.name)
    _sub(content, "headline", version.headline)
    _sub(content, "creditline", credit)
    inline = _sub(
        _sub(item, "contentSet"), "inlineXML", contenttype="application/xhtml+xml"
    )
    html = etree.SubElement(inline, f"{{{XHTML}}}html", nsmap={None: XHTML})  # type: ignore[dict-item]  # lxml's default namespace key
    body = etree.SubElement(html, f"{{{XHTML}}}body")
    fragment = etree.fromstring(f"<div>{version.body}</div>")
    for child in fragment:
        body.append(child)
    return item


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{G2}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element
