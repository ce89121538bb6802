"""Archives for catch-up (RFC 5005), driven through the CLI: a feed published
over several days (explicit ``--at`` moments) links its archives; a partner
that was away walks ``prev-archive`` from the subscription document with
feedparser and gets every story, even a day's burst beyond the feed's limit;
a kill or a correction reaches the archives as the lifecycle rules require;
an unchanged archive is never written again; the stylesheet an archive names
is the one published in the feed's folder; links are absolute under a public
address."""

from __future__ import annotations

import json
import posixpath
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner, Result
from conftest import write_config

from syndication.cli import cli

# Stories on five days before the real now (the CLI's editorial commands and
# a publish without --at act as of now; all five days stay among the 7 kept).
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
DAY0 = TODAY - timedelta(days=6)
DAYS = 5
HOURS = (6, 12, 18)  # three stories a day, the feed carries two
FEED = """id = "wire"
partner = "Partner"
title = "Wire"
description = "Every story"
link = "https://partner.example/"
formats = ["rss", "atom", "newsml"]
limit = 2
"""
BASE = "https://feeds.example.org/pub"


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def day(number: int) -> datetime:
    return DAY0 + timedelta(days=number)


def guid(number: int, hour: int) -> str:
    return f"urn:test:arch-d{number}-h{hour}"


def marker(number: int, hour: int) -> str:
    return f"body-d{number}-h{hour}"


class Site:
    def __init__(self, root: Path, base_url: str = "") -> None:
        self.root = root
        feeds = root / "feeds"
        feeds.mkdir()
        (feeds / "wire.toml").write_text(FEED, encoding="utf-8")
        # Appended inside the [destinations.local] table write_config ends with.
        extra = f'public_base_url = "{base_url}"\n' if base_url else ""
        self.config = write_config(root, feeds_dir=feeds, extra=extra)
        self.public = root / "public" / "wire"
        self.base_url = base_url
        self.runner = CliRunner()

    def run(self, *args: str) -> Result:
        return self.runner.invoke(cli, ["--config", str(self.config), *args])

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, (args, result.output)
        return result

    def ingest(self, number: int, hour: int, **changes: Any) -> None:
        moment = day(number) + timedelta(hours=hour)
        story = {
            "guid": guid(number, hour),
            "headline": f"Story of day {number} at {hour}",
            "body": f"<p>The {marker(number, hour)} text.</p>",
            "first_created": iso(moment),
            **changes,
        }
        path = self.root / f"story-{uuid.uuid4().hex[:8]}.json"
        path.write_text(json.dumps(story), encoding="utf-8")
        self.ok("ingest", str(path))

    def publish(self, at: datetime | None = None) -> dict[str, Any]:
        args = ["publish", "--json"] + (["--at", iso(at)] if at else [])
        return json.loads(self.ok(*args).stdout)

    def files(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.public).as_posix(): p.read_bytes()
            for p in sorted(self.public.rglob("*"))
            if p.is_file()
        }

    def walk(self, name: str, stop: set[str] = frozenset()) -> list[tuple[str, Any]]:
        """The subscription document ``name``, then each archive its
        prev-archive links lead to (parsed by feedparser), as a partner walks
        them, stopping before an archive in ``stop``."""
        key, found = name, []
        while key and key not in stop:
            parsed = feedparser.parse((self.public / key).read_bytes())
            assert not parsed.bozo, (key, parsed.bozo_exception)
            found.append((key, parsed))
            links = [
                link["href"]
                for link in parsed.feed.links
                if link["rel"] == "prev-archive"
            ]
            assert len(links) <= 1
            key = self.resolve(key, links[0]) if links else ""
        return found

    def resolve(self, key: str, href: str) -> str:
        if self.base_url:
            assert href.startswith(f"{self.base_url}/wire/"), href
            return href.removeprefix(f"{self.base_url}/wire/")
        assert "://" not in href, href
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(key), href))
        assert not resolved.startswith(".."), href
        return resolved


def written(summary: dict[str, Any]) -> list[str]:
    return [key for result in summary["feeds"] for key in result["written"]]


