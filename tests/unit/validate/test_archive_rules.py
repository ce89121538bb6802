"""The gate's archive rules (RFC 5005): our subscription and archive documents
pass; each fault is refused with its rule named, through Gate.check as
publish.py calls it and, for the rules that need no place, in any file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from conftest import REPO

from syndication.articles.model import Version
from syndication.config import load_settings
from syndication.credit import make_item
from syndication.feeds import load_feed
from syndication.render.base import Document, Edition, History
from syndication.render.registry import render_edition
from syndication.validate.gate import Gate

SCHEMAS = REPO / "schemas"
END = datetime(2026, 11, 28, tzinfo=UTC)
BASE = "https://feeds.example.org/c/"


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate(SCHEMAS)


def edition(history: History) -> Edition:
    feed = load_feed(REPO / "feeds" / "partner-c-all.toml")
    feed = replace(feed, formats=("rss", "atom"))
    agency = load_settings(REPO / "config" / "syndication.toml").agency
    version = Version(
        guid="urn:test:archive:1",
        headline="A story",
        body="<p>Text.</p>",
        version_created=END - timedelta(hours=2),
        first_created=END - timedelta(hours=2),
        version=1,
    )
    return Edition(
        feed=feed,
        agency=agency,
        at=END,
        items=(make_item(version, feed, agency),),
        history=history,
    )


def rendered(history: History) -> tuple[dict[str, Document], Edition]:
    found = edition(history)
    return {d.key: d for d in render_edition(found) if d.format != "xsl"}, found


def rules(gate: Gate, document: Document, found: Edition) -> set[str]:
    return {p.rule for p in gate.check([document], found).problems}


def changed(document: Document, old: str, new: str) -> Document:
    assert old.encode() in document.body, old
    return replace(document, body=document.body.replace(old.encode(), new.encode()))


def with_lines(document: Document, marker: str, times: int) -> Document:
    """``document`` with its line holding ``marker`` there ``times`` times."""
    lines = document.body.split(b"\n")
    found = [line for line in lines if marker.encode() in line]
    assert len(found) == 1, marker
    at = lines.index(found[0])
    lines[at : at + 1] = found * times
    return replace(document, body=b"\n".join(lines))


ARCHIVE = History(archive="2026-11-27", prev_archive="2026-11-26")
FEED = History(prev_archive="2026-11-27")


@pytest.mark.parametrize(
    "history",
    [
        ARCHIVE,
        FEED,
        History(archive="2026-11-21"),
        replace(ARCHIVE, base_url=BASE),
        replace(FEED, base_url=BASE),
    ],
    ids=["archive", "feed", "oldest", "archive-absolute", "feed-absolute"],
)
def test_our_documents_pass(gate: Gate, history: History) -> None:
    documents, found = rendered(history)
    report = gate.check(list(documents.values()), found)
    assert report.ok, report.problems


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_an_archive_without_its_marker_is_refused(gate: Gate, name: str) -> None:
    documents, found = rendered(ARCHIVE)
    document = documents[f"archive/2026-11-27/{name}"]
    marker = '<fh:archive xmlns:fh="http://purl.org/syndication/history/1.0"/>'
    assert rules(gate, changed(document, marker, ""), found) == {"archive-marked"}


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_a_subscription_document_marked_as_archive_is_refused(
    gate: Gate, name: str
) -> None:
    documents, found = rendered(ARCHIVE)
    # The archive's bytes published as the feed itself.
    document = replace(documents[f"archive/2026-11-27/{name}"], key=name)
    assert "archive-marked" in rules(gate, document, found)


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_an_archive_must_link_current_once(gate: Gate, name: str) -> None:
    documents, found = rendered(ARCHIVE)
    document = documents[f"archive/2026-11-27/{name}"]
    assert rules(gate, with_lines(document, 'rel="current"', 0), found) == {
        "archive-current"
    }
    assert rules(gate, with_lines(document, 'rel="current"', 2), found) == {
        "archive-current"
    }


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_current_must_lead_to_the_feed(gate: Gate, name: str) -> None:
    documents, found = rendered(ARCHIVE)
    document = documents[f"archive/2026-11-27/{name}"]
    other = "atom.xml" if name == "rss.xml" else "rss.xml"
    wrong = changed(document, f'href="../../{name}"', f'href="../../{other}"')
    assert rules(gate, wrong, found) == {"archive-link"}


@pytest.mark.parametrize(
    "href",
    [
        "../../../other-feed/archive/2026-11-26/{name}",  # out of the feed's folder
        "../2026-11-28/{name}",  # a later period
        "../2026-11-27/{name}",  # itself
        "../not-a-period/{name}",
        "../2026-11-26/feed.xsl",
        "https://elsewhere.example/archive/2026-11-26/{name}",
    ],
)
@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_prev_archive_must_lead_to_an_earlier_archive_of_the_feed(
    gate: Gate, name: str, href: str
) -> None:
    documents, found = rendered(ARCHIVE)
    document = documents[f"archive/2026-11-27/{name}"]
    old = f'href="../2026-11-26/{name}"'
    wrong = changed(document, old, f'href="{href.format(name=name)}"')
    assert rules(gate, wrong, found) == {"archive-link"}


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_an_absolute_link_must_be_under_the_feeds_address(
    gate: Gate, name: str
) -> None:
    documents, found = rendered(replace(FEED, base_url=BASE))
    document = documents[name]
    wrong = changed(document, BASE, "https://feeds.example.org/other/")
    assert rules(gate, wrong, found) == {"archive-link"}


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_one_prev_archive_at_most(gate: Gate, name: str) -> None:
    documents, found = rendered(FEED)
    twice = with_lines(documents[name], 'rel="prev-archive"', 2)
    assert rules(gate, twice, found) == {"archive-prev-single"}


def test_files_from_elsewhere_are_held_to_the_rules_that_need_no_place(
    gate: Gate,
) -> None:
    documents, _ = rendered(ARCHIVE)
    document = documents["archive/2026-11-27/atom.xml"]
    assert gate.check_file(document.body).ok
    without = with_lines(document, 'rel="current"', 0).body
    assert {p.rule for p in gate.check_file(without).problems} == {"archive-current"}


@pytest.mark.parametrize(
    ("href", "ours"),
    [
        ("feed.xsl", True),
        ("../../feed.xsl", True),
        ("https://elsewhere.example/feed.xsl", False),
        ("/feed.xsl", False),
        ("other.xsl", False),
    ],
)
def test_the_page_of_an_archive_is_judged_too(href: str, ours: bool) -> None:
    """The page feed.xsl makes is judged (safety rules) for every document
    whose instruction names our stylesheet, an archive's two folders up."""
    from syndication.validate.stylesheet import names_ours

    assert names_ours(href) is ours
