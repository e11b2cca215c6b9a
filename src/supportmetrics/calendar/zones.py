"""Local time: per-UTC-day offset table of a time zone, and local midnights in UTC.

Every timestamp in a workspace is a naive UTC ``timestamp``. Local wall-clock time is
``utc + offset``; the offset of an instant is read from :func:`zone_days`, a table with one
row per UTC day (``day = floor(epoch_seconds / 86400)``) that says which offset holds before
and after the (at most one) offset change inside that day. Converting a column is then an
equi-join on ``day`` plus arithmetic (see :mod:`supportmetrics.calendar.expr`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa

DAY = 86400
EPOCH_DATE = date(1970, 1, 1)

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


def local_midnight_utc(zone: ZoneInfo, day: date) -> datetime:
    """Local midnight starting ``day`` in ``zone`` as a naive UTC datetime (fold=0)."""
    return datetime.fromtimestamp(local_to_epoch(zone, day), UTC).replace(tzinfo=None)
