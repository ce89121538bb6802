"""Archive periods: every moment falls in exactly one period of each kind,
periods tile time without gaps, idents name them and sort as they do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndication.periods import (
    PeriodKind,
    closed_periods,
    parse_ident,
    period_of,
    previous_period,
)

moments = st.datetimes(
    min_value=datetime(1900, 1, 8),
    max_value=datetime(2200, 12, 1),
    timezones=st.just(UTC),
)
kinds = st.sampled_from(PeriodKind)


@given(kinds, moments)
def test_a_moment_lies_in_its_period(kind: PeriodKind, moment: datetime) -> None:
    period = period_of(kind, moment)
    assert period.start <= moment < period.end
    assert period.contains(moment)
    assert period.start.tzinfo is UTC


@given(kinds, moments)
def test_periods_tile_time(kind: PeriodKind, moment: datetime) -> None:
    period = period_of(kind, moment)
    before = previous_period(period)
    assert before.end == period.start
    assert period_of(kind, period.end).start == period.end
    assert period_of(kind, period.end - timedelta(microseconds=1)) == period


@given(kinds, moments)
def test_idents_round_trip_and_sort(kind: PeriodKind, moment: datetime) -> None:
    period = period_of(kind, moment)
    assert parse_ident(period.ident) == period
    assert previous_period(period).ident < period.ident


@given(kinds, moments, st.integers(min_value=1, max_value=30))
def test_closed_periods_end_by_the_moment(
    kind: PeriodKind, moment: datetime, count: int
) -> None:
    periods = closed_periods(kind, moment, count)
    assert len(periods) == count
    assert periods[0].end == period_of(kind, moment).start
    assert all(p.end <= moment for p in periods)
    assert all(a.start == b.end for a, b in pairwise(periods))


@given(st.sampled_from([timezone(timedelta(hours=h)) for h in (-11, -3, 5, 14)]))
def test_periods_are_utc_whatever_the_zone(zone: timezone) -> None:
    moment = datetime(2026, 11, 28, 23, 30, tzinfo=UTC).astimezone(zone)
    assert period_of(PeriodKind.DAILY, moment).ident == "2026-11-28"


@pytest.mark.parametrize(
    ("kind", "ident", "start", "end"),
    [
        (PeriodKind.HOURLY, "2026-11-28T13", (2026, 11, 28, 13), (2026, 11, 28, 14)),
        (PeriodKind.DAILY, "2026-12-31", (2026, 12, 31), (2027, 1, 1)),
        # ISO week 53 of 2026 runs into January 2027; week 1 of 2026 began in 2025.
        (PeriodKind.WEEKLY, "2026-W53", (2026, 12, 28), (2027, 1, 4)),
        (PeriodKind.WEEKLY, "2026-W01", (2025, 12, 29), (2026, 1, 5)),
        (PeriodKind.MONTHLY, "2026-12", (2026, 12, 1), (2027, 1, 1)),
        (PeriodKind.MONTHLY, "2028-02", (2028, 2, 1), (2028, 3, 1)),
    ],
)
def test_known_periods(
    kind: PeriodKind, ident: str, start: tuple[int, ...], end: tuple[int, ...]
) -> None:
    period = period_of(kind, datetime(*start, tzinfo=UTC) + timedelta(minutes=1))
    assert period.ident == ident
    assert period.start == datetime(*start, tzinfo=UTC)
    assert period.end == datetime(*end, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["", "2026", "2026-13", "2026-02-30", "2026-W54", "2026-11-28T24", "x"]
)
def test_other_names_are_no_period(text: str) -> None:
    assert parse_ident(text) is None


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        period_of(PeriodKind.DAILY, datetime(2026, 11, 28))
