"""publish, build, replay, status and history on the local destination."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_config

from syndication.articles.model import Subject, Version
from syndication.cli import cli
from syndication.config import load_settings
from syndication.store import open_store

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FEED = """id = "alpha"
partner = "Partner Alpha"
title = "Feed alpha"
description = "Environment stories"
link = "https://alpha.example/"

[selection]
subjects = ["medtop:06000000"]
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "alpha.toml").write_text(FEED, encoding="utf-8")
    path = write_config(tmp_path, feeds_dir=feeds)
    store = open_store(load_settings(path).store_url)
    for n in range(2):
        store.append(
            Version(
                guid=f"urn:test:{n}",
                headline=f"Story {n}",
                body=f"<p>Body {n}.</p>",
                version_created=T0 + timedelta(minutes=n),
                first_created=T0 + timedelta(minutes=n),
                subjects=(Subject("medtop:06000000", "environment"),),
            )
        )
    store.close()
    return path


def run(config: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def test_dry_run_writes_nothing(config: Path, tmp_path: Path) -> None:
    result = run(config, "publish", "--dry-run", "--at", "2026-11-27T12:00:00Z")
    assert result.exit_code == 0, result.output
    assert (
        "alpha → local: dry-run, 6 would be written, 0 skipped, 2 item(s)"
        in result.stdout
    )
    assert "  would write alpha/rss.xml" in result.stdout
    assert not (tmp_path / "public").exists()
    assert run(config, "history").stdout == "no publish runs recorded\n"


def test_publish_then_status_and_history(config: Path, tmp_path: Path) -> None:
    first = run(config, "publish", "--at", "2026-11-27T12:00:00Z")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[-1] == (
        "1 feed(s) (1 published): 6 document(s) written, 0 skipped, 0 failed"
    )
    assert (tmp_path / "public" / "alpha" / "rss.xml").is_file()
    second = run(config, "publish", "--at", "2026-11-27T12:00:00Z", "--json")
    data = json.loads(second.stdout)
    assert data["feeds"][0]["outcome"] == "unchanged"
    assert (data["written"], data["skipped"]) == (0, 6)

    status = json.loads(run(config, "status", "--json").stdout)
    [row] = status["feeds"]
    assert (row["feed"], row["outcome"], row["items"], row["documents"]) == (
        "alpha",
        "unchanged",
        2,
        6,
    )
    history = json.loads(run(config, "history", "alpha", "--json").stdout)
    assert [(h["outcome"], h["written"], h["skipped"]) for h in history] == [
        ("unchanged", 0, 6),
        ("published", 6, 0),
    ]
    text = run(config, "history").stdout.splitlines()
    assert text[0].split() == [
        "RUN", "STARTED", "FEED", "DEST", "TRIGGER", "OUTCOME",
        "RUNS", "WRITTEN", "SKIPPED", "FAILED", "ITEMS",
    ]  # fmt: skip
    assert text[1].split()[2:] == [
        "alpha",
        "local",
        "manual",
        "unchanged",
        "1",
        "0",
        "6",
        "0",
        "2",
    ]


def test_build_writes_a_folder_without_the_ledger(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "built"
    result = run(
        config,
        "build",
        "--at",
        "2026-11-27T12:00:00Z",
        "--out",
        str(out),
        "--format",
        "rss",
    )
    assert result.exit_code == 0, result.output
    # RSS and the stylesheet it names; no face (build keeps no ledger).
    assert sorted(p.name for p in (out / "alpha").iterdir()) == ["feed.xsl", "rss.xml"]
    assert sorted(p.name for p in out.iterdir()) == ["alpha"]
    assert run(config, "history").stdout == "no publish runs recorded\n"
    again = run(config, "build", "--at", "2026-11-27T12:00:00Z", "--out", str(out))
    assert "alpha → build: published, 4 written, 2 skipped" in again.stdout
    ninjs = run(
        config, "build", "--at", "2026-11-27T12:00:00Z", "--out", str(out),
        "--format", "ninjs",
    )  # fmt: skip
    assert ninjs.exit_code == 0, ninjs.output
    document = json.loads((out / "alpha" / "ninjs.json").read_text(encoding="utf-8"))
    assert [a["uri"] for a in document["associations"]] == [
        "urn:test:1",
        "urn:test:0",
    ]


def test_replay_rebuilds_the_past_beside_the_live_feed(
    config: Path, tmp_path: Path
) -> None:
    store = open_store(load_settings(config).store_url)
    old = store.get("urn:test:0")
    from dataclasses import replace

    later = T0 + timedelta(hours=2)
    store.append(
        replace(
            old,
            guid="urn:test:late",
            headline="Story late",
            version_created=later,
            first_created=later,
        )
    )
    store.close()
    assert run(config, "publish", "--at", "2026-11-27T12:00:00Z").exit_code == 0
    live = (tmp_path / "public" / "alpha" / "rss.xml").read_bytes()
    assert b"Story late" in live
    result = run(config, "replay", "alpha", "--at", "2026-11-27T10:00:00Z")
    assert result.exit_code == 0, result.output
    replayed = tmp_path / "public" / "alpha" / "replay" / "20261127T100000Z" / "rss.xml"
    assert b"Story late" not in replayed.read_bytes()
    assert b"Story 0" in replayed.read_bytes()
    assert (tmp_path / "public" / "alpha" / "rss.xml").read_bytes() == live
    assert str(replayed.as_uri()) in result.stdout


def test_unknown_feed_is_exit_3(config: Path) -> None:
    result = run(config, "publish", "nope")
    assert result.exit_code == 3
    assert result.output == "Error: no feed 'nope'; defined feeds: alpha\n"


def test_a_bad_definition_does_not_stop_the_others(
    config: Path, tmp_path: Path
) -> None:
    (tmp_path / "feeds" / "broken.toml").write_text('id = "broken"\n', encoding="utf-8")
    result = run(config, "publish", "--at", "2026-11-27T12:00:00Z")
    assert result.exit_code == 3
    assert "alpha → local: published" in result.stdout
    assert "broken.toml [partner]: missing required value" in result.stderr


def test_feed_lock_on_postgresql_is_exclusive(postgres_url: str) -> None:
    from syndication.errors import LockHeld
    from syndication.locks import feed_lock

    first, second = open_store(postgres_url), open_store(postgres_url)
    try:
        with feed_lock(first, "alpha"):
            with (
                pytest.raises(LockHeld, match="feed alpha is locked"),
                feed_lock(second, "alpha", timeout=0.3),
            ):
                pass
            with feed_lock(second, "beta", timeout=0.3):
                pass
        with feed_lock(second, "alpha", timeout=0.3):
            pass
    finally:
        first.close()
        second.close()


def test_feed_lock_on_sqlite_is_exclusive(tmp_path: Path) -> None:
    from syndication.errors import LockHeld
    from syndication.locks import feed_lock

    url = f"sqlite:///{tmp_path / 's.db'}"
    first, second = open_store(url), open_store(url)
    with (
        feed_lock(first, "alpha"),
        pytest.raises(LockHeld),
        feed_lock(second, "alpha", timeout=0.2),
    ):
        pass
    with feed_lock(second, "alpha", timeout=0.2):
        pass
    first.close()
    second.close()


def test_status_shows_scheduler_and_pending_embargo_releases(config: Path) -> None:
    release = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    store = open_store(load_settings(config).store_url)
    store.append(
        Version(
            guid="urn:test:embargoed",
            headline="Embargoed",
            body="<p>Later.</p>",
            version_created=T0,
            first_created=T0,
            embargo_until=release,
            subjects=(Subject("medtop:06000000", "environment"),),
        )
    )
    store.close()
    data = json.loads(run(config, "status", "--json").stdout)
    assert data["scheduler"] == {"active": False, "holder": ""}
    assert data["pending_embargo_releases"] == [
        {
            "guid": "urn:test:embargoed",
            "release": release.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "feeds": ["alpha"],
        }
    ]
    text = run(config, "status").stdout.splitlines()
    assert "scheduler: not running" in text
    assert (
        f"embargo release {release.strftime('%Y-%m-%dT%H:%M:%SZ')}: "
        "urn:test:embargoed → alpha"
    ) in text


def test_status_and_history_text_exactly(config: Path) -> None:
    assert run(config, "status").stdout.splitlines() == [
        "FEED   DEST   LAST RUN  OUTCOME          DOCS  ITEMS  NEXT RUN",
        "alpha  local  -         never published     0      0  -",
        "scheduler: not running",
    ]
    assert run(config, "publish", "--at", "2026-11-27T12:00:00Z").exit_code == 0
    [entry] = json.loads(run(config, "history", "--json").stdout)
    assert entry == {
        "run_id": 1,
        "feed": "alpha",
        "destination": "local",
        "trigger": "manual",
        "started": entry["started"],
        "finished": entry["finished"],
        "outcome": "published",
        "written": 6,
        "skipped": 0,
        "failed": 0,
        "items": 2,
        "error": "",
        "repeats": 1,
    }
    started = entry["started"]
    assert datetime.strptime(started, "%Y-%m-%dT%H:%M:%SZ")  # UTC, to the second
    assert run(config, "history").stdout.splitlines() == [
        "RUN  STARTED               FEED   DEST   TRIGGER  OUTCOME    RUNS  WRITTEN  "
        "SKIPPED  FAILED  ITEMS",
        f"  1  {started}  alpha  local  manual   published     1        6        0"
        "       0      2",
    ]
    assert run(config, "status").stdout.splitlines()[1] == (
        f"alpha  local  {started}  published     6      2  -"
    )
    nope = run(config, "history", "nope")
    assert nope.exit_code == 3
    assert nope.stderr == (
        "Error: no feed 'nope' and no runs of it in the ledger; defined feeds: alpha\n"
    )


def test_status_is_a_health_check(config: Path, tmp_path: Path) -> None:
    assert run(config, "publish", "--at", "2026-11-27T12:00:00Z").exit_code == 0
    healthy = run(config, "status", "--json")
    assert healthy.exit_code == 0
    assert json.loads(healthy.stdout)["healthy"] is True
    # The destination goes away: the next run fails, and status says so.
    public = tmp_path / "public"
    public.rename(tmp_path / "gone")
    public.write_text("not a folder", encoding="utf-8")
    failed = run(config, "publish", "--force")
    assert failed.exit_code == 1
    sick = run(config, "status", "--json")
    assert sick.exit_code == 1
    assert json.loads(sick.stdout)["healthy"] is False
    text = run(config, "status")
    assert text.exit_code == 1
    assert text.stderr.endswith("unhealthy: alpha\n")


def test_json_outputs_are_one_document_each(config: Path) -> None:
    commands = [
        ("publish", "--at", "2026-11-27T12:00:00Z", "--json"),
        ("replay", "alpha", "--at", "2026-11-27T10:00:00Z", "--json"),
        ("history", "--json"),
        ("status", "--json"),
        ("publish", "--dry-run", "--json"),
    ]
    for command in commands:
        result = run(config, *command)
        assert result.exit_code == 0, (command, result.output)
        json.loads(result.stdout)


def test_expires_needs_a_destination_that_presigns(config: Path) -> None:
    result = run(config, "url", "alpha", "--expires", "1h")
    assert result.exit_code == 2
    assert (
        "Invalid value for --expires: a presigned URL needs an S3 destination; "
        "feed 'alpha' is published to the folder destination 'local'"
    ) in result.stderr


def test_url_of_a_local_feed(config: Path, tmp_path: Path) -> None:
    result = run(config, "url", "alpha", "--format", "atom")
    assert result.exit_code == 0, result.output
    assert result.stdout == (tmp_path / "public" / "alpha" / "atom.xml").as_uri() + "\n"
    too_long = run(config, "url", "alpha", "--expires", "8d")
    assert too_long.exit_code == 2
    assert (
        "Error: Invalid value for --expires: at most 7d (S3's limit)\n"
        in too_long.output
    )
    bad = run(config, "url", "alpha", "--expires", "soon")
    assert bad.exit_code == 2
    assert (
        "Error: Invalid value for --expires: expected a duration such as '15m', "
        "'12h' or '7d', got 'soon'\n"
    ) in bad.output
    first = run(config, "url", "alpha")
    assert first.stdout == (tmp_path / "public" / "alpha" / "rss.xml").as_uri() + "\n"
    absent = run(config, "url", "alpha", "--format", "ninjs")
    assert absent.exit_code == 2
    assert (
        "Error: Invalid value for --format: feed 'alpha' is not published as "
        "ninjs; its formats: rss, atom, newsml\n"
    ) in absent.output
    unknown = run(config, "url", "nope")
    assert unknown.exit_code == 3
    assert unknown.output == "Error: no feed 'nope'; defined feeds: alpha\n"


def test_json_logs_are_one_object_per_event(config: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "--log-format",
            "json",
            "publish",
            "--at",
            "2026-11-27T12:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stderr.splitlines()]
    [run_event] = [e for e in events if e.get("feed") == "alpha"]
    assert run_event["outcome"] == "published"
    assert run_event["level"] == "INFO"
    assert run_event["logger"] == "syndication.publish"
    assert isinstance(run_event["run_id"], int)
    assert run_event["written"] == 6
    assert run_event["elapsed_ms"] >= 0
