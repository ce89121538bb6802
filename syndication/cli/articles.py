"""Article commands: ``ingest`` and the ``articles`` group (list, show, kill,
correct, embargo). Each parses options, calls one library function and formats
its result; results go to stdout, warnings to stderr through logging."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from syndication.cli import AppContext, pass_app

if TYPE_CHECKING:
    from syndication.articles.editorial import Change
    from syndication.articles.ingest import IngestOptions, StoredStory
    from syndication.articles.model import Subject, Version

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
_QCODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_.-]+$")


class AwareTime(click.ParamType):  # type: ignore[type-arg]  # generic only in stubs
    """An ISO 8601 time with a zone (``2026-06-20T08:00:00Z``); with
    ``dates=True`` a bare ``YYYY-MM-DD`` means 00:00 UTC that day."""

    name = "TIME"

    def __init__(self, *, dates: bool = False) -> None:
        self.dates = dates

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        if self.dates and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return datetime.combine(
                    date.fromisoformat(text), datetime.min.time(), UTC
                )
            except ValueError:
                self.fail(f"{text!r} is not a date", param, ctx)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{text!r} is not an ISO 8601 time such as 2026-06-20T08:00:00Z",
                param,
                ctx,
            )
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.fail(
                f"{text!r} has no time zone; add Z or an offset such as +02:00",
                param,
                ctx,
            )
        return moment.astimezone(UTC)


def json_option(function: F) -> F:
    """``--json``: print JSON for scripts instead of text."""
    option = click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print JSON (for scripts) instead of text.",
    )
    return option(function)


def wire_options(function: F) -> F:
    """``--format``, ``--date``, ``--subject`` and ``--language``: reading stories."""
    options = [
        click.option(
            "--format",
            "input_format",
            type=click.Choice(["auto", "json", "wire"]),
            default="auto",
            show_default=True,
            help="Story format; auto detects JSON by content or .json name.",
        ),
        click.option(
            "--date",
            "reference_date",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            metavar="YYYY-MM-DD",
            help="Date that gives wire datelines their year.  [default: the file's "
            "modification date]",
        ),
        click.option(
            "--subject",
            "subjects",
            multiple=True,
            metavar="QCODE=Label",
            help="Subject for wire copy (repeatable), e.g. medtop:20000764=rights.",
        ),
        click.option(
            "--language",
            metavar="TAG",
            help="BCP 47 language of wire copy.  [default: en]",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@wire_options
@json_option
@pass_app
def ingest(
    app: AppContext,
    paths: tuple[Path, ...],
    input_format: str,
    reference_date: datetime | None,
    subjects: tuple[str, ...],
    language: str | None,
    as_json: bool,
) -> None:
    """Store stories from files or folders as new articles or new versions.

    Folders are read recursively in sorted order. Each file is JSON in the article
    format (schemas/article.schema.json) or plain wire copy; each is stored on its
    own, so a bad file stores nothing while the good ones are kept. Re-ingesting
    identical content changes nothing. Every bad file is reported and the exit
    code is 3. Wire datelines carry no year: it comes from --date or each file's
    date, as the output says.

    Example: syndication ingest examples/stories --date 2026-06-20
    """
    from syndication.articles.ingest import StoredStory, batch_error, iter_ingest
    from syndication.errors import InputProblem

    options = _ingest_options(input_format, reference_date, subjects, language)
    stored: list[StoredStory] = []
    problems: list[InputProblem] = []
    for outcome in iter_ingest(app.store, app.settings, paths, options):
        if isinstance(outcome, StoredStory):
            stored.append(outcome)
            if not as_json:
                click.echo(_stored_line(outcome))
        else:
            problems.append(outcome)
    counts = {
        a: sum(s.action == a for s in stored) for a in ("new article", "new version")
    }
    log.info(
        "%d file(s): %d new article(s), %d new version(s), %d unchanged, %d bad",
        len(stored) + len({p.path for p in problems}),
        counts["new article"],
        counts["new version"],
        len(stored) - sum(counts.values()),
        len({p.path for p in problems}),
    )
    if as_json:
        document = {
            "stored": [
                {
                    "path": s.path,
                    "guid": s.guid,
                    "action": s.action,
                    "version": s.version,
                    "previous": s.previous,
                    "format": s.format.value,
                    "year_source": s.year_source or None,
                }
                for s in stored
            ],
            "problems": [
                {"path": p.path, "line": p.line, "field": p.field, "message": p.message}
                for p in problems
            ],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    error = batch_error(problems, len(stored) + len({p.path for p in problems}))
    if error is not None:
        raise error


@click.group()
def articles() -> None:
    """List, show and edit stored articles.

    Editing never changes a stored version: kill, correct and embargo each append
    a new version, which feeds carry on their next scheduled build.

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
    type=AwareTime(dates=True),
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
@json_option
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
            _time(v.version_created),
            _embargo(v) if v.embargo_until else "-",
            _clip(v.headline, 60),
        )
        for v in versions
    ]
    header = ("ID", "V", "STATUS", "URG", "LANG", "CREATED", "EMBARGO", "HEADLINE")
    _table(header, rows)


