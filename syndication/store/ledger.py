"""The ledger's summaries: unchanged runs folded into one row, and old summaries
pruned, so a feed ticking every few seconds adds rows only when it writes or
fails (see :meth:`Store.record_runs` and :meth:`Store.prune_unchanged`).

Functions here take a connection inside the caller's transaction; SqlStore
decides the transactions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    delete,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from syndication.store import tables as t

UNCHANGED = "unchanged"
# Rows deleted per transaction when pruning, so writers wait only briefly.
PRUNE_CHUNK = 2_000
# Feeds looked up per query.
_CHUNK = 500


@dataclass(frozen=True)
class UnchangedRun:
    """What an unchanged run brings to the row it is folded into."""

    feed_id: str
    destination: str
    trigger: str
    prefix: str
    fingerprint: str
    error: str
    finished: datetime | None
    state: str
    edition_at: datetime | None
    skipped: int
    items: int


@dataclass(frozen=True)
class LatestRun:
    """What decides whether an unchanged run folds into a row."""

    run_id: int
    outcome: str
    trigger: str
    prefix: str
    fingerprint: str
    error: str
    names_run: bool  # a document or edition item is recorded under it

    def takes(self, run: UnchangedRun) -> bool:
        """Whether ``run`` folds into this row: an unchanged run of the same
        edition, trigger, prefix and note, under which nothing was written."""
        return (
            self.outcome == UNCHANGED
            and not self.names_run
            and (self.trigger, self.prefix, self.fingerprint, self.error)
            == (run.trigger, run.prefix, run.fingerprint, run.error)
        )


def latest_runs(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], LatestRun]:
    """The latest row of each (feed, destination) in ``keys`` that has one, in
    one query per chunk of feeds."""
    r = t.publish_runs
    wanted = set(keys)
    feeds = sorted({feed_id for feed_id, _ in wanted})
    found: dict[tuple[str, str], LatestRun] = {}
    for start in range(0, len(feeds), _CHUNK):
        newest = (
            select(func.max(r.c.run_id))
            .where(r.c.feed_id.in_(feeds[start : start + _CHUNK]))
            .group_by(r.c.feed_id, r.c.destination)
        )
        for row in conn.execute(_latest_query().where(r.c.run_id.in_(newest))):
            if (row.feed_id, row.destination) in wanted:
                found[(row.feed_id, row.destination)] = _latest(row)
    return found


def fold_into(conn: Connection, folds: Mapping[int, tuple[UnchangedRun, int]]) -> None:
    """Fold runs into rows: row id → (the last run folded in, how many), in
    one statement."""
    if not folds:
        return
    r = t.publish_runs
    conn.execute(
        update(r)
        .where(r.c.run_id == bindparam("b_run_id"))
        .values(
            finished=bindparam("b_finished", type_=r.c.finished.type),
            state=bindparam("b_state"),
            edition_at=bindparam("b_edition_at", type_=r.c.edition_at.type),
            skipped=bindparam("b_skipped"),
            items=bindparam("b_items"),
            repeats=r.c.repeats + bindparam("b_count"),
        ),
        [
            {
                "b_run_id": run_id,
                "b_finished": run.finished,
                "b_state": run.state,
                "b_edition_at": run.edition_at,
                "b_skipped": run.skipped,
                "b_items": run.items,
                "b_count": count,
            }
            for run_id, (run, count) in sorted(folds.items())
        ],
    )


def fold_started(conn: Connection, run: UnchangedRun, own_id: int) -> int | None:
    """Fold the run of row ``own_id`` (started with ``start_run``, ending
    unchanged) into the row before it, and delete its own row; the id of the
    row it went into, or None when it cannot fold: its own row must be the
    feed's latest, with nothing recorded under it."""
    r = t.publish_runs
    rows = [
        _latest(row)
        for row in conn.execute(
            _latest_query()
            .where(r.c.feed_id == run.feed_id, r.c.destination == run.destination)
            .order_by(r.c.run_id.desc())
            .limit(2)
        )
    ]
    if len(rows) < 2 or rows[0].run_id != own_id or rows[0].names_run:
        return None
    if not rows[1].takes(run):
        return None
    fold_into(conn, {rows[1].run_id: (run, 1)})
    conn.execute(delete(r).where(r.c.run_id == own_id))
    return rows[1].run_id


def _latest_query() -> Select[Any]:
    r = t.publish_runs
    d, e, a = t.published_documents, t.edition_items, t.archive_periods
    names_run = (
        exists().where(d.c.run_id == r.c.run_id)
        | exists().where(e.c.run_id == r.c.run_id)
        | exists().where(a.c.run_id == r.c.run_id)
    )
    return select(
        r.c.run_id,
        r.c.feed_id,
        r.c.destination,
        r.c.outcome,
        r.c.trigger,
        r.c.prefix,
        r.c.fingerprint,
        r.c.error,
        names_run.label("names_run"),
    )


def _latest(row: Any) -> LatestRun:
    return LatestRun(
        run_id=int(row.run_id),
        outcome=row.outcome,
        trigger=row.trigger,
        prefix=row.prefix,
        fingerprint=row.fingerprint,
        error=row.error,
        names_run=bool(row.names_run),
    )


def run_conditions(
    outcomes: Sequence[str], since: datetime | None, until: datetime | None
) -> list[ColumnElement[bool]]:
    """Conditions on ``publish_runs`` for :meth:`Store.runs`: one of the
    outcomes, and a span (started to last end) meeting [since, until]."""
    r = t.publish_runs
    conditions: list[ColumnElement[bool]] = []
    if outcomes:
        conditions.append(r.c.outcome.in_(sorted(set(outcomes))))
    if since is not None:
        conditions.append(func.coalesce(r.c.finished, r.c.started) >= since)
    if until is not None:
        conditions.append(r.c.started <= until)
    return conditions


def protected_runs(conn: Connection) -> list[int]:
    """Rows pruning keeps whatever their age: each feed's latest row at each
    destination, and its latest successful one (what the next publish compares
    itself with)."""
    r = t.publish_runs
    latest = conn.execute(
        select(func.max(r.c.run_id)).group_by(r.c.feed_id, r.c.destination)
    ).scalars()
    succeeded = conn.execute(
        select(func.max(r.c.run_id))
        .where(r.c.outcome.in_(("published", UNCHANGED)), r.c.trigger != "replay")
        .group_by(r.c.feed_id, r.c.destination)
    ).scalars()
    return sorted({int(i) for i in (*latest, *succeeded) if i is not None})


def prune_chunk(
    conn: Connection, before: datetime, keep: Sequence[int], limit: int
) -> int:
    """Delete up to ``limit`` prunable rows (oldest first); how many were."""
    r = t.publish_runs
    d, e, a = t.published_documents, t.edition_items, t.archive_periods
    conditions: list[Any] = [
        r.c.outcome == UNCHANGED,
        func.coalesce(r.c.finished, r.c.started) < before,
        ~exists().where(d.c.run_id == r.c.run_id),
        ~exists().where(e.c.run_id == r.c.run_id),
        ~exists().where(a.c.run_id == r.c.run_id),
    ]
    if keep:
        conditions.append(r.c.run_id.not_in(list(keep)))
    ids = (
        conn.execute(
            select(r.c.run_id).where(*conditions).order_by(r.c.run_id).limit(limit)
        )
        .scalars()
        .all()
    )
    if not ids:
        return 0
    result = conn.execute(delete(r).where(r.c.run_id.in_(ids), *conditions))
    return int(result.rowcount or 0)
