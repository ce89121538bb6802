"""Publish the example feeds twice (first, then unchanged) to the local folder and
to a moto S3 server on 127.0.0.1, counting PUTs where the server sees them.

    python -m bench.publish_twice
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.moto_s3 import moto_s3

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    from conftest import write_config

    from syndication.articles.ingest import IngestOptions, ingest_paths
    from syndication.config import load_settings
    from syndication.feeds import load_feeds
    from syndication.publish import Publisher
    from syndication.store import open_store

    with moto_s3() as s3, tempfile.TemporaryDirectory() as temp:
        s3.create_bucket("bench-feeds")
        folder = Path(temp)
        config = write_config(
            folder,
            feeds_dir=REPO / "feeds",
            extra=s3.destination("s3", "bench-feeds"),
        )
        settings = load_settings(config)
        store = open_store(settings.store_url)
        paths = [
            REPO / "examples" / "stories",
            REPO.parent / "shared" / "samples" / "wire",
        ]
        ingest_paths(store, settings, [p for p in paths if p.exists()], IngestOptions())
        feeds = list(load_feeds(settings.feeds_dir).feeds.values())
        publisher = Publisher(settings, store)
        publisher.gate  # noqa: B018  # compile schemas outside the timings
        for name in ("local", "s3"):
            for attempt in ("first", "unchanged"):
                s3.proxy.take()
                started = time.perf_counter()
                summary = publisher.publish_all(feeds, destination=name)
                elapsed = time.perf_counter() - started
                methods = s3.proxy.take().methods
                puts = methods["PUT"] if name == "s3" else summary.written
                # Every request the server saw, by method (GET: the listings).
                seen = ", ".join(f"{m} {n}" for m, n in sorted(methods.items()))
                sys.stdout.write(
                    f"{name:5} {attempt:9}: {summary.written:3} written, "
                    f"{summary.skipped:3} skipped, PUTs {puts:3}, "
                    f"{elapsed * 1000:.0f} ms"
                    + (f" (requests at the server: {seen})" if seen else "")
                    + "\n"
                )
        publisher.close()
        store.close()


if __name__ == "__main__":
    main()
