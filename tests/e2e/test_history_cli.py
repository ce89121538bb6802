"""history over a ledger with summarised unchanged runs: the repeat count, and
the filters by outcome and time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_config

from syndication.cli import cli
from syndication.config import load_settings
from syndication.store import open_store
from syndication.store.base import RunRecord

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FEED = """id = "{id}"
partner = "Partner"
title = "Feed {id}"
description = "Stories"
link = "https://partner.example/"
"""


def ledger_run(feed_id: str, outcome: str, minutes: int) -> RunRecord:
    at = T0 + timedelta(minutes=minutes)
    return RunRecord(
        run_id=0,
        feed_id=feed_id,
        started=at,
        finished=at + timedelta(seconds=1),
        destination="local",
        outcome=outcome,
        written=5 if outcome == "published" else 0,
        skipped=5 if outcome == "unchanged" else 0,
        failed=1 if outcome == "failed" else 0,
        items=2,
        error="destination down" if outcome == "failed" else "",
        trigger="schedule",
        fingerprint="f" * 64,
        state=str(minutes),
        edition_at=at,
        prefix=feed_id,
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for feed_id in ("alpha", "beta"):
        (feeds / f"{feed_id}.toml").write_text(
            FEED.format(id=feed_id), encoding="utf-8"
        )
    path = write_config(tmp_path, feeds_dir=feeds)
    store = open_store(load_settings(path).store_url)
    try:
        store.record_runs([ledger_run("alpha", "published", 0)])  # run 1
        for minutes in (1, 2, 3):  # run 2, three runs
            store.record_runs([ledger_run("alpha", "unchanged", minutes)])
        store.record_runs([ledger_run("alpha", "failed", 10)])  # run 3
        store.record_runs([ledger_run("beta", "invalid", 20)])  # run 4
    finally:
        store.close()
    return path


def history(config: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--config", str(config), "history", *args])


def ids(result) -> list[int]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return [run["run_id"] for run in json.loads(result.stdout)]


def test_a_summary_row_shows_its_runs_and_last_time(config: Path) -> None:
    result = history(config, "alpha")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "RUN  STARTED               FEED   DEST   TRIGGER   OUTCOME    RUNS  WRITTEN  "
        "SKIPPED  FAILED  ITEMS",
        "  3  2026-11-27T09:10:00Z  alpha  local  schedule  failed        1        0  "
        "      0       1      2  destination down",
        "  2  2026-11-27T09:01:00Z  alpha  local  schedule  unchanged     3        0  "
        "      5       0      2  last 2026-11-27T09:03:01Z",
        "  1  2026-11-27T09:00:00Z  alpha  local  schedule  published     1        5  "
        "      0       0      2",
    ]
    [summary] = [
        r for r in json.loads(history(config, "--json").stdout) if r["run_id"] == 2
    ]
    assert (summary["repeats"], summary["started"], summary["finished"]) == (
        3,
        "2026-11-27T09:01:00Z",
        "2026-11-27T09:03:01Z",
    )


def test_filter_by_outcome(config: Path) -> None:
    assert ids(history(config, "--outcome", "failed", "--json")) == [3]
    assert ids(
        history(config, "--outcome", "failed", "--outcome", "invalid", "--json")
    ) == [4, 3]
    assert ids(history(config, "beta", "--outcome", "invalid", "--json")) == [4]
    empty = history(config, "alpha", "--outcome", "invalid")
    assert (empty.exit_code, empty.stdout) == (0, "no publish runs match\n")


def test_filter_by_time_keeps_rows_going_on_in_the_span(config: Path) -> None:
    # The summary row spans 09:01:00 to 09:03:01: any moment inside finds it.
    assert ids(
        history(
            config,
            "--since",
            "2026-11-27T09:02:00Z",
            "--until",
            "2026-11-27T09:02:30Z",
            "--json",
        )
    ) == [2]
    # Any zone: 10:05 at +01:00 is 09:05 UTC.
    assert ids(history(config, "--since", "2026-11-27T10:05:00+01:00", "--json")) == [
        4,
        3,
    ]
    assert ids(history(config, "--until", "2026-11-27T09:00:30Z", "--json")) == [1]
    filtered = history(
        config, "alpha", "--since", "2026-11-27T09:00:30Z", "--outcome", "failed"
    )
    assert filtered.exit_code == 0, filtered.output
    assert [line.split()[0] for line in filtered.stdout.splitlines()[1:]] == ["3"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--since", "2026-11-27T09:00:00"),
            "Error: Invalid value for '--since': '2026-11-27T09:00:00' has no time "
            "zone; add Z or an offset such as +02:00\n",
        ),
        (
            ("--since", "2026-11-28T00:00:00Z", "--until", "2026-11-27T00:00:00Z"),
            "Error: Invalid value for '--since': --since 2026-11-28T00:00:00Z is "
            "after --until 2026-11-27T00:00:00Z\n",
        ),
        (
            ("--outcome", "ok"),
            "Error: Invalid value for '--outcome': 'ok' is not one of 'published', "
            "'unchanged', 'failed', 'invalid', 'interrupted', 'repaired', "
            "'running'.\n",
        ),
    ],
)
def test_bad_filters_are_usage_errors(config: Path, args, message) -> None:  # type: ignore[no-untyped-def]
    result = history(config, *args)
    assert result.exit_code == 2
    assert result.stderr.endswith(message)
