"""One publish of a bench site in a fresh process, as ``syndication publish``
runs: nothing is remembered from an earlier publish but the store's ledger and
the destination's files.

    python -m bench.publish_once SITE_FOLDER MODE [--stages]

Modes: ``ours`` (every feed, validated, recorded, to the site's local folder,
as of the bench moment: a full publish on a fresh site), ``tick`` (the same
on a published site, twice: cold, then warm in the same process as a
scheduler's next tick), ``one-story`` (store a new story matching many feeds,
then publish every feed; again with a second story, warm),
``three-indexes`` and ``same-documents`` (the two baselines, to
``SITE_FOLDER/baseline-MODE``). Prints one JSON line: the time from reading
the configuration to the last document written (``seconds``; the start of
the interpreter and the bench's imports excluded; the warm part's own time
under ``warm``), the CPU time of the process in that span (all threads), the
peak memory (max RSS), and what was written. ``--stages`` adds the stage
profile (bench/stages.py).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.site import REPO, Site, publisher_for
from bench.stages import StageClock, install
from bench.workload import AT, make_version


def publish_ours(site: Site, at: datetime = AT) -> dict[str, Any]:
    renders = [0]
    publisher = publisher_for(site, renders)
    try:
        summary = publisher.publish_all(site.feed_definitions(), at=at, record=True)
    finally:
        publisher.close()
        publisher.store.close()
    return {
        "documents": summary.written + sum(len(f.written) for f in summary.faces),
        "items": sum(result.items for result in summary.results),
        "renders": renders[0],
        "feeds_changed": sum(1 for result in summary.results if result.written),
        "outcomes": sorted({result.outcome for result in summary.results}),
        "exit_code": summary.exit_code,
    }


def publish_one_story(site: Site, n: int = 0) -> dict[str, Any]:
    """A new story with the three subjects most feeds select, in the language
    most language-filtered feeds want, stored then published (``n`` numbers
    the story)."""
    from syndication.articles.model import Subject
    from syndication.store import open_store

    feeds = site.feed_definitions()
    subjects = Counter(q for f in feeds for q in f.selection.subjects)
    languages = Counter(lang for f in feeds for lang in f.selection.languages)
    story = replace(
        make_version(random.Random(99 + n), 10_000_000 + n),
        subjects=tuple(
            Subject(qcode, "bench topic") for qcode, _ in subjects.most_common(3)
        ),
        language=languages.most_common(1)[0][0],
        version_created=AT + timedelta(seconds=1 + 2 * n),
        first_created=AT + timedelta(seconds=1 + 2 * n),
        embargo_until=None,
    )
    store = open_store(site.store_url)
    try:
        store.append(story)
    finally:
        store.close()
    return publish_ours(site, AT + timedelta(seconds=2 + 2 * n))


def then_warm(
    first: Callable[[Site], dict[str, Any]], second: Callable[[Site], dict[str, Any]]
) -> Callable[[Site], dict[str, Any]]:
    """``first``, then ``second`` in the same process, as a long-running
    scheduler would (modules imported, schemas compiled, caches filled):
    ``first``'s figures, and ``second``'s under ``warm`` with its time."""

    def both(site: Site) -> dict[str, Any]:
        figures = first(site)
        started = time.perf_counter()
        warm = second(site)
        warm["seconds"] = round(time.perf_counter() - started, 3)
        return {**figures, "warm": warm}

    return both


def publish_baseline(site: Site, mode: str) -> dict[str, Any]:
    from bench.baseline import publish_baseline
    from bench.baseline_documents import publish_same_documents
    from syndication.config import load_settings
    from syndication.store import open_store

    write = publish_baseline if mode == "three-indexes" else publish_same_documents
    agency = load_settings(site.config).agency
    store = open_store(site.store_url)
    try:
        written = write(
            store, site.feed_definitions(), agency, AT, site.folder / f"baseline-{mode}"
        )
    finally:
        store.close()
    return {"documents": written}


MODES: dict[str, Callable[[Site], dict[str, Any]]] = {
    "ours": publish_ours,
    "tick": then_warm(publish_ours, publish_ours),
    "one-story": then_warm(publish_one_story, lambda site: publish_one_story(site, 1)),
    "three-indexes": lambda site: publish_baseline(site, "three-indexes"),
    "same-documents": lambda site: publish_baseline(site, "same-documents"),
}


def run_once(site: Site, mode: str, *, stages: bool = False) -> dict[str, Any]:
    """:func:`main` in a new process; its figures, and ``process_seconds``
    from starting the process to its exit. Raises when it fails."""
    command = [sys.executable, "-m", "bench.publish_once", str(site.folder), mode]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, *(["--stages"] if stages else [])],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(
            f"{' '.join(command)} exited {result.returncode}: {result.stderr[-2000:]}"
        )
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = round(time.perf_counter() - started, 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=lambda text: Site.in_folder(Path(text)))
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args()
    clock = StageClock() if args.stages else None
    if clock is not None:
        install(clock)
    started, cpu = time.perf_counter(), time.process_time()
    figures = MODES[args.mode](args.folder)
    seconds = time.perf_counter() - started - figures.get("warm", {}).get("seconds", 0)
    out = {
        "mode": args.mode,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(time.process_time() - cpu, 3),
        "max_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        **figures,
    }
    if clock is not None:
        out["stages"] = clock.profile(seconds)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
