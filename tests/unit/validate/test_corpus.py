"""The broken-document corpus: each is rejected with the rule it breaks; the
valid ones and every golden document pass."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import OFFICIAL_XSD, REPO

from syndication.validate.gate import Gate, GateReport, check_file

BROKEN = REPO / "tests" / "data" / "broken"
SCHEMAS = REPO / "schemas"
CREDIT = "Credit: Example Wire"


def gate() -> Gate:
    return Gate(SCHEMAS, OFFICIAL_XSD if OFFICIAL_XSD.is_file() else None)


def check(name: str, **expectations) -> GateReport:  # type: ignore[no-untyped-def]
    expectations.setdefault("expected_credit_line", CREDIT)
    return gate().check_file(BROKEN / name, name=name, **expectations)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("rss-missing-credit-line.xml", "credit-line-present"),
        ("atom-missing-credit-line.xml", "credit-line-present"),
        ("newsml-missing-credit-line.xml", "credit-line-present"),
        ("rss-wrong-credit-line.xml", "credit-line-matches"),
        ("atom-wrong-credit-line.xml", "credit-line-matches"),
        ("rss-missing-credit-paragraph.xml", "credit-paragraph"),
        ("rss-wrong-credit-paragraph.xml", "credit-paragraph"),
        ("rss-missing-rights.xml", "rights-present"),
        ("rss-missing-guid.xml", "item-id"),
        ("rss-zoneless-date.xml", "item-date-zone"),
        ("atom-zoneless-date.xml", "item-date-zone"),
        ("newsml-under-embargo.xml", "embargo-passed"),
        ("rss-script-in-content.xml", "no-script"),
        ("rss-script-in-cdata.xml", "no-script"),
        ("newsml-script-in-body.xml", "no-script"),
        ("atom-iframe-in-content.xml", "no-active-element"),
        ("rss-event-handler.xml", "no-event-handler"),
        ("atom-xhtml-event-handler.xml", "no-event-handler"),
        ("rss-javascript-url.xml", "url-scheme"),
        ("rss-javascript-url-obfuscated.xml", "url-scheme"),
        ("newsml-out-of-order.xml", "newsml-grammar"),
        ("newsml-subject-without-scheme.xml", "subject-scheme"),
        ("newsml-subject-without-name.xml", "subject-name"),
        ("newsml-canceled-with-headline.xml", "canceled-no-text"),
        ("newsml-canceled-with-headline.xml", "newsml-grammar"),
        ("newsml-canceled-with-body.xml", "canceled-no-text"),
        ("newsml-canceled-with-body.xml", "newsml-grammar"),
        ("rss-correction-without-paragraph.xml", "correction-paragraph"),
        ("atom-correction-unmarked.xml", "correction-unmarked"),
        ("rss-malformed.xml", "well-formed"),
        ("doctype-external-entity-file.xml", "no-doctype"),
        ("doctype-utf16.xml", "no-doctype"),
        ("rdf-not-supported.xml", "format"),
    ],
)
def test_broken_document_is_rejected_with_its_rule(name: str, rule: str) -> None:
    report = check(name)
    assert not report.ok
    assert report.checked == 1
    assert rule in {p.rule for p in report.problems}, [str(p) for p in report.problems]


def test_out_of_order_newsml_also_fails_the_official_schema(official_xsd: Path) -> None:
    report = check("newsml-out-of-order.xml")
    assert "newsml-official-xsd" in {p.rule for p in report.problems}


def test_a_canceled_item_with_text_is_named_and_valid_to_the_official_xsd(
    official_xsd: Path,
) -> None:
    """IPTC's schema allows a headline on a canceled item; our profile and
    rules do not, and say what was found."""
    report = check("newsml-canceled-with-headline.xml")
    assert "newsml-official-xsd" not in {p.rule for p in report.problems}
    [problem] = [p for p in report.problems if p.rule == "canceled-no-text"]
    assert problem.message == (
        "A canceled newsItem carries none of the killed story's text; found headline."
    )


def test_problems_name_document_line_rule_and_message() -> None:
    [problem] = check("rss-wrong-credit-line.xml").problems
    assert str(problem) == (
        "rss-wrong-credit-line.xml:8: [credit-line-matches] The credit line "
        '"Credit: Someone Else" is not the feed\'s credit line "Credit: Example Wire".'
    )
    [problem] = check("newsml-under-embargo.xml").problems
    assert str(problem) == (
        "newsml-under-embargo.xml:5: [embargo-passed] The item is still under "
        "embargo (until 2026-11-28T00:00:00Z) at the document's build time."
    )
    [problem] = check("rss-wrong-credit-paragraph.xml").problems
    assert str(problem) == (
        "rss-wrong-credit-paragraph.xml:11: [credit-paragraph] The body's credit "
        'paragraph says "Credit: Someone Else", not the credit line '
        '"Credit: Example Wire".'
    )


@pytest.mark.parametrize(
    "name",
    [
        "rss-valid.xml",
        "rss-valid-cdata.xml",
        "atom-valid.xml",
        "newsml-valid.xml",
        "newsml-canceled-valid.xml",
    ],
)
def test_valid_documents_pass(name: str) -> None:
    report = check(name)
    assert report.ok, [str(p) for p in report.problems]
    assert report.checked == 1


def test_embargo_is_judged_at_the_time_given() -> None:
    later = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert check("newsml-under-embargo.xml", at=later).ok
    earlier = datetime(2026, 11, 27, 23, 59, tzinfo=UTC)
    assert {p.rule for p in check("newsml-under-embargo.xml", at=earlier).problems} == {
        "embargo-passed"
    }


def test_a_feed_that_opts_out_of_the_credit_paragraph() -> None:
    assert check("rss-missing-credit-paragraph.xml", append_paragraph=False).ok


def test_without_expectations_items_must_share_one_credit_line() -> None:
    # check_file with no expectations: one item agrees with itself (its body's
    # credit paragraph is compared with its own structured credit line).
    assert check_file(BROKEN / "rss-valid.xml").ok
    assert {
        p.rule for p in check_file(BROKEN / "rss-wrong-credit-line.xml").problems
    } == {"credit-paragraph"}
    body = (BROKEN / "rss-valid.xml").read_text("utf-8")
    item = body[body.index("<item>") : body.index("</item>") + len("</item>")]
    other = item.replace(CREDIT, "Credit: Another").replace("urn:x:1", "urn:x:2")
    mixed = body.replace("</item>", "</item>" + other, 1).encode()
    report = check_file(mixed, name="mixed.xml")
    assert [str(p) for p in report.problems] == [
        'mixed.xml:17: [credit-line-matches] The credit line "Credit: Another" is '
        'not the first item\'s "Credit: Example Wire" (every item must carry the '
        "same credit line)."
    ]


def test_expectations_are_parameters_not_read_from_the_document() -> None:
    # A document cannot declare its own expectations.
    body = (
        (BROKEN / "rss-wrong-credit-line.xml")
        .read_bytes()
        .replace(
            b'version="2.0"',
            b'version="2.0" xmlns:chk="urn:syndication:check" '
            b'chk:credit="Credit: Someone Else" chk:paragraph="none"',
        )
    )
    report = check_file(body, expected_credit_line=CREDIT, name="spoof.xml")
    assert "credit-line-matches" in {p.rule for p in report.problems}


@pytest.mark.parametrize(
    "path", sorted((REPO / "tests" / "golden").rglob("*.xml")), ids=str
)
def test_every_golden_document_passes(path: Path, official_xsd: Path) -> None:
    from syndication.config import load_settings
    from syndication.credit import feed_credit
    from syndication.feeds import load_feed

    feed_id = path.relative_to(REPO / "tests" / "golden").parts[0]
    feed = load_feed(REPO / "feeds" / f"{feed_id}.toml")
    agency = load_settings(REPO / "config" / "syndication.toml").agency
    credit = feed_credit(feed, agency)
    report = Gate(SCHEMAS, official_xsd).check_file(
        path,
        expected_credit_line=credit.line,
        append_paragraph=credit.append_paragraph,
    )
    assert report.ok, [str(p) for p in report.problems]
    # And with no expectations at all, as an operator would check them.
    assert check_file(path).ok


def test_a_usable_item_still_needs_its_headline() -> None:
    body = (BROKEN / "newsml-valid.xml").read_bytes()
    headless = body.replace(b"<headline>Floods displace thousands</headline>", b"")
    assert headless != body
    report = gate().check_file(headless, name="headless.xml")
    assert {"newsml-grammar", "item-headline"} <= {p.rule for p in report.problems}
