"""The Gate API as publish.py uses it: documents rendered by the real renderers
from hand-built editions pass; faults the renderers could make are caught with
the rule named; require() raises ValidationFailed carrying the report."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import AT, REPO

from syndication.articles.model import Byline, PubStatus, Role, Subject, Version
from syndication.config import load_settings
from syndication.credit import make_item
from syndication.errors import ConfigError, ValidationFailed
from syndication.feeds import load_feed
from syndication.render.base import Document, Edition
from syndication.render.registry import render_edition
from syndication.validate.gate import Gate, GateReport, Problem

SCHEMAS = REPO / "schemas"
T0 = AT - timedelta(hours=3)


@pytest.fixture
def gate(official_xsd: Path) -> Gate:
    return Gate(SCHEMAS, official_xsd)


def story(n: int, **changes: object) -> Version:
    version = Version(
        guid=f"urn:test:gate:{n}",
        headline=f"Story {n} & <more>",
        summary="Standfirst.",
        body=(
            "<p>First paragraph.</p>\n"
            "<p>Second, with <a href='https://x.example/'>a link</a>.</p>"
        ),
        version_created=T0 + timedelta(minutes=n),
        first_created=T0,
        version=1,
        bylines=(Byline("A Reporter"), Byline("An Editor", Role.EDITOR)),
        subjects=(Subject("medtop:06000000", "environment"),),
        language="en",
    )
    return replace(version, **changes)  # type: ignore[arg-type]


def edition(
    feed_id: str = "partner-c-all",
    versions: tuple[Version, ...] = (),
    canceled: tuple[Version, ...] = (),
    at: datetime = AT,
) -> Edition:
    feed = load_feed(REPO / "feeds" / f"{feed_id}.toml")
    agency = load_settings(REPO / "config" / "syndication.toml").agency
    return Edition(
        feed=feed,
        agency=agency,
        at=at,
        items=tuple(make_item(v, feed, agency) for v in versions),
        canceled=tuple(make_item(v, feed, agency) for v in canceled),
    )


def rules_by_key(report: GateReport) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for problem in report.problems:
        found.setdefault(problem.document, set()).add(problem.rule)
    return found


@pytest.mark.parametrize(
    "feed_id", ["partner-a-humanitarian", "partner-b-climate", "partner-c-all"]
)
def test_rendered_documents_pass(gate: Gate, feed_id: str) -> None:
    killed = story(
        9,
        status=PubStatus.CANCELED,
        version=2,
        ed_note="Withdrawn",
        version_created=T0 + timedelta(hours=1),
    )
    corrected = story(
        2, is_correction=True, ed_note="Corrects the date", body="<p>Fixed.</p>"
    )
    subjects = load_feed(REPO / "feeds" / f"{feed_id}.toml").selection.subjects
    topic = Subject(subjects[0], "topic") if subjects else Subject("medtop:1", "x")
    versions = tuple(
        replace(v, subjects=(topic,))
        for v in (story(1), corrected, story(3, embargo_until=T0 + timedelta(hours=2)))
    )
    built = edition(feed_id, versions, (replace(killed, subjects=(topic,)),))
    documents = render_edition(built, ["rss", "atom", "newsml"])
    report = gate.check(documents, built)
    assert report.ok, [str(p) for p in report.problems]
    assert report.checked == len(documents) > 3
    gate.require(documents, built)  # does not raise


@pytest.mark.parametrize(
    "feed_id", ["partner-a-humanitarian", "partner-b-climate", "partner-c-all"]
)
def test_an_empty_edition_renders_every_index_and_passes(
    gate: Gate, feed_id: str
) -> None:
    """A feed whose selection is empty still has all three indexes, each
    current (no item) and valid, NewsML-G2 to IPTC's XSD too."""
    built = edition(feed_id)
    documents = render_edition(built, ["rss", "atom", "newsml"])
    assert [(d.key, d.is_index) for d in documents] == [
        ("rss.xml", True),
        ("atom.xml", True),
        ("newsml.xml", True),
        ("feed.xsl", False),  # the stylesheet RSS and Atom name
    ]
    report = gate.check(documents, built)
    assert report.ok, [str(p) for p in report.problems]
    assert report.checked == 4
    rss, atom, newsml, _stylesheet = (d.body for d in documents)
    assert b"<item>" not in rss and b"<entry" not in atom
    assert b"<newsItem" not in newsml and b"<packageItem" in newsml


