"""Feed commands: the ``feeds`` group (list, show, check) describing and checking
the partner feed definitions in the feeds folder (``[paths] feeds``)."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import click

from syndication.cli import AppContext, pass_app
from syndication.cli.article_options import json_option
from syndication.cli.tables import echo_table

if TYPE_CHECKING:
    from syndication.feeds import FeedDefinition, FeedSet

log = logging.getLogger(__name__)


@click.group()
def feeds() -> None:
    """Describe and check the partner feed definitions.

    One TOML file per partner feed in the feeds folder ([paths] feeds in the
    configuration). A bad definition is reported with its file and key and never
    stops the other feeds.

    Example: syndication feeds check
    """


@feeds.command(name="list")
@json_option
@pass_app
def list_feeds(app: AppContext, as_json: bool) -> None:
    """List the feeds: id, partner, formats, destination and schedule.

    Definitions with problems are left out and reported on stderr; run
    `syndication feeds check` for the details.

    Example: syndication feeds list --json
    """
    feed_set = _load(app)
    for problem in feed_set.problems:
        log.warning("skipped: %s", problem)
    found = [feed_set.feeds[k] for k in sorted(feed_set.feeds)]
    if as_json:
        click.echo(
            json.dumps(
                [feed_to_dict(f, app) for f in found], indent=2, ensure_ascii=False
            )
        )
        return
    echo_table(
        ("ID", "PARTNER", "FORMATS", "DESTINATION", "SCHEDULE"),
        (
            (
                f.feed_id,
                f.partner,
                ",".join(f.formats),
                _destination(f, app),
                _schedule(f),
            )
            for f in found
        ),
    )


@feeds.command(name="show")
@click.argument("feed_id", metavar="ID")
@json_option
@pass_app
def show_feed(app: AppContext, feed_id: str, as_json: bool) -> None:
    """Show one feed's definition: selection, credit policy, destination, schedule.

    The credit line shown is the one the feed's items carry: the feed's own
    override, else the site's canonical line. An unknown or broken feed exits 3.

    Example: syndication feeds show partner-a-humanitarian
    """
    feed = _load(app).get(feed_id)
    data = feed_to_dict(feed, app)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for key, value in _flatten(data):
        click.echo(f"{key}: {value}")


@feeds.command(name="check")
@pass_app
def check_feeds(app: AppContext) -> None:
    """Check the configuration and every feed definition; report each problem.

    Prints one line per problem (file and key), then a summary; exits 3 if the
    configuration or any definition is bad, 0 when all are good. Feeds that
    share an id or a folder (the same, or one inside the other) are all refused.

    Example: syndication feeds check
    """
    report_feed_problems(app)


def report_feed_problems(app: AppContext) -> None:
    """Print each problem of the feed definitions and a summary; raise
    ConfigError (exit 3) when there is any. ``feeds check`` and ``init``."""
    from syndication.errors import ConfigError

    feed_set = _load(app)
    for problem in feed_set.problems:
        click.echo(str(problem))
    good, bad = len(feed_set.feeds), len(feed_set.problems)
    if bad:
        folder = app.settings.feeds_dir
        raise ConfigError(
            f"{bad} problem(s) in the feed definitions in {folder}; "
            f"{good} feed(s) are good"
        )
    click.echo(f"{good} feed definition(s) OK")


def feed_to_dict(feed: FeedDefinition, app: AppContext) -> dict[str, Any]:
    selection = feed.selection
    agency = app.settings.agency
    return {
        "id": feed.feed_id,
        "partner": feed.partner,
        "title": feed.title,
        "description": feed.description,
        "link": feed.link,
        "formats": list(feed.formats),
        "limit": selection.limit,
        "selection": {
            "subjects": list(selection.subjects),
            "keywords": list(selection.keywords),
            "languages": list(selection.languages),
            "providers": list(selection.providers),
            "max_urgency": selection.max_urgency,
            "window_seconds": int(selection.window.total_seconds())
            if selection.window
            else None,
        },
        "credit": {
            "line": feed.credit.line or agency.credit_line,
            "is_override": bool(feed.credit.line),
            "append_paragraph": feed.credit.append_paragraph,
        },
        "destination": _destination(feed, app),
        "path": feed.prefix,
        "schedule": _schedule(feed) or None,
        "source": str(feed.source) if feed.source else None,
    }


def _load(app: AppContext) -> FeedSet:
    from syndication.feeds import load_site_feeds

    return load_site_feeds(app.settings)


def _destination(feed: FeedDefinition, app: AppContext) -> str:
    return feed.destination or app.settings.default_destination


def _schedule(feed: FeedDefinition) -> str:
    if feed.schedule is None:
        return ""
    from syndication.schedule import describe_schedule

    return describe_schedule(feed.schedule)


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            lines.extend(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            lines.append((name, ", ".join(str(v) for v in value) or "(any)"))
        elif value is None:
            lines.append((name, "-"))
        else:
            lines.append(
                (name, str(value).lower() if isinstance(value, bool) else str(value))
            )
    return lines
