"""The browser face of RSS and Atom: the instruction each carries, the shipped
stylesheet published beside them, and the page the stylesheet makes (applied
here with libxslt through lxml, the engine browsers with XSLT use; the real
browser test is tests/e2e/test_browser_face.py)."""

from __future__ import annotations

from dataclasses import replace

import html5lib
from html_oracle import active_in_html
from lxml import etree

from syndication.render.registry import render_edition
from syndication.render.stylesheet import (
    CONTENT_TYPE,
    INSTRUCTION,
    stylesheet_bytes,
)
from syndication.validate.stylesheet import render_page

from .render_kit import edition_of, make_feed, story


def documents(edition, formats=None):  # type: ignore[no-untyped-def]
    return {d.key: d for d in render_edition(edition, formats)}


def page_of(body: bytes) -> etree._Element:
    return render_page(etree.fromstring(body).getroottree())


def text_of(page: etree._Element, css_class: str) -> list[str]:
    return [
        "".join(e.itertext())
        for e in page.iter()
        if css_class in (e.get("class") or "").split()
    ]


def test_rss_and_atom_name_the_stylesheet_right_after_the_declaration(edition):
    found = documents(edition)
    for key in ("rss.xml", "atom.xml"):
        lines = found[key].body.split(b"\n")
        assert lines[0] == b"<?xml version='1.0' encoding='UTF-8'?>"
        assert (
            lines[1]
            == INSTRUCTION
            == (b'<?xml-stylesheet type="text/xsl" href="feed.xsl"?>')
        )
        root = etree.fromstring(found[key].body)
        instruction = root.getprevious()
        assert instruction.target == "xml-stylesheet"
        assert instruction.get("href") == "feed.xsl"  # relative: any base URL
    assert b"xml-stylesheet" not in found["newsml.xml"].body


def test_the_stylesheet_is_published_with_the_feed_before_its_indexes(edition):
    found = documents(edition)
    style = found["feed.xsl"]
    assert style.body == stylesheet_bytes()
    assert style.content_type == CONTENT_TYPE == "text/xsl; charset=utf-8"
    assert not style.is_index  # written with the items, before rss.xml names it
    assert "feed.xsl" not in documents(edition, ["newsml"])
    assert "feed.xsl" in documents(edition, ["atom"])


def test_the_page_shows_headlines_credit_and_the_feed(edition, agency):
    for key in ("rss.xml", "atom.xml"):
        page = page_of(documents(edition)[key].body)
        assert page.findtext("head/title") == "Rights & labour <news>"
        assert text_of(page, "headline") == [
            "Migrant builders lose pay & homes as firms <vanish>",
            "Sahel farmers plant by night – “it is cooler”",
        ]
        assert text_of(page, "credit") == [f"Credit: {agency.credit_line}"] * 2
        assert text_of(page, "correction") == ["Correction"]
        summaries = text_of(page, "summary")
        assert "Standfirst of gulf." in summaries
        link = page.find(".//h2/a")
        assert link is not None and link.get("href", "").startswith("https://")
    atom = page_of(documents(edition)["atom.xml"].body)
    withdrawn = text_of(atom, "withdrawn")
    assert len(withdrawn) == 1 and "Withdrawn: legal concerns" in withdrawn[0]


def test_bodies_are_shown_as_their_html_source_in_text(edition):
    page = page_of(documents(edition)["rss.xml"].body)
    pre = page.find(".//details/pre")
    assert pre is not None and len(pre) == 0  # text only, no element
    assert pre.text is not None and pre.text.startswith('<p class="correction">')


def test_hostile_text_stays_text_in_the_page(feed, agency):
    vector = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'
    hostile = story(
        "hostile",
        headline=f"Headline {vector}",
        summary=f"Summary {vector} &amp; &lt;b&gt;",
        body=f"<p>Body {vector}</p>",
    )
    hostile_feed = replace(feed, title=f"Feed {vector}", description=vector)
    edition = edition_of(hostile_feed, agency, [hostile])
    for key in ("rss.xml", "atom.xml"):
        page = page_of(documents(edition)[key].body)
        assert text_of(page, "headline") == [f"Headline {vector}"]
        # Literal references in a standfirst are words too, shown as written.
        assert text_of(page, "summary") == [f"Summary {vector} &amp; &lt;b&gt;"]
        serialized = etree.tostring(page, encoding="unicode", method="html")
        assert "<script" not in serialized and "<img" not in serialized
        # The body, as the page's head holds libxslt's own meta http-equiv.
        body = etree.tostring(page.find("body"), encoding="unicode", method="html")
        assert active_in_html(body) == []


def test_long_escaped_text_decodes_without_deep_recursion(feed, agency):
    # 20,000 references: decoded one by one this would nest 20,000 templates,
    # past libxslt's limit of 3,000; halves at a time it stays shallow.
    summary = "a & b < c > d " * 5000
    edition = edition_of(feed, agency, [story("long", summary=summary)])
    page = page_of(documents(edition)["rss.xml"].body)
    assert text_of(page, "summary") == [summary]


def test_the_page_is_html_a_browser_parses_as_it_is_written(edition):
    page = page_of(documents(edition)["atom.xml"].body)
    serialized = etree.tostring(page, encoding="unicode", method="html")
    parsed = html5lib.parse(serialized, namespaceHTMLElements=False)
    assert ["".join(e.itertext()) for e in parsed.iter("h2")] == [
        "".join(e.itertext()) for e in page.iter("h2")
    ]


def test_an_empty_feed_has_a_page_too(agency):
    edition = edition_of(make_feed(), agency, [])
    page = page_of(documents(edition)["rss.xml"].body)
    assert text_of(page, "headline") == []
    assert "0 item(s)" in "".join(page.find(".//p[@id='feed-facts']").itertext())
