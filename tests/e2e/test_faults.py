"""Fault injection: the store's PostgreSQL connections cut mid-run (through a
TCP proxy), an SQLite store refusing writes, and an S3 server that fails,
drops, delays or loses its answers (through the S3 proxy). Each failure is a
message on the feed it hit, the other feeds still go, and a feed's indexes
never disagree for longer than one run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from conftest import write_config
from s3proxy import S3Proxy
from sqlalchemy import event
from tcpproxy import TcpProxy

from syndication.articles.model import Subject, Version
from syndication.config import load_settings
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.render.registry import render_edition
from syndication.store import open_store

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=3)


def feeds_folder(root: Path, destination: str = "") -> Path:
    folder = root / "feeds"
    folder.mkdir()
    for feed_id in ("a", "b", "c"):
        (folder / f"{feed_id}.toml").write_text(
            f'id = "{feed_id}"\npartner = "P {feed_id}"\ntitle = "Feed {feed_id}"\n'
            f'description = "D {feed_id}"\nlink = "https://{feed_id}.example/"\n'
            + (f'[destination]\nname = "{destination}"\n' if destination else ""),
            encoding="utf-8",
        )
    return folder


def add_stories(store_url: str, count: int = 2) -> None:
    store = open_store(store_url)
    try:
        for n in range(count):
            store.append(
                Version(
                    guid=f"urn:test:{n}",
                    headline=f"Story {n}",
                    body=f"<p>Body {n}.</p>",
                    version_created=T0 + timedelta(minutes=n),
                    first_created=T0 + timedelta(minutes=n),
                    subjects=(Subject("medtop:06000000", "environment"),),
                )
            )
    finally:
        store.close()


def sorted_feeds(settings):  # type: ignore[no-untyped-def]
    return sorted(
        load_feeds(settings.feeds_dir).feeds.values(), key=lambda f: f.feed_id
    )


# -- PostgreSQL cut mid-run ---------------------------------------------------


@pytest.fixture
def pg_proxy(postgres_url: str) -> Iterator[tuple[TcpProxy, str]]:
    proxy = TcpProxy("127.0.0.1", 5432)
    yield proxy, postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    proxy.close()


@pytest.mark.external_service
def test_postgres_cut_mid_publish_fails_one_feed_and_the_others_go(
    tmp_path: Path, pg_proxy: tuple[TcpProxy, str]
) -> None:
    proxy, url = pg_proxy
    if "127.0.0.1:5432" not in url and str(proxy.port) not in url:
        pytest.skip("the PostgreSQL URL does not name 127.0.0.1:5432")
    config = write_config(tmp_path, store_url=url, feeds_dir=feeds_folder(tmp_path))
    settings = load_settings(config)
    add_stories(url)

    def render(edition):  # type: ignore[no-untyped-def]
        if edition.feed.feed_id == "b":
            proxy.refusing = True  # the database goes away mid-run
            proxy.cut()
        return render_edition(edition)

    def restore(result):  # type: ignore[no-untyped-def]
        proxy.refusing = False

    store = open_store(url)
    publisher = Publisher(settings, store, render=render)
    feeds = sorted(
        load_feeds(settings.feeds_dir).feeds.values(), key=lambda f: f.feed_id
    )
    try:
        summary = publisher.publish_all(feeds, at=AT, on_result=restore)
    finally:
        publisher.close()
    outcomes = {r.feed_id: r.outcome for r in summary.results}
    assert outcomes == {"a": "published", "b": "failed", "c": "published"}
    failed = next(r for r in summary.results if r.feed_id == "b")
    assert failed.error.startswith("store ")
    assert "failed (" in failed.error
    assert summary.exit_code == 1
    # The next run completes the feed and closes the cut-off run.
    publisher = Publisher(settings, store, render=render_edition)
    try:
        again = publisher.publish_feed(feeds[1], at=AT)
    finally:
        publisher.close()
    assert again.is_ok, again.error
    outcomes_b = [run.outcome for run in store.runs("b")]
    assert "interrupted" in outcomes_b
    assert "running" not in outcomes_b
    store.close()


def test_a_store_that_refuses_writes_is_a_message(tmp_path: Path) -> None:
    config = write_config(tmp_path, feeds_dir=feeds_folder(tmp_path))
    settings = load_settings(config)
    add_stories(settings.store_url)
    store = open_store(settings.store_url)

    @event.listens_for(store.engine, "connect")  # type: ignore[attr-defined]
    def _full(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # SQLite refuses every write, as on a read-only or full disk.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only = ON")
        cursor.close()

    store.engine.dispose()  # type: ignore[attr-defined]
    publisher = Publisher(settings, store)
    feeds = sorted(
        load_feeds(settings.feeds_dir).feeds.values(), key=lambda f: f.feed_id
    )
    try:
        summary = publisher.publish_all(feeds, at=AT)
    finally:
        publisher.close()
        store.close()
    assert {r.outcome for r in summary.results} <= {"failed", "published"}
    failures = [r for r in summary.results if r.outcome == "failed"]
    assert failures
    assert all("attempt to write a readonly database" in r.error for r in failures), [
        r.error for r in failures
    ]
    assert summary.exit_code == 1


# -- S3 faults ------------------------------------------------------------------


@pytest.fixture
def s3_site(tmp_path: Path, moto_server, s3_env) -> Iterator[tuple[Path, S3Proxy, str]]:  # type: ignore[no-untyped-def]
    proxy = S3Proxy(moto_server.port)
    bucket = f"faults-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3", endpoint_url=moto_server.endpoint_url, region_name="us-east-1"
    ).create_bucket(Bucket=bucket)
    config = write_config(
        tmp_path,
        feeds_dir=feeds_folder(tmp_path, "s3"),
        extra=(
            "[destinations.s3]\n"
            'type = "s3"\n'
            f'bucket = "{bucket}"\n'
            'region = "us-east-1"\n'
            f'endpoint_url = "{proxy.endpoint_url}"\n'
            "max_attempts = 1\n"
            "read_timeout = 5\n"
        ),
    )
    add_stories(load_settings(config).store_url)
    yield config, proxy, bucket
    proxy.close()


def publish(config: Path, at: datetime = AT):  # type: ignore[no-untyped-def]
    settings = load_settings(config)
    store = open_store(settings.store_url)
    publisher = Publisher(settings, store)
    feeds = sorted(
        load_feeds(settings.feeds_dir).feeds.values(), key=lambda f: f.feed_id
    )
    try:
        return publisher.publish_all(feeds, at=at)
    finally:
        publisher.close()
        store.close()


def index_bodies(moto_server, bucket: str, feed: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    client = boto3.client(
        "s3", endpoint_url=moto_server.endpoint_url, region_name="us-east-1"
    )
    return {
        name: client.get_object(Bucket=bucket, Key=f"{feed}/{name}")["Body"].read()
        for name in ("rss.xml", "atom.xml", "newsml.xml")
    }


def new_story(config: Path, n: int) -> None:
    store = open_store(load_settings(config).store_url)
    try:
        store.append(
            Version(
                guid=f"urn:test:{n}",
                headline=f"Story {n}",
                body=f"<p>Body {n}.</p>",
                version_created=T0 + timedelta(hours=1, minutes=n),
                first_created=T0 + timedelta(hours=1, minutes=n),
            )
        )
    finally:
        store.close()


@pytest.mark.external_service
def test_a_lost_answer_to_an_index_write_is_success(s3_site, moto_server) -> None:  # type: ignore[no-untyped-def]
    config, proxy, bucket = s3_site
    assert publish(config).exit_code == 0
    new_story(config, 7)
    lost: list[str] = []

    def plan(method: str, path: str) -> str | None:
        if method == "PUT" and path.endswith("/a/atom.xml") and not lost:
            lost.append(path)
            return "lost-ack"
        return None

    proxy.plan = plan
    summary = publish(config)
    assert lost, "the answer to one index write was lost"
    assert summary.exit_code == 0, [r.error for r in summary.results]
    bodies = index_bodies(moto_server, bucket, "a")
    assert all(b"Story 7" in body for body in bodies.values())


@pytest.mark.external_service
def test_an_index_that_cannot_be_written_is_named_and_the_others_go(
    s3_site, moto_server
) -> None:  # type: ignore[no-untyped-def]
    config, proxy, bucket = s3_site
    assert publish(config).exit_code == 0
    new_story(config, 7)
    proxy.plan = lambda method, path: (
        "503" if method == "PUT" and path.endswith("/a/atom.xml") else None
    )
    summary = publish(config)
    results = {r.feed_id: r for r in summary.results}
    assert results["a"].outcome == "failed"
    assert "indexes replaced: rss.xml, newsml.xml; not replaced: atom.xml" in (
        results["a"].error
    )
    assert results["b"].outcome == results["c"].outcome == "published"
    assert summary.exit_code == 1
    # The next run brings the feed's indexes back into agreement.
    proxy.plan = None
    assert publish(config).exit_code == 0
    bodies = index_bodies(moto_server, bucket, "a")
    assert all(b"Story 7" in body for body in bodies.values())


@pytest.mark.external_service
def test_a_slow_and_flaky_store_still_ends_consistent(s3_site, moto_server) -> None:  # type: ignore[no-untyped-def]
    config, proxy, bucket = s3_site
    calls: list[str] = []

    def plan(method: str, path: str) -> str | None:
        calls.append(path)
        if len(calls) % 7 == 3:
            return "delay:0.3"
        if method == "PUT" and len(calls) % 11 == 5:
            return "drop"
        return None

    proxy.plan = plan
    first = publish(config)
    assert {r.outcome for r in first.results} <= {"published", "failed"}
    proxy.plan = None
    assert publish(config).exit_code == 0
    for feed in ("a", "b", "c"):
        bodies = index_bodies(moto_server, bucket, feed)
        assert all(b"Story 1" in body for body in bodies.values())
