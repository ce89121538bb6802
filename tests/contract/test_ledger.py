"""The ledger's summaries, against every Store implementation: unchanged runs
folded into one row, filters on runs, retention of old summaries, and the
migration that counts repeats."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syndication.store.base import DocumentRecord, RunRecord

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
FINGERPRINT = "f" * 64


def run(
    outcome: str = "unchanged",
    at: datetime = T0,
    *,
    feed_id: str = "alpha",
    **changes: object,
) -> RunRecord:
    base = RunRecord(
        run_id=0,
        feed_id=feed_id,
        started=at,
        finished=at + timedelta(milliseconds=5),
        destination="local",
        outcome=outcome,
        written=5 if outcome == "published" else 0,
        skipped=0 if outcome == "published" else 5,
        failed=0,
        items=2,
        error="",
        trigger="schedule",
        fingerprint=FINGERPRINT,
        state=f"state-{at.isoformat()}",
        edition_at=at,
        prefix=feed_id,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rows(store, feed_id: str = "alpha") -> list[RunRecord]:  # type: ignore[no-untyped-def]
    return store.runs(feed_id, limit=10_000)


def tick(n: int) -> datetime:
    return T0 + timedelta(seconds=10 * n)


def test_a_hundred_unchanged_ticks_add_one_row(store):
    store.record_runs([run("published", tick(0))])
    ids = {store.record_runs([run(at=tick(n))])[0] for n in range(1, 101)}
    assert len(ids) == 1
    summary, published = rows(store)
    assert (published.outcome, published.repeats) == ("published", 1)
    assert summary.run_id in ids
    assert (summary.outcome, summary.repeats) == ("unchanged", 100)
    assert summary.started == tick(1)  # the first of them
    assert summary.finished == tick(100) + timedelta(milliseconds=5)  # the last
    # What the next quick check compares with is the last tick's.
    last = store.last_success("alpha", "local")
    assert last.run_id == summary.run_id
    assert (last.state, last.edition_at) == (
        f"state-{tick(100).isoformat()}",
        tick(100),
    )
    assert last.last_time == summary.finished


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"fingerprint": "e" * 64}, "another edition"),
        ({"trigger": "manual"}, "another trigger"),
        ({"prefix": "replays/alpha"}, "another prefix"),
        ({"error": "quarantined 1 item(s): urn:x v1"}, "another note"),
        ({"destination": "s3"}, "another destination"),
    ],
)
def test_an_unchanged_run_unlike_the_latest_gets_its_own_row(store, change, why):
    store.record_runs([run(at=tick(1))])
    store.record_runs([run(at=tick(2), **change)])
    found = store.runs("alpha", limit=10)
    assert [r.repeats for r in found] == [1, 1], why


def test_runs_that_wrote_or_failed_are_never_folded(store):
    store.record_runs([run(at=tick(1))])
    store.record_runs([run("failed", tick(2), error="destination down")])
    store.record_runs([run(at=tick(3)), run(at=tick(4))])
    store.record_runs([run("published", tick(5)), run("published", tick(6))])
    assert [(r.outcome, r.repeats) for r in rows(store)] == [
        ("published", 1),
        ("published", 1),
        ("unchanged", 2),
        ("failed", 1),
        ("unchanged", 1),
    ]


def test_a_started_run_ending_unchanged_folds_into_the_row_before(store):
    """The full path records a run when it starts (so a failure at any step is
    in the ledger); when it ends unchanged its row goes into the summary."""
    first = store.record_runs([run(at=tick(1))])[0]
    own = store.start_run("alpha", "local", tick(2), "schedule", "alpha")
    kept = store.finish_run(
        own,
        finished=tick(2),
        outcome="unchanged",
        written=0,
        skipped=5,
        failed=0,
        items=2,
        fingerprint=FINGERPRINT,
        state="after-an-ingest",
        edition_at=tick(2),
    )
    assert kept == first
    [summary] = rows(store)
    assert (summary.run_id, summary.repeats, summary.state) == (
        first,
        2,
        "after-an-ingest",
    )


def test_a_started_run_that_withdrew_keeps_its_row(store):
    store.record_runs([run(at=tick(1))])
    own = store.start_run("alpha", "local", tick(2), "schedule", "alpha")
    store.record_documents(
        [
            DocumentRecord(
                own, "alpha", "alpha/items/x/v1.xml", "", 0, "", tick(2), "withdrawn"
            )
        ]
    )
    kept = store.finish_run(
        own,
        finished=tick(2),
        outcome="unchanged",
        written=0,
        skipped=5,
        failed=0,
        items=2,
        fingerprint=FINGERPRINT,
    )
    assert kept == own
    assert [r.repeats for r in rows(store)] == [1, 1]
    # ...and nothing folds into it: it withdrew a document.
    store.record_runs([run(at=tick(3))])
    assert [r.repeats for r in rows(store)] == [1, 1, 1]


def test_a_started_run_is_not_folded_when_another_run_followed_it(store):
    store.record_runs([run(at=tick(1))])
    own = store.start_run("alpha", "local", tick(2), "schedule", "alpha")
    store.record_runs([run("failed", tick(3))])
    kept = store.finish_run(
        own,
        finished=tick(4),
        outcome="unchanged",
        written=0,
        skipped=5,
        failed=0,
        items=2,
        fingerprint=FINGERPRINT,
    )
    assert kept == own
    assert [r.outcome for r in rows(store)] == ["failed", "unchanged", "unchanged"]


def test_runs_filter_by_outcome_and_time(store):
    store.record_runs([run("published", tick(0))])
    store.record_runs([run(at=tick(n)) for n in range(1, 6)])  # one row, 10 s - 50 s
    store.record_runs([run("failed", tick(10))])
    store.record_runs([run("invalid", tick(20), feed_id="beta")])
    assert [r.outcome for r in store.runs(outcomes=["failed", "invalid"])] == [
        "invalid",
        "failed",
    ]
    assert [r.outcome for r in store.runs("alpha", outcomes=["failed"])] == ["failed"]
    # A summary row is found anywhere in its span (started to last end).
    assert [r.outcome for r in store.runs(since=tick(3), until=tick(4))] == [
        "unchanged"
    ]
    assert [r.outcome for r in store.runs(since=tick(6), until=tick(10))] == ["failed"]
    assert [r.outcome for r in store.runs("alpha", until=tick(0))] == ["published"]
    assert [r.feed_id for r in store.runs(since=tick(11))] == ["beta"]
    assert store.runs(since=tick(30)) == []


def test_retention_prunes_old_summaries_only(store):
    old, recent = T0, T0 + timedelta(days=40)
    store.record_runs([run("published", old)])
    store.record_runs([run(at=old + timedelta(seconds=n)) for n in range(1, 4)])
    store.record_runs([run("failed", old + timedelta(minutes=1))])
    store.record_runs([run(at=old + timedelta(minutes=2))])  # old, after a failure
    # A summary with a withdrawal under it is a run that wrote: it stays.
    withdrew = store.start_run("alpha", "local", old, "schedule", "alpha")
    store.record_documents(
        [DocumentRecord(withdrew, "alpha", "alpha/x.xml", "", 0, "", old, "withdrawn")]
    )
    store.finish_run(
        withdrew,
        finished=old + timedelta(minutes=3),
        outcome="unchanged",
        written=0,
        skipped=5,
        failed=0,
        items=2,
        fingerprint=FINGERPRINT,
    )
    store.record_runs([run("published", old, feed_id="beta")])
    store.record_runs([run(at=old + timedelta(seconds=1), feed_id="beta")])  # latest
    store.record_runs([run("published", recent, feed_id="gamma")])
    store.record_runs([run(at=recent + timedelta(seconds=1), feed_id="gamma")])
    deleted = store.prune_unchanged(T0 + timedelta(days=30))
    assert deleted == 2
    assert [(r.outcome, r.repeats) for r in rows(store, "alpha")] == [
        ("unchanged", 1),  # the withdrawal
        ("failed", 1),
        ("published", 1),
    ]
    # Each feed's latest row stays, however old: the next publish compares
    # itself with it.
    assert [r.outcome for r in rows(store, "beta")] == ["unchanged", "published"]
    assert [r.outcome for r in rows(store, "gamma")] == ["unchanged", "published"]
    assert store.prune_unchanged(T0 + timedelta(days=30)) == 0


def test_retention_deletes_in_chunks(store, monkeypatch):
    from syndication.store import ledger

    monkeypatch.setattr(ledger, "PRUNE_CHUNK", 3)
    monkeypatch.setattr("syndication.store.sql.PRUNE_CHUNK", 3)
    # Alternating triggers: ten rows that cannot be folded together.
    store.record_runs(
        [run(at=tick(n), trigger=("schedule", "embargo")[n % 2]) for n in range(10)]
    )
    store.record_runs([run("published", tick(20))])  # the latest, kept
    assert store.prune_unchanged(tick(30)) == 10
    assert [r.outcome for r in rows(store)] == ["published"]


def test_migration_to_0005_keeps_runs_as_single_runs(tmp_path: Path) -> None:
    """A ledger at revision 0004 is upgraded on open: each row stands for one
    run, and the new indexes exist."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, inspect, text

    import syndication.store.migrations as migrations
    from syndication.store import open_store

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(Path(migrations.__file__).parent))
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO publish_runs (feed_id, destination, trigger, started,"
                    " finished, outcome, written, skipped, failed, items, error)"
                    f" VALUES ('alpha', 'local', 'schedule', {n}, {n}, 'unchanged',"
                    " 0, 5, 0, 1, '')"
                )
            )
    engine.dispose()
    store = open_store(url)
    try:
        assert [r.repeats for r in store.runs("alpha")] == [1, 1, 1]
        indexes = {
            index["name"]
            for table in ("published_documents", "edition_items")
            for index in inspect(store.engine).get_indexes(table)  # type: ignore[attr-defined]
        }
        assert {"ix_documents_run", "ix_edition_items_run"} <= indexes
    finally:
        store.close()


