"""The worker's side of a job: publish one feed, by id, through the ordinary
path (:func:`syndication.fastlane.publish_now`, under the per-feed lock).

A job names a feed and a trigger, nothing more: the worker reads the feed's
definition from its own feeds folder and publishes what its store holds now.
Each worker process keeps one store and one publisher (one client per
destination, one gate) for its life, made on its first job after the pool
forked. A feed locked by another publisher is not waited for in the worker:
the job goes back on its queue for a moment (:data:`LOCK_RETRY_SECONDS`) and
the process takes other work.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from syndication.config import Settings
from syndication.fastlane import FeedPush
from syndication.workqueue.app import PUBLISH_TASK
from syndication.workqueue.results import push_to_json

if TYPE_CHECKING:
    from collections.abc import Mapping

    from celery import Celery, Task

    from syndication.feeds import FeedDefinition
    from syndication.publish import Publisher
    from syndication.schedule import FeedWatcher
    from syndication.store.base import Store

log = logging.getLogger(__name__)

# A locked feed's job comes back after this many seconds, up to this many times
# (each try also waits [publish] lock_timeout_seconds for the lock): over an
# hour in all, longer than any one publish.
LOCK_RETRY_SECONDS = 1.0
LOCK_RETRIES = 1000
# A job with a release moment still ahead on this machine's clock (a clock
# behind the scheduler's) waits at most this long before looking again.
NOT_BEFORE_STEP_SECONDS = 30.0


@dataclass
class _Process:
    """What one worker process keeps between jobs."""

    pid: int
    settings: Settings
    store: Store
    publisher: Publisher
    watcher: FeedWatcher
    feeds: Mapping[str, FeedDefinition] = field(default_factory=dict)

    def feed(self, feed_id: str) -> FeedDefinition | None:
        """The feed's definition, the folder re-read when it changed."""
        from syndication.feeds import load_site_feeds

        if self.watcher.changed() or not self.feeds:
            feed_set = load_site_feeds(self.settings)
            for problem in feed_set.problems:
                log.error("feed definition skipped: %s", problem)
            self.feeds = feed_set.feeds
        return self.feeds.get(feed_id)


_settings: Settings | None = None
_process: _Process | None = None
_made = threading.Lock()


def register(app: Celery, settings: Settings) -> None:
    """Make ``app`` run publish jobs with ``settings`` (before the pool forks)."""
    global _settings
    _settings = settings
    app.task(name=PUBLISH_TASK, bind=True)(publish_feed_job)


def _current() -> _Process:
    global _process
    with _made:
        if _process is None or _process.pid != os.getpid():
            from syndication.publish import Publisher
            from syndication.schedule import FeedWatcher
            from syndication.store import open_store

            if _settings is None:
                raise RuntimeError("publish jobs run only in a registered worker")
            store = open_store(_settings.store_url)
            _process = _Process(
                os.getpid(),
                _settings,
                store,
                Publisher(_settings, store),
                FeedWatcher(_settings.feeds_dir),
            )
        return _process


def publish_feed_job(
    task: Task[Any, Any],
    feed_id: str,
    trigger: str,
    wait: bool = True,
    not_before: str | None = None,
) -> dict[str, Any]:
    """The task: publish ``feed_id`` now, recording ``trigger`` in the ledger.

    ``not_before`` (ISO 8601, UTC) is an embargo release moment: the feed is
    not published before this machine's clock reaches it. With ``wait`` a
    locked feed's job is retried; without, it returns outcome ``locked``.
    Returns the :class:`FeedPush` as JSON (see results.py).
    """
    from syndication.fastlane import publish_now

    worker = str(task.request.hostname or "")
    if not_before is not None:
        ahead = (datetime.fromisoformat(not_before) - datetime.now(UTC)).total_seconds()
        if ahead > 0:
            raise task.retry(
                countdown=min(ahead, NOT_BEFORE_STEP_SECONDS), max_retries=None
            )
    process = _current()
    feed = process.feed(feed_id)
    if feed is None:
        log.error("feed %s is not defined on %s; job dropped", feed_id, worker)
        missing = f"feed {feed_id} is not defined in {process.settings.feeds_dir}"
        return push_to_json(FeedPush(feed_id, "failed", (), 0, 0, 0.0, missing), worker)
    log.info("publishing feed %s (%s) on %s", feed_id, trigger, worker)
    result = publish_now(
        process.settings,
        process.store,
        feed,
        trigger=trigger,
        wait=False,
        publisher=process.publisher,
    )
    if result.outcome == "locked" and wait and task.request.retries < LOCK_RETRIES:
        log.info("feed %s is being published elsewhere; job retried", feed_id)
        raise task.retry(countdown=LOCK_RETRY_SECONDS, max_retries=None)
    log.info(
        "feed %s (%s) %s on %s: %d written, %d unchanged in %.2f s",
        feed_id,
        trigger,
        result.outcome,
        worker,
        result.written,
        result.skipped,
        result.elapsed,
    )
    return push_to_json(result, worker)
