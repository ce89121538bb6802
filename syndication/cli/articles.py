"""The ``articles`` group: list, show, kill, correct, embargo, release and
distribution. Each parses options, calls one library function and formats its
result; results go to stdout, warnings to stderr through logging."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from syndication.cli import AppContext, pass_app
from syndication.cli import article_options as opts
from syndication.cli import article_views as views
from syndication.cli.schedule import echo_push, push_change, push_option, push_to_dict
from syndication.cli.tables import echo_table

if TYPE_CHECKING:
    from syndication.articles.editorial import Change
    from syndication.fastlane import PushReport

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
_QCODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_.-]+$")


@click.group()
def articles() -> None:
    """List, show and edit stored articles.

    Editing never changes a stored version: kill, correct, embargo, release and
    distribution each append a new version, which feeds carry at once (or, with
    --no-push, on their next scheduled build).

    Example: syndication articles list --status usable --limit 20
    """


@articles.command(name="list")
@click.option(
    "--status",
    type=click.Choice(["usable", "withheld", "canceled"]),
    help="Only articles whose latest version has this status.",
)
@click.option(
    "--subject", metavar="QCODE", help="Only articles with this subject QCode."
)
@click.option("--language", metavar="TAG", help="Only articles in this language.")
@click.option(
    "--since",
    type=opts.AwareTime(dates=True),
    help="Only versions created at or after this time (or YYYY-MM-DD, UTC).",
)
@click.option("--search", metavar="TEXT", help="Only headlines containing TEXT.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="At most.",
)
@opts.json_option
@pass_app
def list_articles(
    app: AppContext,
    status: str | None,
    subject: str | None,
    language: str | None,
    since: datetime | None,
    search: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List the latest version of each article, newest first.

    Filters combine: every one given must match the latest version.

    Example: syndication articles list --language fr --since 2026-06-01 --json
    """
    from syndication.articles.model import PubStatus, version_to_dict
    from syndication.store.base import ArticleFilter

    article_filter = ArticleFilter(
        status=PubStatus(status) if status else None,
        subject=subject,
        language=language,
        since=since,
        text=search,
        limit=limit,
    )
    versions = app.store.list_latest(article_filter)
    if as_json:
        click.echo(json.dumps([version_to_dict(v) for v in versions], indent=2))
        return
    if not versions:
        click.echo("no articles match")
        return
    rows = [
        (
            v.guid,
            str(v.version),
            v.status.value,
            str(v.urgency),
            v.language,
            views.iso_time(v.version_created),
            views.embargo_text(v) if v.embargo_until else "-",
            v.distribution.value,
            "yes" if v.is_held else "-",
            views.clip(v.headline, 60),
        )
        for v in versions
    ]
    header = (
        "ID",
        "V",
        "STATUS",
        "URG",
        "LANG",
        "CREATED",
        "EMBARGO",
        "DIST",
        "HELD",
        "HEADLINE",
    )
    echo_table(header, rows)


@articles.command()
@click.argument("guid", metavar="ID")
@click.option("--version", "number", type=click.IntRange(min=1), help="This version.")
@click.option("--history", is_flag=True, help="Every version, oldest first.")
@opts.json_option
@pass_app
def show(
    app: AppContext, guid: str, number: int | None, history: bool, as_json: bool
) -> None:
    """Show an article's latest version (or one version, or its history).

    Example: syndication articles show urn:newsml:example.org:20260620:heat --history
    """
    if history and number is not None:
        raise click.UsageError("--history and --version cannot be used together")
    from syndication.articles.model import version_to_dict

    versions = app.store.history(guid)
    if history:
        if as_json:
            click.echo(json.dumps([version_to_dict(v) for v in versions], indent=2))
            return
        header = (
            "V",
            "CREATED",
            "STATUS",
            "EMBARGO",
            "DIST",
            "HELD",
            "CORRECTION",
            "NOTE",
            "HEADLINE",
        )
        echo_table(header, [views.history_row(v) for v in versions])
        return
    version = versions[-1] if number is None else app.store.get(guid, number)
    if as_json:
        click.echo(json.dumps(version_to_dict(version), indent=2, ensure_ascii=False))
        return
    click.echo(views.describe_version(version, len(versions)))


@articles.command()
@click.argument("guid", metavar="ID")
@click.option("--reason", required=True, help="Why (sent to partners as the note).")
@push_option
@opts.json_option
@pass_app
def kill(app: AppContext, guid: str, reason: str, no_push: bool, as_json: bool) -> None:
    """Withdraw an article: a new version with status canceled.

    The reason becomes the editor's note partners see with the kill.

    Example: syndication articles kill ID --reason "Withdrawn on legal advice"
    """
    from syndication.articles.editorial import kill_article

    change = kill_article(app.store, guid, reason=reason, now=views.now())
    _report(change, as_json, push_change(app, change, no_push))


