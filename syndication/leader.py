"""One active scheduler per store: the leader lock.

On PostgreSQL the active scheduler holds a session advisory lock on a dedicated
connection for its whole life; standbys poll for the same lock and take over as
soon as the leader exits or dies (the server drops a dead session's locks). On
SQLite, a second scheduler on the same file refuses to start: a file lock next to
the database file, held for the process lifetime, makes it raise
:class:`LockHeld`.

The lock key is derived from the database and schema the store lives in, so
stores in different schemas of one PostgreSQL database never block each other.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from syndication.errors import LockHeld, StoreError

log = logging.getLogger(__name__)

_APPLICATION = "syndication-scheduler"


@dataclass(frozen=True)
class LeaderInfo:
    """Whether a scheduler holds a store's leader lock, and who (when known)."""

    is_held: bool
    holder: str = ""


class LeaderLock(Protocol):
    """The leader lock of one store, held by at most one scheduler."""

    def acquire(self, stop: threading.Event, poll_seconds: float = 1.0) -> bool:
        """Take the lock: wait for it (PostgreSQL) or fail at once (SQLite).

        Returns False when ``stop`` was set while waiting. Raises LockHeld when
        the lock is held and this backend does not wait.
        """
        ...

    def check(self) -> None:
        """Raise StoreError when the lock has been lost (connection gone)."""
        ...

    def release(self) -> None: ...


def holder_name() -> str:
    """How this process names itself as lock holder: ``pid 1234 on host``."""
    return f"pid {os.getpid()} on {socket.gethostname()}"


def open_leader_lock(store_url: str) -> LeaderLock:
    """The leader lock for the store at ``store_url`` (SQLite or PostgreSQL)."""
    if store_url.startswith(("postgresql", "postgres:")):
        return PostgresLeaderLock(store_url)
    return FileLeaderLock(store_url)


def leader_info(store_url: str) -> LeaderInfo:
    """Whether some scheduler is active on the store, without taking the lock
    away from anyone (for ``syndication status``)."""
    if store_url.startswith(("postgresql", "postgres:")):
        return PostgresLeaderLock(store_url).info()
    return FileLeaderLock(store_url).info()


class FileLeaderLock:
    """SQLite: ``<database>.scheduler.lock`` beside the database file.

    The holder's name is kept in ``<database>.scheduler.holder`` (the lock file
    itself is truncated by whoever opens it, so it cannot carry the name).
    """

    def __init__(self, store_url: str) -> None:
        from filelock import FileLock

        self.store_url = store_url
        database = _sqlite_path(store_url)
        self.lock_path = Path(f"{database}.scheduler.lock") if database else None
        self.holder_path = Path(f"{database}.scheduler.holder") if database else None
        self._lock = FileLock(self.lock_path, timeout=0) if self.lock_path else None

    def acquire(self, stop: threading.Event, poll_seconds: float = 1.0) -> bool:
        from filelock import Timeout

        if self._lock is None or self.holder_path is None:
            return True  # an in-memory store cannot be shared with another process
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            holder = _read(self.holder_path)
            raise LockHeld(
                f"the scheduler of store {self.store_url}",
                holder=holder or None,
            ) from None
        except OSError as exc:
            raise StoreError(
                f"cannot create the scheduler lock {self.lock_path}: {exc.strerror}"
            ) from exc
        self.holder_path.write_text(holder_name() + "\n", encoding="utf-8")
        log.info("scheduler lock taken: %s", self.lock_path)
        return True

    def check(self) -> None:
        return None  # a file lock is held until the process exits

    def release(self) -> None:
        if self._lock is not None and self._lock.is_locked:
            if self.holder_path is not None:
                self.holder_path.unlink(missing_ok=True)
            self._lock.release()

    def info(self) -> LeaderInfo:
        from filelock import Timeout

        if self._lock is None or self.lock_path is None or self.holder_path is None:
            return LeaderInfo(False)
        if not self.lock_path.parent.is_dir():
            return LeaderInfo(False)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return LeaderInfo(True, _read(self.holder_path))
        self._lock.release()
        return LeaderInfo(False)


class PostgresLeaderLock:
    """PostgreSQL: ``pg_try_advisory_lock`` on a dedicated autocommit connection.

    The connection names itself (``application_name``) so ``status`` can say
    which process leads.
    """

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._engine: Any = None
        self._connection: Any = None
        self.key: int | None = None

    def _connect(self) -> Any:
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        from syndication.store.sql import make_engine

        try:
            if self._engine is None:
                self._engine = make_engine(self.store_url)
            connection = self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            )
            row = connection.execute(
                text("select current_database(), current_schema()")
            ).one()
        except SQLAlchemyError as exc:
            raise StoreError(f"scheduler lock: cannot reach the store: {exc}") from exc
        self.key = lock_key(str(row[0]), str(row[1]))
        return connection

    def acquire(self, stop: threading.Event, poll_seconds: float = 1.0) -> bool:
        from sqlalchemy import text

        self._connection = self._connect()
        self._connection.execute(
            text("select set_config('application_name', :name, false)"),
            {"name": f"{_APPLICATION} {holder_name()}"[:63]},
        )
        waiting_logged = False
        while not stop.is_set():
            taken = self._connection.execute(
                text("select pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar_one()
            if taken:
                log.info("scheduler lock taken: this process is the active scheduler")
                return True
            if not waiting_logged:
                log.info(
                    "another scheduler is active (%s); standing by to take over",
                    self.info().holder or "holder unknown",
                )
                waiting_logged = True
            stop.wait(poll_seconds)
        self.release()
        return False

    def check(self) -> None:
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        if self._connection is None:
            raise StoreError("scheduler lock: not held")
        try:
            self._connection.execute(text("select 1"))
        except SQLAlchemyError as exc:
            raise StoreError(
                f"scheduler lock lost (the store connection failed: {exc}); "
                "stopping so a standby can take over"
            ) from exc

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()  # ends the session, which frees the lock
            except Exception:  # the connection may already be dead; nothing to free
                log.debug("closing the scheduler lock connection failed", exc_info=True)
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def info(self) -> LeaderInfo:
        from sqlalchemy import text

        holding = self._connection is not None
        connection = self._connect()
        try:
            assert self.key is not None
            classid, objid = (self.key >> 32) & 0xFFFFFFFF, self.key & 0xFFFFFFFF
            row = connection.execute(
                text(
                    "select a.application_name, l.pid from pg_locks l "
                    "left join pg_stat_activity a on a.pid = l.pid "
                    "where l.locktype = 'advisory' and l.granted "
                    "and l.classid = :classid and l.objid = :objid "
                    "and l.objsubid = 1 and l.database = "
                    "(select oid from pg_database where datname = current_database())"
                ),
                {"classid": classid, "objid": objid},
            ).first()
        finally:
            connection.close()
            if not holding:
                self.release()
        if row is None:
            return LeaderInfo(False)
        name = str(row[0] or "")
        holder = name.removeprefix(_APPLICATION).strip() or f"server pid {row[1]}"
        return LeaderInfo(True, holder)


def lock_key(database: str, schema: str) -> int:
    """A signed 64-bit advisory-lock key for the scheduler of one store."""
    digest = hashlib.sha256(f"syndication-scheduler:{database}:{schema}".encode())
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def _sqlite_path(store_url: str) -> str | None:
    from sqlalchemy.engine import make_url

    database = make_url(store_url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return str(Path(database).resolve())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
