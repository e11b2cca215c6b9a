"""The calendar package: local time, periods and the business clock, run on DuckDB via Ibis.

Every expected value is worked out by hand in a comment. Weekdays used below:
Fri 2025-03-07, Sat 2025-03-08, Sun 2025-03-09, Mon 2025-03-10; Fri 2025-03-28, Sun 2025-03-30
(Europe/Zagreb CET +1 -> CEST +2 at 01:00 UTC), Mon 2025-03-31; Fri 2025-10-24, Sun 2025-10-26
(CEST +2 -> CET +1 at 01:00 UTC), Mon 2025-10-27; Wed 2025-12-24, Thu 25, Fri 26, Mon 29.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import ibis
import pyarrow as pa
import pytest

from supportmetrics import calendar as cal
from supportmetrics.config import Calendar, Settings, settings_from_dict
from supportmetrics.errors import ConfigError

FIRST, LAST = date(2025, 1, 1), date(2025, 12, 31)
H = 3600


@pytest.fixture(scope="module")
def con() -> Iterator[Any]:
    backend = ibis.duckdb.connect()
    yield backend
    backend.disconnect()


def ts(text: str | None) -> datetime | None:
    """A naive UTC datetime from ``YYYY-MM-DD HH:MM[:SS[.f]]`` (None stays None)."""
    return None if text is None else datetime.fromisoformat(text)


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def settings(**data: Any) -> Settings:
    return Settings.model_validate(data)


def durations(
    con: Any, config: Settings, rows: Sequence[tuple[str | None, str | None, str | None]]
) -> list[float | None]:
    """Business seconds start -> end per (start, end, team) row, on the team's calendar."""
    data = pa.table(
        {
            "i": list(range(len(rows))),
            "start": [ts(r[0]) for r in rows],
            "end": [ts(r[1]) for r in rows],
            "team": [r[2] for r in rows],
        },
        schema=pa.schema(
            [
                ("i", pa.int64()),
                ("start", pa.timestamp("us")),
                ("end", pa.timestamp("us")),
                ("team", pa.string()),
            ]
        ),
    )
    table = ibis.memtable(cal.business_table(config, FIRST, LAST))
    t = ibis.memtable(data)
    t = t.mutate(_cal=cal.calendar_key(t.team, config))
    t = cal.business_duration(t, "start", "end", table, "d", calendar=t._cal)
    values = con.execute(t.order_by("i"))["d"].tolist()
    return [None if v is None or math.isnan(v) else v for v in values]


def local_times(con: Any, zone: str, values: Sequence[str | None]) -> list[datetime | None]:
    """Local wall-clock time of naive UTC timestamps via ``with_local_time``."""
    data = pa.table(
        {"i": list(range(len(values))), "at": [ts(v) for v in values]},
        schema=pa.schema([("i", pa.int64()), ("at", pa.timestamp("us"))]),
    )
    z = ibis.memtable(cal.zone_days(zone, date(1969, 12, 1), LAST))
    t = cal.with_local_time(ibis.memtable(data), "at", z, "local")
    assert t.columns == ("i", "at", "local")
    frame = con.execute(t.order_by("i"))
    return [None if v is None or v != v else v.to_pydatetime() for v in frame["local"]]


# -- the business clock ------------------------------------------------------------------------


def test_default_week_in_utc(con: Any) -> None:
    config = settings()
    assert durations(
        con,
        config,
        [
            # Fri 18:00 is after hours; Mon 09:00 -> 09:30 = 1800
            ("2025-03-07 18:00", "2025-03-10 09:30", None),
            # Saturday -> Saturday: closed all day = 0
            ("2025-03-08 10:00", "2025-03-08 15:00", None),
            # Fri 16:00 -> 17:00 (3600) + Mon 09:00 -> 10:00 (3600) = 7200
            ("2025-03-07 16:00", "2025-03-10 10:00", None),
            # Wed 08:00 -> 18:00 covers the whole 09:00-17:00 day = 8 h = 28800
            ("2025-03-05 08:00", "2025-03-05 18:00", None),
            # sub-second instants floor to whole seconds: 09:00:00.9 -> 09:00:01.2 = 1
            ("2025-03-05 09:00:00.9", "2025-03-05 09:00:01.2", None),
        ],
    ) == [1800.0, 0.0, 7200.0, 28800.0, 1.0]


