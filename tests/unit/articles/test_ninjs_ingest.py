"""ninjs ingest (ingest/ninjs.py, items.py): 1.x (as Superdesk writes it), 2.x
and 3.x objects written for this project, IPTC's own examples (read in place
from ../shared), detection against the JSON article format, our own usageTerms
taken apart, and hostile JSON."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

import pytest
from conftest import NINJS_DIR, REPO

from syndication.articles.ingest import IngestOptions, InputFormat, parse_stories
from syndication.articles.ingest.ninjs import is_ninjs
from syndication.articles.model import Byline, Dateline, Image, PubStatus, Subject
from syndication.errors import InputError

DATA = REPO / "tests" / "data" / "ingest" / "ninjs"


def parse(raw: bytes | str | dict, settings, name: str = "item.json", **options):  # type: ignore[no-untyped-def]
    if isinstance(raw, dict):
        raw = json.dumps(raw, ensure_ascii=False)
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return parse_stories(
        raw,
        path=name,
        settings=settings,
        options=IngestOptions(**options),
        file_date=date(2026, 6, 25),
    )


def document(name: str) -> dict:
    return json.loads((DATA / name).read_text("utf-8"))


def test_a_ninjs_3_item(settings, caplog) -> None:
    caplog.set_level(logging.WARNING)
    (story,) = parse(document("text-3.json"), settings)
    v = story.version
    assert story.format is InputFormat.NINJS
    assert v.guid == "https://andeswire.example/items/2026/06/quinoa-prices"
    assert v.headline == "Suben los precios de la quinua tras las heladas"
    assert v.summary == "Las heladas dañaron un tercio de la cosecha en Puno."
    assert v.body == (
        "<p>Los precios de la quinua subieron un 18% en junio, según el "
        "ministerio.</p><p>Los productores piden ayuda.</p>"
    )
    assert "figure(s) taken out of the body" in caplog.text
    assert v.first_created == datetime(2026, 6, 19, 19, 0, tzinfo=UTC)
    assert v.version_created == datetime(2026, 6, 19, 21, 30, tzinfo=UTC)
    assert (v.urgency, v.language, v.slugline) == (4, "es", "PERU-QUINOA/PRICES")
    assert v.bylines == (Byline("Por Lucía Quispe"),)
    assert v.dateline == Dateline("PUNO")
    assert v.subjects == (
        Subject("medtop:20000210", "agricultura"),
        Subject("medtop:04000000", "economía"),
    )
    assert "subjects left out" in caplog.text and "Puno" in caplog.text
    assert v.images == (
        Image(
            "https://andeswire.example/img/puno.jpg",
            "Campos de quinua tras la helada en Puno.",
            "Andes Wire/R. Mamani",
            "Plantas de quinua cubiertas de escarcha",
        ),
    )
    assert v.ed_note == "Adds the ministry's figures."
    assert (v.copyright_notice, v.usage_terms, v.credit_line) == (
        "© 2026 Andes Wire",
        "For subscribers only; credit Andes Wire.",
        "",
    )
    # ninjs states no keywords of 3.x, no provider, credit line or link; only
    # the place of a dateline.
    assert story.unstated == {
        "keywords",
        "provider",
        "credit_line",
        "link",
        "dateline details",
        "uncarried images",
    }


def test_a_ninjs_2_item(settings) -> None:
    (story,) = parse(document("text-2.json"), settings)
    v = story.version
    assert v.headline == "Ny färjelinje till Gotland"
    assert v.body == (
        "<p>En ny färjelinje öppnar i augusti.</p>\n<p>Biljetter säljs från måndag.</p>"
    )
    assert v.embargo_until == datetime(2026, 6, 18, 10, 0, tzinfo=UTC)
    assert story.stated == {"embargo_until"}
    assert v.first_created == v.version_created
    assert v.subjects == (Subject("subj:11000000", "transport"),)
    assert v.summary == "Linjen trafikeras två gånger om dagen."
    assert v.copyright_notice == "© Nordwire"  # the holder, as no notice is given


def test_a_superdesk_ninjs_1_item(settings) -> None:
    (story,) = parse(document("superdesk-1.json"), settings)
    v = story.version
    assert v.guid.startswith("urn:newsml:localhost:5000:2026-06-17T11:20:05")
    assert v.headline == "Wildfire forces evacuation of hill villages"
    assert v.body.startswith("<p>Firefighters evacuated four villages")
    assert v.version_created == datetime(2026, 6, 17, 11, 45, tzinfo=UTC)  # +0000
    assert v.bylines == (Byline("Sam Okoro"),)
    assert v.dateline == Dateline("NAIROBI")
    assert v.summary == "Residents of four villages were moved overnight."
    assert v.keywords == ("wildfire", "evacuation")
    assert "keywords" not in story.unstated
    assert v.subjects == (
        Subject("medtop:06000000", "environment"),
        Subject("category:disaster", "disaster"),
    )
    assert (v.is_correction, v.ed_note) == (True, "Corrects the number of villages.")
    assert v.images == (
        Image(
            "https://superdesk.example/media/original.jpg",
            "Smoke over the hills.",
            "Sam Okoro",
        ),
    )


@pytest.mark.parametrize(
    "name",
    [
        "dpa_text.json",
        "ninjsExSimpleText_3.json",
        "ntb_text.json",
        "tt_text_image_3.json",
    ],
)
def test_iptc_s_ninjs_examples_are_ingested(name: str, settings) -> None:
    path = NINJS_DIR / "examples" / name
    if not path.is_file():
        pytest.skip(f"IPTC's example not found at {path}")
    (story,) = parse(path.read_bytes(), settings, name=name)
    assert story.format is InputFormat.NINJS
    assert story.version.headline and story.version.body.startswith(("<p>", "Mil"))


def test_iptc_s_whole_html_document_body_loses_its_head(settings) -> None:
    path = NINJS_DIR / "examples" / "tt_text_image_3.json"
    if not path.is_file():
        pytest.skip(f"IPTC's example not found at {path}")
    (story,) = parse(path.read_bytes(), settings)
    assert (
        "<title>" not in story.version.body and "figcaption" not in story.version.body
    )
    assert story.version.body.count("Militärövning i jätteformat") == 1  # the h1
    (image,) = story.version.images
    assert image.credit == "Karl Melander/TT"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"uri": "urn:x", "headlines": [{"value": "x"}]}, True),
        ({"guid": "x", "headline": "x", "body_html": "<p>x</p>"}, True),
        (
            {"guid": "x", "headline": "x", "versioncreated": "2026-06-20T08:00:00Z"},
            True,
        ),
        ({"headline": "x", "standard": {"name": "ninjs"}}, True),
        (
            {"headline": "x", "body": "y", "first_created": "2026-06-20T08:00:00Z"},
            False,
        ),
        ({"guid": "x", "headline": "x", "body": "y", "uri": "urn:x"}, False),
        ({"headline": "x", "byline": "y"}, False),  # a typo in the article format
    ],
)
def test_ninjs_is_told_from_the_json_article_format(raw: dict, expected: bool) -> None:
    assert is_ninjs(json.dumps(raw)) is expected


def test_a_text_mentioning_ninjs_markers_in_a_body_stays_an_article(settings) -> None:
    story = {
        "headline": "x",
        "body": '<p>"uri": "headlines": {"bodies"}</p>',
        "first_created": "2026-06-20T08:00:00Z",
    }
    (parsed,) = parse(story, settings)
    assert parsed.format is InputFormat.JSON


def test_our_usage_terms_give_back_the_credit_line_and_the_terms(settings) -> None:
    agency = settings.agency
    base = {
        "uri": "urn:x:1",
        "versionCreated": "2026-06-20T08:00:00Z",
        "headlines": [{"role": "main", "value": "x"}],
        "bodies": [{"role": "main", "contentType": "text/html", "value": "<p>y</p>"}],
    }
    ours = {**base, "usageTerms": f"{agency.credit_line}. {agency.usage_terms}"}
    (story,) = parse(ours, settings)
    assert (story.version.credit_line, story.version.usage_terms) == ("", "")
    assert {"credit_line", "usage_terms"} <= story.unstated
    own = {**base, "usageTerms": f"{agency.credit_line}. Not for print."}
    (story,) = parse(own, settings)
    assert story.version.usage_terms == "Not for print."
    # A feed's own credit line: the story's terms are one of the readings.
    translated = {
        **base,
        "usageTerms": "Thomson Reuters Foundation (news.trust.org). Not for print.",
    }
    (story,) = parse(translated, settings)
    assert "Not for print." in {a.usage_terms for a in story.alternates}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {
                "uri": "urn:x",
                "type": "picture",
                "versionCreated": "2026-06-20T08:00:00Z",
            },
            "item.json [type]: a ninjs picture object; ingest takes text items (type "
            "text)",
        ),
        (
            {"uri": "urn:x", "headlines": [{"value": "x"}], "bodies": [{"value": "y"}]},
            "item.json [versionCreated]: the item gives no time it was created",
        ),
        (
            {
                "uri": "urn:x",
                "versionCreated": "2026-06-20T08:00:00",
                "headlines": [{"value": "x"}],
            },
            "item.json [versionCreated]: naive time '2026-06-20T08:00:00' has no time "
            "zone; add Z or an offset such as +02:00",
        ),
        (
            {"uri": "urn:x", "versionCreated": "2026-06-20T08:00:00Z"},
            "item.json [headlines]: the item has no headline",
        ),
        (
            {
                "uri": "urn:x",
                "versionCreated": "2026-06-20T08:00:00Z",
                "headlines": [{"value": "x"}],
                "urgency": 12,
            },
            "item.json [urgency]: 12 is not an urgency from 1 (most urgent) to 9",
        ),
        (
            {
                "uri": "urn:x",
                "versionCreated": "2026-06-20T08:00:00Z",
                "headlines": [{"value": "x" * 501}],
            },
            f"item.json [headlines]: '{'x' * 78}… is longer than 500 characters",
        ),
    ],
    ids=["picture", "no-time", "naive-time", "no-headline", "urgency", "long-headline"],
)
def test_bad_ninjs_names_the_property(raw: dict, message: str, settings) -> None:
    with pytest.raises(InputError) as caught:
        parse(raw, settings)
    assert [str(p) for p in caught.value.problems] == [message]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            '{"uri": "urn:x", "uri": "urn:y", "headlines": []}',
            "item.json [uri]: duplicate field",
        ),
        (
            '{"uri": "urn:x", "urgency": NaN}',
            "item.json [uri]: malformed JSON: NaN is not a JSON number",
        ),
        (
            '{"uri": "urn:x", "headlines": [{"value": "\\ud800"}]}',
            "item.json [headlines[0].value]: a lone surrogate escape \\ud800 is not a "
            "character (a pair \\ud83d\\ude00 is); fix the escape or the program that "
            "wrote the file",
        ),
    ],
    ids=["duplicate", "nan", "surrogate"],
)
def test_hostile_ninjs_is_refused_as_json_is(raw: str, message: str, settings) -> None:
    with pytest.raises(InputError) as caught:
        parse(raw, settings, format=InputFormat.NINJS)
    assert str(caught.value.problems[0]).startswith(message.split(" [")[0])
    assert caught.value.problems[0].message in message


def test_nesting_past_ninjs_depth_is_refused(settings) -> None:
    raw = '{"uri": "urn:x", "associations": ' + "[" * 70 + "]" * 70 + "}"
    with pytest.raises(InputError, match="JSON nested deeper than 16 levels"):
        parse(raw, settings)


def test_a_canceled_ninjs_object_is_a_kill(settings) -> None:
    raw = {
        "uri": "urn:x:1",
        "versionCreated": "2026-06-20T08:00:00Z",
        "pubStatus": "canceled",
        "edNote": "Legal",
    }
    (story,) = parse(raw, settings)
    assert story.is_kill and story.version.status is PubStatus.CANCELED
    assert story.version.ed_note == "Legal"


def test_what_is_not_one_object_is_left_to_the_article_format() -> None:
    assert not is_ninjs("[1, 2]")
    assert not is_ninjs('{"uri": ')  # malformed: the article format reports it
