"""credit.py: which credit line, rights and paragraph an item carries."""

from __future__ import annotations

import html
import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from syndication.articles.model import Byline, Version
from syndication.credit import (
    credit_for,
    credit_paragraph,
    credited_body,
    feed_credit,
    make_item,
)
from syndication.feeds import CreditPolicy, FeedDefinition

T = datetime(2026, 6, 17, 8, 0, tzinfo=UTC)


@pytest.fixture
def version() -> Version:
    return Version(
        guid="urn:test:1",
        headline="Headline",
        body="<p>One.</p>\n<p>Two.</p>",
        version_created=T,
        first_created=T,
        version=1,
    )


def feed(line: str = "", append: bool = True) -> FeedDefinition:
    return FeedDefinition(
        "f", "P", "T", "D", "https://p.example.org/", credit=CreditPolicy(line, append)
    )


def test_site_line_by_default(settings, version):
    agency = settings.agency
    credit = credit_for(version, feed(), agency)
    assert credit.line == agency.credit_line
    assert credit.copyright_holder == agency.copyright_holder
    # Two sentences: the line ends with a URL, so a full stop is added.
    assert credit.rights == f"{agency.credit_line}. {agency.copyright_notice}"
    assert credit.append_paragraph is True


def test_feed_override_and_story_rights(settings, version):
    story = replace(version, copyright_notice="© 2026 Pool", usage_terms="No archive")
    credit = credit_for(story, feed("Short credit"), settings.agency)
    assert (credit.line, credit.copyright_notice, credit.usage_terms) == (
        "Short credit",
        "© 2026 Pool",
        "No archive",
    )
    assert feed_credit(feed("Short credit"), settings.agency).line == "Short credit"


def test_story_credit_line_never_replaces_the_feed_line(settings, version):
    story = replace(version, credit_line="Some other line")
    assert credit_for(story, feed(), settings.agency).line == (
        settings.agency.credit_line
    )


def test_paragraph_appended_once(settings, version):
    credit = credit_for(version, feed("A & B <C>"), settings.agency)
    paragraph = '<p class="credit">A &amp; B &lt;C&gt;</p>'
    assert credit_paragraph(credit) == paragraph
    body = credited_body(version, credit)
    assert body == f"<p>One.</p>\n<p>Two.</p>\n{paragraph}"
    # Already ending with it: not repeated.
    again = credited_body(replace(version, body=body), credit)
    assert again == body
    # Ending with another feed's credit paragraph: replaced, not added to.
    other = credit_for(version, feed("Other"), settings.agency)
    swapped = credited_body(
        replace(version, body=credited_body(version, other)), credit
    )
    assert swapped == body


def test_opt_out_has_no_paragraph(settings, version):
    credit = credit_for(version, feed(append=False), settings.agency)
    assert credit.append_paragraph is False
    assert credited_body(version, credit) == "<p>One.</p>\n<p>Two.</p>"


def test_bylines_are_not_body_text(settings, version):
    story = replace(version, bylines=(Byline("Priya Raman"),))
    item = make_item(story, feed(), settings.agency)
    assert "Priya Raman" not in item.body


def test_make_item_removes_control_characters_and_logs(settings, version, caplog):
    dirty = replace(version, headline="Bad\x00 head\x1b", body="<p>x\x07y</p>")
    with caplog.at_level(logging.WARNING, logger="syndication"):
        item = make_item(dirty, feed(), settings.agency)
    assert item.version.headline == "Bad head"
    assert item.body.startswith("<p>xy</p>")
    messages = [r.getMessage() for r in caplog.records]
    assert "urn:test:1 headline: removed 2 control character(s)" in messages
    assert "urn:test:1 body: removed 1 control character(s)" in messages


def test_a_body_ending_with_our_plain_credit_paragraph_carries_it_once(
    settings, version
):
    """Ingest keeps the agency's credit paragraph a story ends with (without
    its class, which the sanitiser drops): feeds never add a second."""
    line = settings.agency.credit_line
    ours = replace(version, body=f"<p>One.</p>\n<p>{html.escape(line)}</p>")
    item = make_item(ours, feed(), settings.agency)
    assert item.body == f'<p>One.</p>\n<p class="credit">{html.escape(line)}</p>'
    assert item.body.count(html.escape(line)) == 1
    # A feed with its own line carries that one instead of the agency's.
    translated = make_item(ours, feed("Crédit : la Fondation"), settings.agency)
    assert translated.body == '<p>One.</p>\n<p class="credit">Crédit : la Fondation</p>'
    # Opting out of the paragraph leaves none.
    bare = make_item(ours, feed(append=False), settings.agency)
    assert bare.body == "<p>One.</p>"
    # credited_body itself: idempotent on what it produced and on the plain form.
    credit = credit_for(ours, feed(), settings.agency)
    once = credited_body(ours, credit)
    assert credited_body(replace(ours, body=once), credit) == once


def test_a_body_ending_with_our_credit_as_bare_text_carries_it_once(settings, version):
    """An HTML body may end in text outside any paragraph (the sanitiser keeps
    it): our credit line there is replaced by the paragraph, not repeated.
    Found by tests/e2e/test_lifecycle_properties.py."""
    line = settings.agency.credit_line
    ours = replace(version, body=f"<p>One.</p>\n\n{html.escape(line)}")
    item = make_item(ours, feed(), settings.agency)
    assert item.body == f'<p>One.</p>\n<p class="credit">{html.escape(line)}</p>'
    alone = make_item(replace(version, body=line), feed(), settings.agency)
    assert alone.body == f'<p class="credit">{html.escape(line)}</p>'
    other = replace(version, body="<p>One.</p>\n\nPlease credit Reuters.")
    assert make_item(other, feed(), settings.agency).body.startswith(
        "<p>One.</p>\n\nPlease credit Reuters.\n"
    )


def test_another_credit_paragraph_is_not_taken_for_ours(settings, version):
    other = replace(version, body="<p>One.</p>\n<p>Please credit Reuters.</p>")
    item = make_item(other, feed(), settings.agency)
    assert item.body.startswith("<p>One.</p>\n<p>Please credit Reuters.</p>\n")


@pytest.mark.parametrize(
    ("line", "notice", "rights"),
    [
        (
            "Visit http://news.trust.org",
            "Copyright © X.",
            "Visit http://news.trust.org. Copyright © X.",
        ),
        ("Credit: Example Wire.", "Copyright X.", "Credit: Example Wire. Copyright X."),
        ("Photo by “A. N. Other.”", "© X", "Photo by “A. N. Other.” © X"),
        ("Is it credited?", "© X", "Is it credited? © X"),
        ("  Credit: A  ", "  © X  ", "Credit: A. © X"),
        ("Credit: A", "", "Credit: A"),
        ("", "© X", "© X"),
    ],
)
def test_rights_are_the_credit_line_and_notice_as_two_sentences(line, notice, rights):
    from syndication.render.base import Credit

    credit = Credit(line, "Holder", notice, "", append_paragraph=True)
    assert credit.rights == rights
