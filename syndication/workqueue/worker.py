"""``syndication worker``: a Celery worker that takes this site's publish jobs.

It consumes the urgent queue before the bulk one (see app.py), runs
``concurrency`` pool processes (prefork: a job that crashes its process is
handed back to the queue), and stops after the jobs in progress on SIGTERM or
SIGINT (Celery's warm shutdown).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from syndication.config import Settings
from syndication.errors import ConfigError
from syndication.workqueue.app import (
    Lane,
    check_broker,
    make_app,
    queue_names,
    shown_broker,
)
from syndication.workqueue.jobs import register

log = logging.getLogger(__name__)

POOLS = ("prefork", "threads", "solo")


@dataclass(frozen=True)
class WorkerOptions:
    """``lanes`` in the order the worker asks for them (urgent first);
    ``hostname`` names the worker in logs and results (default: Celery's
    ``celery@HOST``); ``loglevel`` is Celery's own (ours is the CLI's)."""

    concurrency: int = 2
    lanes: tuple[Lane, ...] = (Lane.URGENT, Lane.BULK)
    hostname: str | None = None
    pool: str = "prefork"
    loglevel: str = "INFO"


def run_worker(settings: Settings, options: WorkerOptions) -> int:
    """Run a worker in the foreground until it is told to stop; returns its
    exit code. Raises ConfigError without ``[queue] broker`` and QueueError
    when the broker cannot be reached."""
    if not settings.queue.is_enabled:
        raise ConfigError(
            "no task queue is configured: set [queue] broker "
            '(e.g. "redis://127.0.0.1:6379/0") or $SYNDICATION_QUEUE_BROKER',
            path=settings.path,
            key="queue.broker",
        )
    app = make_app(settings.queue)
    register(app, settings)
    check_broker(app, settings.queue)
    names = queue_names(settings.queue)
    # Urgent first, whatever order the options named them in.
    lanes = [lane for lane in Lane if lane in options.lanes]
    queues = [names.of(lane) for lane in lanes]
    log.info(
        "worker starting on %s: queues %s, %d %s process(es)",
        shown_broker(settings.queue),
        ", ".join(queues),
        options.concurrency,
        options.pool,
    )
    from celery.utils.nodenames import default_nodename, host_format

    worker = app.Worker(
        # "worker1@%h" → "worker1@thishost", as Celery's own command does.
        hostname=host_format(default_nodename(options.hostname or "")),
        concurrency=options.concurrency,
        queues=queues,
        pool=options.pool,
        loglevel=options.loglevel,
        quiet=True,  # no banner on stdout: stdout carries results only
        optimization="fair",
        # Peers' revoked lists and gossip serve monitoring we do not use.
        without_mingle=True,
        without_gossip=True,
    )
    worker.start()
    code = int(worker.exitcode or 0)
    log.info("worker stopped (exit %d)", code)
    return code
