"""The metric catalogue: every metric declared once, by domain."""

from __future__ import annotations

from supportmetrics.errors import UnknownMetricError
from supportmetrics.metrics import (
    calls,
    customers,
    levels,
    money,
    resolution,
    responsiveness,
    satisfaction,
    sla,
    volume,
)
from supportmetrics.metrics.model import (
    Combined,
    Count,
    Derived,
    Direction,
    Duration,
    Format,
    Mean,
    Metric,
    Part,
    Ratio,
    Rollup,
    Snapshot,
    Unit,
    direction_in,
    direction_label,
)

DOMAINS = {
    "Customer experience": satisfaction.METRICS + customers.METRICS,
    "Responsiveness": responsiveness.METRICS,
    "Resolution and backlog": resolution.METRICS,
    "Support levels": levels.METRICS,
    "Volume": volume.METRICS,
    "Calls and agents": calls.METRICS,
    "Money": money.METRICS,
    "SLA": sla.METRICS,
}

CATALOGUE: dict[str, Metric] = {}
for _metrics in DOMAINS.values():
    for _metric in _metrics:
        if _metric.id in CATALOGUE:
            raise RuntimeError(f"metric id {_metric.id!r} declared twice")
        CATALOGUE[_metric.id] = _metric


def get_metric(metric_id: str) -> Metric:
    try:
        return CATALOGUE[metric_id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(metric_id, list(CATALOGUE), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UnknownMetricError(
            f"unknown metric {metric_id!r}{hint}; `supportmetrics metrics --list` shows them all"
        ) from None


def headline_metrics() -> tuple[Metric, ...]:
    """The headline metrics (summary, alerts), in their declared order."""
    shown = [m for m in CATALOGUE.values() if m.headline is not None]
    return tuple(sorted(shown, key=lambda m: m.headline or 0))


def tile_metrics() -> tuple[Metric, ...]:
    """The metrics of the report's tiles and trend charts, in their declared order."""
    shown = [m for m in CATALOGUE.values() if m.tile is not None]
    return tuple(sorted(shown, key=lambda m: m.tile or 0))


def domain_of(metric_id: str) -> str:
    for domain, metrics in DOMAINS.items():
        if any(m.id == metric_id for m in metrics):
            return domain
    return ""


__all__ = [
    "CATALOGUE",
    "Combined",
    "Count",
    "DOMAINS",
    "Derived",
    "Direction",
    "Duration",
    "Format",
    "Mean",
    "Metric",
    "Part",
    "Ratio",
    "Rollup",
    "Snapshot",
    "Unit",
    "direction_in",
    "direction_label",
    "domain_of",
    "get_metric",
    "headline_metrics",
    "tile_metrics",
]
