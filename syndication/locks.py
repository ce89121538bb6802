"""Per-feed publish locks: two publishes of one feed never interleave.

SQLite stores use a file lock beside the database file (every process that can
open the store can see it); PostgreSQL stores use a session-level advisory lock on
a dedicated connection, released when the connection closes (also when the
process dies). A lock that is held raises :class:`LockHeld` after ``timeout``
seconds; callers that must wait (the scheduler, push) retry.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from syndication.errors import LockHeld, StoreError

log = logging.getLogger(__name__)

# First key of the two-key advisory lock form: feed publish locks live in their own
# namespace, apart from the scheduler's leader lock.
FEED_LOCK_NAMESPACE = 0x5346  # "SF"


@contextmanager
def feed_lock(store: Any, feed_id: str, *, timeout: float = 5.0) -> Iterator[None]:
    """Hold the publish lock of ``feed_id`` on ``store`` (a SqlStore)."""
    if getattr(store, "is_postgres", False):
        with _advisory_lock(
            store, FEED_LOCK_NAMESPACE, _key(feed_id), f"feed {feed_id}", timeout
        ):
            yield
        return
    with _file_lock(
        lock_path(store.url, f"feed-{feed_id}"), f"feed {feed_id}", timeout
    ):
        yield


def lock_path(store_url: str, name: str) -> Path:
    """A lock file beside the SQLite database of ``store_url``."""
    from sqlalchemy.engine import make_url

    database = make_url(store_url).database
    if not database or database == ":memory:":
        raise StoreError("an in-memory SQLite store cannot be shared between processes")
    folder = Path(database).resolve().parent / (Path(database).name + ".locks")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.lock"


@contextmanager
def _file_lock(path: Path, what: str, timeout: float) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockHeld(what) from None
    except OSError as exc:
        raise StoreError(f"cannot take the lock of {what} at {path}: {exc}") from exc
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _advisory_lock(
    store: Any, namespace: int, key: int, what: str, timeout: float
) -> Iterator[None]:
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from syndication.store.sql import error_reason

    try:
        connection = store.engine.connect()
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot take the lock of {what}: {error_reason(exc)}"
        ) from exc
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                got = connection.execute(
                    text("SELECT pg_try_advisory_lock(:a, :b)"),
                    {"a": namespace, "b": key},
                ).scalar()
                connection.commit()
            except SQLAlchemyError as exc:
                raise StoreError(
                    f"cannot take the lock of {what}: {error_reason(exc)}"
                ) from exc
            if got:
                break
            if time.monotonic() >= deadline:
                raise LockHeld(what)
            time.sleep(0.1)
        try:
            yield
        finally:
            try:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:a, :b)"),
                    {"a": namespace, "b": key},
                )
                connection.commit()
            except SQLAlchemyError as exc:
                # The lock lives on this connection: when the connection is
                # gone, so is the lock. The work done under it stands.
                log.warning(
                    "lock of %s: connection lost before release (%s); the server "
                    "released the lock with it",
                    what,
                    error_reason(exc),
                )
    finally:
        try:
            connection.close()
        except SQLAlchemyError as exc:
            log.debug("lock of %s: closing its connection failed: %s", what, exc)


def _key(name: str) -> int:
    """A stable signed 32-bit key for ``name``."""
    value = zlib.crc32(name.encode("utf-8"))
    return value - (1 << 32) if value >= (1 << 31) else value
