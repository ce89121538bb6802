"""The store's write transaction (SQLAlchemy's Engine.begin): committed when the
block ends, rolled back when it raises, and on SQLite holding the write lock
from BEGIN (BEGIN IMMEDIATE), so a second writer waits instead of failing
half-way; reads take no lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import AT
from sqlalchemy import insert, select

from syndication.store import open_store
from syndication.store import tables as t


def runs(store) -> list[str]:  # type: ignore[no-untyped-def]
    with store._read() as conn:
        rows = conn.execute(select(t.publish_runs.c.feed_id))
        return [row.feed_id for row in rows]


def test_a_write_commits_at_the_end_and_rolls_back_on_error(store_url: str) -> None:
    store = open_store(store_url)
    try:
        store.start_run("kept", "local", AT, "manual")
        with pytest.raises(RuntimeError, match="half-way"), store._write() as conn:
            row = {"trigger": "manual", "started": AT, "outcome": "running"}
            conn.execute(
                insert(t.publish_runs).values(feed_id="lost", destination="x", **row)
            )
            assert "lost" in [r.feed_id for r in conn.execute(select(t.publish_runs))]
            raise RuntimeError("half-way")
        assert runs(store) == ["kept"]
    finally:
        store.close()


def test_a_sqlite_write_holds_the_write_lock_from_begin(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = open_store(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        # Nothing written yet, and still another writer cannot begin.
        with store._write(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        with store._read() as conn:
            conn.execute(select(t.publish_runs.c.feed_id)).all()
            other.execute("BEGIN IMMEDIATE")  # a read takes no write lock
            other.execute("ROLLBACK")
    finally:
        other.close()
        store.close()
