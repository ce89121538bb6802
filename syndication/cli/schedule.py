"""Scheduling commands: ``scheduler`` (the service) and ``push`` (the editors'
fast lane). Each parses options, calls one library function and formats its
result; the scheduler's log lines go to stderr with timestamps."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from syndication.cli import AppContext, pass_app

if TYPE_CHECKING:
    from syndication.articles.editorial import Change
    from syndication.fastlane import PushReport

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


@click.command()
@click.option(
    "--metrics-address",
    metavar="HOST:PORT",
    envvar="SYNDICATION_METRICS_ADDRESS",
    help='Serve /healthz and /metrics here ("" for off), instead of '
    "[scheduler] metrics_address.  [env: SYNDICATION_METRICS_ADDRESS]",
)
@pass_app
def scheduler(app: AppContext, metrics_address: str | None) -> None:
    """Run the scheduler: publish every feed on its schedule, in the foreground.

    Each feed's [schedule] (interval or cron) becomes a job kept in the store
    database, so next runs survive restarts; embargoed stories are published at
    their release moment. SIGTERM or SIGINT stops after the publish in progress;
    SIGHUP (or any change under feeds/) reloads the feed definitions. On
    PostgreSQL further schedulers stand by and take over when the active one
    exits; on SQLite a second scheduler refuses to start (exit 1). With a
    metrics address, GET /healthz answers 200 or 503 with a JSON verdict
    (leader or standby, store reachable, last tick) and GET /metrics gives the
    Prometheus metrics; summarised unchanged runs older than [ledger]
    keep_unchanged_days are deleted every hour.

    Example: syndication scheduler --metrics-address 127.0.0.1:9464
    """
    import signal
    from dataclasses import replace

    from syndication.config import metrics_address as parse_address
    from syndication.schedule import SchedulerControl, run_scheduler

    if metrics_address is not None:
        try:
            parse_address(metrics_address)
        except ValueError as exc:
            raise click.BadParameter(
                str(exc), param_hint="'--metrics-address'"
            ) from None
    settings = app.settings
    if metrics_address is not None:
        settings = replace(
            settings,
            scheduler=replace(settings.scheduler, metrics_address=metrics_address),
        )

    control = SchedulerControl()

    def stop(signum: int, _frame: Any) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        control.stop.set()

    def reload(_signum: int, _frame: Any) -> None:
        log.info("SIGHUP received: reloading feed definitions")
        control.reload.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    _share_log_handlers("apscheduler", logging.WARNING)
    run_scheduler(settings, control)


@click.command()
@click.argument("guid", metavar="ID")
@click.option(
    "--urgency",
    type=click.IntRange(1, 9),
    help="First set the story's urgency (1 most urgent to 9) as a new version.",
)
@click.option(
    "--wait",
    is_flag=True,
    help="Wait for a publish in progress of an affected feed, instead of "
    "reporting the feed as locked (exit 1).",
)
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_app
def push(
    app: AppContext, guid: str, urgency: int | None, wait: bool, as_json: bool
) -> None:
    """Publish every feed that carries a story, now.

    Feeds run through the ordinary publish (same per-feed locks as the
    scheduler), whether or not a scheduler is running. Prints each affected
    feed, the URLs written and the elapsed time; exits 1 if any feed failed or
    was locked, else 4 if a document was refused by validation or an item was
    quarantined.

    Example: syndication push urn:newsml:example.org:20260620:heat --urgency 1 --wait
    """
    from syndication.fastlane import push_article

    report = push_article(app.settings, app.store, guid, urgency=urgency, wait=wait)
    echo_push(report, as_json)
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


def push_option(function: F) -> F:
    """``--no-push`` for the articles commands that change a published story."""
    option = click.option(
        "--no-push",
        is_flag=True,
        help="Only store the change; feeds carry it on their next scheduled "
        "publish (default: publish the affected feeds now, like push).",
    )
    return option(function)


def push_change(app: AppContext, change: Change, no_push: bool) -> PushReport | None:
    """The fast lane after an editorial change: publish the affected feeds now
    (waiting for a publish in progress), unless ``--no-push`` or nothing
    changed."""
    if no_push or not change.created:
        return None
    from syndication.fastlane import push_article

    return push_article(app.settings, app.store, change.guid, wait=True)


def echo_push(report: PushReport, as_json: bool) -> None:
    """Print a push report (also used by the articles commands' fast lane)."""
    if as_json:
        click.echo(json.dumps(push_to_dict(report), indent=2))
        return
    for feed in report.feeds:
        line = f"{feed.feed_id}: {feed.outcome}"
        if feed.is_ok:
            line += f", {feed.written} written, {feed.skipped} unchanged"
        click.echo(f"{line} ({feed.elapsed:.2f} s)")
        for url in feed.urls:
            click.echo(f"  {url}")
        if feed.error:
            click.echo(f"  {feed.error}")
    count = len(report.feeds)
    click.echo(
        f"pushed {report.guid} (version {report.version}) to {count} "
        f"feed{'' if count == 1 else 's'} in {report.elapsed:.2f} s"
    )


def push_to_dict(report: PushReport) -> dict[str, Any]:
    return {
        "guid": report.guid,
        "version": report.version,
        "urgency_changed": report.urgency_changed,
        "elapsed": round(report.elapsed, 3),
        "feeds": [
            {
                "feed": feed.feed_id,
                "outcome": feed.outcome,
                "written": feed.written,
                "skipped": feed.skipped,
                "urls": list(feed.urls),
                "elapsed": round(feed.elapsed, 3),
                "error": feed.error,
                "quarantined": list(feed.quarantined),
            }
            for feed in report.feeds
        ],
    }


def _share_log_handlers(name: str, level: int) -> None:
    """Send another library's log records through our stderr handler."""
    ours = logging.getLogger("syndication")
    theirs = logging.getLogger(name)
    for handler in ours.handlers:
        theirs.addHandler(handler)
    theirs.setLevel(max(level, ours.level))
    theirs.propagate = False
