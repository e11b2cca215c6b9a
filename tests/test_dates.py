"""supportmetrics.dates: the one parser of the dates and instants options take."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from supportmetrics.dates import check_day, parse_date, parse_day, parse_instant, parse_period
from supportmetrics.errors import QueryError


def test_a_day_a_month_and_a_datetime() -> None:
    assert parse_date("2025-10-06", "--from") == date(2025, 10, 6)
    assert parse_date(datetime(2025, 10, 6, 13, 0), "--from") == date(2025, 10, 6)
    assert parse_date(None, "--from") is None
    assert parse_day("2025-10", "--period") == date(2025, 10, 1)  # a month is its first day
    assert parse_day("2025-10-06", "--period") == date(2025, 10, 6)


def test_a_period_says_its_grain() -> None:
    assert parse_period("2025", "--period") == (date(2025, 1, 1), "year")
    assert parse_period("2025-10", "--period") == (date(2025, 10, 1), "month")
    assert parse_period("2025-10-06", "--period") == (date(2025, 10, 6), "day")


def test_an_instant_is_local_and_a_date_is_its_midnight() -> None:
    assert parse_instant("2025-12-31T18:00", "--as-of") == datetime(2025, 12, 31, 18, 0)
    assert parse_instant(date(2025, 12, 31), "--as-of") == datetime(2025, 12, 31, 0, 0)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: parse_date("10/06/2025", "--from"), "--from '10/06/2025': expected a date like 2025-10-01"),
    (lambda: parse_day("Oct 2025", "--period"),
     "--period 'Oct 2025': expected a month (2025-10) or a day (2025-10-06)"),
    (lambda: parse_period("25", "--period"), "--period '25': expected 2025, 2025-10 or 2025-10-06"),
    (lambda: parse_instant("noon", "--as-of"),
     "--as-of 'noon': expected a date or a date and time like 2025-10-06T13:00"),
    (lambda: parse_period("2300", "--period"),
     "--period '2300': expected a date between 1900-01-01 and 2199-12-31"),
    (lambda: check_day(date(1899, 12, 31), "--to", "1899-12-31"),
     "--to '1899-12-31': expected a date between 1900-01-01 and 2199-12-31"),
])
def test_a_bad_value_names_the_option_and_the_form(call: object, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value) == message
