"""Per-feed publish locks on real stores: a file lock beside a SQLite database, a
PostgreSQL advisory lock on its own connection. Held by another process, the lock
raises LockHeld after the timeout; a holder that dies releases it."""

from __future__ import annotations

import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndication.errors import LockHeld, StoreError
from syndication.locks import feed_lock, lock_path
from syndication.store import open_store

HOLDER = """
import sys
from syndication.locks import feed_lock
from syndication.store import open_store

store = open_store(sys.argv[1])
with feed_lock(store, sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()
print("released", flush=True)
"""


@pytest.fixture
def feed_id() -> str:
    # Advisory locks are per database, not per schema: a unique id per test.
    return f"feed-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def holder(store_url: str, store, feed_id: str) -> Iterator[subprocess.Popen[str]]:  # type: ignore[no-untyped-def]
    """Another process holding ``feed_id``'s lock until its stdin closes."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, store_url, feed_id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "held\n"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None and not stream.closed:
            stream.close()


def test_lock_held_by_another_process_raises_after_timeout(
    store, feed_id: str, holder: subprocess.Popen[str]
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LockHeld) as info, feed_lock(store, feed_id, timeout=0.2):
        pass
    assert str(info.value) == (
        f"feed {feed_id} is locked by another process; try again when it finishes"
    )
    with feed_lock(store, feed_id + "-other", timeout=0.2):
        pass  # other feeds are not blocked


def test_lock_is_free_once_the_holder_lets_go(
    store, feed_id: str, holder: subprocess.Popen[str]
) -> None:  # type: ignore[no-untyped-def]
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.close()
    assert holder.stdout.readline() == "released\n"
    with feed_lock(store, feed_id, timeout=0.2):
        pass


def test_a_killed_holder_releases_the_lock(
    store, feed_id: str, holder: subprocess.Popen[str]
) -> None:  # type: ignore[no-untyped-def]
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    # The OS drops the file lock at once; PostgreSQL ends the session when it
    # sees the socket close. The timeout bounds the wait, it is not asserted.
    with feed_lock(store, feed_id, timeout=30):
        pass


def test_lock_is_exclusive_within_one_process(store_url: str, feed_id: str) -> None:
    first, second = open_store(store_url), open_store(store_url)
    try:
        with (
            feed_lock(first, feed_id),
            pytest.raises(LockHeld),
            feed_lock(second, feed_id, timeout=0.2),
        ):
            pass
        with feed_lock(second, feed_id, timeout=0.2):
            pass
    finally:
        first.close()
        second.close()


def test_sqlite_lock_files_sit_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert lock_path(url, "feed-alpha") == (
        tmp_path.resolve() / "store.db.locks" / "feed-alpha.lock"
    )
    with pytest.raises(StoreError, match="in-memory SQLite store cannot be shared"):
        lock_path("sqlite:///:memory:", "feed-alpha")


def test_publish_of_a_locked_feed_is_reported_not_raised(
    tmp_path: Path, feed_id: str
) -> None:
    from conftest import write_config

    from syndication.config import load_settings
    from syndication.feeds import load_feeds
    from syndication.publish import Publisher, PublishSummary

    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "f.toml").write_text(
        f'id = "{feed_id}"\npartner = "P"\ntitle = "T"\ndescription = "D"\n'
        'link = "https://p.example/"\n',
        encoding="utf-8",
    )
    settings = load_settings(write_config(tmp_path, feeds_dir=feeds))
    store, other = open_store(settings.store_url), open_store(settings.store_url)
    [feed] = load_feeds(settings.feeds_dir).feeds.values()
    publisher = Publisher(settings, store)
    try:
        with feed_lock(other, feed_id):
            result = publisher.publish_feed(feed)
            with pytest.raises(LockHeld):
                publisher.publish_feed(feed, raise_locked=True)
        assert (result.outcome, result.written) == ("locked", ())
        assert PublishSummary((result,)).exit_code == 1
        assert store.runs(feed_id) == []  # nothing ran, nothing recorded
    finally:
        publisher.close()
        store.close()
        other.close()
