"""Publishing to a real S3-compatible server: moto in server mode on 127.0.0.1,
reached by boto3 over HTTP through a counting proxy (tests/s3proxy.py), so PUTs
are counted and ordered where the server sees them."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, unquote

import boto3
import pytest
from click.testing import CliRunner
from conftest import MotoServer, free_port, write_config
from s3proxy import S3Proxy

from syndication.articles.model import Subject, Version
from syndication.cli import cli
from syndication.config import load_settings
from syndication.store import open_store

INDEXES = ("/rss.xml", "/atom.xml", "/newsml.xml")

pytestmark = pytest.mark.external_service

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AT = "2026-11-27T12:00:00Z"
FEED = """id = "{id}"
partner = "Partner {id}"
title = "Feed {id}"
description = "Stories for {id}"
link = "https://{id}.example/"

[destination]
name = "s3"
"""


@pytest.fixture
def proxy(moto_server) -> Iterator[S3Proxy]:  # type: ignore[no-untyped-def]
    server = S3Proxy(moto_server.port)
    yield server
    server.close()


@pytest.fixture
def bucket(moto_server, s3_env) -> str:  # type: ignore[no-untyped-def]
    name = f"feeds-{uuid.uuid4().hex[:10]}"
    client = boto3.client(
        "s3", endpoint_url=moto_server.endpoint_url, region_name="us-east-1"
    )
    client.create_bucket(Bucket=name)
    return name


def make_site(tmp_path: Path, endpoint: str, bucket: str, extra: str = "") -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir(exist_ok=True)
    for feed_id in ("alpha", "beta"):
        (feeds / f"{feed_id}.toml").write_text(
            FEED.format(id=feed_id), encoding="utf-8"
        )
    config = write_config(
        tmp_path,
        feeds_dir=feeds,
        extra=(
            "[destinations.s3]\n"
            'type = "s3"\n'
            f'bucket = "{bucket}"\n'
            'prefix = "wire"\n'
            'region = "us-east-1"\n'
            f'endpoint_url = "{endpoint}"\n'
            'public_base_url = "https://feeds.example.org/wire"\n'
            "max_attempts = 1\n" + extra
        ),
    )
    store = open_store(load_settings(config).store_url)
    for n in range(3):
        store.append(story(n))
    store.close()
    return config


def story(n: int, guid: str | None = None) -> Version:
    return Version(
        guid=guid or f"urn:test:{n}",
        headline=f"Story {n}",
        body=f"<p>Body {n}.</p>",
        version_created=T0 + timedelta(minutes=n),
        first_created=T0 + timedelta(minutes=n),
        subjects=(Subject("medtop:06000000", "environment"),),
    )


def publish(config: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        cli, ["--config", str(config), "publish", "--at", AT, *args]
    )


def s3(moto_server):  # type: ignore[no-untyped-def]
    return boto3.client(
        "s3", endpoint_url=moto_server.endpoint_url, region_name="us-east-1"
    )


def test_objects_carry_type_cache_and_checksum(tmp_path, proxy, bucket, moto_server):  # type: ignore[no-untyped-def]
    config = make_site(tmp_path, proxy.endpoint_url, bucket)
    result = publish(config)
    assert result.exit_code == 0, result.output
    client = s3(moto_server)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert "wire/alpha/rss.xml" in keys
    # Per feed: 3 indexes, 3 items, the stylesheet; the destination's face.
    # Per feed its three indexes and the stylesheet; the three items once,
    # shared; the face.
    assert len(keys) == 2 * (3 + 1) + 3 + 2
    expected_type = {
        # As XML, so browsers show them through feed.xsl ([publish]
        # browsable_feeds, on by default).
        "rss.xml": "application/xml; charset=utf-8",
        "atom.xml": "application/xml; charset=utf-8",
        "newsml.xml": "application/vnd.iptc.g2.newsmessage+xml; charset=utf-8",
        "index.html": "text/html; charset=utf-8",
        "feeds.opml": "text/x-opml; charset=utf-8",
    }
    import hashlib

    for key in keys:
        head = client.head_object(Bucket=bucket, Key=key)
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert head["Metadata"]["sha256"] == hashlib.sha256(body).hexdigest()
        name = key.rsplit("/", 1)[1]
        if "/items/" in key:
            assert (
                head["ContentType"]
                == "application/vnd.iptc.g2.newsitem+xml; charset=utf-8"
            )
            assert head["CacheControl"] == "public, max-age=300"
        elif name == "feed.xsl":  # written with the items, as one
            assert head["ContentType"] == "text/xsl; charset=utf-8"
            assert head["CacheControl"] == "public, max-age=300"
        else:
            assert head["ContentType"] == expected_type[name]
            assert head["CacheControl"] == "public, max-age=60"
    rss = client.get_object(Bucket=bucket, Key="wire/alpha/rss.xml")["Body"].read()
    assert b'href="https://feeds.example.org/wire/alpha/rss.xml" rel="self"' in rss


def test_second_publish_makes_zero_puts_and_items_go_first(tmp_path, proxy, bucket):  # type: ignore[no-untyped-def]
    config = make_site(tmp_path, proxy.endpoint_url, bucket)
    assert publish(config).exit_code == 0
    puts = [unquote(p) for p in proxy.puts()]
    # The three shared items (alpha's run writes them, beta's finds them
    # there), each feed's stylesheet and indexes; the face, last.
    assert len(puts) == 3 + 2 * 4 + 2
    assert [p.rpartition("/")[2] for p in puts[-2:]] == ["feeds.opml", "index.html"]
    items = [n for n, p in enumerate(puts) if "/wire/items/" in p]
    indexes = [n for n, p in enumerate(puts) if p.endswith(INDEXES)]
    assert len(items) == 3 and max(items) < min(indexes)
    for feed in ("alpha", "beta"):
        mine = [p for p in puts if f"/wire/{feed}/" in p]
        # The stylesheet goes with the items, before the indexes name it.
        early = [p.endswith("/feed.xsl") for p in mine]
        first_index = early.index(False)
        assert all(early[:first_index]) and not any(early[first_index:])
    proxy.clear()
    again = publish(config)
    assert again.exit_code == 0, again.output
    assert proxy.puts() == []
    assert again.stdout.splitlines()[-1] == (
        "2 feed(s) (2 unchanged): 0 document(s) written, 14 skipped, 0 failed"
    )
    # One new story: only its item and the indexes that changed are uploaded.
    store = open_store(load_settings(config).store_url)
    store.append(story(7))
    store.close()
    proxy.clear()
    assert publish(config).exit_code == 0
    puts = [unquote(p) for p in proxy.puts()]
    feeds = [p for p in puts if "/wire/alpha/" in p or "/wire/beta/" in p]
    assert len(feeds) == 2 * 3
    # Its item once, shared, before any index that carries it.
    assert puts[0].endswith("/wire/items/urn~3Atest~3A7/v1.xml")
    feeds = [puts[0], *feeds]
    # And the face, whose feeds' last update changed, last. The face shows
    # whole seconds: when the publishes fell in one second it is the same;
    # when the first one's feeds straddled a second and the last one's fell
    # in the later one, the list's newest date is the same and only the
    # page, which dates each feed, changes.
    face = [p.rpartition("/")[2] for p in puts[len(feeds) :]]
    assert puts[: len(feeds)] == feeds
    assert face in ([], ["index.html"], ["feeds.opml", "index.html"])


def test_failure_mid_publish_keeps_indexes_and_next_publish_completes(  # type: ignore[no-untyped-def]
    tmp_path, proxy, bucket, moto_server
):
    config = make_site(tmp_path, proxy.endpoint_url, bucket)
    proxy.fail_after = 2  # the store goes away after two PUTs
    result = publish(config, "alpha")
    assert result.exit_code == 1
    assert "alpha → s3: failed, 2 written" in result.stdout
    client = s3(moto_server)
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    keys = {o["Key"] for o in listed}
    assert not any(k.endswith(("rss.xml", "atom.xml", "newsml.xml")) for k in keys)
    store = open_store(load_settings(config).store_url)
    [run] = store.runs("alpha", limit=1)
    assert (run.outcome, run.written, run.failed) == ("failed", 2, 5)
    proxy.fail_after = None
    again = publish(config, "alpha")
    assert again.exit_code == 0, again.output
    assert "alpha → s3: published, 5 written, 2 skipped" in again.stdout
    store.close()


def test_server_gone_mid_publish_is_a_clean_failure(
    tmp_path, proxy, bucket, moto_server
):  # type: ignore[no-untyped-def]
    config = make_site(tmp_path, proxy.endpoint_url, bucket)
    proxy.failure = "drop"
    proxy.fail_after = 1
    result = publish(config, "beta")
    assert result.exit_code == 1
    assert "beta → s3: failed, 1 written" in result.stdout
    assert "Traceback" not in result.output
    keys = {
        o["Key"] for o in s3(moto_server).list_objects_v2(Bucket=bucket)["Contents"]
    }
    # No index was written (the stylesheet goes with the items, before them).
    assert keys == {k for k in keys if "/items/" in k or k.endswith("/feed.xsl")}
    proxy.fail_after = None
    assert publish(config, "beta").exit_code == 0


def test_unreachable_store_fails_cleanly(tmp_path, bucket, s3_env):  # type: ignore[no-untyped-def]
    config = make_site(tmp_path, f"http://127.0.0.1:{free_port()}", bucket)
    result = publish(config, "alpha")
    assert result.exit_code == 1
    assert "alpha → s3: failed" in result.stdout
    assert "Traceback" not in result.output


def test_concurrent_publishes_of_one_feed_never_interleave(tmp_path, proxy, bucket):  # type: ignore[no-untyped-def]
    """The second publish waits for the first's lock, then finds the work done:
    both exit 0, the ledger shows one run after the other."""
    config = make_site(
        tmp_path,
        proxy.endpoint_url,
        bucket,
        extra="\n[publish]\nlock_timeout_seconds = 120.0\n",
    )
    command = [
        sys.executable,
        "-m",
        "syndication",
        "--config",
        str(config),
        "publish",
        "alpha",
    ]
    processes = [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    firsts = sorted(out.splitlines()[0] for out, _ in outputs)
    assert firsts == [
        "alpha → s3: published, 7 written, 0 skipped, 3 item(s)",
        "alpha → s3: unchanged, 0 written, 7 skipped, 3 item(s)",
    ]
    puts = proxy.puts()
    # One publish wrote everything; the other found it done. The face follows
    # (the second may find it missing and write it too: the same bytes).
    feed_puts = [p for p in puts if "/wire/alpha/" in p or "/wire/items/" in p]
    assert len(feed_puts) == len(set(feed_puts)) == 7
    face = {p.rpartition("/")[2] for p in puts if p not in feed_puts}
    assert face == {"feeds.opml", "index.html"}
    store = open_store(load_settings(config).store_url)
    runs = sorted(store.runs("alpha"), key=lambda r: r.run_id)
    assert [(r.outcome, r.written) for r in runs] == [
        ("published", 7),
        ("unchanged", 0),
    ]
    assert runs[1].started >= runs[0].finished
    store.close()


def test_article_ids_cannot_escape_the_feed_prefix(
    tmp_path, proxy, bucket, moto_server
):  # type: ignore[no-untyped-def]
    config = make_site(tmp_path, proxy.endpoint_url, bucket)
    store = open_store(load_settings(config).store_url)
    for n, guid in enumerate(
        ("../../escape", "/etc/passwd", "a/../../b", "%2e%2e%2fx")
    ):
        store.append(story(10 + n, guid=guid))
    store.close()
    assert publish(config, "alpha").exit_code == 0
    keys = [
        o["Key"] for o in s3(moto_server).list_objects_v2(Bucket=bucket)["Contents"]
    ]
    face = {"wire/index.html", "wire/feeds.opml"}  # the destination's own
    assert face <= set(keys)
    keys = [k for k in keys if k not in face]
    assert all(k.startswith(("wire/alpha/", "wire/items/")) for k in keys)
    item_keys = [k for k in keys if k.startswith("wire/items/")]
    assert len(item_keys) == 4 + 3
    assert all(k.count("/") == 3 for k in item_keys), item_keys  # wire/items/ID/vN


class _Hub(http.server.BaseHTTPRequestHandler):
    pings: ClassVar[list[dict[str, list[str]]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        _Hub.pings.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


def test_websub_hub_is_pinged_when_an_index_changes(tmp_path, proxy, bucket):  # type: ignore[no-untyped-def]
    hub = http.server.HTTPServer(("127.0.0.1", 0), _Hub)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    try:
        port = hub.server_address[1]
        config = make_site(tmp_path, proxy.endpoint_url, bucket)
        text = config.read_text("utf-8")
        config.write_text(
            text + f'\n[publish]\nwebsub_hub = "http://127.0.0.1:{port}/"\n', "utf-8"
        )
        _Hub.pings.clear()
        assert publish(config, "alpha").exit_code == 0
        assert _Hub.pings == [
            {
                "hub.mode": ["publish"],
                "hub.url": [
                    "https://feeds.example.org/wire/alpha/rss.xml",
                    "https://feeds.example.org/wire/alpha/atom.xml",
                    "https://feeds.example.org/wire/alpha/newsml.xml",
                ],
            }
        ]
        assert publish(config, "alpha").exit_code == 0
        assert len(_Hub.pings) == 1  # nothing changed, no ping
    finally:
        hub.shutdown()
        hub.server_close()


def test_url_prints_public_and_presigned_addresses(tmp_path, proxy, bucket):  # type: ignore[no-untyped-def]
    config = make_site(tmp_path, proxy.endpoint_url, bucket)
    public = CliRunner().invoke(cli, ["--config", str(config), "url", "alpha"])
    assert public.stdout == "https://feeds.example.org/wire/alpha/rss.xml\n"
    signed = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "url",
            "alpha",
            "--format",
            "atom",
            "--expires",
            "7d",
        ],
    )
    assert signed.exit_code == 0, signed.output
    assert "/wire/alpha/atom.xml?" in signed.stdout
    assert "X-Amz-Expires=604800" in signed.stdout


def test_url_failures_are_messages(tmp_path, proxy, bucket, monkeypatch):  # type: ignore[no-untyped-def]
    config = make_site(tmp_path, proxy.endpoint_url, bucket)

    def url(*extra: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(
            cli, ["--config", str(config), "url", "alpha", "--expires", *extra]
        )

    huge = url("99999999999999999999d")
    assert huge.exit_code == 2
    assert "Invalid value for --expires: expected a duration" in huge.output
    assert "Traceback" not in huge.output
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    unsigned = url("1h")
    assert unsigned.exit_code == 1
    assert "presigning failed: Unable to locate credentials" in unsigned.output
    monkeypatch.setenv("AWS_PROFILE", "nope")
    profile = url("1h")
    assert profile.exit_code == 1
    assert (
        "cannot create an S3 client: The config profile (nope) could not be found"
        in (profile.output)
    )


@pytest.fixture
def own_moto(s3_env) -> Iterator[MotoServer]:  # type: ignore[no-untyped-def]
    """A moto server of this test's own, free to be stopped (the shared one is not)."""
    server = MotoServer(free_port())
    server.start()
    yield server
    server.stop()


