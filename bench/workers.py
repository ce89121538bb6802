"""The full publish in queue mode with N workers against one process.

    python -m bench.workers                               # 5,000 articles, 40 feeds
    python -m bench.workers --articles 600 --feeds 8 --repeat 1

One seeded site (bench/workload.py). Each trial publishes every feed, from a
fresh copy of the seeded store (an empty ledger) to an empty folder, twice,
alternating so the machine's load falls on both alike:

- ``single``: one new process publishing every feed with
  :meth:`Publisher.publish_all` (what ``syndication publish`` does), timed
  from the first feed to the last document, the gate's compilation included;
- ``queue``: ``--workers`` ``syndication worker`` processes (concurrency 1
  each) on the machine's Redis (``$SYNDICATION_BENCH_REDIS_URL``, default
  redis://127.0.0.1:6379/0, under a key prefix of the run's own, deleted
  after), started and ready beforehand as in a deployment; timed from
  enqueueing one job per feed to the last result, each worker process's
  first job compiling its gate as the single process does.

Both publish as of now (a worker publishes as of its clock), and the run
fails unless both wrote the same documents. Prints one JSON object:
each trial's seconds, their medians and ``speedup`` (single over queue).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.site import REPO, Site, make_site

REDIS_ENV = "SYNDICATION_BENCH_REDIS_URL"
READY_SECONDS = 120.0

_SINGLE = """
import json, sys, time
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.store import open_store

settings = load_settings(sys.argv[1])
store = open_store(settings.store_url)
feeds = list(load_feeds(settings.feeds_dir).feeds.values())
started, cpu = time.perf_counter(), time.process_time()
publisher = Publisher(settings, store)
summary = publisher.publish_all(feeds, trigger="manual")
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
publisher.close()
store.close()
print(json.dumps({"seconds": seconds, "cpu": cpu, "exit_code": summary.exit_code}))
"""


def fresh_copy(seed: Site, folder: Path) -> Site:
    """The seeded site in ``folder``: the same feeds, a copy of its store."""
    feeds = len(seed.feed_definitions())
    return make_site(folder, 0, feeds, store_copy=seed.folder / "store.db")


def run_single(site: Site) -> tuple[float, float]:
    """Wall and CPU seconds of the publish in one process."""
    result = subprocess.run(
        [sys.executable, "-c", _SINGLE, str(site.config)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"single-process publish failed: {result.stderr[-2000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["exit_code"]:
        raise RuntimeError(f"single-process publish exited {figures['exit_code']}")
    return float(figures["seconds"]), float(figures["cpu"])


def run_queue(site: Site, broker: str, workers: int) -> tuple[float, float]:
    """Wall seconds of the publish through the queue, and the CPU seconds the
    workers (and their pool processes) spent meanwhile."""
    name = f"bench-{uuid.uuid4().hex[:12]}"
    with site.config.open("a", encoding="utf-8") as config:
        config.write(f'\n[queue]\nbroker = "{broker}"\nname = "{name}"\n')
    started = [_start_worker(site, f"bench{n}") for n in range(workers)]
    try:
        for process, log in started:
            _wait_ready(process, log)
        pids = [process.pid for process, _ in started]
        cpu = _cpu_seconds(pids)
        seconds = _publish_through_queue(site)
        return seconds, _cpu_seconds(pids) - cpu
    finally:
        for process, _ in started:
            _stop(process)
        _forget(broker, name)


def _start_worker(site: Site, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    log = site.folder / f"{name}.log"
    with log.open("ab") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "syndication",
                "--config",
                str(site.config),
                "worker",
                "--concurrency",
                "1",
                "--hostname",
                f"{name}@%h",
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=REPO,
            start_new_session=True,
        )
    return process, log


def _wait_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if " ready." in text:
            return
        if process.poll() is not None:
            raise RuntimeError(f"worker exited {process.returncode}: {text[-2000:]}")
        time.sleep(0.1)
    raise RuntimeError(f"worker not ready within {READY_SECONDS:g} s")


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes and their live children (Linux
    /proc; a pool process lives as long as its worker)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) in pids or int(fields[1]) in pids:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _publish_through_queue(site: Site) -> float:
    from syndication.config import load_settings
    from syndication.workqueue.app import Lane, check_broker
    from syndication.workqueue.enqueue import QueueClient

    settings = load_settings(site.config)
    feeds = site.feed_definitions()
    client = QueueClient(settings.queue)
    try:
        check_broker(client.app, settings.queue)  # connected before the timing
        started = time.perf_counter()
        jobs = [
            (
                feed.feed_id,
                client.enqueue(feed.feed_id, "schedule", Lane.BULK, keep_result=True),
            )
            for feed in feeds
        ]
        results = client.results(jobs, 3600)
        seconds = time.perf_counter() - started
    finally:
        client.close()
    failed = [r for r in results if not r.is_ok]
    if failed:
        raise RuntimeError(f"queue publish failed: {failed[:3]}")
    return seconds


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=60)
    with contextlib.suppress(ProcessLookupError):  # the pool processes too
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def _forget(broker: str, name: str) -> None:
    import redis

    client = redis.Redis.from_url(broker)
    try:
        keys = list(client.scan_iter(match=f"{name}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def documents(site: Site) -> set[str]:
    return {
        str(path.relative_to(site.public))
        for path in site.public.rglob("*")
        if path.is_file()
    }


def figures(
    articles: int, feeds: int, workers: int, repeat: int, broker: str
) -> dict[str, Any]:
    single: list[tuple[float, float]] = []
    queued: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        root = Path(tmp)
        seed = make_site(root / "seed", articles, feeds)
        for trial in range(repeat):
            one = fresh_copy(seed, root / f"single-{trial}")
            single.append(run_single(one))
            many = fresh_copy(seed, root / f"queue-{trial}")
            queued.append(run_queue(many, broker, workers))
            if documents(one) != documents(many):
                raise RuntimeError("the two modes wrote different documents")
            written = len(documents(one))
            shutil.rmtree(one.folder)
            shutil.rmtree(many.folder)
    one_wall = statistics.median(w for w, _ in single)
    many_wall = statistics.median(w for w, _ in queued)
    return {
        "articles": articles,
        "feeds": feeds,
        "workers": workers,
        "documents": written,
        "single_seconds": [round(w, 3) for w, _ in single],
        "queue_seconds": [round(w, 3) for w, _ in queued],
        "single_cpu_seconds": [round(c, 3) for _, c in single],
        "queue_cpu_seconds": [round(c, 3) for _, c in queued],
        "single_median_seconds": round(one_wall, 3),
        "queue_median_seconds": round(many_wall, 3),
        "speedup": round(one_wall / many_wall, 2),
        "cpus": os.cpu_count(),
        # What else ran meanwhile: the speed-up needs idle cores.
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5_000)
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    broker = os.environ.get(REDIS_ENV, "redis://127.0.0.1:6379/0")
    result = figures(args.articles, args.feeds, args.workers, args.repeat, broker)
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
