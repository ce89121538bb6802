"""A destination's face, published for real: index.html and feeds.opml at the
destination's root after the feeds, from the ledger of a real SQLite store, to
a real folder and to a moto S3 server; skipped when unchanged, the same bytes
from the same ledger, hostile feed texts shown as words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import html5lib
import pytest
from conftest import write_config
from html_oracle import active_in_html
from lxml import etree

from syndication.articles.model import Subject, Version
from syndication.config import load_settings
from syndication.face.listing import build_listing
from syndication.face.publish import FaceOutcome, face_documents
from syndication.feeds import load_feeds
from syndication.publish import Publisher
from syndication.store import open_store

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(hours=3)
FEED = """id = "{id}"
partner = "Partner {id}"
title = "{title}"
description = "{description}"
link = "https://{id}.example/"
formats = {formats}
{destination}
"""
HOSTILE = '<img src=x onerror="window.__xss=1"> & <b>'


def story(n: int) -> Version:
    return Version(
        guid=f"urn:test:{n}",
        headline=f"Story {n}",
        body=f"<p>Body {n}.</p>",
        version_created=T0 + timedelta(minutes=n),
        first_created=T0 + timedelta(minutes=n),
        subjects=(Subject("medtop:06000000", "environment"),),
    )


def write_feed(folder: Path, feed_id: str, **values: str) -> None:
    text = FEED.format(
        id=feed_id,
        title=values.get("title", f"Feed {feed_id}"),
        description=values.get("description", f"Stories for {feed_id}"),
        formats=values.get("formats", '["rss", "atom", "newsml"]'),
        destination=values.get("destination", ""),
    )
    (folder / f"{feed_id}.toml").write_text(text, encoding="utf-8")


class Site:
    def __init__(self, tmp_path: Path, extra: str = "") -> None:
        self.feeds_dir = tmp_path / "feeds"
        self.feeds_dir.mkdir()
        self.tmp_path = tmp_path
        self.extra = extra
        self.public = tmp_path / "public"
        # The publisher's clock stamps the ledger's writes, which the face shows.
        self.now = AT + timedelta(minutes=5)

    def start(self) -> None:
        config = write_config(self.tmp_path, feeds_dir=self.feeds_dir, extra=self.extra)
        self.settings = load_settings(config)
        self.store = open_store(self.settings.store_url)
        self.store.append(story(1))
        self.publisher = Publisher(self.settings, self.store, clock=lambda: self.now)

    def feeds(self):  # type: ignore[no-untyped-def]
        found = load_feeds(self.feeds_dir, self.settings.destinations)
        assert found.problems == ()
        return list(found.feeds.values())

    def publish(self, **options):  # type: ignore[no-untyped-def]
        return self.publisher.publish_all(self.feeds(), at=AT, **options)

    def close(self) -> None:
        self.publisher.close()
        self.store.close()


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    made = Site(tmp_path)
    write_feed(made.feeds_dir, "alpha")
    write_feed(made.feeds_dir, "beta", formats='["newsml"]')
    made.start()
    yield made
    made.close()


def parse_page(body: bytes):  # type: ignore[no-untyped-def]
    return html5lib.parse(body, namespaceHTMLElements=False)


def test_the_face_lists_every_feed_with_formats_addresses_and_last_update(site):
    summary = site.publish()
    assert summary.exit_code == 0
    [face] = summary.faces
    assert (face.destination, face.outcome, face.written, face.feeds) == (
        "local",
        FaceOutcome.WRITTEN,
        ("feeds.opml", "index.html"),
        2,
    )
    written = site.store.held_since(
        "local", {"alpha": ["alpha/rss.xml"], "beta": ["beta/newsml.xml"]}
    )
    page = parse_page((site.public / "index.html").read_bytes())
    rows = {row.get("id"): row for row in page.iter("tr") if row.get("id")}
    assert sorted(rows) == ["feed-alpha", "feed-beta"]
    alpha = rows["feed-alpha"]
    links = [(a.text, a.get("href")) for a in alpha.iter("a")]
    assert links == [
        ("Feed alpha", "https://alpha.example/"),
        ("RSS 2.0", "alpha/rss.xml"),  # relative: no public base URL
        ("Atom 1.0", "alpha/atom.xml"),
        ("IPTC NewsML-G2", "alpha/newsml.xml"),
    ]
    assert written["alpha"]["alpha/rss.xml"] == site.now
    times = [t.get("datetime") for t in alpha.iter("time")]
    assert times == ["2026-11-27T12:05:00Z"] * 4  # three formats and the feed
    beta = [(a.text, a.get("href")) for a in rows["feed-beta"].iter("a")]
    assert beta[1:] == [("IPTC NewsML-G2", "beta/newsml.xml")]
    opml = etree.parse(str(site.public / "feeds.opml")).getroot()
    outlines = [dict(o.attrib) for o in opml.iter("outline")]
    # Feed readers read RSS and Atom: a NewsML-G2-only feed is not in the list.
    assert outlines == [
        {
            "type": "rss",
            "text": "Feed alpha",
            "title": "Feed alpha",
            "description": "Stories for alpha",
            "xmlUrl": "alpha/rss.xml",
            "htmlUrl": "https://alpha.example/",
            "version": "RSS2",
        }
    ]
    assert opml.findtext("head/dateCreated") == opml.findtext("head/dateModified")


def test_the_feeds_get_their_stylesheet_and_the_face_comes_after_them(site):
    summary = site.publish()
    [alpha, beta] = summary.results
    assert "alpha/feed.xsl" in alpha.written
    assert alpha.written.index("alpha/feed.xsl") < alpha.written.index("alpha/rss.xml")
    assert not any(key.endswith("feed.xsl") for key in beta.written)  # NewsML only
    assert (site.public / "alpha" / "feed.xsl").is_file()
    assert site.store.published("alpha", "local")["alpha/feed.xsl"]  # in the ledger


def test_an_unchanged_face_is_not_written_again(site):
    site.publish()
    page = site.public / "index.html"
    before = (page.stat().st_ino, page.read_bytes())
    again = site.publish()
    assert again.faces == ()  # nothing written, the page is there: not even listed
    assert (page.stat().st_ino, page.read_bytes()) == before
    page.unlink()
    restored = site.publish()
    assert [f.written for f in restored.faces] == [("index.html",)]
    assert page.read_bytes() == before[1]
    assert site.publish().faces == ()
    # --force writes every index again, with the same bytes: no update.
    forced = site.publish(force=True)
    assert [f.outcome for f in forced.faces] == [FaceOutcome.UNCHANGED]
    assert page.read_bytes() == before[1]


def test_the_same_ledger_gives_the_same_bytes_and_a_new_story_a_new_date(site):
    site.publish()
    feeds = site.feeds()
    target = site.publisher.destination("local")

    def render() -> list[tuple[str, bytes]]:
        listing = build_listing(target, feeds, site.store, site.settings.agency)
        return [(d.key, d.body) for d in face_documents(listing)]

    first = render()
    assert render() == first
    assert dict(first)["index.html"] == (site.public / "index.html").read_bytes()
    site.store.append(story(2))
    site.now += timedelta(hours=1)
    [alpha] = [f for f in feeds if f.feed_id == "alpha"]
    result = site.publisher.publish_feed(alpha, at=AT)  # as push and the scheduler do
    assert result.outcome == "published"
    assert (site.public / "index.html").read_bytes() == dict(render())["index.html"]
    assert render() != first


def test_hostile_feed_texts_are_words_on_the_page_and_in_the_list(tmp_path):
    made = Site(tmp_path)
    write_feed(
        made.feeds_dir,
        "alpha",
        title=HOSTILE.replace('"', '\\"'),
        description=f"About {HOSTILE}".replace('"', '\\"'),
    )
    made.start()
    try:
        summary = made.publish()
        assert [f.outcome for f in summary.faces] == [FaceOutcome.WRITTEN]
        body = (made.public / "index.html").read_bytes()
        text = body.decode()
        assert active_in_html(text[text.index("<body") :]) == []
        page = parse_page(body)
        assert [a.text for a in page.iter("a")][1] == HOSTILE
        assert not list(page.iter("img"))
        opml = etree.parse(str(made.public / "feeds.opml")).getroot()
        # OPML readers may show text as HTML: it is escaped HTML, like RSS titles.
        [outline] = opml.iter("outline")
        assert outline.get("text") == (
            '&lt;img src=x onerror="window.__xss=1"&gt; &amp; &lt;b&gt;'
        )
    finally:
        made.close()


def test_a_public_base_url_makes_the_addresses_absolute(tmp_path):
    made = Site(tmp_path)
    write_feed(made.feeds_dir, "alpha")
    config = write_config(tmp_path, feeds_dir=made.feeds_dir)
    text = config.read_text("utf-8").replace(
        "[destinations.local]\n",
        '[destinations.local]\npublic_base_url = "https://feeds.example.org/wire"\n',
    )
    config.write_text(text, "utf-8")
    made.settings = load_settings(config)
    made.store = open_store(made.settings.store_url)
    made.store.append(story(1))
    made.publisher = Publisher(made.settings, made.store, clock=lambda: made.now)
    try:
        made.publish()
        opml = etree.parse(str(made.public / "feeds.opml")).getroot()
        [outline] = opml.iter("outline")
        assert outline.get("xmlUrl") == "https://feeds.example.org/wire/alpha/rss.xml"
        page = (made.public / "index.html").read_text("utf-8")
        assert 'href="https://feeds.example.org/wire/alpha/atom.xml"' in page
    finally:
        made.close()


def test_a_feed_folder_may_not_take_the_face_s_names(tmp_path):
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    write_feed(feeds, "alpha", destination='[destination]\npath = "index.html"')
    write_feed(feeds, "beta", destination='[destination]\npath = "Feeds.OPML/x"')
    write_feed(feeds, "gamma", destination='[destination]\npath = "g/index.html"')
    found = load_feeds(feeds, ("local",))
    refused = sorted({p.path.rpartition("/")[2] for p in found.problems})
    assert refused == ["alpha.toml", "beta.toml"]
    assert "destination's index.html" in str(found.problems[0])
    assert sorted(found.feeds) == ["gamma"]  # a folder inside one is fine


@pytest.mark.external_service
def test_s3_objects_carry_the_face_s_content_types(tmp_path, moto_server, s3_env):
    bucket = f"face-{tmp_path.name[-8:].lower().replace('_', '-')}"
    client = boto3.client(
        "s3", endpoint_url=moto_server.endpoint_url, region_name="us-east-1"
    )
    client.create_bucket(Bucket=bucket)
    made = Site(
        tmp_path,
        extra=(
            "[destinations.s3]\n"
            'type = "s3"\n'
            f'bucket = "{bucket}"\n'
            'prefix = "wire"\n'
            f'endpoint_url = "{moto_server.endpoint_url}"\n'
            'addressing_style = "path"\n'
        ),
    )
    write_feed(made.feeds_dir, "alpha", destination='[destination]\nname = "s3"')
    made.start()
    try:
        summary = made.publish()
        assert [f.written for f in summary.faces] == [("feeds.opml", "index.html")]
        types = {
            key: client.head_object(Bucket=bucket, Key=f"wire/{key}")["ContentType"]
            for key in ("index.html", "feeds.opml", "alpha/feed.xsl", "alpha/rss.xml")
        }
        assert types == {
            "index.html": "text/html; charset=utf-8",
            "feeds.opml": "text/x-opml; charset=utf-8",
            "alpha/feed.xsl": "text/xsl; charset=utf-8",
            "alpha/rss.xml": "application/xml; charset=utf-8",  # browsable
        }
        cache = client.head_object(Bucket=bucket, Key="wire/index.html")
        assert cache["CacheControl"] == "public, max-age=60"
        assert made.publish().faces == ()
    finally:
        made.close()


def test_feeds_keep_their_registered_types_when_not_browsable(tmp_path):
    made = Site(tmp_path, extra="[publish]\nbrowsable_feeds = false\n")
    write_feed(made.feeds_dir, "alpha")
    made.start()
    try:
        target = made.publisher.destination("local")
        sent: dict[str, str] = {}
        put = target.put

        def recording_put(key, body, **options):  # type: ignore[no-untyped-def]
            sent[key] = options["content_type"]
            return put(key, body, **options)

        target.put = recording_put  # type: ignore[method-assign]
        made.publish()
        assert sent["alpha/rss.xml"] == "application/rss+xml; charset=utf-8"
        assert sent["alpha/atom.xml"] == "application/atom+xml; charset=utf-8"
        assert sent["alpha/feed.xsl"] == "text/xsl; charset=utf-8"
    finally:
        made.close()