def new_bucket(server: MotoServer, name: str = "stoppable") -> str:
    boto3.client(
        "s3", endpoint_url=server.endpoint_url, region_name="us-east-1"
    ).create_bucket(Bucket=name)
    return name


def test_server_stopped_mid_publish_fails_the_feed_and_the_next_run_completes(  # type: ignore[no-untyped-def]
    tmp_path, own_moto
):
    proxy = S3Proxy(own_moto.port)
    try:
        # One upload at a time, so "the third item" is the one that fails.
        config = make_site(
            tmp_path,
            proxy.endpoint_url,
            new_bucket(own_moto),
            extra="\n[publish]\nupload_concurrency = 1\n",
        )
        proxy.after_put = lambda answered: own_moto.stop() if answered == 2 else None
        result = publish(config, "alpha")
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        assert lines[0] == (
            "alpha → s3: failed, 2 written, 0 skipped, 3 item(s) "
            "(s3:s3://stoppable/wire/items/urn~3Atest~3A0/v1.xml: "
            "502: Bad Gateway (HTTP 502))"
        )
        assert lines[-1] == (
            "1 feed(s) (1 failed): 2 document(s) written, 0 skipped, 5 failed"
        )
        assert "Traceback" not in result.output
        # The server took two items and then was gone: no index ever reached it.
        accepted = [p for m, p, s in proxy.answers if m == "PUT" and s == 200]
        assert len(accepted) == 2
        assert all("/items/" in p for p in accepted)
        store = open_store(load_settings(config).store_url)
        [run] = store.runs("alpha")
        assert (run.outcome, run.written, run.skipped, run.failed) == (
            "failed",
            2,
            0,
            5,
        )
        assert run.error == lines[0].split(" (", 1)[1].removesuffix(")")
        assert sorted(store.published("alpha", "s3")) == sorted(
            unquote(p).removeprefix("/stoppable/wire/") for p in accepted
        )
        store.close()

        proxy.after_put = None
        own_moto.start()  # back, empty: moto keeps nothing across restarts
        new_bucket(own_moto)
        proxy.clear()
        again = publish(config, "alpha")
        assert again.exit_code == 0, again.output
        assert again.stdout.splitlines()[0] == (
            "alpha → s3: published, 7 written, 0 skipped, 3 item(s)"
        )
        assert len(proxy.puts()) == 7 + 2  # and the face
    finally:
        proxy.close()