def test_an_embargoed_item_is_refused_in_every_format(gate: Gate) -> None:
    # The selection should never hand the renderers such an item; if it did, the
    # gate catches it in RSS and Atom too, which state no embargo themselves.
    embargoed = story(1, embargo_until=AT + timedelta(hours=1))
    built = edition(versions=(embargoed,))
    documents = render_edition(built, ["rss", "atom", "newsml"])
    found = rules_by_key(gate.check(documents, built))
    for key in ("rss.xml", "atom.xml", "newsml.xml"):
        assert "embargo-passed" in found[key], found
    assert any(
        k.startswith("items/") and "embargo-passed" in v for k, v in found.items()
    )


def test_a_renderer_fault_is_named_by_rule_and_key(gate: Gate) -> None:
    built = edition(versions=(story(1),))
    documents = render_edition(built, ["rss", "atom", "newsml"])
    line = built.items[0].credit.line.encode()
    wrong = {
        "rss.xml": (b'scheme="urn:ebu">' + line, b'scheme="urn:ebu">Someone else'),
        "atom.xml": (
            b"<rights>" + line + b"</rights>",
            b"<rights>Someone else</rights>",
        ),
        "newsml.xml": (b"<creditline>" + line, b"<creditline>Someone else"),
    }
    faulty = [
        replace(d, body=d.body.replace(*wrong[d.key])) if d.key in wrong else d
        for d in documents
    ]
    assert all(
        f.body != d.body
        for f, d in zip(faulty, documents, strict=True)
        if d.key in wrong
    )
    found = rules_by_key(gate.check(faulty, built))
    # The bodies still end with the feed's line, so only the field is wrong.
    assert found == {
        "rss.xml": {"credit-line-matches", "rights-carry-credit"},
        "atom.xml": {"credit-line-matches"},
        "newsml.xml": {"credit-line-matches"},
    }


def test_a_document_of_the_wrong_format_is_refused(gate: Gate) -> None:
    built = edition(versions=(story(1),))
    [rss, _stylesheet] = render_edition(built, ["rss"])
    report = gate.check([replace(rss, format="atom")], built)
    assert report.problems == (
        Problem("rss.xml", 1, "format", "expected a atom document, found rss"),
    )


def test_a_feed_that_opts_out_needs_no_credit_paragraph(gate: Gate) -> None:
    built = edition(versions=(story(1),))
    feed = replace(
        built.feed, credit=replace(built.feed.credit, append_paragraph=False)
    )
    opted_out = edition(versions=(story(1),))
    opted_out = replace(
        opted_out,
        feed=feed,
        items=tuple(make_item(story(1), feed, opted_out.agency) for _ in (1,)),
    )
    documents = render_edition(opted_out, ["rss", "atom", "newsml"])
    assert b'class="credit"' not in documents[0].body
    assert gate.check(documents, opted_out).ok
    # The same documents fail for a feed that appends the paragraph.
    found = rules_by_key(gate.check(documents, built))
    assert all("credit-paragraph" in rules for rules in found.values()), found


def test_require_raises_validation_failed_with_the_report(gate: Gate) -> None:
    built = edition(versions=(story(1, body="<p>Hi</p>"),))
    [document, _stylesheet] = render_edition(built, ["rss"])
    # A renderer fault: a script in the body (the renderers clean bodies).
    faulty = replace(
        document,
        body=document.body.replace(b"&lt;p&gt;Hi", b"&lt;script&gt;x()&lt;/script&gt;"),
    )
    assert faulty.body != document.body
    with pytest.raises(ValidationFailed) as caught:
        gate.require([faulty], built)
    report = caught.value.report
    assert isinstance(report, GateReport)
    assert {p.rule for p in report.problems} == {"no-script"}
    assert str(caught.value) == (
        "feed partner-c-all: 1 problem(s) in 1 of 1 document(s); nothing written"
    )
    assert caught.value.exit_code == 4


