"""Wire copy: the sample's acceptance, the shape's variations, and open-ended input."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.articles.ingest.wire import (
    WireOptions,
    describe_difference,
    parse_credits,
    parse_wire,
)
from syndication.articles.model import Byline, Dateline, Role, Subject
from syndication.articles.sanitize import body_text
from syndication.errors import InputError

CREDIT = "Please credit the Example Foundation, covering rights and climate. Visit https://example.org"
OPTIONS = WireOptions(date(2026, 6, 25), "--date 2026-06-25")


def parse(text: str, options: WireOptions = OPTIONS, credit_line: str = CREDIT):
    return parse_wire(
        text,
        path="story.txt",
        id_prefix="urn:test",
        credit_line=credit_line,
        options=options,
    )


def story(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


# -- the sample (read from ../shared at test time, never copied) ------------------


def test_sample_is_parsed_as_the_issue_says(
    sample_wire: Path, settings, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    text = sample_wire.read_text(encoding="utf-8")
    version = parse_wire(
        text,
        path=str(sample_wire),
        id_prefix=settings.agency.id_prefix,
        credit_line=settings.agency.credit_line,
        options=WireOptions(date(2019, 6, 21), "--date 2019-06-21"),
    )
    assert (
        version.headline == "U.S. sees Cambodia’s anti-trafficking efforts floundering"
    )
    standfirst = [p for p in text.split("\n\n") if p.strip()][1].strip()
    assert version.summary == standfirst
    assert version.bylines == (
        Byline("Matt Blomberg", Role.REPORTER),
        Byline("Katy Migiro", Role.EDITOR),
    )
    assert version.dateline == Dateline(
        "PHNOM PENH", "June 20", "Thomson Reuters Foundation"
    )
    paragraphs = body_text(version.body)
    assert paragraphs[-1].endswith("did not respond to requests for comment.")
    assert paragraphs[0].startswith(
        "Cambodia is not doing enough"
    )  # no dateline prefix
    for credit_words in (
        "Reporting by",
        "Editing by",
        "Please credit",
        "news.trust.org",
    ):
        assert credit_words not in version.body
    assert version.credit_line == settings.agency.credit_line
    assert version.provider == "Thomson Reuters Foundation"
    assert (
        version.first_created
        == version.version_created
        == datetime(2019, 6, 20, tzinfo=UTC)
    )
    assert version.guid == (
        f"{settings.agency.id_prefix}:20190620:"
        "us-sees-cambodias-anti-trafficking-efforts-floundering"
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert (
        'extra "that covers" in "...of Thomson Reuters, that covers that covers'
        in warnings[0]
    )
    assert warnings[0].startswith(f"{sample_wire}: the credit sentence differs")


# -- the shape's variations ---------------------------------------------------------


def test_standalone_credits_with_semicolons_and_several_names(caplog) -> None:
    version = parse(
        story(
            "Rains return to the valley",
            "By Ana Ruiz, Tom Ode and Li Wei",
            "QUITO, Ecuador, Sept. 3 (Example Foundation) — First paragraph.",
            "Second paragraph.",
            "(Reporting by Ana Ruiz; Additional reporting by Sam Ito; "
            f"Editing by Jo Bell; {CREDIT})",
        )
    )
    assert version.summary == ""
    assert version.bylines == (
        Byline("Ana Ruiz"),
        Byline("Tom Ode"),
        Byline("Li Wei"),
        Byline("Sam Ito", Role.CONTRIBUTOR),
        Byline("Jo Bell", Role.EDITOR),
    )
    assert version.dateline == Dateline(
        "QUITO, Ecuador", "Sept. 3", "Example Foundation"
    )
    assert version.body == "<p>First paragraph.</p>\n<p>Second paragraph.</p>"
    # September is more than a month after the reference date (June 25, 2026),
    # so the dateline belongs to the year before.
    assert version.first_created == datetime(2025, 9, 3, tzinfo=UTC)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("dash", ["–", "—", "-"])
def test_dateline_dashes(dash: str) -> None:
    version = parse(
        story("Headline", f"NAIROBI, March 3 (Example Foundation) {dash} Text.")
    )
    assert version.dateline == Dateline("NAIROBI", "March 3", "Example Foundation")
    assert version.body == "<p>Text.</p>"


def test_year_comes_from_the_reference_date_and_wraps_at_new_year() -> None:
    june = parse(story("Headline", "LIMA, June 20 (Agency) - Text."))
    assert june.first_created == datetime(2026, 6, 20, tzinfo=UTC)
    january = WireOptions(date(2027, 1, 4), "the file's date 2027-01-04")
    december = parse(story("Headline", "LIMA, Dec 30 (Agency) - Text."), january)
    assert december.first_created == datetime(2026, 12, 30, tzinfo=UTC)
    assert december.guid == "urn:test:20261230:headline"


def test_language_and_subjects_come_from_the_options() -> None:
    options = WireOptions(
        date(2026, 6, 25), "--date", "es", (Subject("medtop:14000000", "society"),)
    )
    version = parse(story("Titular", "LIMA, June 20 (Agencia) - Texto."), options)
    assert version.language == "es"
    assert version.subjects == (Subject("medtop:14000000", "society"),)


def test_body_text_is_escaped_and_hard_wrapped_lines_joined() -> None:
    version = parse(
        "Headline\n\nPARIS, May 2 (Agency) - Fish & chips\ncost <more> now.\n\nEnd.\n"
    )
    assert version.body == "<p>Fish &amp; chips cost &lt;more&gt; now.</p>\n<p>End.</p>"


def test_no_credits_block_keeps_the_last_paragraph_and_the_configured_credit() -> None:
    version = parse(
        story("Headline", "PARIS, May 2 (Agency) - One.", "Two (and three).")
    )
    assert version.body == "<p>One.</p>\n<p>Two (and three).</p>"
    assert version.credit_line == CREDIT


def test_the_credits_block_ends_the_story_and_what_follows_is_cut(caplog) -> None:
    caplog.set_level(logging.WARNING)
    version = parse(
        story(
            "Headline",
            "PARIS, May 2 (Agency) - One.",
            f"Two. (Reporting by Ana Ruiz, Editing by Jo Bell. {CREDIT})",
            "Leave a Reply",
            "This site uses a spam filter.",
            "How much would you like to donate?\n$10 $20 $30\nName *",
        )
    )
    assert version.body == "<p>One.</p>\n<p>Two.</p>"
    assert version.bylines == (Byline("Ana Ruiz"), Byline("Jo Bell", Role.EDITOR))
    (record,) = caplog.records
    assert record.getMessage() == (
        "story.txt: the credits block ends the story; 3 paragraph(s) after it were "
        'cut, from "Leave a Reply"'
    )


def test_the_republished_sample_parses_as_the_wire_sample(sample_wire, caplog):
    caplog.set_level(logging.WARNING)
    page = (
        sample_wire.parent.parent
        / "republished"
        / "trafficking-cambodia-partner-page.txt"
    )
    if not page.is_file():
        pytest.skip(f"republished sample not found at {page}")
    options = WireOptions(date(2019, 6, 21), "--date 2019-06-21")
    wire, republished = (
        parse(path.read_text(encoding="utf-8"), options) for path in (sample_wire, page)
    )
    assert republished == wire
    assert "Leave a Reply" not in republished.body
    assert [b.role for b in republished.bylines] == [Role.REPORTER, Role.EDITOR]
    cuts = [r.getMessage() for r in caplog.records if "were cut" in r.getMessage()]
    assert cuts == [
        "story.txt: the credits block ends the story; 4 paragraph(s) after it were "
        'cut, from "Leave a Reply"'
    ]


def test_credit_sentence_differences_are_warned(caplog) -> None:
    caplog.set_level(logging.WARNING)
    parse(
        story(
            "Headline",
            "PARIS, May 2 (Agency) - One. (Reporting by A B; Please credit the Other "
            "Foundation, covering rights and climate. Visit https://example.org)",
        )
    )
    (record,) = caplog.records
    assert '"Other" instead of "Example"' in record.getMessage()


def test_describe_difference() -> None:
    assert describe_difference("a b c", "a b c") == ""
    assert (
        describe_difference("a b c d e", "a b c c d e") == 'extra "c" in "a b c c d e"'
    )
    assert describe_difference("a b c", "a c") == 'missing "b" from "a b c"'


def test_parse_credits_handles_initials_and_no_credit_sentence() -> None:
    credits = parse_credits(
        "Reporting by John A. Smith and Mary Jones, Editing by K. Lee"
    )
    assert credits.bylines == (
        Byline("John A. Smith"),
        Byline("Mary Jones"),
        Byline("K. Lee", Role.EDITOR),
    )
    assert credits.credit_sentence == ""


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("", "no text to ingest", None),
        ("Headline\n\nNo dateline here.\n", "no dateline paragraph found", None),
        (
            "Headline\n\nStandfirst one.\n\nStandfirst two.\n\nLIMA, May 2 (A) - x\n",
            "more than one paragraph between the headline and the dateline",
            5,
        ),
        (
            "Headline\n\n\nLIMA, Feb 30 (A) - x\n",
            "the dateline date 'Feb 30' is not a day",
            4,
        ),
        (
            "Headline\n\nLIMA, May 2 (A) - (Reporting by X, Editing by Y)\n",
            "the story has no body text besides its credits",
            None,
        ),
        (
            "x" * 301 + "\n\nLIMA, May 2 (A) - x\n",
            "the first paragraph is not a headline",
            1,
        ),
    ],
)
def test_malformed_wire_copy(text: str, message: str, line: int | None) -> None:
    with pytest.raises(InputError) as caught:
        parse(text)
    assert caught.value.detail.startswith(message)
    assert caught.value.path == "story.txt"
    assert caught.value.line == line


_PIECES = st.sampled_from(
    [
        "Headline",
        "By A and B",
        "By ",
        "PARIS, June 3 (Agency) – text",
        "PARIS, Feb 31 (Agency) - text",
        "LIMA, Sept. 9 (X) — y",
        "(Reporting by A, Editing by B. Credit.)",
        "(Reporting by",
        "(Editing by B;",
        "Reporting by A)",
        ")",
        "(",
        "\n",
        "\n\n",
        "<script>alert(1)</script>",
        "&amp;",
        " ",
        ".",
        ",",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=12), max_size=25).map("".join))
def test_wire_parser_never_crashes(text: str) -> None:
    try:
        version = parse(text)
    except InputError as exc:
        assert exc.path == "story.txt"
        return
    assert version.headline
    assert version.body.startswith("<p>")
    assert "<script" not in version.body