@articles.command()
@click.argument("guid", metavar="ID")
@click.option("--version", "number", type=click.IntRange(min=1), help="This version.")
@click.option("--history", is_flag=True, help="Every version, oldest first.")
@json_option
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
        header = ("V", "CREATED", "STATUS", "EMBARGO", "CORRECTION", "NOTE", "HEADLINE")
        _table(header, [_history_row(v) for v in versions])
        return
    version = versions[-1] if number is None else app.store.get(guid, number)
    if as_json:
        click.echo(json.dumps(version_to_dict(version), indent=2, ensure_ascii=False))
        return
    click.echo(_describe_version(version, len(versions)))


@articles.command()
@click.argument("guid", metavar="ID")
@click.option("--reason", required=True, help="Why (sent to partners as the note).")
@json_option
@pass_app
def kill(app: AppContext, guid: str, reason: str, as_json: bool) -> None:
    """Withdraw an article: a new version with status canceled.

    The reason becomes the editor's note partners see with the kill.

    Example: syndication articles kill ID --reason "Withdrawn on legal advice"
    """
    from syndication.articles.editorial import kill_article

    _report(kill_article(app.store, guid, reason=reason, now=_now()), as_json)


@articles.command()
@click.argument("guid", metavar="ID")
@click.argument("story", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", required=True, help="What was corrected (the editor's note).")
@wire_options
@json_option
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
    as_json: bool,
) -> None:
    """Replace an article with a corrected story, marked as a correction.

    STORY is a JSON or wire-copy file, read like ingest reads it; its content
    becomes the new version whatever id it would otherwise get. Wire copy keeps
    the article's language and subjects unless given, and an embargo on the
    article stays unless the file sets one.

    Example: syndication articles correct ID fixed.json --note "Corrects the death toll"
    """
    from syndication.articles.editorial import correct_from_file

    options = _ingest_options(input_format, reference_date, subjects, language)
    change = correct_from_file(
        app.store, app.settings, guid, story, note=note, now=_now(), options=options
    )
    _report(change, as_json)


@articles.command()
@click.argument("guid", metavar="ID")
@click.option(
    "--until", type=AwareTime(), help="Hold until this ISO 8601 time (with zone)."
)
@click.option("--lift", is_flag=True, help="Release now: remove the embargo.")
@json_option
@pass_app
def embargo(
    app: AppContext, guid: str, until: datetime | None, lift: bool, as_json: bool
) -> None:
    """Hold an article until a time, or lift its embargo.

    Exactly one of --until and --lift. Feeds leave an embargoed article out until
    the time passes.

    Example: syndication articles embargo ID --until 2026-06-21T06:00:00Z
    """
    if until is not None and lift:
        raise click.UsageError("--until and --lift cannot be used together")
    if until is None and not lift:
        raise click.UsageError("give --until TIME or --lift")
    from syndication.articles.editorial import embargo_article, lift_embargo

    if lift:
        change = lift_embargo(app.store, guid, now=_now())
    else:
        assert until is not None
        change = embargo_article(app.store, guid, until=until, now=_now())
    _report(change, as_json)


# Publishing: kill, correct and embargo only append a version; feeds carry it on
# their next scheduled build. When a later issue adds the fast lane (publish the
# affected feeds at once), it hooks in here, after the change is stored, behind a
# --no-push option on these three commands.
def _report(change: Change, as_json: bool) -> None:
    if as_json:
        click.echo(
            json.dumps(
                {
                    "action": change.action,
                    "guid": change.guid,
                    "changed": change.created,
                    "before": _summary(change.before),
                    "after": _summary(change.after),
                },
                indent=2,
            )
        )
        return
    click.echo(describe_change(change))


def describe_change(change: Change) -> str:
    """One line: ``ID: version 1 → 2; status usable → canceled; note: …``."""
    before, after = change.before, change.after
    if not change.created:
        return f"{change.guid}: unchanged (version {before.version} already says this)"
    parts = [f"version {before.version} → {after.version}"]
    if before.status is not after.status:
        parts.append(f"status {before.status.value} → {after.status.value}")
    else:
        parts.append(f"status {after.status.value}")
    if before.embargo_until != after.embargo_until:
        parts.append(f"embargo {_embargo(before)} → {_embargo(after)}")
    if change.action == "correct":
        parts.append("marked as a correction")
        if before.headline != after.headline:
            parts.append(f"headline: {after.headline}")
    if change.action in ("kill", "correct"):
        parts.append(f"note: {after.ed_note}")
    return f"{change.guid}: " + "; ".join(parts)


def _summary(version: Version) -> dict[str, Any]:
    return {
        "version": version.version,
        "status": version.status.value,
        "embargo_until": _time(version.embargo_until)
        if version.embargo_until
        else None,
        "is_correction": version.is_correction,
        "ed_note": version.ed_note,
        "headline": version.headline,
    }


def _ingest_options(
    input_format: str,
    reference_date: datetime | None,
    subjects: Sequence[str],
    language: str | None,
) -> IngestOptions:
    from syndication.articles.ingest import IngestOptions, InputFormat, check_language
    from syndication.errors import InputError

    if language is not None:
        try:
            check_language(language)
        except InputError as exc:
            raise click.BadParameter(str(exc), param_hint="--language") from exc
    return IngestOptions(
        format=InputFormat(input_format),
        date=reference_date.date() if reference_date else None,
        language=language,
        subjects=tuple(_subject(s) for s in subjects),
    )


def _subject(text: str) -> Subject:
    from syndication.articles.model import Subject

    qcode, separator, label = text.partition("=")
    if not separator or not _QCODE.match(qcode.strip()) or not label.strip():
        raise click.BadParameter(
            f"{text!r} is not QCODE=Label, e.g. medtop:20000764=civil rights",
            param_hint="--subject",
        )
    return Subject(qcode.strip(), label.strip())


def _describe_version(v: Version, total: int) -> str:
    from syndication.articles.sanitize import body_text

    lines = [
        f"id:            {v.guid}",
        f"version:       {v.version} of {total}"
        + (" (correction)" if v.is_correction else ""),
        f"status:        {v.status.value}",
        f"embargo:       {_embargo(v)}",
        f"headline:      {v.headline}",
    ]
    optional = [
        ("slugline", v.slugline),
        ("summary", v.summary),
        ("bylines", ", ".join(f"{b.name} ({b.role.value})" for b in v.bylines)),
        ("dateline", str(v.dateline) if v.dateline else ""),
        ("language", v.language),
        ("subjects", ", ".join(f"{s.qcode} ({s.name})" for s in v.subjects)),
        ("keywords", ", ".join(v.keywords)),
        ("urgency", str(v.urgency)),
        ("created", _time(v.version_created)),
        ("first created", _time(v.first_created)),
        ("provider", v.provider),
        ("credit line", v.credit_line or "(site default)"),
        ("link", v.link),
        ("images", ", ".join(i.href for i in v.images)),
        ("note", v.ed_note),
    ]
    lines += [f"{name + ':':<14} {value}" for name, value in optional if value]
    lines += ["", "\n\n".join(body_text(v.body))]
    return "\n".join(lines)


def _history_row(v: Version) -> tuple[str, ...]:
    return (
        str(v.version),
        _time(v.version_created),
        v.status.value,
        _embargo(v),
        "yes" if v.is_correction else "-",
        _clip(v.ed_note, 30) or "-",
        _clip(v.headline, 50),
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=True)]
        click.echo("  ".join(cells).rstrip())


def _stored_line(story: StoredStory) -> str:
    if story.action == "new article":
        text = f"{story.path}: new article {story.guid} (version {story.version})"
    elif story.action == "new version":
        text = (
            f"{story.path}: new version {story.version} of {story.guid} "
            f"(was {story.previous})"
        )
    else:
        text = f"{story.path}: unchanged {story.guid} (version {story.version})"
    return f"{text}; {story.year_source}" if story.year_source else text


def _embargo(version: Version) -> str:
    if version.embargo_until is None:
        return "none"
    word = "until" if version.embargo_until > _now() else "ended"
    return f"{word} {_time(version.embargo_until)}"


def _time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _now() -> datetime:
    return datetime.now(UTC)