def test_nulls_give_null(con: Any) -> None:
    config = settings()
    assert durations(
        con,
        config,
        [
            ("2025-03-07 18:00", None, None),  # no end -> null
            (None, "2025-03-10 09:30", None),  # no start -> null
            (None, None, "tier2"),  # neither -> null
            ("2025-03-10 09:00", "2025-03-10 09:10", None),  # 600, to be sure rows survive
        ],
    ) == [None, None, None, 600.0]
    assert local_times(con, "Europe/Zagreb", [None, "2025-01-10 12:00"]) == [
        None,
        datetime(2025, 1, 10, 13, 0),  # CET = UTC+1
    ]


def test_holidays_from_the_package_and_configured(con: Any) -> None:
    hr = settings(business_hours={"country": "HR"})
    both = settings(business_hours={"country": "HR", "holidays": ["2025-12-24"]})
    only = settings(business_hours={"holidays": ["2025-03-05"]})
    ticket = ("2025-12-24 16:00", "2025-12-29 10:00", None)
    # Wed 24 16:00 -> 17:00 = 3600; Thu 25 (Christmas) and Fri 26 (St Stephen) closed in HR;
    # weekend closed; Mon 29 09:00 -> 10:00 = 3600 -> 7200
    assert durations(con, hr, [ticket]) == [7200.0]
    # 2025-12-24 configured as well: only Monday's hour counts -> 3600
    assert durations(con, both, [ticket]) == [3600.0]
    # without the country, Thu 25 and Fri 26 are working days: 3600 + 8 h + 8 h + 3600 = 64800
    assert durations(con, settings(), [ticket]) == [64800.0]
    # configured Wed 2025-03-05 closed: Wed 08:00 -> Thu 10:00 = Thu 09:00-10:00 = 3600
    assert durations(con, only, [("2025-03-05 08:00", "2025-03-06 10:00", None)]) == [3600.0]
    assert date(2025, 12, 25) in cal.closed_dates(hr.business_hours, FIRST, LAST)


def test_lunch_gap(con: Any) -> None:
    lunch = "09:00-12:00,13:00-17:00"
    config = settings(business_hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), lunch))
    assert durations(
        con,
        config,
        [
            # 11:30 -> 12:00 (1800) + 13:00 -> 13:30 (1800) = 3600
            ("2025-03-10 11:30", "2025-03-10 13:30", None),
            # inside the lunch gap = 0
            ("2025-03-10 12:15", "2025-03-10 12:45", None),
            # whole day = 3 h + 4 h = 25200
            ("2025-03-10 00:00", "2025-03-11 00:00", None),
        ],
    ) == [3600.0, 0.0, 25200.0]
    table = cal.business_days(config.business_hours, "UTC", date(2025, 3, 10), date(2025, 3, 10))
    assert cal.piece_count(table.column_names) == 2
    with pytest.raises(ValueError, match="needs 2 open intervals"):
        cal.business_days(config.business_hours, "UTC", FIRST, LAST, pieces=1)


def test_open_before_is_cumulative() -> None:
    # first = Mon 2025-03-10, so the table starts on Sun 03-09 (first - 1) and ends Wed 03-12
    table = cal.business_days(Calendar(), "UTC", date(2025, 3, 10), date(2025, 3, 11)).to_pylist()
    assert [r["day"] for r in table] == [cal.epoch_day(date(2025, 3, d)) for d in (9, 10, 11, 12)]
    # Sun 0; Mon 0 (nothing before it); Tue 8 h; Wed 16 h
    assert [r["open_before"] for r in table] == [0, 0, 8 * H, 16 * H]
    monday = (table[1]["s1"], table[1]["e1"])
    assert monday == (epoch("2025-03-10 09:00"), epoch("2025-03-10 17:00"))
    assert table[0]["s1"] is None and table[0]["calendar"] == ""


def test_spring_dst_change_in_zagreb(con: Any) -> None:
    config = settings(timezone="Europe/Zagreb")
    # Fri 16:00 CET (15:00 UTC) -> 17:00 CET = 3600; Mon 09:00 CEST (07:00 UTC) -> 10:00 CEST
    # (08:00 UTC) = 3600 -> 7200
    assert durations(con, config, [("2025-03-28 15:00", "2025-03-31 08:00", None)]) == [7200.0]
    rows = {r["day"]: r for r in cal.business_table(config, FIRST, LAST).to_pylist()}
    # Friday 09:00-17:00 CET = 08:00-16:00 UTC; Monday 09:00-17:00 CEST = 07:00-15:00 UTC
    friday, monday = rows[cal.epoch_day(date(2025, 3, 28))], rows[cal.epoch_day(date(2025, 3, 31))]
    assert (friday["s1"], friday["e1"]) == (epoch("2025-03-28 08:00"), epoch("2025-03-28 16:00"))
    assert (monday["s1"], monday["e1"]) == (epoch("2025-03-31 07:00"), epoch("2025-03-31 15:00"))


