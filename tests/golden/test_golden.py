"""Golden files: the shipped partner feeds rendered from a fixed set of stories
must match tests/golden/<feed>/ byte for byte, and rebuilding changes nothing.

Rewrite the expected files only on purpose:
``SYNDICATION_UPDATE_GOLDEN=1 python -m pytest tests/golden``.

The wire sample from ../shared is another publisher's text, so its documents are
pinned by SHA-256 (sample.sha256.json) rather than copied into the repository.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import AT, REPO
from lxml import etree

from syndication.articles.model import (
    Byline,
    Dateline,
    Image,
    PubStatus,
    Role,
    Subject,
    Version,
)
from syndication.feeds import load_feeds
from syndication.render.base import Document
from syndication.render.registry import render_edition
from syndication.render.stylesheet import stylesheet_bytes
from syndication.select import build_edition

HERE = Path(__file__).resolve().parent
UPDATE = os.environ.get("SYNDICATION_UPDATE_GOLDEN") == "1"
PREFIX = "urn:newsml:news.trust.org"
DAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LABOUR = Subject("medtop:09000000", "labour")
JUSTICE = Subject("medtop:02000000", "crime, law and justice")
ENVIRONMENT = Subject("medtop:06000000", "environment")
CLIMATE = Subject("medtop:20000418", "climate change")


def versions() -> list[Version]:
    """Stories written for these tests (not the examples, which may change)."""
    wages = Version(
        guid=f"{PREFIX}:20261127:unpaid-builders",
        headline="Unpaid builders wait months for wages & answers",
        summary="One in four workers surveyed went two months or more without pay.",
        body=(
            "<p>One in four migrant construction workers surveyed said they went "
            "unpaid for two months or more, a coalition said on Friday.</p>\n"
            "<p>“When the company closes, nobody is responsible for us,” one worker "
            "said.</p>"
        ),
        version_created=DAY,
        first_created=DAY,
        bylines=(
            Byline("Priya Raman"),
            Byline("Daniel Osei", Role.CONTRIBUTOR),
            Byline("Helen Park", Role.EDITOR),
        ),
        dateline=Dateline("LONDON", "Nov 27", "Thomson Reuters Foundation"),
        subjects=(LABOUR, JUSTICE),
        keywords=("migrant workers", "wage theft"),
        urgency=2,
        slugline="RIGHTS-WAGES",
        provider="Thomson Reuters Foundation",
    )
    corrected = Version(
        **{
            **wages.__dict__,
            "headline": "Unpaid builders wait months for wages & answers <update>",
            "body": wages.body.replace("One in four", "Nearly one in four"),
            "version_created": DAY + timedelta(hours=3),
            "is_correction": True,
            "ed_note": "Corrects the share of workers in the first paragraph",
        }
    )
    heat = Version(
        guid=f"{PREFIX}:20261127:night-planting",
        headline="Heat drives Sahel farmers to plant by night",
        summary="Farmers in Niger sow millet after dark as daytime heat rises.",
        body="<p>Farmers near Ouallam now sow millet after dark.</p>",
        version_created=DAY + timedelta(hours=1),
        first_created=DAY + timedelta(hours=1),
        bylines=(Byline("Moussa Idrissa"),),
        dateline=Dateline("OUALLAM, Niger", "Nov 27", "Thomson Reuters Foundation"),
        subjects=(ENVIRONMENT, CLIMATE),
        urgency=4,
        images=(
            Image(
                "https://news.example.org/images/2026/11/night-planting.jpg",
                "Women sow millet by lamplight near Ouallam, Niger.",
                "Thomson Reuters Foundation/Moussa Idrissa",
                "A woman bends over a furrow, a lamp at her feet, sowing seed.",
            ),
        ),
    )
    erosion = Version(
        guid=f"{PREFIX}:20261127:pecheuses-erosion",
        headline="Au Sénégal, les pêcheuses face à l’érosion côtière",
        summary="La mer avance et les femmes transforment le poisson plus loin.",
        body="<p>À Bargny, la mer a englouti trois aires de séchage en dix ans.</p>",
        version_created=DAY + timedelta(hours=2),
        first_created=DAY + timedelta(hours=2),
        bylines=(Byline("Awa Ndiaye"),),
        dateline=Dateline("BARGNY, Sénégal", "27 nov", "Thomson Reuters Foundation"),
        language="fr",
        subjects=(Subject("medtop:06000000", "environnement"),),
    )
    killed = Version(
        guid=f"{PREFIX}:20261127:withdrawn-report",
        headline="Report on recruitment fees",
        summary="A report on fees charged to workers.",
        body="<p>Recruiters charged fees.</p>",
        version_created=DAY,
        first_created=DAY,
        subjects=(LABOUR,),
    )
    kill = Version(
        **{
            **killed.__dict__,
            "status": PubStatus.CANCELED,
            "ed_note": "Withdrawn: the report's publisher retracted it",
            "version_created": DAY + timedelta(hours=4),
        }
    )
    embargoed = Version(
        guid=f"{PREFIX}:20261127:embargoed-survey",
        headline="Survey under embargo",
        body="<p>Not yet.</p>",
        version_created=DAY,
        first_created=DAY,
        subjects=(LABOUR, CLIMATE),
        embargo_until=AT + timedelta(hours=1),
    )
    return [wages, corrected, heat, erosion, killed, kill, embargoed]


def render_all(store, settings, at: datetime = AT) -> dict[str, list[Document]]:
    feed_set = load_feeds(REPO / "feeds", tuple(settings.destinations))
    assert feed_set.problems == ()
    return {
        feed_id: render_edition(build_edition(store, feed, settings.agency, at))
        for feed_id, feed in sorted(feed_set.feeds.items())
    }


def compare(folder: Path, documents: list[Document]) -> None:
    # The browser stylesheet is the shipped file, byte for byte: compared with
    # it, not copied here.
    styles = [d for d in documents if d.format == "xsl"]
    assert [d.key for d in styles] == ["feed.xsl"]
    assert styles[0].body == stylesheet_bytes()
    documents = [d for d in documents if d.format != "xsl"]
    if UPDATE:
        shutil.rmtree(folder, ignore_errors=True)
        for document in documents:
            path = folder / document.key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(document.body)
    expected = {
        p.relative_to(folder).as_posix() for p in folder.rglob("*.xml") if p.is_file()
    }
    assert {d.key for d in documents} == expected, (
        f"{folder}: documents differ; set SYNDICATION_UPDATE_GOLDEN=1 to rewrite"
    )
    for document in documents:
        assert document.body == (folder / document.key).read_bytes(), (
            f"{folder / document.key} differs; set SYNDICATION_UPDATE_GOLDEN=1 to "
            "rewrite after checking the change"
        )


@pytest.fixture
def golden_store(sqlite_store):
    for version in versions():
        sqlite_store.append(version)
    return sqlite_store


def test_feeds_match_the_golden_files(golden_store, settings):
    rendered = render_all(golden_store, settings)
    assert sorted(rendered) == [
        "partner-a-humanitarian",
        "partner-b-climate",
        "partner-c-all",
    ]
    for feed_id, documents in rendered.items():
        compare(HERE / feed_id, documents)


def test_rebuilding_gives_identical_bytes(golden_store, settings):
    first = render_all(golden_store, settings)
    second = render_all(golden_store, settings)
    assert {k: [(d.key, d.body) for d in v] for k, v in first.items()} == {
        k: [(d.key, d.body) for d in v] for k, v in second.items()
    }


def test_golden_newsml_validates(golden_store, settings, official_xsd):
    schema = etree.XMLSchema(etree.parse(str(official_xsd)))
    for documents in render_all(golden_store, settings).values():
        for document in documents:
            if document.format == "newsml":
                assert schema.validate(etree.fromstring(document.body)), (
                    document.key,
                    schema.error_log,
                )


def test_the_wire_sample_by_digest(sqlite_store, settings, sample_wire, official_xsd):
    ingest = pytest.importorskip("syndication.articles.ingest")
    options = ingest.IngestOptions(date=datetime(2019, 6, 21).date())
    parsed = ingest.read_story(sample_wire, settings=settings, options=options)
    sqlite_store.append(parsed.version)
    documents = render_all(sqlite_store, settings)["partner-c-all"]
    assert {d.key for d in documents} >= {"rss.xml", "atom.xml", "newsml.xml"}
    schema = etree.XMLSchema(etree.parse(str(official_xsd)))
    for document in documents:
        root = etree.fromstring(document.body)
        if document.format == "newsml":
            assert schema.validate(root), (document.key, schema.error_log)
    # The stylesheet is the shipped file (test_feeds_match_the_golden_files).
    digests = {d.key: d.sha256 for d in documents if d.format != "xsl"}
    path = HERE / "sample.sha256.json"
    if UPDATE:
        path.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", "utf-8")
    assert digests == json.loads(path.read_text("utf-8")), (
        "the sample's documents changed; set SYNDICATION_UPDATE_GOLDEN=1 to rewrite"
    )
