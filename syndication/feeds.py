"""Feed definitions: feeds/*.toml → frozen, typed :class:`FeedDefinition` values.

One file per partner feed. :func:`load_feeds` returns the good definitions and a
list of problems for the bad ones, so one broken file never stops the others.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from syndication.errors import ConfigError
from syndication.store.base import Selection

FEED_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FORMATS = ("rss", "atom", "newsml")
OPT_IN_FORMATS = ("ninjs",)  # allowed when a feed names them; not the default
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


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
class FeedProblem:
    path: str
    key: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path} [{self.key}]: {self.message}"
            if self.key
            else (f"{self.path}: {self.message}")
        )


@dataclass(frozen=True)
class FeedSet:
    """What :func:`load_feeds` found: good definitions by id, and problems."""

    feeds: Mapping[str, FeedDefinition]
    problems: tuple[FeedProblem, ...]

    def get(self, feed_id: str) -> FeedDefinition:
        try:
            return self.feeds[feed_id]
        except KeyError:
            for problem in self.problems:
                if Path(problem.path).stem == feed_id:
                    raise ConfigError(
                        problem.message, path=problem.path, key=problem.key
                    ) from None
            known = ", ".join(sorted(self.feeds)) or "none"
            raise ConfigError(f"no feed {feed_id!r}; defined feeds: {known}") from None


_TOP = {
    "id",
    "partner",
    "title",
    "description",
    "link",
    "formats",
    "limit",
    "selection",
    "credit",
    "destination",
    "schedule",
}
_SELECTION = {"subjects", "keywords", "languages", "providers", "max_urgency", "window"}
_CREDIT = {"line", "append_paragraph"}
_DESTINATION = {"name", "path"}
_SCHEDULE = {"interval", "cron", "timezone"}


def load_feeds(folder: Path, destinations: Sequence[str] = ()) -> FeedSet:
    """Read every ``*.toml`` in ``folder`` (sorted by name)."""
    feeds: dict[str, FeedDefinition] = {}
    problems: list[FeedProblem] = []
    if not folder.is_dir():
        return FeedSet({}, (FeedProblem(str(folder), "", "feeds folder not found"),))
    for path in sorted(folder.glob("*.toml")):
        try:
            feed = load_feed(path, destinations)
        except ConfigError as exc:
            problems.append(FeedProblem(str(path), exc.key or "", exc.detail))
            continue
        if feed.feed_id in feeds:
            other = feeds[feed.feed_id].source
            problems.append(
                FeedProblem(
                    str(path), "id", f"feed id {feed.feed_id!r} is also used by {other}"
                )
            )
            continue
        feeds[feed.feed_id] = feed
    return FeedSet(feeds, tuple(problems))


def load_feed(path: Path, destinations: Sequence[str] = ()) -> FeedDefinition:
    """Read and validate one feed definition. Raises :class:`ConfigError`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=path) from exc
    return feed_from_mapping(data, path, destinations)


