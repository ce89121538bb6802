"""A publish spread over worker processes (syndication.parallel): the same
documents byte for byte and the same ledger as one process, the workers'
log lines in the parent's log, and the command's --processes option."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_config

from syndication.articles.model import PubStatus, Subject, Version
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.parallel import AUTO_MIN_FEEDS, worker_count
from syndication.publish import Publisher
from syndication.store import open_store

pytestmark = pytest.mark.slow

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=6)
TOPICS = ["medtop:06000000", "medtop:07000000", "medtop:11000000"]


def make_site(root: Path) -> Path:
    """Six feeds over three topics; stories, a correction and a kill."""
    feeds = root / "feeds"
    feeds.mkdir(parents=True)
    for n in range(6):
        (feeds / f"feed-{n}.toml").write_text(
            f'id = "feed-{n}"\npartner = "Partner {n}"\ntitle = "Feed {n}"\n'
            f'description = "Stories"\nlink = "https://p{n}.example/"\n'
            f'formats = ["rss", "atom", "newsml"]\n'
            f'[selection]\nsubjects = ["{TOPICS[n % 3]}"]\n',
            "utf-8",
        )
    config = write_config(root, feeds_dir=feeds)
    store = open_store(load_settings(config).store_url)
    try:
        for n in range(24):
            store.append(
                Version(
                    guid=f"urn:test:par:{n}",
                    headline=f"Story {n}",
                    body=f"<p>Body of story {n}.</p>",
                    version_created=T0 + timedelta(minutes=n),
                    first_created=T0 + timedelta(minutes=n),
                    subjects=(Subject(TOPICS[n % 3], "topic"),),
                )
            )
        killed = store.get("urn:test:par:4")
        store.append(
            Version(
                guid=killed.guid,
                headline="",
                body="",
                version_created=T0 + timedelta(hours=2),
                first_created=killed.first_created,
                subjects=killed.subjects,
                status=PubStatus.CANCELED,
            )
        )
    finally:
        store.close()
    return config


def publish(config: Path, processes: int) -> tuple[dict[str, bytes], list[str]]:
    """Every feed as of AT: the documents written (the face aside: it shows
    when it was written) and each feed's ledger outcomes."""
    settings = load_settings(config)
    store = open_store(settings.store_url)
    publisher = Publisher(settings, store)
    try:
        feeds = list(load_feeds(settings.feeds_dir).feeds.values())
        summary = publisher.publish_all(feeds, at=AT, processes=processes)
        assert summary.exit_code == 0, summary.line()
        outcomes = [
            f"{feed.feed_id}:{run.outcome}"
            for feed in feeds
            for run in store.runs(feed.feed_id, limit=10)
        ]
    finally:
        publisher.close()
        store.close()
    public = config.parent / "public"
    documents = {
        path.relative_to(public).as_posix(): path.read_bytes()
        for path in public.rglob("*")
        if path.is_file() and path.name not in {"index.html", "feeds.opml"}
    }
    return documents, outcomes


def test_worker_processes_write_what_one_process_writes(tmp_path: Path) -> None:
    alone, alone_runs = publish(make_site(tmp_path / "one"), processes=1)
    spread, spread_runs = publish(make_site(tmp_path / "two"), processes=2)
    assert len(alone) > 6 * 5
    assert spread == alone
    assert spread_runs == alone_runs == [f"feed-{n}:published" for n in range(6)]
    # The kill reached the feeds that carried the story, in both.
    assert any(b"urn:test:par:4" in body for body in spread.values())
    assert not any(b"Body of story 4" in body for body in spread.values())


def test_worker_log_lines_reach_the_parents_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_site(tmp_path)
    with caplog.at_level(logging.INFO, logger="syndication"):
        publish(config, processes=2)
    published = {
        record.getMessage().split()[1]
        for record in caplog.records
        if record.name == "syndication.publish" and "published" in record.getMessage()
    }
    assert published == {f"feed-{n}" for n in range(6)}


def test_the_publish_command_spreads_feeds_over_processes(tmp_path: Path) -> None:
    config = make_site(tmp_path)

    def publish_command() -> list[dict[str, object]]:
        result = subprocess.run(
            [sys.executable, "-m", "syndication", "--config", str(config),
             "publish", "--processes", "2", "--json", "--at", AT.isoformat()],
            capture_output=True,
            text=True,
            timeout=240,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        feeds: list[dict[str, object]] = json.loads(result.stdout)["feeds"]
        return feeds

    report = publish_command()
    assert sorted(str(feed["feed"]) for feed in report) == [
        f"feed-{n}" for n in range(6)
    ]
    assert {feed["outcome"] for feed in report} == {"published"}
    assert {feed["outcome"] for feed in publish_command()} == {"unchanged"}


def test_how_many_workers() -> None:
    assert worker_count(1, 500) == 1
    assert worker_count(4, 3) == 3  # never more than the feeds
    assert worker_count(0, AUTO_MIN_FEEDS - 1) == 1  # too few to be worth it
    assert worker_count(0, 1_000) >= 1
