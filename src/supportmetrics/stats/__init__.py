"""Pure statistics: the calculators, Erlang C staffing and volume spike detection."""

from __future__ import annotations

from supportmetrics.stats.calculators import (
    CALCULATORS,
    Calculator,
    Example,
    Input,
    Result,
    calculate,
    evaluate,
    get_calculator,
    parse_assignments,
)
from supportmetrics.stats.erlang import (
    Staffing,
    agents_needed,
    average_speed_of_answer,
    erlang_b,
    occupancy,
    service_level,
    staffing,
    traffic_erlangs,
    wait_probability,
)
from supportmetrics.stats.spikes import detect_spikes

__all__ = [
    "CALCULATORS",
    "Calculator",
    "Example",
    "Input",
    "Result",
    "Staffing",
    "agents_needed",
    "average_speed_of_answer",
    "calculate",
    "detect_spikes",
    "erlang_b",
    "evaluate",
    "get_calculator",
    "occupancy",
    "parse_assignments",
    "service_level",
    "staffing",
    "traffic_erlangs",
    "wait_probability",
]