def test_from_settings_and_missing_paths(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gate = Gate.from_settings(settings)
    assert gate.schemas_dir == settings.schemas_dir
    assert gate.official_xsd == settings.newsml_xsd
    with pytest.raises(ConfigError, match="official NewsML-G2 schema not found"):
        Gate(SCHEMAS, tmp_path / "missing.xsd")
    with pytest.raises(ConfigError, match="schemas folder not found"):
        Gate(tmp_path)


def test_gates_share_compiled_schemas(official_xsd: Path) -> None:
    from syndication.validate import rules, schemas

    Gate(SCHEMAS, official_xsd).check_file(REPO / "tests/data/broken/newsml-valid.xml")
    first = schemas.grammar(SCHEMAS, "newsml"), rules.compiled_rules(SCHEMAS, "newsml")
    Gate(SCHEMAS, official_xsd).check_file(REPO / "tests/data/broken/newsml-valid.xml")
    second = schemas.grammar(SCHEMAS, "newsml"), rules.compiled_rules(SCHEMAS, "newsml")
    assert first[0] is second[0] and first[1] is second[1]


def test_report_summary_and_sum() -> None:
    one = GateReport((Problem("a.xml", 3, "item-id", "m"),), 1)
    two = GateReport((), 2)
    assert (one + two).summary() == "1 problem(s) in 1 of 3 document(s)"
    assert two.summary() == "2 document(s) valid"
    assert str(one.problems[0]) == "a.xml:3: [item-id] m"
    assert Problem("a.xml", None, "format", "m").as_dict() == {
        "document": "a.xml",
        "line": None,
        "rule": "format",
        "message": "m",
    }


def test_documents_are_checked_by_their_declared_format(gate: Gate) -> None:
    built = edition(versions=(story(1),))
    body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
    document = Document("partner-c-all", "rss.xml", "rss", "application/rss+xml", body)
    found = rules_by_key(gate.check([document], built))
    assert found == {"rss.xml": {"rss-grammar"}}


def test_check_bytes_as_the_gate_module_offers_it(official_xsd: Path) -> None:
    from syndication.validate.gate import Expectations, check_bytes

    body = (REPO / "tests/data/broken/newsml-under-embargo.xml").read_bytes()
    # Default schemas folder, no official XSD; the document's own time.
    report = check_bytes(body, name="n.xml")
    assert (report.checked, {p.rule for p in report.problems}) == (
        1,
        {"embargo-passed"},
    )
    # Expectations in the documented order: credit line, time, paragraph.
    later = Expectations(
        "Credit: Example Wire", datetime(2026, 11, 29, tzinfo=AT.tzinfo)
    )
    assert check_bytes(body, name="n.xml", expectations=later).ok
    wrong = Expectations("Credit: Someone Else", None, None)
    report = check_bytes(
        body, name="n.xml", expectations=wrong, official_xsd=official_xsd
    )
    assert "credit-line-matches" in {p.rule for p in report.problems}


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"distribution": "internal"}, "is internal"),
        ({"hold_reason": "foreign credit: Please credit X"}, "is held"),
        ({"embargo_until": AT + timedelta(hours=1)}, "is still under embargo"),
        ({"status": PubStatus.WITHHELD}, "is withheld"),
    ],
    ids=["internal", "held", "embargoed", "withheld"],
)
def test_no_story_that_must_not_be_syndicated_reaches_a_document(
    gate: Gate, changes: dict[str, object], why: str
) -> None:
    """Even when a selection bug lets one through, the gate refuses it."""
    from syndication.articles.model import Distribution

    if changes.get("distribution") == "internal":
        changes = {**changes, "distribution": Distribution.INTERNAL}
    wrong = edition(versions=(story(1), story(2, **changes)))
    report = gate.check(render_edition(wrong), wrong)
    assert report.problems[0].rule == "not-for-syndication"
    assert f"item urn:test:gate:2 version 1 {why}" in report.problems[0].message
    fine = edition(versions=(story(1),))
    assert gate.check(render_edition(fine), fine).ok
