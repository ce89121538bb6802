"""The benchmark: one command, our figures beside both baselines.

    python -m bench.run                  # default: 50,000 articles, 200 feeds
    python -m bench.run --many-feeds 1000 --push-trials 5   # every target
    python -m bench.run --preset small   # the CI smoke test (correctness only)

Every publish runs as a fresh process (bench/publish_once.py), as
``syndication publish`` does. The full publish is the median of --repeat
runs, each from the generated store to an empty folder, taking turns with
the two baselines measured in the same run: ``three-indexes``
(bench/baseline.py: feedgen and lxml, the three index documents of each feed)
and ``same-documents`` (bench/baseline_documents.py: the same naive writer
producing exactly the documents we write, checked key for key). Each ratio is
named by its baseline (``ratio_vs_baseline_same_documents``: the baseline's
time over ours, so above 1 we are faster; ``cpu_ratio_vs_*`` the same for
CPU time). Then one more full publish with stage timers (``stage_profile``),
the tick with nothing new, one new story, and, with --many-feeds N, the tick
of N feeds on a copy of the store; with --push-trials, pushes of a story
matching 3 feeds to moto S3 (bench/latency.py). JSON goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.full_publish import (
    full_publish_figures,
    one_story_figures,
    snapshot,
    stage_figures,
    tick_figures,
)
from bench.publish_once import run_once
from bench.site import REPO, Site, make_site
from bench.workload import FORMATS, SUBJECTS, write_json_stories, write_wire_stories

PRESETS = {
    "small": {"articles": 600, "feeds": 12, "repeat": 1},
    "default": {"articles": 50_000, "feeds": 200, "repeat": 3},
}


def figures(
    preset: str,
    articles: int,
    feeds: int,
    repeat: int,
    *,
    many_feeds: int = 0,
    push_trials: int = 0,
    formats: tuple[str, ...] = FORMATS,
    item_documents: str = "",
) -> dict[str, Any]:
    from syndication.destinations.base import ITEM_DOCUMENTS_DEFAULT

    out: dict[str, Any] = {
        "articles": articles,
        "feeds": feeds,
        "formats": list(formats),
        "item_documents": item_documents or ITEM_DOCUMENTS_DEFAULT,
        "repeat": repeat,
        "load_average_at_start": _load(),
    }
    with tempfile.TemporaryDirectory(prefix="syndication-bench-") as temp:
        root = Path(temp)
        started = time.perf_counter()
        site = make_site(
            root / "site", articles, feeds, formats, item_documents=item_documents
        )
        out["generate_seconds"] = round(time.perf_counter() - started, 2)
        seed = snapshot(site)
        out.update(full_publish_figures(site, repeat))
        out.update(stage_figures(site))
        out.update(tick_figures(site))
        out.update(one_story_figures(site))
        if many_feeds:
            out.update(
                many_feeds_figures(
                    root / "many", seed, many_feeds, formats, item_documents
                )
            )
        if push_trials:
            out.update(push_figures(root / "probe", push_trials))
        out["help_cold_start_seconds"] = round(
            statistics.median(
                _time_command([sys.executable, "-m", "syndication", "--help"])
                for _ in range(5)
            ),
            3,
        )
        out.update(ingest_figures(site, root, 2000 if preset != "small" else 200))
    out["load_average_at_end"] = _load()
    out["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    return out


def many_feeds_figures(
    folder: Path,
    store: Path,
    count: int,
    formats: tuple[str, ...],
    item_documents: str = "",
) -> dict[str, Any]:
    """``count`` feeds (the first ones those of the main site) on a copy of
    the generated store: their first full publish, then the tick."""
    site = make_site(
        folder, 0, count, formats, store_copy=store, item_documents=item_documents
    )
    first = run_once(site, "ours")
    return {
        "many_feeds": count,
        "many_feeds_publish_seconds": first["seconds"],
        "many_feeds_publish_documents": first["documents"],
        **tick_figures(site, "many_feeds_tick"),
    }


def push_figures(folder: Path, trials: int) -> dict[str, Any]:
    """Pushes of a new story matching 3 probe feeds to moto S3 (2,000
    articles, 20 feeds; bench/latency.py): medians of ``trials``."""
    from bench.latency import make_probe_site, s3_push_trials
    from syndication.store import open_store

    folder.mkdir()
    make_probe_site(folder, articles=2000, feeds=20, probes=3)
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    try:
        pushes = s3_push_trials(folder, store, trials)
    finally:
        store.close()
    return {
        "push_s3_feeds": max(push.feeds for push in pushes),
        "push_s3_puts": max(push.puts for push in pushes),
        "push_s3_elapsed_seconds": _median_of([push.elapsed for push in pushes]),
        "push_s3_wall_seconds": _median_of([push.wall for push in pushes]),
        "push_s3_last_put_seconds": _median_of([push.last_put for push in pushes]),
    }


def ingest_figures(site: Site, root: Path, stories: int) -> dict[str, Any]:
    from syndication.config import load_settings

    write_json_stories(root / "ingest-json", stories)
    out = {"ingest_json_per_second": _ingest_rate(site, root / "ingest-json", stories)}
    credit_line = load_settings(site.config).agency.credit_line
    write_wire_stories(root / "ingest-wire", stories, credit_line)
    # Wire copy has no year, language or subjects: the command supplies them.
    out["ingest_wire_per_second"] = _ingest_rate(
        site,
        root / "ingest-wire",
        stories,
        "--format=wire",
        "--date=2026-11-28",
        "--language=en",
        f"--subject={SUBJECTS[0].qcode}={SUBJECTS[0].name}",
    )
    return out


def _load() -> list[float]:
    return [round(load, 2) for load in os.getloadavg()]


def _median_of(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _time_command(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - started


def _ingest_rate(
    site: Site, folder: Path, count: int, *options: str, unchanged: bool = False
) -> float:
    """Stories per second of one ``syndication ingest`` of ``folder`` (one
    process, start-up included). Raises unless all ``count`` are new articles
    (all unchanged with ``unchanged``)."""
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "syndication",
            "-q",
            "--config",
            str(site.config),
            "ingest",
            "--json",
            *options,
            str(folder),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    stored = json.loads(result.stdout)["stored"]
    wanted = "unchanged" if unchanged else "new article"
    new = sum(1 for story in stored if story["action"] == wanted)
    if new != count:
        raise RuntimeError(f"ingest of {folder}: {new} of {count} stories {wanted}")
    return round(count / elapsed, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default")
    parser.add_argument("--articles", type=int)
    parser.add_argument("--feeds", type=int)
    parser.add_argument("--repeat", type=int)
    parser.add_argument(
        "--many-feeds",
        type=int,
        default=0,
        metavar="N",
        help="also the tick of N feeds (the issue's target: 1000)",
    )
    parser.add_argument(
        "--push-trials",
        type=int,
        default=0,
        metavar="N",
        help="also N pushes to moto S3 of a story matching 3 feeds",
    )
    parser.add_argument(
        "--formats",
        type=lambda text: tuple(text.split(",")),
        default=FORMATS,
        help="the bench feeds' formats, comma-separated (default rss,atom,newsml)",
    )
    parser.add_argument(
        "--item-documents",
        choices=("shared", "private"),
        default="",
        help="the bench destination's item_documents (default: the product's)",
    )
    parser.add_argument(
        "--json", action="store_true", help="every figure as one JSON object"
    )
    args = parser.parse_args()
    preset = PRESETS[args.preset]
    result = figures(
        args.preset,
        args.articles or preset["articles"],
        args.feeds or preset["feeds"],
        args.repeat or preset["repeat"],
        many_feeds=args.many_feeds,
        push_trials=args.push_trials,
        formats=args.formats,
        item_documents=args.item_documents,
    )
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        sys.stdout.write(report(result))


def report(result: dict[str, Any]) -> str:
    """The figures as text: one per line, then the stage profile."""
    lines = [
        f"{key}: {value}" for key, value in result.items() if key != "stage_profile"
    ]
    lines.append("stage profile of one full publish (seconds, share):")
    lines += [
        f"  {stage:30s} {each['seconds']:9.3f} s {each['share']:7.1%}"
        for stage, each in result["stage_profile"].items()
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
