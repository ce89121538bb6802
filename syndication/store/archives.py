"""The store's queries for RFC 5005 archives (see :mod:`syndication.archive`).

Which versions fall in an archive span (by ``versions.shown_at``, revision
0006), the latest state of articles without their text, and the ledger of
archive folders (``archive_periods``, with their items in ``edition_items``
under the folder's prefix). :class:`~syndication.store.sql.SqlStore` opens the
connections and passes the selection's conditions, which stay the store's one
rule (``sql._matches``, ``sql._may_have_carried``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, func, insert, select
from sqlalchemy.sql.elements import ColumnElement

from syndication.articles.model import Distribution, PubStatus
from syndication.store import tables as t
from syndication.store.base import ArchiveRecord, ArchiveRef, Carrier, VersionState

# Ids or folders looked up per query.
_CHUNK = 500


def archive_refs(
    conn: Connection,
    start: datetime,
    end: datetime,
    shown: Sequence[ColumnElement[bool]],
    killed: Sequence[ColumnElement[bool]],
) -> list[ArchiveRef]:
    """The versions whose ``shown_at`` is in [``start``, ``end``) and that meet
    ``shown`` (versions feeds carry) or ``killed`` (kill notices), newest
    first (shown_at, then guid and version)."""
    v = t.versions
    span = and_(v.c.shown_at >= start, v.c.shown_at < end)
    query = (
        select(
            v.c.guid,
            v.c.version,
            v.c.version_created,
            v.c.shown_at,
            v.c.status,
        )
        .where(span, and_(*shown) | and_(*killed))
        .order_by(v.c.shown_at.desc(), v.c.guid, v.c.version)
    )
    return [
        ArchiveRef(
            guid=row.guid,
            version=row.version,
            version_created=row.version_created,
            shown_at=row.shown_at,
            is_kill=row.status == PubStatus.CANCELED.value,
        )
        for row in conn.execute(query)
    ]


def latest_states(
    conn: Connection, guids: Sequence[str], latest: Sequence[ColumnElement[bool]]
) -> dict[str, VersionState]:
    """The version of each of ``guids`` that meets ``latest`` (the store's
    conditions of an article's latest version at a moment), without text."""
    v = t.versions
    found: dict[str, VersionState] = {}
    unique = sorted(set(guids))
    for first in range(0, len(unique), _CHUNK):
        query = select(
            v.c.guid,
            v.c.version,
            v.c.version_created,
            v.c.status,
            v.c.embargo_until,
            v.c.distribution,
            v.c.is_held,
        ).where(v.c.guid.in_(unique[first : first + _CHUNK]), *latest)
        for row in conn.execute(query):
            found[row.guid] = VersionState(
                guid=row.guid,
                version=row.version,
                version_created=row.version_created,
                status=PubStatus(row.status),
                embargo_until=row.embargo_until,
                distribution=Distribution(row.distribution),
                is_held=bool(row.is_held),
            )
    return found


def record_archives(
    conn: Connection, run_id: int, carrier: Carrier, records: Sequence[ArchiveRecord]
) -> None:
    """One ``archive_periods`` row per folder, and its items as edition items
    of the run under the folder's prefix."""
    if not records:
        return
    conn.execute(
        insert(t.archive_periods),
        [
            {
                "run_id": run_id,
                "feed_id": carrier.feed_id,
                "destination": carrier.destination,
                "folder": record.folder,
                "fingerprint": record.fingerprint,
            }
            for record in records
        ],
    )
    items = [
        {
            "run_id": run_id,
            "feed_id": carrier.feed_id,
            "destination": carrier.destination,
            "prefix": record.folder,
            "guid": guid,
            "version": version,
        }
        for record in records
        for guid, version in sorted(set(record.refs))
    ]
    if items:
        conn.execute(insert(t.edition_items), items)


def archive_fingerprints(
    conn: Connection, destination: str, folders: Sequence[str]
) -> dict[str, str]:
    """Each known folder's latest fingerprint."""
    return {
        folder: fingerprint
        for folder, (_, fingerprint) in _latest(conn, destination, folders).items()
    }


def archive_contents(
    conn: Connection, destination: str, folders: Sequence[str]
) -> dict[str, set[tuple[str, int]]]:
    """Each known folder's items and kills as its latest rendering held them."""
    e = t.edition_items
    found: dict[str, set[tuple[str, int]]] = {}
    for folder, (run_id, _) in _latest(conn, destination, folders).items():
        rows = conn.execute(
            select(e.c.guid, e.c.version).where(
                e.c.destination == destination,
                e.c.prefix == folder,
                e.c.run_id == run_id,
            )
        )
        found[folder] = {(row.guid, row.version) for row in rows}
    return found


def _latest(
    conn: Connection, destination: str, folders: Sequence[str]
) -> dict[str, tuple[int, str]]:
    """folder → (run id, fingerprint) of its latest ``archive_periods`` row."""
    a = t.archive_periods
    unique = sorted(set(folders))
    found: dict[str, tuple[int, str]] = {}
    for first in range(0, len(unique), _CHUNK):
        latest = (
            select(func.max(a.c.id).label("id"))
            .where(
                a.c.destination == destination,
                a.c.folder.in_(unique[first : first + _CHUNK]),
            )
            .group_by(a.c.folder)
            .subquery()
        )
        rows = conn.execute(
            select(a.c.folder, a.c.run_id, a.c.fingerprint).join(
                latest, latest.c.id == a.c.id
            )
        )
        for row in rows:
            found[row.folder] = (int(row.run_id), row.fingerprint)
    return found
