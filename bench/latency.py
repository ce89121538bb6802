"""Latency of the fast paths, measured with real processes on this machine.

* Embargo release: a ``syndication scheduler`` subprocess runs (default embargo
  poll, 1 s); a story is stored with an embargo a few seconds ahead; we time from
  the embargo moment to (a) the start of the ledger's ``embargo`` run, (b) its
  end, and (c) the story being visible in the published RSS file.
* Push: ``syndication push ID --json`` as a subprocess (Python start-up
  included) while the scheduler runs; wall time, and the command's own elapsed.

Workload: ``bench.workload`` articles and feeds in a temporary folder, SQLite
store, local destination. Usage::

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
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
        config, feed_id = _site(root, args.articles, args.feeds)
        store = open_store(f"sqlite:///{root / 'store.db'}")
        log = (root / "scheduler.log").open("wb")
        scheduler = subprocess.Popen(
            [*_command(config), "scheduler"],
            stderr=log,
            cwd=root,
        )
        try:
            _wait(lambda: b"scheduler running" in (root / "scheduler.log").read_bytes())
            embargo = [
                _embargo_trial(root, store, feed_id, n) for n in range(args.trials)
            ]
            push = [_push_trial(config, store, n) for n in range(args.trials)]
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


def _site(root: Path, articles: int, feeds: int) -> tuple[Path, str]:
    feeds_dir = root / "feeds"
    ids = write_feeds(feeds_dir, feeds)
    for feed_id in ids:
        path = feeds_dir / f"{feed_id}.toml"
        path.write_text(
            path.read_text("utf-8") + '\n[schedule]\ninterval = "1h"\n', "utf-8"
        )
    # The probe feed carries every story with the probe subject.
    (feeds_dir / "probe.toml").write_text(
        'id = "probe"\npartner = "Probe"\ntitle = "Probe"\ndescription = "Probe"\n'
        'link = "https://probe.example/"\nlimit = 100\n'
        f'[selection]\nsubjects = ["{SUBJECTS[0].qcode}"]\n'
        '[schedule]\ninterval = "1h"\n',
        "utf-8",
    )
    config = _config(root, feeds_dir)
    store = open_store(f"sqlite:///{root / 'store.db'}")
    generate_articles(store, articles)
    store.close()
    return config, "probe"


def _config(root: Path, feeds_dir: Path) -> Path:
    """The shipped configuration with this run's store, feeds and output."""
    text = (REPO / "config" / "syndication.toml").read_text("utf-8")
    xsd = (REPO / "../shared/schemas/newsml-g2").resolve()
    for old, new in (
        ('url = "sqlite:///syndication.db"', f'url = "sqlite:///{root / "store.db"}"'),
        ('feeds = "feeds"', f'feeds = "{feeds_dir}"'),
        ('path = "public"', f'path = "{root / "public"}"'),
        ('"../shared/schemas/newsml-g2', f'"{xsd}'),
    ):
        if old not in text:
            raise SystemExit(f"config/syndication.toml no longer has {old!r}")
        text = text.replace(old, new)
    path = root / "syndication.toml"
    path.write_text(text, "utf-8")
    return path


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


def _push_trial(config: Path, store: Store, n: int) -> tuple[float, float]:
    version = _probe(n, "push")
    store.append(version)
    started = time.monotonic()
    result = subprocess.run(
        [*_command(config), "push", version.guid, "--wait", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.monotonic() - started
    return wall, float(json.loads(result.stdout)["elapsed"])


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
