"""Round trip as a property: every story ingest accepts (JSON or wire copy,
from the schema's space with odd values), once published, comes back from its
own NewsML-G2 and ninjs item documents, and from the NewsML-G2 feed message,
as the same article: ingesting them into the same store stores nothing. So
does its kill notice once the story is killed.

Bounded by default; SYNDICATION_LONG_RUN=1 runs many more examples (README,
"Testing").
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from ingest_strategies import examples, json_article, wire_copy
from test_accepted_is_publishable import (
    FEED,
    JSON,
    NOTES,
    WIRE,
    count_versions,
    release,
    run_store,  # noqa: F401  # a fixture of the tests below
    story_file,
)

from syndication.articles.editorial import kill_article
from syndication.articles.ingest import IngestOptions, ingest_paths
from syndication.articles.model import Version, version_to_dict
from syndication.feeds import CreditPolicy
from syndication.render.registry import render_edition
from syndication.select import build_edition

FUZZ = hypothesis_settings(
    max_examples=examples(25, 500),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A feed with its own credit line (a partner's translation, say): its items
# come back as the agency's story too, with a warning.
OVERRIDE = replace(
    FEED,
    feed_id="override",
    credit=CreditPolicy(line="Thomson Reuters Foundation (news.trust.org)"),
)


def comes_back_unchanged(store, site, folder: Path, at, guid: str, **kind) -> None:  # type: ignore[no-untyped-def]
    """Publish ``guid``'s latest version in both feeds at ``at`` and ingest its
    NewsML-G2 and ninjs item documents and the feed message back: nothing is
    stored. (Each matches a stored version: the latest, or for a story an
    editor released from a hold, the held one ingest holds again.)"""
    paths: list[Path] = []
    for feed in (FEED, OVERRIDE):
        edition = build_edition(store, feed, site.agency, at)
        carried = edition.canceled if kind["canceled"] else edition.items
        assert guid in {i.version.guid for i in carried}
        for document in render_edition(edition):
            if document.format not in ("newsml", "ninjs"):
                continue
            if document.format == "ninjs" and document.is_index:
                continue  # the index is a composite, not an item
            path = folder / feed.feed_id / document.key.replace("/", "_")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(document.body)
            paths.append(path)
    before = count_versions(store)
    report = ingest_paths(store, site, paths, IngestOptions())
    assert not report.problems, "\n".join(str(p) for p in report.problems)
    changed = [
        f"{s.path}: {differences(store.get(s.guid, s.previous), store.get(s.guid))}"
        for s in report.stored
        if s.created and s.previous is not None
    ]
    assert count_versions(store) == before, "\n".join(changed)
    mine = [s for s in report.stored if s.guid == guid]
    assert mine
    assert {s.action for s in mine} == {"unchanged"}


def differences(stored: Version, again: Version) -> str:
    """What the version stored again changed, for the failure message."""
    a, b = version_to_dict(stored), version_to_dict(again)
    return "; ".join(f"{k}: {a[k]!r} -> {b[k]!r}" for k in a if a[k] != b[k])


def round_trip(
    raw: bytes, name: str, options, kill_note, folder: Path, store, site
) -> bool:  # type: ignore[no-untyped-def]
    path = folder / name
    path.write_bytes(raw)
    report = ingest_paths(store, site, [path], options)
    if report.problems:
        return False
    (stored,) = report.stored
    if not stored.created:
        return True  # an earlier example's story again
    version = store.get(stored.guid)
    moment = max(
        version.version_created, version.embargo_until or version.version_created
    )
    released = release(store, version, moment + timedelta(minutes=1))
    at = moment + timedelta(minutes=2)
    comes_back_unchanged(store, site, folder / "out", at, released.guid, canceled=False)
    if kill_note is not None:
        kill_article(store, released.guid, reason=kill_note, now=at)
        later = at + timedelta(minutes=1)
        comes_back_unchanged(
            store, site, folder / "killed", later, released.guid, canceled=True
        )
    return True


@pytest.mark.slow
@FUZZ
@given(story=json_article(), kill_note=st.one_of(st.none(), NOTES))
def test_every_published_json_story_comes_back_unchanged(
    story: dict,
    kill_note: str | None,
    run_store,  # type: ignore[no-untyped-def]  # noqa: F811
    settings,  # type: ignore[no-untyped-def]
    tmp_path_factory,  # type: ignore[no-untyped-def]
) -> None:
    folder = tmp_path_factory.mktemp("round-trip")
    accepted = round_trip(
        story_file(story), "story.json", JSON, kill_note, folder, run_store, settings
    )
    event("accepted" if accepted else "refused")


@pytest.mark.slow
@FUZZ
@given(text=wire_copy(), kill_note=st.one_of(st.none(), NOTES))
def test_every_published_wire_story_comes_back_unchanged(
    text: str,
    kill_note: str | None,
    run_store,  # type: ignore[no-untyped-def]  # noqa: F811
    settings,  # type: ignore[no-untyped-def]
    tmp_path_factory,  # type: ignore[no-untyped-def]
) -> None:
    folder = tmp_path_factory.mktemp("round-trip")
    accepted = round_trip(
        text.encode("utf-8"), "story.txt", WIRE, kill_note, folder, run_store, settings
    )
    event("accepted" if accepted else "refused")
