"""rights.py through parse_story: credit paragraphs (ours, a variant, another's),
the credit-line field and usage terms, for JSON and wire copy."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

from syndication.articles.ingest import IngestOptions, parse_story
from syndication.articles.ingest.rights import forbidding_terms, marked_credits
from syndication.errors import InputError

REUTERS = "Please credit Reuters when using this story."


@pytest.fixture
def ours(settings) -> str:
    return settings.agency.credit_line


def parse(settings, raw: str, path: str = "story.json"):
    return parse_story(
        raw.encode(),
        path=path,
        settings=settings,
        options=IngestOptions(date=date(2026, 6, 25)),
        file_date=date(2026, 6, 25),
    ).version


def json_story(body: str, **fields) -> str:
    document = {
        "headline": "Rains return",
        "body": body,
        "first_created": "2026-06-20T08:00:00Z",
        **fields,
    }
    return json.dumps(document, ensure_ascii=False)


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.parametrize(
    "paragraph",
    [
        f"<p>{REUTERS}</p>",
        f'<p class="credit">{REUTERS}</p>',
        '<p class="credit">Reuters</p>',
    ],
)
def test_another_agencys_credit_holds_the_story(settings, caplog, paragraph) -> None:
    version = parse(settings, json_story(f"<p>Text.</p>\n{paragraph}"))
    text = "Reuters" if ">Reuters<" in paragraph else REUTERS
    assert version.hold_reason == f"foreign credit: {text}"
    assert version.is_held
    assert version.body == f"<p>Text.</p>\n<p>{text}</p>"  # kept for the editor
    assert (
        f"story.json: foreign credit: {text}; the story is held from every feed "
        f"until an editor releases it (syndication articles release {version.guid})"
    ) in warnings(caplog)


def test_our_credit_paragraph_is_kept_once_at_the_end(settings, ours, caplog) -> None:
    caplog.set_level(logging.WARNING)
    once = parse(settings, json_story(f"<p>Text.</p>\n<p>{ours}</p>"))
    assert once.body == f"<p>Text.</p>\n<p>{ours}</p>"
    assert not once.is_held
    assert warnings(caplog) == []
    twice = parse(settings, json_story(f"<p>{ours}</p>\n<p>Text.</p>\n<p>{ours}</p>"))
    assert twice.body == f"<p>Text.</p>\n<p>{ours}</p>"
    assert warnings(caplog) == [
        "story.json: the credit paragraph is not the body's last; it was taken "
        "out, feeds end the body with the credit line"
    ]


def test_a_variant_of_our_credit_is_taken_out(settings, ours, caplog) -> None:
    variant = ours.replace("that covers", "that covers that covers")
    version = parse(settings, json_story(f"<p>Text.</p>\n<p>{variant}</p>"))
    assert version.body == "<p>Text.</p>"
    assert not version.is_held
    (warning,) = warnings(caplog)
    assert warning.startswith(
        "story.json: a credit paragraph differs from the configured credit line "
        '(extra "that covers" in'
    )


def test_a_body_of_credits_only_is_refused(settings, ours) -> None:
    with pytest.raises(InputError, match="the body has no text besides its credit"):
        parse(settings, json_story(f"<p>{ours}</p>\n<p>{ours}</p>"))


def test_a_different_credit_line_field_is_warned(settings, caplog) -> None:
    version = parse(settings, json_story("<p>Text.</p>", credit_line="Credit: AFP"))
    assert version.credit_line == "Credit: AFP"  # stored as given; feeds carry ours
    assert not version.is_held
    (warning,) = warnings(caplog)
    assert warning.startswith(
        "story.json: the credit_line differs from the configured credit line ("
    )
    assert warning.endswith("); feeds carry the configured one")


def test_usage_terms_that_forbid_republication_hold_the_story(settings, caplog):
    version = parse(
        settings,
        json_story("<p>Text.</p>", usage_terms="NOT FOR PUBLICATION. Background."),
    )
    assert version.hold_reason == (
        "usage terms forbid republication: NOT FOR PUBLICATION"
    )
    assert "the story is held from every feed" in warnings(caplog)[0]


def test_holds_add_to_a_hold_the_story_states(settings) -> None:
    version = parse(
        settings,
        json_story(
            f"<p>Text.</p><p>{REUTERS}</p>",
            hold_reason="legal check",
            usage_terms="Internal use only",
        ),
    )
    assert version.hold_reason == (
        f"legal check; foreign credit: {REUTERS}; "
        "usage terms forbid republication: Internal use only"
    )


@pytest.mark.parametrize(
    ("terms", "found"),
    [
        ("Not for publication", "Not for publication"),
        ("not to be republished", "not to be republished"),
        ("NOT FOR SYNDICATION before June", "NOT FOR SYNDICATION"),
        ("Do not republish.", "Do not republish"),
        ("Partners may not redistribute this story.", "may not redistribute"),
        ("Must not be published in print", "Must not be published"),
        ("For internal use only", "For internal use only"),
        ("Internal use only.", "Internal use only"),
        ("Agency staff: for internal use.", "for internal use"),
        ("No republication.", "No republication"),
        ("Republication is prohibited", "Republication is prohibited"),
        ("Not for release", "Not for release"),
        ("For reference only", "For reference only"),
        (
            "Republication permitted to syndication partners with the credit line "
            "intact.",
            None,
        ),
        ("May not be republished without the credit line.", None),
        ("Do not republish unless credited.", None),
        ("No archive", None),
        ("", None),
        ("Free to publish and distribute.", None),
    ],
)
def test_forbidding_terms(terms: str, found: str | None) -> None:
    assert forbidding_terms(terms) == found


def test_the_site_usage_terms_allow_republication(settings) -> None:
    assert forbidding_terms(settings.agency.usage_terms) is None


def test_marked_credits_read_the_class_before_the_sanitiser_drops_it() -> None:
    marked = marked_credits(
        '<p class="x credit">Please  credit <a href="https://r.example">AP</a></p>'
        '<p class="credits">Not this</p><p>Nor this</p>'
    )
    assert marked == frozenset({"Please credit AP"})


# -- wire copy ---------------------------------------------------------------------


def wire(*paragraphs: str) -> str:
    return "\n\n".join(["Rains return", "LIMA, June 20 (Agency) - Text.", *paragraphs])


def test_wire_credits_block_with_another_agencys_credit_holds(settings, caplog):
    version = parse(
        settings,
        wire("Two. (Reporting by Ana Ruiz; Editing by Jo Bell; Please credit AFP)"),
        "story.txt",
    )
    assert version.hold_reason == "foreign credit: Please credit AFP"
    assert version.body == "<p>Text.</p>\n<p>Two.</p>"
    assert len(warnings(caplog)) == 1


def test_wire_paragraph_with_another_agencys_credit_holds(settings) -> None:
    version = parse(settings, wire(REUTERS), "story.txt")
    assert version.hold_reason == f"foreign credit: {REUTERS}"


def test_wire_credits_block_with_our_credit_neither_holds_nor_warns(
    settings, ours, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    version = parse(settings, wire(f"(Reporting by Ana Ruiz. {ours})"), "story.txt")
    assert not version.is_held
    assert version.body == "<p>Text.</p>"
    assert warnings(caplog) == []


@pytest.mark.parametrize(
    "tail",
    [
        f"\n\n{REUTERS}",
        f"<br>{REUTERS}",
        f"<ul><li>Note.</li><li>{REUTERS}</li></ul>",
        f"<blockquote>{REUTERS}</blockquote>",
    ],
)
def test_another_agencys_credit_as_bare_text_holds_the_story(settings, tail) -> None:
    version = parse(settings, json_story(f"<p>Text.</p>{tail}"))
    assert version.hold_reason == f"foreign credit: {REUTERS}"


def test_our_credit_or_plain_words_as_bare_text_hold_nothing(settings, ours) -> None:
    for tail in (f"\n\n{ours}", "\n\nCredits are due to the photographer."):
        version = parse(settings, json_story(f"<p>Text.</p>{tail}"))
        assert not version.is_held, tail


def test_credit_marks_in_a_hostile_body_of_unclosed_quotes_are_read_quickly() -> None:
    """The shape that took Python's html.parser quadratic time (see
    test_sanitize): read as a browser reads it, it holds no paragraph."""
    assert marked_credits('<p class="credit a class="' * 100_000) == frozenset()
