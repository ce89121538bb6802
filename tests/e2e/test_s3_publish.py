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
from conftest import write_config
from s3proxy import S3Proxy

from syndication.articles.model import Subject, Version
from syndication.cli import cli
from syndication.config import load_settings
from syndication.store import open_store

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
    assert len(keys) == 2 * (3 + 3)  # per feed: 3 indexes, 3 items
    expected_type = {
        "rss.xml": "application/rss+xml; charset=utf-8",
        "atom.xml": "application/atom+xml; charset=utf-8",
        "newsml.xml": "application/vnd.iptc.g2.newsmessage+xml; charset=utf-8",
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
            assert head["CacheControl"] == "public, max-age=31536000, immutable"
        else:
            assert head["ContentType"] == expected_type[name]
            assert head["CacheControl"] == "public, max-age=60"
    rss = client.get_object(Bucket=bucket, Key="wire/alpha/rss.xml")["Body"].read()
    assert b'href="https://feeds.example.org/wire/alpha/rss.xml" rel="self"' in rss


def test_second_publish_makes_zero_puts_and_items_go_first(tmp_path, proxy, bucket):  # type: ignore[no-untyped-def]
    config = make_site(tmp_path, proxy.endpoint_url, bucket)
    assert publish(config).exit_code == 0
    puts = [unquote(p) for p in proxy.puts()]
    assert len(puts) == 12
    for feed in ("alpha", "beta"):
        mine = [p for p in puts if f"/wire/{feed}/" in p]
        first_index = min(i for i, p in enumerate(mine) if "/items/" not in p)
        assert all("/items/" in p for p in mine[:first_index])
        assert all("/items/" not in p for p in mine[first_index:])
    proxy.clear()
    again = publish(config)
    assert again.exit_code == 0, again.output
    assert proxy.puts() == []
    assert again.stdout.splitlines()[-1] == (
        "2 feed(s) (2 unchanged): 0 document(s) written, 12 skipped, 0 failed"
    )
    # One new story: only its item and the indexes that changed are uploaded.
    store = open_store(load_settings(config).store_url)
    store.append(story(7))
    store.close()
    proxy.clear()
    assert publish(config).exit_code == 0
    assert len(proxy.puts()) == 2 * (1 + 3)


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
    assert (run.outcome, run.written, run.failed) == ("failed", 2, 4)
    proxy.fail_after = None
    again = publish(config, "alpha")
    assert again.exit_code == 0, again.output
    assert "alpha → s3: published, 4 written, 2 skipped" in again.stdout
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
    assert keys == {k for k in keys if "/items/" in k}  # no index was written
    proxy.fail_after = None
    assert publish(config, "beta").exit_code == 0


def test_unreachable_store_fails_cleanly(tmp_path, bucket, s3_env):  # type: ignore[no-untyped-def]
    from conftest import free_port

    config = make_site(tmp_path, f"http://127.0.0.1:{free_port()}", bucket)
    result = publish(config, "alpha")
    assert result.exit_code == 1
    assert "alpha → s3: failed" in result.stdout
    assert "Traceback" not in result.output


def test_concurrent_publishes_of_one_feed_never_interleave(tmp_path, proxy, bucket):  # type: ignore[no-untyped-def]
    config = make_site(tmp_path, proxy.endpoint_url, bucket)
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
    puts = proxy.puts()
    assert len(puts) == 6  # one publish wrote everything; the other found it done
    store = open_store(load_settings(config).store_url)
    runs = sorted(store.runs("alpha"), key=lambda r: r.run_id)
    assert [(r.outcome, r.written) for r in runs] == [
        ("published", 6),
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
    assert all(k.startswith("wire/alpha/") for k in keys)
    item_keys = [k for k in keys if "/items/" in k]
    assert all(k.count("/") == 4 for k in item_keys), (
        item_keys
    )  # wire/alpha/items/ID/vN


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
