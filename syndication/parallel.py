"""Spread one publish over worker processes, one feed at a time each.

Rendering and validating are CPU work in Python and lxml, so threads share
one core; a full publish of many feeds uses every core only in processes.
Each worker opens the store and its own publisher once (one gate, one
client per destination, one set of caches) and publishes the feeds it is
handed, each under its feed lock as in a single process, with the same
ledger rows and the same bytes. The parent hands out feeds as workers free
up, collects the results in feed order, and refreshes the destinations' faces
once at the end (see :meth:`Publisher.publish_all`).

Workers are spawned, not forked: a fork would copy the parent's open store
connections and threads. Their log records come back through a queue and are
handled by the parent's loggers, so ``--log-format json`` and the log level
hold for them too. A worker that dies leaves its feed reported as failed (its
run stays ``running`` in the ledger until that feed's next run closes it and
removes what it half wrote); the other feeds go on in the remaining workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from logging.handlers import QueueHandler
from multiprocessing.util import Finalize
from typing import TYPE_CHECKING, Any

from syndication.config import Settings
from syndication.feeds import FeedDefinition

if TYPE_CHECKING:
    from syndication.publish import FeedResult, Publisher

log = logging.getLogger(__name__)

# With ``[publish] processes = 0`` (the default), a publish spreads over one
# process per core only when at least this many feeds go the full way: below
# it, starting workers (imports and compiled schemas, about a second each)
# costs more than it gains.
AUTO_MIN_FEEDS = 16


@dataclass(frozen=True)
class RunOptions:
    """How each feed of the run is published (see Publisher.publish_feed)."""

    at: datetime
    destination: str | None
    dry_run: bool
    trigger: str
    record: bool
    force: bool


def worker_count(configured: int, feeds: int) -> int:
    """Processes for a run of ``feeds`` feeds going the full way: the
    configured number (0: one per core, when there are at least
    :data:`AUTO_MIN_FEEDS` feeds), never more than the feeds."""
    cores = os.cpu_count() or 1
    if configured == 0:
        chosen = cores if feeds >= AUTO_MIN_FEEDS else 1
    else:
        chosen = configured
    return max(1, min(chosen, feeds))


def publish_in_processes(
    settings: Settings,
    feeds: Sequence[FeedDefinition],
    options: RunOptions,
    processes: int,
    on_result: Callable[[FeedResult], None] | None = None,
) -> list[FeedResult]:
    """Publish ``feeds`` in ``processes`` worker processes; their results in
    the order of ``feeds`` (``on_result`` is called as each arrives)."""
    from syndication.publish import FeedResult

    context = multiprocessing.get_context("spawn")
    records: Any = context.Queue()
    relay = threading.Thread(
        target=_relay_logs, args=(records,), name="worker-logs", daemon=True
    )
    relay.start()
    level = logging.getLogger("syndication").getEffectiveLevel()
    results: dict[str, FeedResult] = {}
    try:
        with ProcessPoolExecutor(
            processes,
            mp_context=context,
            initializer=_start_worker,
            initargs=(settings, records, level, processes),
        ) as pool:
            futures: dict[Future[FeedResult], FeedDefinition] = {
                pool.submit(_publish_one, feed, options): feed for feed in feeds
            }
            for future, feed in futures.items():
                try:
                    result = future.result()
                except BrokenProcessPool as exc:
                    log.error("feed %s: its worker process died: %s", feed.feed_id, exc)
                    result = FeedResult(
                        feed.feed_id,
                        options.destination or settings.default_destination,
                        "failed",
                        error=f"its worker process died: {exc}",
                    )
                results[feed.feed_id] = result
                if on_result is not None:
                    on_result(result)
    finally:
        records.put(None)
        relay.join(timeout=10)
        records.close()
    return [results[feed.feed_id] for feed in feeds]


def _relay_logs(records: Any) -> None:
    """Hand each worker's log record to this process's logger of that name."""
    while True:
        try:
            record = records.get()
        except (EOFError, OSError):
            return
        if record is None:
            return
        logging.getLogger(record.name).handle(record)


# -- in the worker process ---------------------------------------------------------

_publisher: Publisher | None = None


def _start_worker(settings: Settings, records: Any, level: int, processes: int) -> None:
    """Worker initializer: logs to the parent, caches of a share of the
    entries one process keeps (see :mod:`syndication.memory`), one store
    and one publisher."""
    global _publisher
    from syndication.memory import SHARE_VARIABLE

    # Before the render modules are imported: they size their caches then.
    os.environ[SHARE_VARIABLE] = str(processes)
    from syndication.publish import Publisher
    from syndication.store import open_store

    root = logging.getLogger("syndication")
    root.handlers[:] = [QueueHandler(records)]
    root.setLevel(level)
    root.propagate = False
    _publisher = Publisher(settings, open_store(settings.store_url))
    # Run as the worker exits (multiprocessing skips atexit in its children).
    Finalize(None, _close_worker, exitpriority=10)


def _close_worker() -> None:
    global _publisher
    if _publisher is not None:
        _publisher.close()
        _publisher.store.close()
        _publisher = None


def _publish_one(feed: FeedDefinition, options: RunOptions) -> FeedResult:
    assert _publisher is not None, "worker started without its publisher"
    return _publisher.publish_feed(
        feed,
        at=options.at,
        destination=options.destination,
        dry_run=options.dry_run,
        trigger=options.trigger,
        record=options.record,
        quick=False,
        force=options.force,
        face=False,
    )
