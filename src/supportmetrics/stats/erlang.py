"""Erlang C staffing: probability of waiting, service level, ASA, occupancy, agents needed.

The model (A. K. Erlang, 1917; the M/M/N queue every contact-centre planning tool uses): calls
arrive at random, wait in one queue and are served by ``N`` interchangeable agents.

* traffic intensity ``A = calls / interval x AHT`` (Erlangs: agent-seconds of work per second);
* Erlang B by the stable recursion ``B(0) = 1``, ``B(k) = A B(k-1) / (k + A B(k-1))`` (no
  factorials, no overflow, exact to float precision for thousands of agents);
* Erlang C, the probability that a call waits: ``C(N, A) = N B(N) / (N - A (1 - B(N)))``, which
  equals the textbook ``(A^N / N!) (N / (N - A)) / (sum_{k<N} A^k / k! + (A^N / N!) N / (N - A))``;
* service level for an answer-time target ``T``: ``SL = 1 - C exp(-(N - A) T / AHT)``;
* average speed of answer ``ASA = C AHT / (N - A)``; occupancy ``A / N``.

With ``N <= A`` the queue grows without end: every call waits (``C = 1``), no call is answered
within any target (``SL = 0``), the ASA is unbounded and the agents are busy all the time.
Probabilities and service levels here are fractions (0-1); the calculators show percentages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from supportmetrics.errors import QueryError


@dataclass(frozen=True)
class Staffing:
    """The Erlang C figures of one queue staffed by ``agents`` (probabilities as fractions)."""

    agents: int
    traffic: float
    wait_probability: float
    service_level: float
    asa_seconds: float
    occupancy: float


def traffic_erlangs(calls: float, interval_seconds: float, aht_seconds: float) -> float:
    """Traffic intensity ``A = calls / interval x AHT`` in Erlangs (e.g. 100 calls per 1800 s with
    180 s handle time: 10 Erlangs)."""
    _check(interval_seconds > 0, "interval_seconds must be positive")
    _check(calls >= 0 and aht_seconds >= 0, "calls and aht_seconds cannot be negative")
    return calls / interval_seconds * aht_seconds


def erlang_b(agents: int, traffic: float) -> float:
    """Erlang B blocking probability by the recursion ``B(k) = A B(k-1) / (k + A B(k-1))``."""
    _check_queue(agents, traffic)
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def wait_probability(agents: int, traffic: float) -> float:
    """Erlang C: the probability that a call waits, ``N B / (N - A (1 - B))``; 1 when N <= A."""
    _check_queue(agents, traffic)
    if agents <= traffic:
        return 1.0
    return _erlang_c(agents, traffic, erlang_b(agents, traffic))


def service_level(agents: int, traffic: float, aht_seconds: float, target_seconds: float) -> float:
    """Share of calls answered within ``target_seconds``: ``1 - C exp(-(N - A) T / AHT)``."""
    _check(aht_seconds > 0, "aht_seconds must be positive")
    _check(target_seconds >= 0, "target_seconds cannot be negative")
    waits = wait_probability(agents, traffic)
    if agents <= traffic:
        return 0.0
    return 1.0 - waits * math.exp(-(agents - traffic) * target_seconds / aht_seconds)


def average_speed_of_answer(agents: int, traffic: float, aht_seconds: float) -> float:
    """ASA in seconds: ``C AHT / (N - A)``; ``math.inf`` when N <= A."""
    _check(aht_seconds > 0, "aht_seconds must be positive")
    waits = wait_probability(agents, traffic)
    if agents <= traffic:
        return math.inf
    return waits * aht_seconds / (agents - traffic)


def occupancy(agents: int, traffic: float) -> float:
    """Share of the agents' time spent handling calls: ``A / N`` (at most 1)."""
    _check_queue(agents, traffic)
    return min(1.0, traffic / agents)


def staffing(
    agents: int, calls: float, interval_seconds: float, aht_seconds: float, target_seconds: float
) -> Staffing:
    """Every Erlang C figure for ``agents`` on ``calls`` per ``interval_seconds``."""
    a = traffic_erlangs(calls, interval_seconds, aht_seconds)
    return Staffing(
        agents=agents,
        traffic=a,
        wait_probability=wait_probability(agents, a),
        service_level=service_level(agents, a, aht_seconds, target_seconds),
        asa_seconds=average_speed_of_answer(agents, a, aht_seconds),
        occupancy=occupancy(agents, a),
    )


def agents_needed(
    traffic: float, aht_seconds: float, target_seconds: float, target_level: float
) -> int:
    """The fewest agents whose service level reaches ``target_level`` (a fraction below 1).

    Starts at the smallest stable staffing, ``floor(A) + 1``, and adds one agent at a time,
    carrying the Erlang B recursion forward (the service level grows with every agent).
    """
    _check(0 <= target_level < 1, "the target service level must be at least 0 and below 100 %")
    _check(aht_seconds > 0, "aht_seconds must be positive")
    _check(target_seconds >= 0, "target_seconds cannot be negative")
    _check(traffic >= 0 and math.isfinite(traffic), "traffic must be a finite number >= 0")
    agents = math.floor(traffic) + 1
    blocking = erlang_b(agents, traffic)
    while True:
        waits = _erlang_c(agents, traffic, blocking)
        level = 1.0 - waits * math.exp(-(agents - traffic) * target_seconds / aht_seconds)
        if level >= target_level:
            return agents
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)


def _erlang_c(agents: int, traffic: float, blocking: float) -> float:
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def _check_queue(agents: int, traffic: float) -> None:
    _check(isinstance(agents, int) and agents >= 1, f"agents must be a whole number >= 1: {agents}")
    _check(traffic >= 0 and math.isfinite(traffic), f"traffic must be finite and >= 0: {traffic}")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise QueryError(f"Erlang C: {message}")
