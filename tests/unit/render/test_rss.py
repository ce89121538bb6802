"""RSS 2.0: feedparser reads every item with its credit; dates come from data."""

from __future__ import annotations

import feedparser
from html_oracle import html_text, shown
from lxml import etree

from syndication.credit import credit_paragraph
from syndication.render.fields import shown_body
from syndication.render.rss import RssRenderer, render_rss

from .render_kit import edition_of, make_feed, story

DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
ATOM = "http://www.w3.org/2005/Atom"


def test_document_shape(edition):
    [document] = RssRenderer().render(edition)
    assert document.key == "rss.xml"
    assert document.format == "rss"
    assert document.content_type == "application/rss+xml; charset=utf-8"
    assert document.is_index is True
    assert document.feed_id == "partner-a"
    assert document.body.startswith(
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        b'<?xml-stylesheet type="text/xsl" href="feed.xsl"?>\n<rss '
    )


def test_feedparser_reads_every_item_with_credit(edition, agency):
    parsed = feedparser.parse(render_rss(edition))
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "rss20"
    assert [e.id for e in parsed.entries] == [i.version.guid for i in edition.items]
    for entry, item in zip(parsed.entries, edition.items, strict=True):
        # Titles and descriptions are HTML to readers: the headline is escaped
        # text, shown as written (markup characters and all).
        assert shown(entry.title_detail) == item.version.headline
        assert entry.link == f"https://news.trust.org/item/{item.version.guid}"
        assert entry.guidislink is False
        # pubDate is the first publication, atom:updated the version (as Atom).
        version = item.version
        assert entry.published_parsed[:5] == version.first_created.timetuple()[:5]
        assert entry.updated_parsed[:5] == version.version_created.timetuple()[:5]
        assert entry.author == "Priya Raman"
        # Credit line and copyright notice: two sentences.
        assert entry.rights == f"{agency.credit_line}. {agency.copyright_notice}"
        assert entry.media_credit[0]["content"] == agency.credit_line
        assert entry.media_credit[0]["role"] == "publishing company"
        assert entry.content[0].value == shown_body(item)
        # feedparser takes every RSS description for HTML (its summary_detail
        # is overwritten by a media:description, so read summary itself).
        assert html_text(entry.summary) == item.version.summary
    assert shown(parsed.feed.title_detail) == edition.feed.title
    assert parsed.feed.rights == f"{agency.credit_line}. {agency.copyright_notice}"


def test_channel_dates_links_and_prefixes(edition):
    body = render_rss(edition)
    root = etree.fromstring(body)
    channel = root.find("channel")
    # The newest version time in the edition (the kill at 12:00), never the clock.
    assert channel.findtext("lastBuildDate") == "Wed, 17 Jun 2026 12:00:00 +0000"
    links = channel.findall(f"{{{ATOM}}}link")
    assert [(x.get("rel"), x.get("href")) for x in links] == [
        ("self", "https://cdn.example.org/partner-a/rss.xml"),
        ("hub", "https://hub.example.org/"),
    ]
    assert channel.findtext("link") == "https://partner-a.example.org/feeds/trf/"
    assert channel.findtext("language") == "en"
    for prefix in (b"xmlns:content=", b"xmlns:dc=", b"xmlns:media=", b"xmlns:atom="):
        assert prefix in body
    assert b"<content:encoded>" in body and b"<dc:rights>" in body
    assert b"CDATA" not in body


def test_no_self_link_unless_its_address_is_known(feed, agency, versions):
    """Without a public base URL the self link is left out, never guessed from
    the partner's site (a reader would refresh the feed from there)."""
    root = etree.fromstring(render_rss(edition_of(feed, agency, [versions["sahel"]])))
    assert root.find("channel").findall(f"{{{ATOM}}}link") == []
    assert b"partner-a.example.org/feeds/trf/rss.xml" not in etree.tostring(root)


