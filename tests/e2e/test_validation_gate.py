"""The gate end to end: a feed whose rendering is invalid is not written (its
previous published version stays), the other feeds are, and the command ends
with a summary and exit code 4."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from conftest import write_config

from syndication.articles.model import Subject, Version
from syndication.cli import cli
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.render.registry import render_edition
from syndication.store import open_store

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FEED = """id = "{id}"
partner = "Partner {id}"
title = "Feed {id}"
description = "Stories on {qcode}"
link = "https://{id}.example/"

[selection]
subjects = ["{qcode}"]
"""


def site(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for feed_id, qcode in (("good", "medtop:06000000"), ("bad", "medtop:16000000")):
        (feeds / f"{feed_id}.toml").write_text(FEED.format(id=feed_id, qcode=qcode))
    config = write_config(tmp_path, feeds_dir=feeds)
    store = open_store(load_settings(config).store_url)
    for n, qcode in enumerate(("medtop:06000000", "medtop:16000000")):
        store.append(
            Version(
                guid=f"urn:test:{n}",
                headline=f"Story {n}",
                body="<p>Clean body.</p>",
                version_created=T0,
                first_created=T0,
                subjects=(Subject(qcode, "topic"),),
            )
        )
    store.close()
    return config


def publish(config: Path, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        cli,
        ["--config", str(config), "publish", "--at", "2026-11-27T12:00:00Z", *extra],
    )


def quarantined_keys(config: Path) -> list[tuple[str, str]]:
    """(feed, key) of the ledger's quarantine rows, read from the SQLite file."""
    url = load_settings(config).store_url
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
        rows = db.execute(
            "SELECT feed_id, key FROM published_documents "
            "WHERE action = 'quarantined' ORDER BY id"
        ).fetchall()
    return [(feed, key) for feed, key in rows]


def test_a_bad_story_is_quarantined_and_its_feed_still_goes_out(
    tmp_path: Path,
) -> None:
    config = site(tmp_path)
    first = publish(config)
    assert first.exit_code == 0, first.output
    public = tmp_path / "public"

    # A story reaches the store without going through ingest's checks: a
    # subject with no scheme, which NewsML-G2 cannot state.
    store = open_store(load_settings(config).store_url)
    bad = store.get("urn:test:1")
    store.append(
        replace(
            bad,
            headline="Story 1, updated",
            subjects=(*bad.subjects, Subject("noscheme", "topic")),
            version_created=T0 + timedelta(hours=1),
        )
    )
    good = store.get("urn:test:0")
    store.append(
        replace(
            good, headline="Story 0, updated", version_created=T0 + timedelta(hours=1)
        )
    )
    store.append(
        replace(
            bad,
            guid="urn:test:2",
            headline="Story 2",
            version_created=T0 + timedelta(hours=1),
        )
    )
    store.close()

    result = publish(config)
    assert result.exit_code == 4, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("bad → local: published") for line in lines)
    assert any(
        line.startswith("  quarantined urn:test:1 v2: ") and "noscheme" in line
        for line in lines
    )
    assert any(line.startswith("good → local: published") for line in lines)
    assert lines[-1].endswith(", 1 item(s) quarantined")
    rss = (public / "bad" / "rss.xml").read_bytes()
    assert b"Story 2" in rss  # the good story beside it goes out
    assert b"Story 1" not in rss
    assert b"Story 0, updated" in (public / "good" / "rss.xml").read_bytes()
    store = open_store(load_settings(config).store_url)
    runs = store.runs("bad", limit=1)
    store.close()
    assert quarantined_keys(config) == [("bad", "items/urn~3Atest~3A1/v2.xml")]
    assert runs[0].outcome == "published"
    assert runs[0].error.startswith("quarantined 1 item(s): urn:test:1 v2: ")
    status = CliRunner().invoke(cli, ["--config", str(config), "status", "--json"])
    rows = {row["feed"]: row for row in json.loads(status.stdout)["feeds"]}
    assert rows["bad"]["error"].startswith("quarantined 1 item(s): urn:test:1 v2")
    history = CliRunner().invoke(cli, ["--config", str(config), "history", "bad"])
    assert "quarantined 1 item(s): urn:test:1 v2" in history.stdout
    # A later tick with nothing new keeps showing what is left out.
    again = publish(config)
    assert again.exit_code == 0, again.output
    status = CliRunner().invoke(cli, ["--config", str(config), "status", "--json"])
    rows = {row["feed"]: row for row in json.loads(status.stdout)["feeds"]}
    assert rows["bad"]["outcome"] == "unchanged"
    assert rows["bad"]["error"].startswith("quarantined 1 item(s)")


def test_a_faulty_renderer_for_one_feed_is_stopped_by_the_gate(tmp_path: Path) -> None:
    config = site(tmp_path)
    settings = load_settings(config)
    store = open_store(settings.store_url)

    def render(edition):  # type: ignore[no-untyped-def]
        documents = render_edition(edition)
        if edition.feed.feed_id != "bad":
            return documents
        # Drop the credit line from the bad feed's RSS: a renderer bug.
        return [
            replace(
                d,
                body=d.body.replace(
                    b'role="publishing company"', b'role="photographer"'
                ),
            )
            if d.format == "rss"
            else d
            for d in documents
        ]

    publisher = Publisher(settings, store, render=render)
    feeds = list(load_feeds(settings.feeds_dir).feeds.values())
    summary = publisher.publish_all(feeds, at=T0 + timedelta(hours=3))
    outcomes = {r.feed_id: r.outcome for r in summary.results}
    assert outcomes == {"bad": "invalid", "good": "published"}
    assert summary.exit_code == 4
    bad = next(r for r in summary.results if r.feed_id == "bad")
    assert {p.rule for p in bad.report.problems} == {"credit-line-present"}
    assert not (tmp_path / "public" / "bad").exists()
    assert (tmp_path / "public" / "good" / "rss.xml").is_file()
    store.close()


def test_a_hostile_story_that_bypassed_ingest_is_published_clean(
    tmp_path: Path,
) -> None:
    """Nothing in a story freezes its feed: markup in one-line fields is shown
    as text, a body is cleaned by the ingest allow-list, a link of another
    scheme is replaced by the agency's address."""
    config = site(tmp_path)
    store = open_store(load_settings(config).store_url)
    story = store.get("urn:test:1")
    store.append(
        replace(
            story,
            headline="How a <script> tag in an ad leaked data",
            summary='<img src=x onerror="alert(1)"> & more',
            body="<p>Body.</p><script>steal()</script><svg><style><img src=x "
            "onerror=alert(2)></style></svg>",
            link="javascript:alert(3)",
            version_created=T0 + timedelta(hours=1),
        )
    )
    store.close()
    result = publish(config)
    assert result.exit_code == 0, result.output
    rss = (tmp_path / "public" / "bad" / "rss.xml").read_bytes()
    assert b"How a &amp;lt;script&amp;gt; tag in an ad leaked data" in rss
    assert b"&amp;lt;img src=x onerror=" in rss
    assert b"steal()" not in rss and b"alert(2)" not in rss
    assert b"javascript:" not in rss
    for name in ("atom.xml", "newsml.xml"):
        document = (tmp_path / "public" / "bad" / name).read_bytes()
        assert b"How a &lt;script&gt; tag in an ad leaked data" in document
        assert b"steal()" not in document and b"javascript:" not in document
