"""The renderer registry, determinism, and hostile text in every format."""

from __future__ import annotations

import logging
from dataclasses import replace

import feedparser
import pytest
from html_oracle import shown
from lxml import etree

from syndication.errors import ConfigError
from syndication.render.base import Edition, Item
from syndication.render.registry import get_renderer, known_formats, render_edition

from .render_kit import edition_of, story


def test_known_formats_and_lookup():
    assert known_formats() == ("atom", "newsml", "ninjs", "rss")
    renderer = get_renderer("rss")
    assert (renderer.format, renderer.file_name) == ("rss", "rss.xml")
    assert get_renderer("rss") is renderer


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(ConfigError) as raised:
        get_renderer("json")
    assert str(raised.value) == (
        "unknown format 'json'; known formats: atom, newsml, ninjs, rss"
    )


def test_render_edition_uses_the_feed_formats_by_default(edition):
    keys = [d.key for d in render_edition(edition)]
    assert keys[:2] == ["rss.xml", "atom.xml"]
    # The NewsML-G2 message, then the stylesheet RSS and Atom name.
    assert keys[-2:] == ["newsml.xml", "feed.xsl"]
    assert [d.key for d in render_edition(edition, ["atom"])] == [
        "atom.xml",
        "feed.xsl",
    ]
    only_rss = replace(edition, feed=replace(edition.feed, formats=("rss",)))
    assert [d.key for d in render_edition(only_rss)] == ["rss.xml", "feed.xsl"]
    only_newsml = replace(edition, feed=replace(edition.feed, formats=("newsml",)))
    assert [d.key for d in render_edition(only_newsml)][-1] == "newsml.xml"


def test_same_edition_same_bytes(edition):
    first = render_edition(edition)
    reordered = replace(edition, self_urls=dict(reversed(edition.self_urls.items())))
    second = render_edition(reordered)
    assert [(d.key, d.body) for d in first] == [(d.key, d.body) for d in second]
    assert [d.sha256 for d in first] == [d.sha256 for d in second]


HOSTILE = "Tom & Jerry <script> “quotes” 'apos' \"dq\" Ünïcödé 東京\x00\x07\x1b\x7f end"


def test_hostile_text_is_well_formed_and_control_characters_are_logged(
    feed, agency, caplog
):
    version = story(
        "hostile",
        headline=HOSTILE,
        summary=HOSTILE,
        body=f"<p>{HOSTILE.replace('&', '&amp;').replace('<', '&lt;')}</p>",
        bylines=(),
    )
    edition = edition_of(feed, agency, [version])
    # Also an item that never went through make_item (the renderers' own guard).
    raw = Item(version=version, credit=edition.items[0].credit, body=version.body)
    dirty = Edition(feed=feed, agency=agency, at=edition.at, items=(raw,))
    with caplog.at_level(logging.WARNING):
        for candidate in (edition, dirty):
            for document in render_edition(candidate):
                if document.format == "xsl":
                    continue  # the shipped stylesheet: no story in it
                root = etree.fromstring(document.body)  # well-formed
                text = etree.tostring(root, encoding="unicode")
                assert "\x00" not in text and "\x07" not in text
                assert "Ünïcödé 東京" in text
    assert any(
        "removed 4 control character(s)" in r.getMessage() and r.levelname == "WARNING"
        for r in caplog.records
    )
    parsed = feedparser.parse(render_edition(edition, ["rss"])[0].body)
    assert shown(parsed.entries[0].title_detail) == (
        "Tom & Jerry <script> “quotes” 'apos' \"dq\" Ünïcödé 東京 end"
    )
