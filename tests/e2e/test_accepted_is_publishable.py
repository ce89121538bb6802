"""Accepted means publishable: every story ingest accepts, JSON or wire copy,
generated from the schema's space with odd values, is stored on SQLite and
PostgreSQL alike, and once released renders in every format (ninjs too) and
passes the validation gate (our grammars and rules, IPTC's official NewsML-G2
XSD and ninjs JSON Schema); killed, its notice does too. Each test keeps one
store for all its examples.

Bounded by default; SYNDICATION_LONG_RUN=1 runs many more examples (README,
"Testing").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from ingest_strategies import examples, json_article, line, wire_copy

from syndication.articles.editorial import kill_article
from syndication.articles.ingest import IngestOptions, ingest_paths
from syndication.articles.model import Distribution, PubStatus, Subject, Version
from syndication.articles.sanitize import CONTROL_CHARACTERS
from syndication.feeds import FORMATS, OPT_IN_FORMATS, CreditPolicy, FeedDefinition
from syndication.render.registry import render_edition
from syndication.select import build_edition
from syndication.store import open_store
from syndication.store.base import Selection
from syndication.validate.gate import Gate

FEED = FeedDefinition(
    feed_id="everything",
    partner="Partner",
    title="Every story",
    description="Whatever ingest accepts",
    link="https://partner.example/",
    formats=FORMATS + OPT_IN_FORMATS,
    selection=Selection(limit=1000),
    credit=CreditPolicy(),
)
# The store keeps the earlier examples' stories, some killed: an id met again
# (a minted one, from a similar headline) brings its article back.
JSON = IngestOptions(revive=True)
WIRE = IngestOptions(
    date=date(2026, 6, 25),
    language="en",
    subjects=(Subject("medtop:06000000", "environment"),),
    revive=True,
)
# A kill needs a reason: a note of only whitespace and control characters is
# refused (editorial.py).
NOTES = line(60).map(
    lambda note: note if CONTROL_CHARACTERS.sub("", note).split() else f"{note}Legal"
)
FUZZ = hypothesis_settings(
    max_examples=examples(25, 500),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def gate(settings, official_xsd: Path, ninjs_schema: Path) -> Gate:  # type: ignore[no-untyped-def]
    assert settings.newsml_xsd == official_xsd
    assert settings.ninjs_schema == ninjs_schema
    return Gate.from_settings(settings)


def publishable(
    raw: bytes,
    name: str,
    options: IngestOptions,
    *,
    kill_note: str | None,
    folder: Path,
    store,  # type: ignore[no-untyped-def]
    site,  # type: ignore[no-untyped-def]
    gate: Gate,
) -> bool:
    """Ingest ``raw`` into ``store`` (which keeps the earlier examples'
    stories); if accepted, release it, check its edition, and with a
    ``kill_note`` kill it and check the kill notice's edition. Whether ingest
    accepted the file."""
    path = folder / name
    path.write_bytes(raw)
    before = count_versions(store)
    report = ingest_paths(store, site, [path], options)
    if report.problems:
        assert not report.stored
        assert count_versions(store) == before  # a refused file stores nothing
        return False
    (stored,) = report.stored
    if not stored.created:
        return True  # an earlier example's story again: nothing new to check
    version = store.get(stored.guid)
    moment = max(
        version.version_created, version.embargo_until or version.version_created
    )
    released = release(store, version, moment + timedelta(minutes=1))
    at = moment + timedelta(minutes=2)
    check(store, site, gate, at, released, canceled=False)
    if kill_note is not None:
        kill_article(store, released.guid, reason=kill_note, now=at)
        check(store, site, gate, at + timedelta(minutes=1), released, canceled=True)
    return True


def count_versions(store) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for _ in store.iter_all())


@pytest.fixture
def run_store(new_store_url: Callable[[], str]):  # type: ignore[no-untyped-def]
    """One new store for all of a test's examples (a store per example costs
    PostgreSQL a schema and its migrations each time)."""
    opened = open_store(new_store_url())
    yield opened
    opened.close()


def release(store, version: Version, now) -> Version:  # type: ignore[no-untyped-def]
    """What an editor does to let a withheld, internal or held story out."""
    if version.is_syndicated:
        return version
    freed = replace(
        version,
        version=0,
        status=PubStatus.USABLE,
        distribution=Distribution.SYNDICATE,
        hold_reason="",
        version_created=now,
    )
    result = store.append(freed)
    return store.get(version.guid, result.version)


def check(store, site, gate: Gate, at, version: Version, *, canceled: bool) -> None:  # type: ignore[no-untyped-def]
    edition = build_edition(store, FEED, site.agency, at)
    carried = edition.canceled if canceled else edition.items
    assert version.guid in {i.version.guid for i in carried}
    documents = render_edition(edition)
    assert {d.format for d in documents} == {*FORMATS, *OPT_IN_FORMATS, "xsl"}
    report = gate.check(documents, edition)
    assert report.ok, "\n".join(str(p) for p in report.problems)


def story_file(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


@pytest.mark.slow
@FUZZ
@given(story=json_article(), kill_note=st.one_of(st.none(), NOTES))
def test_every_json_story_ingest_accepts_is_publishable(
    story: dict,
    kill_note: str | None,
    run_store,  # type: ignore[no-untyped-def]
    settings,  # type: ignore[no-untyped-def]
    gate: Gate,
    tmp_path: Path,
) -> None:
    accepted = publishable(
        story_file(story),
        "story.json",
        JSON,
        kill_note=kill_note,
        folder=tmp_path,
        store=run_store,
        site=settings,
        gate=gate,
    )
    event("accepted" if accepted else "refused")


@pytest.mark.slow
@FUZZ
@given(text=wire_copy(), kill_note=st.one_of(st.none(), NOTES))
def test_every_wire_story_ingest_accepts_is_publishable(
    text: str,
    kill_note: str | None,
    run_store,  # type: ignore[no-untyped-def]
    settings,  # type: ignore[no-untyped-def]
    gate: Gate,
    tmp_path: Path,
) -> None:
    accepted = publishable(
        text.encode("utf-8"),
        "story.txt",
        WIRE,
        kill_note=kill_note,
        folder=tmp_path,
        store=run_store,
        site=settings,
        gate=gate,
    )
    event("accepted" if accepted else "refused")


@pytest.mark.parametrize(
    "fields",
    [
        {"guid": "é" * 106},
        {"guid": "a" * 256},
        {"keywords": ["flood\trisk", "dam\nburst"]},
        {"slugline": "RAIN\tRETURN"},
        {"subjects": [{"qcode": "medtop:06000000", "name": "envi-\nronment"}]},
        {"dateline": {"place": "DAKAR,\tSenegal", "date": "Jun\n20"}},
        {"copyright_notice": " \t ", "usage_terms": "\n"},
        {"first_created": "1900-01-01T00:00:00+14:00"},
        {"first_created": "2200-12-31T23:59:59.999999999-23:59"},
        {"bylines": [{"name": "Ana\tRuiz"}], "provider": "Wire\nService"},
        {
            "images": [
                {"href": "https://x.example/a.jpg", "caption": "A\tb", "alt": " "}
            ]
        },
        {"body": "<blockquote>" * 100 + "Deep."},
        {"body": "<ul><li>" * 50 + "Deep."},
    ],
    ids=[
        "accented-guid",
        "long-guid",
        "keywords",
        "slugline",
        "subject",
        "dateline",
        "blank-rights",
        "first-year",
        "last-year",
        "byline-provider",
        "image",
        "deepest-blockquotes",
        "deepest-lists",
    ],
)
def test_the_issue_s_unpublishable_stories_are_publishable(
    fields: dict,
    run_store,  # type: ignore[no-untyped-def]
    settings,  # type: ignore[no-untyped-def]
    gate: Gate,
    tmp_path: Path,
) -> None:
    story = {
        "headline": "Rains return",
        "body": "<p>Text.</p>",
        "first_created": "2026-06-20T08:00:00Z",
        **fields,
    }
    assert publishable(
        story_file(story),
        "story.json",
        IngestOptions(),
        kill_note="Legal\treview",
        folder=tmp_path,
        store=run_store,
        site=settings,
        gate=gate,
    )
