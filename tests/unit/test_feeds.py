"""The shipped feed definitions, and one bad definition among good ones."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest
from conftest import REPO, write_config

from syndication.errors import ConfigError
from syndication.feed_paths import _APART as APART
from syndication.feeds import FeedDefinition, load_feed, load_feeds, load_site_feeds

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


# -- hostile definitions: each refused with file and key, the others still load ----

BASE = """id = "{id}"
partner = "Partner"
title = "Title"
description = "Description"
link = "https://partner.example/"
"""


def write_feed(folder: Path, name: str, extra: str = "", feed_id: str = "") -> Path:
    """A good definition, with ``extra`` lines after it; a top-level key in
    ``extra`` replaces the good one."""
    path = folder / f"{name}.toml"
    replaced = {line.split("=")[0].strip() for line in extra.split("[")[0].splitlines()}
    base = [
        line
        for line in BASE.format(id=feed_id or name).splitlines(keepends=True)
        if line.split("=")[0].strip() not in replaced
    ]
    path.write_text("".join(base) + extra, "utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "key", "message"),
    [
        (
            '[selection]\nwindow = "99999999999999999999d"',
            "selection.window",
            "at most 366 days",
        ),
        (
            '[selection]\nwindow = "367d"',
            "selection.window",
            "at most 366 days, got '367d'",
        ),
        ("limit = 1001", "limit", "expected 1 to 1000, got 1001"),
        (
            "limit = 1" + "0" * 400,
            "limit",
            "expected 1 to 1000, got <401-digit number>",
        ),
        ('limit = "50"', "limit", "expected an integer, got str '50'"),
        ("limit = true", "limit", "expected an integer, got bool True"),
        ('formats = ["rss", "rss"]', "formats", "rss listed more than once"),
        ('formats = ["rss", "pdf"]', "formats", "unknown format 'pdf'"),
        ("formats = []", "formats", "at least one format is required"),
        (
            "formats = " + "[" * 50 + "]" * 50,
            "formats[0]",
            "expected a string, got list",
        ),
        ('link = "javascript:alert(1)"', "link", "expected an absolute http(s) URL"),
        ('link = "not a url"', "link", "expected an absolute http(s) URL"),
        ('link = "ftp://partner.example/"', "link", "expected an absolute http(s) URL"),
        (
            'link = "https://x.example:99999/"',
            "link",
            "expected an absolute http(s) URL",
        ),
        (
            '[destination]\npath = "a/../b"',
            "destination.path",
            "unsafe folder name '..'",
        ),
        ('[destination]\npath = ".hidden"', "destination.path", "unsafe folder name"),
        (
            '[destination]\npath = "' + "a/" * 200 + '"',
            "destination.path",
            "at most 256",
        ),
        (
            '[destination]\nname = "nowhere"',
            "destination",
            "unknown destination 'nowhere'",
        ),
        ('title = "a\\u0001b"', "title", "control character"),
        ('title = "' + "t" * 201 + '"', "title", "at most 200 characters, got 201"),
        ('description = "   "', "description", "must not be empty"),
        (
            "[selection]\nsubjects = [" + '"x:1", ' * 201 + "]",
            "selection.subjects",
            "at most 200 entries",
        ),
        (
            '[selection]\nsubjects = ["nocolon"]',
            "selection.subjects[0]",
            "scheme prefix",
        ),
        (
            '[selection]\nkeywords = ["' + "k" * 129 + '"]',
            "selection.keywords[0]",
            "at most 128",
        ),
        (
            '[selection]\nlanguages = ["english language"]',
            "selection.languages[0]",
            "language tag",
        ),
        ("[selection]\nmax_urgency = 10", "selection.max_urgency", "expected 1 to 9"),
        (
            "[selection]\nmax_urgency = nan",
            "selection.max_urgency",
            "expected an integer",
        ),
        ("selection = 3", "selection", "expected a table, got int 3"),
        (
            "[selection]\nwhatever = 1",
            "selection.whatever",
            "unknown key; expected one of",
        ),
        ('[schedule]\ninterval = "367d"', "schedule.interval", "at most 366 days"),
        (
            '[schedule]\ncron = "61 * * * *"',
            "schedule.cron",
            "invalid minute field '61'",
        ),
        ('[schedule]\ncron = "* * *"', "schedule.cron", "cron needs five fields"),
        (
            '[schedule]\ncron = "*/99999999999999999999 * * * *"',
            "schedule.cron",
            "invalid minute",
        ),
        (
            # A digit to str.isdigit, which int() refuses.
            '[schedule]\ncron = "\u00b2 * * * *"',
            "schedule.cron",
            "invalid minute",
        ),
        (
            '[schedule]\ninterval = "1h"\ntimezone = "Mars/Olympus"',
            "schedule.timezone",
            "unknown time zone",
        ),
        (
            '[schedule]\ninterval = "1h"\ncron = "* * * * *"',
            "schedule",
            "exactly one of",
        ),
    ],
)
def test_hostile_values_are_refused_with_file_and_key(
    tmp_path: Path, extra: str, key: str, message: str
):
    write_feed(tmp_path, "good")
    bad = write_feed(tmp_path, "bad", extra + "\n")
    feed_set = load_feeds(tmp_path, ["local"])
    assert list(feed_set.feeds) == ["good"]
    assert [p.key for p in feed_set.problems] == [key]
    [problem] = feed_set.problems
    assert problem.path == str(bad)
    assert message in problem.message


def test_an_id_longer_than_the_ledger_allows_is_refused(tmp_path: Path):
    write_feed(tmp_path, "long", feed_id="x" * 65)
    [problem] = load_feeds(tmp_path).problems
    assert (problem.key, problem.message) == (
        "id",
        "feed id may hold only letters, digits, '-' and '_' (at most 64)",
    )


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(
        'id = "bad id"\nlink = "javascript:x"\nlimit = 0\nextra = 1\n'
        '[selection]\nwindow = "1y"\n',
        "utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_feed(path)
    assert [(p.key, p.message) for p in raised.value.problems] == [
        ("id", "feed id may hold only letters, digits, '-' and '_' (at most 64)"),
        ("partner", "missing required value"),
        ("title", "missing required value"),
        ("description", "missing required value"),
        ("link", "expected an absolute http(s) URL, got 'javascript:x'"),
        ("limit", "expected 1 to 1000, got 0"),
        (
            "selection.window",
            "expected a duration such as '15m', '2h' or '3d', got '1y'",
        ),
        (
            "extra",
            "unknown key; expected one of credit, description, destination, formats, "
            "id, limit, link, partner, schedule, selection, title",
        ),
    ]
    assert str(raised.value).startswith(f"8 problems:\n  {path} [id]: feed id")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b'id = "caf\xe9"\n', 1, "not UTF-8 text: byte 0xe9 at offset 9"),
        (b"not toml at all\n", 1, "invalid TOML: Expected '=' after a key"),
        (b"a = " + b"[" * 5000 + b"]" * 5000, None, "invalid TOML: nested too deeply"),
        (b"a = " + b"9" * 5000, None, "invalid TOML: Exceeds the limit (4300 digits)"),
        (b"\x00\x01\x02", 1, "invalid TOML"),
    ],
)
def test_files_that_are_not_toml_are_problems(
    tmp_path: Path, content: bytes, line: int | None, message: str
):
    write_feed(tmp_path, "good")
    (tmp_path / "bad.toml").write_bytes(content)
    feed_set = load_feeds(tmp_path)
    assert list(feed_set.feeds) == ["good"]
    [problem] = feed_set.problems
    assert (problem.key, problem.line) == ("", line)
    assert problem.message.startswith(message)


def test_a_byte_order_mark_is_accepted(tmp_path: Path):
    (tmp_path / "bom.toml").write_bytes(
        b"\xef\xbb\xbf" + BASE.format(id="bom").encode()
    )
    assert list(load_feeds(tmp_path).feeds) == ["bom"]


def test_a_huge_file_is_refused_unread(tmp_path: Path):
    (tmp_path / "huge.toml").write_bytes(b"# " + b"x" * 2_000_000)
    [problem] = load_feeds(tmp_path).problems
    assert problem.message == "larger than 1,000,000 bytes; not a definition file"


def test_folders_and_fifos_are_skipped_with_a_warning(tmp_path: Path, caplog):
    write_feed(tmp_path, "good")
    (tmp_path / "folder.toml").mkdir()
    os.mkfifo(tmp_path / "pipe.toml")  # reading it would block forever
    (tmp_path / "dangling.toml").symlink_to(tmp_path / "nowhere")
    with caplog.at_level(logging.WARNING, logger="syndication.feeds"):
        feed_set = load_feeds(tmp_path)
    assert list(feed_set.feeds) == ["good"]
    assert feed_set.problems == ()
    assert sorted(r.getMessage() for r in caplog.records) == [
        f"{tmp_path / name}: not a regular file (a folder, FIFO or device); skipped"
        for name in ("dangling.toml", "folder.toml", "pipe.toml")
    ]


# -- collisions ------------------------------------------------------------------


def test_two_feeds_with_one_folder_are_both_refused_naming_each_other(tmp_path: Path):
    write_feed(tmp_path, "good")
    one = write_feed(tmp_path, "one", '[destination]\npath = "shared"\n')
    two = write_feed(
        tmp_path, "two", '[destination]\nname = "local"\npath = "Shared"\n'
    )
    feed_set = load_feeds(tmp_path, ["local"])
    assert list(feed_set.feeds) == ["good"]
    assert [str(p) for p in feed_set.problems] == [
        f"{one} [destination.path]: folder 'shared' at destination 'local' is also "
        f"the folder of feed 'two' ({two}); {APART}",
        f"{two} [destination.path]: folder 'Shared' at destination 'local' is also "
        f"the folder of feed 'one' ({one}); {APART}",
    ]
    with pytest.raises(ConfigError, match="is also the folder of feed 'one'"):
        feed_set.get("two")


def test_a_folder_inside_another_feeds_items_replays_or_indexes_is_refused(
    tmp_path: Path,
):
    outer = write_feed(tmp_path, "outer")  # folder: its id
    inner = write_feed(tmp_path, "inner", '[destination]\npath = "outer/replay/x"\n')
    index = write_feed(tmp_path, "index", '[destination]\npath = "Outer/RSS.xml"\n')
    write_feed(tmp_path, "beside", '[destination]\npath = "outer-2/x"\n')
    write_feed(tmp_path, "nested", '[destination]\npath = "outer/partners"\n')
    feed_set = load_feeds(tmp_path, ["local"])
    assert sorted(feed_set.feeds) == ["beside", "nested"]
    assert [str(p) for p in feed_set.problems] == [
        f"{index} [destination.path]: folder 'Outer/RSS.xml' at destination 'local' "
        f"is inside the folder of feed 'outer' ({outer}); {APART}",
        f"{inner} [destination.path]: folder 'outer/replay/x' at destination 'local' "
        f"is inside the folder of feed 'outer' ({outer}); {APART}",
        f"{outer} [id]: folder 'outer' at destination 'local' holds the folder of "
        f"feed 'index' ({index}), feed 'inner' ({inner}); {APART}",
    ]


def test_the_names_a_feed_writes_itself_are_the_publishers():
    from syndication.feed_paths import OWN_NAMES
    from syndication.publish import INDEX_FILES
    from syndication.render.base import ARCHIVE_FOLDER
    from syndication.render.stylesheet import FILE_NAME
    from syndication.withdraw import ARCHIVE_KEY, ITEM_KEY, REPLAY_FOLDER

    assert ITEM_KEY.pattern.startswith("^items/")
    assert ARCHIVE_KEY.pattern.startswith(f"^{ARCHIVE_FOLDER}/")
    assert {
        *INDEX_FILES.values(),
        FILE_NAME,
        "items",
        REPLAY_FOLDER,
        ARCHIVE_FOLDER,
    } == OWN_NAMES


def test_feeds_sharing_an_id_are_all_refused(tmp_path: Path):
    a = write_feed(tmp_path, "a", '[destination]\npath = "a"\n', feed_id="same")
    b = write_feed(tmp_path, "b", '[destination]\npath = "b"\n', feed_id="same")
    feed_set = load_feeds(tmp_path)
    assert feed_set.feeds == {}
    assert [str(p) for p in feed_set.problems] == [
        f"{a} [id]: feed id 'same' is also used by feed 'same' ({b}); "
        "feed ids must be unique",
        f"{b} [id]: feed id 'same' is also used by feed 'same' ({a}); "
        "feed ids must be unique",
    ]


def test_same_folder_at_different_destinations_is_fine_unless_they_are_one_place(
    tmp_path: Path,
):
    from syndication.config import load_settings

    feeds = tmp_path / "feeds"
    feeds.mkdir()
    write_feed(feeds, "one", '[destination]\nname = "local"\npath = "p"\n')
    write_feed(feeds, "two", '[destination]\nname = "other"\npath = "p"\n')
    elsewhere = f'[destinations.other]\ntype = "local"\npath = "{tmp_path / "o"}"\n'
    settings = load_settings(write_config(tmp_path, feeds_dir=feeds, extra=elsewhere))
    assert sorted(load_site_feeds(settings).feeds) == ["one", "two"]
    # The same folder under two names is one place: "other" is "local" again.
    same = f'[destinations.other]\ntype = "local"\npath = "{tmp_path / "public"}"\n'
    settings = load_settings(write_config(tmp_path, feeds_dir=feeds, extra=same))
    feed_set = load_site_feeds(settings)
    assert feed_set.feeds == {}
    assert "folder 'p' at destination 'other' is also the folder of feed 'one'" in (
        feed_set.problems[1].message
    )


def test_the_collision_check_is_linear_in_the_number_of_feeds():
    from syndication.feed_paths import find_collisions

    def feeds(count: int, path: str = "") -> list[FeedDefinition]:
        return [
            FeedDefinition(
                feed_id=f"f{n}",
                partner="p",
                title="t",
                description="d",
                link="https://x.example/",
                path=path or f"partners/p{n}/deep/er",
                source=Path(f"f{n}.toml"),
            )
            for n in range(count)
        ]

    def timed(count: int, path: str = "") -> float:
        given = feeds(count, path)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            find_collisions(given, ["local"], "local")
            best = min(best, time.perf_counter() - started)
        return best

    # 40 times the feeds: 40 to 80 times the time (caches and allocation make
    # it somewhat more than linear); a quadratic step would take 1,600 times.
    assert timed(20_000) < 400 * timed(500)
    assert timed(20_000, "all/here") < 400 * timed(500, "all/here")
    assert find_collisions(feeds(20_000), ["local"], "local") == {}
    refused = find_collisions(feeds(5_000, path="all/here"), ["local"], "local")
    assert len(refused) == 5_000
    [problem] = refused["f0"]
    assert "feed 'f1' (f1.toml), feed 'f2' (f2.toml), feed 'f3' (f3.toml) and " in (
        problem.message
    )
    assert "and 4996 more;" in problem.message


def test_thousands_of_feed_files_load_in_linear_time(tmp_path: Path):
    for n in range(2_000):
        write_feed(tmp_path, f"f{n:04d}", f'[destination]\npath = "p/{n}"\n')
    started = time.perf_counter()
    feed_set = load_feeds(tmp_path, ["local"])
    elapsed = time.perf_counter() - started
    assert len(feed_set.feeds) == 2_000 and feed_set.problems == ()
    assert elapsed < 20  # about 0.5 s on a quiet machine; no quadratic step
