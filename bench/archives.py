"""What RFC 5005 archives cost: the full publish with archives off and on.

    python -m bench.archives                       # 50,000 articles, 200 feeds
    python -m bench.archives --articles 600 --feeds 12 --repeat 1

One seeded site (bench/workload.py: stories spread over 69 days before AT, so
every day of the kept periods has stories). Each measurement is a new process
on a fresh copy of the seeded store (an empty ledger) publishing every feed to
an empty folder, validated and recorded, as of AT: its wall time, its CPU time
(the process's own, which other work on a shared machine disturbs less) and
its peak memory (max RSS). Archives off (``[archive] period = "off"``) and on
(the default: daily, 7 periods) alternate, so the machine's load falls on
both alike. With archives on, the same process then measures a tick with
nothing new, the next day's run (a period closes: one new archive per feed
and format, the oldest kept one rendered again without its link) and a kill
of a story only archives still hold. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.run import REPO, make_site

_CHILD = """
import json, resource, shutil, sys, time
from datetime import timedelta
from pathlib import Path

from bench.workload import AT
from syndication.articles.editorial import kill_article
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.store import open_store

config, full = Path(sys.argv[1]), sys.argv[2] == "full"
settings = load_settings(config)
store = open_store(settings.store_url)
feeds = list(load_feeds(settings.feeds_dir).feeds.values())
moment = [AT]
publisher = Publisher(settings, store, clock=lambda: moment[0])
publisher.gate  # compile the schemas outside the timings
out = {}

def timed(name, at):
    moment[0] = at
    started, cpu = time.perf_counter(), time.process_time()
    summary = publisher.publish_all(feeds, at=at, record=True)
    out[name + "_seconds"] = round(time.perf_counter() - started, 3)
    out[name + "_cpu_seconds"] = round(time.process_time() - cpu, 3)
    out[name + "_written"] = summary.written
    out[name + "_exit_code"] = summary.exit_code
    return summary

timed("full_publish", AT)
out["peak_memory_mb"] = round(
    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
)
out["archive_documents"] = sum(
    1 for p in (config.parent / "public").rglob("*.xml") if "/archive/" in str(p)
)
if full:
    timed("tick", AT + timedelta(seconds=1))
    timed("next_day", AT + timedelta(days=1))
    # A story of five days before, long gone from the feed's 100 items but
    # still in its archives.
    # (A small site holds less than five days: then one of the day before.)
    victim = max(
        store.select(feeds[0].selection, AT - timedelta(days=4, hours=12))
        or store.select(feeds[0].selection, AT - timedelta(days=1)),
        key=lambda v: v.version_created,
    )
    kill_at = AT + timedelta(days=1, minutes=5)
    kill_article(store, victim.guid, reason="bench", now=kill_at)
    timed("kill", kill_at + timedelta(seconds=1))
sys.stdout.write(json.dumps(out) + "\\n")
"""


def measure(
    site_folder: Path, store_db: Path, period: str, full: bool
) -> dict[str, Any]:
    """One publish in a new process on a fresh copy of the seeded store."""
    with tempfile.TemporaryDirectory(prefix="syndication-archives-") as temp:
        folder = Path(temp)
        shutil.copy(store_db, folder / "store.db")
        shipped = (site_folder / "syndication.toml").read_text("utf-8")
        config = folder / "syndication.toml"
        config.write_text(
            shipped.replace(
                str(site_folder / "store.db"), str(folder / "store.db")
            ).replace(str(site_folder / "public"), str(folder / "public"))
            + f'\n[archive]\nperiod = "{period}"\n',
            encoding="utf-8",
        )
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, str(config), "full" if full else "first"],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        if result.returncode != 0:
            raise RuntimeError(f"the measuring process failed:\n{result.stderr}")
        figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return figures


def archive_figures(articles: int, feeds: int, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {"articles": articles, "feeds": feeds, "repeat": repeat}
    with tempfile.TemporaryDirectory(prefix="syndication-bench-") as temp:
        site = make_site(Path(temp) / "site", articles, feeds)
        store_db = site.folder / "store.db"
        runs: dict[str, list[dict[str, Any]]] = {"off": [], "daily": []}
        for attempt in range(repeat):
            for period in ("off", "daily"):
                full = period == "daily" and attempt == repeat - 1
                runs[period].append(measure(site.folder, store_db, period, full))
        for period, results in runs.items():
            for name in (
                "full_publish_seconds",
                "full_publish_cpu_seconds",
                "peak_memory_mb",
            ):
                out[f"{period}_{name}"] = statistics.median(r[name] for r in results)
            out[f"{period}_full_publish_written"] = results[-1]["full_publish_written"]
            out[f"{period}_full_publish_exit_code"] = results[-1][
                "full_publish_exit_code"
            ]
        out["archive_documents"] = runs["daily"][-1]["archive_documents"]
        for key, value in runs["daily"][-1].items():
            if key.startswith(("tick", "next_day", "kill")):
                out[key] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    result = archive_figures(args.articles, args.feeds, args.repeat)
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
