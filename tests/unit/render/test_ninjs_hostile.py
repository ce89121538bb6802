"""Every cross-site-scripting vector of tests/data/xss/vectors.json in every
field of a story, rendered as ninjs: the HTML body holds no active content when
html5lib reads it as a browser would, every href is an http(s) URL, the plain
text fields read back exactly as written, and every document passes the gate
(IPTC's schema included)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO
from html_oracle import active_in_html

from syndication.render.registry import render_edition
from syndication.validate.gate import Gate

from .render_kit import LABOUR, edition_of, make_feed, story
from .test_hostile_fields import FIELDS, VECTORS, is_web_link


@pytest.fixture(scope="module")
def gate(ninjs_schema) -> Gate:
    return Gate(REPO / "schemas", None, ninjs_schema)


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_vector_in_every_field_is_inert_and_passes(
    field: str, agency, gate: Gate
) -> None:
    versions = [
        FIELDS[field](story(f"x{n}", subjects=(LABOUR,)), vector)
        for n, vector in enumerate(VECTORS)
    ]
    edition = edition_of(make_feed(formats=("ninjs",)), agency, versions)
    documents = render_edition(edition)
    index = json.loads(documents[-1].body)
    for obj in walk(index):
        if obj.get("contentType") == "text/html":
            assert active_in_html(obj["value"]) == [], obj["value"][:200]
        if "href" in obj:
            assert is_web_link(obj["href"]), obj["href"]
    report = gate.check(documents, edition)
    assert report.ok, [str(p) for p in report.problems[:10]]


def test_plain_text_fields_read_as_written(agency) -> None:
    versions = [
        story(f"x{n}", headline=vector, summary=vector, slugline=vector)
        for n, vector in enumerate(VECTORS)
    ]
    documents = render_edition(
        edition_of(make_feed(formats=("ninjs",)), agency, versions)
    )
    index = json.loads(documents[-1].body)
    for association, vector in zip(index["associations"], VECTORS, strict=True):
        assert association["headlines"][0] == {
            "role": "main",
            "contentType": "text/plain",
            "value": vector,
        }
        assert association["descriptions"][0]["value"] == vector
        assert association["slugline"] == vector