def publish_every_evening(site: Site) -> None:
    """Each day's stories arrive, and the feed is published that evening."""
    for number in range(DAYS):
        for hour in HOURS:
            site.ingest(number, hour)
        site.publish(day(number) + timedelta(hours=20))


def every_story() -> set[str]:
    return {guid(number, hour) for number in range(DAYS) for hour in HOURS}


@pytest.fixture
def site(tmp_path: Path) -> Site:
    made = Site(tmp_path)
    publish_every_evening(made)
    return made


def test_the_feed_links_its_archives_and_a_partner_catches_up(site: Site) -> None:
    summary = site.publish(day(DAYS) + timedelta(hours=1))
    keys = set(written(summary))
    assert f"wire/archive/{day(DAYS - 1):%Y-%m-%d}/rss.xml" in keys
    for name in ("rss.xml", "atom.xml"):
        chain = site.walk(name)
        assert [key for key, _ in chain] == [name] + [
            f"archive/{day(n):%Y-%m-%d}/{name}" for n in reversed(range(DAYS))
        ]
        seen = {entry.id for _, parsed in chain for entry in parsed.entries}
        # Three stories a day, the feed carries two: the archives hold them all.
        assert seen == every_story(), name
        for key, parsed in chain[1:]:
            number = DAYS - 1 - [k for k, _ in chain].index(key) + 1
            assert {entry.id for entry in parsed.entries} == {
                guid(number, hour) for hour in HOURS
            }, key


def test_a_partner_away_for_a_day_walks_back_to_what_it_has(site: Site) -> None:
    # The partner read the feed on day 2's evening, then was away.
    had = {f"archive/{day(n):%Y-%m-%d}/rss.xml" for n in range(2)}
    site.publish(day(DAYS) + timedelta(hours=1))
    chain = site.walk("rss.xml", stop=had)
    seen = {entry.id for _, parsed in chain for entry in parsed.entries}
    assert seen == {guid(n, h) for n in range(2, DAYS) for h in HOURS}


def test_archives_are_marked_link_back_and_show_in_a_browser(site: Site) -> None:
    files = site.files()
    archives = sorted(key for key in files if key.startswith("archive/"))
    assert len(archives) == 2 * (DAYS - 1)  # day 4 is still open
    for key in archives:
        body = files[key]
        assert b"<fh:archive" in body
        parsed = feedparser.parse(body)
        current = [
            link["href"] for link in parsed.feed.links if link["rel"] == "current"
        ]
        assert [site.resolve(key, href) for href in current] == [
            posixpath.basename(key)
        ]
        # The stylesheet named is the one published in the feed's folder.
        href = body.split(b"\n")[1].split(b'href="')[1].split(b'"')[0].decode()
        assert site.resolve(key, href) == "feed.xsl"
        assert "feed.xsl" in files
    for name in ("rss.xml", "atom.xml"):
        assert b"<fh:archive" not in files[name]


def test_nothing_unchanged_is_written_again(site: Site) -> None:
    files = site.files()
    stamps = {p: p.stat().st_mtime_ns for p in site.public.rglob("*.xml")}
    summary = site.publish(day(DAYS - 1) + timedelta(hours=21))
    assert written(summary) == []
    assert site.files() == files
    assert {p: p.stat().st_mtime_ns for p in site.public.rglob("*.xml")} == stamps
    # A day later one period closed: its archive is new, the older ones stay.
    summary = site.publish(day(DAYS) + timedelta(hours=1))
    assert sorted(written(summary)) == [
        f"wire/archive/{day(DAYS - 1):%Y-%m-%d}/atom.xml",
        f"wire/archive/{day(DAYS - 1):%Y-%m-%d}/rss.xml",
        "wire/atom.xml",
        "wire/rss.xml",
    ]
    summary = site.publish(day(DAYS) + timedelta(hours=2))
    assert written(summary) == []


