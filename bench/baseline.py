"""The baseline: a straightforward publisher a competent developer would write.

For each feed: the same selection query as syndication, feedgen for RSS 2.0 and
Atom 1.0, plain lxml for a NewsML-G2 newsMessage, written to a local folder. It
carries the credit line in the body and in rights like syndication does, but has
no validation, no caching and no skip-unchanged. It is the reference, not a
straw man: it does the same rendering work a simple publisher must do.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from feedgen.feed import FeedGenerator
from lxml import etree

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
            ("rss.xml", _feedgen(feed, versions, credit, agency, at, "rss")),
            ("atom.xml", _feedgen(feed, versions, credit, agency, at, "atom")),
            ("newsml.xml", _newsml(versions, credit, agency, at)),
        ):
            (folder / name).write_bytes(body)
            written += 1
    return written


def _feedgen(feed, versions, credit, agency, at, kind):  # type: ignore[no-untyped-def]
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
    return fg.rss_str(pretty=False) if kind == "rss" else fg.atom_str(pretty=False)


def _newsml(versions, credit, agency, at):  # type: ignore[no-untyped-def]
    def sub(parent, tag, text=None, **attrs):  # type: ignore[no-untyped-def]
        element = etree.SubElement(parent, f"{{{G2}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    message = etree.Element(f"{{{G2}}}newsMessage", nsmap={None: G2})
    header = sub(message, "header")
    sub(header, "sent", at.isoformat())
    item_set = sub(message, "itemSet")
    for version in versions:
        item = sub(
            item_set,
            "newsItem",
            guid=version.guid,
            version=str(version.version),
            standard="NewsML-G2",
            standardversion="2.35",
            conformance="power",
        )
        rights = sub(item, "rightsInfo")
        holder = sub(rights, "copyrightHolder")
        sub(holder, "name", agency.copyright_holder)
        sub(rights, "copyrightNotice", agency.copyright_notice)
        meta = sub(item, "itemMeta")
        sub(meta, "itemClass", qcode="ninat:text")
        sub(meta, "provider", literal=agency.name)
        sub(meta, "versionCreated", version.version_created.isoformat())
        sub(meta, "pubStatus", qcode=f"stat:{version.status.value}")
        content = sub(item, "contentMeta")
        sub(content, "urgency", str(version.urgency))
        for subject in version.subjects:
            sub(sub(content, "subject", qcode=subject.qcode), "name", subject.name)
        sub(content, "headline", version.headline)
        sub(content, "creditline", credit)
        inline = sub(
            sub(item, "contentSet"), "inlineXML", contenttype="application/xhtml+xml"
        )
        html = etree.SubElement(inline, f"{{{XHTML}}}html", nsmap={None: XHTML})
        body = etree.SubElement(html, f"{{{XHTML}}}body")
        fragment = etree.fromstring(f"<div>{version.body}</div>")
        for child in fragment:
            body.append(child)
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8")
