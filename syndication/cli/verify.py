"""The verify command: compare each feed's destination with the ledger, and
repair it on request."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from syndication.cli import AppContext, pass_app
from syndication.cli.article_options import json_option
from syndication.cli.progress import progress

if TYPE_CHECKING:
    from syndication.verify import Drift, FeedVerification, VerifyReport


@click.command()
@click.argument("feed_ids", metavar="[FEED]...", nargs=-1)
@click.option(
    "--repair",
    is_flag=True,
    help="Repair the drift found (republish with force, withdraw, remove "
    "unexpected files in the feed's folder), each repair a ledger run.",
)
@json_option
@pass_app
def verify(
    app: AppContext, feed_ids: tuple[str, ...], repair: bool, as_json: bool
) -> None:
    """Check that each feed's destination matches the ledger (all feeds by default).

    Lists the destination under each feed's folder and compares every object
    with what the ledger says is published there (key, size, SHA-256). Drift is
    reported as missing (in the ledger, not at the destination), altered (other
    bytes), unexpected (not published by syndication) or must-withdraw (may no
    longer be public). Exit 0 when there is none, 1 when drift remains.

    --repair republishes the feed with --force, renders earlier items again,
    withdraws what may not be public and removes unexpected files inside the
    feed's folder (never outside any feed's folder); each repair is recorded in
    the ledger as a run with trigger verify.

    Example: syndication verify partner-a-humanitarian --repair
    """
    from syndication.cli.publish import _feeds
    from syndication.feeds import load_site_feeds
    from syndication.publish import Publisher
    from syndication.verify import verify_feeds

    settings = app.settings
    feeds = _feeds(app, feed_ids)
    every_feed = load_site_feeds(settings).feeds
    publisher = Publisher(settings, app.store)
    if repair:
        publisher.gate  # noqa: B018  # a configuration problem stops here, first
    try:
        with progress(
            len(feeds), label="verifying", unit="feeds", quiet=as_json or app.quiet
        ) as bar:
            report = verify_feeds(
                publisher,
                feeds,
                every_feed=list(every_feed.values()),
                repair=repair,
                on_result=lambda result: bar.advance(),
            )
    finally:
        publisher.close()
    if as_json:
        click.echo(json.dumps(_report_json(report), indent=2, ensure_ascii=False))
    else:
        for result in report.results:
            _echo_result(result)
        click.echo(report.line())
    code = report.exit_code or (3 if app.bad_feeds else 0)
    if code:
        sys.stdout.flush()
        raise click.exceptions.Exit(code)


def _echo_result(result: FeedVerification) -> None:
    click.echo(
        f"{result.feed_id or 'shared items/'} → {result.destination}: "
        f"{result.outcome.value}, "
        f"{result.objects} object(s), {len(result.found)} drift found, "
        f"{len(result.remaining)} remaining"
        + (f" ({result.error})" if result.error else "")
    )
    for drift in result.found:
        click.echo(f"  {_drift_line(drift)}")
    if result.runs:
        runs = ", ".join(str(run) for run in result.runs)
        click.echo(
            f"  repaired: {len(result.rewritten)} written, {len(result.removed)} "
            f"removed, {len(result.recorded)} recorded as gone (run {runs})"
        )
        for key in result.removed:
            click.echo(f"  removed {key}")
        for key in result.recorded:
            click.echo(f"  recorded as gone {key}")
    if result.runs or result.error:
        for drift in result.remaining:
            click.echo(f"  left {_drift_line(drift)}")


def _drift_line(drift: Drift) -> str:
    return f"{drift.kind.value} {drift.key}: {drift.detail}"


def _report_json(report: VerifyReport) -> dict[str, Any]:
    return {
        "feeds": [_result_json(r) for r in report.results],
        "found": report.found,
        "remaining": report.remaining,
        "exit_code": report.exit_code,
    }


def _result_json(result: FeedVerification) -> dict[str, Any]:
    def drift(items: tuple[Drift, ...]) -> list[dict[str, str]]:
        return [{"kind": d.kind.value, "key": d.key, "detail": d.detail} for d in items]

    return {
        "feed": result.feed_id,
        "shared_items": not result.feed_id,
        "destination": result.destination,
        "prefix": result.prefix,
        "outcome": result.outcome.value,
        "objects": result.objects,
        "head_requests": result.heads,
        "found": drift(result.found),
        "remaining": drift(result.remaining),
        "written": list(result.rewritten),
        "removed": list(result.removed),
        "recorded_gone": list(result.recorded),
        "runs": list(result.runs),
        "error": result.error,
        "elapsed_seconds": round(result.elapsed, 3),
    }
