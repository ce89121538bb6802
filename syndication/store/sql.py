"""SqlStore: the Store over SQLAlchemy Core, for SQLite files and PostgreSQL.

Writes are single transactions (an article version, its subjects and keywords and
the head index are stored together or not at all). SQLite runs in WAL mode and
takes the write lock at BEGIN (``BEGIN IMMEDIATE``) so two writers queue instead of
failing half-way; PostgreSQL serialises writers of one article with ``FOR UPDATE``.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cachetools import LRUCache
from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    type_coerce,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from syndication.articles.model import (
    Distribution,
    PubStatus,
    Version,
    version_from_dict,
    version_to_dict,
)
from syndication.errors import NotFound, StoreError
from syndication.memory import cache_entries
from syndication.store import archives
from syndication.store import tables as t
from syndication.store.base import (
    AppendResult,
    ArchiveRecord,
    ArchiveRef,
    ArticleFilter,
    Carrier,
    DocumentRecord,
    RankedRef,
    RunRecord,
    Selection,
    Touching,
    VersionState,
    language_ranges,
)
from syndication.store.ledger import (
    PRUNE_CHUNK,
    UNCHANGED,
    LatestRun,
    UnchangedRun,
    fold_into,
    fold_started,
    latest_runs,
    protected_runs,
    prune_chunk,
    run_conditions,
)

log = logging.getLogger(__name__)

# Article ids looked up per query when a batch is appended.
_LOOKUP_CHUNK = 500
# Decoded versions kept per store (about 7 KB each for a 5 KB body): as many
# as credit.ITEM_CACHE_SIZE, since the items hold the same versions; a
# smaller cache decoded the 2,500 versions of the 21 feeds one new story
# touches at 50,000 articles again at every tick (80 ms).
DECODED_CACHE_SIZE = 3072
_MIGRATION_LOCK_ID = 0x5359_4E44  # "SYND": serialises schema upgrades on PostgreSQL


def engine_url(url: str) -> str:
    """Map a plain ``postgresql://`` URL to the psycopg 3 driver we ship."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, immediate: bool = False) -> Engine:
    """An Engine for ``url`` with the connection settings the store relies on.

    On SQLite, ``immediate`` makes every transaction take the write lock at
    BEGIN. Code that reads then writes in one transaction without saying so
    (APScheduler's job store creating its table, say) would otherwise fail at
    once with "database is locked" when another process wrote in between.
    """
    real_url = engine_url(url)
    if real_url.startswith("sqlite"):
        engine = create_engine(real_url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # SQLAlchemy's pysqlite recipe: the driver's own BEGIN is off, and
            # the "begin" event below issues BEGIN (IMMEDIATE for writes).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            take_lock = immediate or connection.get_execution_options().get(
                "immediate", False
            )
            connection.exec_driver_sql("BEGIN IMMEDIATE" if take_lock else "BEGIN")

        return engine
    return create_engine(real_url, pool_pre_ping=True)


