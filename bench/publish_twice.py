"""Publish the example feeds twice (first, then unchanged) to the local folder and
to a moto S3 server on 127.0.0.1, counting PUTs where the server sees them.

    python -m bench.publish_twice
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def main() -> None:
    import boto3
    from conftest import MotoServer, free_port, write_config
    from s3proxy import S3Proxy

    from syndication.articles.ingest import IngestOptions, ingest_paths
    from syndication.config import load_settings
    from syndication.feeds import load_feeds
    from syndication.publish import Publisher
    from syndication.store import open_store

    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
    )
    server = MotoServer(free_port())
    server.start()
    proxy = S3Proxy(server.port)
    try:
        boto3.client("s3", endpoint_url=server.endpoint_url).create_bucket(
            Bucket="bench-feeds"
        )
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp)
            config = write_config(
                folder,
                feeds_dir=REPO / "feeds",
                extra=(
                    '[destinations.s3]\ntype = "s3"\nbucket = "bench-feeds"\n'
                    f'endpoint_url = "{proxy.endpoint_url}"\nregion = "us-east-1"\n'
                ),
            )
            settings = load_settings(config)
            store = open_store(settings.store_url)
            paths = [
                REPO / "examples" / "stories",
                REPO.parent / "shared" / "samples" / "wire",
            ]
            ingest_paths(
                store, settings, [p for p in paths if p.exists()], IngestOptions()
            )
            feeds = list(load_feeds(settings.feeds_dir).feeds.values())
            publisher = Publisher(settings, store)
            publisher.gate  # noqa: B018  # compile schemas outside the timings
            for name in ("local", "s3"):
                for attempt in ("first", "unchanged"):
                    proxy.clear()
                    started = time.perf_counter()
                    summary = publisher.publish_all(feeds, destination=name)
                    elapsed = time.perf_counter() - started
                    puts = len(proxy.puts()) if name == "s3" else summary.written
                    # Every request the server saw, by method (GET: the listings).
                    methods = Counter(method for method, _ in proxy.log)
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
    finally:
        proxy.close()
        server.stop()


if __name__ == "__main__":
    main()
