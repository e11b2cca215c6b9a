"""Local time: per-UTC-day offset table of a time zone, and local periods in UTC.

Every timestamp in a workspace is a naive UTC ``timestamp``. Local wall-clock time is
``utc + offset``; the offset of an instant is read from :func:`zone_days`, a table with one
row per UTC day (``day = floor(epoch_seconds / 86400)``) that says which offset holds before
and after the (at most one) offset change inside that day. Converting a column is then an
equi-join on ``day`` plus arithmetic (see :mod:`supportmetrics.calendar.expr`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa

DAY = 86400
EPOCH_DATE = date(1970, 1, 1)
GRAINS = ("day", "week", "month", "quarter", "year", "range")

ZONE_SCHEMA = pa.schema(
    [
        ("day", pa.int64()),
        ("switch_at", pa.int64()),
        ("offset_before", pa.int64()),
        ("offset_after", pa.int64()),
    ]
)


def epoch_day(day: date) -> int:
    """The integer UTC day key of a calendar date: days since 1970-01-01."""
    return (day - EPOCH_DATE).days


def offset_at(zone: ZoneInfo, epoch: int) -> int:
    """UTC offset in whole seconds (local = utc + offset) of ``zone`` at an epoch second."""
    offset = datetime.fromtimestamp(epoch, zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def local_to_epoch(zone: ZoneInfo, day: date, seconds: int = 0) -> int:
    """Epoch seconds of the local wall-clock time ``day 00:00 + seconds`` in ``zone``.

    Wall-clock arithmetic with ``fold=0``, as :mod:`zoneinfo` does: an ambiguous time (autumn)
    takes the first occurrence, a nonexistent time (spring gap) uses the offset before the
    change, i.e. it is shifted forward by the length of the gap. ``seconds`` may be 86400.
    """
    wall = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(seconds=seconds)
    return int(wall.timestamp())


def _first_change(zone: ZoneInfo, lo: int, hi: int, before: int) -> int:
    """Smallest epoch second in ``(lo, hi]`` whose offset differs from ``before``."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if offset_at(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


def zone_days(timezone: str, first: date, last: date) -> pa.Table:
    """One row per UTC day in ``[first - 1, last + 1]``: the zone's offsets within that day.

    Columns: ``day`` (int64 UTC day key), ``switch_at`` (epoch second at which the offset
    changes within the day, or null), ``offset_before`` and ``offset_after`` (int64 seconds,
    local = utc + offset; equal when nothing changes). Raises ``ValueError`` if a zone changed
    its offset twice within one UTC day (no IANA zone does in the supported range).
    """
    if last < first:
        raise ValueError(f"zone_days: last {last} is before first {first}")
    zone = ZoneInfo(timezone)
    days, switches, befores, afters = [], [], [], []
    for day in range(epoch_day(first) - 1, epoch_day(last) + 2):
        start, mid, end = day * DAY, day * DAY + DAY // 2, day * DAY + DAY - 1
        o_start, o_mid, o_end = (offset_at(zone, s) for s in (start, mid, end))
        switch: int | None = None
        if o_start != o_mid or o_mid != o_end:
            if (o_start != o_mid and o_mid != o_end) or o_start == o_end:
                raise ValueError(f"{timezone}: more than one offset change in UTC day {day}")
            lo, hi = (start, mid) if o_start != o_mid else (mid, end)
            switch = _first_change(zone, lo, hi, o_start)
            if offset_at(zone, switch) != o_end:
                raise ValueError(f"{timezone}: more than one offset change in UTC day {day}")
        days.append(day)
        switches.append(switch)
        befores.append(o_start)
        afters.append(o_end)
    return pa.table(
        {"day": days, "switch_at": switches, "offset_before": befores, "offset_after": afters},
        schema=ZONE_SCHEMA,
    )


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


def next_grain(day: date, grain: str) -> date:
    """The first date of the period after the one starting at ``day`` (a period start)."""
    if grain == "day":
        return day + timedelta(days=1)
    if grain == "week":
        return day + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}.get(grain)
    if months is None:
        raise ValueError(f"grain {grain!r} has no next period")
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def local_midnight_utc(zone: ZoneInfo, day: date) -> datetime:
    """Local midnight starting ``day`` in ``zone`` as a naive UTC datetime (fold=0)."""
    return datetime.fromtimestamp(local_to_epoch(zone, day), UTC).replace(tzinfo=None)


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