class SqlStore:
    """The article store and publish ledger on SQLite or PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        # (guid, version) → Version: a stored version never changes, so
        # selections reuse what an earlier one decoded (least recently used
        # dropped first). Shared by the publisher's threads: used under the lock.
        self._decoded: LRUCache[tuple[str, int], Version] = LRUCache(
            cache_entries(DECODED_CACHE_SIZE)
        )
        self._decoded_lock = threading.Lock()
        # The rules whose verdicts alone are kept (others dropped once).
        self._verdicts_rules = ""
        try:
            self.engine = make_engine(url)
            self.is_postgres = self.engine.dialect.name == "postgresql"
            self._ensure_schema()
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot open store {_safe_url(url)}: {error_reason(exc)}"
            ) from exc

    # -- schema -------------------------------------------------------------

    def _ensure_schema(self) -> None:
        from syndication.store.migrations.versions import HEAD_REVISION

        if self._stored_revision() == HEAD_REVISION:
            return  # current: Alembic (~0.1 s to import) is not needed
        from syndication.store.migrations import current_revision, upgrade

        with self._write() as conn:
            if self.is_postgres:
                conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_ID)))
            revision = current_revision(conn)
            if revision != HEAD_REVISION:
                log.info(
                    "migrating store %s from %s to %s",
                    _safe_url(self.url),
                    revision or "empty",
                    HEAD_REVISION,
                )
                upgrade(conn)

    def _stored_revision(self) -> str | None:
        """The schema revision Alembic recorded, None when there is none."""
        try:
            with self._read() as conn:
                value = conn.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar()
        except SQLAlchemyError:
            return None  # a new database: no table yet
        return None if value is None else str(value)

    def _write(self) -> AbstractContextManager[Connection]:
        """A connection in a write transaction, committed when the block ends
        and rolled back if it raises (SQLAlchemy's ``Engine.begin``); the
        ``immediate`` option makes it ``BEGIN IMMEDIATE`` on SQLite."""
        return self.engine.execution_options(immediate=True).begin()

    # -- articles -----------------------------------------------------------

    def append(self, version: Version, *, match_history: bool = False) -> AppendResult:
        return self.append_batch([version], match_history=match_history)[0]

    def append_batch(
        self, versions: Sequence[Version], *, match_history: bool = False
    ) -> list[AppendResult]:
        for attempt in range(3):
            try:
                with self._write() as conn:
                    return self._append_all(conn, versions, match_history)
            except IntegrityError as exc:
                # Two writers created the same new article at once (PostgreSQL):
                # the loser retries and now sees the winner's head row.
                if attempt == 2:
                    raise StoreError(
                        f"could not store articles: {error_reason(exc)}"
                    ) from exc
            except SQLAlchemyError as exc:
                raise StoreError(
                    f"could not store articles: {error_reason(exc)}"
                ) from exc
        raise AssertionError("unreachable")

    def _append_all(
        self, conn: Connection, versions: Sequence[Version], match_history: bool
    ) -> list[AppendResult]:
        """Store ``versions`` in order, as appending them one by one would, with
        one lookup of the heads and one multi-row statement per table. With
        ``match_history``, content equal to any stored version of the article
        (not only the latest) is a no-op that names that version."""
        a = t.articles
        heads: dict[str, _Head] = {}
        guids = sorted({v.guid for v in versions})
        earlier: dict[tuple[str, str], int] = {}
        if match_history:
            earlier = self._stored_hashes(conn, guids)
        for start in range(0, len(guids), _LOOKUP_CHUNK):
            query = select(a).where(a.c.guid.in_(guids[start : start + _LOOKUP_CHUNK]))
            if self.is_postgres:
                query = query.with_for_update()
            for row in conn.execute(query):
                heads[row.guid] = _Head(
                    row.first_created, row.latest_version, row.latest_hash, True
                )
        results: list[AppendResult] = []
        version_rows: list[dict[str, Any]] = []
        subject_rows: list[dict[str, Any]] = []
        keyword_rows: list[dict[str, Any]] = []
        for version in versions:
            content_hash = version.content_hash()
            head = heads.get(version.guid)
            if head is not None and head.latest_hash == content_hash:
                number = head.latest_version
                results.append(AppendResult(version.guid, number, False, number))
                continue
            matched = earlier.get((version.guid, content_hash))
            if matched is not None and head is not None:
                results.append(
                    AppendResult(version.guid, matched, False, head.latest_version)
                )
                continue
            number = 1 if head is None else head.latest_version + 1
            first_created = (
                version.first_created if head is None else head.first_created
            )
            stored = version.with_number(number, first_created)
            heads[version.guid] = _Head(
                first_created, number, content_hash, head is not None and head.stored
            )
            version_rows.append(
                {
                    "guid": version.guid,
                    "version": number,
                    "content_hash": content_hash,
                    "headline": version.headline,
                    "status": version.status.value,
                    "language": version.language,
                    "urgency": version.urgency,
                    "provider": version.provider,
                    "embargo_until": version.embargo_until,
                    "version_created": version.version_created,
                    "shown_at": version.shown_at,
                    "is_correction": version.is_correction,
                    "distribution": version.distribution.value,
                    "is_held": version.is_held,
                    "document": json.dumps(
                        version_to_dict(stored), sort_keys=True, ensure_ascii=False
                    ),
                }
            )
            subject_rows += [
                {"guid": version.guid, "version": number, "qcode": q}
                for q in sorted({s.qcode for s in version.subjects})
            ]
            keyword_rows += [
                {"guid": version.guid, "version": number, "keyword": k}
                for k in sorted({k.lower() for k in version.keywords})
            ]
            previous = None if head is None else head.latest_version
            if match_history:
                earlier[(version.guid, content_hash)] = number
            results.append(AppendResult(version.guid, number, True, previous))
        if not version_rows:
            return results
        touched = {row["guid"] for row in version_rows}
        new = [
            {
                "guid": guid,
                "first_created": heads[guid].first_created,
                "latest_version": heads[guid].latest_version,
                "latest_hash": heads[guid].latest_hash,
            }
            for guid in sorted(touched)
            if not heads[guid].stored
        ]
        changed = [
            {
                "b_guid": guid,
                "b_version": heads[guid].latest_version,
                "b_hash": heads[guid].latest_hash,
            }
            for guid in sorted(touched)
            if heads[guid].stored
        ]
        if new:
            conn.execute(insert(a), new)
        if changed:
            conn.execute(
                update(a)
                .where(a.c.guid == bindparam("b_guid"))
                .values(
                    latest_version=bindparam("b_version"),
                    latest_hash=bindparam("b_hash"),
                ),
                changed,
            )
        # The change counter last but for the versions, which carry its new
        # value, so PostgreSQL holds the counter row briefly; a concurrent
        # writer waits for it and gets the next value: versions stored after
        # a reader saw the count C all carry more than C.
        seq = _count_changes(conn, len(version_rows))
        conn.execute(
            insert(t.versions), [{**row, "stored_seq": seq} for row in version_rows]
        )
        if subject_rows:
            conn.execute(insert(t.version_subjects), subject_rows)
        if keyword_rows:
            conn.execute(insert(t.version_keywords), keyword_rows)
        return results

    def _stored_hashes(
        self, conn: Connection, guids: Sequence[str]
    ) -> dict[tuple[str, str], int]:
        """(guid, content hash) → the first version with that content."""
        v = t.versions
        found: dict[tuple[str, str], int] = {}
        for start in range(0, len(guids), _LOOKUP_CHUNK):
            rows = conn.execute(
                select(v.c.guid, v.c.version, v.c.content_hash)
                .where(v.c.guid.in_(guids[start : start + _LOOKUP_CHUNK]))
                .order_by(v.c.guid, v.c.version.desc())
            )
            for row in rows:
                found[(row.guid, row.content_hash)] = row.version
        return found

    def latest_many(self, guids: Sequence[str]) -> dict[str, Version]:
        a, v = t.articles, t.versions
        found: dict[str, Version] = {}
        unique = sorted(set(guids))
        with self._read() as conn:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                query = (
                    select(v.c.document)
                    .join(
                        a,
                        and_(a.c.guid == v.c.guid, a.c.latest_version == v.c.version),
                    )
                    .where(a.c.guid.in_(unique[start : start + _LOOKUP_CHUNK]))
                )
                for row in conn.execute(query):
                    version = _load(row.document)
                    found[version.guid] = version
        return found

    def latest_as_of(self, guids: Sequence[str], at: datetime) -> dict[str, Version]:
        v = t.versions
        found: dict[str, Version] = {}
        unique = sorted(set(guids))
        with self._read() as conn:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                query = select(v.c.document).where(
                    v.c.guid.in_(unique[start : start + _LOOKUP_CHUNK]),
                    *_latest_at(v, at),
                )
                for row in conn.execute(query):
                    version = _load(row.document)
                    found[version.guid] = version
        return found

    def get(self, guid: str, version: int | None = None) -> Version:
        v = t.versions
        query = select(v.c.document).where(v.c.guid == guid)
        if version is None:
            query = query.order_by(v.c.version.desc()).limit(1)
        else:
            query = query.where(v.c.version == version)
        with self._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            if version is None:
                raise NotFound(f"no article with id {guid!r}")
            raise NotFound(f"article {guid!r} has no version {version}")
        return _load(row.document)

    def history(self, guid: str) -> list[Version]:
        v = t.versions
        with self._read() as conn:
            rows = conn.execute(
                select(v.c.document).where(v.c.guid == guid).order_by(v.c.version)
            ).all()
        if not rows:
            raise NotFound(f"no article with id {guid!r}")
        return [_load(r.document) for r in rows]

    def list_latest(self, article_filter: ArticleFilter) -> list[Version]:
        v, a = t.versions, t.articles
        query = select(v.c.document).join(
            a, and_(a.c.guid == v.c.guid, a.c.latest_version == v.c.version)
        )
        f = article_filter
        if f.status is not None:
            query = query.where(v.c.status == f.status.value)
        if f.language:
            query = query.where(v.c.language == f.language)
        if f.since is not None:
            query = query.where(v.c.version_created >= f.since)
        if f.subject:
            query = query.where(_has_subject(v, (f.subject,)))
        if f.text:
            # The search is literal text: % and _ match only themselves.
            query = query.where(v.c.headline.icontains(f.text, autoescape=True))
        query = query.order_by(v.c.version_created.desc(), v.c.guid).limit(f.limit)
        with self._read() as conn:
            return [_load(r.document) for r in conn.execute(query)]

    def select(self, selection: Selection, at: datetime) -> list[Version]:
        return self._select_versions(selection, at, PubStatus.USABLE, None)

    def select_canceled(
        self, selection: Selection, at: datetime, *, carrier: Carrier | None = None
    ) -> list[Version]:
        return self._select_versions(selection, at, PubStatus.CANCELED, carrier)

    def matching_versions(
        self, guid: str, selection: Selection, at: datetime | None
    ) -> list[int]:
        v = t.versions
        window = [] if at is None else _within(v, selection, at)
        query = (
            select(v.c.version)
            .where(v.c.guid == guid)
            .where(*_matches(v, selection), *window)
            .order_by(v.c.version)
        )
        with self._read() as conn:
            return [row.version for row in conn.execute(query)]

    def _select_versions(
        self,
        selection: Selection,
        at: datetime,
        status: PubStatus,
        carrier: Carrier | None,
    ) -> list[Version]:
        """The selection's ids first; then only the versions not decoded yet
        (feeds overlap, and a stored version never changes)."""
        with self._read() as conn:
            refs = self._refs(conn, selection, at, status, carrier)
            found = self._versions(conn, refs)
        return [found[ref] for ref in refs if ref in found]

    def load_versions(
        self, refs: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], Version]:
        with self._read() as conn:
            return self._versions(conn, refs)

    def _versions(
        self, conn: Connection, refs: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], Version]:
        """The versions ``refs`` name: those decoded before from the cache
        (a stored version never changes), the others from the database."""
        v = t.versions
        with self._decoded_lock:
            cached = {ref: self._decoded.get(ref) for ref in refs}
        found = {ref: version for ref, version in cached.items() if version is not None}
        missing = sorted(ref for ref, version in cached.items() if version is None)
        for first in range(0, len(missing), _LOOKUP_CHUNK):
            # By guid (the primary key's first column, so an index search;
            # a (guid, version) IN list makes SQLite scan the table), then
            # only the wanted version of each.
            wanted = set(missing[first : first + _LOOKUP_CHUNK])
            rows = conn.execute(
                select(v.c.guid, v.c.version, v.c.document).where(
                    v.c.guid.in_(sorted({guid for guid, _ in wanted}))
                )
            )
            loaded = {
                (r.guid, r.version): _load(r.document)
                for r in rows
                if (r.guid, r.version) in wanted
            }
            found.update(loaded)
            self._remember(loaded)
        return found

    def _remember(self, loaded: dict[tuple[str, int], Version]) -> None:
        with self._decoded_lock:
            self._decoded.update(loaded)

    def latest_states(
        self, guids: Sequence[str], at: datetime
    ) -> dict[str, VersionState]:
        with self._read() as conn:
            return archives.latest_states(conn, guids, _latest_at(t.versions, at))

    def archive_refs(
        self,
        selection: Selection,
        start: datetime,
        end: datetime,
        *,
        carrier: Carrier | None = None,
    ) -> list[ArchiveRef]:
        v = t.versions
        shown = [
            v.c.status == PubStatus.USABLE.value,
            v.c.distribution == Distribution.SYNDICATE.value,
            v.c.is_held.is_(False),
            *_matches(v, selection),
            *_within_when_shown(v, selection),
            # Never shown when a later version came first (a story killed
            # or corrected while still under embargo).
            ~_superseded(v, v.c.shown_at),
        ]
        killed = [
            v.c.status == PubStatus.CANCELED.value,
            _may_have_carried(v, selection, carrier),
        ]
        with self._read() as conn:
            return archives.archive_refs(conn, start, end, shown, killed)

    def record_archives(
        self, run_id: int, carrier: Carrier, records: Sequence[ArchiveRecord]
    ) -> None:
        with self._write() as conn:
            archives.record_archives(conn, run_id, carrier, records)

    def archive_fingerprints(
        self, destination: str, folders: Sequence[str]
    ) -> dict[str, str]:
        with self._read() as conn:
            return archives.archive_fingerprints(conn, destination, folders)

    def archive_contents(
        self, destination: str, folders: Sequence[str]
    ) -> dict[str, set[tuple[str, int]]]:
        with self._read() as conn:
            return archives.archive_contents(conn, destination, folders)

    def select_refs(
        self, selection: Selection, at: datetime, *, carrier: Carrier | None = None
    ) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        usable, canceled = self.select_ranked(selection, at, carrier=carrier)
        return (
            [(r.guid, r.version) for r in usable],
            [(r.guid, r.version) for r in canceled],
        )

    def select_ranked(
        self,
        selection: Selection,
        at: datetime,
        *,
        carrier: Carrier | None = None,
        among: Sequence[str] | None = None,
    ) -> tuple[list[RankedRef], list[RankedRef]]:
        if among is not None and not among:
            return [], []
        v = t.versions
        columns = (v.c.version_created, v.c.guid, v.c.version)
        found: list[list[RankedRef]] = []
        with self._read() as conn:
            indexed = among is None
            for query in (
                self._selection(selection, at, *columns, by_status=indexed),
                self._kills(selection, at, carrier, *columns, by_status=indexed),
            ):
                if among is not None:
                    # Ordered here: with the order and limit, SQLite would
                    # walk every version by moment for a handful of articles.
                    query = query.order_by(None).limit(None)
                    query = query.where(v.c.guid.in_(sorted(set(among))))
                refs = [
                    RankedRef(row.version_created, row.guid, row.version)
                    for row in conn.execute(query)
                ]
                if among is not None:
                    refs.sort(key=lambda ref: ref.guid)
                    refs.sort(key=lambda ref: ref.created, reverse=True)
                    refs = refs[: selection.limit]
                found.append(refs)
        return found[0], found[1]

    def moved_since(
        self, changes: int, after: datetime, until: datetime, *, limit: int
    ) -> frozenset[str] | None:
        v = t.versions
        moved: set[str] = set()
        with self._read() as conn:
            for condition in _moved(v, changes, after, until):
                rows = conn.execute(
                    select(v.c.guid).where(condition).limit(limit + 1)
                ).all()
                if len(rows) > limit:
                    return None
                moved.update(row.guid for row in rows)
        return frozenset(moved)

    def _refs(
        self,
        conn: Connection,
        selection: Selection,
        at: datetime,
        status: PubStatus,
        carrier: Carrier | None,
    ) -> list[tuple[str, int]]:
        v = t.versions
        if status is PubStatus.CANCELED:
            query = self._kills(selection, at, carrier, v.c.guid, v.c.version)
        else:
            query = self._selection(selection, at, v.c.guid, v.c.version)
        return [(row.guid, row.version) for row in conn.execute(query)]

    def change_count(self) -> int:
        with self._read() as conn:
            value = conn.execute(
                select(t.store_state.c.changes).where(t.store_state.c.id == 1)
            ).scalar()
        return int(value or 0)

    def last_event(
        self, after: datetime, until: datetime, *, stored_by: int | None = None
    ) -> datetime | None:
        v = t.versions
        stored = [] if stored_by is None else [v.c.stored_seq <= stored_by]
        with self._read() as conn:
            moments = [
                conn.execute(
                    select(func.max(column)).where(
                        column > after, column <= until, *stored
                    )
                ).scalar()
                for column in (v.c.version_created, v.c.embargo_until)
            ]
        present = [m for m in moments if m is not None]
        return max(present) if present else None

    def touched_since(
        self, changes: int, selection: Selection, carrier: Carrier
    ) -> bool:
        v, e, new = t.versions, t.edition_items, _STORED_SINCE
        matching = exists().where(v.c.guid == new.c.guid, *_matches(v, selection))
        carried = exists().where(
            e.c.guid == new.c.guid,
            e.c.feed_id == carrier.feed_id,
            e.c.destination == carrier.destination,
        )
        query = select(new.c.guid).where(
            new.c.stored_seq > changes, or_(matching, carried)
        )
        with self._read() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def touching(self, changes: int, *, limit: int) -> Touching | None:
        v, e = t.versions, t.edition_items
        with self._read() as conn:
            stored = conn.execute(
                select(v.c.guid).where(v.c.stored_seq > changes).limit(limit + 1)
            ).all()
            if len(stored) > limit:
                return None
            guids = sorted({row.guid for row in stored})
            if not guids:
                return Touching((), frozenset())
            versions = tuple(
                _load(row.document)
                for row in conn.execute(
                    select(v.c.document)
                    .where(v.c.guid.in_(guids))
                    .order_by(v.c.guid, v.c.version)
                )
            )
            carriers = frozenset(
                Carrier(row.feed_id, row.destination)
                for row in conn.execute(
                    select(e.c.feed_id, e.c.destination)
                    .where(e.c.guid.in_(guids))
                    .distinct()
                )
            )
        return Touching(versions, carriers)

    def changes_since(
        self, changes: int, after: datetime, until: datetime, *, limit: int = 0
    ) -> list[tuple[str, datetime | None]]:
        v = t.versions
        # Each part walks its own index (stored_seq, version_created, embargo).
        parts = [
            select(v.c.guid, v.c.shown_at)
            .where(condition)
            .limit(limit or None)
            .subquery()
            .select()
            for condition in _moved(v, changes, after, until)
        ]
        with self._read() as conn:
            return sorted(
                {(row.guid, row.shown_at) for row in conn.execute(union(*parts))},
                key=lambda pair: (pair[0], pair[1] is None, pair[1] or after),
            )

    def created_between(self, start: datetime, end: datetime) -> bool:
        v = t.versions
        query = select(v.c.guid).where(
            v.c.version_created >= start, v.c.version_created < end
        )
        with self._read() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def _selection(
        self,
        selection: Selection,
        at: datetime,
        *columns: Any,
        by_status: bool = True,
    ) -> Any:
        """The query for the latest version as of ``at`` of every article
        ``selection`` matches that feeds may carry (usable, released, for
        syndication, not held), newest first, up to its limit."""
        v = t.versions
        conditions: list[ColumnElement[bool]] = [
            v.c.version_created <= at,
            ~_superseded(v, at),
            _status_is(v, PubStatus.USABLE, indexed=by_status),
            v.c.distribution == Distribution.SYNDICATE.value,
            v.c.is_held.is_(False),
            or_(v.c.embargo_until.is_(None), v.c.embargo_until <= at),
            *_matches(v, selection),
            *_within(v, selection, at),
        ]
        return (
            select(*columns)
            .where(*conditions)
            .order_by(v.c.version_created.desc(), v.c.guid)
            .limit(selection.limit)
        )

    def _kills(
        self,
        selection: Selection,
        at: datetime,
        carrier: Carrier | None,
        *columns: Any,
        by_status: bool = True,
    ) -> Any:
        """The query for articles whose latest version as of ``at`` is a kill and
        that the feed may have carried: an earlier version that feeds could
        carry matched ``selection`` and was released before it was superseded,
        or (``carrier``) the ledger shows the feed published it. The kill's own
        fields (subjects, urgency, embargo) do not matter: a kill reaches every
        feed that ever carried the story, and a story killed before its
        release never appeared, so it gets no tombstone that would reveal it."""
        v = t.versions
        conditions: list[ColumnElement[bool]] = [
            v.c.version_created <= at,
            ~_superseded(v, at),
            _status_is(v, PubStatus.CANCELED, indexed=by_status),
            _may_have_carried(v, selection, carrier),
            *_within(v, selection, at),
        ]
        return (
            select(*columns)
            .where(*conditions)
            .order_by(v.c.version_created.desc(), v.c.guid)
            .limit(selection.limit)
        )

    def pending_embargoes(self, at: datetime) -> list[Version]:
        v, a = t.versions, t.articles
        query = (
            select(v.c.document)
            .join(a, and_(a.c.guid == v.c.guid, a.c.latest_version == v.c.version))
            .where(v.c.embargo_until > at, v.c.status == PubStatus.USABLE.value)
            .order_by(v.c.embargo_until, v.c.guid)
        )
        with self._read() as conn:
            return [_load(r.document) for r in conn.execute(query)]

    def iter_all(self) -> Iterator[Version]:
        try:
            with self._read() as conn:
                result = conn.execution_options(yield_per=500).execute(
                    select(t.versions.c.document).order_by(
                        t.versions.c.guid, t.versions.c.version
                    )
                )
                for row in result:
                    yield _load(row.document)
        except SQLAlchemyError as exc:
            raise _store_error(self.url, "iter_all", exc) from exc

    # -- ledger -------------------------------------------------------------

    def start_run(
        self,
        feed_id: str,
        destination: str,
        started: datetime,
        trigger: str,
        prefix: str = "",
    ) -> int:
        with self._write() as conn:
            result = conn.execute(
                insert(t.publish_runs).values(
                    feed_id=feed_id,
                    destination=destination,
                    prefix=prefix,
                    trigger=trigger,
                    started=started,
                    outcome="running",
                    written=0,
                    skipped=0,
                    failed=0,
                    items=0,
                    error="",
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def record_document(self, record: DocumentRecord, destination: str = "") -> None:
        self.record_documents([record], destination)

    def record_documents(
        self, records: Sequence[DocumentRecord], destination: str = ""
    ) -> None:
        if not records:
            return
        with self._write() as conn:
            destinations: dict[int, str] = {}
            for run_id in {r.run_id for r in records}:
                destinations[run_id] = (
                    destination
                    or conn.execute(
                        select(t.publish_runs.c.destination).where(
                            t.publish_runs.c.run_id == run_id
                        )
                    ).scalar_one()
                )
            conn.execute(
                insert(t.published_documents),
                [
                    {
                        "run_id": r.run_id,
                        "feed_id": r.feed_id,
                        "destination": destinations[r.run_id],
                        "key": r.key,
                        "sha256": r.sha256,
                        "size": r.size,
                        "etag": r.etag,
                        "written": r.written,
                        "action": r.action,
                        "note": r.note,
                    }
                    for r in records
                ],
            )

    def close_interrupted(self, feed_id: str, destination: str, now: datetime) -> int:
        r = t.publish_runs
        with self._write() as conn:
            result = conn.execute(
                update(r)
                .where(
                    r.c.feed_id == feed_id,
                    r.c.destination == destination,
                    r.c.outcome == "running",
                )
                .values(
                    outcome="interrupted",
                    finished=now,
                    error="the process stopped before this run finished",
                )
            )
            return int(result.rowcount or 0)

    def record_edition(
        self,
        run_id: int,
        carrier: Carrier,
        prefix: str,
        refs: Sequence[tuple[str, int]],
    ) -> None:
        if not refs:
            return
        with self._write() as conn:
            conn.execute(
                insert(t.edition_items),
                [
                    {
                        "run_id": run_id,
                        "feed_id": carrier.feed_id,
                        "destination": carrier.destination,
                        "prefix": prefix,
                        "guid": guid,
                        "version": version,
                    }
                    for guid, version in sorted(set(refs))
                ],
            )

    def carried_moved(
        self, carrier: Carrier, changes: int, after: datetime, until: datetime
    ) -> frozenset[str]:
        v, e = t.versions, t.edition_items
        carried = exists().where(
            e.c.guid == v.c.guid,
            e.c.feed_id == carrier.feed_id,
            e.c.destination == carrier.destination,
        )
        parts = [
            select(v.c.guid).where(condition, carried)
            for condition in _moved(v, changes, after, until)
        ]
        with self._read() as conn:
            return frozenset(row.guid for row in conn.execute(union(*parts)))

    def guids_starting_with(self, starts: Sequence[str]) -> list[str]:
        wanted = sorted({start for start in starts if start})
        if not wanted:
            return []
        a = t.articles
        # substr counts characters in both databases (LIKE would need escaping
        # and is case-insensitive in SQLite). A scan, but only long ids need it.
        query = select(a.c.guid).where(
            or_(*(func.substr(a.c.guid, 1, len(s)) == s for s in wanted))
        )
        with self._read() as conn:
            return sorted(row.guid for row in conn.execute(query))

    def carriers(self, guid: str) -> list[Carrier]:
        e = t.edition_items
        query = (
            select(e.c.feed_id, e.c.destination)
            .where(e.c.guid == guid)
            .distinct()
            .order_by(e.c.feed_id, e.c.destination)
        )
        with self._read() as conn:
            return [Carrier(r.feed_id, r.destination) for r in conn.execute(query)]

    def edition_contents(
        self, destination: str, prefixes: Sequence[str]
    ) -> dict[str, set[tuple[str, int]]]:
        r, e = t.publish_runs, t.edition_items
        found: dict[str, set[tuple[str, int]]] = {}
        with self._read() as conn:
            for prefix in sorted(set(prefixes)):
                run_id = conn.execute(
                    select(func.max(r.c.run_id)).where(
                        r.c.destination == destination,
                        r.c.prefix == prefix,
                        r.c.outcome == "published",
                    )
                ).scalar()
                if run_id is None:
                    continue
                rows = conn.execute(
                    select(e.c.guid, e.c.version).where(e.c.run_id == run_id)
                )
                found[prefix] = {(row.guid, row.version) for row in rows}
        return found

    def published_documents(
        self, feed_id: str, destination: str
    ) -> dict[str, DocumentRecord]:
        d = t.published_documents
        return self._latest_puts(d.c.feed_id == feed_id, d.c.destination == destination)

    def folder_documents(
        self, destination: str, folder: str
    ) -> dict[str, DocumentRecord]:
        d = t.published_documents
        start = f"{folder}/"
        return self._latest_puts(
            d.c.destination == destination,
            func.substr(d.c.key, 1, len(start)) == start,
            d.c.action.in_(("put", "withdrawn")),
        )

    def _latest_puts(
        self, *conditions: ColumnElement[bool]
    ) -> dict[str, DocumentRecord]:
        """Each key's latest ledger row among those matching ``conditions``,
        where that row is a write."""
        d = t.published_documents
        latest = (
            select(func.max(d.c.id).label("id"))
            .where(*conditions)
            .group_by(d.c.key)
            .subquery()
        )
        query = select(d).join(latest, latest.c.id == d.c.id).where(d.c.action == "put")
        with self._read() as conn:
            return {row.key: _document_record(row) for row in conn.execute(query)}

    def known_verdicts(self, rules: str, items: Sequence[str]) -> set[str]:
        v = t.item_verdicts
        wanted = sorted(set(items))
        found: set[str] = set()
        with self._read() as conn:
            for start in range(0, len(wanted), _LOOKUP_CHUNK):
                chunk = wanted[start : start + _LOOKUP_CHUNK]
                query = select(v.c.item).where(v.c.rules == rules, v.c.item.in_(chunk))
                found.update(conn.execute(query).scalars())
        return found

    def record_verdicts(self, rules: str, items: Sequence[str]) -> None:
        v = t.item_verdicts
        wanted = sorted(set(items))
        if not wanted:
            return
        with self._write() as conn:
            if self._verdicts_rules != rules:
                conn.execute(delete(v).where(v.c.rules != rules))
                self._verdicts_rules = rules
            # Another process may record the same verdicts meanwhile.
            dialect = postgresql if self.is_postgres else sqlite
            conn.execute(
                dialect.insert(v).on_conflict_do_nothing(),
                [{"rules": rules, "item": item} for item in wanted],
            )

    def held_since(
        self, destination: str, keys: Mapping[str, Sequence[str]]
    ) -> dict[str, dict[str, datetime]]:
        wanted = {(feed_id, key) for feed_id, ks in keys.items() for key in ks}
        feed_ids = sorted({feed_id for feed_id, _ in wanted})
        found: dict[str, dict[str, datetime]] = {}
        with self._read() as conn:
            # One statement for a chunk of feeds (the face of 1,000 feeds
            # asked 4,000 statements before), each part a seek on
            # ix_documents_feed_key.
            for start in range(0, len(feed_ids), _HELD_CHUNK):
                chunk = feed_ids[start : start + _HELD_CHUNK]
                members = set(chunk)
                chunk_keys = sorted({k for f, k in wanted if f in members})
                for row in conn.execute(_held_query(destination, chunk, chunk_keys)):
                    if (row.feed_id, row.key) in wanted and row.since is not None:
                        found.setdefault(row.feed_id, {})[row.key] = row.since
        return found

    def withdrawals(self, destination: str, limit: int = 100) -> list[DocumentRecord]:
        d = t.published_documents
        query = (
            select(d)
            .where(d.c.destination == destination, d.c.action == "withdrawn")
            .order_by(d.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [_document_record(row) for row in conn.execute(query)]

    def record_runs(self, runs: Sequence[RunRecord]) -> list[int]:
        """Store finished runs in one transaction (unchanged ones folded into
        their feed's latest row when they can be); their rows' ids, in order."""
        ids: list[int] = []
        with self._write() as conn:
            latest = latest_runs(
                conn,
                {(r.feed_id, r.destination) for r in runs if r.outcome == UNCHANGED},
            )
            folds: dict[int, tuple[UnchangedRun, int]] = {}
            for run in runs:
                key = (run.feed_id, run.destination)
                target = latest.get(key)
                unchanged = _unchanged(run)
                if (
                    run.outcome == UNCHANGED
                    and target is not None
                    and target.takes(unchanged)
                ):
                    _, count = folds.get(target.run_id, (unchanged, 0))
                    folds[target.run_id] = (unchanged, count + 1)
                    ids.append(target.run_id)
                    continue
                run_id = self._insert_run(conn, run)
                ids.append(run_id)
                latest[key] = LatestRun(
                    run_id,
                    run.outcome,
                    run.trigger,
                    run.prefix,
                    run.fingerprint,
                    run.error,
                    names_run=False,
                )
            fold_into(conn, folds)
        return ids

    @staticmethod
    def _insert_run(conn: Connection, run: RunRecord) -> int:
        result = conn.execute(
            insert(t.publish_runs).values(
                feed_id=run.feed_id,
                destination=run.destination,
                prefix=run.prefix,
                trigger=run.trigger,
                started=run.started,
                finished=run.finished,
                outcome=run.outcome,
                written=run.written,
                skipped=run.skipped,
                failed=run.failed,
                items=run.items,
                error=run.error,
                fingerprint=run.fingerprint,
                state=run.state,
                edition_at=run.edition_at,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def finish_run(
        self,
        run_id: int,
        *,
        finished: datetime,
        outcome: str,
        written: int,
        skipped: int,
        failed: int,
        items: int,
        error: str = "",
        fingerprint: str = "",
        state: str = "",
        edition_at: datetime | None = None,
    ) -> int:
        r = t.publish_runs
        with self._write() as conn:
            own = (
                conn.execute(select(r).where(r.c.run_id == run_id)).first()
                if outcome == UNCHANGED and not written and not failed
                else None
            )
            if own is not None:
                run = UnchangedRun(
                    feed_id=own.feed_id,
                    destination=own.destination,
                    trigger=own.trigger,
                    prefix=own.prefix,
                    fingerprint=fingerprint,
                    error=error,
                    finished=finished,
                    state=state,
                    edition_at=edition_at,
                    skipped=skipped,
                    items=items,
                )
                folded = fold_started(conn, run, run_id)
                if folded is not None:
                    return folded
            conn.execute(
                update(r)
                .where(r.c.run_id == run_id)
                .values(
                    finished=finished,
                    outcome=outcome,
                    written=written,
                    skipped=skipped,
                    failed=failed,
                    items=items,
                    error=error,
                    fingerprint=fingerprint,
                    state=state,
                    edition_at=edition_at,
                )
            )
        return run_id

    def runs(
        self,
        feed_id: str | None = None,
        limit: int = 50,
        *,
        outcomes: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[RunRecord]:
        r = t.publish_runs
        query = (
            select(r)
            .where(*run_conditions(outcomes, since, until))
            .order_by(r.c.run_id.desc())
            .limit(limit)
        )
        if feed_id is not None:
            query = query.where(r.c.feed_id == feed_id)
        with self._read() as conn:
            return [_run_record(row) for row in conn.execute(query)]

    def prune_unchanged(self, before: datetime) -> int:
        with self._read() as conn:
            keep = protected_runs(conn)
        deleted = 0
        while True:
            with self._write() as conn:
                count = prune_chunk(conn, before, keep, PRUNE_CHUNK)
            deleted += count
            if count < PRUNE_CHUNK:
                return deleted

    def published(self, feed_id: str, destination: str) -> dict[str, str]:
        return {
            key: record.sha256
            for key, record in self.published_documents(feed_id, destination).items()
        }

    def last_success(self, feed_id: str, destination: str) -> RunRecord | None:
        return self.last_successes([feed_id], destination).get(feed_id)

    def last_successes(
        self, feed_ids: Sequence[str], destination: str
    ) -> dict[str, RunRecord]:
        """Each feed's latest successful run, in one statement: for each given
        id (a table-valued list of them), its newest matching run id, read
        backwards along ``ix_runs_feed`` so the cost does not grow with the
        ledger; then those rows."""
        r = t.publish_runs
        ids = list(dict.fromkeys(feed_ids))
        if not ids:
            return {}
        given = self._id_list(ids)
        newest = (
            select(r.c.run_id)
            .where(
                r.c.feed_id == given.c.value,
                r.c.destination == destination,
                r.c.outcome.in_(("published", "unchanged")),
                r.c.trigger != "replay",
            )
            .order_by(r.c.run_id.desc())
            .limit(1)
            .correlate(given)
            .scalar_subquery()
        )
        query = select(r).where(r.c.run_id.in_(select(newest).select_from(given)))
        with self._read() as conn:
            return {row.feed_id: _run_record(row) for row in conn.execute(query)}

    def _id_list(self, ids: Sequence[str]) -> Any:
        """``ids`` as a one-column table (``value``), bound as one parameter."""
        if self.engine.dialect.name == "postgresql":
            return (
                func.unnest(postgresql.array(ids))
                .table_valued("value")
                .render_derived(name="given")
            )
        return func.json_each(json.dumps(list(ids))).table_valued("value")

    def close(self) -> None:
        self.engine.dispose()

    def _read(self) -> Any:
        return self.engine.connect()


# Every public method meets the database: their failures (a connection cut, a
# read-only or full disk, a missing table) become StoreError here, at the
# boundary, with the store named and the cause chained.
_BOUNDARY = (
    "append_batch",
    "latest_many",
    "latest_as_of",
    "get",
    "history",
    "list_latest",
    "select",
    "select_canceled",
    "matching_versions",
    "select_refs",
    "select_ranked",
    "moved_since",
    "load_versions",
    "latest_states",
    "archive_refs",
    "record_archives",
    "archive_fingerprints",
    "archive_contents",
    "change_count",
    "last_event",
    "created_between",
    "pending_embargoes",
    "start_run",
    "record_documents",
    "record_edition",
    "close_interrupted",
    "carried_moved",
    "carriers",
    "guids_starting_with",
    "edition_contents",
    "withdrawals",
    "record_runs",
    "finish_run",
    "runs",
    "prune_unchanged",
    "published",
    "published_documents",
    "folder_documents",
    "known_verdicts",
    "record_verdicts",
    "held_since",
    "last_successes",
    "changes_since",
    "touching",
)


def _at_boundary(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def translated(self: SqlStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except (SQLAlchemyError, OSError) as exc:
            raise _store_error(self.url, method.__name__, exc) from exc

    return translated


def _store_error(url: str, action: str, exc: BaseException) -> StoreError:
    reason = error_reason(exc) if isinstance(exc, SQLAlchemyError) else str(exc)
    return StoreError(f"store {_safe_url(url)} failed ({action}): {reason}")


for _name in _BOUNDARY:
    setattr(SqlStore, _name, _at_boundary(getattr(SqlStore, _name)))


@dataclass(frozen=True)
class _Head:
    """An article's head while a batch is appended; ``stored`` when its row is
    already in the database (else the batch inserts it)."""

    first_created: datetime
    latest_version: int
    latest_hash: str
    stored: bool


def _document_record(row: Any) -> DocumentRecord:
    return DocumentRecord(
        run_id=row.run_id,
        feed_id=row.feed_id,
        key=row.key,
        sha256=row.sha256,
        size=row.size,
        etag=row.etag,
        written=row.written,
        action=row.action,
        note=row.note,
    )


def _run_record(row: Any) -> RunRecord:
    return RunRecord(
        run_id=row.run_id,
        feed_id=row.feed_id,
        started=row.started,
        finished=row.finished,
        destination=row.destination,
        outcome=row.outcome,
        written=row.written,
        skipped=row.skipped,
        failed=row.failed,
        items=row.items,
        error=row.error,
        trigger=row.trigger,
        fingerprint=row.fingerprint,
        state=row.state,
        edition_at=row.edition_at,
        repeats=row.repeats,
        prefix=row.prefix,
    )


def _unchanged(run: RunRecord) -> UnchangedRun:
    return UnchangedRun(
        feed_id=run.feed_id,
        destination=run.destination,
        trigger=run.trigger,
        prefix=run.prefix,
        fingerprint=run.fingerprint,
        error=run.error,
        finished=run.finished,
        state=run.state,
        edition_at=run.edition_at,
        skipped=run.skipped,
        items=run.items,
    )


def _count_changes(conn: Connection, created: int) -> int:
    """Add ``created`` to the store's change count; its new value."""
    state = t.store_state
    conn.execute(
        update(state).where(state.c.id == 1).values(changes=state.c.changes + created)
    )
    value = conn.execute(select(state.c.changes).where(state.c.id == 1)).scalar()
    return int(value or 0)


def _latest_at(v: Any, at: datetime) -> list[ColumnElement[bool]]:
    """``v`` is its article's latest version as of ``at``."""
    return [v.c.version_created <= at, ~_superseded(v, at)]


# The aliases of versions the conditions below compare a version with, made
# once: an alias builds its column collection on first use, which cost a tenth
# of a one-story publish when every query made its own. The conditions are
# only ever applied to the versions table itself, so no statement nests one
# alias inside another of the same.
_NEWER = t.versions.alias("newer")
_EARLIER = t.versions.alias("earlier")
_FOLLOWING = t.versions.alias("following")
# The versions stored after a change count (Store.touched_since).
_STORED_SINCE = t.versions.alias("stored_since")


# Feeds per statement of held_since (their keys are bound parameters).
_HELD_CHUNK = 200


def _held_query(destination: str, feed_ids: Sequence[str], keys: Sequence[str]) -> Any:
    """For each key of ``feed_ids`` at ``destination`` whose latest record
    is a write: the first write of the bytes it holds (after the last record
    of other bytes, or of a withdrawal, before that latest write)."""
    d = t.published_documents
    head, other, first = d.alias("head"), d.alias("other"), d.alias("first")
    latest = (
        select(func.max(d.c.id).label("id"))
        .where(
            d.c.destination == destination,
            d.c.feed_id.in_(list(feed_ids)),
            d.c.key.in_(list(keys)),
        )
        .group_by(d.c.feed_id, d.c.key)
        .subquery()
    )

    def same_key(row: Any) -> list[ColumnElement[bool]]:
        return [
            row.c.feed_id == head.c.feed_id,
            row.c.destination == head.c.destination,
            row.c.key == head.c.key,
        ]

    changed_before = (
        select(func.coalesce(func.max(other.c.id), 0))
        .where(
            *same_key(other),
            other.c.id < head.c.id,
            or_(other.c.sha256 != head.c.sha256, other.c.action != "put"),
        )
        # Two levels down: correlated to the outer statement's head by name.
        .correlate(head)
        .scalar_subquery()
    )
    since = (
        select(first.c.written)
        .where(*same_key(first), first.c.id > changed_before)
        .order_by(first.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(head.c.feed_id, head.c.key, since.label("since"))
        .join_from(head, latest, latest.c.id == head.c.id)
        .where(head.c.action == "put")
    )


def _moved(
    v: Any, changes: int, after: datetime, until: datetime
) -> tuple[ColumnElement[bool], ...]:
    """What may move an article's state between a run at change count
    ``changes`` and moment ``after`` and the moment ``until``, each kind on
    its own index: a version stored since, created in between, or released
    from embargo in between."""
    return (
        v.c.stored_seq > changes,
        and_(v.c.version_created > after, v.c.version_created <= until),
        and_(v.c.embargo_until > after, v.c.embargo_until <= until),
    )


def _status_is(v: Any, status: PubStatus, *, indexed: bool) -> ColumnElement[bool]:
    """``v``'s status is ``status``; not ``indexed``, written so no index
    serves it (SQLite would pick the status index over an article's own
    even for a handful of articles)."""
    column: ColumnElement[str] = v.c.status if indexed else v.c.status.concat("")
    return column == status.value


def _superseded(v: Any, at: datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """A later version of the same article exists as of ``at`` (a moment, or
    a column of ``v``'s)."""
    return exists().where(
        _NEWER.c.guid == v.c.guid,
        _NEWER.c.version > v.c.version,
        _NEWER.c.version_created <= at,
    )


def _matches(v: Any, selection: Selection) -> list[ColumnElement[bool]]:
    """The conditions of ``selection`` on a version's own fields."""
    conditions: list[ColumnElement[bool]] = [v.c.urgency <= selection.max_urgency]
    if selection.languages:
        conditions.append(_in_languages(v, selection.languages))
    if selection.providers:
        conditions.append(v.c.provider.in_(selection.providers))
    if selection.subjects:
        conditions.append(_has_subject(v, selection.subjects))
    if selection.keywords:
        kw = t.version_keywords
        conditions.append(
            exists().where(
                kw.c.guid == v.c.guid,
                kw.c.version == v.c.version,
                kw.c.keyword.in_([k.lower() for k in selection.keywords]),
            )
        )
    return conditions


def _within(v: Any, selection: Selection, at: datetime) -> list[ColumnElement[bool]]:
    """The selection's window: created no earlier than ``window`` before ``at``."""
    if selection.window is None:
        return []
    return [v.c.version_created >= at - selection.window]


def _within_when_shown(v: Any, selection: Selection) -> list[ColumnElement[bool]]:
    """The selection's window at the moment the version was shown (its
    ``shown_at``): an embargo ending later than ``window`` after its creation
    kept it out of every edition."""
    if selection.window is None:
        return []
    micros = selection.window // timedelta(microseconds=1)
    embargo = type_coerce(v.c.embargo_until, BigInteger)
    created = type_coerce(v.c.version_created, BigInteger)
    return [or_(v.c.embargo_until.is_(None), embargo <= created + micros)]


def _may_have_carried(
    v: Any, selection: Selection, carrier: Carrier | None
) -> ColumnElement[bool]:
    """The feed may have carried ``v``'s article: an earlier version matched
    ``selection`` and was released, or (``carrier``) the ledger shows the feed
    published it."""
    shown_somewhere = _released_earlier(v, selection)
    if carrier is None:
        return shown_somewhere
    e = t.edition_items
    carried = exists().where(
        e.c.guid == v.c.guid,
        e.c.feed_id == carrier.feed_id,
        e.c.destination == carrier.destination,
    )
    return or_(shown_somewhere, carried)


def _released_earlier(v: Any, selection: Selection) -> ColumnElement[bool]:
    """Some earlier version of ``v``'s article matched ``selection``, could be
    carried, and was out of embargo before the next version replaced it."""
    earlier, following = _EARLIER, _FOLLOWING
    replaced_at = (
        select(func.min(following.c.version_created))
        .where(
            following.c.guid == earlier.c.guid,
            following.c.version > earlier.c.version,
        )
        .scalar_subquery()
    )
    return exists().where(
        earlier.c.guid == v.c.guid,
        earlier.c.version < v.c.version,
        earlier.c.status == PubStatus.USABLE.value,
        earlier.c.distribution == Distribution.SYNDICATE.value,
        earlier.c.is_held.is_(False),
        or_(earlier.c.embargo_until.is_(None), earlier.c.embargo_until < replaced_at),
        *_matches(earlier, selection),
    )


def _in_languages(v: Any, ranges: Sequence[str]) -> ColumnElement[bool]:
    """The version's language falls within one of the BCP 47 ``ranges``
    (:func:`~syndication.store.base.language_ranges`)."""
    exact, prefixes = language_ranges(ranges)
    tag = func.lower(v.c.language)
    return or_(tag.in_(exact), *(tag.startswith(p, autoescape=True) for p in prefixes))


def _has_subject(v: Any, qcodes: Sequence[str]) -> ColumnElement[bool]:
    s = t.version_subjects
    return exists().where(
        s.c.guid == v.c.guid, s.c.version == v.c.version, s.c.qcode.in_(list(qcodes))
    )


def _load(document: str) -> Version:
    data: dict[str, Any] = json.loads(document)
    return version_from_dict(data)


def _safe_url(url: str) -> str:
    """The URL without a password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot parse is shown as given
        return url


def error_reason(exc: BaseException) -> str:
    """The first line of a database error's own message (the driver's, when
    SQLAlchemy wraps one), for messages that name the store's failure."""
    orig = getattr(exc, "orig", None)
    lines = str(orig if orig is not None else exc).strip().splitlines()
    return lines[0] if lines else type(orig if orig is not None else exc).__name__