def test_item_elements(edition, agency):
    root = etree.fromstring(render_rss(edition))
    gulf = root.find("channel").findall("item")[0]
    assert gulf.find("guid").get("isPermaLink") == "false"
    assert gulf.findtext("pubDate") == "Wed, 17 Jun 2026 08:00:00 +0000"
    assert [c.text for c in gulf.findall(f"{{{DC}}}creator")] == ["Priya Raman"]
    assert [c.text for c in gulf.findall(f"{{{DC}}}contributor")] == [
        "Daniel Osei",
        "Helen Park",
    ]
    assert [(c.get("domain"), c.text) for c in gulf.findall("category")] == [
        ("http://cv.iptc.org/newscodes/mediatopic/", "09000000"),
        ("http://cv.iptc.org/newscodes/signal/", "correction"),
    ]
    [content] = gulf.findall(f"{{{MEDIA}}}content")
    assert content.get("url") == "https://news.example.org/images/gulf.jpg"
    assert content.get("medium") == "image"
    assert content.get("type") == "image/jpeg"
    assert (
        content.findtext(f"{{{MEDIA}}}description") == "Workers queue for pay in Doha"
    )
    assert content.find(f"{{{MEDIA}}}credit").text == (
        "Thomson Reuters Foundation/Jane Doe"
    )
    credits = gulf.findall(f"{{{MEDIA}}}credit")
    assert [(c.get("role"), c.text) for c in credits] == [
        ("publishing company", agency.credit_line)
    ]


def test_credit_paragraph_once_at_the_end_of_every_body(edition):
    root = etree.fromstring(render_rss(edition))
    for entry, item in zip(root.iter("item"), edition.items, strict=True):
        body = entry.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
        paragraph = credit_paragraph(item.credit)
        assert body.endswith(paragraph)
        assert body.count(item.credit.line) == 1


def test_killed_story_leaves_the_feed(edition):
    body = render_rss(edition)
    assert b"killed" not in body


def test_no_bylines_credits_the_agency(feed, agency):
    version = story("nobody", bylines=())
    root = etree.fromstring(render_rss(edition_of(feed, agency, [version])))
    assert root.find("channel/item").findtext(f"{{{DC}}}creator") == agency.name


def test_empty_feed_dates_from_the_build_time(feed, agency):
    root = etree.fromstring(render_rss(edition_of(feed, agency, [])))
    assert root.find("channel").findtext("lastBuildDate") == (
        "Sat, 20 Jun 2026 12:00:00 +0000"
    )


def test_partner_override_replaces_the_site_line(agency, versions):
    partner = make_feed(
        "partner-b", credit=make_feed().credit.__class__("Short credit")
    )
    body = render_rss(edition_of(partner, agency, [versions["sahel"]]))
    assert agency.credit_line.encode() not in body
    parsed = feedparser.parse(body)
    assert parsed.entries[0].media_credit[0]["content"] == "Short credit"
    assert parsed.entries[0].rights.startswith("Short credit. Copyright")


def test_no_standfirst_no_description(feed, agency):
    """An item without a standfirst has no description (repeating the title
    would tell a reader nothing); its body is still content:encoded."""
    edition = edition_of(feed, agency, [story("bare", summary="")])
    [item] = etree.fromstring(render_rss(edition)).iter("item")
    assert item.find("description") is None
    assert item.findtext("title") == "Headline of bare"
    encoded = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    assert encoded == shown_body(edition.items[0])
    [entry] = feedparser.parse(render_rss(edition)).entries
    assert entry.content[0].value == encoded


def test_the_agency_is_credited_as_a_publishing_company(edition, agency):
    """An EBU role (the scheme Media RSS assumes), as the W3C Feed Validation
    Service requires; "distributor" is not one."""
    root = etree.fromstring(render_rss(edition))
    for item in root.iter("item"):
        [credit] = item.findall(f"{{{MEDIA}}}credit")
        assert (credit.get("role"), credit.get("scheme"), credit.text) == (
            "publishing company",
            "urn:ebu",
            agency.credit_line,
        )
