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


def test_checked_keys_ask_only_about_what_may_have_changed(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    """After a run, only keys of articles with a version stored since (or
    dated to pass since), keys not seen then, and replay and archive keys
    are asked about again; a kill of a known article is among them."""
    from dataclasses import replace
    from datetime import timedelta

    from syndication.articles.model import PubStatus
    from syndication.withdraw import CheckedKeys

    for guid in ("urn:x:1", "urn:x:2", "urn:x:3"):
        sqlite_store.append(story(guid))
    keys = {f"feed/items/{encode_segment(g)}/v1.xml" for g in ("urn:x:1", "urn:x:2")}
    folders = {"feed/archive/2026-06-01/rss.xml", "feed/replay/20260601T0800Z/rss.xml"}
    where = ("feed", "local", "feed")
    checked = CheckedKeys()
    later = T0 + timedelta(hours=1)
    assert set(checked.to_check(sqlite_store, where, keys | folders, later).keys) == (
        keys | folders
    )
    checked.remember(where, keys | folders, sqlite_store.change_count(), later)
    # Nothing changed: only the folders' keys.
    again = checked.to_check(sqlite_store, where, keys | folders, later)
    assert set(again.keys) == folders
    # A kill of urn:x:1, and a key never seen (urn:x:3's).
    sqlite_store.append(
        replace(story("urn:x:1"), status=PubStatus.CANCELED, version_created=later)
    )
    new = f"feed/items/{encode_segment('urn:x:3')}/v1.xml"
    asked = checked.to_check(sqlite_store, where, keys | folders | {new}, later).keys
    killed = f"feed/items/{encode_segment('urn:x:1')}/v1.xml"
    assert set(asked) == folders | {killed, new}
    plan = plan_withdrawals(sqlite_store, "local", "feed", asked, later)
    assert [w.key for w in plan if "items/" in w.key] == [killed]
    # A version dated ahead counts once its moment passes.
    sqlite_store.append(
        replace(
            story("urn:x:2"),
            status=PubStatus.CANCELED,
            version_created=later + timedelta(hours=2),
        )
    )
    checked.remember(where, keys | folders, sqlite_store.change_count(), later)
    assert set(checked.to_check(sqlite_store, where, keys, later).keys) == set()
    two = f"feed/items/{encode_segment('urn:x:2')}/v1.xml"
    ahead = later + timedelta(hours=3)
    assert set(checked.to_check(sqlite_store, where, keys, ahead).keys) == {two}
