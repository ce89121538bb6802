"""Options shared by the article commands: --json, aware times, and how to read
stories (--format, --date, --subject, --language)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from syndication.articles.ingest import IngestOptions
    from syndication.articles.model import Subject

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
            type=click.Choice(["auto", "json", "wire", "newsml", "ninjs"]),
            default="auto",
            show_default=True,
            help="Story format; auto detects NewsML-G2 (XML), ninjs and the JSON "
            "article format by content (JSON also by a .json name), else wire copy.",
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
            help="Subject for wire copy (repeatable), e.g. medtop:14000000=society.",
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


def ingest_options(
    input_format: str,
    reference_date: datetime | None,
    subjects: Sequence[str],
    language: str | None,
    *,
    revive: bool = False,
) -> IngestOptions:
    from syndication.articles.ingest import IngestOptions, InputFormat, check_language
    from syndication.articles.ingest.limits import FIRST_YEAR, LAST_YEAR
    from syndication.errors import InputError

    if language is not None:
        try:
            check_language(language)
        except InputError as exc:
            raise click.BadParameter(str(exc), param_hint="--language") from exc
    if reference_date and not FIRST_YEAR <= reference_date.year <= LAST_YEAR:
        raise click.BadParameter(
            f"{reference_date.date().isoformat()} is outside the years {FIRST_YEAR} to "
            f"{LAST_YEAR}",
            param_hint="--date",
        )
    return IngestOptions(
        format=InputFormat(input_format),
        date=reference_date.date() if reference_date else None,
        language=language,
        subjects=tuple(subject(s) for s in subjects),
        revive=revive,
    )


def subject(text: str) -> Subject:
    from syndication.articles.ingest import MAX_QCODE_LENGTH
    from syndication.articles.ingest.limits import one_line
    from syndication.articles.model import Subject

    qcode, separator, label = text.partition("=")
    qcode, label = qcode.strip(), one_line(label)
    if (
        not separator
        or not _QCODE.fullmatch(qcode)
        or len(qcode) > MAX_QCODE_LENGTH
        or not label
    ):
        raise click.BadParameter(
            f"{text!r} is not QCODE=Label, e.g. medtop:14000000=society (a QCode "
            f"of at most {MAX_QCODE_LENGTH} characters)",
            param_hint="--subject",
        )
    return Subject(qcode, label)