def test_autumn_dst_change_in_zagreb(con: Any) -> None:
    config = settings(timezone="Europe/Zagreb")
    # Fri 2025-10-24 16:00 CEST (14:00 UTC) -> 17:00 = 3600; Mon 27 09:00 CET (08:00 UTC) ->
    # 10:00 CET (09:00 UTC) = 3600 -> 7200
    assert durations(con, config, [("2025-10-24 14:00", "2025-10-27 09:00", None)]) == [7200.0]
    # Mon 27 09:00 CET is 08:00 UTC: 07:30 -> 08:30 UTC counts only the last 30 min = 1800
    assert durations(con, config, [("2025-10-27 07:30", "2025-10-27 08:30", None)]) == [1800.0]


def test_sunday_hours_on_dst_days_follow_zoneinfo(con: Any) -> None:
    # spring: "01:00-02:30" -> 00:00-01:30 UTC (02:30 does not exist; fold=0 keeps CET, i.e.
    # 03:30 CEST); "03:00-05:00" CEST -> 01:00-03:00 UTC; the union 00:00-03:00 UTC = 10800
    # (the 30 minutes both ranges map to are counted once)
    spring = settings(timezone="Europe/Zagreb", business_hours={"sun": "01:00-02:30,03:00-05:00"})
    # autumn: "02:00-04:00": 02:00 is ambiguous, fold=0 takes CEST (00:00 UTC); 04:00 CET is
    # 03:00 UTC -> the repeated hour is worked twice: 3 h = 10800
    autumn = settings(timezone="Europe/Zagreb", business_hours={"sun": "02:00-04:00"})
    assert durations(con, spring, [("2025-03-29 12:00", "2025-03-30 12:00", None)]) == [10800.0]
    assert durations(con, autumn, [("2025-10-25 12:00", "2025-10-26 12:00", None)]) == [10800.0]


def test_team_calendar_overrides_the_default(con: Any) -> None:
    config = settings(business_hours={"teams": {"tier2": {"mon": "10:00-12:00"}}})
    rows = [
        ("2025-03-10 09:00", "2025-03-10 11:00", None),  # default 09:00-11:00 = 7200
        ("2025-03-10 09:00", "2025-03-10 11:00", "tier1"),  # no own calendar -> default 7200
        ("2025-03-10 09:00", "2025-03-10 11:00", "tier2"),  # tier2 opens 10:00 -> 3600
        # tier2's other weekdays keep the Calendar defaults (09:00-17:00): Tue 09-11 = 7200
        ("2025-03-11 09:00", "2025-03-11 11:00", "tier2"),
    ]
    assert durations(con, config, rows) == [7200.0, 7200.0, 3600.0, 7200.0]
    assert cal.calendar_key(ibis.literal("x"), settings()).equals(ibis.literal("", "string"))


def test_calendar_with_its_own_timezone(con: Any) -> None:
    config = settings(
        business_hours={
            "teams": {
                "ny": {"timezone": "America/New_York"},
                "late": {"timezone": "America/New_York", "tue": "16:00-22:00"},
            }
        }
    )
    assert durations(
        con,
        config,
        [
            # Mon 2025-03-10 is EDT (UTC-4): 09:00-17:00 NY = 13:00-21:00 UTC;
            # 12:00 -> 14:00 UTC counts 13:00-14:00 = 3600 for ny, 7200 on the UTC default
            ("2025-03-10 12:00", "2025-03-10 14:00", "ny"),
            ("2025-03-10 12:00", "2025-03-10 14:00", None),
            # late: Mon 09:00-17:00 NY = Mon 13:00-21:00 UTC; Tue 16:00-22:00 NY = Tue 20:00 UTC
            # -> Wed 02:00 UTC. Tue 01:00 -> 21:00 UTC: only Tue 20:00 -> 21:00 is open = 3600
            ("2025-03-11 01:00", "2025-03-11 21:00", "late"),
            # Wed 01:00 -> 14:00 UTC: Tue's range runs to 02:00 UTC (3600); Wed 09:00 NY =
            # 13:00 UTC -> 14:00 (3600) = 7200
            ("2025-03-12 01:00", "2025-03-12 14:00", "late"),
        ],
    ) == [3600.0, 7200.0, 3600.0, 7200.0]
    table = cal.business_table(config, FIRST, LAST)
    # Wed 2025-03-12 UTC holds two pieces of "late": 00:00-02:00 and 13:00-21:00
    assert cal.piece_count(table.column_names) == 2


