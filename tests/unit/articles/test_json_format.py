"""The JSON article format: the schema, a full article, and every kind of problem."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO
from jsonschema import Draft202012Validator

from syndication.articles.ingest.json_format import SCHEMA_FILE, parse_json
from syndication.articles.ingest.times import TIME as _TIME
from syndication.articles.model import Byline, Dateline, Image, PubStatus, Role, Subject
from syndication.errors import InputError

SCHEMA = REPO / "schemas" / SCHEMA_FILE
EXAMPLES = sorted((REPO / "examples" / "stories").glob("*.json"))


def parse(document: object, path: str = "story.json"):
    text = document if isinstance(document, str) else json.dumps(document)
    return parse_json(text, path=path, id_prefix="urn:test", schema_path=SCHEMA)


def minimal(**fields: object) -> dict[str, object]:
    return {
        "headline": "Rains return",
        "body": "<p>Text.</p>",
        "first_created": "2026-06-20T08:00:00Z",
        **fields,
    }


def problems(document: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse(document)
    return [str(p) for p in caught.value.problems]


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["$defs"]["time"]["pattern"] == _TIME.pattern


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_stories_follow_the_schema(path: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(json.loads(path.read_text(encoding="utf-8")))
    assert parse(path.read_text(encoding="utf-8"), str(path)).headline


def test_full_article() -> None:
    version = parse(
        minimal(
            guid="urn:test:fixed-id",
            slugline="RAIN",
            summary="  Standfirst \n text ",
            bylines=[{"name": "Ana Ruiz"}, {"name": "Jo Bell", "role": "editor"}],
            dateline={"place": "LIMA", "date": "June 20", "provider": "Agency"},
            language="es",
            subjects=[{"qcode": "medtop:06000000", "name": "environment"}],
            keywords=["rain"],
            urgency=1,
            status="withheld",
            embargo_until="2026-06-21T08:00:00+02:00",
            version_created="2026-06-20T09:00:00-05:00",
            provider="Agency",
            credit_line="Credit  Agency",
            copyright_notice="(c) Agency",
            usage_terms="Partners only",
            link="https://example.org/rain",
            images=[
                {"href": "https://example.org/r.jpg", "caption": "Rain", "alt": "rain"}
            ],
            ed_note="note",
            is_correction=True,
        )
    )
    assert version.guid == "urn:test:fixed-id"
    assert version.summary == "Standfirst text"
    assert version.bylines == (
        Byline("Ana Ruiz", Role.REPORTER),
        Byline("Jo Bell", Role.EDITOR),
    )
    assert version.dateline == Dateline("LIMA", "June 20", "Agency")
    assert version.subjects == (Subject("medtop:06000000", "environment"),)
    assert version.urgency == 1
    assert version.status is PubStatus.WITHHELD
    assert version.embargo_until == datetime(2026, 6, 21, 6, tzinfo=UTC)
    assert version.version_created == datetime(2026, 6, 20, 14, tzinfo=UTC)
    assert version.credit_line == "Credit Agency"
    assert version.images == (Image("https://example.org/r.jpg", "Rain", "", "rain"),)
    assert version.is_correction


def test_defaults_and_minted_guid() -> None:
    version = parse(minimal(headline="U.S. sees  Rain’s return"))
    assert version.guid == "urn:test:20260620:us-sees-rains-return"
    assert version.headline == "U.S. sees Rain’s return"
    assert version.version_created == version.first_created
    assert (version.language, version.urgency, version.status) == (
        "en",
        5,
        PubStatus.USABLE,
    )


def test_plain_text_body_becomes_paragraphs() -> None:
    version = parse(minimal(body="One & two.\n\nThree < four."))
    assert version.body == "<p>One &amp; two.</p>\n<p>Three &lt; four.</p>"


def test_html_body_is_sanitised_and_removals_reported(caplog) -> None:
    caplog.set_level(logging.WARNING)
    version = parse(minimal(body='<p onclick="x()">Hi</p><script>alert(1)</script>'))
    assert version.body == "<p>Hi</p>"
    (record,) = caplog.records
    assert record.getMessage() == (
        "story.json: the sanitiser removed from the body: <script> x1, "
        "onclick attribute on <p> x1"
    )


def test_control_characters_are_removed_with_a_warning(caplog) -> None:
    caplog.set_level(logging.WARNING)
    version = parse(minimal(headline="Rains\u0007 return", summary="a\u0000b"))
    assert (version.headline, version.summary) == ("Rains return", "ab")
    assert [r.getMessage() for r in caplog.records] == [
        "story.json: removed 2 control character(s) from text fields"
    ]


def test_malformed_json_names_the_line() -> None:
    with pytest.raises(InputError) as caught:
        parse('{\n  "headline": "x",\n  "body": "y"\n  "first_created": 1\n}')
    assert caught.value.line == 4
    assert str(caught.value) == (
        "story.json:4: malformed JSON: Expecting ',' delimiter (column 3)"
    )


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"body": "x", "first_created": "2026-06-20T08:00:00Z"},
            ["story.json [headline]: missing required field"],
        ),
        (minimal(body=" \n "), ["story.json [body]: ' \\n ' is not non-blank text"]),
        (minimal(urgency=10), ["story.json [urgency]: 10 is out of range 1 to 9"]),
        (minimal(urgency=0), ["story.json [urgency]: 0 is out of range 1 to 9"]),
        (minimal(urgency="1"), ["story.json [urgency]: '1' is not of type 'integer'"]),
        (
            minimal(first_created="2026-06-20T08:00:00"),
            [
                "story.json [first_created]: naive time '2026-06-20T08:00:00' has no "
                "time zone; add Z or an offset such as +02:00"
            ],
        ),
        (
            minimal(embargo_until="tomorrow"),
            [
                "story.json [embargo_until]: 'tomorrow' is not an ISO 8601 date and "
                "time with a time zone in the years 1900 to 2200, e.g. "
                "2026-06-20T08:00:00Z"
            ],
        ),
        (
            minimal(byline="x"),
            [
                "story.json [byline]: unknown field; expected one of body, bylines, "
                "copyright_notice, credit_line, dateline, distribution, ed_note, "
                "embargo_until, first_created, guid, headline, hold_reason, images, "
                "is_correction, keywords, language, link, provider, slugline, "
                "status, subjects, summary, urgency, usage_terms, version_created"
            ],
        ),
        (
            minimal(images=[{"href": "javascript:alert(1)", "title": "x"}]),
            [
                "story.json [images[0].title]: unknown field; expected one of alt, "
                "caption, credit, href",
                "story.json [images[0].href]: 'javascript:alert(1)' is not an http:// "
                "or https:// URL",
            ],
        ),
        (
            minimal(guid="urn:x\nid"),
            [
                "story.json [guid]: 'urn:x\\nid' is not an id of 1-256 printable "
                "characters without surrounding spaces"
            ],
        ),
        (
            minimal(guid="u" * 257),
            ["story.json [guid]: '" + "u" * 78 + "… is longer than 256 characters"],
        ),
        (
            minimal(language="english!"),
            [
                "story.json [language]: 'english!' is not a BCP 47 language tag "
                "such as en or pt-BR"
            ],
        ),
        (
            minimal(status="killed"),
            [
                "story.json [status]: 'killed' is not one of "
                "['usable', 'withheld', 'canceled']"
            ],
        ),
        (
            minimal(subjects=[{"qcode": "20000764", "name": "x"}]),
            [
                "story.json [subjects[0].qcode]: '20000764' is not a QCode such as "
                "medtop:14000000"
            ],
        ),
    ],
)
def test_problems_name_the_field(
    document: dict[str, object], expected: list[str]
) -> None:
    assert problems(document) == expected


def test_every_problem_is_reported() -> None:
    found = problems({"urgency": 12, "first_created": "2026-06-20 08:00", "extra": 1})
    assert found == [
        "story.json [first_created]: naive time '2026-06-20 08:00' has no time zone; "
        "add Z or an offset such as +02:00",
        "story.json [extra]: unknown field; expected one of body, bylines, "
        "copyright_notice, credit_line, dateline, distribution, ed_note, "
        "embargo_until, first_created, guid, headline, hold_reason, images, "
        "is_correction, keywords, language, link, provider, slugline, status, "
        "subjects, summary, urgency, usage_terms, version_created",
        "story.json [headline]: missing required field",
        "story.json [body]: missing required field",
        "story.json [urgency]: 12 is out of range 1 to 9",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"headline": "a", "headline": "b"}',
            "story.json [headline]: duplicate field",
        ),
        ('{"urgency": NaN}', "story.json: malformed JSON: NaN is not a JSON number"),
        ("[1, 2]", "story.json: expected one article object, got a JSON list"),
    ],
)
def test_json_shape_problems(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(text)
    assert str(caught.value) == message


TIME_HINT = (
    "is not an ISO 8601 date and time with a time zone in the years 1900 to 2200, "
    "e.g. 2026-06-20T08:00:00Z"
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30T08:00:00Z", "is not a date that exists (day is out of range "),
        ("2025-02-29T08:00:00Z", "is not a date that exists (day is out of range "),
        ("2026-06-20T24:00:00Z", TIME_HINT),
        ("2026-06-20T08:00:00+24:00", TIME_HINT),
        ("2026-06-20T23:59:60Z", TIME_HINT),
        ("\u0662\u0660\u0662\u0666-06-20T08:00:00Z", TIME_HINT),  # Arabic digits
        ("0001-01-01T00:00:00+01:00", TIME_HINT),  # UTC would be in year 0
        ("9999-12-31T23:59:00-01:00", TIME_HINT),  # UTC would be in year 10000
        ("1899-12-31T23:59:59Z", TIME_HINT),
        ("2201-01-01T00:00:00Z", TIME_HINT),
        ("2026-06-20T08:00:00Z\\n", TIME_HINT),  # a JSON escape: a line break
        ("2026-06-20T08:00:00.1234567890Z", TIME_HINT),
    ],
)
def test_a_time_must_exist_and_lie_in_the_schema_years(
    value: str, message: str
) -> None:
    text = json.dumps(minimal(first_created="X")).replace('"X"', f'"{value}"')
    (found,) = problems(text)
    assert found.startswith("story.json [first_created]: ")
    assert message in found


def test_the_schema_years_are_accepted_to_their_ends() -> None:
    early = parse(minimal(first_created="1900-01-01T00:00:00+14:00"))
    assert early.first_created == datetime(1899, 12, 31, 10, 0, tzinfo=UTC)
    late = parse(minimal(first_created="2200-12-31T23:59:59.123456789-23:59"))
    assert late.first_created.year == 2201


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"headline": "x", "body": "y", "first_created": 1, "a": '
            + "[" * 100_000
            + "]" * 100_000
            + "}",
            "story.json: JSON nested deeper than 8 levels; the article format nests "
            "three (an article, its images, an image)",
        ),
        (
            '{"headline": "x", "body": "y", "a": ' + "[" * 500 + "]" * 500 + "}",
            "story.json [a[0][0][0]…]: JSON nested deeper than 8 levels; the article "
            "format nests three (an article, its images, an image)",
        ),
        (
            '{"headline": "x\\ud800", "body": "y"}',
            "story.json [headline]: a lone surrogate escape \\ud800 is not a "
            "character (a pair \\ud83d\\ude00 is); fix the escape or the program "
            "that wrote the file",
        ),
        (
            '{"headline": "x", "keywords": ["a", "\\udfff"]}',
            "story.json [keywords[1]]: a lone surrogate escape \\udfff is not a "
            "character (a pair \\ud83d\\ude00 is); fix the escape or the program "
            "that wrote the file",
        ),
        (
            '{"headline": "x", "\\ud800": 1}',
            "story.json [\\ud800]: a lone surrogate escape in a field name",
        ),
        (
            '{"urgency": ' + "9" * 5000 + "}",
            "story.json: malformed JSON: a number of more digits than can be read "
            "(4300)",
        ),
    ],
    ids=["deeper-than-recursion", "deep", "surrogate", "in-list", "in-name", "digits"],
)
def test_what_json_can_say_and_no_article_can(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(text)
    assert str(caught.value) == message


def test_odd_field_names_are_shown_escaped_and_cut() -> None:
    found = problems(minimal(**{"a\nb": 1, "x" * 500: 2}))
    assert found[0].startswith("story.json [a\\nb]: unknown field; ")
    assert found[1].startswith("story.json [" + "x" * 59 + "…]: unknown field; ")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<div>" * 400_000 + "x", "the body nests elements 400000 deep"),
        ("<b></p>" * 50_000, "the body nests elements 50000 deep"),
        ("<ul><li>" * 51 + "x", "the body nests elements 102 deep"),
        ("<blockquote>" * 101 + "x", "the body nests elements 101 deep"),
    ],
    ids=["divs", "bold-paragraphs", "lists", "blockquotes"],
)
def test_a_body_nested_too_deep_to_publish_is_refused_at_once(
    body: str, message: str
) -> None:
    started = time.perf_counter()
    assert problems(minimal(body=body)) == [
        f"story.json [body]: {message}; at most 100 can be published in every format"
    ]
    assert time.perf_counter() - started < 5  # the parser would take minutes


def test_many_paragraphs_without_end_tags_nest_nothing() -> None:
    version = parse(minimal(body="<p>Paragraph." * 20_000))
    assert version.body.count("<p>") == 20_000


def test_a_surrogate_pair_is_one_character() -> None:
    text = json.dumps(minimal(headline="Rains \U0001f327 return"))
    assert parse(text).headline == "Rains \U0001f327 return"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("language", "en-" + "-".join(["abcdefgh"] * 4), "longer than 35 characters"),
        ("provider", "p" * 257, "longer than 256 characters"),
        ("keywords", ["k" * 129], "longer than 128 characters"),
        (
            "subjects",
            [{"qcode": "medtop:" + "1" * 60, "name": "x"}],
            "longer than 64 characters",
        ),
        ("guid", "a\u00a0b", "is not an id of 1-256 printable characters"),
        ("guid", "a\u2028b", "is not an id of 1-256 printable characters"),
    ],
)
def test_limits_of_the_store_columns_are_the_schema_s(
    field: str, value: object, message: str
) -> None:
    (found,) = problems(minimal(**{field: value}))
    assert message in found


def test_one_line_fields_are_normalised_and_empty_ones_absent() -> None:
    version = parse(
        minimal(
            headline=" Rains\treturn\n",
            slugline="RAIN\t\tRETURN ",
            bylines=[{"name": " Ana\nRuiz "}],
            dateline={"place": "DAKAR,\tSenegal", "date": " \t", "provider": "\n"},
            subjects=[{"qcode": "medtop:06000000", "name": "envi-\nronment"}],
            keywords=[" flood\trisk "],
            provider=" Wire\u00a0Service ",
            credit_line="Agency\r\nFoundation",
            copyright_notice=" \t ",
            usage_terms="\n",
            images=[
                {
                    "href": "https://x.example/a.jpg",
                    "caption": "A\tcaption",
                    "credit": " ",
                    "alt": "An\nimage",
                }
            ],
            language="en\n",
            ed_note="  note  ",
            hold_reason=" waiting\nfor legal ",
        )
    )
    assert version.headline == "Rains return"
    assert version.slugline == "RAIN RETURN"
    assert version.bylines == (Byline("Ana Ruiz", Role.REPORTER),)
    assert version.dateline == Dateline("DAKAR, Senegal", "", "")
    assert version.subjects == (Subject("medtop:06000000", "envi- ronment"),)
    assert version.keywords == ("flood risk",)
    assert version.provider == "Wire Service"
    assert version.credit_line == "Agency Foundation"
    assert (version.copyright_notice, version.usage_terms) == ("", "")
    assert version.images == (
        Image("https://x.example/a.jpg", "A caption", "", "An image"),
    )
    assert version.language == "en"
    assert version.ed_note == "note"
    assert version.hold_reason == "waiting for legal"


def test_body_with_nothing_left_after_sanitising() -> None:
    assert problems(minimal(body="<script>alert(1)</script>")) == [
        "story.json [body]: the body has no text left after sanitising"
    ]


def test_version_created_before_first_created() -> None:
    assert problems(minimal(version_created="2026-06-19T08:00:00Z")) == [
        "story.json [version_created]: version_created is earlier than first_created"
    ]
