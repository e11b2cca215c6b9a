"""Dates and instants as users write them: the one home of the options' date parsing.

``--from``/``--to`` take a day (:func:`parse_date`); a report's ``--period``/``--from``/``--to``
also a month (:func:`parse_day`); ``metrics --period`` a year, a month or a day
(:func:`parse_period`); ``--as-of`` a day or a local date and time (:func:`parse_instant`).
Every day is checked against the span a query may name (:func:`check_day`); a bad value is a
:class:`~supportmetrics.errors.QueryError` naming the option and the expected form.
"""

from __future__ import annotations

from datetime import date, datetime

from supportmetrics.errors import QueryError

#: the dates a query may name: calendars, time zones and holidays are known between them
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def check_day(day: date, option: str, text: object) -> date:
    """``day`` when a query may name it, else a QueryError naming the option."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise QueryError(f"{option} {str(text)!r}: expected a date between {FIRST_DAY} and "
                         f"{LAST_DAY}")
    return day


def parse_date(value: str | date | datetime | None, option: str) -> date | None:
    """A day written ``2025-10-01`` (a datetime gives its date); None stays None."""
    if value is None:
        return None
    if isinstance(value, date):
        return check_day(value.date() if isinstance(value, datetime) else value, option, value)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{option} {value!r}: expected a date like 2025-10-01") from None
    return check_day(day, option, value)


def parse_day(text: str | date | None, option: str) -> date | None:
    """``2025-10`` (a month: its first day) or ``2025-10-06`` (a day); None stays None."""
    if text is None or isinstance(text, date):
        return text
    try:
        day = date.fromisoformat(text + "-01" if len(text) == 7 else text)
    except ValueError:
        raise QueryError(f"{option} {text!r}: expected a month (2025-10) or a day "
                         "(2025-10-06)") from None
    return check_day(day, option, text)


def parse_period(text: str, option: str) -> tuple[date, str]:
    """``2025`` (a year), ``2025-10`` (a month) or ``2025-10-06`` (a day): its first day and
    its grain (``year``, ``month`` or ``day``)."""
    try:
        if len(text) == 7:
            start, grain = date.fromisoformat(text + "-01"), "month"
        elif len(text) == 4:
            start, grain = date(int(text), 1, 1), "year"
        else:
            start, grain = date.fromisoformat(text), "day"
    except ValueError:
        raise QueryError(f"{option} {text!r}: expected 2025, 2025-10 or 2025-10-06") from None
    return check_day(start, option, text), grain


def parse_instant(value: str | date | datetime | None, option: str) -> datetime | None:
    """An ISO date or date-time (a date is its midnight); naive ones are local times."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise QueryError(
            f"{option} {value!r}: expected a date or a date and time like 2025-10-06T13:00"
        ) from None
