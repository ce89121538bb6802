"""Operator commands: init, status and history."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click

from syndication.cli import AppContext, pass_app
from syndication.cli.article_options import AwareTime, json_option
from syndication.cli.tables import echo_table
from syndication.errors import ConfigError

if TYPE_CHECKING:
    from syndication.store.base import RunRecord


@click.command()
@pass_app
def init(app: AppContext) -> None:
    """Create the store (or bring its schema up to date) and check the site.

    Safe to run again: an existing, current store is left as it is. Other
    commands do this themselves on first use; init makes it explicit. The
    configuration is checked first (every problem with file and key, exit 3),
    then the feed definitions as `feeds check` does (exit 3 if any is bad).

    Example: syndication --config config/syndication.toml init
    """
    from syndication.cli.feeds import report_feed_problems

    store = app.store
    click.echo(f"store ready: {_display(store.url)}")
    report_feed_problems(app)


def _display(url: str) -> str:
    from syndication.store.sql import _safe_url

    return _safe_url(url)


# What a ledger row's outcome can be (``running`` until the run ends).
RUN_OUTCOMES = (
    "published",
    "unchanged",
    "failed",
    "invalid",
    "interrupted",
    "repaired",
    "running",
)


@click.command()
@click.argument("feed_id", metavar="[FEED]", required=False)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    type=click.Choice(RUN_OUTCOMES),
    help="Only runs with this outcome (repeatable).",
)
@click.option(
    "--since",
    type=AwareTime(),
    help="Only runs going on at or after this time (ISO 8601 with zone).",
)
@click.option(
    "--until",
    type=AwareTime(),
    help="Only runs going on at or before this time (ISO 8601 with zone).",
)
@json_option
@pass_app
def history(
    app: AppContext,
    feed_id: str | None,
    limit: int,
    outcomes: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    as_json: bool,
) -> None:
    """Show the publish ledger: every run, newest first.

    Each row shows the feed, when it started, the destination, what triggered
    it, the outcome, how many runs it stands for and the counts of documents
    written, skipped and failed. Unchanged runs of the same edition in a row
    are one row (RUNS counts them; "last" says when the last ended), and are
    deleted after [ledger] keep_unchanged_days; runs that wrote or failed are
    kept. --since and --until keep the rows going on at some moment between
    them.

    Example: syndication history --outcome failed --since 2026-06-20T00:00:00Z
    """
    if since is not None and until is not None and since > until:
        raise click.BadParameter(
            f"--since {_time(since)} is after --until {_time(until)}",
            param_hint="'--since'",
        )
    runs = app.store.runs(
        feed_id, limit=limit, outcomes=outcomes, since=since, until=until
    )
    if feed_id is not None and not runs and app.settings.feeds_dir.is_dir():
        from syndication.feeds import load_site_feeds

        defined = load_site_feeds(app.settings).feeds
        if feed_id not in defined and not app.store.runs(feed_id, limit=1):
            raise ConfigError(
                f"no feed {feed_id!r} and no runs of it in the ledger; defined "
                f"feeds: {', '.join(sorted(defined)) or 'none'}"
            )
    if as_json:
        click.echo(
            json.dumps([_run_json(r) for r in runs], indent=2, ensure_ascii=False)
        )
        return
    if not runs:
        filtered = outcomes or since is not None or until is not None
        click.echo("no publish runs match" if filtered else "no publish runs recorded")
        return
    header = (
        "RUN", "STARTED", "FEED", "DEST", "TRIGGER", "OUTCOME",
        "RUNS", "WRITTEN", "SKIPPED", "FAILED", "ITEMS", "",
    )  # fmt: skip
    echo_table(
        header,
        (
            (
                run.run_id,
                _time(run.started),
                run.feed_id,
                run.destination,
                run.trigger,
                run.outcome,
                run.repeats,
                run.written,
                run.skipped,
                run.failed,
                run.items,
                _run_note(run),
            )
            for run in runs
        ),
        right=(0, 6, 7, 8, 9, 10),
    )


def _run_note(run: RunRecord) -> str:
    """When a summary row's last run ended, and the run's error."""
    last = f"last {_time(run.finished)}" if run.repeats > 1 else ""
    return "  ".join(part for part in (last, run.error) if part)


@click.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Show each feed's last publish, next run, and the scheduler's state.

    Per feed: the last run's time and outcome, the documents and items it
    published, the next scheduled run, and the last error if the latest run
    failed. Then whether a scheduler is active and the pending embargo releases.

    Exits 1 when a feed's last run failed (failed, invalid, locked or
    interrupted) or a scheduled run is overdue, so it can serve as a health
    check; 0 otherwise.

    Example: syndication status --json
    """
    from syndication.feeds import load_site_feeds
    from syndication.schedule import scheduler_status

    settings = app.settings
    feed_set = load_site_feeds(settings)
    scheduling = scheduler_status(settings, app.store, feed_set.feeds)
    from datetime import UTC

    grace = timedelta(seconds=settings.scheduler.misfire_grace_seconds)
    now = datetime.now(UTC)
    rows = []
    for feed_id, feed in sorted(feed_set.feeds.items()):
        runs = app.store.runs(feed_id, limit=1)
        last = runs[0] if runs else None
        destination = feed.destination or settings.default_destination
        documents = len(app.store.published(feed_id, destination))
        rows.append(
            {
                "feed": feed_id,
                "destination": destination,
                # A summarised row's last run ended at ``finished``.
                "last_run": _time(last.started if last.repeats == 1 else last.finished)
                if last
                else None,
                "outcome": last.outcome if last else "never published",
                "items": last.items if last else 0,
                "documents": documents,
                "next_run": _time(scheduling.next_runs.get(feed_id))
                if scheduling.next_runs.get(feed_id)
                else None,
                "error": last.error if last else "",
                "overdue": _overdue(scheduling.next_runs.get(feed_id), now, grace),
            }
        )
    unhealthy = [
        str(row["feed"])
        for row in rows
        if row["outcome"] in _UNHEALTHY or row["overdue"]
    ]
    releases = [
        {
            "guid": release.guid,
            "release": _time(release.release),
            "feeds": list(release.feed_ids),
        }
        for release in scheduling.pending_releases
    ]
    if as_json:
        document = {
            "healthy": not unhealthy,
            "feeds": rows,
            "scheduler": {"active": scheduling.is_active, "holder": scheduling.holder},
            "pending_embargo_releases": releases,
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        _exit_unhealthy(unhealthy)
        return
    header = ("FEED", "DEST", "LAST RUN", "OUTCOME", "DOCS", "ITEMS", "NEXT RUN", "")
    echo_table(
        header,
        (
            (
                row["feed"],
                row["destination"],
                row["last_run"] or "-",
                row["outcome"],
                row["documents"],
                row["items"],
                row["next_run"] or "-",
                row["error"],
            )
            for row in rows
        ),
        right=(4, 5),
    )
    active = f"active ({scheduling.holder})" if scheduling.is_active else "not running"
    click.echo(f"scheduler: {active}")
    for release in releases:
        feeds = ", ".join(release["feeds"]) or "no feed"
        click.echo(f"embargo release {release['release']}: {release['guid']} → {feeds}")
    for problem in feed_set.problems:
        click.echo(f"bad feed definition: {problem}")
    for name in unhealthy:
        click.echo(f"unhealthy: {name}", err=True)
    _exit_unhealthy(unhealthy)


# Last-run outcomes that make status exit 1.
_UNHEALTHY = {"failed", "invalid", "locked", "interrupted"}


def _overdue(next_run: datetime | None, now: datetime, grace: timedelta) -> bool:
    """A scheduled run whose time passed more than the misfire grace ago."""
    return next_run is not None and next_run + grace < now


def _exit_unhealthy(unhealthy: list[str]) -> None:
    if unhealthy:
        click.get_current_context().exit(1)


def _time(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _run_json(run: RunRecord) -> dict[str, object]:
    return {
        "run_id": run.run_id,
        "feed": run.feed_id,
        "destination": run.destination,
        "trigger": run.trigger,
        "started": _time(run.started),
        "finished": _time(run.finished) if run.finished else None,
        "outcome": run.outcome,
        "written": run.written,
        "skipped": run.skipped,
        "failed": run.failed,
        "items": run.items,
        "error": run.error,
        "repeats": run.repeats,
    }
