"""supportmetrics.calendar.periods: the one home of period arithmetic (the report's included)."""

from __future__ import annotations

from datetime import date

import pytest

from supportmetrics.calendar import grain_start, next_grain, shift


def test_shift_moves_whole_periods_both_ways() -> None:
    assert shift(date(2025, 10, 1), "month", -6) == date(2025, 4, 1)
    assert shift(date(2025, 1, 1), "month", -1) == date(2024, 12, 1)  # across a year
    assert shift(date(2025, 10, 6), "week", -2) == date(2025, 9, 22)  # 6 Oct - 14 days
    assert shift(date(2025, 10, 1), "quarter", 2) == date(2026, 4, 1)  # 3 months x 2
    assert shift(date(2024, 1, 1), "year", 1) == date(2025, 1, 1)
    assert shift(date(2025, 2, 28), "day", 1) == date(2025, 3, 1)


def test_next_grain_is_one_step_and_grain_start_finds_the_period() -> None:
    assert next_grain(date(2025, 12, 1), "month") == date(2026, 1, 1)
    # Sunday 12 Oct 2025 is in the ISO week of Monday 6 Oct
    assert grain_start(date(2025, 10, 12), "week") == date(2025, 10, 6)
    assert grain_start(date(2025, 11, 15), "quarter") == date(2025, 10, 1)


def test_a_range_has_no_next_period() -> None:
    with pytest.raises(ValueError, match="grain 'range' has no next period"):
        shift(date(2025, 10, 1), "range", 1)
