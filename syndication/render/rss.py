"""RSS 2.0 renderer (feedgen plus :mod:`syndication.render.feedgen_ext`).

RSS states no content type: readers take ``title`` and ``description`` for
HTML (RSS 2.0 allows entity-encoded HTML in a description; feedparser and
browsers' readers treat titles alike). So the feed's title and description, the
headline and the standfirst are written as HTML-escaped text (``&lt;script&gt;``
as characters of the HTML source, escaped once more by XML): every reader shows
the words as written and none can find a tag in them. ``content:encoded`` is the
clean body (HTML by definition). Links are http(s) only (see
:func:`syndication.render.fields.web_url`).

Channel: title, link, description, ``atom:link rel="self"`` where the document
is published (only when the destination has a public base URL: never guessed)
and ``rel="hub"``, copyright (the rights statement), language (only one no
item contradicts, see :func:`syndication.render.fields.feed_language`),
``lastBuildDate`` = the newest version time in the edition (feedgen would stamp
the clock; we never let it). Items in the edition's order (the latest change
first, as in Atom and NewsML-G2): title, link, ``guid isPermaLink="false"``,
description (the standfirst; none without one), ``content:encoded`` (escaped
HTML: body plus credit paragraph,
opened by the correction paragraph for a correction), categories with the IPTC
scheme as domain (a correction adds the IPTC signal ``correction``),
``pubDate`` (RFC 822: the first publication, as Atom's ``published``), and for a
later version ``atom:updated`` (its time, as Atom's ``updated``), then the
extensions' ``dc:`` and ``media:`` elements (bylines, language, rights and
credit; images with caption, credit and alt text).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from feedgen.feed import FeedGenerator
from lxml import etree

from syndication.credit import feed_credit
from syndication.render.assemble import Assembler
from syndication.render.base import Document, Edition, Item, index_document
from syndication.render.feedgen_ext import CreditEntryExtension, CreditFeedExtension
from syndication.render.fields import (
    CORRECTION,
    SIGNAL_SCHEME,
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
from syndication.render.text import xml_text

CONTENT_TYPE = "application/rss+xml; charset=utf-8"
GENERATOR = "syndication"


class RssRenderer:
    format = "rss"
    content_type = CONTENT_TYPE
    file_name = "rss.xml"

    def render(self, edition: Edition) -> list[Document]:
        href = stylesheet_href(edition, FILE_NAME)
        body, pieces = _ASSEMBLER.render(edition)
        return [index_document(self, edition, with_instruction(body, href), pieces)]


def render_rss(edition: Edition) -> bytes:
    """The edition as an RSS 2.0 document (UTF-8 bytes)."""
    href = stylesheet_href(edition, FILE_NAME)
    return with_instruction(_render(edition, edition.items), href)


def _render(edition: Edition, items: Sequence[Item]) -> bytes:
    """The edition's channel (from all its items) with just ``items``."""
    feed, agency = edition.feed, edition.agency
    where = f"feed {feed.feed_id}"
    fg = FeedGenerator()
    fg.register_extension(
        "credit", CreditFeedExtension, CreditEntryExtension, atom=False, rss=True
    )
    fg.register_extension(
        "images", ImageFeedExtension, ImageEntryExtension, atom=False, rss=True
    )
    fg.credit.hub_url = web_url(edition.hub_url)
    fg.title(html_text(feed.title, f"{where} title"))
    fg.description(html_text(feed.description, f"{where} description"))
    # feedgen uses the last link given as the channel <link>: self first.
    own = web_url(self_url(edition, "rss"))
    if own:
        fg.link(href=own, rel="self", type="application/rss+xml")
    fg.link(href=feed_link(edition), rel="alternate")
    language = feed_language(edition)
    if language:
        fg.language(language)
    fg.copyright(xml_text(feed_credit(feed, agency).rights, f"{where} rights"))
    fg.lastBuildDate(newest_time(edition))
    fg.generator(GENERATOR)
    for item in items:
        version = item.version
        at = f"{where} item {version.guid}"
        entry = fg.add_entry(order="append")
        entry.title(html_text(version.headline, f"{at} headline"))
        entry.link(href=item_link(version, agency), rel="alternate")
        entry.guid(version.guid, permalink=False)
        # feedgen writes content:encoded only beside a description: an item
        # without a standfirst gets the headline here, which the credit
        # extension takes out again.
        entry.description(
            html_text(version.summary or version.headline, f"{at} summary")
        )
        body = shown_body(item, agency.credit_line)
        entry.content(xml_text(body, f"{at} body"), type="html")
        categories = []
        for subject in version.subjects:
            scheme, term = subject_term(subject)
            category = {"term": term}
            if scheme:
                category["scheme"] = scheme
            categories.append(category)
        if version.is_correction:
            categories.append({"term": CORRECTION, "scheme": SIGNAL_SCHEME})
        if categories:
            entry.category(categories)
        entry.pubDate(version.first_created)
        entry.credit.set_item(item, agency, at)
        entry.images.images = feed_images(version, at)
    document = fg.rss_str(pretty=False)
    root = etree.fromstring(document, _PARSER)
    add_history(root, edition, "rss", RssRenderer.file_name)
    return etree.tostring(
        root, encoding="UTF-8", xml_declaration=True, pretty_print=True
    )


def html_text(value: str, where: str) -> str:
    """Plain text as the HTML source of an element readers take for HTML:
    ``<``, ``>`` and ``&`` as character references (quotes need none outside
    attributes); characters XML cannot carry removed (logged)."""
    return html.escape(xml_text(value, where), quote=False)


# Re-read feedgen's output only to pretty-print it; nothing external is loaded.
_PARSER = etree.XMLParser(
    remove_blank_text=True, resolve_entities=False, no_network=True, load_dtd=False
)


def _insertion(shell: bytes) -> int:
    """Items go last in the channel."""
    return shell.rindex(b"  </channel>")


_ASSEMBLER = Assembler(_render, b"    <item>", _insertion)
