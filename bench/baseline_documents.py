"""The same-documents baseline: the naive writer of bench/baseline.py producing
exactly the documents our full publish writes, so the ratio compares the same
work.

Per feed, under its folder: each format's index (``rss.xml``, ``atom.xml`` by
feedgen; ``newsml.xml`` by lxml; ``ninjs.json`` by json), the stylesheet RSS
and Atom name (``feed.xsl``, a static file), and per carried version (kills
included) its NewsML-G2 item ``items/<guid>/vN.xml`` and ninjs item
``items/<guid>/vN.json`` (with ``shared``, as the product's shared item
documents: once, in ``items/`` at the root, with the credit variant; each
feed still renders its items, and the first feed to carry one writes it);
per closed archive period holding anything for the
feed (RFC 5005 archives, when the settings have them), its RSS and Atom
documents ``archive/<period>/rss.xml`` and ``atom.xml`` of the versions shown
in it (no lifecycle rules: kills and later versions are not looked at); at
the root the destination's face (``index.html``,
``feeds.opml``). No validation, no caching (every feed renders its items
again), no skip-unchanged, no flush to disk. :func:`document_keys` lists what
was written, for the bench to compare with what we wrote.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree

from bench.baseline import feedgen_index, news_item, news_message
from syndication.articles.model import Version
from syndication.config import Agency, ArchiveConfig
from syndication.destinations.base import encode_segment
from syndication.feeds import FeedDefinition
from syndication.periods import closed_periods
from syndication.store.base import Store

STYLED = ("rss", "atom")


def publish_same_documents(
    store: Store,
    feeds: list[FeedDefinition],
    agency: Agency,
    at: datetime,
    out: Path,
    archive: ArchiveConfig | None = None,
    *,
    shared: bool = False,
) -> int:
    """Write every feed's documents and the face to ``out``; returns documents
    written. ``archive``: the settings' archives (the default ones when None);
    ``shared``: item documents in one folder at the root, as the product's
    ``item_documents = "shared"`` places them."""
    from syndication.credit import credit_variant, feed_credit
    from syndication.render.stylesheet import stylesheet_bytes

    stylesheet = stylesheet_bytes()
    written = 0
    shared_written: set[str] = set()
    for feed in feeds:
        versions = store.select(feed.selection, at)
        kills = store.select_canceled(feed.selection, at)
        credit = feed.credit.line or agency.credit_line
        folder = out / feed.prefix
        folder.mkdir(parents=True, exist_ok=True)
        documents: list[tuple[str, bytes]] = []
        items: list[tuple[str, bytes]] = []
        variant = credit_variant(feed_credit(feed, agency), agency) if shared else ""
        for fmt in feed.formats:
            if fmt in STYLED:
                body = feedgen_index(feed, versions, credit, agency, at, fmt)
                documents.append((f"{fmt}.xml", body))
            elif fmt == "newsml":
                message = news_message((*versions, *kills), credit, agency, at)
                documents.append(("newsml.xml", message))
                items += [
                    (_item_key(v, ".xml", variant), news_item(v, credit, agency))
                    for v in (*versions, *kills)
                ]
            elif fmt == "ninjs":
                documents.append(("ninjs.json", _ninjs_index(feed, versions, credit)))
                items += [
                    (_item_key(v, ".json", variant), _json(_ninjs_item(v, credit)))
                    for v in (*versions, *kills)
                ]
        if any(fmt in STYLED for fmt in feed.formats):
            documents.append(("feed.xsl", stylesheet))
        documents += _archive_documents(
            store, feed, archive or ArchiveConfig(), credit, agency, at
        )
        if shared:
            for key, body in items:
                if key not in shared_written:
                    shared_written.add(key)
                    path = out / key
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(body)
                    written += 1
        else:
            documents += items
        for key, body in documents:
            path = folder / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
        written += len(documents)
    return written + _write_face(feeds, agency, out)


def _archive_documents(
    store: Store,
    feed: FeedDefinition,
    archive: ArchiveConfig,
    credit: str,
    agency: Agency,
    at: datetime,
) -> list[tuple[str, bytes]]:
    """Each closed period's RSS and Atom document, for the periods in which
    the store shows anything the feed may carry."""
    styled = [fmt for fmt in feed.formats if fmt in STYLED]
    if archive.period is None or not styled:
        return []
    documents: list[tuple[str, bytes]] = []
    for period in closed_periods(archive.period, at, archive.periods):
        refs = store.archive_refs(feed.selection, period.start, period.end)
        if not refs:
            continue
        loaded = store.load_versions(
            [(ref.guid, ref.version) for ref in refs if not ref.is_kill]
        )
        versions = list(loaded.values())
        for fmt in styled:
            body = feedgen_index(feed, versions, credit, agency, at, fmt)
            documents.append((f"archive/{period.ident}/{fmt}.xml", body))
    return documents


def document_keys(folder: Path) -> set[str]:
    """Every file under ``folder``, as a key relative to it."""
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
    }


def _item_key(version: Version, suffix: str, variant: str = "") -> str:
    name = f"v{version.version}.{variant}" if variant else f"v{version.version}"
    return f"items/{encode_segment(version.guid)}/{name}{suffix}"


def _ninjs_item(version: Version, credit: str) -> dict[str, Any]:
    return {
        "uri": version.guid,
        "version": str(version.version),
        "pubStatus": version.status.value,
        "firstcreated": version.first_created.isoformat(),
        "versioncreated": version.version_created.isoformat(),
        "language": version.language,
        "urgency": version.urgency,
        "headlines": [{"value": version.headline}],
        "bodies": [{"contentType": "text/html", "value": version.body}],
        "subjects": [{"uri": s.qcode, "name": s.name} for s in version.subjects],
        "by": ", ".join(byline.name for byline in version.bylines),
        "copyrightnotice": credit,
    }


def _ninjs_index(
    feed: FeedDefinition, versions: Sequence[Version], credit: str
) -> bytes:
    return _json(
        {
            "uri": feed.link,
            "headlines": [{"value": feed.title}],
            "associations": [_ninjs_item(v, credit) for v in versions],
        }
    )


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def _write_face(feeds: list[FeedDefinition], agency: Agency, out: Path) -> int:
    """The page listing every feed and, when any has RSS or Atom, the OPML
    list of their subscriptions."""
    page = etree.Element("html")
    body = etree.SubElement(etree.SubElement(page, "body"), "ul")
    opml = etree.Element("opml", version="2.0")
    etree.SubElement(etree.SubElement(opml, "head"), "title").text = agency.name
    outlines = etree.SubElement(opml, "body")
    for feed in feeds:
        entry = etree.SubElement(body, "li")
        entry.text = feed.title
        for fmt in feed.formats:
            link = etree.SubElement(entry, "a", href=f"{feed.prefix}/{fmt}")
            link.text = fmt
            if fmt in STYLED:
                etree.SubElement(
                    outlines, "outline", text=feed.title, xmlUrl=f"{feed.prefix}/{fmt}"
                )
    (out / "index.html").write_bytes(etree.tostring(page, method="html"))
    if not len(outlines):
        return 1
    (out / "feeds.opml").write_bytes(etree.tostring(opml, xml_declaration=True))
    return 2
