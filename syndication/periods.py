"""Archive periods (RFC 5005 archived feeds): which span of time an archive
document covers, in UTC.

A period is hourly, daily, weekly (ISO weeks, Monday to Monday) or monthly,
and runs from its ``start`` (included) to its ``end`` (excluded). Its ``ident``
names it in keys and is what a partner sees in the archive's address:
``2026-11-28T13`` (hourly), ``2026-11-28`` (daily), ``2026-W48`` (weekly,
the ISO week-numbering year), ``2026-11`` (monthly); idents of one kind sort
as their periods do. Pure functions: no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from syndication.articles.model import utc


class PeriodKind(Enum):
    """How long each archive document's span of time is."""

    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True, order=True)
class Period:
    """One span of time: [``start``, ``end``), both UTC."""

    start: datetime
    end: datetime
    kind: PeriodKind

    @property
    def ident(self) -> str:
        """The period's name in keys (see the module docstring)."""
        start = self.start
        if self.kind is PeriodKind.HOURLY:
            return start.strftime("%Y-%m-%dT%H")
        if self.kind is PeriodKind.DAILY:
            return start.strftime("%Y-%m-%d")
        if self.kind is PeriodKind.WEEKLY:
            year, week, _ = start.isocalendar()
            return f"{year:04d}-W{week:02d}"
        return start.strftime("%Y-%m")

    def contains(self, moment: datetime) -> bool:
        return self.start <= utc(moment) < self.end


def period_of(kind: PeriodKind, moment: datetime) -> Period:
    """The period of ``kind`` that holds ``moment`` (timezone-aware; raises
    ValueError for a naive one)."""
    moment = utc(moment)
    if kind is PeriodKind.HOURLY:
        start = moment.replace(minute=0, second=0, microsecond=0)
        return Period(start, start + timedelta(hours=1), kind)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind is PeriodKind.DAILY:
        return Period(day, day + timedelta(days=1), kind)
    if kind is PeriodKind.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=7), kind)
    start = day.replace(day=1)
    return Period(start, _next_month(start), kind)


def previous_period(period: Period) -> Period:
    """The period just before ``period``."""
    return period_of(period.kind, period.start - timedelta(microseconds=1))


def closed_periods(kind: PeriodKind, at: datetime, count: int) -> tuple[Period, ...]:
    """The ``count`` newest periods that ended by ``at``, newest first (the
    period holding ``at`` is still open: it is not among them)."""
    periods: list[Period] = []
    period = period_of(kind, at)
    for _ in range(count):
        period = previous_period(period)
        periods.append(period)
    return tuple(periods)


_IDENT = {
    PeriodKind.HOURLY: re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2})"),
    PeriodKind.DAILY: re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    PeriodKind.WEEKLY: re.compile(r"(\d{4})-W(\d{2})"),
    PeriodKind.MONTHLY: re.compile(r"(\d{4})-(\d{2})"),
}


def parse_ident(text: str) -> Period | None:
    """The period ``text`` names (of whichever kind its shape says), or None
    when it names none (a key segment that is no period of ours)."""
    for kind, pattern in _IDENT.items():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        numbers = [int(part) for part in match.groups()]
        try:
            if kind is PeriodKind.WEEKLY:
                start = datetime.fromisocalendar(numbers[0], numbers[1], 1)
            else:
                day = numbers[2] if len(numbers) > 2 else 1
                hour = numbers[3] if len(numbers) > 3 else 0
                start = datetime(numbers[0], numbers[1], day, hour)
        except (ValueError, OverflowError):
            return None
        period = period_of(kind, start.replace(tzinfo=UTC))
        return period if period.ident == text else None
    return None


def _next_month(start: datetime) -> datetime:
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)