def test_the_migrations_build_the_tables_the_code_declares(store_url: str) -> None:
    """Alembic finds no difference between the migrated database and
    tables.py (columns, types, indexes)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from syndication.store import open_store
    from syndication.store import tables as t

    store = open_store(store_url)
    try:
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            context = MigrationContext.configure(conn)
            differences = [
                d
                for d in compare_metadata(context, t.metadata)
                # The scheduler's job table is APScheduler's, not ours.
                if "scheduler_jobs" not in str(d)
            ]
    finally:
        store.close()
    assert differences == []


def test_held_since_is_the_first_write_of_the_bytes_a_key_holds(store):
    """What a destination's face shows as a feed's last update (syndication.face):
    a rewrite of the same bytes (publish --force) is no change; other bytes
    are; a withdrawn key, or one of another feed or destination, is not held."""

    def document(run_id: int, key: str, sha: str, at: datetime, **changes):  # type: ignore[no-untyped-def]
        return DocumentRecord(
            run_id=run_id,
            feed_id=changes.pop("feed_id", "alpha"),
            key=key,
            sha256=sha,
            size=1,
            etag="",
            written=at,
            **changes,
        )

    ids = store.record_runs([run("published", tick(n)) for n in range(5)])
    store.record_documents(
        [
            document(ids[0], "alpha/rss.xml", "a" * 64, tick(0)),
            document(ids[1], "alpha/rss.xml", "b" * 64, tick(1)),
            document(ids[2], "alpha/rss.xml", "b" * 64, tick(2)),  # forced
            document(ids[0], "alpha/atom.xml", "c" * 64, tick(0)),
            document(ids[3], "alpha/atom.xml", "", tick(3), action="withdrawn"),
            document(ids[0], "alpha/newsml.xml", "d" * 64, tick(0)),
            document(ids[3], "alpha/newsml.xml", "", tick(3), action="withdrawn"),
            document(ids[4], "alpha/newsml.xml", "d" * 64, tick(4)),  # back
            document(ids[0], "beta/rss.xml", "e" * 64, tick(0), feed_id="beta"),
        ]
    )
    keys = {
        "alpha": ["alpha/rss.xml", "alpha/atom.xml", "alpha/newsml.xml", "alpha/x"],
        "beta": ["beta/rss.xml"],
        "gamma": [],
    }
    assert store.held_since("local", keys) == {
        "alpha": {"alpha/rss.xml": tick(1), "alpha/newsml.xml": tick(4)},
        "beta": {"beta/rss.xml": tick(0)},
    }
    assert store.held_since("elsewhere", keys) == {}
