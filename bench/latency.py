"""Latency of the fast paths, measured with real processes on this machine.

* Embargo release: a ``syndication scheduler`` subprocess runs (default embargo
  poll, 1 s); a story is stored with an embargo a few seconds ahead; we time from
  the embargo moment to (a) the start of the ledger's ``embargo`` run, (b) its
  end, and (c) the story being visible in the published RSS file.
* Push: ``syndication push ID --json`` as a subprocess (Python start-up
  included) while the scheduler runs; wall time, and the command's own elapsed.
  First to the local destination, then to an S3 bucket on a moto server on
  127.0.0.1 (bench.moto_s3), where we also time from starting the command to
  the server answering its last PUT.

Every feed is published once before the trials, so a push finds its feeds
already there (the steady state), at each destination.

Workload: ``bench.workload`` articles and feeds in a temporary folder, SQLite
store. Usage::

    python -m bench.latency [--articles 2000] [--feeds 20] [--trials 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.moto_s3 import moto_s3
from bench.workload import LANGUAGES, SUBJECTS, generate_articles, write_feeds
from syndication.articles.model import Version
from syndication.store import open_store
from syndication.store.base import Store

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config, feed_id = make_probe_site(root, args.articles, args.feeds)
        store = open_store(f"sqlite:///{root / 'store.db'}")
        log = (root / "scheduler.log").open("wb")
        scheduler = subprocess.Popen(
            [*_command(config), "scheduler"],
            stderr=log,
            cwd=root,
        )
        try:
            _wait(lambda: b"scheduler running" in (root / "scheduler.log").read_bytes())
            _publish_all(config)
            embargo = [
                _embargo_trial(root, store, feed_id, n) for n in range(args.trials)
            ]
            push = [_push_trial(config, store, n)[1:3] for n in range(args.trials)]
            push_s3 = s3_push_trials(root, store, args.trials)
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=120)
            log.close()
            store.close()
    _report("embargo release → run starts", [e[0] for e in embargo])
    _report("embargo release → run ends", [e[1] for e in embargo])
    _report("embargo release → visible in RSS", [e[2] for e in embargo])
    _report("push, wall (subprocess)", [p[0] for p in push])
    _report("push, command's elapsed", [p[1] for p in push])
    _report("push to moto S3, wall (subprocess)", [p.wall for p in push_s3])
    _report("push to moto S3, command's elapsed", [p.elapsed for p in push_s3])
    _report("push to moto S3, start → last PUT", [p.last_put for p in push_s3])
    sys.stdout.write(f"PUTs per push to moto S3: {[p.puts for p in push_s3]}\n")


def make_probe_site(
    root: Path, articles: int, feeds: int, probes: int = 1
) -> tuple[Path, str]:
    """A seeded site under ``root`` (store.db, feeds/, public/) with ``probes``
    feeds (``probe``, ``probe-2``…) carrying every probe story; returns its
    configuration and the first probe feed."""
    feeds_dir = root / "feeds"
    ids = write_feeds(feeds_dir, feeds)
    for feed_id in ids:
        path = feeds_dir / f"{feed_id}.toml"
        path.write_text(
            path.read_text("utf-8") + '\n[schedule]\ninterval = "1h"\n', "utf-8"
        )
    # The probe feeds carry every story with the probe subject.
    for n in range(1, probes + 1):
        feed_id = "probe" if n == 1 else f"probe-{n}"
        (feeds_dir / f"{feed_id}.toml").write_text(
            f'id = "{feed_id}"\npartner = "Probe"\ntitle = "Probe"\n'
            'description = "Probe"\nlink = "https://probe.example/"\nlimit = 100\n'
            f'[selection]\nsubjects = ["{SUBJECTS[0].qcode}"]\n'
            '[schedule]\ninterval = "1h"\n',
            "utf-8",
        )
    config = _config(root)
    store = open_store(f"sqlite:///{root / 'store.db'}")
    generate_articles(store, articles)
    store.close()
    return config, "probe"


def _config(root: Path, s3_destination: str = "") -> Path:
    """The shipped configuration with this run's store, feeds (``root/feeds``)
    and output; with ``s3_destination`` (a ``[destinations.s3]`` table), the
    default destination is that one."""
    text = (REPO / "config" / "syndication.toml").read_text("utf-8")
    xsd = (REPO / "../shared/schemas/newsml-g2").resolve()
    ninjs = (REPO / "../shared/schemas/ninjs").resolve()
    changes = [
        # The shipped paths are relative to config/.
        (
            'url = "sqlite:///../syndication.db"',
            f'url = "sqlite:///{root / "store.db"}"',
        ),
        ('feeds = "../feeds"', f'feeds = "{root / "feeds"}"'),
        ('path = "../public"', f'path = "{root / "public"}"'),
        ('"../../shared/schemas/newsml-g2', f'"{xsd}'),
        ('"../../shared/schemas/ninjs', f'"{ninjs}'),
    ]
    if s3_destination:
        changes.append(('default_destination = "local"', 'default_destination = "s3"'))
    for old, new in changes:
        if old not in text:
            raise SystemExit(f"config/syndication.toml no longer has {old!r}")
        text = text.replace(old, new)
    path = root / ("syndication-s3.toml" if s3_destination else "syndication.toml")
    path.write_text(text + "\n" + s3_destination, "utf-8")
    return path


def _publish_all(config: Path) -> None:
    result = subprocess.run(
        [*_command(config), "publish"], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"publish exited {result.returncode}: {result.stderr}")


def _probe(n: int, kind: str, **changes: object) -> Version:
    now = datetime.now(UTC)
    version = Version(
        guid=f"urn:newsml:bench.example:{kind}-{n}",
        headline=f"Probe {kind} {n}",
        body="<p>Probe paragraph.</p>",
        version_created=now,
        first_created=now,
        language=LANGUAGES[0],
        subjects=(SUBJECTS[0],),
        provider="Bench Wire",
    )
    return replace(version, **changes)  # type: ignore[arg-type]


def _embargo_trial(
    root: Path, store: Store, feed_id: str, n: int
) -> tuple[float, float, float]:
    release = datetime.now(UTC) + timedelta(seconds=4)
    version = _probe(n, "embargo", embargo_until=release)
    store.append(version)
    rss = root / "public" / feed_id / "rss.xml"
    _wait(lambda: rss.is_file() and version.guid in rss.read_text("utf-8"), 0.005)
    visible = datetime.now(UTC)
    runs = [
        r
        for r in store.runs(feed_id, limit=50)
        if r.trigger == "embargo" and r.started >= release - timedelta(seconds=1)
    ]
    run = min(runs, key=lambda r: r.started)
    return (
        (run.started - release).total_seconds(),
        ((run.finished or visible) - release).total_seconds(),
        (visible - release).total_seconds(),
    )


def _push_trial(
    config: Path, store: Store, n: int, kind: str = "push"
) -> tuple[float, float, float, int]:
    """Push a new probe story: (time.time() at the start, wall, the command's
    own elapsed, feeds pushed to)."""
    version = _probe(n, kind)
    store.append(version)
    started = time.time()
    result = subprocess.run(
        [*_command(config), "push", version.guid, "--wait", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.time() - started
    report = json.loads(result.stdout)
    return started, wall, float(report["elapsed"]), len(report["feeds"])


@dataclass(frozen=True)
class S3Push:
    wall: float
    elapsed: float
    last_put: float  # from starting the command to the server answering its last PUT
    puts: int
    feeds: int


def s3_push_trials(root: Path, store: Store, trials: int) -> list[S3Push]:
    """``trials`` pushes of new probe stories to a moto S3 bucket, for the site
    :func:`make_probe_site` made under ``root`` (every feed first published
    there once)."""
    with moto_s3() as s3:
        s3.create_bucket("bench-push")
        config = _config(root, s3.destination("s3", "bench-push"))
        _publish_all(config)
        pushes = []
        for n in range(trials):
            s3.proxy.take()
            started, wall, elapsed, feeds = _push_trial(config, store, n, "push-s3")
            requests = s3.proxy.take()
            if requests.last_put_at is None:
                raise RuntimeError("the push wrote nothing to S3")
            last_put = requests.last_put_at - started
            pushes.append(S3Push(wall, elapsed, last_put, requests.puts, feeds))
    return pushes


def _command(config: Path) -> list[str]:
    return [sys.executable, "-m", "syndication", "--config", str(config)]


def _wait(
    condition: Callable[[], bool], every: float = 0.05, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise TimeoutError("condition not met within the timeout")


def _report(name: str, values: list[float]) -> None:
    sys.stdout.write(
        f"{name:36s} median {statistics.median(values):6.3f} s  "
        f"min {min(values):6.3f}  max {max(values):6.3f}  (n={len(values)})\n"
    )


if __name__ == "__main__":
    main()
