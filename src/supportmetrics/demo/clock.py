"""Time for the generator: local wall-clock seconds in Europe/Zagreb, seasonality, opening hours.

Every moment is generated as an ``int64`` count of seconds since 1970-01-01 on the *local* wall
clock (so "09:30 on a Monday" is plain arithmetic) and converted to UTC once, when a table is
built. ``NEVER`` marks a step of a ticket's life that does not happen; anything at or after the
horizon (the end of the generated period) has not happened yet and is left out.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

ZONE = "Europe/Zagreb"
MINUTE, HOUR, DAY = 60, 3600, 86_400
NEVER = np.int64(1) << np.int64(40)  # about year 36800: later than any horizon

WEEKDAY_WEIGHT = np.array([1.3, 1.25, 1.05, 1.0, 0.9, 0.35, 0.25])  # Monday .. Sunday
HOUR_WEIGHT = np.array([
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.4, 3.8, 3.6,
    3.0, 3.2, 3.5, 3.3, 2.9, 2.2, 1.6, 1.2, 1.0, 0.8, 0.5, 0.3,
])
# days with little or no traffic (the 25th is the near-empty one)
QUIET_DAYS = {(12, 24): 0.5, (12, 25): 0.06, (12, 26): 0.4, (12, 31): 0.6, (1, 1): 0.1}
CLOSED_DAYS = ((12, 25), (1, 1))  # nobody works
WEEKDAY_HOURS = (8 * HOUR, 18 * HOUR)
WEEKEND_HOURS = (9 * HOUR, 17 * HOUR)  # chat, phone and social are covered on weekends


def seconds(day: date) -> int:
    """Local midnight of ``day`` as wall-clock seconds."""
    return (day - date(1970, 1, 1)).days * DAY


def weekday(local: np.ndarray) -> np.ndarray:
    """Monday = 0 .. Sunday = 6 (1970-01-01 was a Thursday)."""
    return (local // DAY + 3) % 7


def month_index(local: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each moment."""
    months: np.ndarray = local.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    return months


def to_utc(local: np.ndarray) -> np.ndarray:
    """Europe/Zagreb wall clock -> UTC seconds; monotonic across the DST changes.

    Summer time runs from the last Sunday of March 02:00 to the last Sunday of October 03:00
    (local). Times in the skipped spring hour map to the instant of the change; times in the
    repeated autumn hour are read as summer time (the first occurrence).
    """
    years = local.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64)
    first = int(years.min()) if len(years) else 0
    span = np.arange(first, first + (int(years.max()) - first + 1 if len(years) else 1))
    spring = (_last_sunday(span, 3) * DAY + 2 * HOUR)[years - first]
    autumn = (_last_sunday(span, 10) * DAY + 3 * HOUR)[years - first]
    summer = (local >= spring) & (local < autumn)
    utc = local - np.where(summer, 2 * HOUR, HOUR)
    in_gap = (local >= spring) & (local < spring + HOUR)
    result: np.ndarray = np.where(in_gap, spring - HOUR, utc)
    return result


def _last_sunday(years: np.ndarray, month: int) -> np.ndarray:
    """Day number (since 1970-01-01) of the last Sunday of ``month`` in each year."""
    next_month = years.astype("datetime64[Y]") + np.timedelta64(month, "M")
    last = next_month.astype("datetime64[D]").astype(np.int64) - 1
    result: np.ndarray = last - (last + 4) % 7  # (day + 3) % 7 == 6 on Sundays
    return result


def day_weights(start: date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Local midnights of the period and each day's share of the traffic.

    Busy Mondays and Tuesdays, quiet weekends, 15 % growth over the period, quiet holidays.
    """
    midnights = seconds(start) + DAY * np.arange(days, dtype=np.int64)
    weight = WEEKDAY_WEIGHT[weekday(midnights)] * (1 + 0.15 * np.arange(days) / max(days, 1))
    for offset in range(days):
        day = start + timedelta(days=offset)
        weight[offset] *= QUIET_DAYS.get((day.month, day.day), 1.0)
    return midnights, weight / weight.sum()


def moments(
    rng: np.random.Generator, midnights: np.ndarray, p: np.ndarray, n: int,
    hours: np.ndarray = HOUR_WEIGHT,
) -> np.ndarray:
    """``n`` local moments: a day drawn by ``p``, an hour by ``hours``, a uniform second."""
    day = midnights[rng.choice(len(midnights), size=n, p=p)]
    hour = rng.choice(24, size=n, p=hours / hours.sum())
    result: np.ndarray = day + hour * HOUR + rng.integers(0, HOUR, size=n)
    return result


def next_open(local: np.ndarray, weekends: np.ndarray | bool = False) -> np.ndarray:
    """The first moment at or after ``local`` when agents work.

    Monday to Friday 08:00-18:00; Saturday and Sunday 09:00-17:00 where ``weekends`` is true
    (the live channels); nobody works on Christmas Day or New Year's Day. ``NEVER`` stays.
    """
    t = local.copy()
    for _ in range(7):  # at most: a Friday evening -> Christmas -> ... -> Monday morning
        day, second = t // DAY, t % DAY
        weekend = weekday(t) >= 5
        works = ~weekend | weekends
        works &= ~closed_day(day)
        opens = np.where(weekend, WEEKEND_HOURS[0], WEEKDAY_HOURS[0])
        closes = np.where(weekend, WEEKEND_HOURS[1], WEEKDAY_HOURS[1])
        inside = (works & (second >= opens) & (second < closes)) | (t >= NEVER)
        if inside.all():
            break
        before = works & (second < opens)
        t = np.where(inside, t, np.where(before, day * DAY + opens, (day + 1) * DAY))
    return t


def closed_day(day: np.ndarray) -> np.ndarray:
    """Whether each day number (since 1970-01-01) is a day nobody works."""
    finite = day[day < NEVER // DAY]
    if not len(finite):
        return np.zeros(len(day), dtype=bool)
    first, last = (date(1970, 1, 1) + timedelta(days=int(d)) for d in (finite.min(), finite.max()))
    closed = [
        seconds(date(year, month, number)) // DAY
        for year in range(first.year, last.year + 1)
        for month, number in CLOSED_DAYS
    ]
    result: np.ndarray = np.isin(day, closed)
    return result


def after_open(local: np.ndarray, delay: np.ndarray, weekends: np.ndarray | bool = False,
               minimum: int = 60) -> np.ndarray:
    """When a worker acts on something that arrived at ``local``: opening hours + ``delay``.

    The result lands in opening hours again (work not finished by closing time waits for the
    next morning) and is at least ``minimum`` seconds after ``local``.
    """
    ready = next_open(local, weekends) + delay.astype(np.int64)
    result: np.ndarray = np.maximum(next_open(ready, weekends), local + minimum)
    return result