def test_a_kill_takes_the_body_out_of_every_archive(site: Site) -> None:
    site.publish(day(DAYS) + timedelta(hours=1))
    victim, text = guid(1, 12), marker(1, 12).encode()
    assert any(text in body for body in site.files().values())
    site.ok("articles", "kill", victim, "--reason", "Legal concerns")
    files = site.files()
    assert [key for key, body in files.items() if text in body] == []
    # Atom's archive of that day says the story was withdrawn; RSS drops it.
    atom = files[f"archive/{day(1):%Y-%m-%d}/atom.xml"]
    assert f'<at:deleted-entry ref="{victim}"'.encode() in atom
    assert victim.encode() not in files[f"archive/{day(1):%Y-%m-%d}/rss.xml"]
    assert "clean" in site.ok("verify").output
    # The next publish has nothing left to do.
    assert written(site.publish()) == []


def test_a_correction_leaves_the_old_text_nowhere(site: Site) -> None:
    site.publish(day(DAYS) + timedelta(hours=1))
    path = site.root / "correction.json"
    path.write_text(
        json.dumps(
            {
                "headline": "Story corrected",
                "body": "<p>The corrected-text text.</p>",
                "first_created": iso(day(1) + timedelta(hours=6)),
            }
        ),
        encoding="utf-8",
    )
    site.ok("articles", "correct", guid(1, 6), str(path), "--note", "Fixes a name")
    files = site.files()
    assert [key for key, body in files.items() if marker(1, 6).encode() in body] == []
    # The correction is today's news: in the feed, not in day 1's archive.
    assert b"corrected-text" in files["rss.xml"]
    assert guid(1, 6).encode() not in files[f"archive/{day(1):%Y-%m-%d}/rss.xml"]


def test_a_story_held_back_leaves_its_archive(site: Site) -> None:
    site.publish(day(DAYS) + timedelta(hours=1))
    site.ok("articles", "distribution", guid(2, 18), "internal")
    files = site.files()
    assert [key for key, body in files.items() if marker(2, 18).encode() in body] == []


def test_links_are_absolute_under_a_public_address(tmp_path: Path) -> None:
    site = Site(tmp_path, base_url=BASE)
    publish_every_evening(site)
    site.publish(day(DAYS) + timedelta(hours=1))
    chain = site.walk("atom.xml")
    assert {entry.id for _, parsed in chain for entry in parsed.entries} == (
        every_story()
    )
    rss = site.files()["rss.xml"]
    assert (
        f'href="{BASE}/wire/archive/{day(DAYS - 1):%Y-%m-%d}/rss.xml"'.encode() in rss
    )


def test_archives_can_be_turned_off_and_go(tmp_path: Path) -> None:
    site = Site(tmp_path)
    publish_every_evening(site)
    assert any(key.startswith("archive/") for key in site.files())
    with site.config.open("a", encoding="utf-8") as config:
        config.write('\n[archive]\nperiod = "off"\n')
    summary = site.publish(day(DAYS - 1) + timedelta(hours=22))
    files = site.files()
    assert not any(key.startswith("archive/") for key in files)
    assert b"prev-archive" not in files["rss.xml"]
    withdrawn = [key for result in summary["feeds"] for key in result["withdrawn"]]
    assert len(withdrawn) == 2 * (DAYS - 1)


def test_a_replay_has_no_archives(site: Site) -> None:
    site.ok("replay", "wire", "--at", iso(day(DAYS - 1) + timedelta(hours=21)))
    replays = site.public / "replay"
    names = {p.relative_to(replays).as_posix() for p in replays.rglob("*.xml")}
    assert names and not any("/archive/" in name for name in names)
    for path in replays.rglob("rss.xml"):
        assert b"prev-archive" not in path.read_bytes()


def test_build_writes_the_archives_publish_writes(site: Site) -> None:
    moment = iso(day(DAYS - 1) + timedelta(hours=21))
    site.publish(day(DAYS - 1) + timedelta(hours=21))
    out = site.root / "built"
    site.ok("build", "wire", "--at", moment, "--out", str(out))
    built = {
        p.relative_to(out / "wire").as_posix(): p.read_bytes()
        for p in (out / "wire").rglob("*")
        if p.is_file()
    }
    published = site.files()
    archives = {key for key in published if key.startswith("archive/")}
    assert archives and archives <= set(built)
    assert {key: built[key] for key in archives} == {
        key: published[key] for key in archives
    }
