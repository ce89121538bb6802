"""Queue mode: real ``syndication worker`` processes on the machine's Redis,
publishing a temporary site (SQLite, and PostgreSQL where it is set), fed by
the scheduler, push and the enqueueing client.

Each test has its own queue name (its own queues and key prefix in Redis, all
deleted afterwards) and its own workers, each in a process group of its own
that the fixture always ends. Tests wait for observable states (ledger rows,
log lines, results) and assert behaviour, never durations.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from test_scheduler import (
    OK,
    WAIT,
    SchedulerProcess,
    Site,
    add,
    count,
    eventually,
    make_site,
    story,
    write_feed,
)

pytestmark = [pytest.mark.slow, pytest.mark.external_service]

# "feed health (push) ok on w1@host: 3 written, ..." (workqueue/jobs.py)
DONE = re.compile(r"feed (\S+) \((\w+)\) (\S+) on ([^:\s]+): ")


class WorkerProcess:
    """``syndication worker`` in a process group of its own, stderr in a file."""

    def __init__(self, site: Site, name: str, *options: str) -> None:
        self.name = name
        self.log_path = site.root / f"{name}.log"
        # Append mode: Celery's processes share the file, each at the end.
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "syndication",
                "--config",
                str(site.config),
                "worker",
                "--hostname",
                f"{name}@%h",
                *options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            cwd=site.root,
            start_new_session=True,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self) -> None:
        eventually(
            lambda: " ready." in self.log or self.process.poll() is not None,
            f"worker {self.name} ready",
        )
        assert " ready." in self.log, f"worker exited:\n{self.log}"

    def done(self) -> list[tuple[str, str, str]]:
        """(feed, trigger, outcome) of every job this worker finished."""
        return [m.group(1, 2, 3) for m in DONE.finditer(self.log)]

    def stop(self) -> int:
        """SIGTERM (warm shutdown: the job in progress finishes)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=WAIT)
        finally:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the whole group: the worker and its pool processes die
        at once, as with a machine that fails."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)
        self._log.close()


@pytest.fixture
def workers() -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.kill()


@pytest.fixture
def schedulers() -> Iterator[list[SchedulerProcess]]:
    started: list[SchedulerProcess] = []
    yield started
    for process in started:
        process.kill()


def queue_site(
    root: Path,
    broker: str,
    name: str,
    store_url: str | None = None,
    *,
    result_timeout: float = 60,
) -> Site:
    return make_site(
        root,
        store_url,
        extra=f'[queue]\nbroker = "{broker}"\nname = "{name}"\n'
        "visibility_timeout_seconds = 6\n"
        f"result_timeout_seconds = {result_timeout}\n",
    )


@pytest.fixture
def site(tmp_path: Path, redis_base_url: str, queue_name: str) -> Site:
    return queue_site(tmp_path, redis_base_url, queue_name)


def start(
    site: Site, workers: list[WorkerProcess], *names: str, concurrency: int = 1
) -> list[WorkerProcess]:
    started = [
        WorkerProcess(site, name, "--concurrency", str(concurrency)) for name in names
    ]
    workers.extend(started)
    for worker in started:
        worker.wait_ready()
    return started


def client(site: Site) -> Any:
    from syndication.config import load_settings
    from syndication.workqueue.enqueue import QueueClient

    return QueueClient(load_settings(site.config).queue)


def documents(site: Site, feed_id: str) -> list[Path]:
    folder = site.public / feed_id
    return sorted(p for p in folder.rglob("*") if p.is_file())


def assert_whole(site: Site, feed_id: str) -> None:
    """Nothing half-written: no temporary file; every XML document parses; every
    item an index links to is there (in the destination's shared items
    folder)."""
    files = documents(site, feed_id) + documents(site, "items")
    assert not [p for p in files if p.name.startswith(".tmp")]
    for path in files:
        if path.suffix == ".xml":
            ElementTree.parse(path)
    rss = ElementTree.parse(site.public / feed_id / "rss.xml")
    guids = [g.text or "" for g in rss.iter("guid")]
    assert guids
    items = (site.public / "items").iterdir()
    there = {p.name for p in items}
    from syndication.destinations.base import encode_segment

    for guid in guids:
        assert encode_segment(guid) in there, f"{guid} listed but not written"


# -- without a broker ---------------------------------------------------------------


@pytest.mark.parametrize("broker", ["", "unreachable"])
def test_worker_refuses_without_a_reachable_broker(tmp_path: Path, broker: str):
    from conftest import free_port

    url = f"redis://127.0.0.1:{free_port()}/0" if broker else ""
    site = queue_site(tmp_path, url, "nothing") if url else make_site(tmp_path)
    result = site.run("worker", check=False)
    if not url:
        assert result.returncode == 3
        assert result.stderr.endswith(
            f"Error: {site.config} [queue.broker]: no task queue is configured: set "
            '[queue] broker (e.g. "redis://127.0.0.1:6379/0") or '
            "$SYNDICATION_QUEUE_BROKER\n"
        )
    else:
        assert result.returncode == 1
        assert f"Error: queue broker {url}: cannot connect (" in result.stderr
        assert result.stderr.endswith("); is Redis running there?\n")


