"""Which shared item folders a publish lists (shared_items.py): those of the
articles its last edition did not carry as they are now, and of those it
carried that moved; a real folder and a real SQLite store, a fresh publisher
each time (as a new process would)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_config

from syndication.articles.model import Subject, Version
from syndication.config import load_settings
from syndication.destinations.local import LocalDestination
from syndication.feeds import load_feeds
from syndication.publish import FeedResult, Publisher
from syndication.store import open_store

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=3)
FEED = """id = "alpha"
partner = "Partner Alpha"
title = "Alpha"
description = "Environment stories"
link = "https://alpha.example/"
"""


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


class ListingFolder(LocalDestination):
    """A real shared folder destination that notes what it is asked to list."""

    def __init__(self, root: Path) -> None:
        super().__init__("local", root, shared_items=True)
        self.listed: list[str] = []

    def list(self, prefix: str) -> dict[str, str]:
        self.listed.append(prefix)
        return super().list(prefix)


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "alpha.toml").write_text(FEED, encoding="utf-8")
    settings = load_settings(write_config(tmp_path, feeds_dir=feeds))
    store = open_store(settings.store_url)
    [feed] = load_feeds(settings.feeds_dir).feeds.values()
    folder = ListingFolder(tmp_path / "out")

    def publish(at: datetime = AT, **options: object) -> FeedResult:
        folder.listed.clear()
        publisher = Publisher(settings, store)
        try:
            return publisher.publish_feed(feed, at=at, destination=folder, **options)  # type: ignore[arg-type]
        finally:
            publisher.close()

    yield store, folder, publish
    store.close()


def shared(folder: ListingFolder) -> list[str]:
    return sorted(p for p in folder.listed if p.startswith("items/"))


def test_only_new_and_moved_articles_folders_are_listed(site) -> None:  # type: ignore[no-untyped-def]
    store, folder, publish = site
    store.append(story(1))
    store.append(story(2))
    first = publish()
    assert first.outcome == "published"
    assert shared(folder) == ["items/urn~3Atest~3A1", "items/urn~3Atest~3A2"]
    store.append(story(3))
    second = publish()
    assert second.written[0] == "items/urn~3Atest~3A3/v1.xml"
    assert shared(folder) == ["items/urn~3Atest~3A3"], "1 and 2 are as they were"
    store.append(story(1, headline="Story 1, corrected"))
    third = publish()
    assert shared(folder) == ["items/urn~3Atest~3A1"]
    assert "items/urn~3Atest~3A1/v2.xml" in third.written
    assert third.withdrawn == ("items/urn~3Atest~3A1/v1.xml",)
    assert sorted(p.name for p in (folder.root / "items").rglob("*.xml")) == [
        "v1.xml",
        "v1.xml",
        "v2.xml",
    ]


def test_a_document_removed_by_hand_comes_back_with_force(site) -> None:  # type: ignore[no-untyped-def]
    store, folder, publish = site
    store.append(story(1))
    store.append(story(2))
    publish()
    lost = folder.root / "items" / "urn~3Atest~3A1" / "v1.xml"
    lost.unlink()
    store.append(story(3))
    publish()
    assert not lost.exists(), "an article that did not move is not looked at"
    forced = publish(force=True)
    assert "items/urn~3Atest~3A1/v1.xml" in forced.written
    assert lost.exists()


def test_a_destination_emptied_behind_the_ledgers_back_is_listed_whole(site) -> None:  # type: ignore[no-untyped-def]
    """The last edition is trusted only while the feed's folder holds its
    indexes: a bucket restored from nothing gets every item again."""
    import shutil

    store, folder, publish = site
    store.append(story(1))
    store.append(story(2))
    publish()
    shutil.rmtree(folder.root)
    again = publish()
    assert shared(folder) == ["items/urn~3Atest~3A1", "items/urn~3Atest~3A2"]
    assert {"items/urn~3Atest~3A1/v1.xml", "items/urn~3Atest~3A2/v1.xml"} <= set(
        again.written
    )
