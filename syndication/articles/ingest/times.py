"""Story times as every input format gives them: ISO 8601 with a zone, in the
article schema's years (1900 to 2200), on a day the month has.

A time without a zone is refused, never guessed; so is a date that does not
exist. The JSON article format, NewsML-G2 and ninjs all read their times here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from syndication.articles.model import utc

# The schema's $defs/time pattern (kept equal to it by a test): years 1900 to
# 2200, every other part in its range; whether the day exists is checked apart.
TIME = re.compile(
    r"^(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
# The same with any four-digit year, and the moments a time of the schema's
# years may be once in UTC (1900-01-01T00:00+23:59 to
# 2200-12-31T23:59:59.999999999-23:59): our renderers write UTC, so what they
# wrote of an accepted story may name 1899 or 2201.
_ANY_YEAR = re.compile(
    TIME.pattern.replace("(?:19[0-9]{2}|2[01][0-9]{2}|2200)", "[0-9]{4}")
)
EARLIEST_UTC = datetime(1899, 12, 31, 0, 1, tzinfo=UTC)
LATEST_UTC = datetime(2201, 1, 1, 23, 59, tzinfo=UTC)
TIME_HINT = (
    "an ISO 8601 date and time with a time zone in the years 1900 to 2200, "
    "e.g. 2026-06-20T08:00:00Z"
)


def parse_time(value: str) -> datetime:
    """A time :func:`time_problem` found nothing wrong with, in UTC."""
    return utc(datetime.fromisoformat(value))


def time_problem(value: Any) -> str | None:
    """Why ``value`` is not a story time (a message naming it), or None."""
    if isinstance(value, str) and TIME.fullmatch(value):
        try:
            # Within the pattern's years, the conversion to UTC cannot leave
            # datetime's range; only a day the month lacks fails.
            parse_time(value)
        except ValueError as exc:
            return f"{value!r} is not a date that exists ({exc})"
        return None
    if isinstance(value, str) and _is_naive(value):
        return (
            f"naive time {value!r} has no time zone; add Z or an offset such as +02:00"
        )
    return f"{clipped(value)} is not {TIME_HINT}"


def utc_time_problem(value: Any) -> str | None:
    """:func:`time_problem`, but a time whose year is outside the schema's
    is accepted when it is a moment some time of the schema's years is, in
    UTC (as the renderers write the times of stories ingest accepted)."""
    problem = time_problem(value)
    if problem is None or not (isinstance(value, str) and _ANY_YEAR.fullmatch(value)):
        return problem
    try:
        moment = parse_time(value)
    except (ValueError, OverflowError):
        return problem
    return None if EARLIEST_UTC <= moment <= LATEST_UTC else problem


def clipped(value: Any) -> str:
    """``repr(value)``, cut to 80 characters for messages."""
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _is_naive(value: str) -> bool:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return len(value) > 10 and moment.tzinfo is None  # a time, not just a date
