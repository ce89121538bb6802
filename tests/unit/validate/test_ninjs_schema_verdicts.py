"""The ninjs schema's two validators agree: jsonschema-rs, which decides, and
jsonschema, which explains a refusal, give every document the same verdict.

Documents are our own (an item, an index) and IPTC's examples, changed by
hypothesis: a value anywhere replaced (by JSON of any type, or by text close to
what the formats and enums accept), a member removed, a member added (a ninjs
name or any other)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import NINJS_DIR, REPO
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_ninjs_gate import edition, story

from syndication.validate import ninjs_schema as schema_module

SCHEMAS = REPO / "schemas"
EXAMPLES = sorted((NINJS_DIR / "examples").glob("*.json"))

NAMES = st.sampled_from(
    [
        "uri", "type", "version", "versionCreated", "firstCreated", "urgency",
        "pubStatus", "headlines", "bodies", "associations", "renditions", "href",
        "width", "places", "geoJSON", "subjects", "name", "rel", "usageTerms",
        "embargoedUntil", "language", "creditline", "x",
    ]
)  # fmt: skip
CLOSE_TEXT = st.sampled_from(
    [
        "2026-11-28T09:00:00Z", "2026-11-28t09:00:00.5+02:00", "2016-12-31T23:59:60Z",
        "2026-11-28T09:00:00", "2026-02-30T09:00:00Z", "2026-11-28", "2026",
        "https://example.org/a", "urn:x:y", "not a uri", "http://", "mailto:a@b",
        "text", "picture", "usable", "canceled", "withheld", "",
    ]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | CLOSE_TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(NAMES | st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def compiled(ninjs_schema: Path) -> schema_module.CompiledSchema:
    return schema_module.compiled_schema(ninjs_schema, SCHEMAS)


@pytest.fixture(scope="module")
def documents(ninjs_schema: Path) -> list[dict[str, Any]]:
    from syndication.render.registry import render_edition

    ours = render_edition(edition((story(1), story(2, is_correction=True))))
    return [json.loads(d.body) for d in ours] + [
        json.loads(path.read_bytes()) for path in EXAMPLES
    ]


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value in the document (the root is ())."""
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _places(value, (*path, index))
    return found


@st.composite
def changed(draw: st.DrawFn, documents: list[dict[str, Any]]) -> object:
    document: Any = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_places(document)))
        if not path:
            if draw(st.integers(0, 9)) == 0:
                document = draw(VALUES)
            continue
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(VALUES)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(NAMES)] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return document


def test_our_documents_and_iptc_s_examples_are_valid_to_both(
    compiled: schema_module.CompiledSchema, documents: list[dict[str, Any]]
) -> None:
    ours = documents[: len(documents) - len(EXAMPLES)]
    for document in ours:
        assert compiled.fast.is_valid(document)
        assert not list(compiled.validator.iter_errors(document))
    for document in documents:  # IPTC's examples fail only our rules
        assert compiled.fast.is_valid(document) == (
            not list(compiled.validator.iter_errors(document))
        )


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_both_validators_give_the_same_verdict(
    compiled: schema_module.CompiledSchema,
    documents: list[dict[str, Any]],
    data: st.DataObject,
) -> None:
    document = data.draw(changed(documents))
    fast = compiled.fast.is_valid(document)
    event("valid" if fast else "refused")
    explained = list(compiled.validator.iter_errors(document))
    assert fast == (not explained), [(e.json_path, e.message) for e in explained]
    assert (compiled.errors(document) == []) == fast
