"""``syndication worker``: take this site's publish jobs from the task queue."""

from __future__ import annotations

import logging
import os
import sys

import click

from syndication.cli import AppContext, pass_app


@click.command()
@click.option(
    "-c",
    "--concurrency",
    type=click.IntRange(1, 256),
    default=2,
    show_default=True,
    help="Feeds published at once (pool processes).",
)
@click.option(
    "-Q",
    "--queue",
    "lanes",
    multiple=True,
    type=click.Choice(["urgent", "bulk"]),
    help="Take jobs of this queue only (repeatable; default: both, urgent first).",
)
@click.option(
    "-n",
    "--hostname",
    help="This worker's name in logs and results (default: celery@HOST).",
)
@click.option(
    "--pool",
    type=click.Choice(["prefork", "threads", "solo"]),
    default="prefork",
    show_default=True,
    help="prefork: a crashed job loses only its process, and its job is "
    "handed back at once.",
)
@pass_app
def worker(
    app: AppContext,
    concurrency: int,
    lanes: tuple[str, ...],
    hostname: str | None,
    pool: str,
) -> None:
    """Publish feeds from the task queue ([queue] broker), in the foreground.

    The scheduler, push and the editors' fast lane put one job per feed on the
    queue; any number of workers, on any number of machines sharing the store
    and the feed definitions, take them. Urgent jobs (push, embargo releases)
    are taken before scheduled ones. Each feed is published under its
    per-feed lock, as in a single process; a job whose worker dies is handed
    to another worker after [queue] visibility_timeout_seconds. SIGTERM or
    SIGINT stops after the jobs in progress. Exits 3 without [queue] broker,
    1 when the broker cannot be reached.

    Example: syndication worker --concurrency 4 --hostname worker1@%h
    """
    from syndication.workqueue.app import Lane
    from syndication.workqueue.worker import WorkerOptions, run_worker

    settings = app.settings  # first: it sets the configured log level
    root = logging.getLogger("syndication")
    options = WorkerOptions(
        concurrency=concurrency,
        lanes=tuple(Lane(name) for name in lanes) or tuple(Lane),
        hostname=hostname,
        pool=pool,
        loglevel=logging.getLevelName(max(root.getEffectiveLevel(), logging.INFO)),
    )
    _stdout_to_stderr()
    code = run_worker(settings, options)
    if code:
        raise click.exceptions.Exit(code)


def _stdout_to_stderr() -> None:
    """A worker prints no results, but Celery writes its shutdown notes to the
    process's standard output: send them to standard error with the logs."""
    try:
        out, err = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test runner's capture)
    sys.stdout.flush()
    os.dup2(err, out)
