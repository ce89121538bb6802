"""The correction rules (rss.sch, atom.sch): an item marked as a correction (the
IPTC signal "correction" as a category) opens its body with exactly one
correction paragraph; any other item carries none."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from conftest import AT, REPO

from syndication.articles.model import Subject, Version
from syndication.config import load_settings
from syndication.credit import make_item
from syndication.feeds import load_feed
from syndication.render.base import Document, Edition
from syndication.render.registry import render_edition
from syndication.validate.gate import Gate
from syndication.validate.rules import html_classes

SCHEMAS = REPO / "schemas"
T0 = AT - timedelta(hours=3)
# As rendered in RSS content:encoded and Atom content (escaped HTML).
PARAGRAPH = b'&lt;p class="correction"&gt;Correction: Corrects the date&lt;/p&gt;\n'
RSS_SIGNAL = (
    b'      <category domain="http://cv.iptc.org/newscodes/signal/">correction'
    b"</category>\n"
)
ATOM_SIGNAL = (
    b'    <category term="correction" scheme="http://cv.iptc.org/newscodes/signal/"'
    b' label="correction"/>\n'
)


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate(SCHEMAS)


def story(**changes: object) -> Version:
    version = Version(
        guid="urn:test:correction:1",
        headline="A story",
        summary="Standfirst.",
        body="<p>First paragraph.</p>\n<p>Second paragraph.</p>",
        version_created=T0 + timedelta(hours=1),
        first_created=T0,
        version=2,
        subjects=(Subject("medtop:06000000", "environment"),),
    )
    return replace(version, **changes)  # type: ignore[arg-type]


def edition(version: Version) -> Edition:
    feed = load_feed(REPO / "feeds" / "partner-c-all.toml")
    agency = load_settings(REPO / "config" / "syndication.toml").agency
    return Edition(feed, agency, AT, (make_item(version, feed, agency),))


CORRECTED = story(is_correction=True, ed_note="Corrects the date")


def rendered(version: Version) -> tuple[Edition, dict[str, Document]]:
    built = edition(version)
    return built, {d.key: d for d in render_edition(built, ["rss", "atom"])}


def rules(gate: Gate, built: Edition, document: Document) -> set[str]:
    return {p.rule for p in gate.check([document], built).problems}


def edited(document: Document, old: bytes, new: bytes) -> Document:
    assert document.body.count(old) == 1, old
    return replace(document, body=document.body.replace(old, new))


def test_rendered_corrections_and_plain_items_pass(gate: Gate) -> None:
    for version in (CORRECTED, story()):
        built, documents = rendered(version)
        report = gate.check(list(documents.values()), built)
        assert report.ok, [str(p) for p in report.problems]
    _, documents = rendered(CORRECTED)
    assert PARAGRAPH in documents["rss.xml"].body
    assert RSS_SIGNAL in documents["rss.xml"].body
    assert ATOM_SIGNAL in documents["atom.xml"].body


@pytest.mark.parametrize("key", ["rss.xml", "atom.xml"])
def test_a_correction_without_its_paragraph_is_refused(gate: Gate, key: str) -> None:
    built, documents = rendered(CORRECTED)
    faulty = edited(documents[key], PARAGRAPH, b"")
    assert rules(gate, built, faulty) == {"correction-paragraph"}


@pytest.mark.parametrize("key", ["rss.xml", "atom.xml"])
def test_a_correction_paragraph_twice_is_refused(gate: Gate, key: str) -> None:
    built, documents = rendered(CORRECTED)
    faulty = edited(documents[key], PARAGRAPH, PARAGRAPH + PARAGRAPH)
    assert rules(gate, built, faulty) == {"correction-paragraph"}


@pytest.mark.parametrize("key", ["rss.xml", "atom.xml"])
def test_a_correction_paragraph_not_first_is_refused(gate: Gate, key: str) -> None:
    built, documents = rendered(CORRECTED)
    first = b"&lt;p&gt;First paragraph.&lt;/p&gt;\n"
    moved = edited(documents[key], PARAGRAPH + first, first + PARAGRAPH)
    assert rules(gate, built, moved) == {"correction-paragraph"}


@pytest.mark.parametrize(
    ("key", "signal"), [("rss.xml", RSS_SIGNAL), ("atom.xml", ATOM_SIGNAL)]
)
def test_a_correction_paragraph_on_an_unmarked_item_is_refused(
    gate: Gate, key: str, signal: bytes
) -> None:
    built, documents = rendered(CORRECTED)
    unmarked = edited(documents[key], signal, b"")
    assert rules(gate, built, unmarked) == {"correction-unmarked"}


def test_a_correction_paragraph_in_a_plain_story_is_refused(gate: Gate) -> None:
    # A story's own class never reaches a reader (the renderers clean bodies
    # with the ingest allow-list, so a story that bypassed ingest does not
    # freeze its feed); a renderer that let one through is stopped.
    sneaked = '<p class="correction">Correction: sneaked in</p><p>Text.</p>'
    built, documents = rendered(story(body=sneaked))
    for key in ("rss.xml", "atom.xml"):
        assert b"sneaked in" in documents[key].body
        assert b'class="correction"' not in documents[key].body
        assert rules(gate, built, documents[key]) == set()
        faulty = edited(
            documents[key],
            b"&lt;p&gt;Correction: sneaked in",
            b'&lt;p class="correction"&gt;Correction: sneaked in',
        )
        assert rules(gate, built, faulty) == {"correction-unmarked"}


def test_atom_xhtml_content_is_read_as_elements(gate: Gate) -> None:
    built, documents = rendered(CORRECTED)
    atom = documents["atom.xml"]
    start = atom.body.index(b'<content type="html">')
    end = atom.body.index(b"</content>", start) + len(b"</content>")
    credit = built.items[0].credit.line.encode()

    def xhtml(paragraphs: bytes) -> Document:
        content = (
            b'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            + paragraphs
            + b'<p class="credit">'
            + credit
            + b"</p></div></content>"
        )
        return replace(atom, body=atom.body[:start] + content + atom.body[end:])

    note = b'<p class="correction">Correction: Corrects the date</p>'
    assert rules(gate, built, xhtml(note + b"<p>Text.</p>")) == set()
    assert rules(gate, built, xhtml(b"<p>Text.</p>" + note)) == {"correction-paragraph"}
    assert rules(gate, built, xhtml(b"<p>Text.</p>")) == {"correction-paragraph"}


def test_class_summaries_of_escaped_html() -> None:
    summary = html_classes(
        '<p class="correction note">C</p><p>T <span class="correction">x</span></p>'
    )
    assert summary.first == frozenset({"correction", "note"})
    assert summary.counts == {"correction": 2, "note": 1}
    assert html_classes('Text first <p class="correction">C</p>').first == frozenset()
    assert html_classes("").counts == {}
    # Without the word, only character references could spell the class.
    assert html_classes('<p class="credit">C</p>').counts == {}
    assert html_classes('<p class="&#99;orrection">C</p>').counts == {"correction": 1}
    text = '<p class="correction">C</p>'
    assert html_classes(text) is html_classes(text)  # remembered by digest


def test_an_entity_spelt_correction_paragraph_is_found(gate: Gate) -> None:
    built, documents = rendered(story())
    rss = edited(
        documents["rss.xml"],
        b"&lt;p&gt;First paragraph.",
        b'&lt;p class="&amp;#99;orrection"&gt;Correction: x&lt;/p&gt;&lt;p&gt;First '
        b"paragraph.",
    )
    assert rules(gate, built, rss) == {"correction-unmarked"}


def test_rules_may_ask_only_about_known_classes() -> None:
    from syndication.errors import ConfigError
    from syndication.validate.rules import _html_class_count

    with pytest.raises(ConfigError, match="know only correction"):
        _html_class_count(None, "<p class='x'>", "x")
