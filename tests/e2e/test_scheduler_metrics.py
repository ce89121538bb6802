"""The scheduler's /healthz and /metrics, scraped over HTTP from a real
scheduler subprocess on a free port of 127.0.0.1 (see test_scheduler.py for
how schedulers are started and stopped); values are read with the Prometheus
client's own parser."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from conftest import free_port
from prometheus_client.parser import text_string_to_metric_families
from test_scheduler import (
    SchedulerProcess,
    Site,
    add,
    eventually,
    make_site,
    story,
    write_feed,
)


@pytest.fixture
def schedulers() -> Iterator[list[SchedulerProcess]]:
    started: list[SchedulerProcess] = []
    yield started
    for process in started:
        process.kill()


def get(url: str) -> tuple[int, str, str]:
    """(status, content type, body) of a GET; 503 is an answer, not an error."""
    try:
        with urlopen(url, timeout=10) as response:
            return (
                response.status,
                response.headers["Content-Type"],
                response.read().decode("utf-8"),
            )
    except HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode("utf-8")


class Scrape:
    """One scrape of /metrics: sample name and labels → value."""

    def __init__(self, base: str) -> None:
        status, content_type, body = get(f"{base}/metrics")
        assert status == 200
        assert content_type.startswith("text/plain; version=0.0.4")
        self.values: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                key = (sample.name, frozenset(sample.labels.items()))
                self.values[key] = sample.value

    def value(self, name: str, **labels: str) -> float:
        return self.values.get((name, frozenset(labels.items())), 0.0)


def health(base: str) -> tuple[int, dict[str, Any]]:
    status, content_type, body = get(f"{base}/healthz")
    assert content_type == "application/json"
    return status, json.loads(body)


def start(site: Site, schedulers: list[SchedulerProcess], name: str) -> str:
    scheduler = SchedulerProcess(site, name)
    schedulers.append(scheduler)
    scheduler.wait_for("serving /healthz and /metrics on http://")
    line = next(
        line for line in scheduler.log.splitlines() if "serving /healthz" in line
    )
    return line.rsplit(" on ", 1)[1].strip()


def metrics_site(root: Path, store_url: str | None = None) -> tuple[Site, int]:
    port = free_port()
    site = make_site(root, store_url, extra=f'metrics_address = "127.0.0.1:{port}"\n')
    return site, port


def test_health_and_metrics_follow_the_scheduler_s_runs(
    tmp_path: Path, schedulers: list[SchedulerProcess]
) -> None:
    site, port = metrics_site(tmp_path)
    write_feed(site, "health", schedule='interval = "2s"')
    add(site, story("urn:test:m1"))
    base = start(site, schedulers, "scheduler")
    assert base == f"http://127.0.0.1:{port}"
    schedulers[0].wait_for("scheduler running")

    status, verdict = health(base)
    assert status == 200, verdict
    assert (verdict["status"], verdict["role"], verdict["store"]) == (
        "ok",
        "leader",
        {"reachable": True, "error": ""},
    )
    assert verdict["tick_age_seconds"] <= verdict["max_tick_age_seconds"] == 60.0
    assert verdict["last_tick"].endswith("Z") and verdict["problems"] == []

    first = eventually(
        lambda: (
            (s := Scrape(base)).value(
                "syndication_runs_total", feed="health", outcome="unchanged"
            )
            >= 1
            and s
        ),
        "a published and an unchanged run counted",
    )
    assert (
        first.value("syndication_runs_total", feed="health", outcome="published") == 1
    )
    assert first.value("syndication_runs_total", feed="health", outcome="failed") == 0
    written = first.value("syndication_documents_written_total", feed="health")
    assert written == 5  # three indexes, the story's NewsML-G2 item, feed.xsl
    runs = first.value("syndication_publish_duration_seconds_count", feed="health")
    assert runs >= 2
    assert first.value("syndication_scheduler_leader") == 1
    assert first.value("syndication_scheduler_last_tick_timestamp_seconds") > (
        time.time() - 60
    )
    assert first.value("process_resident_memory_bytes") > 0

    # A new story: the next run writes, and the counters move.
    add(site, story("urn:test:m2"))
    later = eventually(
        lambda: (
            (s := Scrape(base)).value(
                "syndication_runs_total", feed="health", outcome="published"
            )
            >= 2
            and s
        ),
        "the second publish counted",
    )
    assert later.value("syndication_documents_written_total", feed="health") == (
        written + 4  # three indexes again and the new item
    )
    assert (
        later.value("syndication_publish_duration_seconds_count", feed="health") > runs
    )
    assert later.value("syndication_documents_withdrawn_total", feed="health") == 0

    # An embargo: pending until its release, then its lag is observed.
    release = datetime.now(UTC) + timedelta(seconds=6)
    add(site, story("urn:test:m3", embargo_until=release))
    eventually(
        lambda: Scrape(base).value("syndication_embargo_releases_pending") == 1,
        "the release planned",
    )
    released = eventually(
        lambda: (
            (s := Scrape(base)).value(
                "syndication_embargo_release_lag_seconds_count", feed="health"
            )
            >= 1
            and s
        ),
        "the release's lag observed",
    )
    lag = released.value("syndication_embargo_release_lag_seconds_sum", feed="health")
    assert 0 <= lag < 30
    # The gauge follows the planned jobs at the scheduler's next tick.
    eventually(
        lambda: Scrape(base).value("syndication_embargo_releases_pending") == 0,
        "no release pending",
    )

    # Other paths answer 404; the scrape itself is quick.
    assert get(f"{base}/")[0] == 404
    started = time.monotonic()
    Scrape(base)
    health(base)
    assert time.monotonic() - started < 5
    assert schedulers[0].stop() == 0
    with pytest.raises(OSError):
        urlopen(f"{base}/healthz", timeout=5)


@pytest.mark.external_service
def test_a_standby_reports_itself_and_takes_over(
    tmp_path: Path, postgres_url: str, schedulers: list[SchedulerProcess]
) -> None:
    site, _ = metrics_site(tmp_path, postgres_url)
    write_feed(site, "health", schedule='interval = "2s"')
    leader = start(site, schedulers, "first")
    schedulers[0].wait_for("this process is the active scheduler")
    # The second scheduler shares the configuration: the command line gives
    # it an address of its own.
    standby_port = free_port()
    standby = SchedulerProcess(
        site, "second", "--metrics-address", f"127.0.0.1:{standby_port}"
    )
    schedulers.append(standby)
    standby.wait_for("standing by to take over")
    base = f"http://127.0.0.1:{standby_port}"
    status, verdict = health(base)
    assert status == 200, verdict
    assert (verdict["role"], verdict["store"]["reachable"]) == ("standby", True)
    assert verdict["last_tick"] is None  # a standby does not tick
    assert Scrape(base).value("syndication_scheduler_leader") == 0
    assert Scrape(leader).value("syndication_scheduler_leader") == 1

    schedulers[0].kill()
    standby.wait_for("this process is the active scheduler")
    status, verdict = eventually(
        lambda: (answer := health(base))[1]["role"] == "leader" and answer,
        "the standby leading",
    )
    assert status == 200, verdict
    assert Scrape(base).value("syndication_scheduler_leader") == 1
    assert standby.stop() == 0


def test_a_taken_address_stops_the_scheduler_with_a_message(
    tmp_path: Path, schedulers: list[SchedulerProcess]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        site = make_site(tmp_path, extra=f'metrics_address = "127.0.0.1:{port}"\n')
        write_feed(site, "health")
        result = site.run("scheduler", check=False)
    assert result.returncode == 1
    assert result.stderr.endswith(
        f"Error: cannot serve health and metrics on 127.0.0.1:{port}: Address "
        "already in use; choose another [scheduler] metrics_address (or "
        "--metrics-address) for this scheduler\n"
    )


def test_a_bad_metrics_address_is_a_usage_error(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = site.run("scheduler", "--metrics-address", "localhost", check=False)
    assert result.returncode == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--metrics-address': expected HOST:PORT (port 1 "
        "to 65535) such as 127.0.0.1:9464, or \"\" for off, got 'localhost'\n"
    )
