"""The Store contract, run against every implementation (SQLite file, PostgreSQL)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from syndication.articles.model import Byline, PubStatus, Role, Subject, Version
from syndication.errors import NotFound, StoreError
from syndication.store import open_store
from syndication.store.base import (
    ArticleFilter,
    Carrier,
    DocumentRecord,
    Selection,
    Touching,
)

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def story(guid: str = "urn:test:1", **changes: object) -> Version:
    base = Version(
        guid=guid,
        headline="Floods displace thousands",
        body="<p>Water rose overnight.</p>",
        version_created=T0,
        first_created=T0,
        bylines=(Byline("Ana Ruiz", Role.REPORTER), Byline("Tom Ode", Role.EDITOR)),
        subjects=(Subject("medtop:06000000", "environment"),),
        keywords=("Floods",),
        language="en",
        urgency=4,
        provider="Test Wire",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_append_numbers_versions_and_keeps_first_created(store):
    first = store.append(story())
    second = store.append(
        story(
            headline="Floods displace 10,000",
            version_created=T0 + timedelta(hours=1),
            first_created=T0 + timedelta(hours=1),
        )
    )
    assert (first.version, first.created) == (1, True)
    assert (second.version, second.created, second.previous) == (2, True, 1)
    latest = store.get("urn:test:1")
    assert latest.version == 2
    assert latest.headline == "Floods displace 10,000"
    assert latest.first_created == T0
    assert store.get("urn:test:1", 1).headline == "Floods displace thousands"
    assert [v.version for v in store.history("urn:test:1")] == [1, 2]


def test_identical_content_is_a_no_op(store):
    store.append(story())
    again = store.append(story(version_created=T0 + timedelta(days=1)))
    assert (again.version, again.created) == (1, False)
    assert len(store.history("urn:test:1")) == 1


def test_round_trip_keeps_every_field(store):
    original = story(
        embargo_until=T0 + timedelta(hours=3),
        ed_note="Corrects the toll",
        is_correction=True,
        summary="Thousands fled",
        slugline="FLOODS",
    )
    store.append(original)
    assert store.get(original.guid) == replace(original, version=1)


def test_missing_article_and_version_raise_not_found(store):
    with pytest.raises(NotFound, match="no article with id 'urn:none'"):
        store.get("urn:none")
    store.append(story())
    with pytest.raises(NotFound, match="has no version 7"):
        store.get("urn:test:1", 7)
    with pytest.raises(NotFound):
        store.history("urn:none")


def test_guids_starting_with_finds_ids_by_their_exact_start(store):
    ids = ["urn:Été:1", "urn:été:2", "urn:été:%_x", "urn:été", "urn:other"]
    store.append_batch([story(guid) for guid in ids])
    assert store.guids_starting_with(["urn:été"]) == sorted(
        ["urn:été:2", "urn:été:%_x", "urn:été"]
    )
    # Exact, case-sensitive, no wildcards: % and _ are plain characters.
    assert store.guids_starting_with(["urn:été:%_"]) == ["urn:été:%_x"]
    assert store.guids_starting_with(["urn:%"]) == []
    assert store.guids_starting_with(["urn:Été:1", "urn:o"]) == [
        "urn:other",
        "urn:Été:1",
    ]
    assert store.guids_starting_with([]) == []


def test_batch_is_all_or_nothing(store):
    good = story("urn:test:good")
    bad = story("urn:test:bad", version_created=datetime(2026, 1, 1))  # naive time
    with pytest.raises((StoreError, ValueError)):
        store.append_batch([good, bad])
    with pytest.raises(NotFound):
        store.get("urn:test:good")


def test_select_latest_usable_newest_first_with_stable_ties(store):
    for n in range(5):
        store.append(
            story(f"urn:test:{n}", version_created=T0 + timedelta(minutes=n // 2))
        )
    got = store.select(Selection(limit=3), T0 + timedelta(hours=1))
    assert [v.guid for v in got] == ["urn:test:4", "urn:test:2", "urn:test:3"]


def test_select_filters(store):
    store.append(story("urn:a", language="fr", urgency=2))
    store.append(
        story(
            "urn:b",
            subjects=(Subject("medtop:16000000", "conflict"),),
            keywords=("war",),
            provider="Other",
        )
    )
    store.append(story("urn:c", urgency=8))
    at = T0 + timedelta(hours=1)

    def ids(**kw: object) -> list[str]:
        return sorted(v.guid for v in store.select(Selection(**kw), at))  # type: ignore[arg-type]

    assert ids(languages=("fr",)) == ["urn:a"]
    assert ids(subjects=("medtop:16000000",)) == ["urn:b"]
    assert ids(keywords=("WAR",)) == ["urn:b"]
    assert ids(providers=("Other",)) == ["urn:b"]
    assert ids(max_urgency=4) == ["urn:a", "urn:b"]
    assert ids(window=timedelta(minutes=30)) == []
    assert ids(window=timedelta(hours=2)) == ["urn:a", "urn:b", "urn:c"]


@pytest.mark.parametrize(
    ("ranges", "expected"),
    [
        (("en",), ["urn:en", "urn:en-gb", "urn:en-us-x"]),
        (("EN",), ["urn:en", "urn:en-gb", "urn:en-us-x"]),
        (("en-GB",), ["urn:en-gb"]),
        (("en-gb-oed",), []),
        (("eng",), ["urn:eng"]),
        (("pt", "fr"), ["urn:pt-br"]),
        (("e",), []),
        (("en_",), []),
        (("%",), []),
    ],
    ids=str,
)
def test_select_languages_by_bcp47_prefix(store, ranges, expected):
    """A range selects the tags equal to it or starting with it and a hyphen,
    in any case (RFC 4647 basic filtering): en selects en-GB, never eng; the
    SQL wildcards % and _ are just characters."""
    for guid, tag in [
        ("urn:en", "en"),
        ("urn:en-gb", "en-GB"),
        ("urn:en-us-x", "EN-us-x-twain"),
        ("urn:eng", "eng"),
        ("urn:pt-br", "pt-BR"),
    ]:
        store.append(story(guid, language=tag))
    at = T0 + timedelta(hours=1)
    got = sorted(v.guid for v in store.select(Selection(languages=ranges), at))
    assert got == expected
    # The one Python reading of the ranges (a feed's language) agrees.
    from syndication.select import language_matches

    tags = {v.guid: v.language for v in store.select(Selection(), at)}
    assert sorted(g for g, t in tags.items() if language_matches(t, ranges)) == got


def test_embargoed_story_is_absent_until_release(store):
    release = T0 + timedelta(hours=2)
    store.append(story(embargo_until=release))
    assert store.select(Selection(), release - timedelta(seconds=1)) == []
    assert [v.guid for v in store.select(Selection(), release)] == ["urn:test:1"]
    assert [v.guid for v in store.pending_embargoes(T0)] == ["urn:test:1"]
    assert store.pending_embargoes(release) == []


def test_kill_leaves_selection_and_appears_as_canceled(store):
    store.append(story())
    killed_at = T0 + timedelta(hours=1)
    store.append(
        story(status=PubStatus.CANCELED, version_created=killed_at, ed_note="Legal")
    )
    assert store.select(Selection(), killed_at) == []
    canceled = store.select_canceled(Selection(), killed_at)
    assert [(v.guid, v.version, v.ed_note) for v in canceled] == [
        ("urn:test:1", 2, "Legal")
    ]
    # As of before the kill, the story was live: replays are exact.
    before = store.select(Selection(), killed_at - timedelta(seconds=1))
    assert [v.version for v in before] == [1]
    assert store.select_canceled(Selection(), killed_at - timedelta(seconds=1)) == []


def test_kill_before_release_reveals_nothing(store):
    release = T0 + timedelta(hours=5)
    store.append(story(embargo_until=release))
    store.append(
        story(
            embargo_until=release,
            status=PubStatus.CANCELED,
            version_created=T0 + timedelta(hours=1),
        )
    )
    assert store.select_canceled(Selection(), T0 + timedelta(hours=2)) == []
    assert store.select(Selection(), T0 + timedelta(hours=2)) == []


def test_correction_replaces_earlier_version(store):
    store.append(story())
    store.append(
        story(
            headline="Corrected",
            is_correction=True,
            version_created=T0 + timedelta(hours=1),
        )
    )
    got = store.select(Selection(), T0 + timedelta(hours=2))
    assert [(v.version, v.headline, v.is_correction) for v in got] == [
        (2, "Corrected", True)
    ]


def test_list_latest_filters(store):
    store.append(story("urn:a"))
    store.append(story("urn:b", headline="Drought", language="es"))
    store.append(
        story("urn:a", status=PubStatus.CANCELED, version_created=T0 + timedelta(1))
    )
    assert [v.guid for v in store.list_latest(ArticleFilter(language="es"))] == [
        "urn:b"
    ]
    assert [v.guid for v in store.list_latest(ArticleFilter(text="drou"))] == ["urn:b"]
    killed = store.list_latest(ArticleFilter(status=PubStatus.CANCELED))
    assert [(v.guid, v.version) for v in killed] == [("urn:a", 2)]


def test_search_is_literal_text(store):
    store.append(story("urn:pct", headline="Turnout at 50% in the north"))
    store.append(story("urn:plain", headline="Turnout at 50 in the south"))
    store.append(story("urn:under", headline="Rename file_name fields"))
    store.append(story("urn:other", headline="Rename fileXname fields"))
    found = store.list_latest(ArticleFilter(text="50%"))
    assert [v.guid for v in found] == ["urn:pct"]
    found = store.list_latest(ArticleFilter(text="file_name"))
    assert [v.guid for v in found] == ["urn:under"]


def test_ledger_records_runs_and_documents(store):
    run = store.start_run("feed-a", "local", T0, "manual")
    store.record_document(
        DocumentRecord(run, "feed-a", "feed-a/rss.xml", "ab" * 32, 10, "e1", T0)
    )
    store.record_document(
        DocumentRecord(run, "feed-a", "feed-a/rss.xml", "cd" * 32, 11, "e2", T0)
    )
    store.finish_run(
        run,
        finished=T0 + timedelta(seconds=1),
        outcome="ok",
        written=2,
        skipped=0,
        failed=0,
        items=3,
    )
    [record] = store.runs("feed-a")
    assert (record.outcome, record.written, record.items, record.trigger) == (
        "ok",
        2,
        3,
        "manual",
    )
    assert record.finished == T0 + timedelta(seconds=1)
    assert store.published("feed-a", "local") == {"feed-a/rss.xml": "cd" * 32}
    assert store.published("feed-a", "s3") == {}
    [(key, document)] = store.published_documents("feed-a", "local").items()
    assert (key, document.sha256, document.size, document.etag, document.run_id) == (
        "feed-a/rss.xml",
        "cd" * 32,
        11,
        "e2",
        run,
    )
    store.record_document(
        DocumentRecord(
            run, "feed-a", "feed-a/rss.xml", "", 0, "", T0, action="withdrawn"
        )
    )
    assert store.published_documents("feed-a", "local") == {}


def test_concurrent_appends_of_one_article_never_collide(store_url):
    """Eight writers append versions of one article: all kept, numbered 1..8."""
    errors: list[BaseException] = []

    def write(n: int) -> None:
        opened = open_store(store_url)
        try:
            opened.append(story(headline=f"Take {n}"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            opened.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checker = open_store(store_url)
    try:
        assert [v.version for v in checker.history("urn:test:1")] == list(range(1, 9))
        # Each writer's version carries the change count its transaction left:
        # eight different counts, so none hides behind another's.
        with checker.engine.connect() as conn:  # type: ignore[attr-defined]
            seqs = conn.execute(text("SELECT stored_seq FROM versions")).scalars()
            assert sorted(seqs) == list(range(1, 9))
    finally:
        checker.close()


def test_reopening_an_existing_store_keeps_data(store_url):
    first = open_store(store_url)
    first.append(story())
    first.close()
    second = open_store(store_url)
    try:
        assert second.get("urn:test:1").version == 1
    finally:
        second.close()


def test_change_count_and_time_events_answer_the_quick_tick(store):
    """What the publisher's quick check asks: how many versions were stored,
    the latest creation or embargo end in a span, and versions created in one."""
    assert store.change_count() == 0
    store.append(story("urn:test:a"))
    store.append(story("urn:test:b", embargo_until=T0 + timedelta(hours=2)))
    store.append(story("urn:test:a"))  # identical: not stored, not counted
    store.append(
        story("urn:test:a", headline="New", version_created=T0 + timedelta(hours=1))
    )
    assert store.change_count() == 3
    assert store.last_event(T0 - timedelta(seconds=1), T0) == T0
    assert store.last_event(T0, T0 + timedelta(minutes=59)) is None
    assert store.last_event(T0, T0 + timedelta(hours=3)) == T0 + timedelta(hours=2)
    assert store.created_between(T0, T0 + timedelta(seconds=1))
    assert not store.created_between(T0 + timedelta(seconds=1), T0 + timedelta(hours=1))


def test_versions_stored_since_a_count_answer_whether_a_feed_is_touched(store):
    """What the quick check asks when the count moved: the time events of the
    versions stored by a count, and whether a later one can touch a feed."""
    store.append(story("urn:test:a"))  # count 1
    store.append(story("urn:test:b", embargo_until=T0 + timedelta(hours=2)))  # 2
    store.append(
        story("urn:test:a", headline="New", version_created=T0 + timedelta(hours=1))
    )  # 3
    span = (T0, T0 + timedelta(hours=3))
    assert store.last_event(*span, stored_by=3) == T0 + timedelta(hours=2)
    assert store.last_event(*span, stored_by=2) == T0 + timedelta(hours=2)
    assert store.last_event(*span, stored_by=1) is None
    assert store.last_event(T0, T0 + timedelta(minutes=90), stored_by=3) == (
        T0 + timedelta(hours=1)
    )
    environment = Selection(subjects=("medtop:06000000",))
    economy = Selection(subjects=("medtop:04000000",))
    carrier = Carrier("feed-a", "local")
    assert store.touched_since(0, environment, carrier)
    assert store.touched_since(2, environment, carrier)
    assert not store.touched_since(3, environment, carrier)
    assert not store.touched_since(0, economy, carrier)
    store.append(
        story("urn:test:c", subjects=(Subject("medtop:04000000", "economy"),))
    )  # 4
    assert store.touched_since(3, economy, carrier)
    assert not store.touched_since(3, environment, carrier)
    # A kill of a, whatever its own fields: a's earlier versions match.
    store.append(
        replace(story("urn:test:a", subjects=()), status=PubStatus.CANCELED)
    )  # 5
    assert store.touched_since(4, environment, carrier)
    assert not store.touched_since(4, economy, carrier)
    # The same answers, every feed at once from what was stored since.
    for since in range(6):
        stored = store.touching(since, limit=100)
        assert stored is not None
        for selection in (environment, economy):
            assert stored.touches(selection, carrier) == store.touched_since(
                since, selection, carrier
            ), (since, selection)
    assert store.touching(0, limit=2) is None  # too many: ask feed by feed
    now = store.change_count()
    assert store.touching(now, limit=2) == Touching((), frozenset())
    # A story the ledger shows the feed carried touches it, whatever its fields.
    run = store.start_run("feed-a", "local", T0, "manual")
    store.record_edition(run, carrier, "feed-a", [("urn:test:c", 1)])
    store.append(story("urn:test:c", headline="Later", subjects=()))
    nothing = Selection(subjects=("medtop:20000000",))
    stored = store.touching(now, limit=100)
    assert stored is not None and stored.touches(nothing, carrier)
    assert store.touched_since(now, nothing, carrier)
    assert not stored.touches(nothing, Carrier("feed-b", "local"))


def test_changes_since_names_what_may_have_moved(store):
    """Versions stored after a change count, or whose creation or embargo end
    falls in the window, with their moment in feeds (shown_at)."""
    store.append(story("urn:test:a"))  # change 1
    store.append(
        story(
            "urn:test:b",
            version_created=T0 + timedelta(hours=5),
            embargo_until=T0 + timedelta(hours=8),
        )
    )  # 2: dated ahead, under embargo
    count = store.change_count()
    assert store.changes_since(count, T0, T0 + timedelta(hours=1)) == []
    assert store.changes_since(1, T0, T0 + timedelta(hours=1)) == [
        ("urn:test:b", T0 + timedelta(hours=8))
    ]
    # Its creation, then its embargo end, pass without anything stored.
    after = T0 + timedelta(hours=1)
    assert [
        g for g, _ in store.changes_since(count, after, after + timedelta(hours=5))
    ] == ["urn:test:b"]
    assert (
        store.changes_since(count, T0 + timedelta(hours=6), T0 + timedelta(hours=7))
        == []
    )
    assert [
        g
        for g, _ in store.changes_since(
            count, T0 + timedelta(hours=7), T0 + timedelta(hours=9)
        )
    ] == ["urn:test:b"]
    store.append(replace(story("urn:test:a"), headline="Corrected"))  # 3
    assert [g for g, _ in store.changes_since(count, T0, T0)] == ["urn:test:a"]
    # At most one of each kind: enough to ask whether anything moved.
    assert len(store.changes_since(0, T0, T0 + timedelta(hours=9), limit=1)) <= 3
    assert store.changes_since(count + 1, T0, T0, limit=1) == []


def test_select_refs_are_the_ids_of_select(store):
    store.append(story("urn:test:a"))
    store.append(story("urn:test:b", version_created=T0 + timedelta(minutes=1)))
    store.append(
        story(
            "urn:test:b",
            status=PubStatus.CANCELED,
            version_created=T0 + timedelta(minutes=2),
        )
    )
    at = T0 + timedelta(hours=1)
    refs, canceled = store.select_refs(Selection(), at)
    assert refs == [(v.guid, v.version) for v in store.select(Selection(), at)]
    assert refs == [("urn:test:a", 1)]
    assert canceled == [("urn:test:b", 2)]
    # decoded once, the same versions come back the second time
    assert store.select(Selection(), at) == store.select(Selection(), at)


def test_select_ranked_among_articles_is_the_selection_restricted(store):
    """With each version's moment, in the selection's order; ``among``
    answers as if the store held only those articles (limit included)."""
    for n in range(5):
        store.append(story(f"urn:test:{n}", version_created=T0 + timedelta(minutes=n)))
    store.append(
        story(
            "urn:test:1",
            status=PubStatus.CANCELED,
            version_created=T0 + timedelta(minutes=9),
        )
    )
    at = T0 + timedelta(hours=1)
    selection = Selection(limit=2)
    usable, canceled = store.select_ranked(selection, at)
    assert [(r.guid, r.version) for r in usable] == store.select_refs(selection, at)[0]
    assert [r.created for r in usable] == [
        T0 + timedelta(minutes=4),
        T0 + timedelta(minutes=3),
    ]
    assert [(r.guid, r.version) for r in canceled] == [("urn:test:1", 2)]
    among = ["urn:test:0", "urn:test:1", "urn:test:2", "urn:test:9"]
    usable, canceled = store.select_ranked(selection, at, among=among)
    assert [r.guid for r in usable] == ["urn:test:2", "urn:test:0"]
    assert [r.guid for r in canceled] == ["urn:test:1"]
    assert store.select_ranked(selection, at, among=[]) == ([], [])


def test_moved_since_names_the_articles_or_gives_up(store):
    store.append(story("urn:test:a"))
    count = store.change_count()
    store.append(story("urn:test:b", embargo_until=T0 + timedelta(hours=3)))
    store.append(story("urn:test:c", version_created=T0 + timedelta(hours=5)))
    assert store.moved_since(count, T0, T0, limit=5) == {"urn:test:b", "urn:test:c"}
    later = store.change_count()
    assert store.moved_since(later, T0, T0 + timedelta(hours=4), limit=5) == {
        "urn:test:b"
    }
    assert store.moved_since(later, T0, T0 + timedelta(hours=6), limit=5) == {
        "urn:test:b",
        "urn:test:c",
    }
    assert store.moved_since(later, T0, T0, limit=5) == frozenset()
    # More than the limit of one kind: no answer.
    assert store.moved_since(0, T0, T0, limit=2) is None


def test_carried_moved_names_the_moved_articles_a_feed_carried(store):
    """Of the articles whose state may have moved (the kinds of
    changes_since), those the ledger shows the feed carried at that
    destination: their shared item documents are judged again."""
    store.append(story("urn:test:a"))
    store.append(story("urn:test:b"))
    store.append(story("urn:test:c", embargo_until=T0 + timedelta(hours=3)))
    carrier = Carrier("feed-a", "local")
    run = store.start_run("feed-a", "local", T0, "manual")
    store.record_edition(run, carrier, "feed-a", [("urn:test:a", 1), ("urn:test:b", 1)])
    other = store.start_run("feed-b", "local", T0, "manual")
    store.record_edition(
        other, Carrier("feed-b", "local"), "feed-b", [("urn:test:c", 1)]
    )
    count = store.change_count()
    assert store.carried_moved(carrier, count, T0, T0) == frozenset()
    store.append(story("urn:test:a", headline="Corrected"))
    store.append(story("urn:test:d"))  # never carried
    assert store.carried_moved(carrier, count, T0, T0) == {"urn:test:a"}
    assert store.carried_moved(carrier, 0, T0, T0) == {"urn:test:a", "urn:test:b"}
    # Elsewhere, or by another feed: not this carrier's.
    assert store.carried_moved(Carrier("feed-a", "s3"), 0, T0, T0) == frozenset()
    feed_b = Carrier("feed-b", "local")
    assert store.carried_moved(feed_b, count, T0, T0) == frozenset()
    # An embargo ending in the window moves c for the feed that carried it.
    later = store.change_count()
    assert store.carried_moved(feed_b, later, T0, T0 + timedelta(hours=4)) == {
        "urn:test:c"
    }


def test_item_verdicts_are_kept_under_their_rules(store):
    """What the gate found valid, by digest, under the rules' digest: asked
    back in one query, recorded twice without error, and dropped when
    verdicts under other rules are written (those rules are gone)."""
    old, new = "a" * 64, "b" * 64
    items = [f"{n:064x}" for n in range(600)]  # more than one query's chunk
    assert store.known_verdicts(old, items) == set()
    store.record_verdicts(old, items[:400])
    store.record_verdicts(old, items[300:])  # overlapping: no error
    assert store.known_verdicts(old, items) == set(items)
    assert store.known_verdicts(new, items) == set()
    store.record_verdicts(new, items[:1])
    assert store.known_verdicts(new, items) == {items[0]}
    assert store.known_verdicts(old, items) == set()


def run_record(feed_id: str, outcome: str, **fields):  # type: ignore[no-untyped-def]
    """A finished run of ``feed_id`` an hour after T0 (``fields`` override)."""
    from syndication.store.base import RunRecord

    at = T0 + timedelta(hours=1)
    values = {
        "run_id": 0,
        "feed_id": feed_id,
        "started": at,
        "finished": at,
        "destination": "local",
        "outcome": outcome,
        "written": 0,
        "skipped": 4,
        "failed": 0,
        "items": 1,
        "error": "",
        "trigger": "schedule",
        "fingerprint": "f" * 64,
        "state": "s" * 64,
        "edition_at": at,
    }
    return RunRecord(**{**values, **fields})


def test_record_runs_and_last_successes(store):
    at = T0 + timedelta(hours=1)
    runs = [
        run_record(feed_id, outcome)
        for feed_id, outcome in (("a", "unchanged"), ("b", "failed"))
    ]
    ids = store.record_runs(runs)
    assert len(ids) == 2 and ids[0] < ids[1]
    found = store.last_successes(["a", "b", "c"], "local")
    assert list(found) == ["a"]
    assert (found["a"].run_id, found["a"].state, found["a"].edition_at) == (
        ids[0],
        "s" * 64,
        at,
    )
    assert store.last_successes(["a"], "s3") == {}


def test_last_successes_of_many_feeds_is_each_feeds_newest_success(store):
    """One statement for hundreds of feeds gives what asking feed by feed would:
    the newest published or unchanged run of that destination, never a replay
    or a failure, whatever the id holds (quotes, commas, non-ASCII)."""
    feeds = [f"feed-{n}" for n in range(300)] + ["it's", 'a,"b"', "café-ü"]
    kinds = [
        ("published", "schedule", "local"),
        ("failed", "schedule", "local"),
        ("unchanged", "replay", "local"),
        ("published", "schedule", "s3"),
        ("unchanged", "manual", "local"),
    ]
    runs = [
        run_record(
            feed_id,
            outcome,
            destination=destination,
            trigger=trigger,
            state=f"{feed_id}-{n}",
            prefix=feed_id,
        )
        # Each feed gets the first few kinds, in order: feed n has n % 6 runs.
        for n, feed_id in enumerate(feeds)
        for outcome, trigger, destination in kinds[: n % 6]
    ]
    ids = store.record_runs(runs)
    expected = {}
    for record, run_id in zip(runs, ids, strict=True):
        if (
            record.destination == "local"
            and record.outcome in ("published", "unchanged")
            and record.trigger != "replay"
        ):
            expected[record.feed_id] = run_id
    found = store.last_successes([*feeds, "nowhere"], "local")
    assert {feed: run.run_id for feed, run in found.items()} == expected
    assert store.last_successes([], "local") == {}
