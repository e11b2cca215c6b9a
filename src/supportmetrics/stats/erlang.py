"""Erlang C staffing: probability of waiting, service level, ASA and the agents needed.

Formulas (Erlang C, A. K. Erlang 1917; as used in contact-centre planning): traffic
A = calls / interval x AHT (Erlangs); with N agents, Erlang B by the stable recursion
B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)); the probability a call waits
C = N B / (N - A (1 - B)); service level = 1 - C exp(-(N - A) T / AHT) for a target answer
time T; ASA = C AHT / (N - A); occupancy = A / N. N <= A means the queue grows without end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from supportmetrics.errors import UserError
from supportmetrics.stats.calculators import Calculator, Input, Values


@dataclass(frozen=True)
class Staffing:
    agents: int
    traffic_erlangs: float
    wait_probability: float
    service_level: float
    asa_seconds: float
    occupancy: float


def traffic(calls: float, interval_seconds: float, aht_seconds: float) -> float:
    if interval_seconds <= 0:
        raise UserError("interval_seconds must be positive")
    return calls / interval_seconds * aht_seconds


def wait_probability(agents: int, erlangs: float) -> float:
    """Erlang C: the probability that a call has to wait (1.0 when agents <= traffic)."""
    if agents <= erlangs:
        return 1.0
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = erlangs * blocking / (k + erlangs * blocking)
    return agents * blocking / (agents - erlangs * (1 - blocking))


def staffing(agents: int, calls: float, interval_seconds: float, aht_seconds: float,
             target_seconds: float) -> Staffing:
    a = traffic(calls, interval_seconds, aht_seconds)
    c = wait_probability(agents, a)
    if agents <= a:
        return Staffing(agents, a, 1.0, 0.0, math.inf, 1.0)
    level = 1 - c * math.exp(-(agents - a) * target_seconds / aht_seconds)
    return Staffing(agents, a, c, level, c * aht_seconds / (agents - a), a / agents)


def agents_needed(calls: float, interval_seconds: float, aht_seconds: float,
                  target_seconds: float, service_level: float) -> Staffing:
    """The fewest agents whose service level reaches ``service_level`` (a fraction)."""
    if not 0 < service_level < 1:
        raise UserError("service_level must be a fraction between 0 and 1, e.g. 0.8")
    agents = max(1, math.floor(traffic(calls, interval_seconds, aht_seconds)) + 1)
    while True:
        result = staffing(agents, calls, interval_seconds, aht_seconds, target_seconds)
        if result.service_level >= service_level:
            return result
        agents += 1


_COMMON = (
    Input("calls", "calls arriving in the interval", 100),
    Input("interval_seconds", "length of the interval in seconds", 1800),
    Input("aht_seconds", "average handle time in seconds", 180),
)

ERLANG_CALCULATORS: dict[str, Calculator] = {
    c.name: c for c in (
        Calculator(
            name="erlang_service_level", title="Erlang C service level with N agents", unit="%",
            formula="1 - C(agents, A) x exp(-(agents - A) x target_seconds / aht_seconds), "
            "A = calls / interval_seconds x aht_seconds", source="Erlang C",
            inputs=(*_COMMON, Input("agents", "agents on the queue", 13),
                    Input("target_seconds", "answer-time target", 20)),
            compute=lambda v: 100 * staffing(int(v["agents"]), v["calls"], v["interval_seconds"],
                                     v["aht_seconds"], v["target_seconds"]).service_level,
        ),
        Calculator(
            name="erlang_agents", title="Erlang C agents needed", unit="agents",
            formula="fewest agents with service level >= target_level", source="Erlang C",
            inputs=(*_COMMON, Input("target_seconds", "answer-time target", 20),
                    Input("target_level", "service level to reach, as a fraction", 0.8)),
            compute=lambda v: float(agents_needed(v["calls"], v["interval_seconds"], v["aht_seconds"],
                                          v["target_seconds"], v["target_level"]).agents),
        ),
    )
}

__all__ = ["ERLANG_CALCULATORS", "Staffing", "Values", "agents_needed", "staffing",
           "traffic", "wait_probability"]
