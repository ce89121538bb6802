"""Item keys back to article ids: a plain segment decodes, a long id's bounded
segment is found in the store by the start it shows."""

from __future__ import annotations

from datetime import UTC, datetime

from syndication.articles.model import Version
from syndication.destinations.base import encode_segment
from syndication.withdraw import item_guids, plan_withdrawals

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def story(guid: str) -> Version:
    return Version(
        guid=guid,
        headline="Headline",
        body="<p>Body.</p>",
        version_created=T0,
        first_created=T0,
    )


def test_bounded_segments_name_the_stored_article(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    long_a, long_b = "é" * 106, "é" * 105 + "x"  # one start shown, two ids
    sqlite_store.append_batch([story(long_a), story(long_b), story("urn:x:1")])
    unknown = encode_segment("é" * 106 + "never stored")
    segments = [encode_segment(g) for g in (long_a, long_b, "urn:x:1", "urn:gone")]
    names = item_guids(sqlite_store, [*segments, unknown])
    assert names == {
        segments[0]: long_a,
        segments[1]: long_b,
        segments[2]: "urn:x:1",
        segments[3]: "urn:gone",  # plain segments decode whether stored or not
    }


def test_an_item_of_no_stored_article_is_withdrawn(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    sqlite_store.append(story("a" * 256))
    kept = f"feed/items/{encode_segment('a' * 256)}/v1.xml"
    stray = f"feed/items/{encode_segment('a' * 255 + 'b')}/v1.xml"
    plan = plan_withdrawals(sqlite_store, "local", "feed", [kept, stray], T0)
    assert [(w.key, w.reason) for w in plan] == [(stray, "not in the store")]
