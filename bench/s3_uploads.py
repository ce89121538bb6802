"""Uploads to a real moto S3 server: PUTs per second of a first publish.

    python -m bench.s3_uploads [--articles 5000] [--feeds 20] [--repeat 3]

A seeded site (bench.workload) publishes its feeds, validated, all formats, to an
empty bucket on a moto server on 127.0.0.1, through the counting proxy
(bench.moto_s3). PUTs per second are the PUTs the server answered divided by the
wall time of the whole publish (selection, rendering and checks included), with
the publisher's default upload concurrency and, when the configuration accepts
``[publish] upload_concurrency``, with 1. The same feeds published to an empty
local folder give the part of that time that is not uploading, so
``upload_puts_per_second`` is PUTs / (S3 time - local time). Each run uses a new
bucket and records nothing, so every document is written.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.moto_s3 import MotoS3, moto_s3
from bench.site import Site, make_site, publisher_for
from bench.workload import AT


def upload_figures(articles: int, feeds: int, repeat: int) -> dict[str, Any]:
    from syndication.feeds import load_feeds

    out: dict[str, Any] = {"articles": articles, "feeds": feeds, "repeat": repeat}
    with tempfile.TemporaryDirectory(prefix="syndication-bench-s3-") as temp:
        root = Path(temp)
        site = make_site(root / "site", articles, feeds)
        feed_defs = list(load_feeds(site.feeds_dir).feeds.values())
        with moto_s3() as s3:
            levels: list[int | None] = [None]
            if _accepts_upload_concurrency(site):
                levels.append(1)
            else:
                out["upload_concurrency"] = "not a setting of this version"
            local = _local_seconds(site, feed_defs, repeat)
            out["local_seconds"] = round(local, 3)
            out["runs"] = [
                _s3_figures(s3, site, feed_defs, level, repeat, local)
                for level in levels
            ]
    return out


def _accepts_upload_concurrency(site: Site) -> bool:
    from syndication.config import load_settings
    from syndication.errors import ConfigError

    probe = site.folder / "probe.toml"
    probe.write_text(
        site.config.read_text("utf-8") + "\n[publish]\nupload_concurrency = 1\n",
        encoding="utf-8",
    )
    try:
        load_settings(probe)
    except ConfigError as exc:
        if "upload_concurrency" in str(exc):
            return False
        raise
    return True


def _local_seconds(site: Site, feed_defs: list[Any], repeat: int) -> float:
    publisher = publisher_for(site)
    publisher.gate  # noqa: B018  # compile schemas outside the timings
    times = []
    for _ in range(repeat):
        shutil.rmtree(site.folder / "public", ignore_errors=True)
        started = time.perf_counter()
        summary = publisher.publish_all(feed_defs, at=AT, record=False)
        times.append(time.perf_counter() - started)
        _check(summary)
    publisher.close()
    publisher.store.close()
    return statistics.median(times)


def _s3_figures(
    s3: MotoS3,
    site: Site,
    feed_defs: list[Any],
    concurrency: int | None,
    repeat: int,
    local_seconds: float,
) -> dict[str, Any]:
    name = "default" if concurrency is None else str(concurrency)
    runs = []
    for n in range(repeat):
        bucket = f"bench-{name}-{n}"
        s3.create_bucket(bucket)
        config = site.folder / f"s3-{name}-{n}.toml"
        setting = "" if concurrency is None else f"upload_concurrency = {concurrency}\n"
        config.write_text(
            site.config.read_text("utf-8")
            + "\n"
            + s3.destination("s3", bucket)
            + f'\n[publish]\ndefault_destination = "s3"\n{setting}',
            encoding="utf-8",
        )
        publisher = publisher_for(replace(site, config=config))
        publisher.gate  # noqa: B018  # compile schemas outside the timings
        s3.proxy.take()
        started = time.perf_counter()
        summary = publisher.publish_all(feed_defs, at=AT, record=False)
        seconds = time.perf_counter() - started
        requests = s3.proxy.take()
        publisher.close()
        publisher.store.close()
        _check(summary)
        objects = s3.object_count(bucket)
        if requests.puts != summary.written or objects != summary.written:
            raise RuntimeError(
                f"{summary.written} documents written, but the server answered "
                f"{requests.puts} PUTs and holds {objects} objects"
            )
        runs.append((seconds, requests.puts, dict(requests.methods)))
    seconds = statistics.median(r[0] for r in runs)
    puts = runs[0][1]
    return {
        "upload_concurrency": name,
        "seconds": round(seconds, 3),
        "puts": puts,
        "requests": runs[0][2],
        "puts_per_second": round(puts / seconds, 1),
        "upload_puts_per_second": round(puts / (seconds - local_seconds), 1)
        if seconds > local_seconds
        else None,
    }


def _check(summary: Any) -> None:
    if summary.exit_code != 0 or not summary.written:
        raise RuntimeError(f"the publish failed: {summary.line()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = upload_figures(args.articles, args.feeds, args.repeat)
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
