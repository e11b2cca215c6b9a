"""Periods: the local days, weeks, months, quarters and years a metric is grouped by.

The one home of period arithmetic: the first day of the period holding a date
(:func:`grain_start`), the period after or ``steps`` periods away (:func:`next_grain`,
:func:`shift`), and the periods covering a range with their UTC bounds (:func:`periods`).
Weeks are ISO weeks (Monday to Sunday). The SQL twin of :func:`grain_start`, for a column of
local timestamps, is :func:`supportmetrics.calendar.expr.period_start`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from supportmetrics.calendar.zones import local_midnight_utc

GRAINS = ("day", "week", "month", "quarter", "year", "range")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Period:
    """A half-open local period ``[start, end)`` and its bounds as naive UTC datetimes."""

    start: date
    end: date
    start_utc: datetime
    end_utc: datetime


def grain_start(day: date, grain: str) -> date:
    """The first local date of the ``grain`` period (ISO weeks start on Monday) holding day."""
    if grain in ("day", "range"):
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if grain == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown grain {grain!r}; expected one of {', '.join(GRAINS)}")


def shift(start: date, grain: str, steps: int) -> date:
    """The start of the period ``steps`` periods after (before, when negative) the period
    starting at ``start`` (a period start): ``shift(2025-10-01, "month", -2)`` is 2025-08-01."""
    if grain == "day":
        return start + timedelta(days=steps)
    if grain == "week":
        return start + timedelta(weeks=steps)
    months = _MONTHS.get(grain)
    if months is None:
        raise ValueError(f"grain {grain!r} has no next period")
    index = start.year * 12 + start.month - 1 + months * steps
    return date(index // 12, index % 12 + 1, 1)


def next_grain(day: date, grain: str) -> date:
    """The first date of the period after the one starting at ``day`` (a period start)."""
    return shift(day, grain, 1)


def periods(grain: str, start: date, end: date, timezone: str) -> list[Period]:
    """The local periods of ``grain`` covering ``[start, end)``, with DST-correct UTC bounds.

    ``grain`` is day, week (ISO, Monday), month, quarter, year, or range (a single period
    ``[start, end)``). The first period starts at the grain start holding ``start``; the last
    ends at the first period boundary at or after ``end``. An empty range gives ``[]``.
    """
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; expected one of {', '.join(GRAINS)}")
    if end < start:
        raise ValueError(f"periods: end {end} is before start {start}")
    zone = ZoneInfo(timezone)
    if end == start:
        return []
    if grain == "range":
        bounds = [start, end]
    else:
        bounds = [grain_start(start, grain)]
        while bounds[-1] < end:
            bounds.append(next_grain(bounds[-1], grain))
    utc = [local_midnight_utc(zone, b) for b in bounds]
    return [Period(bounds[i], bounds[i + 1], utc[i], utc[i + 1]) for i in range(len(bounds) - 1)]
