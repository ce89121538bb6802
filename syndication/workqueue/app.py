"""The Celery application of a site: its broker, its two queues and the options
that make a lost worker's job come back (Redis transport)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from syndication.config_queue import QueueConfig
from syndication.definitions import mask_secrets
from syndication.errors import ConfigError, QueueError

if TYPE_CHECKING:
    from celery import Celery

# The one task: publish one feed. Producers send it by name, so they need no
# worker code.
PUBLISH_TASK = "syndication.publish_feed"
# Results of push jobs (the scheduler keeps none) live a day in Redis.
RESULT_SECONDS = 86_400
# How long enqueueing waits for the broker before giving up.
CONNECT_SECONDS = 5.0


class Lane(Enum):
    """Which queue a job goes to. ``URGENT``: push, the fast lane and embargo
    releases; ``BULK``: scheduled publishes."""

    URGENT = "urgent"
    BULK = "bulk"


def lane_for(trigger: str) -> Lane:
    """Scheduled publishes are bulk; every other trigger is urgent."""
    return Lane.BULK if trigger == "schedule" else Lane.URGENT


@dataclass(frozen=True)
class QueueNames:
    urgent: str
    bulk: str

    def of(self, lane: Lane) -> str:
        return self.urgent if lane is Lane.URGENT else self.bulk


def queue_names(config: QueueConfig) -> QueueNames:
    return QueueNames(f"{config.name}.urgent", f"{config.name}.bulk")


def shown_broker(config: QueueConfig) -> str:
    """The broker URL for messages: any password masked."""
    return str(mask_secrets(config.broker))


def make_app(config: QueueConfig) -> Celery:
    """A Celery app for ``config``'s broker. Raises ConfigError when no broker
    is configured, and QueueError when Celery is not installed."""
    if not config.is_enabled:
        raise ConfigError(
            "no task queue is configured: set [queue] broker "
            '(e.g. "redis://127.0.0.1:6379/0") or $SYNDICATION_QUEUE_BROKER',
            key="queue.broker",
        )
    try:
        from celery import Celery
        from kombu import Queue
    except ImportError as exc:
        raise QueueError(
            f"Celery is not installed ({exc}): pip install 'syndication[queue]'",
            broker=shown_broker(config),
        ) from exc
    names = queue_names(config)
    prefix = f"{config.name}:"
    app = Celery(
        f"syndication-{config.name}",
        broker=config.broker,
        backend=config.broker,
        set_as_current=False,
    )
    app.conf.update(
        broker_transport_options={
            # Every key of this site under one prefix (queues, unacknowledged
            # jobs, control messages), so sites and test runs share one Redis.
            "global_keyprefix": prefix,
            # Each time a worker takes a job it asks for the queues in the
            # order given (urgent first), not in turns: bulk cannot starve urgent.
            "queue_order_strategy": "priority",
            # A job taken but not acknowledged goes back on its queue this long
            # after it was taken (a dead worker's job; see README).
            "visibility_timeout": config.visibility_timeout,
            # How often workers look for such jobs: a quarter of the timeout,
            # at most every 10 s (kombu's default scans every 100 s).
            "unacked_restore_interval": max(1, min(10, config.visibility_timeout // 4)),
            "unacked_restore_throttle": 1,
        },
        result_backend_transport_options={"global_keyprefix": prefix},
        result_expires=RESULT_SECONDS,
        # JSON only: a job is a feed id and a trigger, never a pickled object.
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        # Acknowledge a job when it is done, not when taken, and hand it back
        # when its pool process dies; take one job at a time per process, so
        # a busy worker holds no backlog that an idle one could take.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # A lost broker connection cancels the jobs running: they were not
        # acknowledged, so the broker hands them out again.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_queues=[Queue(names.urgent), Queue(names.bulk)],
        task_default_queue=names.bulk,
        task_create_missing_queues=False,
        broker_connection_timeout=CONNECT_SECONDS,
        # The worker checks the broker itself before starting (worker.py).
        broker_connection_retry_on_startup=False,
        enable_utc=True,
        timezone="UTC",
    )
    return app


def check_broker(app: Celery, config: QueueConfig) -> None:
    """Connect to the broker once. Raises QueueError saying why not."""
    from kombu.exceptions import OperationalError

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
    except (OperationalError, OSError) as exc:
        raise QueueError(
            f"cannot connect ({exc}); is Redis running there?",
            broker=shown_broker(config),
        ) from exc
