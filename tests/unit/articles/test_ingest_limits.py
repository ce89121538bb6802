"""Accepted means storable and publishable: the limits every input format ends
with (ingest/limits.py), the wire path's own dates, and which files a batch
reads (FIFOs, sockets and devices are skipped; odd file names are printable)."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import REPO

from syndication.articles.ingest import (
    IngestOptions,
    InputFormat,
    collect_paths,
    ingest_paths,
    parse_story,
    read_story,
)
from syndication.articles.ingest.limits import FIRST_YEAR, LAST_YEAR
from syndication.articles.ingest.times import TIME as _TIME
from syndication.articles.model import Dateline, Subject
from syndication.errors import InputError

JUNE = IngestOptions(date=date(2026, 6, 25))
SCHEMA = json.loads((REPO / "schemas" / "article.schema.json").read_text("utf-8"))


def parse(raw: bytes | str, settings, options: IngestOptions = JUNE, name="s.txt"):  # type: ignore[no-untyped-def]
    data = raw.encode() if isinstance(raw, str) else raw
    return parse_story(
        data, path=name, settings=settings, options=options, file_date=date(2026, 6, 25)
    )


def refusal(raw: bytes | str, settings, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as caught:
        parse(raw, settings, **kwargs)
    return [str(p) for p in caught.value.problems]


def wire(headline: str = "Rains return", dateline: str = "LIMA, Jun 20 (Wire)") -> str:
    return f"{headline}\n\n{dateline} - Rain fell.\n\nMore text.\n"


def test_the_years_are_the_schema_s() -> None:
    time = SCHEMA["$defs"]["time"]
    assert time["pattern"] == _TIME.pattern
    assert f"{FIRST_YEAR} to {LAST_YEAR}" in time["description"]
    for year in (FIRST_YEAR, LAST_YEAR):
        assert _TIME.fullmatch(f"{year}-01-01T00:00Z")
    for year in (FIRST_YEAR - 1, LAST_YEAR + 1, 1, 9999):
        assert not _TIME.fullmatch(f"{year:04d}-01-01T00:00Z")


def test_the_command_line_s_limits_are_the_schema_s() -> None:
    from syndication.articles.ingest import MAX_LANGUAGE_LENGTH, MAX_QCODE_LENGTH

    properties = SCHEMA["properties"]
    assert properties["language"]["maxLength"] == MAX_LANGUAGE_LENGTH
    qcode = properties["subjects"]["items"]["properties"]["qcode"]
    assert qcode["maxLength"] == MAX_QCODE_LENGTH


def test_a_keyword_must_fit_once_lower_cased(settings) -> None:  # type: ignore[no-untyped-def]
    story = {
        "headline": "x",
        "body": "y",
        "first_created": "2026-06-20T08:00:00Z",
        "keywords": ["ok", "\u0130" * 100],  # İ lower-cases to two characters
    }
    assert refusal(json.dumps(story), settings, name="s.json") == [
        "s.json [keywords[1]]: '" + "\u0130" * 40 + "'… is longer than 128 "
        "characters in lower case (the store keeps keywords in lower case)"
    ]
    story["keywords"] = ["\u0130" * 64]
    assert parse(json.dumps(story), settings, name="s.json").version.keywords


def test_wire_copy_is_normalised_like_json(settings) -> None:  # type: ignore[no-untyped-def]
    options = IngestOptions(
        date=date(2026, 6, 25), subjects=(Subject("medtop:1", "rain\tfall"),)
    )
    story = parse(
        wire("Rains\treturn to\u00a0Lima", "LIMA,\tPeru, Jun 20 (Wire\tService)"),
        settings,
        options,
    ).version
    assert story.headline == "Rains return to Lima"
    assert story.dateline == Dateline("LIMA, Peru", "Jun 20", "Wire Service")
    assert story.provider == "Wire Service"
    assert story.subjects == (Subject("medtop:1", "rain fall"),)


def test_wire_copy_meets_the_schema_s_limits(settings) -> None:  # type: ignore[no-untyped-def]
    options = IngestOptions(
        date=date(2026, 6, 25), subjects=(Subject("medtop:" + "1" * 60, "x"),)
    )
    assert refusal(wire(), settings, options=options) == [
        "s.txt [subjects[0].qcode]: 'medtop:" + "1" * 60 + "' is longer than 64 "
        "characters"
    ]
    assert refusal(
        wire(), settings, options=IngestOptions(language="x" * 3 + "-a" * 20)
    )
    assert refusal(
        wire(dateline="LIMA, Jan 3 (Wire)"),
        settings,
        options=IngestOptions(date=date(1, 1, 5)),
    ) == [
        "s.txt:3: the dateline 'Jan 3' falls in 1 (the year comes from 0001-01-05), "
        "outside the years 1900 to 2200; give --date"
    ]
    # The dateline falls in the year before the first the schema allows.
    assert refusal(
        wire(dateline="LIMA, Dec 31 (Wire)"),
        settings,
        options=IngestOptions(date=date(1900, 1, 2)),
    ) == [
        "s.txt:3: the dateline 'Dec 31' falls in 1899 (the year comes from "
        "1900-01-02), outside the years 1900 to 2200; give --date"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (wire(dateline="LIMA, Feb 30 (Wire)"), "is not a day of 2026 or 2025"),
        (wire(dateline="LIMA, Jun 0 (Wire)"), "is not a day of 2026 or 2025"),
        (wire(dateline="LIMA, Jun \u0662 (Wire)"), "no dateline paragraph found"),
        ("(Reporting by Ana Ruiz; Editing by Tom Ode)\n", "no dateline paragraph"),
        ("x" * 100_000 + "\n\nLIMA, Jun 2 (W) - y\n", "is not a headline"),
        ("H\n\nLIMA, Jun 2 (W) - " + "y " * 200_000 + "\n", ""),
        ("H\n\n" + "LIMA, " * 50_000 + "\n", "no dateline paragraph"),
        (
            "H\n\nLIMA, Jun 2 (W) - (Reporting by A)\n",
            "the story has no body text besides its credits",
        ),
    ],
    ids=[
        "feb-30",
        "day-0",
        "arabic-digit",
        "only-credits",
        "huge-headline",
        "huge-paragraph",
        "huge-dateline",
        "only-credits-after-dateline",
    ],
)
def test_odd_wire_copy_is_a_message(settings, text: str, message: str) -> None:  # type: ignore[no-untyped-def]
    if not message:
        assert parse(text, settings).version.body  # long, but a story
        return
    problems = refusal(text, settings)
    assert len(problems) == 1 and message in problems[0]


def test_a_modification_time_that_is_no_date_needs_date(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=r"modification time is not a date, .* --date"):
        parse_story(
            wire().encode(),
            path="s.txt",
            settings=settings,
            options=IngestOptions(),
            file_date=None,
        )


# -- which files are read -----------------------------------------------------


def test_special_files_are_skipped_with_a_warning(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text("{}", "utf-8")
    os.mkfifo(folder / "b-fifo.json")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "c-socket.txt"))
    try:
        (folder / "d-link.json").symlink_to(folder / "b-fifo.json")
        found, problems = collect_paths([folder, folder / "b-fifo.json"])
    finally:
        server.close()
    assert found == [folder / "a.json"]
    assert problems == []
    assert f"{folder / 'b-fifo.json'}: skipped: a FIFO (named pipe)" in caplog.text
    assert f"{folder / 'c-socket.txt'}: skipped: a socket" in caplog.text
    assert f"{folder / 'd-link.json'}: skipped: a FIFO (named pipe)" in caplog.text


def test_link_loops_and_dangling_links_are_messages(  # type: ignore[no-untyped-def]
    tmp_path: Path, settings, sqlite_store
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a").symlink_to(folder / "b")
    (folder / "b").symlink_to(folder / "a")
    (folder / "c.json").symlink_to(tmp_path / "nowhere.json")
    report = ingest_paths(sqlite_store, settings, [folder], JUNE)
    assert [str(p) for p in report.problems] == [
        f"{folder / 'a'}: cannot read: Too many levels of symbolic links",
        f"{folder / 'b'}: cannot read: Too many levels of symbolic links",
        f"{folder / 'c.json'}: cannot read: No such file or directory",
    ]


def test_a_fifo_read_as_a_story_never_blocks(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "story.json"
    os.mkfifo(fifo)
    outcome: list[object] = []

    def read() -> None:
        try:
            read_story(fifo, settings=settings, options=JUNE)
        except InputError as exc:
            outcome.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert outcome == [
        f"{fifo}: not a regular file (a FIFO (named pipe)); nothing read"
    ]


def test_a_batch_with_a_fifo_and_an_odd_file_name(
    tmp_path: Path, settings, sqlite_store
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "fifo.json")
    good = json.dumps(
        {"headline": "Good", "body": "y", "first_created": "2026-06-20T08:00:00Z"}
    )
    (folder / "good.json").write_text(good, "utf-8")
    odd = os.fsdecode(bytes(folder) + b"/bad-\xff.json")
    Path(odd).write_text("{", "utf-8")
    report = ingest_paths(sqlite_store, settings, [folder], JUNE)
    assert [s.path for s in report.stored] == [str(folder / "good.json")]
    assert [str(p) for p in report.problems] == [
        f"{folder}/bad-\\xff.json:1: malformed JSON: Expecting property name "
        "enclosed in double quotes (column 2)"
    ]
    assert str(report.error()).encode("utf-8")  # printable


def test_times_are_utc_inside(settings) -> None:  # type: ignore[no-untyped-def]
    story = {"headline": "x", "body": "y", "first_created": "2200-12-31T23:30:00-05:00"}
    version = parse(json.dumps(story), settings, name="s.json").version
    assert version.first_created == datetime(2201, 1, 1, 4, 30, tzinfo=UTC)
    assert parse(json.dumps(story), settings, IngestOptions(format=InputFormat.JSON))


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://x.example/%ēv", "https://x.example/%25ēv"),
        ("https://x.example/100%", "https://x.example/100%25"),
        ("https://x.example/a%2Fb%25", "https://x.example/a%2Fb%25"),
        (" https://x.example/é ", "https://x.example/é"),
    ],
)
def test_an_address_is_stored_as_every_format_can_carry_it_back(
    given: str, stored: str
) -> None:
    """A % that begins no escape is stored as %25 (as browsers send it): ninjs
    writes the address as a URI, and reading that back gives it again (found
    by the round-trip property test: an image whose address was "%ē" fell
    out of the ninjs document, so re-ingesting it made a new version)."""
    from syndication.articles.ingest.item_credit import _as_iri
    from syndication.articles.ingest.limits import address
    from syndication.render.ninjs import _as_uri

    assert address(given) == stored
    uri = _as_uri(stored)
    assert uri
    assert _as_iri(uri) == stored