def test_store_down_for_an_unchanged_feed_is_a_recorded_failure(  # type: ignore[no-untyped-def]
    tmp_path, own_moto
):
    config = make_site(tmp_path, own_moto.endpoint_url, new_bucket(own_moto))
    assert publish(config, "alpha").exit_code == 0
    own_moto.stop()
    result = publish(config, "alpha")
    assert result.exit_code == 1
    assert result.stdout.startswith("alpha → s3: failed, 0 written")
    assert "Traceback" not in result.output
    store = open_store(load_settings(config).store_url)
    latest, first = store.runs("alpha")
    assert (first.outcome, latest.outcome) == ("published", "failed")
    assert latest.error.startswith(
        "s3:s3://stoppable/wire/alpha/: listing failed: Could not connect"
    )
    assert latest.finished is not None
    store.close()
    own_moto.start()
    new_bucket(own_moto)
    again = publish(config, "alpha")
    assert again.exit_code == 0, again.output
    assert "alpha → s3: published, 7 written, 0 skipped" in again.stdout


def test_feed_ids_and_paths_that_would_escape_are_refused(  # type: ignore[no-untyped-def]
    tmp_path, proxy, bucket, moto_server
):
    config = make_site(tmp_path, proxy.endpoint_url, bucket)
    feeds = tmp_path / "feeds"
    (feeds / "evil.toml").write_text(
        FEED.format(id="../evil").replace('name = "s3"', 'name = "s3"\npath = "alpha"'),
        encoding="utf-8",
    )
    (feeds / "sneaky.toml").write_text(
        FEED.format(id="sneaky") + 'path = "../../outside"\n', encoding="utf-8"
    )
    result = publish(config)
    assert result.exit_code == 3
    assert f"{feeds / 'evil.toml'} [id]:" in result.stderr
    assert f"{feeds / 'sneaky.toml'} [destination.path]:" in result.stderr
    assert result.stdout.splitlines()[-1].startswith("2 feed(s) (2 published)")
    named = CliRunner().invoke(
        cli, ["--config", str(config), "publish", "--at", AT, "../evil"]
    )
    assert named.exit_code == 3
    keys = [
        o["Key"] for o in s3(moto_server).list_objects_v2(Bucket=bucket)["Contents"]
    ]
    assert {k.split("/")[1] for k in keys} == {
        "alpha",
        "beta",
        "items",  # the destination's shared item documents
        "feeds.opml",  # the destination's face
        "index.html",
    }
    assert all(k.startswith("wire/") for k in keys)


