"""Each item of our RSS and Atom documents checked once: documents cut at their
items exactly; an item found valid is not checked again in the same setting;
a document that fails is checked whole, so its problems name true lines; and
the gate still refuses every bad item, however often its neighbours passed."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest
from conftest import AT, REPO

from syndication.articles.model import Version
from syndication.config import load_settings
from syndication.credit import make_item
from syndication.feeds import load_feed
from syndication.render.base import Edition, Pieces
from syndication.render.registry import render_edition
from syndication.validate.feed_items import ItemsOnce, cut, laid_out
from syndication.validate.gate import Gate
from syndication.validate.report import GateReport, Problem


def edition(count: int, *, killed: bool = False, feed_id: str = "partner-c-all"):  # type: ignore[no-untyped-def]
    feed = replace(
        load_feed(REPO / "feeds" / f"{feed_id}.toml"),
        formats=("rss", "atom", "newsml"),
    )
    agency = load_settings(REPO / "config" / "syndication.toml").agency
    versions = [
        Version(
            guid=f"urn:test:items:{n}",
            headline=f"Story {n}",
            body=f"<p>Text {n}.</p>",
            version_created=AT - timedelta(hours=n + 1),
            first_created=AT - timedelta(hours=n + 1),
            version=1,
        )
        for n in range(count)
    ]
    canceled = ()
    if killed:
        gone = versions.pop()
        canceled = (
            make_item(gone.killed("Legal", AT - timedelta(minutes=5)), feed, agency),
        )
    return Edition(
        feed=feed,
        agency=agency,
        at=AT,
        items=tuple(make_item(v, feed, agency) for v in versions),
        canceled=canceled,
    )


def documents(found: Edition) -> dict[str, bytes]:
    """The edition's index documents (RSS, Atom and the NewsML-G2 message)."""
    return {d.key: d.body for d in render_edition(found) if d.is_index}


@pytest.mark.parametrize("killed", [False, True])
@pytest.mark.parametrize("name", ["rss.xml", "atom.xml", "newsml.xml"])
def test_documents_are_cut_at_their_items(name: str, killed: bool) -> None:
    body = documents(edition(3, killed=killed))[name]
    parts = cut(body, name[:-4])
    assert parts is not None
    # A NewsML-G2 kill notice is a newsItem of the message.
    assert len(parts.items) == (3 if name == "newsml.xml" or not killed else 2)
    assert parts.with_items(parts.items) == body
    if killed and name == "atom.xml":
        assert b"at:deleted-entry" in parts.tail


def test_a_document_without_items_is_not_cut() -> None:
    for name, body in documents(edition(0)).items():
        if name.endswith(".xml"):
            assert cut(body, name[:-4]) is None


def test_a_newsml_message_keeps_one_item_when_every_item_is_known() -> None:
    seen: list[bytes] = []

    def check(body: bytes) -> GateReport:
        seen.append(body)
        return GateReport((), 1)

    once = ItemsOnce()
    body = documents(edition(3))["newsml.xml"]
    once.check(body, "newsml", ("line", True), check)
    once.check(body, "newsml", ("line", True), check)
    parts = cut(body, "newsml")
    assert parts is not None
    assert seen == [body, parts.with_items(parts.items[:1])]


def test_items_found_valid_are_not_checked_again() -> None:
    seen: list[bytes] = []

    def check(body: bytes) -> GateReport:
        seen.append(body)
        return GateReport((), 1)

    once = ItemsOnce()
    first, second = documents(edition(3))["rss.xml"], documents(edition(4))["rss.xml"]
    assert once.check(first, "rss", ("line", True), check).ok
    assert seen == [first]
    once.check(second, "rss", ("line", True), check)
    parts = cut(second, "rss")
    assert parts is not None
    # Only the new (fourth, oldest) story went to the check.
    assert seen[1] == parts.with_items(parts.items[3:])
    # Another credit setting checks every item again.
    once.check(second, "rss", ("other line", True), check)
    assert seen[2] == second


def test_a_failing_document_is_checked_whole() -> None:
    seen: list[bytes] = []

    def check(body: bytes) -> GateReport:
        seen.append(body)
        return GateReport((Problem("rss.xml", 7, "rule", "bad"),), 1)

    once = ItemsOnce()
    body = documents(edition(2))["rss.xml"]
    report = once.check(body, "rss", ("line", True), check)
    assert seen[-1] == body and not report.ok
    # Nothing was remembered: the next check sends every item again.
    once.check(body, "rss", ("line", True), check)
    assert seen[-2:] == [body, body]


def test_the_gate_refuses_a_bad_item_beside_known_good_ones() -> None:
    gate = Gate(REPO / "schemas")
    good = edition(3)
    assert gate.check(render_edition(good), good).ok
    bad = replace(
        good,
        items=(
            *good.items,
            replace(good.items[0], body="<p>No credit paragraph.</p>"),
        ),
    )
    report = gate.check(render_edition(bad), bad)
    assert {p.rule for p in report.problems} >= {"credit-paragraph"}
    # In every index: the RSS and Atom documents and the NewsML-G2 message.
    assert {p.document for p in report.problems} >= {
        "rss.xml",
        "atom.xml",
        "newsml.xml",
    }
    # Lines point into the whole document.
    rss = [p for p in report.problems if p.document == "rss.xml"]
    body = next(d.body for d in render_edition(bad) if d.key == "rss.xml")
    line = body.split(b"\n")[rss[0].line - 1] if rss[0].line else b""
    assert b"item" in line or b"content:encoded" in line


@pytest.mark.parametrize("killed", [False, True])
def test_rendered_indexes_carry_their_items_as_cut_would_find_them(
    killed: bool,
) -> None:
    """Each index names the pieces it was assembled from: exactly the items
    :func:`cut` finds, with their SHA-256."""
    for document in render_edition(edition(3, killed=killed)):
        if not document.is_index or document.format not in ("rss", "atom", "newsml"):
            continue
        assert document.pieces is not None, document.key
        parts = cut(document.body, document.format)
        assert parts is not None
        assert document.pieces.items == parts.items
        assert document.pieces.digests == tuple(
            hashlib.sha256(item).digest() for item in parts.items
        )
        laid = laid_out(document.body, document.format, document.pieces)
        assert laid is not None and laid[0] == parts


def test_pieces_that_do_not_stand_in_the_document_are_not_trusted() -> None:
    """Pieces that differ from the document by one byte, leave an item out
    or are not items are ignored: the document is cut and hashed instead,
    and a bad item in it is still checked."""
    rendered = {d.key: d for d in render_edition(edition(3))}
    rss = rendered["rss.xml"]
    assert rss.pieces is not None
    items, digests = rss.pieces.items, rss.pieces.digests
    for lying in (
        Pieces((items[0][:-2] + b"X\n", *items[1:]), digests),
        Pieces((items[0], items[2]), (digests[0], digests[2])),
        Pieces((b"  <channel>", *items), (digests[0], *digests)),
    ):
        assert laid_out(rss.body, "rss", lying) is None
    seen: list[bytes] = []

    def check(body: bytes) -> GateReport:
        seen.append(body)
        return GateReport((), 1)

    once = ItemsOnce()
    once.check(rss.body, "rss", ("line", True), check, rss.pieces)
    bad = rss.body.replace(b"Text 1.", b"Text one.")
    # The pieces of the good document, offered with a changed one.
    once.check(bad, "rss", ("line", True), check, rss.pieces)
    parts = cut(bad, "rss")
    assert parts is not None
    assert seen[-1] == parts.with_items((parts.items[1],))
