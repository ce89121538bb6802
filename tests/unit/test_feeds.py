"""The shipped feed definitions, and one bad definition among good ones."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO

from syndication.feeds import load_feeds

FEEDS = REPO / "feeds"


def test_shipped_feeds_are_valid():
    feed_set = load_feeds(FEEDS, ["local"])
    assert feed_set.problems == ()
    assert sorted(feed_set.feeds) == [
        "partner-a-humanitarian",
        "partner-b-climate",
        "partner-c-all",
    ]


def test_shipped_feeds_cover_the_example_stories():
    feeds = load_feeds(FEEDS, ["local"]).feeds
    a, b, c = (
        feeds["partner-a-humanitarian"],
        feeds["partner-b-climate"],
        feeds["partner-c-all"],
    )
    assert "medtop:09000000" in a.selection.subjects  # labour
    assert a.selection.languages == ("en",)
    assert a.credit.line == "" and a.credit.append_paragraph
    assert "medtop:06000000" in b.selection.subjects  # environment
    assert b.credit.line  # the partner's own credit line
    assert c.selection.subjects == () and c.selection.languages == ()
    assert all(f.formats == ("rss", "atom", "newsml") for f in feeds.values())


def test_a_bad_definition_does_not_stop_the_others(tmp_path: Path):
    good = (FEEDS / "partner-c-all.toml").read_text("utf-8")
    (tmp_path / "good.toml").write_text(good, "utf-8")
    (tmp_path / "bad.toml").write_text(
        good.replace('id = "partner-c-all"', 'id = "bad"').replace(
            'formats = ["rss", "atom", "newsml"]', 'formats = ["rss", "pdf"]'
        ),
        "utf-8",
    )
    feed_set = load_feeds(tmp_path, ["local"])
    assert list(feed_set.feeds) == ["partner-c-all"]
    [problem] = feed_set.problems
    assert str(problem) == (
        f"{tmp_path / 'bad.toml'} [formats]: unknown format 'pdf'; "
        "known: rss, atom, newsml, ninjs"
    )
