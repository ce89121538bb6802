"""Golden ninjs files: the shipped partner feeds rendered as ninjs from the fixed
stories of test_golden.py must match tests/golden/ninjs/<feed>/ byte for byte,
every document must pass the gate (IPTC's ninjs 3.1 schema included), and the
wire sample from ../shared (another publisher's text) is pinned by SHA-256.

Rewrite the expected files only on purpose:
``SYNDICATION_UPDATE_GOLDEN=1 python -m pytest tests/golden``.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from conftest import AT, REPO
from test_golden import UPDATE, versions

from syndication.feeds import load_feeds
from syndication.render.base import Document
from syndication.render.registry import render_edition
from syndication.select import build_edition
from syndication.validate.gate import Gate

HERE = Path(__file__).resolve().parent / "ninjs"
SAMPLE_DIGESTS = Path(__file__).resolve().parent / "sample-ninjs.sha256.json"


def render_ninjs(
    store, settings, gate: Gate | None = None
) -> dict[str, list[Document]]:
    """Each shipped feed as ninjs, as of the fixed build time (checked by
    ``gate`` when given, as publishing would)."""
    feed_set = load_feeds(REPO / "feeds", tuple(settings.destinations))
    rendered = {}
    for feed_id, feed in sorted(feed_set.feeds.items()):
        edition = build_edition(store, feed, settings.agency, AT)
        documents = render_edition(edition, ["ninjs"])
        if gate is not None:
            report = gate.check(documents, edition)
            assert report.ok, [str(p) for p in report.problems]
        rendered[feed_id] = documents
    return rendered


@pytest.fixture
def golden_store(sqlite_store):
    for version in versions():
        sqlite_store.append(version)
    return sqlite_store


@pytest.fixture
def gate(settings, ninjs_schema) -> Gate:
    return Gate.from_settings(settings)


def compare(folder: Path, documents: list[Document]) -> None:
    if UPDATE:
        shutil.rmtree(folder, ignore_errors=True)
        for document in documents:
            path = folder / document.key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(document.body)
    expected = {p.relative_to(folder).as_posix() for p in folder.rglob("*.json")}
    assert {d.key for d in documents} == expected, (
        f"{folder}: documents differ; set SYNDICATION_UPDATE_GOLDEN=1 to rewrite"
    )
    for document in documents:
        assert document.body == (folder / document.key).read_bytes(), (
            f"{folder / document.key} differs; set SYNDICATION_UPDATE_GOLDEN=1 to "
            "rewrite after checking the change"
        )


def test_ninjs_feeds_match_the_golden_files(golden_store, settings, gate):
    rendered = render_ninjs(golden_store, settings, gate)
    assert sorted(rendered) == [
        "partner-a-humanitarian",
        "partner-b-climate",
        "partner-c-all",
    ]
    for feed_id, documents in rendered.items():
        compare(HERE / feed_id, documents)


def test_the_golden_edition_carries_the_kill_and_the_correction(golden_store, settings):
    documents = {
        d.key: d for d in render_ninjs(golden_store, settings)["partner-c-all"]
    }
    index = json.loads(documents["ninjs.json"].body)
    state = {a["name"].rsplit(":", 1)[-1]: a for a in index["associations"]}
    assert sorted(state) == [
        "night-planting",
        "pecheuses-erosion",
        "unpaid-builders",
        "withdrawn-report",
    ]  # the embargoed survey is not there
    assert state["withdrawn-report"]["pubStatus"] == "canceled"
    assert "headlines" not in state["withdrawn-report"]
    corrected = state["unpaid-builders"]
    assert corrected["version"] == "2"
    assert corrected["genres"][0]["literal"] == "sig:correction"
    assert corrected["bodies"][0]["value"].startswith('<p class="correction">')
    assert state["pecheuses-erosion"]["language"] == "fr"
    assert state["night-planting"]["associations"][0]["type"] == "picture"


def test_rebuilding_gives_identical_bytes(golden_store, settings):
    first = render_ninjs(golden_store, settings)
    second = render_ninjs(golden_store, settings)
    assert {k: [(d.key, d.body) for d in v] for k, v in first.items()} == {
        k: [(d.key, d.body) for d in v] for k, v in second.items()
    }


def test_the_wire_sample_by_digest(sqlite_store, settings, sample_wire, gate):
    ingest = pytest.importorskip("syndication.articles.ingest")
    options = ingest.IngestOptions(date=datetime(2019, 6, 21).date())
    parsed = ingest.read_story(sample_wire, settings=settings, options=options)
    sqlite_store.append(parsed.version)
    documents = render_ninjs(sqlite_store, settings, gate)["partner-c-all"]
    assert {d.key for d in documents} >= {"ninjs.json"}
    digests = {d.key: d.sha256 for d in documents}
    if UPDATE:
        SAMPLE_DIGESTS.write_text(
            json.dumps(digests, indent=2, sort_keys=True) + "\n", "utf-8"
        )
    assert digests == json.loads(SAMPLE_DIGESTS.read_text("utf-8")), (
        "the sample's ninjs documents changed; set SYNDICATION_UPDATE_GOLDEN=1 to "
        "rewrite"
    )
