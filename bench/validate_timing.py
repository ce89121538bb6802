"""Time the gate on a 100-item document of each format (schemas compiled once).

python -m bench.validate_timing
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.workload import AT
from syndication.config import load_settings
from syndication.feeds import FeedDefinition
from syndication.render.registry import render_edition
from syndication.select import build_edition
from syndication.store import open_store
from syndication.store.base import Selection

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    from bench.workload import generate_articles
    from syndication.validate import schemas
    from syndication.validate.gate import Gate

    settings = load_settings(REPO / "config" / "syndication.toml")
    with tempfile.TemporaryDirectory() as temp:
        store = open_store(f"sqlite:///{temp}/store.db")
        generate_articles(store, 300)
        feed = FeedDefinition(
            feed_id="timing",
            partner="Timing",
            title="Timing",
            description="100 items",
            link="https://timing.example/",
            selection=Selection(limit=100),
        )
        edition = build_edition(store, feed, settings.agency, AT + timedelta(days=3))
        documents = render_edition(edition)
        gate = Gate(settings.schemas_dir, settings.newsml_xsd)
        started = time.perf_counter()
        for fmt in ("rss", "atom", "newsml"):
            schemas.grammar(settings.schemas_dir, fmt)
            schemas.rules(settings.schemas_dir, fmt)
        if settings.newsml_xsd:
            schemas.official_xsd(settings.newsml_xsd)
        compile_seconds = time.perf_counter() - started
        sys.stdout.write(
            f"items: {len(edition.items)}; compile all schemas once: "
            f"{compile_seconds * 1000:.0f} ms\n"
        )
        for key in ("rss.xml", "atom.xml", "newsml.xml"):
            document = next(d for d in documents if d.key == key)
            times = []
            for _ in range(7):
                started = time.perf_counter()
                report = gate.check([document], edition)
                times.append(time.perf_counter() - started)
            assert report.ok, report.problems[:3]
            sys.stdout.write(
                f"{key}: {len(document.body) / 1024:.0f} KiB, check median "
                f"{statistics.median(times) * 1000:.1f} ms\n"
            )
        items = [d for d in documents if not d.is_index]
        started = time.perf_counter()
        gate.check(items, edition)
        sys.stdout.write(
            f"{len(items)} NewsML-G2 item documents: "
            f"{(time.perf_counter() - started) * 1000:.0f} ms\n"
        )
        store.close()


if __name__ == "__main__":
    main()
