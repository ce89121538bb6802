"""A long-running publisher carries each feed's archive plan from run to run
(syndication.archive_memo): a new story today leaves the closed periods
unread; a kill, a correction, a story dated back into a closed period, a
version whose moment comes later, and a period closing each make the plan
again, so the archives follow the lifecycle rules as without the memo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import write_config

from syndication import archive_memo
from syndication.articles.model import PubStatus, Subject, Version
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.store import open_store

DAY0 = datetime(2026, 11, 20, tzinfo=UTC)
FEED = """id = "wire"
partner = "Partner"
title = "Wire"
description = "Every story"
link = "https://partner.example/"
formats = ["rss", "atom", "newsml"]
limit = 2
"""


def story(day: int, hour: int, **changes: Any) -> Version:
    moment = DAY0 + timedelta(days=day, hours=hour)
    version = Version(
        guid=f"urn:test:memo-d{day}-h{hour}",
        headline=f"Story of day {day} at {hour}",
        body=f"<p>The body-d{day}-h{hour} text.</p>",
        version_created=moment,
        first_created=moment,
        subjects=(Subject("medtop:06000000", "environment"),),
    )
    return replace(version, **changes)


class Site:
    """One feed, stories on days 0 to 3, a publisher whose clock the test
    moves, and a count of the plans made from the store."""

    def __init__(self, root: Path) -> None:
        feeds = root / "feeds"
        feeds.mkdir()
        (feeds / "wire.toml").write_text(FEED, encoding="utf-8")
        self.settings = load_settings(write_config(root, feeds_dir=feeds))
        self.store = open_store(self.settings.store_url)
        self.now = DAY0 + timedelta(days=4, hours=1)
        self.publisher = Publisher(self.settings, self.store, clock=lambda: self.now)
        [self.feed] = load_feeds(self.settings.feeds_dir).feeds.values()
        self.public = root / "public" / "wire"
        # The destination's root: the feed's folder and the shared items.
        self.root = root / "public"
        self.plans = 0
        for day in range(4):
            for hour in (6, 12, 18):
                self.store.append(story(day, hour))

    def publish(self, hours: float = 0.5) -> list[str]:
        """Move the clock on, publish as of it: the keys written."""
        self.now += timedelta(hours=hours)
        result = self.publisher.publish_feed(self.feed, at=self.now)
        assert result.outcome in ("published", "unchanged"), result.error
        return list(result.written)

    def kill(self, guid: str, after: timedelta = timedelta(minutes=5)) -> None:
        """Store a kill of ``guid`` dated ``after`` past the clock."""
        latest = self.store.get(guid)
        self.store.append(
            replace(
                latest,
                version=0,
                status=PubStatus.CANCELED,
                version_created=self.now + after,
            )
        )

    def archive(self, day: int, name: str = "atom.xml") -> bytes:
        moment = DAY0 + timedelta(days=day)
        return (self.public / "archive" / f"{moment:%Y-%m-%d}" / name).read_bytes()

    def everything(self) -> bytes:
        return b"".join(p.read_bytes() for p in self.root.rglob("*") if p.is_file())


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    made = Site(tmp_path)
    real = archive_memo.archive_content

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.plans += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(archive_memo, "archive_content", counted)
    made.publish()
    assert made.plans == 1
    yield made
    made.publisher.close()
    made.store.close()


def test_a_new_story_today_leaves_the_closed_periods_unread(site: Site) -> None:
    before = {day: site.archive(day) for day in range(4)}
    site.store.append(story(4, 1, version_created=site.now + timedelta(minutes=5)))
    written = site.publish()
    assert "wire/rss.xml" in written and not any("archive/" in k for k in written)
    assert site.plans == 1
    assert {day: site.archive(day) for day in range(4)} == before


def test_a_kill_of_an_archived_story_plans_again(site: Site) -> None:
    victim = site.store.get(story(1, 12).guid)
    site.kill(victim.guid)
    site.publish()
    assert site.plans == 2
    assert b"body-d1-h12" not in site.everything()
    assert f'<at:deleted-entry ref="{victim.guid}"'.encode() in site.archive(1)


def test_a_correction_of_an_archived_story_plans_again(site: Site) -> None:
    old = site.store.get(story(2, 6).guid)
    site.store.append(
        replace(
            old,
            version=0,
            body="<p>The corrected text.</p>",
            is_correction=True,
            version_created=site.now + timedelta(minutes=5),
        )
    )
    site.publish()
    assert site.plans == 2
    assert b"body-d2-h6" not in site.everything()


def test_a_story_dated_back_into_a_closed_period_plans_again(site: Site) -> None:
    site.store.append(story(2, 20))
    site.publish()
    assert site.plans == 2
    assert b"body-d2-h20" in site.archive(2)


def test_a_kill_dated_ahead_plans_again_once_its_moment_passes(site: Site) -> None:
    """A kill stored now but dated two hours ahead changes nothing yet; once
    the clock passes it, the plan is made again and the body goes."""
    victim = site.store.get(story(3, 6).guid)
    site.kill(victim.guid, timedelta(hours=2))
    site.publish()  # stored since: planned again, the kill not yet in force
    assert site.plans == 2
    assert b"body-d3-h6" in site.archive(3)
    site.publish()  # nothing new: the memo holds
    assert site.plans == 2
    site.publish(hours=2)
    assert site.plans == 3
    assert b"body-d3-h6" not in site.everything()


def test_a_period_closing_plans_again(site: Site) -> None:
    site.store.append(story(4, 1, version_created=site.now + timedelta(minutes=5)))
    site.publish()
    assert site.plans == 1
    site.publish(hours=24)
    assert site.plans == 2
    assert (site.public / "archive" / f"{DAY0 + timedelta(days=4):%Y-%m-%d}").is_dir()


def test_a_kill_of_a_carried_story_withdraws_its_item_document(site: Site) -> None:
    """The publisher remembers which keys it found fine; a kill after that
    is still asked about, and its item document goes."""
    site.store.append(story(4, 1, version_created=site.now + timedelta(minutes=5)))
    site.publish()  # a run that remembers the keys it found fine
    victim = site.store.get(story(4, 1).guid)
    item = next(site.root.glob("items/*d4-h1/v1.xml"))
    site.kill(victim.guid)
    site.publish()
    assert not item.exists()
    assert b"body-d4-h1" not in site.everything()


def test_a_replay_folder_goes_when_a_story_it_carries_is_killed(site: Site) -> None:
    """The long-lived publisher remembers the replay folder's keys as fine;
    a kill of a story the replay carried is still judged, and the folder
    goes whole."""
    from syndication.destinations.base import join_key

    moment = site.now - timedelta(hours=2)
    prefix = join_key(site.feed.prefix, "replay", moment.strftime("%Y%m%dT%H%M%SZ"))
    replay = site.publisher.publish_feed(
        site.feed, at=moment, trigger="replay", prefix=prefix
    )
    assert replay.outcome == "published"
    folder = site.public / "replay" / moment.strftime("%Y%m%dT%H%M%SZ")
    assert (folder / "rss.xml").is_file()
    site.publish()  # remembers every key, the replay's included
    assert (folder / "rss.xml").is_file()
    victim = site.store.get(story(3, 18).guid)
    assert victim.guid.encode() in (folder / "rss.xml").read_bytes()
    site.kill(victim.guid)
    site.publish()
    assert not (folder / "rss.xml").exists()
    assert b"body-d3-h18" not in site.everything()
