"""The shortcuts that make batch ingest fast must never change a result: the
compiled schema check, the sanitiser's no-change path and skipping the
control-character pass on JSON text that cannot hold one."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from test_sanitize import _FRAGMENTS as FRAGMENTS

from syndication.articles.ingest.json_format import (
    SCHEMA_FILE,
    article_check,
    article_validator,
)
from syndication.articles.ingest.json_precheck import compile_check
from syndication.articles.ingest.strict_json import CONTROL_ESCAPE as _CONTROL_ESCAPE
from syndication.articles.sanitize import (
    CONTROL_CHARACTERS,
    _inventory,
    sanitize_html,
    strip_control_characters,
)

SCHEMA = REPO / "schemas" / SCHEMA_FILE
EXAMPLES = REPO / "examples" / "stories"
VALID = {
    "guid": "urn:a:b",
    "headline": "Rains return",
    "body": "<p>Text.</p>",
    "first_created": "2026-06-20T08:00:00Z",
    "version_created": "2026-06-20T09:00:00+02:00",
    "embargo_until": "2026-06-21T00:00:00Z",
    "slugline": "RAINS",
    "summary": "Short.",
    "bylines": [{"name": "A B", "role": "editor"}, {"name": "C"}],
    "dateline": {"place": "LIMA", "date": "June 2", "provider": "P"},
    "language": "pt-BR",
    "subjects": [{"qcode": "medtop:20000137", "name": "floods"}],
    "keywords": ["rain"],
    "urgency": 3,
    "status": "withheld",
    "provider": "P",
    "credit_line": "C",
    "copyright_notice": "(c)",
    "usage_terms": "u",
    "link": "https://example.org/a",
    "images": [{"href": "https://example.org/i.jpg", "caption": "c", "alt": "a"}],
    "ed_note": "n",
    "is_correction": True,
}

# Values near the schema's edges (valid and not), by field name; every field
# also gets OTHERS.
EDGES = {
    "guid": ["g" * 256, "g" * 257, " urn:a", "urn:\x85", "urn:a"],
    "headline": ["h" * 500, "h" * 501, " ", "", "x"],
    "slugline": ["s" * 200, "s" * 201],
    "urgency": [-1, 0, 1, 9, 10, 2.5, 5.0, "5"],
    "link": [f"http://e.x/{'a' * 1989}", f"http://e.x/{'a' * 1990}", "ftp://e.x"],
    "href": ["https://e.x/a b", "https://e.x/a", "e.x"],
    "language": ["en", "english", "pt-BR", "e"],
    "qcode": ["medtop:1", "medtop:", "1:x", "a:b c"],
    "role": ["reporter", "editor", "contributor", "chief"],
    "status": ["usable", "canceled", "killed"],
    **dict.fromkeys(
        ("first_created", "version_created", "embargo_until"),
        ("2026-06-20T08:00:00Z", "2026-06-20T08:00:00", "2026-06-20"),
    ),
}
OTHERS = [None, True, 0, 7, 1.5, "", " ", "x", [], ["x"], {}, {"x": 1}]
REMOVE = object()


def places(value: object, prefix: tuple = ()) -> list[tuple]:
    """Where one change can go: each field and item, and a new field in each
    object."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        found.append((*prefix, "extra"))
        for key, item in value.items():
            found += places(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += places(item, (*prefix, index))
    return found


PLACES = places(VALID)


def changed(document: dict, place: tuple, value: object) -> dict:
    """``document`` with ``value`` at ``place`` (or that field or item removed);
    unchanged if an earlier change removed or replaced the place."""
    document = copy.deepcopy(document)
    *where, last = place
    parent: Any = document
    for step in where:
        if not _holds(parent, step):
            return document
        parent = parent[step]
    if value is REMOVE and _holds(parent, last):
        del parent[last]
    elif value is not REMOVE and (isinstance(parent, dict) or _holds(parent, last)):
        parent[last] = value
    return document


def _holds(parent: object, step: object) -> bool:
    if isinstance(parent, dict):
        return step in parent
    if isinstance(parent, list):
        return isinstance(step, int) and step < len(parent)
    return False


def assert_agrees(document: dict) -> None:
    check = article_check(SCHEMA)
    assert check is not None
    if check(document):
        assert list(article_validator(SCHEMA).iter_errors(document)) == [], document


def test_the_check_accepts_only_what_jsonschema_accepts_one_change() -> None:
    for place in PLACES:
        for value in [*EDGES.get(place[-1], []), *OTHERS, REMOVE]:
            assert_agrees(changed(VALID, place, value))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(PLACES),
            st.sampled_from([*OTHERS, REMOVE])
            | st.sampled_from([v for values in EDGES.values() for v in values]),
        ),
        max_size=4,
    )
)
def test_the_check_accepts_only_what_jsonschema_accepts_many_changes(
    changes: list[tuple[tuple, object]],
) -> None:
    document = VALID
    for place, value in changes:
        document = changed(document, place, value)
    assert_agrees(document)


def test_the_check_accepts_valid_articles() -> None:
    check = article_check(SCHEMA)
    assert check is not None
    assert check(VALID)
    for path in sorted(EXAMPLES.glob("*.json")):
        assert check(json.loads(path.read_text("utf-8"))), path


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "string"}]},
        {"type": ["string", "null"]},
        {"enum": [1, 2]},
        {"$ref": "https://example.org/other.json"},
        {
            "$ref": "#/$defs/node",
            "$defs": {"node": {"items": {"$ref": "#/$defs/node"}}},
        },
        {"properties": {"a": {"multipleOf": 2}}},
        # Not valid schemas at all: jsonschema is left to say so.
        {"required": "headline"},
        {"pattern": "["},
        {"properties": ["a"]},
        {"$defs": ["a"], "$ref": "#/$defs/0"},
    ],
)
def test_a_schema_it_cannot_compile_leaves_every_document_to_jsonschema(
    schema: dict,
) -> None:
    assert compile_check(schema) is None


def test_format_is_an_annotation_as_for_jsonschema() -> None:
    # jsonschema asserts "format" only when given a format checker, which the
    # article validator is not: the day a time names is checked by ingest.
    schema = {"properties": {"a": {"type": "string", "format": "date-time"}}}
    check = compile_check(schema)
    assert check is not None and check({"a": "2026-02-30T08:00:00Z"})
    assert Draft202012Validator(schema).is_valid({"a": "2026-02-30T08:00:00Z"})


@settings(max_examples=500, deadline=None)
@given(FRAGMENTS)
def test_sanitizing_reports_removals_and_only_removals(fragment: str) -> None:
    result = sanitize_html(fragment)
    before, after = _inventory(fragment), _inventory(result.html)
    if result.html == fragment.strip():  # the case the sanitiser takes a shortcut on
        assert before == after
    if before == after:
        assert result.removed == ()
    if any(not attribute for _tag, attribute in before - after):
        assert result.removed != ()


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=20), st.booleans())
def test_json_text_without_control_characters_or_escapes_needs_no_cleaning(
    value: str, ensure_ascii: bool
) -> None:
    text = json.dumps({"headline": value}, ensure_ascii=ensure_ascii)
    if not CONTROL_CHARACTERS.search(text) and not _CONTROL_ESCAPE.search(text):
        assert strip_control_characters(json.loads(text)["headline"]) == (value, 0)
