"""Atom 1.0 renderer (feedgen, then lxml for RFC 6721 tombstones).

Feed: id ``{agency id_prefix}:feed:{feed_id}``, title, subtitle, ``updated`` =
the newest version time in the edition (never the clock), the agency as author,
alternate, self (where the document is published, only when the destination
has a public base URL: never guessed) and hub (when set) links, http(s) only,
rights (credit line and copyright, two sentences), ``xml:lang`` only when no
entry contradicts it (see :func:`syndication.render.fields.feed_language`).
Entries in the edition's order (the latest change first, as in RSS and
NewsML-G2): id = guid, title, updated (this version), published (first
version), authors (reporters; the agency when none is named), contributors
(editors and contributors), ``content type="html"`` (escaped, not CDATA: body
plus credit paragraph, opened by the correction paragraph for a correction),
summary (standfirst), categories (IPTC scheme, code, label; a correction adds
the IPTC signal ``correction``), rights (the credit line), ``xml:lang`` (the
story's language), and per image a Media RSS ``media:content`` with caption,
credit and alt text (:mod:`syndication.render.media`, as in RSS). Killed
articles follow as ``at:deleted-entry`` (RFC 6721 §2) holding only the id
(``ref``), the kill time (``when``) and the kill reason (``at:comment``): no
text of the story.

Text constructs are ``type="text"`` (RFC 4287 §3.1.1.1: readers show them as
written, markup characters and all), so headline, standfirst, names and rights
need XML escaping only; ``content`` is the clean body as ``type="html"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from feedgen.feed import FeedGenerator
from lxml import etree

from syndication.articles.model import utc
from syndication.credit import feed_credit
from syndication.render.assemble import Assembler
from syndication.render.base import Document, Edition, Item, index_document
from syndication.render.fields import (
    CORRECTION,
    SIGNAL_SCHEME,
    authors,
    contributors,
    feed_guid,
    feed_language,
    feed_link,
    item_link,
    newest_time,
    self_url,
    shown_body,
    subject_term,
    web_url,
)
from syndication.render.history import add_history, stylesheet_href
from syndication.render.media import (
    ImageEntryExtension,
    ImageFeedExtension,
    feed_images,
)
from syndication.render.stylesheet import FILE_NAME, with_instruction
from syndication.render.text import atom_time, xml_text

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
ATOM = "http://www.w3.org/2005/Atom"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GENERATOR = "syndication"

_PARSER = etree.XMLParser(
    remove_blank_text=True, resolve_entities=False, no_network=True, load_dtd=False
)


class AtomRenderer:
    format = "atom"
    content_type = CONTENT_TYPE
    file_name = "atom.xml"

    def render(self, edition: Edition) -> list[Document]:
        href = stylesheet_href(edition, FILE_NAME)
        body, pieces = _ASSEMBLER.render(edition)
        return [index_document(self, edition, with_instruction(body, href), pieces)]


def render_atom(edition: Edition) -> bytes:
    """The edition as an Atom 1.0 document (UTF-8 bytes)."""
    href = stylesheet_href(edition, FILE_NAME)
    return with_instruction(_render(edition, edition.items), href)


def _render(edition: Edition, items: Sequence[Item]) -> bytes:
    """The edition's feed metadata and tombstones (from all its items and
    kills) with just the entries of ``items``."""
    feed, agency = edition.feed, edition.agency
    where = f"feed {feed.feed_id}"
    fg = FeedGenerator()
    fg.register_extension(
        "images", ImageFeedExtension, ImageEntryExtension, atom=True, rss=False
    )
    fg.id(feed_guid(edition))
    fg.title(xml_text(feed.title, f"{where} title"))
    fg.subtitle(xml_text(feed.description, f"{where} description"))
    fg.updated(utc(newest_time(edition)))
    author = {"name": xml_text(agency.name, "agency name")}
    if web_url(agency.url):
        author["uri"] = agency.url
    fg.author(author)
    own = web_url(self_url(edition, "atom"))
    if own:
        fg.link(href=own, rel="self", type="application/atom+xml")
    fg.link(href=feed_link(edition), rel="alternate", type="text/html")
    hub = web_url(edition.hub_url)
    if hub:
        fg.link(href=hub, rel="hub")
    fg.rights(xml_text(feed_credit(feed, agency).rights, f"{where} rights"))
    fg.generator(GENERATOR)
    language = feed_language(edition)
    if language:
        fg.language(language)
    for item in items:
        version = item.version
        at = f"{where} item {version.guid}"
        entry = fg.add_entry(order="append")
        entry.id(version.guid)
        entry.title(xml_text(version.headline, f"{at} headline"))
        entry.updated(utc(version.version_created))
        entry.published(utc(version.first_created))
        names = [b.name for b in authors(version)] or [agency.name]
        entry.author([{"name": xml_text(n, f"{at} byline")} for n in names])
        others = contributors(version)
        if others:
            entry.contributor(
                [{"name": xml_text(b.name, f"{at} byline")} for b in others]
            )
        entry.link(href=item_link(version, agency), rel="alternate", type="text/html")
        if version.summary:
            entry.summary(xml_text(version.summary, f"{at} summary"))
        body = shown_body(item, agency.credit_line)
        entry.content(xml_text(body, f"{at} body"), type="html")
        categories = []
        for subject in version.subjects:
            scheme, term = subject_term(subject)
            category = {"term": term, "label": xml_text(subject.name, f"{at} subject")}
            if scheme:
                category["scheme"] = scheme
            categories.append(category)
        if version.is_correction:
            categories.append(
                {"term": CORRECTION, "scheme": SIGNAL_SCHEME, "label": CORRECTION}
            )
        if categories:
            entry.category(categories)
        entry.rights(xml_text(item.credit.line, f"{at} credit line"))
        entry.images.images = feed_images(version, at)
    root = etree.fromstring(fg.atom_str(pretty=False), _PARSER)
    entries = root.findall(f"{{{ATOM}}}entry")
    for element, item in zip(entries, items, strict=True):
        element.set(XML_LANG, item.version.language)
        # feedgen 1.0 drops rel and type from entry links (a shadowed variable).
        for link in element.findall(f"{{{ATOM}}}link"):
            link.set("rel", "alternate")
            link.set("type", "text/html")
    for item in edition.canceled:
        _add_tombstone(
            root,
            item.version.guid,
            item.version.version_created,
            xml_text(item.version.ed_note, f"{where} kill {item.version.guid}"),
        )
    # Declare at: once on the feed element (only when a tombstone uses it), and
    # media: always (so an entry's bytes do not depend on its neighbours').
    etree.cleanup_namespaces(
        root, top_nsmap={"at": TOMBSTONES}, keep_ns_prefixes=["media"]
    )
    # After the clean-up: fh:archive keeps its namespace to itself.
    add_history(root, edition, "atom", AtomRenderer.file_name)
    return etree.tostring(
        root, encoding="UTF-8", xml_declaration=True, pretty_print=True
    )


def _add_tombstone(
    root: etree._Element, guid: str, when: datetime, reason: str
) -> None:
    deleted = etree.SubElement(
        root, f"{{{TOMBSTONES}}}deleted-entry", ref=guid, when=atom_time(when)
    )
    if reason:
        etree.SubElement(deleted, f"{{{TOMBSTONES}}}comment").text = reason


def _insertion(shell: bytes) -> int:
    """Entries go after the feed's metadata, before any tombstone."""
    tombstone = shell.find(b"\n  <at:deleted-entry")
    return tombstone + 1 if tombstone != -1 else shell.rindex(b"</feed>")


_ASSEMBLER = Assembler(_render, b"  <entry", _insertion)