@articles.command()
@click.argument("guid", metavar="ID")
@click.argument("story", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", required=True, help="What was corrected (the editor's note).")
@opts.wire_options
@push_option
@opts.json_option
@pass_app
def correct(
    app: AppContext,
    guid: str,
    story: Path,
    note: str,
    input_format: str,
    reference_date: datetime | None,
    subjects: tuple[str, ...],
    language: str | None,
    no_push: bool,
    as_json: bool,
) -> None:
    """Replace an article with a corrected story, marked as a correction.

    STORY is one story in any format ingest reads (JSON, wire copy, a NewsML-G2
    item or a ninjs object), read as ingest reads it; its content becomes the new
    version whatever id it would otherwise get. Wire copy keeps
    the article's language and subjects unless given; the article's embargo and
    distribution stay unless the file sets them.

    Example: syndication articles correct ID fixed.json --note "Corrects the death toll"
    """
    from syndication.articles.editorial import correct_from_file

    options = opts.ingest_options(input_format, reference_date, subjects, language)
    change = correct_from_file(
        app.store,
        app.settings,
        guid,
        story,
        note=note,
        now=views.now(),
        options=options,
    )
    _report(change, as_json, push_change(app, change, no_push))


@articles.command()
@click.argument("guid", metavar="ID")
@click.option(
    "--until",
    type=opts.AwareTime(),
    help="Hold until this ISO 8601 time (with zone).",
)
@click.option("--lift", is_flag=True, help="Release now: remove the embargo.")
@push_option
@opts.json_option
@pass_app
def embargo(
    app: AppContext,
    guid: str,
    until: datetime | None,
    lift: bool,
    no_push: bool,
    as_json: bool,
) -> None:
    """Hold an article until a time, or lift its embargo.

    Exactly one of --until and --lift. Feeds leave an embargoed article out until
    the time passes: a story already published leaves every feed at once, and
    its item documents are withdrawn (unless --no-push, then on the next
    scheduled publish).

    Example: syndication articles embargo ID --until 2026-06-21T06:00:00Z
    """
    if until is not None and lift:
        raise click.UsageError("--until and --lift cannot be used together")
    if until is None and not lift:
        raise click.UsageError("give --until TIME or --lift")
    from syndication.articles.editorial import embargo_article, lift_embargo

    if lift:
        change = lift_embargo(app.store, guid, now=views.now())
        _report(change, as_json, push_change(app, change, no_push))
        return
    assert until is not None
    change = embargo_article(app.store, guid, until=until, now=views.now())
    _report(change, as_json, push_change(app, change, no_push))


@articles.command()
@click.argument("guid", metavar="ID")
@click.option("--note", default="", help="Why it may go out (the editor's note).")
@push_option
@opts.json_option
@pass_app
def release(
    app: AppContext, guid: str, note: str, no_push: bool, as_json: bool
) -> None:
    """Release a held article: feeds may carry it again.

    Ingest holds a story that carries another agency's credit or whose usage
    terms forbid republication; `articles show` says why. Releasing appends a
    version without the hold. An article that is not held is left as it is.

    Example: syndication articles release ID --note "Our own story; credit checked"
    """
    from syndication.articles.editorial import release_article

    change = release_article(app.store, guid, note=note, now=views.now())
    _report(change, as_json, push_change(app, change, no_push))


@articles.command(name="distribution")
@click.argument("guid", metavar="ID")
@click.argument("distribution", type=click.Choice(["syndicate", "internal"]))
@push_option
@opts.json_option
@pass_app
def distribution(
    app: AppContext, guid: str, distribution: str, no_push: bool, as_json: bool
) -> None:
    """Syndicate an article, or keep it internal (out of every feed).

    Appends a version with the new distribution; feeds that carried an internal
    article drop it when they are next published (at once unless --no-push).

    Example: syndication articles distribution ID internal
    """
    from syndication.articles.editorial import set_distribution
    from syndication.articles.model import Distribution

    change = set_distribution(
        app.store, guid, Distribution(distribution), now=views.now()
    )
    _report(change, as_json, push_change(app, change, no_push))


# Publishing: kill, correct, embargo (--until and --lift), release and
# distribution publish the affected feeds at once through the fast lane
# (cli/schedule.py) after the change is stored, unless --no-push.
# The push is reported (and in --json under "push") when it published any feed.
def _report(change: Change, as_json: bool, push: PushReport | None = None) -> None:
    published = push is not None and bool(push.feeds)
    if as_json:
        document = {
            "action": change.action,
            "guid": change.guid,
            "changed": change.created,
            "before": views.change_summary(change.before),
            "after": views.change_summary(change.after),
        }
        if push is not None and published:
            document["push"] = push_to_dict(push)
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(views.describe_change(change))
        if push is not None and published:
            echo_push(push, as_json=False)
    if push is not None and push.exit_code:
        raise click.exceptions.Exit(push.exit_code)