def test_bad_calendar_settings() -> None:
    # a bad zone is refused when the settings are read, naming its key
    with pytest.raises(ConfigError, match=r"business_hours\.timezone: 'Mars/Olympus' is not an "
                       "IANA time zone"):
        settings_from_dict({"business_hours": {"timezone": "Mars/Olympus"}})
    with pytest.raises(ConfigError, match="XX"):
        cal.business_days(Calendar(country="XX"), "UTC", FIRST, LAST)


# -- local time --------------------------------------------------------------------------------


def test_zone_days_marks_the_offset_changes() -> None:
    rows = {r["day"]: r for r in cal.zone_days("Europe/Zagreb", FIRST, LAST).to_pylist()}
    # first - 1 .. last + 1
    assert min(rows) == cal.epoch_day(date(2024, 12, 31))
    assert max(rows) == cal.epoch_day(date(2026, 1, 1))
    switches = {d: r for d, r in rows.items() if r["switch_at"] is not None}
    assert switches == {
        cal.epoch_day(date(2025, 3, 30)): {
            "day": cal.epoch_day(date(2025, 3, 30)),
            "switch_at": epoch("2025-03-30 01:00"),  # 02:00 CET -> 03:00 CEST
            "offset_before": H,
            "offset_after": 2 * H,
        },
        cal.epoch_day(date(2025, 10, 26)): {
            "day": cal.epoch_day(date(2025, 10, 26)),
            "switch_at": epoch("2025-10-26 01:00"),  # 03:00 CEST -> 02:00 CET
            "offset_before": 2 * H,
            "offset_after": H,
        },
    }
    assert rows[cal.epoch_day(date(2025, 7, 1))]["offset_before"] == 2 * H
    utc = cal.zone_days("UTC", FIRST, LAST)
    assert utc.column("switch_at").null_count == utc.num_rows


def test_local_time_across_dst(con: Any) -> None:
    assert local_times(
        con,
        "Europe/Zagreb",
        [
            "2025-03-30 00:59:59",  # CET: 01:59:59
            "2025-03-30 01:00:00",  # CEST from here: 03:00:00
            "2025-03-30 00:59:59.5",  # sub-second precision is kept: 01:59:59.5
            "2025-10-26 00:59:59",  # CEST: 02:59:59
            "2025-10-26 01:00:00",  # CET again: 02:00:00 (the repeated hour)
            "1969-12-31 23:30:00",  # negative epoch, CET: 1970-01-01 00:30
        ],
    ) == [
        datetime(2025, 3, 30, 1, 59, 59),
        datetime(2025, 3, 30, 3, 0, 0),
        datetime(2025, 3, 30, 1, 59, 59, 500000),
        datetime(2025, 10, 26, 2, 59, 59),
        datetime(2025, 10, 26, 2, 0, 0),
        datetime(1970, 1, 1, 0, 30),
    ]


def test_local_time_ignores_the_duckdb_session_zone() -> None:
    backend = ibis.duckdb.connect()
    backend.raw_sql("SET TimeZone = 'Asia/Tokyo'")
    # New York in March 2025 before the 9th is EST (UTC-5): 03:00 UTC -> 2025-02-28 22:00
    assert local_times(backend, "America/New_York", ["2025-03-01 03:00"]) == [
        datetime(2025, 2, 28, 22, 0)
    ]
    backend.disconnect()


def _period_starts(con: Any, zone: str, values: Sequence[str], grain: str) -> list[date]:
    data = pa.table({"at": [ts(v) for v in values]}, schema=pa.schema([("at", pa.timestamp("us"))]))
    z = ibis.memtable(cal.zone_days(zone, FIRST, LAST))
    t = cal.with_local_time(ibis.memtable(data), "at", z, "local")
    t = t.mutate(period=cal.period_start(t.local, grain)).order_by("at")
    return [v.date() if isinstance(v, datetime) else v for v in con.execute(t)["period"]]


def test_period_start_in_local_time(con: Any) -> None:
    # New York: 2025-03-01 03:00 UTC is Fri 2025-02-28 22:00 EST -> February, Q1, ISO week of
    # Mon 2025-02-24, day 2025-02-28
    at = ["2025-03-01 03:00"]
    assert _period_starts(con, "America/New_York", at, "month") == [date(2025, 2, 1)]
    assert _period_starts(con, "America/New_York", at, "day") == [date(2025, 2, 28)]
    assert _period_starts(con, "America/New_York", at, "week") == [date(2025, 2, 24)]
    assert _period_starts(con, "America/New_York", at, "quarter") == [date(2025, 1, 1)]
    assert _period_starts(con, "UTC", ["2025-12-31 23:00"], "year") == [date(2025, 1, 1)]
    assert _period_starts(con, "Europe/Zagreb", ["2025-12-31 23:00"], "year") == [date(2026, 1, 1)]
    # Zagreb: Sun 2025-03-30 21:30 UTC = 23:30 CEST -> week of Mon 2025-03-24;
    # 22:30 UTC = Mon 2025-03-31 00:30 CEST -> week of 2025-03-31 (weeks start on Monday)
    sunday_monday = ["2025-03-30 21:30", "2025-03-30 22:30"]
    assert _period_starts(con, "Europe/Zagreb", sunday_monday, "week") == [
        date(2025, 3, 24),
        date(2025, 3, 31),
    ]
    with pytest.raises(ValueError, match="unknown grain"):
        cal.period_start(ibis.literal(datetime(2025, 1, 1)), "fortnight")


