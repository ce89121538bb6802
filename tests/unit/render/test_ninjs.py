"""The ninjs 3.1 renderer: what each item carries where, kills without story
text, the index as a ninjs composite, deterministic bytes, and schema-valid
output (IPTC's schema, read from ../shared) for every kind of item."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from conftest import NINJS_SCHEMA, REPO

from syndication.articles.model import Image
from syndication.render.base import Document
from syndication.render.ninjs import CONTENT_TYPE, NinjsRenderer, is_uri
from syndication.render.registry import get_renderer, render_edition
from syndication.validate.checker import Expectations
from syndication.validate.gate import Gate
from syndication.validate.ninjs import check_ninjs

from .render_kit import edition_of, make_feed, story

CREDIT_CLASS = '<p class="credit">'
CORRECTION = "http://cv.iptc.org/newscodes/signal/correction"


@pytest.fixture(scope="module")
def gate(ninjs_schema) -> Gate:
    return Gate(REPO / "schemas", None, ninjs_schema)


@pytest.fixture
def ninjs_feed():
    return make_feed(formats=("ninjs",))


def render(edition) -> dict[str, Document]:
    return {d.key: d for d in NinjsRenderer().render(edition)}


def loaded(document: Document) -> dict:
    return json.loads(document.body)


def item_doc(documents: dict[str, Document], slug: str, version: int) -> dict:
    key = f"items/urn~3Anewsml~3Anews.trust.org~3A20260617~3A{slug}/v{version}.json"
    return loaded(documents[key])


def test_registered_with_its_file_and_content_type():
    renderer = get_renderer("ninjs")
    assert (renderer.format, renderer.file_name) == ("ninjs", "ninjs.json")
    assert renderer.content_type == CONTENT_TYPE == "application/json; charset=utf-8"


def test_one_document_per_version_items_first_index_last(ninjs_feed, agency, versions):
    edition = edition_of(
        ninjs_feed, agency, [versions["gulf"], versions["sahel"]], [versions["killed"]]
    )
    documents = render_edition(edition)
    assert [d.key for d in documents] == [
        "items/urn~3Anewsml~3Anews.trust.org~3A20260617~3Agulf/v2.json",
        "items/urn~3Anewsml~3Anews.trust.org~3A20260617~3Asahel/v1.json",
        "items/urn~3Anewsml~3Anews.trust.org~3A20260617~3Akilled/v2.json",
        "ninjs.json",
    ]
    assert [d.is_index for d in documents] == [False, False, False, True]
    assert {d.content_type for d in documents} == {CONTENT_TYPE}
    assert {d.format for d in documents} == {"ninjs"}


def test_an_item_carries_rights_credit_body_and_metadata(ninjs_feed, agency, versions):
    gulf = versions["gulf"]  # a correction (v2) with an image and three bylines
    obj = item_doc(render(edition_of(ninjs_feed, agency, [gulf])), "gulf", 2)
    line = agency.credit_line
    assert obj["uri"] == gulf.guid
    assert "altIds" not in obj  # the guid is a URI already
    assert (obj["type"], obj["version"], obj["pubStatus"]) == ("text", "2", "usable")
    assert obj["firstCreated"] == "2026-06-17T08:00:00Z"
    assert obj["versionCreated"] == "2026-06-17T11:30:00Z"
    assert obj["embargoedUntil"] == "2026-06-17T09:00:00Z"  # passed: stated
    assert (obj["urgency"], obj["language"]) == (3, "en")
    assert obj["copyrightHolder"] == agency.copyright_holder
    assert obj["copyrightNotice"] == agency.copyright_notice
    # Two sentences, as wherever the credit line is joined to more text.
    assert obj["usageTerms"] == f"{line}. {agency.usage_terms}"
    assert "rightsInfo" not in obj
    assert obj["headlines"] == [
        {
            "role": "main",
            "contentType": "text/plain",
            "value": "Migrant builders lose pay & homes as firms <vanish>",
        }
    ]
    assert obj["descriptions"][0]["value"] == "Standfirst of gulf."
    [body] = obj["bodies"]
    assert (body["role"], body["contentType"]) == ("main", "text/html")
    assert body["value"].startswith(
        '<p class="correction">Correction: Corrects the number of workers '
        "surveyed in paragraph 2</p>\n<p>First paragraph of gulf.</p>"
    )
    assert body["value"].endswith(f'<p class="credit">{line}</p>')
    assert body["value"].count(CREDIT_CLASS) == 1
    assert obj["genres"] == [
        {"name": "Correction", "uri": CORRECTION, "literal": "sig:correction"}
    ]
    assert obj["edNote"] == gulf.ed_note
    assert obj["by"] == "By Priya Raman"
    assert obj["infoSources"] == [
        {"name": "Priya Raman", "role": "reporter"},
        {"name": "Daniel Osei", "role": "contributor"},
        {"name": "Helen Park", "role": "editor"},
    ]
    assert (obj["slugline"], obj["located"]) == ("RIGHTS-GULF", "LONDON")
    assert obj["subjects"] == [
        {
            "name": "labour",
            "uri": "http://cv.iptc.org/newscodes/mediatopic/09000000",
            "literal": "medtop:09000000",
        }
    ]
    assert obj["associations"] == [
        {
            "uri": "https://news.example.org/images/gulf.jpg",
            "name": "image-1",
            "type": "picture",
            "by": "Thomson Reuters Foundation/Jane Doe",
            "descriptions": [
                {
                    "role": "caption",
                    "contentType": "text/plain",
                    "value": "Workers queue for pay in Doha",
                }
            ],
            "renditions": [
                {
                    "name": "original",
                    "href": "https://news.example.org/images/gulf.jpg",
                    "contentType": "image/jpeg",
                }
            ],
        }
    ]
    assert obj["standard"] == {
        "name": "ninjs",
        "version": "3.1",
        "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
    }


def test_a_plain_story_has_no_correction_marks(ninjs_feed, agency, versions):
    obj = item_doc(
        render(edition_of(ninjs_feed, agency, [versions["sahel"]])), "sahel", 1
    )
    assert "genres" not in obj and "edNote" not in obj
    assert "embargoedUntil" not in obj
    assert 'class="correction"' not in obj["bodies"][0]["value"]


def test_a_feed_that_opts_out_of_the_credit_paragraph(agency, versions):
    feed = make_feed(formats=("ninjs",))
    feed = replace(feed, credit=replace(feed.credit, append_paragraph=False))
    obj = item_doc(render(edition_of(feed, agency, [versions["sahel"]])), "sahel", 1)
    assert CREDIT_CLASS not in obj["bodies"][0]["value"]
    assert obj["usageTerms"].startswith(agency.credit_line)


def test_a_feed_credit_line_override(agency, versions):
    feed = make_feed(formats=("ninjs",))
    feed = replace(feed, credit=replace(feed.credit, line="Credit: TRF for Partner A"))
    obj = item_doc(render(edition_of(feed, agency, [versions["sahel"]])), "sahel", 1)
    assert obj["usageTerms"].startswith("Credit: TRF for Partner A. Republication")
    assert obj["bodies"][0]["value"].endswith(
        '<p class="credit">Credit: TRF for Partner A</p>'
    )


def test_a_kill_carries_no_story_text(ninjs_feed, agency, versions):
    killed = versions["killed"]
    documents = render(edition_of(ninjs_feed, agency, [], [killed]))
    obj = item_doc(documents, "killed", 2)
    assert obj == {
        "uri": killed.guid,
        "type": "text",
        "version": "2",
        "firstCreated": "2026-06-17T08:00:00Z",
        "versionCreated": "2026-06-17T12:00:00Z",
        "pubStatus": "canceled",
        "copyrightHolder": agency.copyright_holder,
        "copyrightNotice": agency.copyright_notice,
        "usageTerms": f"{agency.credit_line}. {agency.usage_terms}",
        "edNote": "Withdrawn: legal concerns",
        "language": "en",
        "standard": obj["standard"],
    }
    for document in documents.values():
        text = document.body.decode()
        for words in ("Headline of killed", "Standfirst of killed", "First paragraph"):
            assert words not in text, (document.key, words)


def test_the_index_is_a_ninjs_composite_of_items_then_kills(
    ninjs_feed, agency, versions
):
    edition = edition_of(
        ninjs_feed, agency, [versions["gulf"], versions["sahel"]], [versions["killed"]]
    )
    documents = render(edition)
    index = loaded(documents["ninjs.json"])
    assert index["uri"] == "urn:newsml:news.trust.org:feed:partner-a"
    assert (index["type"], index["profile"], index["pubStatus"]) == (
        "composite",
        "feed",
        "usable",
    )
    assert index["title"] == "Rights & labour <news>"
    assert index["descriptions"] == [
        {
            "role": "description",
            "contentType": "text/plain",
            "value": "Stories about “rights”, labour & more",
        }
    ]
    assert index["versionCreated"] == "2026-06-17T12:00:00Z"  # newest, not the clock
    assert index["usageTerms"].startswith(agency.credit_line)
    associations = index["associations"]
    assert [(a["name"], a["rel"], a["pubStatus"]) for a in associations] == [
        (versions["gulf"].guid, "item", "usable"),
        (versions["sahel"].guid, "item", "usable"),
        (versions["killed"].guid, "item", "canceled"),
    ]
    # Each is its item document's object (less "standard") plus name and rel.
    for association, (slug, number) in zip(
        associations, [("gulf", 2), ("sahel", 1), ("killed", 2)], strict=True
    ):
        standalone = item_doc(documents, slug, number)
        del standalone["standard"]
        assert {k: v for k, v in association.items() if k not in ("name", "rel")} == (
            standalone
        )
        assert list(association)[:3] == ["uri", "name", "rel"]


def test_an_empty_feed_is_a_composite_without_associations(ninjs_feed, agency):
    documents = render_edition(edition_of(ninjs_feed, agency, []))
    assert [d.key for d in documents] == ["ninjs.json"]
    index = loaded(documents[0])
    assert "associations" not in index
    assert index["versionCreated"] == "2026-06-20T12:00:00Z"  # the edition's time


def test_bytes_are_deterministic_utf8_with_one_trailing_newline(
    ninjs_feed, agency, versions
):
    edition = edition_of(
        ninjs_feed, agency, [versions["gulf"], versions["sahel"]], [versions["killed"]]
    )
    first = render_edition(edition)
    NinjsRenderer.render.__globals__["item_document"].cache_clear()
    NinjsRenderer.render.__globals__["item_object"].cache_clear()
    second = render_edition(edition)
    assert [(d.key, d.body) for d in first] == [(d.key, d.body) for d in second]
    for document in first:
        text = document.body.decode("utf-8")
        assert text.endswith("}\n") and not text.endswith("\n\n")
        assert "\\u" not in text  # ensure_ascii=False: “, ’ and © as UTF-8
        assert text.startswith('{\n  "uri": ')
    assert "“rights”" in first[-1].body.decode()


def test_an_id_that_is_not_a_uri_is_kept_as_an_alt_id(ninjs_feed, agency):
    odd = story("odd", guid="story 42 / draft")
    obj = loaded(
        render(edition_of(ninjs_feed, agency, [odd]))[
            "items/story~2042~20~2F~20draft/v1.json"
        ]
    )
    assert obj["uri"] == "https://news.trust.org/item/story%2042%20%2F%20draft"
    assert obj["altIds"] == [{"role": "guid", "value": "story 42 / draft"}]
    assert is_uri(obj["uri"]) and not is_uri("story 42 / draft")


def test_images_are_http_links_written_as_uris(ninjs_feed, agency):
    images = (
        Image("javascript:alert(1)", "Script"),
        Image("https://img.example.org/ça/{x}.jpg", "Accents", alt="Alt text"),
        Image("https://img.example.org/%zz.jpg", "Broken escape"),
    )
    obj = item_doc(
        render(edition_of(ninjs_feed, agency, [story("pics", images=images)])),
        "pics",
        1,
    )
    [picture] = obj["associations"]
    assert picture["uri"] == "https://img.example.org/%C3%A7a/%7Bx%7D.jpg"
    assert picture["renditions"] == [
        {"name": "original", "href": picture["uri"], "contentType": "image/jpeg"}
    ]
    assert picture["descriptions"][1] == {
        "role": "alt",
        "contentType": "text/plain",
        "value": "Alt text",
    }


def test_every_document_is_valid_ninjs_and_passes_the_gate(
    ninjs_feed, agency, versions, gate
):
    odd = story("odd", guid="story 42", images=(Image("https://x.example/a b.jpg"),))
    editions = [
        edition_of(
            ninjs_feed,
            agency,
            [versions["gulf"], versions["sahel"], odd],
            [versions["killed"]],
        ),
        edition_of(ninjs_feed, agency, []),
        edition_of(ninjs_feed, agency, [], [versions["killed"]]),
        edition_of(ninjs_feed, agency, [versions["gulf"]]),
    ]
    for edition in editions:
        documents = render_edition(edition)
        report = gate.check(documents, edition)
        assert report.ok, [str(p) for p in report.problems]
        assert report.checked == len(documents)


def test_item_documents_pass_the_schema_and_rules_on_their_own(
    ninjs_feed, agency, versions
):
    edition = edition_of(ninjs_feed, agency, [versions["gulf"]], [versions["killed"]])
    for document in render_edition(edition):
        report = check_ninjs(
            document.body,
            name=document.key,
            schema_path=NINJS_SCHEMA,
            schemas_dir=REPO / "schemas",
            expectations=Expectations(
                credit_line=agency.credit_line,
                at=datetime(2026, 6, 20, tzinfo=UTC),
            ),
        )
        assert report.ok, [str(p) for p in report.problems]