def feed_from_mapping(
    data: Mapping[str, Any], path: Path, destinations: Sequence[str] = ()
) -> FeedDefinition:
    _known(data, _TOP, "", path)
    feed_id = _get(data, "id", str, path, required=True)
    if not FEED_ID.match(feed_id):
        raise ConfigError(
            "feed id may hold only letters, digits, '-' and '_' (at most 64)",
            path=path,
            key="id",
        )
    formats = tuple(_get(data, "formats", list, path, default=list(FORMATS)))
    for fmt in formats:
        if fmt not in FORMATS + OPT_IN_FORMATS:
            raise ConfigError(
                f"unknown format {fmt!r}; known: {', '.join(FORMATS + OPT_IN_FORMATS)}",
                path=path,
                key="formats",
            )
    if not formats:
        raise ConfigError("at least one format is required", path=path, key="formats")
    limit = _get(data, "limit", int, path, default=50)
    if not 1 <= limit <= 1000:
        raise ConfigError("expected 1 to 1000", path=path, key="limit")

    sel = _table(data, "selection", _SELECTION, path)
    max_urgency = _get(sel, "max_urgency", int, path, default=9, prefix="selection.")
    if not 1 <= max_urgency <= 9:
        raise ConfigError("expected 1 to 9", path=path, key="selection.max_urgency")
    window_text = _get(sel, "window", str, path, default="", prefix="selection.")
    subjects = _strings(sel, "subjects", path, "selection.")
    for qcode in subjects:
        if ":" not in qcode:
            raise ConfigError(
                f"subject {qcode!r} needs a scheme prefix, e.g. medtop:20000764",
                path=path,
                key="selection.subjects",
            )
    selection = Selection(
        subjects=subjects,
        keywords=_strings(sel, "keywords", path, "selection."),
        languages=_strings(sel, "languages", path, "selection."),
        providers=_strings(sel, "providers", path, "selection."),
        max_urgency=max_urgency,
        window=parse_duration(window_text, path, "selection.window")
        if window_text
        else None,
        limit=limit,
    )

    cred = _table(data, "credit", _CREDIT, path)
    credit = CreditPolicy(
        line=" ".join(
            _get(cred, "line", str, path, default="", prefix="credit.").split()
        ),
        append_paragraph=_get(
            cred, "append_paragraph", bool, path, default=True, prefix="credit."
        ),
    )

    dest = _table(data, "destination", _DESTINATION, path)
    destination = _get(dest, "name", str, path, default="", prefix="destination.")
    if destination and destinations and destination not in destinations:
        raise ConfigError(
            f"unknown destination {destination!r}; "
            f"configured: {', '.join(sorted(destinations))}",
            path=path,
            key="destination.name",
        )
    feed_path = _get(dest, "path", str, path, default="", prefix="destination.")
    if feed_path and not all(FEED_ID.match(part) for part in feed_path.split("/")):
        raise ConfigError(
            "path segments may hold only letters, digits, '-' and '_'",
            path=path,
            key="destination.path",
        )

    schedule = None
    if "schedule" in data:
        sched = _table(data, "schedule", _SCHEDULE, path)
        interval = _get(sched, "interval", str, path, default="", prefix="schedule.")
        cron = _get(sched, "cron", str, path, default="", prefix="schedule.")
        if bool(interval) == bool(cron):
            raise ConfigError(
                "give exactly one of interval (e.g. '15m') "
                "or cron (e.g. '*/15 * * * *')",
                path=path,
                key="schedule",
            )
        if cron and len(cron.split()) != 5:
            raise ConfigError(
                "cron needs five fields: minute hour day month weekday",
                path=path,
                key="schedule.cron",
            )
        schedule = Schedule(
            interval=parse_duration(interval, path, "schedule.interval")
            if interval
            else None,
            cron=cron,
            timezone=_get(
                sched, "timezone", str, path, default="UTC", prefix="schedule."
            ),
        )

    return FeedDefinition(
        feed_id=feed_id,
        partner=_get(data, "partner", str, path, required=True),
        title=_get(data, "title", str, path, required=True),
        description=_get(data, "description", str, path, required=True),
        link=_get(data, "link", str, path, required=True),
        formats=formats,
        selection=selection,
        credit=credit,
        destination=destination,
        path=feed_path,
        schedule=schedule,
        source=path,
    )


def parse_duration(text: str, path: Path | None = None, key: str = "") -> timedelta:
    """``'90s'``, ``'15m'``, ``'2h'``, ``'3d'``, ``'1w'`` → timedelta."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ConfigError(
            f"expected a duration such as '15m', '2h' or '3d', got {text!r}",
            path=path,
            key=key,
        )
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def _known(data: Mapping[str, Any], allowed: set[str], prefix: str, path: Path) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"unknown key; expected one of {', '.join(sorted(allowed))}",
                path=path,
                key=f"{prefix}{key}",
            )


def _table(
    data: Mapping[str, Any], name: str, allowed: set[str], path: Path
) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError("expected a table", path=path, key=name)
    _known(value, allowed, f"{name}.", path)
    return value


def _get(
    data: Mapping[str, Any],
    key: str,
    kind: type,
    path: Path,
    *,
    required: bool = False,
    default: Any = None,
    prefix: str = "",
) -> Any:
    if key not in data:
        if required:
            raise ConfigError("missing required value", path=path, key=prefix + key)
        return default
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(
            f"expected {kind.__name__}, got {type(value).__name__} {value!r}",
            path=path,
            key=prefix + key,
        )
    if isinstance(value, str) and required and not value.strip():
        raise ConfigError("must not be empty", path=path, key=prefix + key)
    return value


def _strings(
    data: Mapping[str, Any], key: str, path: Path, prefix: str
) -> tuple[str, ...]:
    value = _get(data, key, list, path, default=[], prefix=prefix)
    if not all(isinstance(v, str) and v for v in value):
        raise ConfigError(
            "expected a list of non-empty strings", path=path, key=prefix + key
        )
    return tuple(value)
