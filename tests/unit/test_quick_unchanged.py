"""The tick's quick check on a real folder and a real SQLite store: a feed whose
last run saw the same store content and settings, with no story appearing, no
embargo ending and nothing leaving its window since, is recorded unchanged
without selecting or rendering; anything else goes the full way."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import write_config
from sqlalchemy import event, text

from syndication.articles.model import Subject, Version
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.render.registry import render_edition
from syndication.store import open_store

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=3)
FEED = """id = "{id}"
partner = "Partner"
title = "{title}"
description = "Environment stories"
link = "https://partner.example/"
{extra}
"""
SELECTION_SQL = "ORDER BY versions.version_created DESC"


def story(n: int, **changes: Any) -> Version:
    version = Version(
        guid=f"urn:test:{n}",
        headline=f"Story {n}",
        body=f"<p>Body {n}.</p>",
        version_created=T0 + timedelta(minutes=n),
        first_created=T0 + timedelta(minutes=n),
        subjects=(Subject("medtop:06000000", "environment"),),
    )
    return replace(version, **changes)


class Site:
    def __init__(self, tmp_path: Path) -> None:
        self.feeds_dir = tmp_path / "feeds"
        self.feeds_dir.mkdir()
        self.write_feed("alpha", extra='[selection]\nsubjects = ["medtop:06000000"]\n')
        self.write_feed("beta", extra='[selection]\nwindow = "2h"\n')
        self.settings = load_settings(write_config(tmp_path, feeds_dir=self.feeds_dir))
        self.public = tmp_path / "public"
        self.store = open_store(self.settings.store_url)
        self.renders: list[str] = []
        self.selections = 0

        def render(edition):  # type: ignore[no-untyped-def]
            self.renders.append(edition.feed.feed_id)
            return render_edition(edition)

        @event.listens_for(self.store.engine, "before_cursor_execute")  # type: ignore[attr-defined]
        def count(*args: Any) -> None:
            if SELECTION_SQL in args[2]:
                self.selections += 1

        self.publisher = Publisher(self.settings, self.store, render=render)

    def write_feed(self, feed_id: str, title: str = "Feed", extra: str = "") -> None:
        (self.feeds_dir / f"{feed_id}.toml").write_text(
            FEED.format(id=feed_id, title=title, extra=extra), encoding="utf-8"
        )

    def publish(self, at: datetime) -> dict[str, str]:
        self.renders.clear()
        self.selections = 0
        feeds = list(load_feeds(self.feeds_dir).feeds.values())
        summary = self.publisher.publish_all(feeds, at=at)
        assert summary.exit_code == 0, summary.line()
        return {r.feed_id: r.outcome for r in summary.results}

    def rss(self, feed_id: str) -> str:
        return (self.public / feed_id / "rss.xml").read_text("utf-8")


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    site = Site(tmp_path)
    site.store.append(story(1))
    assert site.publish(AT) == {"alpha": "published", "beta": "published"}
    yield site
    site.publisher.close()
    site.store.close()


def test_nothing_changed_is_unchanged_without_selecting_or_rendering(site) -> None:  # type: ignore[no-untyped-def]
    before = site.rss("alpha")
    assert site.publish(AT + timedelta(minutes=1)) == {
        "alpha": "unchanged",
        "beta": "unchanged",
    }
    assert site.renders == []
    assert site.selections == 0
    assert site.rss("alpha") == before
    runs = site.store.runs("alpha")
    assert [r.outcome for r in runs] == ["unchanged", "published"]
    assert runs[0].skipped == runs[1].written == 5  # 3 indexes, 1 item, feed.xsl
    assert runs[0].fingerprint == runs[1].fingerprint
    assert runs[0].edition_at == AT + timedelta(minutes=1)
    # and again, from the quick run's own record
    assert site.publish(AT + timedelta(minutes=2))["alpha"] == "unchanged"
    assert site.selections == 0


def test_a_new_story_sends_every_feed_the_full_way(site) -> None:  # type: ignore[no-untyped-def]
    site.store.append(story(2))  # beta keeps 2 hours: too old for it
    assert site.publish(AT + timedelta(minutes=1)) == {
        "alpha": "published",
        "beta": "unchanged",
    }
    assert "Story 2" in site.rss("alpha")
    # A story no feed selects changes the store, not the editions: the full way
    # compares fingerprints and renders nothing.
    site.store.append(story(3, subjects=(Subject("medtop:04000000", "economy"),)))
    assert site.publish(AT + timedelta(minutes=2)) == {
        "alpha": "unchanged",
        "beta": "unchanged",
    }
    assert site.renders == []
    assert site.selections > 0
    assert site.publish(AT + timedelta(minutes=3))["alpha"] == "unchanged"
    assert site.selections == 0


def test_an_embargo_ending_between_ticks_publishes_the_story(tmp_path: Path) -> None:
    site = Site(tmp_path)
    release = AT + timedelta(minutes=30)
    site.store.append(story(1))
    site.store.append(story(2, embargo_until=release))
    site.publish(AT)
    assert "Story 2" not in site.rss("alpha")
    assert site.publish(release - timedelta(seconds=1))["alpha"] == "unchanged"
    assert site.selections == 0
    assert site.publish(release)["alpha"] == "published"
    assert "Story 2" in site.rss("alpha")
    site.store.close()


def test_a_story_dated_ahead_appears_when_its_time_comes(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.store.append(story(1))
    ahead = story(2, version_created=AT + timedelta(minutes=10))
    site.store.append(replace(ahead, first_created=ahead.version_created))
    site.publish(AT)
    assert "Story 2" not in site.rss("alpha")
    assert site.publish(AT + timedelta(minutes=5))["alpha"] == "unchanged"
    assert site.selections == 0
    assert site.publish(AT + timedelta(minutes=10))["alpha"] == "published"
    assert "Story 2" in site.rss("alpha")
    site.store.close()


def test_a_story_leaving_a_window_is_dropped(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.store.append(story(1))  # created T0 + 1 min; beta keeps 2 hours
    first = T0 + timedelta(hours=1)
    assert site.publish(first) == {"alpha": "published", "beta": "published"}
    assert "Story 1" in site.rss("beta")
    later = T0 + timedelta(hours=1, minutes=30)
    assert site.publish(later) == {"alpha": "unchanged", "beta": "unchanged"}
    assert site.selections == 0
    gone = T0 + timedelta(hours=2, minutes=2)
    assert site.publish(gone) == {"alpha": "unchanged", "beta": "published"}
    assert "Story 1" not in site.rss("beta")
    site.store.close()


def test_a_deleted_index_is_written_again(site) -> None:  # type: ignore[no-untyped-def]
    (site.public / "alpha" / "atom.xml").unlink()
    outcomes = site.publish(AT + timedelta(minutes=1))
    assert outcomes == {"alpha": "published", "beta": "unchanged"}
    assert (site.public / "alpha" / "atom.xml").is_file()


def test_a_changed_feed_definition_is_rendered(site) -> None:  # type: ignore[no-untyped-def]
    site.write_feed("alpha", title="Renamed")
    outcomes = site.publish(AT + timedelta(minutes=1))
    assert outcomes == {"alpha": "published", "beta": "unchanged"}
    assert site.renders == ["alpha"]
    assert "Renamed" in site.rss("alpha")


def test_an_earlier_moment_goes_the_full_way(site) -> None:  # type: ignore[no-untyped-def]
    """A replay of an earlier moment is never answered from a later record."""
    site.store.append(story(2, version_created=AT + timedelta(minutes=5)))
    site.publish(AT + timedelta(minutes=10))
    assert "Story 2" in site.rss("alpha")
    assert site.publish(AT)["alpha"] == "published"
    assert site.selections > 0
    assert "Story 2" not in site.rss("alpha")


def test_the_change_count_follows_every_stored_version(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        assert store.change_count() == 0
        store.append_batch([story(1), story(2)])
        assert store.change_count() == 2
        store.append(story(1))  # identical: nothing stored
        assert store.change_count() == 2
        store.append(story(1, headline="Story 1, corrected"))
        assert store.change_count() == 3
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(text("SELECT count(*) FROM versions")).scalar()
        assert rows == 3
    finally:
        store.close()


def test_a_single_feed_publish_also_answers_from_the_ledger(site) -> None:  # type: ignore[no-untyped-def]
    """The scheduler and the fast lane publish one feed at a time."""
    [alpha] = [
        f for f in load_feeds(site.feeds_dir).feeds.values() if f.feed_id == "alpha"
    ]
    site.selections = 0
    result = site.publisher.publish_feed(
        alpha, at=AT + timedelta(minutes=1), trigger="schedule"
    )
    assert (result.outcome, result.rendered) == ("unchanged", False)
    assert site.selections == 0
    assert site.store.runs("alpha")[0].trigger == "schedule"
    site.store.append(story(2))
    result = site.publisher.publish_feed(alpha, at=AT + timedelta(minutes=2))
    assert result.outcome == "published"


def ledger_rows(site: Site) -> int:
    with site.store.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(text("SELECT count(*) FROM publish_runs")).scalar())


def test_a_hundred_unchanged_ticks_add_one_row_and_stay_quick(site) -> None:  # type: ignore[no-untyped-def]
    """A feed ticking every 10 seconds adds a row when it writes or fails, not
    one per tick; the quick check answers from the summarised row."""
    before = ledger_rows(site)
    ticks = [AT + timedelta(seconds=10 * n) for n in range(1, 101)]
    for moment in ticks:
        assert site.publish(moment) == {"alpha": "unchanged", "beta": "unchanged"}
        assert site.selections == 0 and site.renders == []
    assert ledger_rows(site) == before + 2  # one summary row per feed
    summary, published = site.store.runs("alpha")
    assert (summary.outcome, summary.repeats, published.repeats) == (
        "unchanged",
        100,
        1,
    )
    assert summary.edition_at == ticks[-1]
    # A story no feed carries changes the store's state: the full way finds the
    # same edition, and its run goes into the summary too...
    site.store.append(story(2, subjects=(Subject("medtop:04000000", "economy"),)))
    assert site.publish(ticks[-1] + timedelta(seconds=10))["alpha"] == "unchanged"
    assert site.selections > 0
    assert ledger_rows(site) == before + 2
    # ...whose new state answers the next tick quickly again.
    assert site.publish(ticks[-1] + timedelta(seconds=20))["alpha"] == "unchanged"
    assert site.selections == 0
    assert site.store.runs("alpha")[0].repeats == 102
    # A story the feed carries is a run of its own.
    site.store.append(story(3))
    assert site.publish(ticks[-1] + timedelta(seconds=30))["alpha"] == "published"
    assert [(r.outcome, r.repeats) for r in site.store.runs("alpha")] == [
        ("published", 1),
        ("unchanged", 102),
        ("published", 1),
    ]


# -- stories stored since a feed's last run that cannot touch it -----------------

ECONOMY = (Subject("medtop:04000000", "economy"),)


@pytest.fixture
def two_desks(tmp_path: Path):  # type: ignore[no-untyped-def]
    """alpha (environment) and gamma (economy), story 1 (environment) published;
    ``full`` lists the feeds each publish sends the full way."""
    site = Site(tmp_path)
    (site.feeds_dir / "beta.toml").unlink()
    site.write_feed("gamma", extra='[selection]\nsubjects = ["medtop:04000000"]\n')
    site.store.append(story(1))
    full: list[str] = []
    publish_feed = site.publisher.publish_feed

    def spy(feed, **options):  # type: ignore[no-untyped-def]
        full.append(feed.feed_id)
        return publish_feed(feed, **options)

    site.publisher.publish_feed = spy  # type: ignore[method-assign]
    assert site.publish(AT) == {"alpha": "published", "gamma": "published"}
    full.clear()
    yield site, full
    site.publisher.close()
    site.store.close()


def test_a_story_for_another_desk_leaves_a_feed_as_it_was(two_desks) -> None:  # type: ignore[no-untyped-def]
    site, full = two_desks
    before = site.rss("alpha")
    # Created after alpha's last run, so a moment passed for the store, but
    # only for a story alpha cannot select.
    site.store.append(
        story(2, subjects=ECONOMY, version_created=AT + timedelta(seconds=30))
    )
    assert site.publish(AT + timedelta(minutes=1)) == {
        "alpha": "unchanged",
        "gamma": "published",
    }
    assert full == ["gamma"]
    assert site.rss("alpha") == before
    assert "Story 2" in site.rss("gamma")
    # The next run builds on the quick run's record.
    full.clear()
    assert site.publish(AT + timedelta(minutes=2)) == {
        "alpha": "unchanged",
        "gamma": "unchanged",
    }
    assert full == []


def test_a_kill_dated_before_the_last_run_still_withdraws(two_desks) -> None:  # type: ignore[no-untyped-def]
    """A kill delivered late (dated before alpha's last run, as wire copy may
    be), with no subject any feed selects: alpha carried the story, so it goes
    the full way and the text is gone; gamma never could have."""
    site, full = two_desks
    assert "Body 1." in site.rss("alpha")
    kill = story(1, subjects=()).killed("Legal", T0 + timedelta(minutes=30))
    site.store.append(kill)
    assert site.publish(AT + timedelta(minutes=1)) == {
        "alpha": "published",
        "gamma": "unchanged",
    }
    assert full == ["alpha"]
    assert "Body 1." not in site.rss("alpha")


def test_a_correction_moving_a_story_to_another_desk_moves_it(two_desks) -> None:  # type: ignore[no-untyped-def]
    site, full = two_desks
    site.store.append(story(1, subjects=ECONOMY, headline="Story 1, economy"))
    assert site.publish(AT + timedelta(minutes=1)) == {
        "alpha": "published",
        "gamma": "published",
    }
    assert full == ["alpha", "gamma"]
    assert "Story 1" not in site.rss("alpha")
    assert "Story 1, economy" in site.rss("gamma")


def test_a_feed_that_carried_a_story_it_no_longer_selects_sees_its_kill(
    two_desks,
) -> None:  # type: ignore[no-untyped-def]
    """The ledger's word counts too: alpha carried story 1, then its
    definition moved to economy (no version of story 1 matches it now); a kill
    of story 1 still reaches alpha as a tombstone."""
    site, full = two_desks
    site.write_feed("alpha", extra='[selection]\nsubjects = ["medtop:04000000"]\n')
    assert site.publish(AT + timedelta(minutes=1))["alpha"] == "published"
    atom = site.public / "alpha" / "atom.xml"
    assert "urn:test:1" not in atom.read_text("utf-8")
    full.clear()
    kill = story(1, subjects=()).killed("Legal", AT + timedelta(minutes=2))
    site.store.append(kill)
    assert site.publish(AT + timedelta(minutes=3)) == {
        "alpha": "published",
        "gamma": "unchanged",
    }
    assert full == ["alpha"]
    assert 'ref="urn:test:1"' in atom.read_text("utf-8")


def test_each_version_carries_the_change_count_that_stored_it(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        store.append_batch([story(1), story(2)])
        store.append(story(1))  # identical: nothing stored
        store.append(story(1, headline="Story 1, corrected"))
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(
                text("SELECT guid, version, stored_seq FROM versions ORDER BY 3, 1")
            ).all()
        assert [tuple(r) for r in rows] == [
            ("urn:test:1", 1, 2),
            ("urn:test:2", 1, 2),
            ("urn:test:1", 2, 3),
        ]
    finally:
        store.close()
