"""Feed definitions: feeds/*.toml → frozen, typed :class:`FeedDefinition` values.

One file per partner feed, checked by the :class:`FeedFile` model: every problem
of a file is reported at once with file and key. :func:`load_feeds` returns the
good definitions and the problems of the others, so one broken file, or two feeds
that would write to the same place (see :mod:`syndication.feed_paths`), never
stop the rest. Limits (README, Feeds): ids up to 64 characters, ``limit`` 1 to
1000, ``window`` and schedule intervals up to 366 days, lists up to 200 entries,
links absolute http(s) URLs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from syndication.definitions import (
    MAX_LIST,
    HttpUrl,
    KeyPath,
    Table,
    between,
    check,
    duration,
    is_regular_file,
    problem,
    read_toml,
    short,
    show,
    small_number,
    text,
)
from syndication.definitions import parse_duration as parse_duration
from syndication.errors import ConfigError, ConfigProblem
from syndication.store.base import Selection

if TYPE_CHECKING:
    from syndication.config import DestinationConfig, Settings

log = logging.getLogger(__name__)

# Ledger columns hold 128 characters (store/tables.py); ids are folder names too.
FEED_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FORMATS = ("rss", "atom", "newsml")
OPT_IN_FORMATS = ("ninjs",)  # allowed when a feed names them; not the default
MAX_WINDOW = timedelta(days=366)
MAX_INTERVAL = timedelta(days=366)

# A problem with a feed definition: file, key, message.
FeedProblem = ConfigProblem


@dataclass(frozen=True)
class CreditPolicy:
    """``line`` overrides the site's canonical credit line for this feed when set;
    ``append_paragraph`` puts it once as the body's final paragraph."""

    line: str = ""
    append_paragraph: bool = True


@dataclass(frozen=True)
class Schedule:
    """When the scheduler publishes the feed: every ``interval`` or on ``cron``."""

    interval: timedelta | None = None
    cron: str = ""
    timezone: str = "UTC"


@dataclass(frozen=True)
class FeedDefinition:
    feed_id: str
    partner: str
    title: str
    description: str
    link: str
    formats: tuple[str, ...] = FORMATS
    selection: Selection = field(default_factory=Selection)
    credit: CreditPolicy = field(default_factory=CreditPolicy)
    destination: str = ""
    path: str = ""
    schedule: Schedule | None = None
    source: Path | None = field(default=None, compare=False)

    @property
    def prefix(self) -> str:
        """The feed's folder at its destination (``path``, else the feed id)."""
        return self.path or self.feed_id


@dataclass(frozen=True)
class FeedSet:
    """What :func:`load_feeds` found: good definitions by id, and problems.

    ``refused`` maps the id of each feed that was read but refused (it collides
    with another) to its problems."""

    feeds: Mapping[str, FeedDefinition]
    problems: tuple[ConfigProblem, ...]
    refused: Mapping[str, tuple[ConfigProblem, ...]] = field(default_factory=dict)

    def get(self, feed_id: str) -> FeedDefinition:
        try:
            return self.feeds[feed_id]
        except KeyError:
            if feed_id in self.refused:
                raise ConfigError.from_problems(self.refused[feed_id]) from None
            mine = [p for p in self.problems if Path(p.path).stem == feed_id]
            if mine:
                raise ConfigError.from_problems(mine) from None
            known = ", ".join(sorted(self.feeds)) or "none"
            raise ConfigError(f"no feed {feed_id!r}; defined feeds: {known}") from None


# -- the file model ------------------------------------------------------------------


def _feed_id(value: str) -> str:
    if not FEED_ID.match(value):
        raise problem("feed id may hold only letters, digits, '-' and '_' (at most 64)")
    return value


def _formats(value: list[str]) -> list[str]:
    for fmt in value:
        if fmt not in FORMATS + OPT_IN_FORMATS:
            known = ", ".join(FORMATS + OPT_IN_FORMATS)
            raise problem(f"unknown format {short(fmt)}; known: {known}")
    twice = sorted({fmt for fmt in value if value.count(fmt) > 1})
    if twice:
        raise problem(f"{', '.join(twice)} listed more than once")
    if not value:
        raise problem("at least one format is required")
    return value


