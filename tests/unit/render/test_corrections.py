"""Corrections in RSS and Atom: a visible correction paragraph opening the body,
the IPTC signal as a category, and the same two dates in both formats (first
publication, last update); items in the same order in every format."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from lxml import etree

from syndication.render.atom import render_atom
from syndication.render.fields import correction_paragraph, shown_body
from syndication.render.newsml import NewsmlRenderer
from syndication.render.rss import render_rss
from syndication.validate.rules import parse_instant

from .render_kit import T0, edition_of, story

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
G2 = "http://iptc.org/std/nar/2006-10-01/"
SIGNAL = "http://cv.iptc.org/newscodes/signal/"
OPENING = '<p class="correction">'


def rss_items(edition) -> list[etree._Element]:
    return etree.fromstring(render_rss(edition)).findall("channel/item")


def atom_entries(edition) -> list[etree._Element]:
    return etree.fromstring(render_atom(edition)).findall(f"{{{ATOM}}}entry")


def test_a_correction_opens_with_its_note_escaped(feed, agency):
    corrected = story(
        "fix",
        version=2,
        version_created=datetime(2026, 6, 17, 9, 30, tzinfo=UTC),
        is_correction=True,
        ed_note="Fixes <b>the</b> date & the  place",
    )
    edition = edition_of(feed, agency, [corrected])
    [item] = edition.items
    paragraph = (
        '<p class="correction">Correction: Fixes &lt;b&gt;the&lt;/b&gt; date '
        "&amp; the place</p>"
    )
    assert correction_paragraph(item.version) == paragraph
    assert shown_body(item) == f"{paragraph}\n{item.body}"
    [rss] = rss_items(edition)
    [atom] = atom_entries(edition)
    for body in (rss.findtext(CONTENT), atom.findtext(f"{{{ATOM}}}content")):
        assert body.startswith(paragraph + "\n")
        assert body.count(OPENING) == 1
        assert body.endswith(item.body)
    assert [(c.get("domain"), c.text) for c in rss.findall("category")][-1] == (
        SIGNAL,
        "correction",
    )
    signals = [c for c in atom.findall(f"{{{ATOM}}}category") if c.get("scheme")]
    assert (signals[-1].get("scheme"), signals[-1].get("term")) == (
        SIGNAL,
        "correction",
    )


def test_a_correction_without_a_note_still_says_so(feed, agency):
    version = story("bare", version=2, is_correction=True, ed_note="")
    assert correction_paragraph(version) == '<p class="correction">Correction</p>'


def test_other_items_carry_no_correction_and_no_signal(edition, feed, agency):
    sahel = edition.items[1]
    assert not sahel.version.is_correction
    assert shown_body(sahel) == sahel.body
    rss, atom = rss_items(edition)[1], atom_entries(edition)[1]
    assert "correction" not in rss.findtext(CONTENT)
    assert "correction" not in atom.findtext(f"{{{ATOM}}}content")
    assert SIGNAL.encode() not in etree.tostring(rss)
    assert SIGNAL.encode() not in etree.tostring(atom)


def test_rss_and_atom_state_the_same_two_dates(edition):
    """pubDate / published: first publication; atom:updated / updated: this
    version. A first version states no separate update in RSS."""
    for rss, atom, item in zip(
        rss_items(edition), atom_entries(edition), edition.items, strict=True
    ):
        version = item.version
        published = parse_instant(rss.findtext("pubDate"))
        assert published == version.first_created
        assert published == parse_instant(atom.findtext(f"{{{ATOM}}}published"))
        updated = rss.findtext(f"{{{ATOM}}}updated")
        atom_updated = atom.findtext(f"{{{ATOM}}}updated")
        assert atom_updated == version.version_created.isoformat()
        if version.version_created == version.first_created:
            assert updated is None
        else:
            assert updated == atom_updated
            # Right after pubDate, where a reader of the item's dates looks.
            assert rss.find("pubDate").getnext().tag == f"{{{ATOM}}}updated"


def test_a_later_version_that_is_no_correction_only_updates_the_date(feed, agency):
    later = story("later", version=3, version_created=T0.replace(hour=10))
    [rss] = rss_items(edition_of(feed, agency, [later]))
    assert rss.findtext("pubDate") == "Wed, 17 Jun 2026 08:00:00 +0000"
    assert rss.findtext(f"{{{ATOM}}}updated") == "2026-06-17T10:00:00+00:00"
    assert OPENING not in rss.findtext(CONTENT)


def test_items_are_in_the_same_order_in_every_format(edition, versions):
    """The edition's order (the store's: latest change first) everywhere, so a
    corrected story moves to the top of RSS, Atom and NewsML-G2 alike."""
    older = replace(versions["sahel"], version_created=T0)
    [moved] = edition_of(edition.feed, edition.agency, [older]).items
    built = replace(edition, items=(edition.items[0], moved))
    expected = [item.version.guid for item in built.items]
    assert [i.findtext("guid") for i in rss_items(built)] == expected
    assert [e.findtext(f"{{{ATOM}}}id") for e in atom_entries(built)] == expected
    message = NewsmlRenderer().render(built)[-1]
    items = etree.fromstring(message.body).findall(f"{{{G2}}}itemSet/{{{G2}}}newsItem")
    usable = [
        i.get("guid")
        for i in items
        if i.find(f"{{{G2}}}itemMeta/{{{G2}}}pubStatus").get("qcode") == "stat:usable"
    ]
    assert usable == expected