def test_single_process_mode_never_imports_celery(tmp_path: Path):
    site = make_site(tmp_path)
    write_feed(site, "health")
    add(site, story("urn:test:local"))
    probe = (
        "import sys\nfrom syndication.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'celery', 'kombu', 'redis'}))"
    )
    for args in (["--help"], ["push", "urn:test:local"], ["publish"]):
        result = subprocess.run(
            [sys.executable, "-c", probe, "--config", str(site.config), *args],
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )
        assert result.stdout.splitlines()[-1] == "[]", (args, result.stderr)
    assert "urn:test:local" in site.document("health", "rss.xml")


def test_push_reports_a_broker_it_cannot_reach(tmp_path: Path):
    from conftest import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    site = queue_site(tmp_path, url, "nothing")
    write_feed(site, "health")
    add(site, story("urn:test:nowhere"))
    result = site.run("push", "urn:test:nowhere", check=False)
    assert result.returncode == 1
    assert f"Error: queue broker {url}: cannot connect (" in result.stderr
    assert site.runs("health") == []


def test_push_with_no_worker_reports_its_feed_queued(
    tmp_path: Path, redis_base_url: str, queue_name: str
):
    site = queue_site(tmp_path, redis_base_url, queue_name, result_timeout=1)
    write_feed(site, "health")
    add(site, story("urn:test:waiting"))
    result = site.run("push", "urn:test:waiting", check=False)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("health: queued (")
    assert lines[1] == (
        f"  no worker finished it within 1 s; the job stays on {queue_name}.urgent "
        "(is a worker running?)"
    )
    # The job is still there: a worker started later publishes the feed.
    assert site.runs("health") == []


# -- with workers ---------------------------------------------------------------------


def test_a_tick_over_many_feeds_is_spread_over_the_workers(site: Site, workers):
    feed_ids = [f"feed{n:02d}" for n in range(20)]
    for feed_id in feed_ids:
        write_feed(site, feed_id)
    add(site, *[story(f"urn:test:t{n}") for n in range(8)])
    pool = start(site, workers, "w1", "w2", "w3")
    queue = client(site)
    try:
        from syndication.workqueue.app import Lane

        for feed_id in feed_ids:  # what the scheduler does at a tick
            queue.enqueue(feed_id, "schedule", Lane.BULK)
    finally:
        queue.close()
    eventually(
        lambda: (
            all(site.runs(feed_id) for feed_id in feed_ids)
            and sum(len(w.done()) for w in pool) == len(feed_ids)
        ),
        "every feed published",
    )
    by_worker = {w.name: [feed for feed, _, _ in w.done()] for w in pool}
    published = sorted(itertools.chain.from_iterable(by_worker.values()))
    assert published == feed_ids  # each feed once, by one worker
    assert sum(1 for feeds in by_worker.values() if feeds) >= 2, by_worker
    for feed_id in feed_ids:
        runs = site.runs(feed_id)
        assert [(r.trigger, r.outcome, r.repeats) for r in runs] == [
            ("schedule", "published", 1)
        ]
        assert "urn:test:t7" in site.document(feed_id, "rss.xml")


def test_one_feed_enqueued_many_times_is_never_published_twice_at_once(
    site: Site, workers
):
    write_feed(site, "health", limit=200)
    add(site, *[story(f"urn:test:c{n:03d}") for n in range(150)])
    start(site, workers, "w1", "w2", "w3", concurrency=2)
    queue = client(site)
    try:
        from syndication.workqueue.app import Lane

        jobs = [
            ("health", queue.enqueue("health", "push", Lane.URGENT, keep_result=True))
            for _ in range(6)
        ]
        results = queue.results(jobs, WAIT)
    finally:
        queue.close()
    assert [r.outcome for r in results] == ["ok"] * 6, results
    assert sum(r.written for r in results) > 0
    runs = sorted(site.runs("health"), key=lambda r: r.started)
    assert count(runs) == 6
    assert all(r.outcome in OK for r in runs)
    assert [r.outcome for r in runs].count("published") == 1
    for earlier, later in itertools.pairwise(runs):
        assert earlier.finished <= later.started, "two publishes of one feed overlapped"
    assert_whole(site, "health")