HOLDER = """
import sys
from syndication.locks import feed_lock
from syndication.store import open_store

with feed_lock(open_store(sys.argv[1]), "alpha"):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_publish_that_cannot_get_the_lock_is_locked_exit_1(  # type: ignore[no-untyped-def]
    tmp_path, proxy, bucket
):
    config = make_site(
        tmp_path,
        proxy.endpoint_url,
        bucket,
        extra="\n[publish]\nlock_timeout_seconds = 0.2\n",
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, load_settings(config).store_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        result = publish(config)
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        assert lines[0] == (
            "alpha → s3: locked, 0 written, 0 skipped, 0 item(s) (feed alpha is "
            "locked by another process; try again when it finishes)"
        )
        assert lines[1] == "beta → s3: published, 7 written, 0 skipped, 3 item(s)"
        assert lines[-1] == (
            "2 feed(s) (1 locked, 1 published): 7 document(s) written, "
            "0 skipped, 0 failed"
        )
        assert not any("/wire/alpha/" in p for p in proxy.puts())
    finally:
        holder.communicate(input="")


def test_a_destination_may_set_its_own_cache_control(  # type: ignore[no-untyped-def]
    tmp_path, proxy, bucket, moto_server
):
    config = make_site(
        tmp_path,
        proxy.endpoint_url,
        bucket,
        extra='cache_control_index = "public, max-age=5"\n',
    )
    assert publish(config, "alpha").exit_code == 0
    client = s3(moto_server)
    rss = client.head_object(Bucket=bucket, Key="wire/alpha/rss.xml")
    assert rss["CacheControl"] == "public, max-age=5"
    item = client.head_object(Bucket=bucket, Key="wire/items/urn~3Atest~3A0/v1.xml")
    assert item["CacheControl"] == "public, max-age=300"


def test_a_hub_that_is_down_never_fails_the_publish(tmp_path, proxy, bucket):  # type: ignore[no-untyped-def]
    port = free_port()  # nothing listens there
    config = make_site(
        tmp_path,
        proxy.endpoint_url,
        bucket,
        extra=f'\n[publish]\nwebsub_hub = "http://127.0.0.1:{port}/"\n',
    )
    result = publish(config, "alpha")
    assert result.exit_code == 0, result.output
    assert "alpha → s3: published, 7 written" in result.stdout
    assert f"WebSub hub http://127.0.0.1:{port}/ was not told of" in result.stderr
