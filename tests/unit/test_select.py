"""build_edition against a real store (SQLite and PostgreSQL): embargo, kill,
correction, credit override per feed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from syndication.articles.model import PubStatus, Subject, Version
from syndication.feeds import CreditPolicy, FeedDefinition
from syndication.select import build_edition
from syndication.store.base import Selection

T = datetime(2026, 6, 17, 8, 0, tzinfo=UTC)
LABOUR = Subject("medtop:09000000", "labour")


def story(guid: str, minutes: int, **changes: object) -> Version:
    base = Version(
        guid=guid,
        headline=f"About {guid}",
        body="<p>Text.</p>",
        version_created=T + timedelta(minutes=minutes),
        first_created=T + timedelta(minutes=minutes),
        subjects=(LABOUR,),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def feed(feed_id: str = "a", line: str = "") -> FeedDefinition:
    return FeedDefinition(
        feed_id,
        "Partner",
        "Title",
        "Description",
        "https://p.example.org/",
        selection=Selection(subjects=("medtop:09000000",)),
        credit=CreditPolicy(line),
    )


def guids(edition) -> list[str]:
    return [item.version.guid for item in edition.items]


def test_items_newest_first_with_credit(store, settings):
    store.append(story("urn:t:old", 0))
    store.append(story("urn:t:new", 10))
    store.append(story("urn:t:other", 20, subjects=()))
    edition = build_edition(
        store,
        feed(),
        settings.agency,
        T + timedelta(hours=1),
        self_urls={"rss": "https://cdn/rss.xml"},
        hub_url="https://hub/",
    )
    assert guids(edition) == ["urn:t:new", "urn:t:old"]
    assert edition.at == T + timedelta(hours=1)
    assert edition.self_urls == {"rss": "https://cdn/rss.xml"}
    assert edition.hub_url == "https://hub/"
    assert all(i.credit.line == settings.agency.credit_line for i in edition.items)
    assert all(
        i.body.endswith(f'<p class="credit">{i.credit.line}</p>') for i in edition.items
    )


def test_embargo_absent_before_present_after(store, settings):
    lift = T + timedelta(hours=2)
    store.append(story("urn:t:held", 0, embargo_until=lift))
    before = build_edition(store, feed(), settings.agency, lift - timedelta(seconds=1))
    after = build_edition(store, feed(), settings.agency, lift)
    assert guids(before) == []
    assert guids(after) == ["urn:t:held"]


def test_kill_leaves_items_and_becomes_canceled(store, settings):
    store.append(story("urn:t:k", 0))
    store.append(
        story("urn:t:k", 30, status=PubStatus.CANCELED, ed_note="Legal reasons")
    )
    edition = build_edition(store, feed(), settings.agency, T + timedelta(hours=1))
    assert guids(edition) == []
    [killed] = edition.canceled
    assert (killed.version.guid, killed.version.version) == ("urn:t:k", 2)
    assert killed.version.ed_note == "Legal reasons"
    earlier = build_edition(store, feed(), settings.agency, T + timedelta(minutes=10))
    assert guids(earlier) == ["urn:t:k"] and earlier.canceled == ()


def test_correction_replaces_the_earlier_version(store, settings):
    store.append(story("urn:t:c", 0))
    store.append(
        story("urn:t:c", 30, headline="Fixed", is_correction=True, ed_note="Fix")
    )
    edition = build_edition(store, feed(), settings.agency, T + timedelta(hours=1))
    [item] = edition.items
    assert (item.version.version, item.version.headline) == (2, "Fixed")
    assert item.version.is_correction


def test_override_applies_to_that_feed_only(store, settings):
    store.append(story("urn:t:1", 0))
    at = T + timedelta(hours=1)
    site = build_edition(store, feed("a"), settings.agency, at)
    partner = build_edition(store, feed("b", "Partner credit"), settings.agency, at)
    assert site.items[0].credit.line == settings.agency.credit_line
    assert partner.items[0].credit.line == "Partner credit"
    assert partner.items[0].body.endswith('<p class="credit">Partner credit</p>')
    assert settings.agency.credit_line not in partner.items[0].body


def test_naive_time_is_refused(sqlite_store, settings):
    with pytest.raises(ValueError, match="naive datetime"):
        build_edition(sqlite_store, feed(), settings.agency, datetime(2026, 6, 17))
