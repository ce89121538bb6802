"""The validate command: check RSS, Atom and NewsML-G2 files, or a feed as built."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from syndication.cli import AppContext, pass_app
from syndication.cli.article_options import AwareTime, json_option

if TYPE_CHECKING:
    from syndication.validate.gate import Gate
    from syndication.validate.report import GateReport


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="[FILE]...")
@click.option(
    "--feed",
    "feed_id",
    metavar="ID",
    help="Render this feed from the store and check it.",
)
@click.option(
    "--at",
    type=AwareTime(),
    default=None,
    help="With --feed: build as of this time (default now). With files: judge "
    "embargoes at this time (default each document's own build time).",
)
@click.option(
    "--credit-line",
    default=None,
    help="Files: the credit line every item must carry (default: the items must "
    "all carry the same one).",
)
@click.option(
    "--credit-paragraph/--no-credit-paragraph",
    "credit_paragraph",
    default=None,
    help="Files: whether bodies must end with the credit paragraph (default: yes; "
    "for another publisher's NewsML-G2, no).",
)
@json_option
@pass_app
def validate(
    app: AppContext,
    files: tuple[Path, ...],
    feed_id: str | None,
    at: datetime | None,
    credit_line: str | None,
    credit_paragraph: bool | None,
    as_json: bool,
) -> None:
    """Check documents against our schemas and credit rules.

    Each FILE (or - for standard input) is sniffed as RSS 2.0, Atom 1.0 or
    NewsML-G2 and checked against our grammar of that format, our rules and,
    for NewsML-G2, IPTC's official XSD when configured; ours or another
    publisher's. Another publisher's NewsML-G2 (its items name another
    provider) is judged by IPTC's official XSD instead of the profile of what
    we emit, the safety rules and the credit rules for any publisher. With
    --feed, the feed is rendered from the store as of --at and checked exactly
    as publishing would. Every problem is listed as document:line: [rule]
    message. Exit 0 when all are valid, 4 when any is not, 3 when a file cannot
    be read.

    Example: syndication validate public/partner-a/rss.xml public/partner-a/atom.xml
    """
    if bool(files) == bool(feed_id):
        raise click.UsageError(
            "give either FILE arguments or --feed, not both or neither"
        )
    if feed_id and (credit_line is not None or credit_paragraph is not None):
        raise click.UsageError(
            "--credit-line and --credit-paragraph apply to files; a feed's "
            "definition says what it must carry"
        )
    from syndication.validate.gate import Gate

    gate = Gate.from_settings(app.settings)
    if feed_id:
        report = _check_feed(app, gate, feed_id, at)
    else:
        from syndication.validate.report import GateReport

        bodies = [_read(path) for path in files]  # unreadable: exit 3 before any check
        report = GateReport()
        for name, body in bodies:
            report = report + gate.check_file(
                body,
                name=name,
                expected_credit_line=credit_line,
                at=at,
                append_paragraph=credit_paragraph,
            )
    _print(report, as_json)
    if not report.ok:
        raise click.exceptions.Exit(4)


def _read(path: Path) -> tuple[str, bytes]:
    from syndication.errors import InputError

    if str(path) == "-":
        return "<stdin>", sys.stdin.buffer.read()
    try:
        return str(path), path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from exc


def _check_feed(
    app: AppContext, gate: Gate, feed_id: str, at: datetime | None
) -> GateReport:
    from datetime import UTC

    from syndication.feeds import load_site_feeds
    from syndication.render.registry import render_edition
    from syndication.select import build_edition

    settings = app.settings
    feed = load_site_feeds(settings).get(feed_id)
    edition = build_edition(app.store, feed, settings.agency, at or datetime.now(UTC))
    return gate.check(render_edition(edition), edition)


def _print(report: GateReport, as_json: bool) -> None:
    if as_json:
        data = {
            "ok": report.ok,
            "checked": report.checked,
            "problems": [problem.as_dict() for problem in report.problems],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(report.summary())
