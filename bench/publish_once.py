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


class Session:
    """A publisher of the site with its feed definitions loaded, as the
    ``publish`` command and the scheduler hold them."""

    def __init__(self, site: Site) -> None:
        self.renders = [0]
        self.publisher = publisher_for(site, self.renders)
        self.feeds = site.feed_definitions()

    def publish(self, at: datetime = AT) -> dict[str, Any]:
        """Every feed, recorded, as of ``at``: what was written."""
        self.renders[0] = 0
        summary = self.publisher.publish_all(self.feeds, at=at, record=True)
        return {
            "documents": summary.written + sum(len(f.written) for f in summary.faces),
            "items": sum(result.items for result in summary.results),
            "renders": self.renders[0],
            "feeds_changed": sum(1 for result in summary.results if result.written),
            "outcomes": sorted({result.outcome for result in summary.results}),
            "exit_code": summary.exit_code,
        }

    def publish_story(self, n: int) -> dict[str, Any]:
        """Story ``n`` of :func:`breaking_story` stored, then every feed
        published."""
        self.publisher.store.append(breaking_story(self.feeds, n))
        return self.publish(AT + timedelta(seconds=2 + 2 * n))

    def close(self) -> None:
        self.publisher.close()
        self.publisher.store.close()


def breaking_story(feeds: list[Any], n: int) -> Any:
    """A new story with the three subjects most feeds select, in the language
    most language-filtered feeds want (``n`` numbers it)."""
    from syndication.articles.model import Subject

    subjects = Counter(q for f in feeds for q in f.selection.subjects)
    languages = Counter(lang for f in feeds for lang in f.selection.languages)
    return replace(
        make_version(random.Random(99 + n), 10_000_000 + n),
        subjects=tuple(
            Subject(qcode, "bench topic") for qcode, _ in subjects.most_common(3)
        ),
        language=languages.most_common(1)[0][0],
        version_created=AT + timedelta(seconds=1 + 2 * n),
        first_created=AT + timedelta(seconds=1 + 2 * n),
        embargo_until=None,
    )


def publish_ours(site: Site) -> dict[str, Any]:
    session = Session(site)
    try:
        return session.publish()
    finally:
        session.close()


def cold_then_warm(
    step: Callable[[Session, int], dict[str, Any]],
) -> Callable[[Site], dict[str, Any]]:
    """``step`` in this fresh process (the figures: cold, with the session's
    opening), then again with the same session, as a long-running scheduler
    would run it (under ``warm``, with the time of that step alone)."""

    def both(site: Site) -> dict[str, Any]:
        session = Session(site)
        try:
            figures = step(session, 0)
            started = time.perf_counter()
            warm = step(session, 1)
            warm["seconds"] = round(time.perf_counter() - started, 3)
        finally:
            session.close()
        return {**figures, "warm": warm}

    return both


def publish_baseline(site: Site, mode: str) -> dict[str, Any]:
    from bench.baseline import publish_baseline
    from bench.baseline_documents import publish_same_documents
    from syndication.config import load_settings
    from syndication.store import open_store

    settings = load_settings(site.config)
    out = site.folder / f"baseline-{mode}"
    store = open_store(site.store_url)
    try:
        if mode == "three-indexes":
            written = publish_baseline(
                store, site.feed_definitions(), settings.agency, AT, out
            )
        else:
            from syndication.destinations.base import ITEM_DOCUMENTS_DEFAULT

            options = settings.destinations["local"].options
            written = publish_same_documents(
                store,
                site.feed_definitions(),
                settings.agency,
                AT,
                out,
                settings.archive,
                shared=options.get("item_documents", ITEM_DOCUMENTS_DEFAULT)
                == "shared",
            )
    finally:
        store.close()
    return {"documents": written}


MODES: dict[str, Callable[[Site], dict[str, Any]]] = {
    "ours": publish_ours,
    "tick": cold_then_warm(lambda session, _: session.publish()),
    "one-story": cold_then_warm(Session.publish_story),
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
