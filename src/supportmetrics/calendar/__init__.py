"""Local time and the business-hours clock as small lookup tables joined on a UTC day key.

* :func:`zone_days` -- per UTC day, the offsets of the workspace zone (DST-correct);
* :func:`business_days` / :func:`business_table` -- per calendar and UTC day, the open
  intervals and the business seconds before the day;
* :func:`with_local_time`, :func:`with_business_seconds`, :func:`business_duration`,
  :func:`calendar_key`, :func:`clock_duration`, :func:`period_start` -- Ibis helpers (an equi-join plus arithmetic);
* :func:`periods` / :class:`Period`, :func:`grain_start`, :func:`next_grain`, :func:`shift` --
  local periods with their UTC bounds (:mod:`~supportmetrics.calendar.periods`);
"""

from __future__ import annotations

from supportmetrics.calendar.business import (
    DEFAULT_CALENDAR,
    business_days,
    business_table,
    calendar_zone,
    closed_dates,
    open_intervals,
    piece_count,
)
from supportmetrics.calendar.expr import (
    business_duration,
    calendar_key,
    clock_duration,
    epoch_seconds,
    period_start,
    with_business_seconds,
    with_local_time,
)
from supportmetrics.calendar.periods import GRAINS, Period, grain_start, next_grain, periods, shift
from supportmetrics.calendar.zones import (
    DAY,
    epoch_day,
    local_midnight_utc,
    local_to_epoch,
    offset_at,
    zone_days,
)

__all__ = [
    "DAY",
    "DEFAULT_CALENDAR",
    "GRAINS",
    "Period",
    "business_days",
    "business_duration",
    "business_table",
    "calendar_key",
    "calendar_zone",
    "clock_duration",
    "closed_dates",
    "epoch_day",
    "epoch_seconds",
    "grain_start",
    "local_midnight_utc",
    "local_to_epoch",
    "next_grain",
    "offset_at",
    "open_intervals",
    "period_start",
    "periods",
    "piece_count",
    "shift",
    "with_business_seconds",
    "with_local_time",
    "zone_days",
]
