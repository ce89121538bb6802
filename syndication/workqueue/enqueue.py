"""The producers' side: put per-feed publish jobs on a site's queues and, for
push, wait for their results.

The scheduler keeps one :class:`QueueClient` for its life and sends each due
feed to the bulk queue (an embargo release to the urgent one) without waiting;
push and the fast lane send every affected feed to the urgent queue and wait
for the workers' results (:func:`publish_via_queue`), so they report each feed
as they do in a single process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from syndication.config import Settings
from syndication.config_queue import QueueConfig
from syndication.errors import QueueError
from syndication.fastlane import FeedPush
from syndication.workqueue.app import (
    PUBLISH_TASK,
    Lane,
    check_broker,
    make_app,
    queue_names,
    shown_broker,
)
from syndication.workqueue.results import push_from_json

if TYPE_CHECKING:
    from celery import Celery

    from syndication.feeds import FeedDefinition

log = logging.getLogger(__name__)


class QueueClient:
    """Sends publish jobs to one site's queues; safe to share between threads.
    The Celery app (and its broker connections) is made on first use."""

    def __init__(self, config: QueueConfig) -> None:
        self.config = config
        self.names = queue_names(config)
        self._app: Celery | None = None
        self._made = threading.Lock()

    @property
    def app(self) -> Celery:
        with self._made:
            if self._app is None:
                self._app = make_app(self.config)
            return self._app

    def enqueue(
        self,
        feed_id: str,
        trigger: str,
        lane: Lane,
        *,
        wait: bool = True,
        not_before: datetime | None = None,
        keep_result: bool = False,
    ) -> str:
        """Send one job; returns its id. ``not_before`` (aware) is an embargo
        release moment the worker waits for; ``keep_result`` stores the
        result for :meth:`results`. Raises QueueError when the broker cannot
        take it."""
        from kombu.exceptions import OperationalError

        kwargs: dict[str, object] = {
            "feed_id": feed_id,
            "trigger": trigger,
            "wait": wait,
            "not_before": None if not_before is None else not_before.isoformat(),
        }
        try:
            sent = self.app.send_task(
                PUBLISH_TASK,
                kwargs=kwargs,
                queue=self.names.of(lane),
                ignore_result=not keep_result,
            )
        except (OperationalError, OSError) as exc:
            raise QueueError(
                f"cannot enqueue feed {feed_id} ({exc}); is Redis running there?",
                broker=shown_broker(self.config),
            ) from exc
        log.debug("feed %s (%s) queued on %s", feed_id, trigger, self.names.of(lane))
        return str(sent.id)

    def results(
        self, jobs: Sequence[tuple[str, str]], timeout: float
    ) -> tuple[FeedPush, ...]:
        """Wait up to ``timeout`` seconds in all for the jobs (feed id, job id)
        sent with ``keep_result``; a job not done by then is reported with
        outcome ``queued`` (it stays on the queue and will still run)."""
        from celery.exceptions import TimeoutError as ResultTimeout
        from celery.result import AsyncResult

        deadline = time.monotonic() + timeout
        found: list[FeedPush] = []
        for feed_id, job_id in jobs:
            result: AsyncResult[object] = AsyncResult(job_id, app=self.app)
            try:
                value = result.get(
                    timeout=max(0.01, deadline - time.monotonic()), propagate=False
                )
            except ResultTimeout:
                found.append(
                    FeedPush(
                        feed_id,
                        "queued",
                        (),
                        0,
                        0,
                        timeout,
                        f"no worker finished it within {timeout:g} s; the job "
                        f"stays on {self.names.urgent} (is a worker running?)",
                    )
                )
                continue
            result.forget()  # read once: no need to keep it a day
            found.append(push_from_json(feed_id, value))
        return tuple(found)

    def close(self) -> None:
        with self._made:
            if self._app is not None:
                self._app.close()
                self._app = None


def publish_via_queue(
    settings: Settings,
    feeds: Sequence[FeedDefinition],
    *,
    trigger: str,
    wait: bool = True,
) -> tuple[FeedPush, ...]:
    """What :func:`syndication.fastlane.publish_many` does in queue mode: one
    urgent job per feed, then each feed's result as the worker reported it,
    within ``[queue] result_timeout_seconds``. Raises QueueError."""
    client = QueueClient(settings.queue)
    try:
        # Once, up front: a broker that is down fails the push at once (the
        # result store, on the same Redis, would retry for 20 s and more).
        check_broker(client.app, settings.queue)
        jobs = [
            (
                feed.feed_id,
                client.enqueue(
                    feed.feed_id, trigger, Lane.URGENT, wait=wait, keep_result=True
                ),
            )
            for feed in feeds
        ]
        log.info(
            "%d feed(s) queued on %s; waiting for the workers",
            len(jobs),
            client.names.urgent,
        )
        return client.results(jobs, settings.queue.result_timeout)
    finally:
        client.close()
