"""The full publish at several archive sizes with the same feeds: does its cost
follow feeds × items, or the number of stored articles?

    python -m bench.scaling [--sizes 5000,50000,200000] [--feeds 200] [--repeat 3]

For each size, a new seeded site (bench.workload, the same feed definitions each
time, up to 100 items each) is generated, then the same figures as bench.run:
the full publish (validated, all feeds and formats, from the generated store to
an empty local folder, each run a fresh process; median of --repeat, and the
peak memory, max RSS, of those processes), and the tick with nothing new.
Sites are deleted after each size.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.full_publish import full_publish_figures, snapshot, tick_figures
from bench.site import make_site


def size_figures(articles: int, feeds: int, repeat: int) -> dict[str, Any]:
    """The figures of one archive size (a new site of ``articles`` articles)."""
    out: dict[str, Any] = {"articles": articles, "feeds": feeds, "repeat": repeat}
    with tempfile.TemporaryDirectory(prefix="syndication-bench-scaling-") as temp:
        started = time.perf_counter()
        site = make_site(Path(temp) / "site", articles, feeds)
        out["generate_seconds"] = round(time.perf_counter() - started, 2)
        out["store_mb"] = round((site.folder / "store.db").stat().st_size / 2**20)
        snapshot(site)
        out.update(full_publish_figures(site, repeat, baselines=()))
        out["ms_per_document"] = round(
            1000 * out["full_publish_seconds"] / out["full_publish_documents"], 2
        )
        out.update(tick_figures(site))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(size) for size in text.split(",")],
        default=[5000, 50_000, 200_000],
        help="article counts, comma-separated",
    )
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for articles in args.sizes:
        # One line per size as it finishes: the 200,000 size takes a while.
        result = size_figures(articles, args.feeds, args.repeat)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
