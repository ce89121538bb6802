"""Stories and feeds for the renderer tests: versions built directly (no ingest),
the shipped agency configuration, and editions made through credit.make_item."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from syndication.articles.model import (
    Byline,
    Dateline,
    Image,
    PubStatus,
    Role,
    Subject,
    Version,
)
from syndication.credit import make_item
from syndication.feeds import CreditPolicy, FeedDefinition
from syndication.render.base import Edition
from syndication.store.base import Selection

PREFIX = "urn:newsml:news.trust.org"
T0 = datetime(2026, 6, 17, 8, 0, tzinfo=UTC)
BUILD_AT = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
LABOUR = Subject("medtop:09000000", "labour")
CLIMATE = Subject("medtop:20000418", "climate change")


def story(slug: str, **changes: object) -> Version:
    base = Version(
        guid=f"{PREFIX}:20260617:{slug}",
        version=1,
        headline=f"Headline of {slug}",
        summary=f"Standfirst of {slug}.",
        body=f"<p>First paragraph of {slug}.</p>\n<p>Second paragraph.</p>",
        version_created=T0,
        first_created=T0,
        bylines=(Byline("Priya Raman"), Byline("Helen Park", Role.EDITOR)),
        dateline=Dateline("LONDON", "June 17", "Thomson Reuters Foundation"),
        subjects=(LABOUR,),
        urgency=3,
        slugline=f"RIGHTS-{slug.upper()}",
        keywords=("migrant workers",),
        provider="Thomson Reuters Foundation",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def agency(settings):  # the shipped configuration
    return settings.agency


def make_feed(feed_id: str = "partner-a", **changes: object) -> FeedDefinition:
    feed = FeedDefinition(
        feed_id=feed_id,
        partner="Partner A",
        title="Rights & labour <news>",
        description="Stories about “rights”, labour & more",
        link="https://partner-a.example.org/feeds/trf/",
        selection=Selection(),
        credit=CreditPolicy(),
    )
    return replace(feed, **changes)  # type: ignore[arg-type]


@pytest.fixture
def feed() -> FeedDefinition:
    return make_feed()


@pytest.fixture
def versions() -> dict[str, Version]:
    """A correction (v2) with an image, a plain story, and a kill (v2)."""
    return {
        "gulf": story(
            "gulf",
            version=2,
            headline="Migrant builders lose pay & homes as firms <vanish>",
            version_created=datetime(2026, 6, 17, 11, 30, tzinfo=UTC),
            is_correction=True,
            ed_note="Corrects the number of workers surveyed in paragraph 2",
            embargo_until=datetime(2026, 6, 17, 9, 0, tzinfo=UTC),
            images=(
                Image(
                    "https://news.example.org/images/gulf.jpg",
                    "Workers queue for pay in Doha",
                    "Thomson Reuters Foundation/Jane Doe",
                ),
            ),
            bylines=(
                Byline("Priya Raman"),
                Byline("Daniel Osei", Role.CONTRIBUTOR),
                Byline("Helen Park", Role.EDITOR),
            ),
        ),
        "sahel": story(
            "sahel",
            headline="Sahel farmers plant by night – “it is cooler”",
            language="en",
            subjects=(CLIMATE, Subject("medtop:17000000", "weather")),
            version_created=datetime(2026, 6, 17, 10, 0, tzinfo=UTC),
        ),
        "killed": story(
            "killed",
            version=2,
            status=PubStatus.CANCELED,
            ed_note="Withdrawn: legal concerns",
            version_created=datetime(2026, 6, 17, 12, 0, tzinfo=UTC),
        ),
    }


def edition_of(
    feed: FeedDefinition,
    agency,
    items: list[Version],
    canceled: list[Version] = (),  # type: ignore[assignment]
    **changes: object,
) -> Edition:
    return Edition(
        feed=feed,
        agency=agency,
        at=BUILD_AT,
        items=tuple(make_item(v, feed, agency) for v in items),
        canceled=tuple(make_item(v, feed, agency) for v in canceled),
        **changes,  # type: ignore[arg-type]
    )


@pytest.fixture
def edition(feed, agency, versions) -> Edition:
    return edition_of(
        feed,
        agency,
        [versions["gulf"], versions["sahel"]],
        [versions["killed"]],
        self_urls={
            "rss": "https://cdn.example.org/partner-a/rss.xml",
            "atom": "https://cdn.example.org/partner-a/atom.xml",
        },
        hub_url="https://hub.example.org/",
    )
