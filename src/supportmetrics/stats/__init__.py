"""Pure statistics: calculators, Erlang C staffing, spike detection."""

from __future__ import annotations

from supportmetrics.stats.calculators import CALCULATORS, Calculator, all_calculators, calculate
from supportmetrics.stats.erlang import agents_needed, staffing, wait_probability
from supportmetrics.stats.spikes import detect_spikes

__all__ = [
    "CALCULATORS",
    "Calculator",
    "agents_needed",
    "all_calculators",
    "calculate",
    "detect_spikes",
    "staffing",
    "wait_probability",
]
