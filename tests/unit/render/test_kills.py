"""A killed story's text survives in no document we render: RSS drops it, Atom
keeps a tombstone (id, time, note), NewsML-G2 a canceled item (ids, version,
dates, provider, rights, the credit line, pubStatus and the note)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from conftest import REPO
from lxml import etree

from syndication.articles.model import Byline, Dateline, Image, PubStatus, Role
from syndication.render.registry import render_edition
from syndication.validate.gate import Gate

from .render_kit import edition_of, story

G2 = "http://iptc.org/std/nar/2006-10-01/"
ATOM = "http://www.w3.org/2005/Atom"
AT = "http://purl.org/atompub/tombstones/1.0"
NS = {"g": G2}
NOTE = "Withdrawn: the source retracted the claim"
# Each field of the killed story holds a string found nowhere else.
SECRETS = {
    "headline": "Quokka headline of the killed story",
    "summary": "Xylophone standfirst of the killed story",
    "body": "Marzipan body paragraph of the killed story",
    "slugline": "WOMBAT-SLUG",
    "reporter": "Ottoline Zephyrine",
    "editor": "Bartholomew Quince",
    "place": "VLADIKAVKAZ-ON-SEA",
    "keyword": "narwhal keyword",
    "caption": "Caption of a pangolin photograph",
    "image": "https://news.example.org/images/pangolin.jpg",
}


def killed_version():
    original = story(
        "withdrawn",
        headline=SECRETS["headline"],
        summary=SECRETS["summary"],
        body=f"<p>{SECRETS['body']}.</p>\n<p>More.</p>",
        slugline=SECRETS["slugline"],
        bylines=(Byline(SECRETS["reporter"]), Byline(SECRETS["editor"], Role.EDITOR)),
        dateline=Dateline(SECRETS["place"], "June 17", "Thomson Reuters Foundation"),
        keywords=(SECRETS["keyword"],),
        images=(Image(SECRETS["image"], SECRETS["caption"], "Photo credit"),),
    )
    kill = replace(
        original,
        version=2,
        status=PubStatus.CANCELED,
        ed_note=NOTE,
        version_created=datetime(2026, 6, 17, 12, 0, tzinfo=UTC),
    )
    return kill


@pytest.fixture
def killed_edition(feed, agency, versions):
    kill = killed_version()
    return edition_of(feed, agency, [versions["sahel"]], [kill])


def test_no_text_of_a_killed_story_in_any_document(killed_edition):
    documents = render_edition(killed_edition, ["rss", "atom", "newsml"])
    assert {d.format for d in documents} == {"rss", "atom", "newsml", "xsl"}
    assert len(documents) == 6  # rss, atom, two items, the message, feed.xsl
    for document in documents:
        text = document.body.decode("utf-8")
        for field, secret in SECRETS.items():
            assert secret not in text, (document.key, field)
            # Nor escaped, nor in another case.
            assert secret.lower() not in text.lower(), (document.key, field)
    # The note does reach partners, in Atom and NewsML-G2.
    by_key = {d.key: d.body for d in documents}
    assert NOTE.encode() in by_key["atom.xml"]
    assert NOTE.encode() in by_key["newsml.xml"]


def test_the_canceled_item_keeps_only_what_identifies_the_kill(killed_edition, agency):
    kill = killed_version()
    [document] = [
        d
        for d in render_edition(killed_edition, ["newsml"])
        if d.key.startswith("items/") and d.key.endswith("/v2.xml")
    ]
    item = etree.fromstring(document.body)
    assert (item.get("guid"), item.get("version")) == (kill.guid, "2")
    children = [etree.QName(child).localname for child in item]
    assert children == ["catalogRef", "rightsInfo", "itemMeta", "contentMeta"]
    meta = [etree.QName(child).localname for child in item.find("g:itemMeta", NS)]
    assert meta == [
        "itemClass",
        "provider",
        "versionCreated",
        "firstCreated",
        "pubStatus",
        "edNote",
    ]
    assert item.find("g:itemMeta/g:pubStatus", NS).get("qcode") == "stat:canceled"
    assert item.findtext("g:itemMeta/g:edNote", namespaces=NS) == NOTE
    assert item.findtext("g:itemMeta/g:versionCreated", namespaces=NS) == (
        "2026-06-17T12:00:00Z"
    )
    assert [etree.QName(c).localname for c in item.find("g:contentMeta", NS)] == [
        "creditline"
    ]
    assert item.findtext("g:contentMeta/g:creditline", namespaces=NS) == (
        agency.credit_line
    )


def test_the_tombstone_holds_only_id_time_and_note(killed_edition):
    kill = killed_version()
    [atom, _stylesheet] = render_edition(killed_edition, ["atom"])
    root = etree.fromstring(atom.body)
    [tombstone] = root.findall(f"{{{AT}}}deleted-entry")
    assert dict(tombstone.attrib) == {
        "ref": kill.guid,
        "when": "2026-06-17T12:00:00+00:00",
    }
    assert [(c.tag, c.text, dict(c.attrib)) for c in tombstone] == [
        (f"{{{AT}}}comment", NOTE, {})
    ]
    ids = [e.findtext(f"{{{ATOM}}}id") for e in root.findall(f"{{{ATOM}}}entry")]
    assert kill.guid not in ids


def test_a_killed_story_leaves_rss(killed_edition):
    kill = killed_version()
    [rss, _stylesheet] = render_edition(killed_edition, ["rss"])
    assert kill.guid.encode() not in rss.body


def test_killed_documents_pass_the_gate_and_the_official_xsd(
    killed_edition, official_xsd
):
    gate = Gate(REPO / "schemas", official_xsd)
    documents = render_edition(killed_edition, ["rss", "atom", "newsml"])
    report = gate.check(documents, killed_edition)
    assert report.ok, [str(p) for p in report.problems]
    assert report.checked == len(documents)


def test_a_kill_of_a_correction_carries_no_correction_text(feed, agency):
    kill = replace(killed_version(), is_correction=True)
    edition = edition_of(feed, agency, [], [kill])
    for document in render_edition(edition, ["rss", "atom", "newsml"]):
        assert b"Correction:" not in document.body
        assert SECRETS["headline"].encode() not in document.body
