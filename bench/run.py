"""The benchmark: one command, figures side by side with the baseline.

    python -m bench.run                  # default: 50,000 articles, 200 feeds
    python -m bench.run --preset small   # the CI smoke test (correctness only)

Each speed figure is the median of --repeat runs; ratios compare with the
baseline publisher (bench/baseline.py) measured in the same run. Results are
printed and, with --write, written to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.workload import (
    AT,
    SUBJECTS,
    generate_articles,
    make_version,
    write_feeds,
    write_json_stories,
    write_wire_stories,
)

REPO = Path(__file__).resolve().parent.parent
PRESETS = {
    "small": {"articles": 600, "feeds": 12, "repeat": 1},
    "default": {"articles": 50_000, "feeds": 200, "repeat": 3},
}


@dataclass
class Site:
    folder: Path
    config: Path
    feeds_dir: Path
    store_url: str


def make_site(folder: Path, articles: int, feeds: int) -> Site:
    """A site with a seeded store and feed definitions under ``folder``."""
    from syndication.store import open_store

    folder.mkdir(parents=True, exist_ok=True)
    feeds_dir = folder / "feeds"
    write_feeds(feeds_dir, feeds)
    store_url = f"sqlite:///{folder / 'store.db'}"
    shipped = (REPO / "config" / "syndication.toml").read_text("utf-8")
    agency = shipped.split("[store]")[0]
    config = folder / "syndication.toml"
    config.write_text(
        agency + f'[store]\nurl = "{store_url}"\n\n[paths]\nfeeds = "{feeds_dir}"\n\n'
        f'[destinations.local]\ntype = "local"\npath = "{folder / "public"}"\n'
        + _official_xsd(shipped),
        encoding="utf-8",
    )
    store = open_store(store_url)
    try:
        generate_articles(store, articles)
    finally:
        store.close()
    return Site(folder, config, feeds_dir, store_url)


def _official_xsd(shipped: str) -> str:
    """The shipped configuration's official NewsML-G2 XSD (a path relative to
    config/, the file's folder) as an absolute ``[validation]`` table, so the
    bench validates as the product does; empty when the XSD is not on this
    machine."""
    import tomllib

    value = tomllib.loads(shipped).get("validation", {}).get("newsml_official_xsd")
    path = (REPO / "config" / value).resolve() if value else None
    if path is None or not path.is_file():
        return ""
    return f'\n[validation]\nnewsml_official_xsd = "{path}"\n'


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def publisher_for(site: Site, render_counter: list[int] | None = None) -> Any:
    from syndication.config import load_settings
    from syndication.publish import Publisher
    from syndication.render.registry import render_edition
    from syndication.store import open_store

    settings = load_settings(site.config)
    store = open_store(site.store_url)

    def render(edition: Any) -> Any:
        if render_counter is not None:
            render_counter[0] += 1
        return render_edition(edition)

    return Publisher(settings, store, render=render, clock=lambda: AT)


def publish_figures(
    site: Site,
    publisher: Any,
    feed_defs: list[Any],
    renders: list[int],
    repeat: int,
) -> dict[str, Any]:
    """The full publish (validated, all feeds and formats, to the site's empty
    local folder, recorded; median of ``repeat``), then a tick with nothing new.

    ``renders`` is the counter given to :func:`publisher_for`.
    """

    def full_publish() -> Any:
        shutil.rmtree(site.folder / "public", ignore_errors=True)
        return publisher.publish_all(feed_defs, at=AT, record=True)

    out: dict[str, Any] = {}
    out["full_publish_seconds"], summary = timed(full_publish, repeat)
    out["full_publish_documents"] = summary.written
    out["full_publish_items"] = sum(result.items for result in summary.results)
    out["full_publish_exit_code"] = summary.exit_code
    renders[0] = 0
    tick_seconds, tick = timed(
        lambda: publisher.publish_all(feed_defs, at=AT, record=True), 1
    )
    out["tick_seconds"] = round(tick_seconds, 3)
    out["tick_renders"] = renders[0]
    out["tick_puts"] = tick.written
    return out


def figures(preset: str, articles: int, feeds: int, repeat: int) -> dict[str, Any]:
    from bench.baseline import publish_baseline
    from syndication.feeds import load_feeds

    out: dict[str, Any] = {"articles": articles, "feeds": feeds, "repeat": repeat}
    with tempfile.TemporaryDirectory(prefix="syndication-bench-") as temp:
        root = Path(temp)
        started = time.perf_counter()
        site = make_site(root / "site", articles, feeds)
        out["generate_seconds"] = round(time.perf_counter() - started, 2)
        renders = [0]
        publisher = publisher_for(site, renders)
        feed_defs = list(load_feeds(site.feeds_dir).feeds.values())
        settings = publisher.settings

        def baseline() -> int:
            target = root / "baseline"
            shutil.rmtree(target, ignore_errors=True)
            return publish_baseline(
                publisher.store, feed_defs, settings.agency, AT, target
            )

        out["baseline_seconds"], baseline_docs = timed(baseline, repeat)
        out["baseline_documents"] = baseline_docs
        out.update(publish_figures(site, publisher, feed_defs, renders, repeat))
        out["speed_vs_baseline"] = round(
            out["baseline_seconds"] / out["full_publish_seconds"], 2
        )

        from collections import Counter

        # One new story that matches many feeds: the three subjects most feeds
        # select, in the language most language-filtered feeds want.
        subject_counts = Counter(q for f in feed_defs for q in f.selection.subjects)
        language_counts = Counter(
            lang for f in feed_defs for lang in f.selection.languages
        )
        import random
        from dataclasses import replace

        from syndication.articles.model import Subject

        story = replace(
            make_version(random.Random(99), 10_000_000),
            subjects=tuple(
                Subject(qcode, "bench topic")
                for qcode, _ in subject_counts.most_common(3)
            ),
            language=language_counts.most_common(1)[0][0],
            version_created=AT + timedelta(seconds=1),
            first_created=AT + timedelta(seconds=1),
            embargo_until=None,
        )
        publisher.store.append(story)
        renders[0] = 0
        one_seconds, one = timed(
            lambda: publisher.publish_all(
                feed_defs, at=AT + timedelta(seconds=2), record=True
            ),
            1,
        )
        out["one_story_seconds"] = round(one_seconds, 3)
        out["one_story_feeds_rerendered"] = renders[0]
        out["one_story_feeds_changed"] = sum(1 for r in one.results if r.written)
        out["one_story_puts"] = one.written
        out["one_story_outcomes"] = sorted({r.outcome for r in one.results})
        publisher.close()
        publisher.store.close()

        out["help_cold_start_seconds"] = round(
            statistics.median(
                _time_command([sys.executable, "-m", "syndication", "--help"])
                for _ in range(5)
            ),
            3,
        )
        stories = 2000 if preset != "small" else 200
        write_json_stories(root / "ingest-json", stories)
        out["ingest_json_per_second"] = _ingest_rate(
            site, root / "ingest-json", stories
        )
        credit_line = publisher.settings.agency.credit_line
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
        out["peak_memory_mb"] = peak_memory(site)
    out["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    return out


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


def peak_memory(site: Site) -> float:
    """Max RSS, in MiB, of a new process doing the full publish of ``site`` (not
    recorded, so the ledger's shortcut cannot skip it)."""
    code = (
        "import resource, sys\n"
        "from bench.run import publisher_for, Site\n"
        "from pathlib import Path\n"
        "from syndication.feeds import load_feeds\n"
        "from bench.workload import AT\n"
        f"site = Site(Path({str(site.folder)!r}), Path({str(site.config)!r}), "
        f"Path({str(site.feeds_dir)!r}), {site.store_url!r})\n"
        "p = publisher_for(site)\n"
        "feeds = list(load_feeds(site.feeds_dir).feeds.values())\n"
        "p.publish_all(feeds, at=AT, record=False)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return round(int(result.stdout.strip().splitlines()[-1]) / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default")
    parser.add_argument("--articles", type=int)
    parser.add_argument("--feeds", type=int)
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    preset = PRESETS[args.preset]
    result = figures(
        args.preset,
        args.articles or preset["articles"],
        args.feeds or preset["feeds"],
        args.repeat or preset["repeat"],
    )
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    _ = resource  # imported for the memory child process's benefit


if __name__ == "__main__":
    main()
