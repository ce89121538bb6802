"""The scheduler as a real subprocess (``python -m syndication --config X
scheduler``) against a temporary SQLite store and the machine's PostgreSQL,
publishing to the local destination (and to a moto S3 server).

Timeouts are generous and nothing asserts how long anything took: tests wait for
an observable state (ledger rows, log lines, files) and then check behaviour.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import write_config

from syndication.articles.model import Subject, Version
from syndication.destinations.base import encode_segment
from syndication.store import open_store

OK = {"published", "unchanged"}  # ledger outcomes of a successful run
WAIT = 90.0  # seconds; generous for a loaded CI machine
HEALTH = Subject("medtop:07000000", "health")
CLIMATE = Subject("medtop:06000000", "environment")


# -- helpers (also used by test_push.py) ----------------------------------------


@dataclass
class Site:
    root: Path
    config: Path
    feeds: Path
    public: Path
    store_url: str

    def store(self) -> Any:
        return open_store(self.store_url)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "syndication", "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{args} exited {result.returncode}: {result.stderr}")
        return result

    def runs(self, feed_id: str, trigger: str | None = None) -> list[Any]:
        store = self.store()
        try:
            found = store.runs(feed_id, limit=10_000)
        finally:
            store.close()
        return [r for r in found if trigger is None or r.trigger == trigger]

    def document(self, feed_id: str, name: str) -> str:
        path = self.public / feed_id / name
        return path.read_text(encoding="utf-8") if path.is_file() else ""


def count(runs: list[Any]) -> int:
    """How many runs ledger rows stand for (unchanged runs in a row share one)."""
    return sum(r.repeats for r in runs)


def make_site(root: Path, store_url: str | None = None, *, extra: str = "") -> Site:
    feeds = root / "feeds"
    feeds.mkdir(exist_ok=True)
    config = write_config(
        root,
        store_url=store_url,
        feeds_dir=feeds,
        extra="[scheduler]\nembargo_poll_seconds = 0.2\nmisfire_grace_seconds = 300\n"
        + extra,
    )
    url = store_url or f"sqlite:///{root / 'store.db'}"
    return Site(root, config, feeds, root / "public", url)


def write_feed(
    site: Site,
    feed_id: str,
    *,
    subject: str = "medtop:07000000",
    schedule: str = 'interval = "1h"',
    destination: str = "",
    limit: int = 50,
) -> None:
    text = (
        f'id = "{feed_id}"\npartner = "Partner {feed_id}"\ntitle = "{feed_id} news"\n'
        f'description = "Stories for {feed_id}"\nlink = "https://partner.example/{feed_id}"\n'
        f'limit = {limit}\n[selection]\nsubjects = ["{subject}"]\n'
    )
    if schedule:
        text += f"[schedule]\n{schedule}\n"
    if destination:
        text += f'[destination]\nname = "{destination}"\n'
    (site.feeds / f"{feed_id}.toml").write_text(text, encoding="utf-8")


def story(guid: str, *, subject: Subject = HEALTH, **changes: Any) -> Version:
    now = datetime.now(UTC)
    base = Version(
        guid=guid,
        headline=f"Test story {guid.rsplit(':', 1)[-1]}",
        body="<p>A first paragraph written for the test.</p>",
        version_created=now,
        first_created=now,
        subjects=(subject,),
        keywords=("test",),
        urgency=4,
        provider="Test Desk",
    )
    return replace(base, **changes)


def add(site: Site, *versions: Version) -> None:
    store = site.store()
    try:
        for version in versions:
            store.append(version)
    finally:
        store.close()


def eventually(predicate: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class SchedulerProcess:
    """``syndication scheduler`` in a subprocess, its stderr in a file."""

    def __init__(self, site: Site, name: str = "scheduler", *options: str) -> None:
        self.log_path = site.root / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "syndication",
                "--config",
                str(site.config),
                "scheduler",
                *options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            cwd=site.root,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, timeout: float = WAIT) -> None:
        eventually(
            lambda: text in self.log or self.process.poll() is not None,
            f"{text!r} in the scheduler log",
            timeout,
        )
        assert text in self.log, f"scheduler exited {self.process.poll()}:\n{self.log}"

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=WAIT)
        finally:
            self._log.close()
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)
        self._log.close()


@pytest.fixture
def schedulers() -> Iterator[list[SchedulerProcess]]:
    started: list[SchedulerProcess] = []
    yield started
    for process in started:
        process.kill()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.external_service),
    ]
)
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Site:
    if request.param == "sqlite":
        return make_site(tmp_path)
    return make_site(tmp_path, str(request.getfixturevalue("postgres_url")))


def item_files(site: Site, feed_id: str) -> list[Path]:
    """The item documents at the destination (its shared items folder: every
    feed's, ``feed_id``'s among them)."""
    folder = site.public / "items"
    return (
        sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    )


# -- tests ------------------------------------------------------------------------


def test_interval_feed_publishes_repeatedly_and_stops_cleanly(site: Site, schedulers):
    write_feed(site, "health", schedule='interval = "2s"')
    add(site, story("urn:test:s1"))
    scheduler = SchedulerProcess(site)
    schedulers.append(scheduler)
    eventually(
        lambda: (
            count([r for r in site.runs("health", "schedule") if r.outcome in OK]) >= 3
        ),
        "three scheduled publishes",
    )
    assert scheduler.stop() == 0
    assert "urn:test:s1" in site.document("health", "rss.xml")
    assert "scheduler stopped" in scheduler.log
    assert all(r.outcome != "running" for r in site.runs("health"))


def test_sigterm_mid_run_finishes_the_publish_and_exits_0(tmp_path: Path, schedulers):
    site = make_site(tmp_path)
    write_feed(site, "health", schedule='interval = "2s"', limit=400)
    add(site, *[story(f"urn:test:bulk-{n:03d}") for n in range(400)])
    scheduler = SchedulerProcess(site)
    schedulers.append(scheduler)
    eventually(
        lambda: any(r.outcome == "running" for r in site.runs("health")),
        "a publish in progress",
    )
    assert scheduler.stop(signal.SIGTERM) == 0
    runs = site.runs("health")
    assert runs, "no run was recorded"
    assert all(r.outcome in OK for r in runs), [(r.outcome, r.error) for r in runs]
    assert "SIGTERM received: stopping" in scheduler.log
    # The whole feed is there: every item it lists is, and no temporary file is left.
    rss = site.document("health", "rss.xml")
    assert rss.count("<item>") == 400
    assert not [p for p in site.public.rglob("*") if p.name.startswith(".tmp")]


def test_restart_keeps_next_run_times(site: Site, schedulers):
    from syndication.config import load_settings
    from syndication.schedule import scheduler_status

    write_feed(site, "health", schedule='interval = "1h"')
    write_feed(site, "daily", schedule='cron = "0 6 * * *"\ntimezone = "Asia/Tokyo"')
    first = SchedulerProcess(site, "first")
    schedulers.append(first)
    first.wait_for("scheduler running")
    settings = load_settings(site.config)
    store = site.store()
    before = scheduler_status(settings, store)
    assert before.is_active is True
    assert set(before.next_runs) == {"daily", "health"}
    assert all(before.next_runs.values())
    assert first.stop() == 0
    assert scheduler_status(settings, store).is_active is False

    second = SchedulerProcess(site, "second")
    schedulers.append(second)
    second.wait_for("scheduler running")
    after = scheduler_status(settings, store)
    assert after.next_runs == before.next_runs
    assert "schedule added" not in second.log
    assert second.stop() == 0
    store.close()


def test_embargoed_story_appears_only_after_its_release(site: Site, schedulers):
    write_feed(site, "health", schedule='interval = "2s"')
    add(site, story("urn:test:open"))
    scheduler = SchedulerProcess(site)
    schedulers.append(scheduler)
    eventually(lambda: site.runs("health", "schedule"), "a first publish")
    release = datetime.now(UTC) + timedelta(seconds=6)
    add(site, story("urn:test:held", embargo_until=release))
    # Watch every index as it is written, until the story shows up.
    seen: list[tuple[datetime, str, str]] = []

    def observe() -> bool:
        for name in ("rss.xml", "atom.xml", "newsml.xml"):
            seen.append((datetime.now(UTC), name, site.document("health", name)))
        return any("urn:test:held" in text for _, _, text in seen[-3:])

    eventually(observe, "the embargoed story in the feed")
    for moment, name, text in seen:
        if moment < release:
            assert "urn:test:held" not in text, f"{name} carried it at {moment}"
    held_items = [
        p
        for p in item_files(site, "health")
        if encode_segment("urn:test:held") in str(p)
    ]
    assert held_items
    for path in item_files(site, "health"):
        if path.stat().st_mtime < release.timestamp():
            assert "urn:test:held" not in path.read_text(encoding="utf-8"), path
    eventually(lambda: site.runs("health", "embargo"), "the embargo-release run")
    assert scheduler.stop() == 0


def test_second_scheduler_on_sqlite_refuses(tmp_path: Path, schedulers):
    site = make_site(tmp_path)
    write_feed(site, "health")
    first = SchedulerProcess(site)
    schedulers.append(first)
    first.wait_for("scheduler running")
    second = site.run("scheduler", check=False)
    assert second.returncode == 1
    holder = f"pid {first.process.pid} on {os.uname().nodename}"
    assert second.stderr.endswith(
        f"Error: the scheduler of store {site.store_url} is locked by another process "
        f"(held by {holder}); try again when it finishes\n"
    )
    assert first.stop() == 0


def test_push_while_the_scheduler_runs_updates_exactly_the_affected_feeds(
    site: Site, schedulers
):
    write_feed(site, "health")
    write_feed(site, "climate", subject="medtop:06000000")
    scheduler = SchedulerProcess(site)
    schedulers.append(scheduler)
    scheduler.wait_for("scheduler running")
    add(site, story("urn:test:pushed"))
    result = site.run("push", "urn:test:pushed", "--wait")
    assert result.stdout.splitlines()[0].startswith("health: ok, ")
    assert result.stdout.splitlines()[-1].startswith(
        "pushed urn:test:pushed (version 1) to 1 feed in "
    )
    assert [r.trigger for r in site.runs("health")] == ["push"]
    assert site.runs("climate") == []
    assert "urn:test:pushed" in site.document("health", "rss.xml")
    assert not (site.public / "climate").exists()
    assert scheduler.stop() == 0


def test_kill_removes_the_story_and_emits_tombstone_and_canceled_item(
    site: Site, schedulers
):
    write_feed(site, "health")
    scheduler = SchedulerProcess(site)
    schedulers.append(scheduler)
    scheduler.wait_for("scheduler running")
    add(site, story("urn:test:doomed"), story("urn:test:stays"))
    site.run("push", "urn:test:doomed", "--wait")
    assert "urn:test:doomed" in site.document("health", "rss.xml")
    result = site.run("articles", "kill", "urn:test:doomed", "--reason", "Legal advice")
    assert "health: ok" in result.stdout
    rss, atom = site.document("health", "rss.xml"), site.document("health", "atom.xml")
    assert "urn:test:doomed" not in rss
    assert "urn:test:stays" in rss
    assert "deleted-entry" in atom
    assert 'ref="urn:test:doomed"' in atom
    canceled = [
        p
        for p in item_files(site, "health")
        if "urn:test:doomed" in (text := p.read_text(encoding="utf-8"))
        and "stat:canceled" in text
    ]
    assert canceled, "no canceled NewsML-G2 item was written"
    assert scheduler.stop() == 0


@pytest.mark.external_service
def test_two_schedulers_on_postgres_never_double_publish_and_fail_over(
    tmp_path: Path, postgres_url: str, schedulers
):
    site = make_site(tmp_path, postgres_url)
    write_feed(site, "health", schedule='interval = "2s"')
    add(site, story("urn:test:ha"))
    first = SchedulerProcess(site, "first")
    schedulers.append(first)
    first.wait_for("this process is the active scheduler")
    second = SchedulerProcess(site, "second")
    schedulers.append(second)
    second.wait_for("standing by to take over")
    eventually(lambda: count(site.runs("health")) >= 4, "four publishes")
    first.kill()  # SIGKILL: no chance to clean up; the server drops its lock
    killed_at = datetime.now(UTC)
    assert "publishing feed" not in second.log
    before = count(site.runs("health"))
    second.wait_for("this process is the active scheduler")
    eventually(
        lambda: [
            r
            for r in site.runs("health")
            if r.last_time > killed_at and r.outcome in OK
        ],
        "a publish by the standby",
    )
    assert second.stop() == 0
    runs = sorted(site.runs("health"), key=lambda r: r.started)
    assert count(runs) > before
    publishes = first.log.count("publishing feed health") + second.log.count(
        "publishing feed health"
    )
    assert count(runs) == publishes  # one ledger run per publish: none doubled
    finished = [r for r in runs if r.finished is not None]
    for earlier, later in itertools.pairwise(finished):
        assert earlier.finished <= later.started, "two publishes of one feed overlapped"


@pytest.mark.external_service
def test_scheduler_publishes_to_s3(tmp_path: Path, moto_server, s3_env, schedulers):
    import boto3

    pytest.importorskip("syndication.destinations.s3")
    bucket = "sched-test"
    client = boto3.client("s3", endpoint_url=moto_server.endpoint_url)
    client.create_bucket(Bucket=bucket)
    site = make_site(
        tmp_path,
        extra=f'[destinations.s3]\ntype = "s3"\nbucket = "{bucket}"\n'
        f'endpoint_url = "{moto_server.endpoint_url}"\nregion = "us-east-1"\n',
    )
    write_feed(site, "health", schedule='interval = "2s"', destination="s3")
    add(site, story("urn:test:s3"))
    scheduler = SchedulerProcess(site)
    schedulers.append(scheduler)
    eventually(
        lambda: count([r for r in site.runs("health") if r.outcome in OK]) >= 2,
        "two publishes to S3",
    )
    assert scheduler.stop() == 0
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    rss_key = next(k for k in keys if k.endswith("health/rss.xml"))
    body = client.get_object(Bucket=bucket, Key=rss_key)["Body"].read().decode()
    assert "urn:test:s3" in body


def test_sighup_reloads_feed_definitions(site: Site, schedulers):
    write_feed(site, "health", schedule='interval = "1h"')
    add(site, story("urn:test:h1"))
    scheduler = SchedulerProcess(site)
    schedulers.append(scheduler)
    scheduler.wait_for("scheduler running")
    write_feed(site, "extra", schedule='interval = "2s"')
    scheduler.process.send_signal(signal.SIGHUP)
    eventually(lambda: site.runs("extra", "schedule"), "the new feed's first publish")
    assert "reloading feed definitions" in scheduler.log
    assert scheduler.stop() == 0
