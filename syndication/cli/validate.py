"""The validate command: check RSS, Atom and NewsML-G2 files, or a feed as built."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from syndication.cli import AppContext, pass_app
from syndication.cli.article_options import AwareTime, json_option


@click.command()
@click.argument(
    "files",
    nargs=-1,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="[FILE]...",
)
@click.option("--feed", "feed_id", help="Render this feed from the store and check it.")
@click.option("--at", type=AwareTime(), default=None, help="With --feed: build as of.")
@click.option(
    "--credit-line",
    default=None,
    help="The credit line every item must carry (default: items must agree).",
)
@json_option
@pass_app
def validate(
    app: AppContext,
    files: tuple[Path, ...],
    feed_id: str | None,
    at: datetime | None,
    credit_line: str | None,
    as_json: bool,
) -> None:
    """Check documents against our schemas and credit rules.

    Each FILE's format (RSS 2.0, Atom 1.0, NewsML-G2) is sniffed from its root
    element. With --feed, the feed is rendered from the store as of --at and
    checked exactly as publishing would. Every problem is listed as
    document:line: [rule] message. Exit 0 when all are valid, 4 otherwise.

    Example: syndication validate public/partner-a/rss.xml public/partner-a/atom.xml
    """
    from syndication.validate.checker import Expectations, GateReport, check_bytes
    from syndication.validate.gate import Gate

    if bool(files) == bool(feed_id):
        raise click.UsageError(
            "give either FILE arguments or --feed, not both or neither"
        )
    settings = app.settings
    gate = Gate.from_settings(settings)
    report = GateReport()
    if feed_id:
        from datetime import UTC

        from syndication.feeds import load_feeds
        from syndication.render.registry import render_edition
        from syndication.select import build_edition

        feed = load_feeds(settings.feeds_dir, list(settings.destinations)).get(feed_id)
        edition = build_edition(
            app.store, feed, settings.agency, at or datetime.now(UTC)
        )
        report = gate.check(render_edition(edition), edition)
    else:
        expectations = Expectations(credit_line=credit_line, at=at)
        for path in files:
            try:
                body = path.read_bytes()
            except OSError as exc:
                from syndication.errors import InputError

                raise InputError(f"cannot read: {exc.strerror}", path=path) from exc
            report = report + check_bytes(
                body,
                name=str(path),
                schemas_dir=gate.schemas_dir,
                official_xsd=gate.official_xsd,
                expectations=expectations,
            )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "checked": report.checked,
                    "problems": [
                        {
                            "document": p.document,
                            "line": p.line,
                            "rule": p.rule,
                            "message": p.message,
                        }
                        for p in report.problems
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(report.summary())
    if not report.ok:
        raise click.exceptions.Exit(4)
