"""The broken-document corpus: each is rejected with the rule it breaks; the
valid ones and every golden document pass."""

from __future__ import annotations

import http.server
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import OFFICIAL_XSD, REPO

from syndication.validate.checker import Expectations, check_bytes

BROKEN = REPO / "tests" / "data" / "broken"
SCHEMAS = REPO / "schemas"
EXPECT = Expectations(
    credit_line="Credit: Example Wire",
    at=datetime(2026, 11, 27, 12, 0, tzinfo=UTC),
)


def check(path: Path, expectations: Expectations = EXPECT):  # type: ignore[no-untyped-def]
    return check_bytes(
        path.read_bytes(),
        name=path.name,
        schemas_dir=SCHEMAS,
        official_xsd=OFFICIAL_XSD if OFFICIAL_XSD.is_file() else None,
        expectations=expectations,
    )


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("rss-missing-credit-line.xml", "credit-line-present"),
        ("rss-wrong-credit-line.xml", "credit-line-matches"),
        ("atom-wrong-credit-line.xml", "credit-line-matches"),
        ("rss-missing-credit-paragraph.xml", "credit-paragraph"),
        ("rss-missing-guid.xml", "item-id"),
        ("rss-zoneless-date.xml", "item-date-zone"),
        ("atom-zoneless-date.xml", "item-date-zone"),
        ("newsml-under-embargo.xml", "embargo-later-than-build"),
        ("rss-script-in-content.xml", "body-no-script"),
        ("newsml-script-in-body.xml", "body-no-script"),
        ("atom-iframe-in-content.xml", "body-no-iframe"),
        ("rss-event-handler.xml", "body-no-event-handler"),
        ("rss-javascript-url.xml", "body-no-javascript-url"),
        ("newsml-out-of-order.xml", "newsml-grammar"),
        ("newsml-subject-without-scheme.xml", "subject-scheme"),
        ("newsml-subject-without-name.xml", "subject-name"),
        ("rss-malformed.xml", "well-formed"),
        ("doctype-external-entity-file.xml", "no-doctype"),
    ],
)
def test_broken_document_is_rejected_with_its_rule(name: str, rule: str) -> None:
    report = check(BROKEN / name)
    assert not report.ok
    assert rule in {p.rule for p in report.problems}, [str(p) for p in report.problems]


def test_out_of_order_newsml_also_fails_the_official_schema(official_xsd: Path) -> None:
    report = check(BROKEN / "newsml-out-of-order.xml")
    assert "newsml-official-xsd" in {p.rule for p in report.problems}


def test_problems_name_document_line_rule_and_message() -> None:
    [problem] = check(BROKEN / "rss-wrong-credit-line.xml").problems
    assert str(problem) == (
        "rss-wrong-credit-line.xml:8: [credit-line-matches] The credit line "
        '"Credit: Someone Else" is not the feed\'s credit line "Credit: Example Wire".'
    )


@pytest.mark.parametrize(
    "name", ["rss-valid.xml", "atom-valid.xml", "newsml-valid.xml"]
)
def test_valid_documents_pass(name: str) -> None:
    report = check(BROKEN / name)
    assert report.ok, [str(p) for p in report.problems]


def test_without_expectations_items_must_agree_with_each_other() -> None:
    report = check(BROKEN / "rss-wrong-credit-line.xml", Expectations())
    assert report.ok  # a single item agrees with itself
    body = (BROKEN / "rss-valid.xml").read_text("utf-8")
    item = body[body.index("<item>") : body.index("</item>") + len("</item>")]
    other = item.replace("Credit: Example Wire", "Credit: Another").replace(
        "urn:x:1", "urn:x:2"
    )
    mixed = body.replace("</item>", "</item>" + other, 1).encode()
    report = check_bytes(mixed, name="mixed.xml", schemas_dir=SCHEMAS)
    assert "credit-line-matches" in {p.rule for p in report.problems}


@pytest.mark.parametrize(
    "path", sorted((REPO / "tests" / "golden").rglob("*.xml")), ids=str
)
def test_every_golden_document_passes(path: Path, official_xsd: Path) -> None:
    from syndication.config import load_settings
    from syndication.credit import credit_paragraph, feed_credit
    from syndication.feeds import load_feed

    feed_id = path.relative_to(REPO / "tests" / "golden").parts[0]
    feed = load_feed(REPO / "feeds" / f"{feed_id}.toml")
    agency = load_settings(REPO / "config" / "syndication.toml").agency
    credit = feed_credit(feed, agency)
    expectations = Expectations(
        credit_line=credit.line,
        paragraph=credit_paragraph(credit) if credit.append_paragraph else "",
    )
    report = check_bytes(
        path.read_bytes(),
        name=path.name,
        schemas_dir=SCHEMAS,
        official_xsd=official_xsd,
        expectations=expectations,
    )
    assert report.ok, [str(p) for p in report.problems]


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"EXPANDED-SECRET")

    def log_message(self, *args: object) -> None:
        return None


def test_external_entities_are_never_fetched_or_expanded(tmp_path: Path) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        secret = tmp_path / "secret.txt"
        secret.write_text("LOCAL-SECRET", encoding="utf-8")
        for system in (f"http://127.0.0.1:{port}/entity", secret.as_uri()):
            body = (
                '<?xml version="1.0"?>\n'
                f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{system}">]>\n'
                '<rss version="2.0"><channel><title>&x;</title><link>l</link>'
                "<description>d</description></channel></rss>"
            ).encode()
            report = check_bytes(body, name="xxe.xml", schemas_dir=SCHEMAS)
            assert [p.rule for p in report.problems] == ["no-doctype"]
            assert "SECRET" not in str(report)
        # A parameter entity pulling an external DTD is refused the same way.
        dtd = f'<!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/dtd"><rss version="2.0"/>'
        report = check_bytes(dtd.encode(), name="dtd.xml", schemas_dir=SCHEMAS)
        assert [p.rule for p in report.problems] == ["no-doctype"]
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.requests == []


def test_schema_references_outside_the_schema_folders_are_refused(
    tmp_path: Path,
) -> None:
    from syndication.errors import ConfigError
    from syndication.validate import schemas

    (tmp_path / "rules").mkdir()
    (tmp_path / "rss.rng").write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0">'
        '<include href="/etc/passwd"/><start><element name="rss"><text/></element>'
        "</start></grammar>",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="cannot compile grammar"):
        schemas.grammar(tmp_path, "rss")


def test_schemas_compile_once_per_process() -> None:
    from syndication.validate import schemas

    assert schemas.grammar(SCHEMAS, "atom") is schemas.grammar(SCHEMAS, "atom")
    assert schemas.rules(SCHEMAS, "rss") is schemas.rules(SCHEMAS, "rss")
