"""The store's archive queries (RFC 5005 archives) on every backend: which
versions a span holds by the moment each was shown, the latest state of
articles without their text, and the ledger of archive folders."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syndication.articles.model import Distribution, PubStatus, Subject, Version
from syndication.store.base import ArchiveRecord, Carrier, Selection

T0 = datetime(2026, 11, 20, tzinfo=UTC)
DAY = timedelta(days=1)
LABOUR = Subject("medtop:09000000", "labour")
CLIMATE = Subject("medtop:20000418", "climate change")
SELECTION = Selection(subjects=(LABOUR.qcode,), languages=("en",), limit=1)


def story(guid: str, hours: float, **changes: object) -> Version:
    moment = T0 + timedelta(hours=hours)
    base = Version(
        guid=f"urn:test:{guid}",
        headline=f"Story {guid}",
        body="<p>Text.</p>",
        version_created=moment,
        first_created=moment,
        subjects=(LABOUR,),
        language="en-GB",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def refs(store, start: datetime, end: datetime, **options):  # type: ignore[no-untyped-def]
    return [
        (r.guid.removeprefix("urn:test:"), r.version, r.is_kill)
        for r in store.archive_refs(SELECTION, start, end, **options)
    ]


def test_a_span_holds_every_matching_version_shown_in_it(store) -> None:  # type: ignore[no-untyped-def]
    store.append_batch(
        [
            story("a", 1),
            story("b", 2),
            story("c", 3),  # more than the limit of 1: archives take all
            story("other-subject", 4, subjects=(CLIMATE,)),
            story("other-language", 5, language="fr"),
            story("internal", 6, distribution=Distribution.INTERNAL),
            story("held", 7, hold_reason="foreign credit"),
            story("withheld", 8, status=PubStatus.WITHHELD),
            story("next-day", 25),
        ]
    )
    store.append(story("a", 9, headline="Corrected"))  # a's version 2, same day
    assert refs(store, T0, T0 + DAY) == [
        ("a", 2, False),
        ("c", 1, False),
        ("b", 1, False),
        ("a", 1, False),  # superseded since: the planner decides
    ]
    assert refs(store, T0 + DAY, T0 + 2 * DAY) == [("next-day", 1, False)]


def test_an_embargoed_version_is_shown_when_its_embargo_ends(store) -> None:  # type: ignore[no-untyped-def]
    store.append(story("e", 2, embargo_until=T0 + DAY + timedelta(hours=3)))
    assert refs(store, T0, T0 + DAY) == []
    assert refs(store, T0 + DAY, T0 + 2 * DAY) == [("e", 1, False)]
    found = store.archive_refs(SELECTION, T0 + DAY, T0 + 2 * DAY)
    assert found[0].shown_at == T0 + DAY + timedelta(hours=3)
    assert found[0].version_created == T0 + timedelta(hours=2)


def test_the_window_applies_when_a_version_is_shown(store) -> None:  # type: ignore[no-untyped-def]
    window = replace(SELECTION, window=timedelta(hours=12))
    store.append(story("late", 1, embargo_until=T0 + timedelta(hours=20)))
    store.append(story("soon", 2, embargo_until=T0 + timedelta(hours=10)))
    found = store.archive_refs(window, T0, T0 + DAY)
    assert [r.guid for r in found] == ["urn:test:soon"]


def test_kills_of_stories_the_feed_may_have_carried(store) -> None:  # type: ignore[no-untyped-def]
    shown = story("shown", 1)
    never = story("never", 2, embargo_until=T0 + 3 * DAY)
    elsewhere = story("elsewhere", 3, subjects=(CLIMATE,))
    store.append_batch([shown, never, elsewhere])
    kill_at = T0 + DAY + timedelta(hours=1)
    for version in (shown, never, elsewhere):
        store.append(version.killed("Legal", kill_at))
    assert refs(store, T0 + DAY, T0 + 2 * DAY) == [("shown", 2, True)]
    # A story the ledger shows the feed carried gets its kill whatever it said.
    carrier = Carrier("feed", "local")
    run = store.start_run("feed", "local", T0, "manual", "feed")
    store.record_edition(run, carrier, "feed", [("urn:test:elsewhere", 1)])
    assert refs(store, T0 + DAY, T0 + 2 * DAY, carrier=carrier) == [
        ("elsewhere", 2, True),
        ("shown", 2, True),
    ]


def test_latest_states_as_of_a_moment(store) -> None:  # type: ignore[no-untyped-def]
    store.append(story("a", 1))
    store.append(story("a", 30, hold_reason="foreign credit"))
    store.append(story("b", 2, embargo_until=T0 + 2 * DAY))
    before = store.latest_states(
        ["urn:test:a", "urn:test:b", "urn:test:none"], T0 + DAY
    )
    assert set(before) == {"urn:test:a", "urn:test:b"}
    assert (before["urn:test:a"].version, before["urn:test:a"].is_held) == (1, False)
    assert before["urn:test:b"].is_embargoed(T0 + DAY)
    after = store.latest_states(["urn:test:a"], T0 + 2 * DAY)["urn:test:a"]
    assert (after.version, after.is_held, after.is_syndicated) == (2, True, False)
    assert after.version_created == T0 + timedelta(hours=30)


def test_load_versions_names_each_version(store) -> None:  # type: ignore[no-untyped-def]
    store.append(story("a", 1))
    store.append(story("a", 2, headline="Second"))
    loaded = store.load_versions([("urn:test:a", 2), ("urn:test:a", 1), ("x", 1)])
    assert {ref: v.headline for ref, v in loaded.items()} == {
        ("urn:test:a", 1): "Story a",
        ("urn:test:a", 2): "Second",
    }


def test_the_ledger_keeps_each_folders_latest_rendering(store) -> None:  # type: ignore[no-untyped-def]
    store.append(story("a", 1))
    carrier = Carrier("feed", "local")
    first = store.start_run("feed", "local", T0, "manual", "feed")
    store.record_archives(
        first,
        carrier,
        [
            ArchiveRecord("feed/archive/2026-11-20", "f1", (("urn:test:a", 1),)),
            ArchiveRecord("feed/archive/2026-11-19", "g1", ()),
        ],
    )
    second = store.start_run("feed", "local", T0 + DAY, "manual", "feed")
    store.record_archives(
        second, carrier, [ArchiveRecord("feed/archive/2026-11-20", "f2", ())]
    )
    folders = ["feed/archive/2026-11-20", "feed/archive/2026-11-19", "feed/x"]
    assert store.archive_fingerprints("local", folders) == {
        "feed/archive/2026-11-20": "f2",
        "feed/archive/2026-11-19": "g1",
    }
    assert store.archive_fingerprints("s3", folders) == {}
    # The latest rendering held nothing: the earlier items no longer count.
    assert store.archive_contents("local", folders) == {
        "feed/archive/2026-11-20": set(),
        "feed/archive/2026-11-19": set(),
    }
    assert store.carriers("urn:test:a") == [carrier]


def test_a_run_that_recorded_archives_is_kept(store) -> None:  # type: ignore[no-untyped-def]
    """An unchanged run that only recorded archive folders is neither folded
    into the row before it nor pruned (its rows name it)."""
    carrier = Carrier("feed", "local")
    earlier = store.start_run("feed", "local", T0, "manual", "feed")
    store.finish_run(
        earlier,
        finished=T0,
        outcome="unchanged",
        written=0,
        skipped=1,
        failed=0,
        items=0,
    )
    run = store.start_run("feed", "local", T0 + DAY, "manual", "feed")
    store.record_archives(run, carrier, [ArchiveRecord("feed/archive/x", "f", ())])
    kept = store.finish_run(
        run,
        finished=T0 + DAY,
        outcome="unchanged",
        written=0,
        skipped=1,
        failed=0,
        items=0,
    )
    assert kept == run
    store.prune_unchanged(T0 + 100 * DAY)
    assert store.archive_fingerprints("local", ["feed/archive/x"]) == {
        "feed/archive/x": "f"
    }


def test_migration_to_0006_places_stored_versions(tmp_path: Path) -> None:
    """Versions stored before revision 0006 get their moment in feeds: the
    creation, or a later embargo end (not for a kill)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    import syndication.store.migrations as migrations
    from syndication.store import open_store
    from syndication.store.tables import to_micros

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    created, embargo = T0, T0 + DAY
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(Path(migrations.__file__).parent))
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
        for guid, status, until in (
            ("plain", "usable", None),
            ("embargoed", "usable", embargo),
            ("killed", "canceled", embargo),
        ):
            conn.execute(
                text(
                    "INSERT INTO articles (guid, first_created, latest_version,"
                    " latest_hash) VALUES (:guid, :created, 1, 'h')"
                ),
                {"guid": guid, "created": to_micros(created)},
            )
            conn.execute(
                text(
                    "INSERT INTO versions (guid, version, content_hash, headline,"
                    " status, language, urgency, provider, embargo_until,"
                    " version_created, is_correction, document) VALUES (:guid, 1,"
                    " 'h', 'H', :status, 'en', 5, '', :until, :created, false, '{}')"
                ),
                {
                    "guid": guid,
                    "status": status,
                    "until": to_micros(until) if until else None,
                    "created": to_micros(created),
                },
            )
    engine.dispose()
    store = open_store(url)
    try:
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            shown = dict(
                conn.execute(text("SELECT guid, shown_at FROM versions")).all()
            )
    finally:
        store.close()
    assert shown == {
        "plain": to_micros(created),
        "embargoed": to_micros(embargo),
        "killed": to_micros(created),
    }


def test_a_version_replaced_before_it_was_shown_is_no_candidate(store) -> None:  # type: ignore[no-untyped-def]
    """A story killed (or corrected) while still under embargo never appeared:
    no archive holds it, not even as a kill notice."""
    embargoed = story("e", 1, embargo_until=T0 + timedelta(hours=5))
    store.append(embargoed)
    store.append(embargoed.killed("Legal", T0 + timedelta(hours=2)))
    assert refs(store, T0, T0 + DAY) == []
    corrected = story("c", 1, embargo_until=T0 + timedelta(hours=5))
    store.append(corrected)
    store.append(story("c", 2, headline="Fixed", embargo_until=T0 + timedelta(hours=5)))
    assert refs(store, T0, T0 + DAY) == [("c", 2, False)]