# -- periods -----------------------------------------------------------------------------------


def test_month_periods_in_zagreb() -> None:
    # local midnight of 2025-03-01 is CET (UTC+1) -> 2025-02-28 23:00 UTC; 2025-04-01 is CEST
    # (UTC+2) -> 2025-03-31 22:00 UTC; 2025-05-01 -> 2025-04-30 22:00 UTC
    assert cal.periods("month", date(2025, 3, 1), date(2025, 5, 1), "Europe/Zagreb") == [
        cal.Period(
            date(2025, 3, 1), date(2025, 4, 1), datetime(2025, 2, 28, 23), datetime(2025, 3, 31, 22)
        ),
        cal.Period(
            date(2025, 4, 1), date(2025, 5, 1), datetime(2025, 3, 31, 22), datetime(2025, 4, 30, 22)
        ),
    ]


def test_other_grains() -> None:
    ny = "America/New_York"
    # ISO weeks: Wed 2025-03-05 lies in the week of Mon 03-03; the range ends Wed 03-12, so the
    # last week is 03-10 .. 03-17. NY midnights: 03-03 EST -> 05:00 UTC; 03-10 and 03-17 are
    # after the 03-09 change (EDT) -> 04:00 UTC
    weeks = cal.periods("week", date(2025, 3, 5), date(2025, 3, 12), ny)
    assert [(p.start, p.end) for p in weeks] == [
        (date(2025, 3, 3), date(2025, 3, 10)),
        (date(2025, 3, 10), date(2025, 3, 17)),
    ]
    assert [p.start_utc for p in weeks] == [datetime(2025, 3, 3, 5), datetime(2025, 3, 10, 4)]
    # the DST day itself is 23 hours long: 03-09 05:00 UTC -> 03-10 04:00 UTC
    day = cal.periods("day", date(2025, 3, 9), date(2025, 3, 10), ny)[0]
    assert day.end_utc - day.start_utc == datetime(2025, 1, 1, 23) - datetime(2025, 1, 1)
    quarters = cal.periods("quarter", date(2025, 1, 1), date(2026, 1, 1), "UTC")
    assert [p.start for p in quarters] == [date(2025, m, 1) for m in (1, 4, 7, 10)]
    years = cal.periods("year", date(2024, 6, 1), date(2025, 6, 1), "UTC")
    assert [(p.start, p.end) for p in years] == [
        (date(2024, 1, 1), date(2025, 1, 1)),
        (date(2025, 1, 1), date(2026, 1, 1)),
    ]
    # a custom range is one period, bounds not aligned to anything
    assert cal.periods("range", date(2025, 3, 5), date(2025, 3, 12), "Europe/Zagreb") == [
        cal.Period(
            date(2025, 3, 5), date(2025, 3, 12), datetime(2025, 3, 4, 23), datetime(2025, 3, 11, 23)
        )
    ]
    assert cal.periods("month", date(2025, 3, 1), date(2025, 3, 1), "UTC") == []
    with pytest.raises(ValueError):
        cal.periods("month", date(2025, 3, 2), date(2025, 3, 1), "UTC")
    with pytest.raises(ValueError):
        cal.periods("fortnight", date(2025, 3, 1), date(2025, 4, 1), "UTC")


def test_lookup_tables_build_fast() -> None:
    import time

    config = settings(
        timezone="Europe/Zagreb",
        business_hours={"country": "HR", "teams": {"t2": {"timezone": "America/New_York"}}},
    )
    cal.business_table(config, date(2020, 1, 1), date(2020, 1, 2))  # warm the holidays imports
    started = time.perf_counter()
    cal.zone_days("Europe/Zagreb", date(2020, 1, 1), date(2029, 12, 31))
    cal.business_table(config, date(2020, 1, 1), date(2029, 12, 31))
    assert time.perf_counter() - started < 2.0
