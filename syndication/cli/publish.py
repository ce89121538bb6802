"""Publishing commands: build (to a folder), publish (to destinations), replay, url."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from syndication.cli import AppContext, pass_app
from syndication.cli.article_options import AwareTime, json_option
from syndication.cli.progress import progress

if TYPE_CHECKING:
    from syndication.feeds import FeedDefinition
    from syndication.publish import FeedResult, PublishSummary


def at_option(function: Any) -> Any:
    return click.option(
        "--at",
        type=AwareTime(),
        default=None,
        help="Build as of this time (ISO 8601 with zone). Default: now.",
    )(function)


@click.command()
@click.argument("feed_ids", metavar="[FEED]...", nargs=-1)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["rss", "atom", "newsml", "ninjs"]),
    help="Only these formats (repeatable). Default: each feed's own.",
)
@at_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("public"),
    show_default=True,
    help="Folder to write into; one folder per feed.",
)
@json_option
@pass_app
def build(
    app: AppContext,
    feed_ids: tuple[str, ...],
    formats: tuple[str, ...],
    at: datetime | None,
    out: Path,
    as_json: bool,
) -> None:
    """Render and validate feeds into a local folder (no ledger).

    Every document is checked before it is written; a feed with any invalid
    document is not written at all. Unchanged files are left as they are.

    Example: syndication build partner-c-all --at 2026-06-21T00:00:00Z --out /tmp/feeds
    """
    from dataclasses import replace

    from syndication.destinations.local import LocalDestination

    feeds = _feeds(app, feed_ids)
    if formats:
        feeds = [replace(feed, formats=formats) for feed in feeds]
    destination = LocalDestination("build", out)
    summary = _run(
        app, feeds, at=at, destination=destination, record=False, as_json=as_json
    )
    _exit(app, summary)


@click.command()
@click.argument("feed_ids", metavar="[FEED]...", nargs=-1)
@at_option
@click.option(
    "--destination",
    "destination_name",
    default=None,
    help="Publish to this configured destination instead of each feed's own.",
)
@click.option(
    "--dry-run", is_flag=True, help="Show what would be written; write nothing."
)
@click.option(
    "--force",
    is_flag=True,
    help="Re-render and rewrite every document, whatever the ledger says and "
    "even when the destination already holds the same bytes.",
)
@click.option(
    "--processes",
    type=click.IntRange(0, 256),
    default=None,
    help="Worker processes to spread the feeds over (default: [publish] "
    "processes; 0: one per core when at least 16 feeds are rendered; 1: none).",
)
@json_option
@pass_app
def publish(
    app: AppContext,
    feed_ids: tuple[str, ...],
    at: datetime | None,
    destination_name: str | None,
    dry_run: bool,
    force: bool,
    processes: int | None,
    as_json: bool,
) -> None:
    """Publish feeds to their destinations (all feeds by default).

    Each feed is selected, rendered, validated, then written items first and
    indexes last; documents already there byte for byte are skipped. Every run
    is recorded in the ledger (see history and status).

    --at rebuilds as of a past moment; a future one is refused, since it would
    put stories still under embargo on the live destination (preview the
    future with build --out DIR). --force skips every shortcut and uploads
    every document again (see verify for finding and repairing drift).
    Many feeds are spread over worker processes, one per core (--processes).

    Example: syndication publish partner-a-humanitarian --dry-run
    """
    _refuse_future(at)
    feeds = _feeds(app, feed_ids)
    summary = _run(
        app,
        feeds,
        at=at,
        destination=destination_name,
        dry_run=dry_run,
        force=force,
        as_json=as_json,
        processes=processes,
    )
    _exit(app, summary)


@click.command()
@click.argument("feed_id", metavar="FEED")
@click.option(
    "--at",
    type=AwareTime(),
    required=True,
    help="The past moment to rebuild the feed as of (ISO 8601 with zone).",
)
@json_option
@pass_app
def replay(app: AppContext, feed_id: str, at: datetime, as_json: bool) -> None:
    """Republish a feed as it stood at a past moment, for a partner who lost data.

    The documents go to a folder of their own beside the live feed,
    FEED/replay/YYYYmmddTHHMMSSZ/, so the live feed is never rolled back.

    Only the past: a future --at is refused (it would publish stories still
    under embargo). What has been killed, corrected, re-embargoed or held since
    is left out of the replay, and a replay is withdrawn whole when something
    it carries is withdrawn later.

    Example: syndication replay partner-a-humanitarian --at 2026-06-20T12:00:00Z
    """
    _refuse_future(at)
    from syndication.destinations.base import join_key
    from syndication.publish import Publisher, PublishSummary

    feed = _feeds(app, (feed_id,))[0]
    publisher = Publisher(app.settings, app.store)
    try:
        prefix = join_key(feed.prefix, "replay", at.strftime("%Y%m%dT%H%M%SZ"))
        result = publisher.publish_feed(feed, at=at, trigger="replay", prefix=prefix)
        summary = PublishSummary((result,))
        urls: list[str] = []
        if result.is_ok and (result.written or result.skipped):
            target = publisher.destination(feed.destination or None)
            urls = [
                target.url(join_key(prefix, name))
                for name in ("rss.xml", "atom.xml", "newsml.xml")
            ]
        _report(summary, as_json, {"urls": urls} if as_json else None)
        if not as_json:
            for url in urls:
                click.echo(f"  {url}")
    finally:
        publisher.close()
    _exit(app, summary)


@click.command()
@click.argument("feed_id", metavar="FEED")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["rss", "atom", "newsml", "ninjs"]),
    default=None,
    help="One of the feed's formats. Default: its first.",
)
@click.option(
    "--expires",
    default=None,
    help="Give a presigned URL valid this long (e.g. 15m, 12h, 7d).",
)
@pass_app
def url(app: AppContext, feed_id: str, fmt: str | None, expires: str | None) -> None:
    """Print the address partners use to read a feed.

    The public URL when the destination has a public base URL; with --expires
    (or for a private bucket) a presigned GET URL valid that long.

    Example: syndication url partner-a-humanitarian --format atom --expires 7d
    """
    from syndication.destinations.base import join_key
    from syndication.destinations.registry import destination_for
    from syndication.errors import ConfigError
    from syndication.feeds import parse_duration
    from syndication.publish import INDEX_FILES

    seconds: int | None = None
    if expires:
        # A malformed option value is a usage error (exit 2), found before any work.
        try:
            delta: timedelta = parse_duration(expires, None, "--expires")
        except (ConfigError, OverflowError) as exc:
            raise click.BadParameter(
                f"expected a duration such as '15m', '12h' or '7d', got {expires!r}",
                param_hint="--expires",
            ) from exc
        if delta > timedelta(days=7):
            raise click.BadParameter("at most 7d (S3's limit)", param_hint="--expires")
        seconds = int(delta.total_seconds())
    feed = _feeds(app, (feed_id,))[0]
    if fmt is None:
        fmt = feed.formats[0]
    elif fmt not in feed.formats:
        raise click.BadParameter(
            f"feed {feed_id!r} is not published as {fmt}; its formats: "
            + ", ".join(feed.formats),
            param_hint="--format",
        )
    destination = destination_for(app.settings, feed.destination or None)
    if seconds is not None and not destination.presigns:
        destination.close()
        raise click.BadParameter(
            f"a presigned URL needs an S3 destination; feed {feed_id!r} is "
            f"published to the folder destination {destination.name!r}",
            param_hint="--expires",
        )
    try:
        click.echo(
            destination.url(
                join_key(feed.prefix, INDEX_FILES[fmt]), expires_seconds=seconds
            )
        )
    finally:
        destination.close()


# -- helpers ---------------------------------------------------------------------


def _feeds(app: AppContext, feed_ids: Sequence[str]) -> list[FeedDefinition]:
    """The requested feeds (all good ones by default); bad definitions are logged
    and make the command end with exit code 3 after the good feeds ran."""
    import logging

    from syndication.feeds import load_site_feeds

    settings = app.settings
    feed_set = load_site_feeds(settings)
    log = logging.getLogger("syndication.cli.publish")
    if feed_ids:
        return [feed_set.get(feed_id) for feed_id in dict.fromkeys(feed_ids)]
    for problem in feed_set.problems:
        log.error("feed definition skipped: %s", problem)
    app.bad_feeds = len(feed_set.problems)
    return list(feed_set.feeds.values())


def _run(
    app: AppContext,
    feeds: Sequence[FeedDefinition],
    *,
    at: datetime | None,
    destination: Any,
    record: bool = True,
    dry_run: bool = False,
    force: bool = False,
    as_json: bool = False,
    processes: int | None = None,
) -> PublishSummary:
    from syndication.publish import Publisher

    publisher = Publisher(app.settings, app.store)
    publisher.gate  # noqa: B018  # a configuration problem stops here, before any feed
    try:
        with progress(
            len(feeds), label="publishing", unit="feeds", quiet=as_json or app.quiet
        ) as bar:
            summary = publisher.publish_all(
                feeds,
                at=at,
                destination=destination,
                dry_run=dry_run,
                trigger="manual",
                record=record,
                on_result=lambda result: bar.advance(),
                force=force,
                processes=processes,
            )
    finally:
        publisher.close()
    _report(summary, as_json)
    return summary


def _refuse_future(at: datetime | None) -> None:
    """A usage error (exit 2) for an --at later than now: no command writes to
    a live destination what is under embargo at the real current time."""
    from syndication.cli.article_views import now

    current = now()
    if at is not None and at > current:
        stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        raise click.UsageError(
            f"--at {stamp} is in the future (now is "
            f"{current.isoformat(timespec='seconds').replace('+00:00', 'Z')}): it "
            "would publish stories still under embargo; preview the future with "
            "'syndication build --at TIME --out DIR'"
        )


def _report(
    summary: PublishSummary, as_json: bool, extra: dict[str, Any] | None = None
) -> None:
    """The results, as lines or as ONE JSON document (``extra`` keys added)."""
    if as_json:
        click.echo(
            json.dumps(
                {
                    **(extra or {}),
                    "feeds": [_result_json(r) for r in summary.results],
                    "faces": [
                        {
                            "destination": face.destination,
                            "outcome": face.outcome.value,
                            "written": list(face.written),
                            "feeds": face.feeds,
                            "error": face.error,
                            "problems": [str(p) for p in face.problems],
                        }
                        for face in summary.faces
                    ],
                    "written": summary.written,
                    "skipped": summary.skipped,
                    "failed": summary.failed,
                    "withdrawn": summary.withdrawn,
                    "quarantined": summary.quarantined,
                    "exit_code": summary.exit_code,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for result in summary.results:
        click.echo(_result_line(result))
        for key in result.written:
            click.echo(f"  wrote {key}")
        for key in result.would_write:
            click.echo(f"  would write {key}")
        for key in result.withdrawn:
            click.echo(f"  withdrew {key}")
        for item in result.quarantined:
            click.echo(f"  quarantined {item}")
        if result.report is not None and not result.report.ok:
            for problem in result.report.problems:
                click.echo(f"  invalid {problem}")
    for face in summary.faces:
        if face.written:
            click.echo(f"face of {face.destination}: wrote {', '.join(face.written)}")
        elif not face.is_ok:
            click.echo(
                f"face of {face.destination}: {face.outcome.value} ({face.error})"
            )
            for problem in face.problems:
                click.echo(f"  invalid {problem}")
    click.echo(summary.line())


def _result_line(result: FeedResult) -> str:
    written = (
        f"{len(result.would_write)} would be written"
        if result.outcome == "dry-run"
        else f"{len(result.written)} written"
    )
    text = (
        f"{result.feed_id} → {result.destination}: {result.outcome}, "
        f"{written}, {result.skipped} skipped, {result.items} item(s)"
    )
    if result.error:
        text += f" ({result.error})"
    return text


def _result_json(result: FeedResult) -> dict[str, Any]:
    return {
        "feed": result.feed_id,
        "destination": result.destination,
        "outcome": result.outcome,
        "written": list(result.written),
        "would_write": list(result.would_write),
        "withdrawn": list(result.withdrawn),
        "quarantined": list(result.quarantined),
        "skipped": result.skipped,
        "failed": result.failed,
        "items": result.items,
        "run_id": result.run_id,
        "error": result.error,
        "problems": [str(p) for p in result.report.problems]
        if result.report is not None
        else [],
        "urls": list(result.urls),
        "elapsed_seconds": round(result.elapsed, 3),
    }


def _exit(app: AppContext, summary: PublishSummary) -> None:
    code = summary.exit_code
    if code == 0 and app.bad_feeds:
        code = 3
    if code:
        sys.stdout.flush()
        raise click.exceptions.Exit(code)
