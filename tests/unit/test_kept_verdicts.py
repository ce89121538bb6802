"""Item verdicts kept in the store (validate/verdicts.py): a fresh process
checks only the items no earlier process found valid under the same rules,
and still refuses an index holding a bad one. A real SQLite store, the real
gate and schemas, a real folder."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_config

from syndication.articles.model import Subject, Version
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.store import open_store
from syndication.validate.gate import Gate

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=3)
FEED = """id = "alpha"
partner = "Partner Alpha"
title = "Alpha"
description = "Environment stories"
link = "https://alpha.example/"
formats = ["rss", "atom", "newsml"]
"""
ITEM = {"rss": rb"<item>", "atom": rb"<entry", "newsml": rb"<newsItem"}


def story(n: int, **changes: object) -> Version:
    base = Version(
        guid=f"urn:test:{n}",
        headline=f"Story {n}",
        body=f"<p>Body {n}.</p>",
        version_created=T0 + timedelta(minutes=n),
        first_created=T0 + timedelta(minutes=n),
        subjects=(Subject("medtop:06000000", "environment"),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


class Counting:
    """A fresh process's gate (kept verdicts from ``store`` or none), noting
    how many items of each index it really checks."""

    def __init__(self, settings, store, *, kept: bool = True) -> None:  # type: ignore[no-untyped-def]
        self.gate = Gate.from_settings(settings, verdicts=store if kept else None)
        self.items: dict[str, list[int]] = {fmt: [] for fmt in ITEM}
        real = self.gate._check

        def counted(body, name, expectations, fmt=None, publisher=None):  # type: ignore[no-untyped-def]
            if fmt in ITEM and not name.startswith("items/"):
                self.items[fmt].append(len(re.findall(ITEM[fmt], body)))
            return real(body, name, expectations, fmt, publisher)

        self.gate._check = counted  # type: ignore[method-assign]


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "alpha.toml").write_text(FEED, encoding="utf-8")
    settings = load_settings(write_config(tmp_path, feeds_dir=feeds))
    store = open_store(settings.store_url)
    for n in range(1, 4):
        store.append(story(n))
    [feed] = load_feeds(settings.feeds_dir).feeds.values()
    first = Publisher(settings, store)
    assert first.publish_feed(feed, at=AT).outcome == "published"
    first.close()
    yield settings, store, feed
    store.close()


def publish(settings, store, feed, counting: Counting):  # type: ignore[no-untyped-def]
    publisher = Publisher(settings, store, gate=counting.gate)
    try:
        return publisher.publish_feed(feed, at=AT)
    finally:
        publisher.close()


def test_a_fresh_process_checks_only_the_new_item_of_each_index(site) -> None:  # type: ignore[no-untyped-def]
    settings, store, feed = site
    store.append(story(4))
    counting = Counting(settings, store)
    assert publish(settings, store, feed, counting).outcome == "published"
    # The index's head and tail, with the one new item (of four).
    assert counting.items == {"rss": [1], "atom": [1], "newsml": [1]}
    # Without the kept verdicts, every item of every index.
    store.append(story(5))
    alone = Counting(settings, store, kept=False)
    assert publish(settings, store, feed, alone).outcome == "published"
    assert alone.items == {"rss": [5], "atom": [5], "newsml": [5]}


def test_a_bad_item_beside_kept_ones_is_still_refused(site) -> None:  # type: ignore[no-untyped-def]
    """In a fresh process, an index whose other items are kept as valid is
    checked with its new item, and refused when that item is bad."""
    from syndication.credit import feed_credit
    from syndication.validate.report import GateReport, Problem

    settings, store, feed = site
    public = Path(settings.path).parent / "public" / "alpha"
    store.append(story(4, headline="Story 4 BAD"))
    # Published by a gate that keeps nothing: story 4 was never found valid
    # under kept verdicts (the check below plays the rules that refuse it).
    publish(settings, store, feed, Counting(settings, store, kept=False))
    body = (public / "rss.xml").read_bytes()
    assert body.count(b"<item>") == 4
    seen: list[bytes] = []

    def check(document: bytes) -> GateReport:
        seen.append(document)
        if b"BAD" in document:
            return GateReport((Problem("rss.xml", 1, "rule", "bad item"),), 1)
        return GateReport((), 1)

    credit = feed_credit(feed, settings.agency)
    fresh = Gate.from_settings(settings, verdicts=store)._items
    report = fresh.check(body, "rss", (credit.line, credit.append_paragraph), check)
    assert not report.ok
    # The kept items were left out, the new one checked (then the whole
    # document, so the problem names its true line).
    assert seen[0].count(b"<item>") == 1 and b"BAD" in seen[0]
    assert seen[-1] == body


def test_a_story_refused_in_a_fresh_process_is_quarantined(site) -> None:  # type: ignore[no-untyped-def]
    """A subject with no scheme (stored without ingest's checks) cannot be
    stated in NewsML-G2: the fresh process refuses it and quarantines the
    story, and the feed stays as it was."""
    settings, store, feed = site
    environment = Subject("medtop:06000000", "environment")
    store.append(story(4, subjects=(environment, Subject("noscheme", "topic"))))
    result = publish(settings, store, feed, Counting(settings, store))
    assert result.outcome == "unchanged"
    assert result.quarantined and "urn:test:4" in result.quarantined[0]
    newsml = (
        Path(settings.path).parent / "public" / "alpha" / "newsml.xml"
    ).read_bytes()
    assert b"urn:test:4" not in newsml and b"urn:test:3" in newsml


def test_verdicts_under_other_rules_are_not_trusted(site) -> None:  # type: ignore[no-untyped-def]
    settings, store, _feed = site
    rules = Gate.from_settings(settings, verdicts=store)._items._verdicts
    assert rules is not None
    kept = store.known_verdicts(rules.rules, [])
    assert kept == set()
    # The first publish recorded its items under the current rules...
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        from sqlalchemy import text

        names = [row[0] for row in conn.execute(text("SELECT item FROM item_verdicts"))]
    assert names and store.known_verdicts(rules.rules, names) == set(names)
    # ...and under any other rules nothing is known; writing under new rules
    # drops the old ones (once a store object), so they are never asked again.
    assert store.known_verdicts("0" * 64, names) == set()
    fresh = open_store(settings.store_url)
    try:
        fresh.record_verdicts("0" * 64, ["f" * 64])
        assert fresh.known_verdicts(rules.rules, names) == set()
        assert fresh.known_verdicts("0" * 64, ["f" * 64]) == {"f" * 64}
        fresh.record_verdicts("0" * 64, ["f" * 64])  # again: no error
    finally:
        fresh.close()
