"""A long-running publisher (the scheduler's, a worker's) remembers from run
to run what each feed's archives hold and which keys it found fine
(syndication.archive_memo, withdraw.CheckedKeys); a fresh publisher (the
publish command's) knows nothing. Over random sequences of editorial acts
and clock moves, on two identical sites, both must write the same documents
byte for byte and leave the same keys at their destinations."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_config
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from syndication.articles.model import PubStatus, Subject, Version
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.store import open_store

LONG = os.environ.get("SYNDICATION_LONG_RUN") == "1"
pytestmark = pytest.mark.slow
DAY0 = datetime(2026, 10, 1, tzinfo=UTC)
TOPICS = ("medtop:06000000", "medtop:07000000")
FEEDS = {
    "both": "",
    "first": f'[selection]\nsubjects = ["{TOPICS[0]}"]\n',
    "window": '[selection]\nwindow = "30h"\n',
}
BASE = "https://feeds.example.org/pub"


class Site:
    def __init__(self, root: Path) -> None:
        feeds = root / "feeds"
        feeds.mkdir(parents=True)
        for feed_id, extra in FEEDS.items():
            (feeds / f"{feed_id}.toml").write_text(
                f'id = "{feed_id}"\npartner = "P"\ntitle = "{feed_id}"\n'
                'description = "Stories"\nlink = "https://p.example/"\n'
                'formats = ["rss", "atom", "newsml"]\nlimit = 3\n' + extra,
                "utf-8",
            )
        config = write_config(
            root, feeds_dir=feeds, extra=f'public_base_url = "{BASE}"\n'
        )
        self.settings = load_settings(config)
        self.store = open_store(self.settings.store_url)
        self.feeds = list(load_feeds(self.settings.feeds_dir).feeds.values())
        self.public = root / "public"

    def documents(self) -> dict[str, bytes]:
        return {
            path.relative_to(self.public).as_posix(): path.read_bytes()
            for path in sorted(self.public.rglob("*"))
            if path.is_file() and path.name not in {"index.html", "feeds.opml"}
        }


class Equivalence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory(prefix="memo-")
        root = Path(self.folder.name)
        self.now = DAY0 + timedelta(days=5, hours=9)
        self.kept = Site(root / "kept")
        self.fresh = Site(root / "fresh")
        self.long_lived = Publisher(
            self.kept.settings, self.kept.store, clock=lambda: self.now
        )
        self.stories = 0

    def teardown(self) -> None:
        self.long_lived.close()
        self.kept.store.close()
        self.fresh.store.close()
        self.folder.cleanup()

    def append(self, version: Version) -> None:
        for site in (self.kept, self.fresh):
            site.store.append(version)

    def guids(self) -> list[str]:
        return [f"urn:test:memo:{n}" for n in range(self.stories)]

    @rule(
        topic=st.sampled_from(TOPICS),
        back=st.sampled_from([0, 0, 0, 3, 30, 80]),  # hours: today, or days ago
        ahead=st.sampled_from([0, 0, 0, 2]),  # hours: dated ahead
        embargo=st.sampled_from([None, None, 1, 40]),  # hours ahead
    )
    def ingest(self, topic: str, back: int, ahead: int, embargo: int | None) -> None:
        moment = self.now - timedelta(hours=back) + timedelta(hours=ahead)
        self.append(
            Version(
                guid=f"urn:test:memo:{self.stories}",
                headline=f"Story {self.stories}",
                body=f"<p>Text of story {self.stories}.</p>",
                version_created=moment,
                first_created=moment,
                subjects=(Subject(topic, "topic"),),
                embargo_until=None
                if embargo is None
                else self.now + timedelta(hours=embargo),
            )
        )
        self.stories += 1

    @rule(data=st.data(), kill=st.booleans(), ahead=st.sampled_from([0, 0, 3]))
    def change(self, data: st.DataObject, kill: bool, ahead: int) -> None:
        if not self.stories:
            return
        guid = data.draw(st.sampled_from(self.guids()))
        latest = self.kept.store.get(guid)
        if latest.status is PubStatus.CANCELED:
            return
        moment = max(self.now, latest.version_created) + timedelta(
            minutes=1, hours=ahead
        )
        new = (
            replace(latest, version=0, status=PubStatus.CANCELED)
            if kill
            else replace(
                latest,
                version=0,
                body=f"<p>Corrected {guid} at {moment:%H%M}.</p>",
                is_correction=True,
            )
        )
        self.append(replace(new, version_created=moment))

    @rule(hours=st.sampled_from([0.25, 1, 5, 13, 26]))
    def time_passes(self, hours: float) -> None:
        self.now += timedelta(hours=hours)

    @rule()
    def publish(self) -> None:
        kept = self.long_lived.publish_all(self.kept.feeds, at=self.now)
        fresh_publisher = Publisher(
            self.fresh.settings, self.fresh.store, clock=lambda: self.now
        )
        try:
            fresh = fresh_publisher.publish_all(self.fresh.feeds, at=self.now)
        finally:
            fresh_publisher.close()
        assert [r.outcome for r in kept.results] == [r.outcome for r in fresh.results]
        assert kept.exit_code == fresh.exit_code == 0, kept.line()

    @invariant()
    def same_documents(self) -> None:
        kept, fresh = self.kept.documents(), self.fresh.documents()
        assert sorted(kept) == sorted(fresh)
        different = [key for key in kept if kept[key] != fresh[key]]
        assert different == []


Equivalence.TestCase.settings = settings(
    max_examples=60 if LONG else 25,
    stateful_step_count=40 if LONG else 12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestMemoEquivalence = Equivalence.TestCase
