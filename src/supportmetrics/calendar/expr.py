"""Ibis helpers: local time, business clock and periods as equi-joins plus arithmetic.

Each helper takes an Ibis table and returns it with one added column. The lookup tables of
:func:`~supportmetrics.calendar.zones.zone_days` and
:func:`~supportmetrics.calendar.business.business_table` are passed in as Ibis tables, so the
caller decides how they live on the backend (memtable or temp table). Everything compiles to
portable SQL (DuckDB and PySpark): ``epoch_seconds``, floor division, a left join on the
integer UTC day key, ``CASE``, ``LEAST``/``GREATEST`` and ``timestamp + interval``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from supportmetrics.calendar.business import DEFAULT_CALENDAR, piece_count
from supportmetrics.calendar.zones import DAY
from supportmetrics.config import Settings

TRUNCATE_UNITS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def epoch_seconds(column: ir.TimestampValue) -> ir.IntegerValue:
    """Whole epoch seconds (int64, floored) of a naive UTC timestamp column.

    Ibis types ``epoch_seconds()`` as int32 but DuckDB returns a DOUBLE with the fraction, and
    a cast to BIGINT would round; flooring explicitly gives the same value on every backend.
    """
    return column.epoch_seconds().cast("float64").floor().cast("int64")


def _keep(t: ir.Table, out: str) -> list[str]:
    return [c for c in t.columns if c != out]


def with_local_time(t: ir.Table, column: str, zone_table: ir.Table, out: str) -> ir.Table:
    """Add ``out``: the local wall-clock (naive) timestamp of the UTC timestamp ``column``.

    Joins ``zone_table`` (see :func:`~supportmetrics.calendar.zones.zone_days`) on the UTC day
    key and adds the offset valid at the instant: ``offset_after`` from ``switch_at`` on,
    else ``offset_before``. Implemented as ``column + offset seconds`` (an interval), which
    keeps the column's precision and never goes through a time-zone-aware type. A null
    timestamp, or one outside the zone table's days, gives null.
    """
    z = zone_table.select(
        _sm_zday=zone_table.day,
        _sm_zswitch=zone_table.switch_at,
        _sm_zbefore=zone_table.offset_before,
        _sm_zafter=zone_table.offset_after,
    )
    epoch = epoch_seconds(t[column])
    keyed = t.mutate(_sm_zepoch=epoch, _sm_zkey=epoch // DAY)
    j = keyed.left_join(z, keyed._sm_zkey == z._sm_zday)
    offset = ibis.ifelse(
        j._sm_zswitch.notnull() & (j._sm_zepoch >= j._sm_zswitch), j._sm_zafter, j._sm_zbefore
    )
    local = j[column] + offset.as_interval("s")
    return j.select(*_keep(t, out), **{out: local})


def _business_join(
    t: ir.Table, column: str, key: str, business_table: ir.Table, out: str
) -> ir.Table:
    """Add ``out`` = B(column) for the calendar id in column ``key``; see the module docs."""
    k = piece_count(business_table.columns)
    if k == 0:
        raise ValueError("business_table has no s1/e1 interval columns")
    b = business_table.select(
        _sm_bcal=business_table.calendar,
        _sm_bday=business_table.day,
        _sm_bbefore=business_table.open_before,
        **{f"_sm_s{i}": business_table[f"s{i}"] for i in range(1, k + 1)},
        **{f"_sm_e{i}": business_table[f"e{i}"] for i in range(1, k + 1)},
    )
    epoch = epoch_seconds(t[column])
    keyed = t.mutate(_sm_bepoch=epoch, _sm_bkey=epoch // DAY)
    j = keyed.left_join(b, [keyed[key] == b._sm_bcal, keyed._sm_bkey == b._sm_bday])
    total: ir.IntegerValue = j._sm_bbefore
    for i in range(1, k + 1):
        s, e = j[f"_sm_s{i}"], j[f"_sm_e{i}"]
        clamped = ibis.least(ibis.greatest(j._sm_bepoch - s, 0), e - s)
        total = total + ibis.ifelse(s.notnull(), clamped, 0)
    return j.select(*_keep(t, out), **{out: total.cast("int64")})


def _calendar_expr(calendar: str | ir.StringValue) -> ir.StringValue:
    return ibis.literal(calendar, "string") if isinstance(calendar, str) else calendar


def with_business_seconds(
    t: ir.Table,
    column: str,
    business_table: ir.Table,
    out: str,
    calendar: str | ir.StringValue = DEFAULT_CALENDAR,
) -> ir.Table:
    """Add ``out`` (int64): B(column), business seconds since the business table's origin.

    ``B = open_before + sum_i clamp(epoch - s_i, 0, e_i - s_i)`` from the row of the
    ``calendar`` id (a literal, or an expression on ``t`` such as :func:`calendar_key`) and the
    timestamp's UTC day. Differences of B are business durations. Null in -> null out; an
    instant outside the table's days or an unknown calendar id also gives null.
    """
    keyed = t.mutate(_sm_bcalkey=_calendar_expr(calendar))
    return _business_join(keyed, column, "_sm_bcalkey", business_table, out).drop("_sm_bcalkey")


def business_duration(
    t: ir.Table,
    start_col: str,
    end_col: str,
    business_table: ir.Table,
    out: str,
    calendar: str | ir.StringValue = DEFAULT_CALENDAR,
) -> ir.Table:
    """Add ``out`` (float64): business seconds from ``start_col`` to ``end_col``.

    ``B(end) - B(start)`` on the ``calendar`` (literal id or expression on ``t``); null when
    either timestamp is null. Negative when the end precedes the start, like the wall clock.
    """
    keyed = t.mutate(_sm_bcalkey=_calendar_expr(calendar))
    keyed = _business_join(keyed, start_col, "_sm_bcalkey", business_table, "_sm_bstart")
    keyed = _business_join(keyed, end_col, "_sm_bcalkey", business_table, "_sm_bend")
    duration = (keyed._sm_bend - keyed._sm_bstart).cast("float64")
    return keyed.mutate(**{out: duration}).drop("_sm_bcalkey", "_sm_bstart", "_sm_bend")


def calendar_key(team_column: ir.StringValue, settings: Settings) -> ir.StringValue:
    """The business calendar id of a team: the team itself if it has its own calendar in
    ``business_hours.teams``, else ``""`` (the default calendar; also for a null team)."""
    teams = sorted(settings.business_hours.teams)
    if not teams:
        return ibis.literal(DEFAULT_CALENDAR, "string")
    return ibis.ifelse(
        team_column.isin(teams), team_column.cast("string"), ibis.literal(DEFAULT_CALENDAR)
    )


def clock_duration(
    t: ir.Table,
    start_col: str,
    end_col: str,
    out: str,
    *,
    business: bool,
    business_table: ir.Table,
    settings: Settings,
    team: str | None = "team",
) -> ir.Table:
    """Add ``out`` (float64): seconds from ``start_col`` to ``end_col`` on a clock.

    The one home of "a duration on the calendar or the business clock": the calendar clock is
    the wall-clock difference; the business clock counts the open hours of the calendar of the
    row's ``team`` column (:func:`calendar_key`), or of the default calendar when ``team`` is
    None or not a column of ``t``. Null when either timestamp is null.
    """
    if not business:
        seconds = t[end_col].epoch_seconds() - t[start_col].epoch_seconds()
        return t.mutate(**{out: seconds.cast("float64")})
    key = (calendar_key(t[team], settings) if team is not None and team in t.columns
           else ibis.literal(DEFAULT_CALENDAR, "string"))
    return business_duration(t, start_col, end_col, business_table, out, calendar=key)


def period_start(local_ts: ir.TimestampValue, grain: str) -> ir.DateValue:
    """The local date starting the ``grain`` period of a local timestamp expression.

    ``grain`` is day, week (ISO: Monday, as DuckDB and Spark ``date_trunc('week')`` do),
    month, quarter or year.
    """
    unit = TRUNCATE_UNITS.get(grain)
    if unit is None:
        raise ValueError(f"unknown grain {grain!r}; expected one of {', '.join(TRUNCATE_UNITS)}")
    return local_ts.truncate(unit).cast("date")
