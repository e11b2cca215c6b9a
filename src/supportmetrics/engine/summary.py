"""A one-screen KPI summary of a workspace (used by `supportmetrics demo` and `summary`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from supportmetrics.engine import build_query
from supportmetrics.metrics import get_metric
from supportmetrics.metrics.model import Unit

HEADLINE = (
    "ticket_volume", "tickets_solved", "first_response_time", "resolution_time", "fcr_rate",
    "reopen_rate", "csat", "nps", "ces", "sla_compliance", "service_level", "asa",
    "abandonment_rate", "aht", "agent_utilization", "backlog", "churn_rate", "cost_per_ticket",
)


def summary_rows(workspace: Any, months: int = 3) -> list[tuple[str, str, list[str]]]:
    """(metric id, title, last ``months`` monthly values formatted) for the headline metrics."""
    engine = workspace.engine()
    rows = []
    periods: list[str] = []
    last = engine.table_span("tickets")[1]
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    for metric_id in HEADLINE:
        metric = get_metric(metric_id)
        frame = engine.metric(build_query(metric_id, "month", end=end))
        tail = frame.tail(months)
        periods = tail["period"].tolist()
        rows.append((metric_id, metric.title, [format_value(v, metric.unit) for v in tail["value"]]))
    rows.insert(0, ("", "", periods))
    return rows


def format_value(value: float | None, unit: Unit) -> str:
    if value is None or value != value:
        return "-"
    if unit is Unit.SECONDS:
        return format_seconds(value)
    if unit is Unit.PERCENT:
        return f"{value:.1f} %"
    if unit is Unit.COUNT:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if unit is Unit.MONEY:
        return f"{value:,.2f}"
    return f"{value:,.1f}"


def format_seconds(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def print_summary(workspace: Any, console: Console | None = None) -> None:
    console = console or Console()
    rows = summary_rows(workspace)
    _, _, periods = rows[0]
    view = Table("metric", *periods, title=Text(f"KPI summary ({workspace.directory})"))
    for metric_id, title, values in rows[1:]:
        view.add_row(Text.assemble(title, " ", (f"({metric_id})", "dim")), *values)
    console.print(view)
