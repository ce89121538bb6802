"""The full publish at 1, 2 and 4 worker processes (issue 15 §3).

Each run is the ``syndication publish --at AT --processes N --json`` command
in a fresh process, from the generated store to an empty folder (the ledger
empty), taking turns; each figure is the median of --repeat runs. The
documents written must be the same at every count.

    python -m bench.processes [--articles 50000] [--feeds 200] [--counts 1,2,4]
                              [--repeat 1]

JSON goes to stdout: seconds per count, the speed-up over one process, the
largest process's peak memory (the command or one of its workers), the
documents written, and the machine's cores and load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.full_publish import restore, snapshot
from bench.site import REPO, Site, make_site
from bench.workload import AT, FORMATS


def run(site: Site, processes: int) -> dict[str, Any]:
    """One publish of every feed with ``processes`` workers, as the command
    runs it; its wall time and documents written."""
    restore(site)
    command = [
        sys.executable, "-m", "syndication", "--config", str(site.config),
        "publish", "--at", AT.isoformat(), "--processes", str(processes), "--json",
    ]  # fmt: skip
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, cwd=REPO
        )
        assert child.stdout is not None
        out = child.stdout.read()
        # wait4: the command's resource use, its worker processes' included
        # (ru_maxrss: the largest of them, in KiB).
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if child.returncode not in (0, 4):
        raise RuntimeError(f"publish exited {child.returncode}: {stderr[-2000:]}")
    report = json.loads(out)
    return {
        "seconds": round(seconds, 3),
        "documents": sum(len(feed["written"]) for feed in report["feeds"]),
        "exit_code": child.returncode,
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def figures(
    articles: int, feeds: int, counts: list[int], repeat: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="syndication-processes-") as temp:
        site = make_site(Path(temp) / "site", articles, feeds, FORMATS)
        snapshot(site)
        runs: dict[int, list[dict[str, Any]]] = {count: [] for count in counts}
        for _ in range(repeat):
            for count in counts:
                runs[count].append(run(site, count))
    documents = {run["documents"] for done in runs.values() for run in done}
    if len(documents) != 1:
        raise RuntimeError(f"the counts wrote different numbers of documents: {runs}")
    seconds = {
        count: round(statistics.median(r["seconds"] for r in done), 3)
        for count, done in runs.items()
    }
    memory = {count: max(r["max_rss_mb"] for r in done) for count, done in runs.items()}
    one = seconds.get(1)
    return {
        "articles": articles,
        "feeds": feeds,
        "cores": os.cpu_count(),
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "documents": documents.pop(),
        "seconds_by_processes": seconds,
        "peak_memory_mb_by_processes": memory,
        "speed_up_over_one_process": {
            count: round(one / value, 2) for count, value in seconds.items()
        }
        if one
        else {},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--counts", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    counts = [int(part) for part in args.counts.split(",")]
    out = figures(args.articles, args.feeds, counts, args.repeat)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
