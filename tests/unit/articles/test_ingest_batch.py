"""Ingest batches: detection, every bad input (and that nothing of it is stored),
re-ingest as a no-op or a new version, folders, and the wire year's source."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from conftest import REPO
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from syndication.articles.ingest import (
    IngestOptions,
    InputFormat,
    StoredStory,
    collect_paths,
    ingest_paths,
    parse_story,
)
from syndication.errors import InputError

BAD = REPO / "tests" / "data" / "ingest"
EXAMPLES = REPO / "examples" / "stories"
JUNE = IngestOptions(date=date(2026, 6, 25))


def stored_versions(store) -> list:
    return list(store.iter_all())


def json_story(**fields: object) -> str:
    return json.dumps(
        {
            "headline": "Rains return",
            "body": "<p>Text.</p>",
            "first_created": "2026-06-20T08:00:00Z",
            **fields,
        }
    )


@pytest.mark.parametrize(
    ("name", "message", "line", "field"),
    [
        (
            "malformed.json",
            "malformed JSON: Expecting ',' delimiter (column 3)",
            4,
            None,
        ),
        ("missing-headline.json", "missing required field", None, "headline"),
        ("missing-body.json", "missing required field", None, "body"),
        ("urgency-out-of-range.json", "10 is out of range 1 to 9", None, "urgency"),
        (
            "naive-time.json",
            "naive time '2026-06-20T08:00:00' has no time zone; add Z or an offset "
            "such as +02:00",
            None,
            "first_created",
        ),
        (
            "unknown-field.json",
            "unknown field; expected one of body, bylines, copyright_notice, "
            "credit_line, dateline, distribution, ed_note, embargo_until, "
            "first_created, guid, headline, hold_reason, images, is_correction, "
            "keywords, language, link, provider, slugline, status, subjects, "
            "summary, urgency, usage_terms, version_created",
            None,
            "byline",
        ),
        (
            "not-utf8.txt",
            "not UTF-8 text: byte 0xe9 at offset 38 cannot be decoded; save the file "
            "as UTF-8",
            3,
            None,
        ),
        (
            "doctype.xml",
            "DOCTYPE and ENTITY declarations are refused (DTDs and entities are "
            "never read); ingest takes NewsML-G2, ninjs, the JSON article format or "
            "plain wire copy",
            2,
            None,
        ),
        (
            "entity-in-wire.txt",
            "DOCTYPE and ENTITY declarations are refused (DTDs and entities are "
            "never read); ingest takes NewsML-G2, ninjs, the JSON article format or "
            "plain wire copy",
            5,
            None,
        ),
        ("empty.txt", "empty file: no story to ingest", None, None),
        (
            "no-dateline.txt",
            "no dateline paragraph found; expected 'PLACE, Mon D (Provider) - text' "
            "after the headline, standfirst and By line",
            None,
            None,
        ),
    ],
)
def test_bad_input_is_reported_and_nothing_is_stored(
    store, settings, name: str, message: str, line: int | None, field: str | None
) -> None:
    path = BAD / name
    report = ingest_paths(store, settings, [path], JUNE)
    assert report.stored == ()
    (problem,) = report.problems
    assert (problem.path, problem.message, problem.line, problem.field) == (
        str(path),
        message,
        line,
        field,
    )
    assert stored_versions(store) == []


def test_plain_xml_without_declarations_is_refused(store, settings, tmp_path) -> None:
    path = tmp_path / "story.xml"
    path.write_text('<?xml version="1.0"?><story/>', encoding="utf-8")
    (problem,) = ingest_paths(store, settings, [path], JUNE).problems
    assert problem.message.startswith("this looks like XML or HTML")
    assert stored_versions(store) == []


def test_file_over_the_size_limit(store, settings, tmp_path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json_story(body="x" * 500), encoding="utf-8")
    small = replace(settings, max_input_bytes=200)
    (problem,) = ingest_paths(store, small, [path], JUNE).problems
    size = path.stat().st_size
    assert problem.message == (
        f"file is {size} bytes, over the limit of 200 bytes ([ingest] max_bytes)"
    )
    assert stored_versions(store) == []


def test_a_batch_keeps_good_files_and_reports_every_bad_one(store, settings) -> None:
    paths = [EXAMPLES, BAD / "malformed.json", BAD / "empty.txt", BAD / "doctype.xml"]
    report = ingest_paths(store, settings, paths, JUNE)
    assert len(report.stored) == 5
    assert [s.action for s in report.stored] == ["new article"] * 5
    assert [p.path for p in report.problems] == [str(p) for p in paths[1:]]
    error = report.error()
    assert isinstance(error, InputError)
    assert str(error).splitlines() == [
        "3 of 8 file(s) could not be ingested; nothing was stored from them:",
        *(f"  {p}" for p in report.problems),
    ]
    assert len(stored_versions(store)) == 5


def test_reingest_is_a_no_op_and_changes_become_versions(
    store, settings, tmp_path
) -> None:
    path = tmp_path / "story.json"
    path.write_text(json_story(), encoding="utf-8")
    (first,) = ingest_paths(store, settings, [path], JUNE).stored
    assert (first.action, first.version, first.guid) == (
        "new article",
        1,
        f"{settings.agency.id_prefix}:20260620:rains-return",
    )
    (again,) = ingest_paths(store, settings, [path], JUNE).stored
    assert (again.action, again.version, again.created) == ("unchanged", 1, False)
    path.write_text(json_story(body="<p>Text, updated.</p>"), encoding="utf-8")
    (changed,) = ingest_paths(store, settings, [path], JUNE).stored
    assert (changed.action, changed.version, changed.previous) == ("new version", 2, 1)
    assert store.get(first.guid).body == "<p>Text, updated.</p>"
    assert len(store.history(first.guid)) == 2


def test_the_sample_reingests_as_a_no_op(store, settings, sample_wire) -> None:
    (first,) = ingest_paths(store, settings, [sample_wire], JUNE).stored
    (again,) = ingest_paths(store, settings, [sample_wire], JUNE).stored
    assert first.year_source == "year from --date 2026-06-25"
    assert (again.guid, again.action) == (first.guid, "unchanged")


def test_wire_year_from_the_file_date_when_no_date_is_given(
    store, settings, tmp_path
) -> None:
    path = tmp_path / "story.txt"
    shutil.copy(EXAMPLES / "assam-floods-silt.txt", path)
    moment = datetime(2024, 7, 1, 12, tzinfo=UTC).timestamp()
    os.utime(path, (moment, moment))
    (stored,) = ingest_paths(store, settings, [path], IngestOptions()).stored
    assert stored.year_source == "year from the file's date 2024-07-01"
    assert stored.guid.startswith(f"{settings.agency.id_prefix}:20240619:")
    assert store.get(stored.guid).first_created == datetime(2024, 6, 19, tzinfo=UTC)


def test_folders_are_walked_recursively_in_sorted_order(tmp_path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "c").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for name in ("b/2.txt", "a/c/3.json", "a/1.txt", "z.txt", ".hidden/x.txt", "a/.y"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found, problems = collect_paths([tmp_path, tmp_path / "z.txt", tmp_path / "nope"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/1.txt",
        "a/c/3.json",
        "b/2.txt",
        "z.txt",
    ]
    assert [(p.path, p.message) for p in problems] == [
        (str(tmp_path / "nope"), "no such file or folder")
    ]


def test_format_can_be_forced(settings) -> None:
    text = json_story().encode()
    as_json = parse_story(
        text,
        path="story.txt",
        settings=settings,
        options=IngestOptions(format=InputFormat.JSON),
        file_date=date(2026, 6, 25),
    )
    assert as_json.format is InputFormat.JSON
    with pytest.raises(InputError, match="no dateline paragraph found"):
        parse_story(
            text,
            path="story.json",
            settings=settings,
            options=IngestOptions(format=InputFormat.WIRE),
            file_date=date(2026, 6, 25),
        )


def test_wire_control_characters_are_stripped_with_a_warning(settings, caplog) -> None:
    story = parse_story(
        b"Head\x07line\n\nLIMA, May 2 (A) - Te\x00xt.\n",
        path="story.txt",
        settings=settings,
        options=JUNE,
        file_date=date(2026, 6, 25),
    )
    assert (story.version.headline, story.version.body) == ("Headline", "<p>Text.</p>")
    assert "story.txt: removed 2 control character(s)" in caplog.text


def test_stored_story_actions() -> None:
    new = StoredStory("p", "g", 1, None, True, InputFormat.JSON)
    assert new.action == "new article"
    assert replace(new, version=2, previous=1).action == "new version"
    assert replace(new, created=False).action == "unchanged"


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_parse_or_raise_input_error(raw: bytes) -> None:
    from syndication.config import Agency, Settings

    agency = Agency("A", "https://a.example", "urn:a", "Credit.", "A", "(c) A", "")
    try:
        parse_story(
            raw,
            path="x",
            settings=Settings(agency=agency),
            options=IngestOptions(),
            file_date=date(2026, 6, 25),
        )
    except InputError as exc:
        assert exc.path == "x" or exc.problems
