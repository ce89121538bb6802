"""RFC 5005 links in RSS and Atom: the subscription document's prev-archive,
an archive's fh:archive, current and prev-archive, relative without a public
address and absolute with one; the stylesheet two folders up; and a feed
without archives exactly as before."""

from __future__ import annotations

import posixpath
from dataclasses import replace

import feedparser
from lxml import etree

from syndication.render.base import History
from syndication.render.history import FH
from syndication.render.registry import render_edition
from syndication.render.stylesheet import FILE_NAME

ATOM = "http://www.w3.org/2005/Atom"
BASE = "https://feeds.example.org/partner-a/"


def documents(edition):  # type: ignore[no-untyped-def]
    return {d.key: d for d in render_edition(edition) if d.format in ("rss", "atom")}


def links(body: bytes, fmt: str) -> list[tuple[str, str]]:
    root = etree.fromstring(body)
    parent = root.find("channel") if fmt == "rss" else root
    assert parent is not None
    return [
        (link.get("rel") or "", link.get("href") or "")
        for link in parent.findall(f"{{{ATOM}}}link")
        if link.get("rel") in ("current", "prev-archive")
    ]


def marked(body: bytes) -> bool:
    return bool(etree.fromstring(body).findall(f".//{{{FH}}}archive"))


def stylesheet_href(body: bytes) -> str:
    line = body.split(b"\n")[1].decode()
    return line.split('href="')[1].split('"')[0]


def test_no_history_renders_the_feed_as_before(edition):
    before = documents(edition)
    with_none = documents(replace(edition, history=History(state="daily/7/x")))
    assert {k: d.body for k, d in before.items()} == {
        k: d.body for k, d in with_none.items()
    }
    for key, document in before.items():
        assert not marked(document.body)
        assert links(document.body, document.format) == []
        assert document.is_index and not document.is_archive, key


def test_the_subscription_document_links_the_newest_archive(edition):
    found = documents(replace(edition, history=History(prev_archive="2026-06-19")))
    assert links(found["rss.xml"].body, "rss") == [
        ("prev-archive", "archive/2026-06-19/rss.xml")
    ]
    assert links(found["atom.xml"].body, "atom") == [
        ("prev-archive", "archive/2026-06-19/atom.xml")
    ]
    plain = documents(edition)
    for key in ("rss.xml", "atom.xml"):
        assert not marked(found[key].body)
        # The one change: the added link line.
        added = set(found[key].body.split(b"\n")) - set(plain[key].body.split(b"\n"))
        assert len(added) == 1 and b'rel="prev-archive"' in added.pop()


def test_an_archive_is_marked_and_links_current_and_its_predecessor(edition):
    history = History(archive="2026-06-19", prev_archive="2026-06-18")
    found = documents(replace(edition, history=history))
    assert set(found) == {"archive/2026-06-19/rss.xml", "archive/2026-06-19/atom.xml"}
    for key, document in found.items():
        name = posixpath.basename(key)
        assert marked(document.body)
        assert document.is_archive and not document.is_index
        assert links(document.body, document.format) == [
            ("current", f"../../{name}"),
            ("prev-archive", f"../2026-06-18/{name}"),
        ]
        # The relative links stay inside the feed's folder.
        for _, href in links(document.body, document.format):
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(key), href))
            assert not resolved.startswith("..")
        assert stylesheet_href(document.body) == "../../feed.xsl"
        resolved = posixpath.normpath(
            posixpath.join(posixpath.dirname(key), stylesheet_href(document.body))
        )
        assert resolved == FILE_NAME


def test_the_oldest_archive_links_no_predecessor(edition):
    found = documents(replace(edition, history=History(archive="2026-06-13")))
    for document in found.values():
        assert [rel for rel, _ in links(document.body, document.format)] == ["current"]


def test_links_are_absolute_under_a_public_address(edition):
    history = History(archive="2026-06-19", prev_archive="2026-06-18", base_url=BASE)
    found = documents(replace(edition, history=history))
    assert links(found["archive/2026-06-19/rss.xml"].body, "rss") == [
        ("current", BASE + "rss.xml"),
        ("prev-archive", BASE + "archive/2026-06-18/rss.xml"),
    ]
    feed = documents(
        replace(edition, history=History(prev_archive="2026-06-19", base_url=BASE))
    )
    assert links(feed["atom.xml"].body, "atom") == [
        ("prev-archive", BASE + "archive/2026-06-19/atom.xml")
    ]


def test_readers_see_the_archive_links(edition):
    history = History(archive="2026-06-19", prev_archive="2026-06-18", base_url=BASE)
    for document in documents(replace(edition, history=history)).values():
        parsed = feedparser.parse(document.body)
        rels = {link["rel"]: link["href"] for link in parsed.feed.links}
        name = posixpath.basename(document.key)
        assert rels["current"] == BASE + name
        assert rels["prev-archive"] == BASE + f"archive/2026-06-18/{name}"
        assert len(parsed.entries) == 2


def test_archives_share_the_feeds_root_element(edition):
    """fh:archive declares its namespace on itself, so the item bytes an
    archive holds are the feed's (the assembler keys them by root tag)."""
    plain = documents(edition)
    archive = documents(replace(edition, history=History(archive="2026-06-19")))
    for key, document in plain.items():
        root_line = document.body.split(b"\n")[2]
        assert archive[f"archive/2026-06-19/{key}"].body.split(b"\n")[2] == root_line
