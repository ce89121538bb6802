"""Ingest rate by input format: the same stories as JSON articles, as the
NewsML-G2 and ninjs item documents our renderers write, and as NewsML-G2
newsMessages of 250 items, each ingested by one ``syndication ingest``
process (start-up included) into a new SQLite store; then the NewsML-G2 and
ninjs documents ingested again into the store they came from (every one
unchanged: the round trip).

    python -m bench.ingest_formats [--stories 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.run import _ingest_rate
from bench.site import REPO, Site
from bench.workload import make_version, version_to_dict

# Items per newsMessage file: about 2 MB, within [ingest] max_bytes (5 MB).
MESSAGE_ITEMS = 250


def write_documents(folder: Path, count: int, config: Path, seed: int = 7) -> None:
    """``count`` stories as JSON articles (``json/``), NewsML-G2 items
    (``newsml/``), ninjs items (``ninjs/``) and newsMessages of 250 items
    (``message/``)."""
    from syndication.config import load_settings
    from syndication.credit import make_item
    from syndication.feeds import CreditPolicy, FeedDefinition
    from syndication.render import newsml, ninjs
    from syndication.store.base import Selection

    agency = load_settings(config).agency
    feed = FeedDefinition(
        feed_id="bench-ingest",
        partner="Bench",
        title="Bench",
        description="Ingest",
        link="https://bench.example/",
        formats=("newsml", "ninjs"),
        selection=Selection(limit=count),
        credit=CreditPolicy(),
    )
    for name in ("json", "newsml", "ninjs", "message"):
        (folder / name).mkdir(parents=True)
    rng = random.Random(seed)
    items: list[Any] = []
    for n in range(count):
        # Published, so version 1 and out of any embargo.
        version = replace(make_version(rng, 40_000_000 + n), embargo_until=None)
        version = version.with_number(1, version.first_created)
        data = version_to_dict(version)
        data.pop("version")
        data = {k: v for k, v in data.items() if v not in (None, "", [], False)}
        (folder / "json" / f"{n:06d}.json").write_text(json.dumps(data), "utf-8")
        item = make_item(version, feed, agency)
        items.append(item)
        (folder / "newsml" / f"{n:06d}.xml").write_bytes(
            newsml.item_document(item, agency)
        )
        (folder / "ninjs" / f"{n:06d}.json").write_bytes(
            ninjs.item_document(item, agency)
        )
    # Each item document without its XML declaration, in an itemSet.
    parts = [newsml.item_document(item, agency).split(b"?>\n", 1)[1] for item in items]
    for start in range(0, count, MESSAGE_ITEMS):
        (folder / "message" / f"{start:06d}.xml").write_bytes(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<newsMessage xmlns='
            b'"http://iptc.org/std/nar/2006-10-01/"><itemSet>\n'
            + b"".join(parts[start : start + MESSAGE_ITEMS])
            + b"</itemSet></newsMessage>\n"
        )


def site_in(folder: Path) -> Site:
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import write_config

    folder.mkdir(parents=True)
    config = write_config(folder, feeds_dir=REPO / "feeds")
    return Site(folder, config, REPO / "feeds", f"sqlite:///{folder / 'store.db'}")


def ingest_figures(count: int) -> dict[str, Any]:
    """Stories per second of each format's ingest, and of the round trip's."""
    out: dict[str, Any] = {"stories": count}
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        documents = root / "documents"
        write_documents(documents, count, site_in(root / "setup").config)
        for name in ("json", "newsml", "ninjs", "message"):
            site = site_in(root / name)
            out[f"ingest_{name}_per_second"] = _ingest_rate(
                site, documents / name, count
            )
            if name in ("newsml", "ninjs"):
                out[f"reingest_{name}_unchanged_per_second"] = _ingest_rate(
                    site, documents / name, count, unchanged=True
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=2000)
    figures = ingest_figures(parser.parse_args().stories)
    sys.stdout.write(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
