"""Self links point where the documents really are: at the destination's public
base URL, in publish and in build (which builds what publish writes there);
without one they are left out, never guessed from the partner's site."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_config
from lxml import etree

from syndication.articles.model import Subject, Version
from syndication.cli import cli
from syndication.config import load_settings
from syndication.store import open_store

ATOM = "{http://www.w3.org/2005/Atom}"
AT = "2026-11-27T12:00:00Z"
FEED = """id = "{id}"
partner = "Partner {id}"
title = "Feed {id}"
description = "Stories for {id}"
link = "https://{id}.example/news/"

[destination]
name = "{destination}"
path = "{id}-feeds"
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for feed_id, destination in (("cdn", "cdn"), ("plain", "local")):
        (feeds / f"{feed_id}.toml").write_text(
            FEED.format(id=feed_id, destination=destination), encoding="utf-8"
        )
    config = write_config(
        tmp_path,
        feeds_dir=feeds,
        extra=(
            "[destinations.cdn]\n"
            'type = "local"\n'
            f'path = "{tmp_path / "cdn"}"\n'
            'public_base_url = "https://feeds.example.org/wire/"\n'
        ),
    )
    store = open_store(load_settings(config).store_url)
    store.append(
        Version(
            guid="urn:test:floods",
            headline="Floods displace thousands",
            summary="Rivers burst their banks.",
            body="<p>Water rose overnight.</p>",
            version_created=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
            first_created=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
            subjects=(Subject("medtop:06000000", "environment"),),
        )
    )
    store.close()
    return config


def run(config: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output


def self_links(folder: Path) -> dict[str, list[str]]:
    rss = etree.parse(str(folder / "rss.xml")).getroot()
    atom = etree.parse(str(folder / "atom.xml")).getroot()
    return {
        "rss": [
            link.get("href")
            for link in rss.find("channel").findall(f"{ATOM}link")
            if link.get("rel") == "self"
        ],
        "atom": [
            link.get("href")
            for link in atom.findall(f"{ATOM}link")
            if link.get("rel") == "self"
        ],
    }


WHERE_THEY_ARE = {
    "rss": ["https://feeds.example.org/wire/cdn-feeds/rss.xml"],
    "atom": ["https://feeds.example.org/wire/cdn-feeds/atom.xml"],
}


def test_publish_announces_the_public_address(site: Path, tmp_path: Path) -> None:
    run(site, "publish", "--at", AT)
    assert self_links(tmp_path / "cdn" / "cdn-feeds") == WHERE_THEY_ARE
    # No public base URL: no self link, and none guessed from the feed's link.
    plain = tmp_path / "public" / "plain-feeds"
    assert self_links(plain) == {"rss": [], "atom": []}
    for name in ("rss.xml", "atom.xml"):
        assert b"plain.example/news/rss.xml" not in (plain / name).read_bytes()
        assert b"plain.example/news/atom.xml" not in (plain / name).read_bytes()


def test_build_writes_what_publish_would(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(site, "build", "--at", AT, "--out", str(out))
    assert self_links(out / "cdn-feeds") == WHERE_THEY_ARE
    assert self_links(out / "plain-feeds") == {"rss": [], "atom": []}
    run(site, "publish", "--at", AT)
    for name in ("rss.xml", "atom.xml", "newsml.xml"):
        built = (out / "cdn-feeds" / name).read_bytes()
        assert built == (tmp_path / "cdn" / "cdn-feeds" / name).read_bytes(), name


def test_publishing_elsewhere_announces_that_address(
    site: Path, tmp_path: Path
) -> None:
    """--destination: the documents are where they are written."""
    run(site, "publish", "--at", AT, "--destination", "local", "cdn")
    assert self_links(tmp_path / "public" / "cdn-feeds") == {"rss": [], "atom": []}
