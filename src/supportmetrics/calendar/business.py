"""The business-hours clock as a lookup table: open intervals per calendar and UTC day.

For a calendar (weekly local ranges minus holidays, in the calendar's own zone or the
workspace zone) :func:`business_days` gives one row per UTC day with

* ``open_before`` -- business seconds from the start of the table's first day to this day,
* ``s1, e1, ..., sK, eK`` -- the open intervals inside this UTC day, epoch seconds, sorted and
  disjoint, null when unused.

The business clock of an instant ``t`` (epoch seconds, UTC day ``d``) is then
``B(t) = open_before[d] + sum_i clamp(t - s_i, 0, e_i - s_i)``; a business duration is
``B(end) - B(start)``. K is the largest number of pieces any UTC day needs (at least 1), so any
schedule the configuration allows fits; :func:`business_table` pads every calendar to one K.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
import numpy as np
import pyarrow as pa

from supportmetrics.calendar.zones import DAY, epoch_day, local_to_epoch
from supportmetrics.config import Calendar, Settings
from supportmetrics.errors import ConfigError

DEFAULT_CALENDAR = ""
_PIECE = re.compile(r"^s(\d+)$")

Pieces = list[tuple[int, int]]


def calendar_zone(calendar: Calendar, zone: str) -> ZoneInfo:
    """The zone of a calendar: its own ``timezone`` if set, else ``zone`` (the workspace's)."""
    name = calendar.timezone or zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name!r} is not an IANA time zone (e.g. Europe/Zagreb)") from None


def closed_dates(calendar: Calendar, first: date, last: date) -> set[date]:
    """Holidays of a calendar between ``first`` and ``last``: configured dates plus the public
    holidays of ``calendar.country`` (and ``subdivision``) from the ``holidays`` package."""
    closed = {d for d in calendar.holidays if first <= d <= last}
    if calendar.country:
        try:
            public = holidays_lib.country_holidays(
                calendar.country,
                subdiv=calendar.subdivision,
                years=range(first.year, last.year + 1),
            )
        except NotImplementedError as exc:
            raise ConfigError(f"business_hours: {exc}") from None
        closed.update(d for d in public if first <= d <= last)
    return closed


def open_intervals(calendar: Calendar, zone: ZoneInfo, first: date, last: date) -> Pieces:
    """Sorted, disjoint UTC open intervals (epoch seconds) of the local dates first..last.

    Each weekly range of a non-holiday local date is mapped to UTC with ``fold=0`` (see
    :func:`~supportmetrics.calendar.zones.local_to_epoch`); a range that collapses in a
    spring-forward gap is dropped and ranges that overlap after the mapping are merged, so no
    instant is counted twice.
    """
    weekly = calendar.weekly()
    closed = closed_dates(calendar, first, last)
    raw: Pieces = []
    day = first
    while day <= last:
        if day not in closed:
            for start, end in weekly[day.weekday()]:
                s, e = local_to_epoch(zone, day, start), local_to_epoch(zone, day, end)
                if e > s:
                    raw.append((s, e))
        day += timedelta(days=1)
    raw.sort()
    merged: Pieces = []
    for s, e in raw:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _split_by_day(intervals: Iterable[tuple[int, int]], d0: int, d1: int) -> list[Pieces]:
    """Clip intervals to the UTC days d0..d1 (inclusive): one list of pieces per day."""
    per_day: list[Pieces] = [[] for _ in range(d1 - d0 + 1)]
    lo, hi = d0 * DAY, (d1 + 1) * DAY
    for s, e in intervals:
        s, e = max(s, lo), min(e, hi)
        if e <= s:
            continue
        for day in range(s // DAY, (e - 1) // DAY + 1):
            per_day[day - d0].append((max(s, day * DAY), min(e, (day + 1) * DAY)))
    return per_day


def _day_pieces(calendar: Calendar, zone: str, first: date, last: date) -> tuple[int, list[Pieces]]:
    """(first UTC day key, pieces per UTC day) for UTC days ``[first - 1, last + 1]``."""
    d0, d1 = epoch_day(first) - 1, epoch_day(last) + 1
    # local dates overlapping those UTC days (offsets are within +-26 h)
    local = open_intervals(
        calendar, calendar_zone(calendar, zone), first - timedelta(days=3), last + timedelta(3)
    )
    return d0, _split_by_day(local, d0, d1)


def piece_count(columns: Iterable[str]) -> int:
    """K, the number of ``s<i>``/``e<i>`` interval pairs among a business table's columns."""
    return sum(1 for c in columns if _PIECE.match(c))


def _table(calendar_id: str, d0: int, per_day: list[Pieces], pieces: int) -> pa.Table:
    needed = max((len(p) for p in per_day), default=0)
    if needed > pieces:
        raise ValueError(
            f"calendar {calendar_id!r} needs {needed} open intervals in one UTC day, "
            f"more than the {pieces} allowed"
        )
    totals = np.array([sum(e - s for s, e in p) for p in per_day], dtype=np.int64)
    before = np.concatenate([[0], np.cumsum(totals)[:-1]]).astype(np.int64)
    columns: dict[str, pa.Array] = {
        "calendar": pa.array([calendar_id] * len(per_day), pa.string()),
        "day": pa.array(np.arange(d0, d0 + len(per_day), dtype=np.int64)),
        "open_before": pa.array(before),
    }
    for i in range(pieces):
        columns[f"s{i + 1}"] = pa.array(
            [p[i][0] if i < len(p) else None for p in per_day], pa.int64()
        )
        columns[f"e{i + 1}"] = pa.array(
            [p[i][1] if i < len(p) else None for p in per_day], pa.int64()
        )
    return pa.table(columns)


def business_days(
    calendar: Calendar,
    zone: str,
    first: date,
    last: date,
    calendar_id: str = DEFAULT_CALENDAR,
    pieces: int | None = None,
) -> pa.Table:
    """The business lookup table of one calendar: one row per UTC day in ``[first-1, last+1]``.

    Columns ``calendar`` (``calendar_id``), ``day`` (int64 UTC day key), ``open_before``
    (int64 cumulative business seconds before this day, from the first row's day) and
    ``s1, e1, ..., sK, eK`` (int64 epoch seconds of the open intervals inside the day, or
    null). ``zone`` is the workspace zone, used unless ``calendar.timezone`` is set. K is
    ``pieces`` if given (``ValueError`` if a day needs more), else the most any day needs.
    """
    if last < first:
        raise ValueError(f"business_days: last {last} is before first {first}")
    d0, per_day = _day_pieces(calendar, zone, first, last)
    needed = max(1, max(len(p) for p in per_day))
    return _table(calendar_id, d0, per_day, needed if pieces is None else pieces)


def business_table(settings: Settings, first: date, last: date) -> pa.Table:
    """Business lookup tables of the default calendar (id ``""``) and of every team calendar
    (id = team name) in ``settings.business_hours.teams``, stacked with one common K."""
    hours = settings.business_hours
    calendars = {DEFAULT_CALENDAR: hours.for_team(None), **hours.teams}
    built = {
        cid: _day_pieces(cal, settings.timezone, first, last) for cid, cal in calendars.items()
    }
    pieces = max([1, *(len(p) for _, per_day in built.values() for p in per_day)])
    return pa.concat_tables(
        [_table(cid, d0, per_day, pieces) for cid, (d0, per_day) in built.items()]
    )