def _qcode(value: str) -> str:
    scheme, _, code = value.partition(":")
    if not scheme or not code or len(value) > 128 or any(c.isspace() for c in value):
        raise problem(
            f"subject {short(value)} needs a scheme prefix, "
            "e.g. medtop:20000764 (at most 128 characters, no spaces)"
        )
    return value


_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def _language(value: str) -> str:
    if len(value) > 35 or not _LANGUAGE.match(value):
        raise problem(
            f"expected a language tag such as 'en' or 'pt-BR', got {show(value)}"
        )
    return value


_MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("weekday", 0, 6, _DAYS),
)
_CRON_ITEM = re.compile(r"^(?:(\*)|(\w{1,3})(?:-(\w{1,3}))?)(?:/(\d{1,2}))?$")


def _cron(value: str) -> str:
    """Standard five-field cron (numbers, ranges, steps, lists, month and day
    names): a subset of what APScheduler's ``CronTrigger.from_crontab`` takes,
    checked here so a bad expression is a problem of the file, not of the run."""
    parts = value.split()
    if len(value) > 100 or len(parts) != 5:
        raise problem("cron needs five fields: minute hour day month weekday")
    for part, (name, low, high, names) in zip(parts, _CRON_FIELDS, strict=True):
        for item in part.lower().split(","):
            if not _cron_item(item, low, high, names):
                raise problem(
                    f"invalid {name} field {part!r} in cron {value!r}: use *, N, "
                    f"N-M, */S or N-M/S with N <= M from {low} to {high}"
                    + (f" (or {names[0]}-{names[-1]})" if names else "")
                )
    return value


def _cron_item(item: str, low: int, high: int, names: Sequence[str]) -> bool:
    match = _CRON_ITEM.match(item)
    if not match:
        return False
    star, first, last, step = match.groups()

    def number(word: str) -> int | None:
        found = small_number(word, 3)
        if found is not None:
            return found
        return names.index(word) + low if word in names else None

    if star:
        start, end = low, high
    else:
        start_n = number(first)
        end_n = number(last) if last else start_n
        if start_n is None or end_n is None or not low <= start_n <= end_n <= high:
            return False
        start, end = start_n, end_n
        if step and not last:
            return False
    return not step or 1 <= int(step) <= max(end - start, 1)


def _zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        if len(value) > 64:
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise problem(f"unknown time zone {short(value)}") from None
    return value


def _name(value: str) -> str:
    if value and not FEED_ID.match(value):
        raise problem(
            "destination names hold only letters, digits, '-' and '_' (at most 64)"
        )
    return value


Words = Annotated[
    list[Annotated[str, AfterValidator(text(128))]], Field(max_length=MAX_LIST)
]


class SelectionTable(Table):
    subjects: Annotated[
        list[Annotated[str, AfterValidator(_qcode)]], Field(max_length=MAX_LIST)
    ] = Field(default_factory=list)
    keywords: Words = Field(default_factory=list)
    languages: Annotated[
        list[Annotated[str, AfterValidator(_language)]], Field(max_length=MAX_LIST)
    ] = Field(default_factory=list)
    providers: Words = Field(default_factory=list)
    max_urgency: Annotated[int, AfterValidator(between(1, 9))] = 9
    window: Annotated[str, AfterValidator(duration(MAX_WINDOW))] | None = None


class CreditTable(Table):
    line: Annotated[str, AfterValidator(text(1000, required=False))] = ""
    append_paragraph: bool = True


class DestinationTable(Table):
    name: Annotated[str, AfterValidator(_name)] = ""
    path: KeyPath = ""

    @model_validator(mode="after")
    def _configured(self, info: ValidationInfo) -> DestinationTable:
        names = (info.context or {}).get("destinations") or ()
        if self.name and names and self.name not in names:
            raise problem(
                f"unknown destination {self.name!r}; "
                f"configured: {', '.join(sorted(names))}"
            )
        return self


class ScheduleTable(Table):
    interval: Annotated[str, AfterValidator(duration(MAX_INTERVAL))] | None = None
    cron: Annotated[str, AfterValidator(_cron)] | None = None
    timezone: Annotated[str, AfterValidator(_zone)] = "UTC"

    @model_validator(mode="after")
    def _one(self) -> ScheduleTable:
        if (self.interval is None) == (self.cron is None):
            raise problem(
                "give exactly one of interval (e.g. '15m') "
                "or cron (e.g. '*/15 * * * *')"
            )
        return self


