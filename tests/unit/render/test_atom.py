"""Atom 1.0: feedparser reads every entry; kills become RFC 6721 tombstones."""

from __future__ import annotations

import feedparser
from lxml import etree

from syndication.credit import credit_paragraph
from syndication.render.atom import AtomRenderer, render_atom
from syndication.render.fields import shown_body

from .render_kit import edition_of

ATOM = "http://www.w3.org/2005/Atom"
AT = "http://purl.org/atompub/tombstones/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_document_shape(edition):
    [document] = AtomRenderer().render(edition)
    assert (document.key, document.format, document.is_index) == (
        "atom.xml",
        "atom",
        True,
    )
    assert document.content_type == "application/atom+xml; charset=utf-8"


def test_feedparser_reads_every_entry_with_credit(edition, agency):
    parsed = feedparser.parse(render_atom(edition))
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert parsed.feed.id == "urn:newsml:news.trust.org:feed:partner-a"
    # Credit line and copyright notice: two sentences.
    assert parsed.feed.rights == f"{agency.credit_line}. {agency.copyright_notice}"
    assert parsed.feed.author == agency.name
    assert [e.id for e in parsed.entries] == [i.version.guid for i in edition.items]
    for entry, item in zip(parsed.entries, edition.items, strict=True):
        version = item.version
        assert entry.title == version.headline
        assert entry.link == f"https://news.trust.org/item/{version.guid}"
        assert entry.updated_parsed[:5] == version.version_created.timetuple()[:5]
        assert entry.published_parsed[:5] == version.first_created.timetuple()[:5]
        assert entry.author == "Priya Raman"
        assert entry.rights == agency.credit_line
        assert entry.summary == version.summary
        assert entry.content[0].type == "text/html"
        assert entry.content[0].value == shown_body(item)
    gulf = parsed.entries[0]
    assert [c.name for c in gulf.contributors] == ["Daniel Osei", "Helen Park"]
    assert [(t.term, t.scheme, t.label) for t in gulf.tags] == [
        ("09000000", "http://cv.iptc.org/newscodes/mediatopic/", "labour"),
        ("correction", "http://cv.iptc.org/newscodes/signal/", "correction"),
    ]


def test_feed_elements(edition):
    root = etree.fromstring(render_atom(edition))
    assert root.findtext(f"{{{ATOM}}}updated") == "2026-06-17T12:00:00+00:00"
    links = [
        (x.get("rel"), x.get("href"), x.get("type"))
        for x in root.findall(f"{{{ATOM}}}link")
    ]
    assert links == [
        ("self", "https://cdn.example.org/partner-a/atom.xml", "application/atom+xml"),
        ("alternate", "https://partner-a.example.org/feeds/trf/", "text/html"),
        ("hub", "https://hub.example.org/", None),
    ]
    entry = root.find(f"{{{ATOM}}}entry")
    assert entry.get(XML_LANG) == "en"
    [link] = entry.findall(f"{{{ATOM}}}link")
    assert (link.get("rel"), link.get("type")) == ("alternate", "text/html")
    content = entry.find(f"{{{ATOM}}}content")
    assert content.get("type") == "html"
    assert b"CDATA" not in render_atom(edition)


def test_killed_story_is_a_tombstone_not_an_entry(edition, versions):
    killed = versions["killed"]
    root = etree.fromstring(render_atom(edition))
    ids = [e.findtext(f"{{{ATOM}}}id") for e in root.findall(f"{{{ATOM}}}entry")]
    assert killed.guid not in ids
    [tombstone] = root.findall(f"{{{AT}}}deleted-entry")
    assert tombstone.get("ref") == killed.guid
    assert tombstone.get("when") == "2026-06-17T12:00:00+00:00"
    assert tombstone.findtext(f"{{{AT}}}comment") == "Withdrawn: legal concerns"
    assert root.nsmap["at"] == AT


def test_no_tombstone_namespace_without_kills(feed, agency, versions):
    body = render_atom(edition_of(feed, agency, [versions["sahel"]]))
    assert b"tombstones" not in body


def test_credit_paragraph_once_in_every_content(edition):
    root = etree.fromstring(render_atom(edition))
    for entry, item in zip(root.iter(f"{{{ATOM}}}entry"), edition.items, strict=True):
        content = entry.findtext(f"{{{ATOM}}}content")
        assert content.endswith(credit_paragraph(item.credit))
        assert content.count(item.credit.line) == 1
