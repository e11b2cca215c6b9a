"""A one-screen KPI summary of a workspace: its rows as text (the CLI's `demo` and `summary`
lay them out), and each value as text in its unit (every front-end shows values so)."""

from __future__ import annotations

from datetime import date
from typing import Any

from supportmetrics.currency import format_money
from supportmetrics.engine.query import Grain, Query, TimeRange
from supportmetrics.metrics import get_metric
from supportmetrics.metrics.model import Unit

HEADLINE = (
    "ticket_volume", "tickets_solved", "first_response_time", "resolution_time", "fcr_rate",
    "reopen_rate", "csat", "nps", "ces", "sla_compliance", "service_level_tickets",
    "service_level_calls", "asa", "abandonment_rate", "aht", "agent_utilization", "backlog",
    "churn_rate", "cost_per_ticket",
)


def missing_headlines(workspace: Any) -> list[str]:
    """The headline metrics left out of the summary, grouped by the data the workspace lacks."""
    engine = workspace.engine()
    left_out: dict[str, list[str]] = {}
    for metric_id in HEADLINE:
        lacking = engine.lacking(get_metric(metric_id))
        if lacking is not None:
            left_out.setdefault(lacking, []).append(metric_id)
    return [f"not shown, no {what} in the workspace: {', '.join(ids)}"
            for what, ids in left_out.items()]


def summary_rows(workspace: Any, months: int = 3) -> list[tuple[str, str, list[str]]]:
    """(metric id, title, last ``months`` monthly values formatted) for the headline metrics.

    A metric whose data the workspace does not have is left out (see missing_headlines).
    """
    engine = workspace.engine()
    rows = []
    periods: list[str] = []
    last = engine.table_span("tickets")[1]
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    first = end.year * 12 + end.month - 1 - months  # the same months for every metric
    start = date(first // 12, first % 12 + 1, 1)
    for metric_id in HEADLINE:
        metric = get_metric(metric_id)
        if engine.missing_data(metric) is not None:
            continue
        frame = engine.metric(Query(metric_id, Grain.MONTH, TimeRange(start, end)))
        tail = frame.tail(months)
        periods = tail["period"].tolist()
        currency = workspace.settings.currency
        rows.append((metric_id, metric.title,
                     [format_value(v, metric.unit, currency) for v in tail["value"]]))
    rows.insert(0, ("", "", periods))
    return rows


def format_value(value: float | None, unit: Unit, currency: str | None = None) -> str:
    """``value`` as text in its unit; money carries ``currency`` (an ISO 4217 code)."""
    if value is None or value != value:
        return "-"
    if unit is Unit.SECONDS:
        return format_seconds(value)
    if unit is Unit.PERCENT:
        return f"{value:.1f} %"
    if unit is Unit.COUNT:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if unit is Unit.MONEY:
        return format_money(value, currency)
    return f"{value:,.1f}"


def format_seconds(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