Label = Annotated[str, AfterValidator(text(200))]


class FeedFile(Table):
    """One feed definition file, as written."""

    id: Annotated[str, AfterValidator(_feed_id)]
    partner: Label
    title: Label
    description: Annotated[str, AfterValidator(text(2000))]
    link: Annotated[HttpUrl, AfterValidator(text(2048))]  # required: not empty
    formats: Annotated[
        list[str], Field(max_length=MAX_LIST), AfterValidator(_formats)
    ] = Field(default_factory=lambda: list(FORMATS))
    limit: Annotated[int, AfterValidator(between(1, 1000))] = 50
    selection: SelectionTable = SelectionTable()
    credit: CreditTable = CreditTable()
    destination: DestinationTable = DestinationTable()
    schedule: ScheduleTable | None = None


# -- loading -------------------------------------------------------------------------


def load_site_feeds(settings: Settings) -> FeedSet:
    """The feeds of a site: :func:`load_feeds` with its destinations."""
    return load_feeds(
        settings.feeds_dir,
        settings.destinations,
        default_destination=settings.default_destination,
    )


def load_feeds(
    folder: Path,
    destinations: Sequence[str] | Mapping[str, DestinationConfig] = (),
    *,
    default_destination: str = "local",
) -> FeedSet:
    """Read every ``*.toml`` in ``folder`` (sorted by name).

    ``destinations`` are the configured ones (by name, or the site's tables so
    that two names for one folder or bucket are seen as one place). Anything
    but a regular file is skipped with a warning. Feeds sharing an id, or whose
    folders are the same or one inside the other at one place, are all refused.
    """
    from syndication.feed_paths import find_collisions

    if not folder.is_dir():
        return FeedSet({}, (ConfigProblem(str(folder), "", "feeds folder not found"),))
    found: list[FeedDefinition] = []
    problems: list[ConfigProblem] = []
    for path in sorted(folder.glob("*.toml")):
        if not is_regular_file(path):
            log.warning(
                "%s: not a regular file (a folder, FIFO or device); skipped", path
            )
            continue
        try:
            found.append(load_feed(path, destinations))
        except ConfigError as exc:
            problems.extend(exc.problems)
    refused = find_collisions(found, destinations, default_destination)
    for feed_problems in refused.values():
        problems.extend(feed_problems)
    feeds = {f.feed_id: f for f in found if f.feed_id not in refused}
    return FeedSet(feeds, tuple(problems), refused)


def load_feed(
    path: Path, destinations: Sequence[str] | Mapping[str, Any] = ()
) -> FeedDefinition:
    """Read and check one feed definition. Raises :class:`ConfigError` with every
    problem of the file."""
    return feed_from_mapping(read_toml(path), path, destinations)


def feed_from_mapping(
    data: Mapping[str, Any],
    path: Path,
    destinations: Sequence[str] | Mapping[str, Any] = (),
) -> FeedDefinition:
    """Check an already-parsed feed file. Raises :class:`ConfigError`."""
    table, problems = check(
        FeedFile, data, path, context={"destinations": tuple(destinations)}
    )
    if table is None:
        raise ConfigError.from_problems(problems)
    schedule = table.schedule
    return FeedDefinition(
        feed_id=table.id,
        partner=table.partner,
        title=table.title,
        description=table.description,
        link=table.link,
        formats=tuple(table.formats),
        selection=Selection(
            subjects=tuple(table.selection.subjects),
            keywords=tuple(table.selection.keywords),
            languages=tuple(table.selection.languages),
            providers=tuple(table.selection.providers),
            max_urgency=table.selection.max_urgency,
            window=_timedelta(table.selection.window, MAX_WINDOW),
            limit=table.limit,
        ),
        credit=CreditPolicy(
            line=" ".join(table.credit.line.split()),
            append_paragraph=table.credit.append_paragraph,
        ),
        destination=table.destination.name,
        path=table.destination.path,
        schedule=None
        if schedule is None
        else Schedule(
            interval=_timedelta(schedule.interval, MAX_INTERVAL),
            cron=schedule.cron or "",
            timezone=schedule.timezone,
        ),
        source=path,
    )


def _timedelta(value: str | None, maximum: timedelta) -> timedelta | None:
    return None if value is None else parse_duration(value, maximum=maximum)
