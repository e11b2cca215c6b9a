"""Erlang C against the textbook factorial formula, and spike detection on hand series."""

from __future__ import annotations

import math

import pytest

from supportmetrics.errors import UserError
from supportmetrics.stats import (
    agents_needed,
    average_speed_of_answer,
    detect_spikes,
    erlang_b,
    occupancy,
    service_level,
    staffing,
    traffic_erlangs,
    wait_probability,
)


def _erlang_b_by_factorials(n: int, a: float) -> float:
    return (a**n / math.factorial(n)) / sum(a**k / math.factorial(k) for k in range(n + 1))


def _erlang_c_by_factorials(n: int, a: float) -> float:
    """The textbook Erlang C: (A^N / N!) (N / (N - A)) / (sum_{k<N} A^k / k! + that)."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_traffic_of_the_textbook_example() -> None:
    # 100 calls in 30 minutes, 180 s handle time: 10 Erlangs
    assert traffic_erlangs(100, 1800, 180) == 10.0


@pytest.mark.parametrize("agents", [11, 12, 13, 14, 15, 20, 30])
def test_erlang_b_and_c_match_the_factorial_formulas(agents: int) -> None:
    assert erlang_b(agents, 10.0) == pytest.approx(_erlang_b_by_factorials(agents, 10.0))
    assert wait_probability(agents, 10.0) == pytest.approx(_erlang_c_by_factorials(agents, 10.0))


def test_the_textbook_example_by_hand() -> None:
    # A = 10 Erlangs, 13 agents, 20 s target, 180 s AHT
    c = _erlang_c_by_factorials(13, 10.0)
    assert 0.28 < c < 0.29  # P(wait) = 0.2853 in the published Erlang C tables
    assert service_level(13, 10.0, 180, 20) == pytest.approx(1 - c * math.exp(-3 * 20 / 180))
    assert average_speed_of_answer(13, 10.0, 180) == pytest.approx(c * 180 / 3)
    assert occupancy(13, 10.0) == pytest.approx(10 / 13)
    whole = staffing(13, 100, 1800, 180, 20)
    assert whole.traffic == 10.0
    assert whole.wait_probability == pytest.approx(c)
    assert whole.service_level == pytest.approx(1 - c * math.exp(-1 / 3))
    assert whole.asa_seconds == pytest.approx(60 * c)
    assert whole.occupancy == pytest.approx(10 / 13)


def test_agents_needed_is_the_first_staffing_reaching_the_target() -> None:
    assert agents_needed(10.0, 180, 20, 0.8) == 14
    assert service_level(14, 10.0, 180, 20) >= 0.8 > service_level(13, 10.0, 180, 20)
    for a, target in ((0.5, 0.8), (10.0, 0.95), (37.3, 0.9), (250.0, 0.8)):
        n = agents_needed(a, 240, 30, target)
        assert service_level(n, a, 240, 30) >= target > service_level(n - 1, a, 240, 30) or (
            n == math.floor(a) + 1)
    assert agents_needed(0.0, 180, 20, 0.8) == 1  # no traffic still needs someone to answer


def test_understaffed_and_large_queues() -> None:
    assert wait_probability(10, 10.0) == 1.0
    assert service_level(9, 10.0, 180, 20) == 0.0
    assert average_speed_of_answer(10, 10.0, 180) == math.inf
    assert occupancy(8, 10.0) == 1.0
    assert wait_probability(5, 0.0) == 0.0
    # thousands of agents: the recursion neither overflows nor loses the answer
    big = wait_probability(2100, 2000.0)
    assert 0 < big < 1
    assert agents_needed(2000.0, 180, 20, 0.8) > 2000


def test_bad_erlang_arguments_are_user_errors() -> None:
    with pytest.raises(UserError, match="agents must be a whole number"):
        wait_probability(0, 1.0)
    with pytest.raises(UserError, match="below 100 %"):
        agents_needed(10.0, 180, 20, 1.0)
    with pytest.raises(UserError, match="interval_seconds must be positive"):
        traffic_erlangs(10, 0, 180)
    with pytest.raises(UserError, match="aht_seconds must be positive"):
        service_level(12, 10.0, 0, 20)


WEEKLY = [100, 104, 98, 101, 99, 103, 97, 100, 310, 102, 99, 100, 105, 98, 250, 101]


def test_spikes_in_a_hand_series() -> None:
    # the 310 week and the 250 week; the first 310 does not hide the second (medians)
    assert detect_spikes(WEEKLY) == [8, 14]
    assert detect_spikes(WEEKLY, threshold=2.6) == [8]
    assert detect_spikes([100, 101, 99, 100, 102, 98, 100, 101, 150]) == []  # +50 % is no spike


def test_spikes_need_history_and_ignore_missing_values() -> None:
    assert detect_spikes([1, 500, 2, 3, 4, 3]) == []  # index 1 has one earlier point, needs 4
    assert detect_spikes([10, 10, 10, 10, 50]) == [4]
    assert detect_spikes([10, 10, math.nan, 10, 10, 50, math.nan]) == [5]
    assert detect_spikes([]) == []
    assert detect_spikes([0, 0, 0, 0, 3]) == [4]  # from nothing to something


def test_noise_is_not_a_spike() -> None:
    # a level of 10 with +-6 noise: 21 is twice the median but within 3 MADs
    noisy = [10, 4, 16, 10, 5, 15, 10, 16, 21]
    assert detect_spikes(noisy) == []


def test_bad_spike_arguments() -> None:
    with pytest.raises(UserError):
        detect_spikes([1, 2, 3], window=0)
    with pytest.raises(UserError):
        detect_spikes([1, 2, 3], threshold=0)