def pool_processes(pid: int) -> list[int]:
    """The worker's pool processes: its children (from /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


@pytest.mark.parametrize("what", ["worker", "pool-process"])
def test_a_worker_killed_mid_job_leaves_nothing_half_written_and_the_job_reruns(
    site: Site, workers, what: str
):
    write_feed(site, "big", limit=400)
    add(site, *[story(f"urn:test:k{n:03d}") for n in range(300)])
    first, second = start(site, workers, "w1", "w2")
    queue = client(site)
    try:
        from syndication.workqueue.app import Lane

        job = queue.enqueue("big", "push", Lane.URGENT, keep_result=True)
        eventually(
            lambda: any(r.outcome == "running" for r in site.runs("big")),
            "the publish under way",
        )
        doomed = first if "publishing feed big" in first.log else second
        if what == "worker":  # the machine fails: the other worker reruns it
            doomed.kill()
        else:  # the worker hands the job back at once
            (pool,) = pool_processes(doomed.process.pid)
            os.kill(pool, signal.SIGKILL)
        killed_at = datetime.now(UTC)
        (result,) = queue.results([("big", job)], WAIT)
    finally:
        queue.close()
    assert result.outcome == "ok", result
    runs = sorted(site.runs("big"), key=lambda r: r.started)
    assert [r.outcome for r in runs] == ["interrupted", "published"]
    assert runs[-1].started > killed_at
    survivors = [w for w in workers if w is not doomed or what != "worker"]
    assert any("closed an interrupted run" in w.log for w in survivors)
    assert_whole(site, "big")
    rss = site.document("big", "rss.xml")
    assert rss.count("<item>") == 300


def test_urgent_jobs_go_before_a_bulk_backlog(site: Site, workers):
    bulk = [f"bulk{n:02d}" for n in range(20)]
    urgent = [f"urgent{n}" for n in range(5)]
    for feed_id in [*bulk, *urgent]:
        write_feed(site, feed_id)
    add(site, *[story(f"urn:test:u{n:02d}") for n in range(30)])
    (worker,) = start(site, workers, "w1")
    queue = client(site)
    try:
        from syndication.workqueue.app import Lane

        for feed_id in bulk:
            queue.enqueue(feed_id, "schedule", Lane.BULK)
        for feed_id in urgent:
            queue.enqueue(feed_id, "push", Lane.URGENT)
    finally:
        queue.close()
    eventually(lambda: len(worker.done()) == len(bulk) + len(urgent), "every job")
    order = [feed for feed, _, _ in worker.done()]
    # Only the bulk jobs taken before the urgent ones were queued go first
    # (the worker holds one at a time); then every urgent job, in turn.
    first = order.index(urgent[0])
    assert first <= 3, order
    assert order[first : first + len(urgent)] == urgent, order


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql"),
    ]
)
def any_site(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    redis_base_url: str,
    queue_name: str,
) -> Site:
    store_url = (
        str(request.getfixturevalue("postgres_url"))
        if request.param == "postgresql"
        else None
    )
    return queue_site(tmp_path, redis_base_url, queue_name, store_url)


def test_scheduler_embargo_and_kill_through_the_workers(
    any_site: Site, workers, schedulers
):
    site = any_site
    write_feed(site, "health", schedule='interval = "2s"')
    add(site, story("urn:test:open"), story("urn:test:doomed"))
    start(site, workers, "w1", "w2")
    scheduler = SchedulerProcess(site)
    schedulers.append(scheduler)
    eventually(lambda: site.runs("health", "schedule"), "a scheduled publish")
    release = datetime.now(UTC) + timedelta(seconds=5)
    add(site, story("urn:test:held", embargo_until=release))
    seen: list[tuple[datetime, Path, str]] = []

    def observe() -> bool:
        moment = datetime.now(UTC)
        for path in documents(site, "health"):
            try:
                seen.append((moment, path, path.read_text(encoding="utf-8")))
            except FileNotFoundError:  # withdrawn between listing and reading
                continue
        return "urn:test:held" in site.document("health", "rss.xml")

    eventually(observe, "the embargoed story in the feed")
    for moment, path, text in seen:
        if moment < release:
            assert "urn:test:held" not in text, f"{path} carried it at {moment}"
    eventually(lambda: site.runs("health", "embargo"), "the embargo-release run")
    assert "queued feed health (embargo) on the urgent queue" in scheduler.log
    assert "queued feed health (schedule) on the bulk queue" in scheduler.log
    assert "publishing feed" not in scheduler.log  # the workers publish

    killed = site.run("articles", "kill", "urn:test:doomed", "--reason", "Legal")
    # The push's own job, or a scheduled one just before it, withdrew it.
    assert killed.stdout.splitlines()[1].startswith("health: ok, ")
    assert "queued on " in killed.stderr
    for path in documents(site, "health"):
        text = path.read_text(encoding="utf-8")
        if "stat:canceled" not in text and 'ref="urn:test:doomed"' not in text:
            assert "Test story doomed" not in text, path
    assert "urn:test:doomed" not in site.document("health", "rss.xml")
    assert scheduler.stop() == 0
    done = [
        (feed, trigger)
        for worker in workers
        for feed, trigger, outcome in worker.done()
        if outcome == "ok"
    ]
    assert {trigger for _, trigger in done} >= {"schedule", "embargo", "push"}
    assert_whole(site, "health")
