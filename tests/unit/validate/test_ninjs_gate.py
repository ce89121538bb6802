"""The gate on ninjs documents: IPTC's ninjs 3.1 schema (read from ../shared,
compiled once, offline), our rules and the safety rules. Our documents pass;
IPTC's own examples pass the schema and the safety rules (and fail only our
credit rules, being other agencies'); every fault below is refused with its
rule named."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import AT, NINJS_DIR, REPO

from syndication.articles.model import Byline, Image, PubStatus, Subject, Version
from syndication.config import load_settings
from syndication.credit import make_item
from syndication.errors import ConfigError, ValidationFailed
from syndication.feeds import load_feed
from syndication.render.base import Edition
from syndication.render.registry import render_edition
from syndication.validate import ninjs_schema as schema_module
from syndication.validate.checker import Expectations
from syndication.validate.gate import Gate
from syndication.validate.ninjs import check_ninjs

SCHEMAS = REPO / "schemas"
T0 = AT - timedelta(hours=3)
EXAMPLES = sorted((NINJS_DIR / "examples").glob("*.json"))
OUR_RULES = {"rights-present", "credit-line-present", "credit-paragraph"}


@pytest.fixture(scope="module")
def gate(ninjs_schema: Path) -> Gate:
    return Gate(SCHEMAS, None, ninjs_schema)


def story(n: int, **changes: object) -> Version:
    version = Version(
        guid=f"urn:test:ninjs:{n}",
        headline=f"Story {n} & <more>",
        summary="Standfirst.",
        body="<p>First paragraph.</p>\n<p>Second.</p>",
        version_created=T0 + timedelta(minutes=n),
        first_created=T0,
        version=1,
        bylines=(Byline("A Reporter"),),
        subjects=(Subject("medtop:06000000", "environment"),),
        images=(Image("https://img.example.org/a.jpg", "A caption"),),
    )
    return replace(version, **changes)  # type: ignore[arg-type]


def edition(
    versions: tuple[Version, ...] = (), canceled: tuple[Version, ...] = ()
) -> Edition:
    feed = replace(load_feed(REPO / "feeds" / "partner-c-all.toml"), formats=("ninjs",))
    agency = load_settings(REPO / "config" / "syndication.toml").agency
    return Edition(
        feed=feed,
        agency=agency,
        at=AT,
        items=tuple(make_item(v, feed, agency) for v in versions),
        canceled=tuple(make_item(v, feed, agency) for v in canceled),
    )


def item_document(version: Version | None = None) -> dict[str, Any]:
    ed = edition((version or story(1),))
    return json.loads(render_edition(ed)[0].body)


def check(gate: Gate, document: dict[str, Any] | bytes, **expect: Any):
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    line = load_settings(REPO / "config" / "syndication.toml").agency.credit_line
    expect.setdefault("expected_credit_line", line)
    expect.setdefault("at", AT)
    return gate.check_file(body, name="doc.json", **expect)


def rules(report) -> set[str]:
    return {p.rule for p in report.problems}


def test_our_documents_pass(gate: Gate) -> None:
    killed = replace(
        story(2, version=2),
        status=PubStatus.CANCELED,
        ed_note="Withdrawn",
        version_created=T0 + timedelta(hours=1),
    )
    ed = edition((story(1), story(3, is_correction=True, ed_note="Fixes")), (killed,))
    documents = render_edition(ed)
    report = gate.check(documents, ed)
    assert report.ok, [str(p) for p in report.problems]
    assert report.checked == 4


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_iptc_examples_pass_the_schema_and_the_safety_rules(
    gate: Gate, example: Path
) -> None:
    report = gate.check_file(example)
    assert rules(report) <= OUR_RULES, [str(p) for p in report.problems]
    assert not any(p.rule == "ninjs-schema" for p in report.problems)


def test_the_geojson_of_a_place_is_checked_offline(gate: Gate) -> None:
    tt = json.loads((NINJS_DIR / "examples" / "tt_text_image_3.json").read_bytes())
    tt["places"][1]["geoJSON"] = {"type": "Point", "coordinates": [18.2]}
    report = gate.check_file(json.dumps(tt).encode(), name="tt.json")
    [problem] = [p for p in report.problems if p.rule == "ninjs-schema"]
    assert problem.message.startswith("$.places[1].geoJSON:")


Mutation = Callable[[dict[str, Any]], object]


def _set(path: tuple[Any, ...], value: object) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        node: Any = document
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


def _body(value: str) -> Mutation:
    return _set(("bodies", 0, "value"), value)


CREDIT = '<p class="credit">{line}</p>'
BROKEN: dict[str, tuple[Mutation, str, str]] = {
    "missing uri": (
        lambda d: d.pop("uri"),
        "ninjs-schema",
        "$: 'uri' is a required property",
    ),
    "urgency of the wrong type": (
        _set(("urgency",), "high"),
        "ninjs-schema",
        "$.urgency: 'high' is not of type 'integer'",
    ),
    "version as a number": (
        _set(("version",), 1),
        "ninjs-schema",
        "$.version: 1 is not of type 'string'",
    ),
    "date without a zone": (
        _set(("versionCreated",), "2026-11-28T09:00:00"),
        "ninjs-schema",
        "$.versionCreated: '2026-11-28T09:00:00' is not a 'date-time'",
    ),
    "an id that is not a URI": (
        _set(("uri",), "not a uri"),
        "ninjs-schema",
        "$.uri: 'not a uri' is not a 'uri'",
    ),
    "a property ninjs does not define": (
        _set(("creditline",), "x"),
        "ninjs-schema",
        "$: Unevaluated properties are not allowed ('creditline' was unexpected)",
    ),
    "script in the body": (
        lambda d: _body("<p>x</p><script>alert(1)</script>" + CREDIT)(d),
        "no-script",
        "$.bodies[0].value contains a script element.",
    ),
    "event handler in a description without a content type": (
        _set(("descriptions", 0), {"value": "<img src=x onerror=alert(1)>"}),
        "no-event-handler",
        "$.descriptions[0].value contains an event-handler attribute",
    ),
    "script in an XML body": (
        lambda d: d["bodies"].append(
            {
                "contentType": "application/xhtml+xml",
                "value": '<div xmlns="http://www.w3.org/1999/xhtml"><script>x'
                "</script></div>",
            }
        ),
        "no-script",
        "$.bodies[1].value contains a script element.",
    ),
    "javascript link in a rendition": (
        _set(("associations", 0, "renditions", 0, "href"), "javascript:alert(1)"),
        "url-scheme",
        "$.associations[0].renditions[0].href is a javascript: URL",
    ),
    "usage terms without the credit line": (
        _set(("usageTerms",), "Republication permitted."),
        "credit-line-matches",
        "$: The usage terms do not begin with the feed's credit line",
    ),
    "no usage terms": (
        lambda d: d.pop("usageTerms"),
        "credit-line-present",
        "$: The item carries no credit line",
    ),
    "no copyright notice": (
        lambda d: d.pop("copyrightNotice"),
        "rights-present",
        "$: The item carries no rights",
    ),
    "no headline": (
        lambda d: d.pop("headlines"),
        "item-headline",
        "$: Every item needs a headline",
    ),
    "body without the credit paragraph": (
        _body("<p>Text.</p>"),
        "credit-paragraph",
        "$: The body does not end with the credit paragraph",
    ),
    "credit paragraph twice": (
        lambda d: _body(CREDIT.format(line=d["usageTerms"]) + d["bodies"][0]["value"])(
            d
        ),
        "credit-paragraph",
        "$: The body carries 2 credit paragraphs",
    ),
    "correction mark without the paragraph": (
        _set(("genres",), [{"uri": "http://cv.iptc.org/newscodes/signal/correction"}]),
        "correction-paragraph",
        "$: The item is marked as a correction",
    ),
    "correction paragraph without the mark": (
        lambda d: _body(
            '<p class="correction">Correction: x</p>' + d["bodies"][0]["value"]
        )(d),
        "correction-unmarked",
        "$: The body carries a correction paragraph",
    ),
    "still under embargo": (
        _set(("embargoedUntil",), "2026-11-28T13:00:00Z"),
        "embargo-passed",
        "$: The item is still under embargo (until 2026-11-28T13:00:00+00:00)",
    ),
    "a kill with a headline": (
        _set(("pubStatus",), "canceled"),
        "canceled-no-text",
        "$: A canceled item carries none of the killed story's text; found "
        "headlines, descriptions, bodies, by, subjects, associations.",
    ),
}


@pytest.mark.parametrize("fault", sorted(BROKEN))
def test_a_broken_document_is_refused_with_its_rule(gate: Gate, fault: str) -> None:
    mutate, rule, message = BROKEN[fault]
    document = copy.deepcopy(item_document())
    mutate(document)
    report = check(gate, document)
    assert not report.ok
    found = [p for p in report.problems if p.rule == rule]
    assert found, [str(p) for p in report.problems]
    assert found[0].message.startswith(message), found[0].message
    assert found[0].document == "doc.json"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"uri": "urn:x", "uri": "urn:y"}', "not JSON: the key 'uri' appears twice"),
        (b'{"uri": "urn:x", "urgency": NaN}', "not JSON: NaN is not a JSON number"),
        (b'{"uri": "urn:x",}', "not JSON: Expecting property name"),
        ('{"uri": "urn:é"}'.encode("latin-1"), "not UTF-8: invalid"),
        (b'{"x": ' + b"[" * 201 + b"]" * 201 + b"}", "not JSON we check: nested"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON we check: nested more than"),
    ],
)
def test_a_document_that_is_not_strict_json_or_too_deep_is_refused(
    gate: Gate, body: bytes, message: str
) -> None:
    report = check(gate, body)
    [problem] = report.problems
    assert problem.rule == "well-formed"
    assert problem.message.startswith(message)


def test_a_broken_item_document_fails_the_feed(gate: Gate) -> None:
    ed = edition((story(1),))
    documents = render_edition(ed)
    broken = json.loads(documents[0].body)
    broken["bodies"][0]["value"] += "<iframe src=https://x.example/></iframe>"
    del broken["uri"]
    documents[0] = replace(documents[0], body=json.dumps(broken).encode())
    with pytest.raises(ValidationFailed) as raised:
        gate.require(documents, ed)
    found = {(p.document, p.rule) for p in raised.value.report.problems}
    key = documents[0].key
    assert {(key, "ninjs-schema"), (key, "no-active-element")} <= found


def test_the_index_is_checked_item_by_item(gate: Gate) -> None:
    ed = edition((story(1), story(2)))
    documents = render_edition(ed)
    index = json.loads(documents[-1].body)
    index["associations"][1]["usageTerms"] = "Someone else's terms"
    documents[-1] = replace(documents[-1], body=json.dumps(index).encode())
    report = gate.check(documents, ed)
    [problem] = report.problems
    assert (problem.document, problem.rule) == ("ninjs.json", "credit-line-matches")
    assert problem.message.startswith("$.associations[1]: ")


def test_an_embargo_the_edition_knows_is_caught_without_the_field(gate: Gate) -> None:
    later = replace(story(1), embargo_until=AT + timedelta(hours=1))
    ed = edition((later,))
    documents = render_edition(ed)
    document = json.loads(documents[0].body)
    del document["embargoedUntil"]
    documents[0] = replace(documents[0], body=json.dumps(document).encode())
    found = {p.rule for p in gate.check(documents, ed).problems}
    assert {"not-for-syndication", "embargo-passed"} <= found


def test_json_is_sniffed_by_check_file_and_xml_still_goes_to_the_xml_checker(
    gate: Gate,
) -> None:
    assert check(gate, b"  \n" + json.dumps(item_document()).encode()).ok
    xml = (REPO / "tests" / "data" / "broken" / "rss-valid.xml").read_bytes()
    assert gate.check_file(xml, name="rss.xml").ok


def test_without_a_configured_schema_ninjs_cannot_be_checked() -> None:
    with pytest.raises(ConfigError) as raised:
        Gate(SCHEMAS).check_file(json.dumps(item_document()).encode())
    assert "[validation] ninjs_schema" in str(raised.value)
    with pytest.raises(ConfigError) as missing:
        Gate(SCHEMAS, None, Path("/nonexistent/ninjs.json"))
    assert "ninjs schema not found" in str(missing.value)


def test_a_schema_that_refers_to_the_network_is_refused(tmp_path: Path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "http://example.org/ninjs-test.json",
        "type": "object",
        "properties": {"x": {"$ref": "https://example.org/elsewhere.json"}},
    }
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        Gate(SCHEMAS, None, path).check_file(b'{"x": 1}')
    assert "https://example.org/elsewhere.json does not resolve locally" in str(
        raised.value
    )


def test_a_schema_the_fast_validator_cannot_compile_is_a_config_error(
    tmp_path: Path,
) -> None:
    # \\Z is a Python regular expression, not an ECMA 262 one.
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "http://example.org/ninjs-test-regex.json",
        "type": "object",
        "properties": {"x": {"type": "string", "pattern": "a\\Z"}},
    }
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        Gate(SCHEMAS, None, path).check_file(b'{"x": "a"}')
    message = str(raised.value)
    assert "schema does not compile:" in message
    assert str(path) in message


def test_the_schema_compiles_once_per_process(ninjs_schema: Path) -> None:
    compiled = schema_module.compiled_schema(ninjs_schema, SCHEMAS)
    assert schema_module.compiled_schema(ninjs_schema, SCHEMAS) is compiled


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-11-28T09:00:00Z", True),
        ("2026-11-28t09:00:00.123+02:00", True),
        ("2016-12-31T23:59:60Z", True),
        ("2026-11-28T09:00:00", False),
        ("2026-11-28 09:00:00Z", False),
        ("2026-02-30T09:00:00Z", False),
        ("yesterday", False),
    ],
)
def test_date_time_is_rfc_3339_with_an_offset(value: str, valid: bool) -> None:
    assert schema_module.is_date_time(value) is valid


def test_a_date_in_the_past_is_no_embargo(gate: Gate) -> None:
    document = item_document()
    document["embargoedUntil"] = (AT - timedelta(days=1)).isoformat()
    assert check(gate, document).ok


def test_build_time_of_an_index_is_its_version_created(gate: Gate) -> None:
    ed = edition((story(1),))
    index = json.loads(render_edition(ed)[-1].body)
    index["associations"][0]["embargoedUntil"] = "2026-11-28T09:30:00Z"
    # The index was built as of its versionCreated (09:01), before the embargo.
    report = gate.check_file(
        json.dumps(index).encode(),
        name="ninjs.json",
        expected_credit_line=ed.agency.credit_line,
    )
    assert rules(report) == {"embargo-passed"}
    assert datetime.fromisoformat(index["versionCreated"]) < datetime.fromisoformat(
        "2026-11-28T09:30:00+00:00"
    )


def test_a_refused_index_names_every_violation_in_document_order(
    ninjs_schema: Path,
) -> None:
    compiled = schema_module.compiled_schema(ninjs_schema, SCHEMAS)
    index = json.loads(render_edition(edition((story(1), story(2), story(3))))[-1].body)
    assert compiled.fast.is_valid(index)
    assert compiled.errors(index) == []
    index["title"] = 5
    index["associations"][0].pop("name")
    index["associations"][1]["urgency"] = "high"
    index["associations"][1]["keywords"] = ["x"]
    index["associations"][2]["associations"][0]["renditions"][0]["width"] = "wide"
    index["associations"].append(
        {"uri": "urn:x", "name": "x", "places": [{"geoJSON": 1}]}
    )
    assert not compiled.fast.is_valid(index)
    found = compiled.errors(index)
    whole = {(e.json_path, e.message) for e in compiled.validator.iter_errors(index)}
    assert set(found) == whole
    assert len(found) == 6
    assert [path for path, _ in found] == [
        "$.associations[0]",
        "$.associations[1]",
        "$.associations[1].urgency",
        "$.associations[2].associations[0].renditions[0].width",
        "$.associations[3].places[0].geoJSON",
        "$.title",
    ]


def test_text_the_fast_validator_cannot_take_is_still_judged(
    ninjs_schema: Path,
) -> None:
    compiled = schema_module.compiled_schema(ninjs_schema, SCHEMAS)
    document = item_document()
    document["uri"] = "urn:test:\ud800"  # a lone surrogate: JSON allows it
    assert compiled.errors(document) == [("$.uri", "'urn:test:\\ud800' is not a 'uri'")]


def test_json_null_is_a_schema_problem_not_a_parse_error(ninjs_schema: Path) -> None:
    report = check_ninjs(
        b"null",
        name="null.json",
        schema_path=ninjs_schema,
        schemas_dir=SCHEMAS,
        expectations=Expectations(),
    )
    [problem] = report.problems
    assert (problem.rule, problem.message) == (
        "ninjs-schema",
        "$: None is not of type 'object'",
    )
