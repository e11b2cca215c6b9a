"""A one-screen KPI summary of a workspace: its rows as text (the CLI's `demo` and `summary`
lay them out), and each value as text in its unit (every front-end shows values so)."""

from __future__ import annotations

from datetime import date
from typing import Any

from supportmetrics.currency import format_money
from supportmetrics.engine.query import Grain, Query, TimeRange
from supportmetrics.metrics import headline_metrics
from supportmetrics.metrics.model import UNIT_FORMATS, Format, Unit

#: the headline metric ids as the catalogue declares them (its ``headline`` attribute)
HEADLINE = tuple(m.id for m in headline_metrics())


def missing_headlines(workspace: Any) -> list[str]:
    """The headline metrics left out of the summary, grouped by the data the workspace lacks."""
    engine = workspace.engine()
    left_out: dict[str, list[str]] = {}
    for metric in headline_metrics():
        lacking = engine.lacking(metric)
        if lacking is not None:
            left_out.setdefault(lacking, []).append(metric.id)
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
    for metric in headline_metrics():
        if engine.missing_data(metric) is not None:
            continue
        frame = engine.metric(Query(metric.id, Grain.MONTH, TimeRange(start, end)))
        tail = frame.tail(months)
        periods = tail["period"].tolist()
        currency = workspace.settings.currency
        rows.append((metric.id, metric.title,
                     [format_value(v, metric.shown_as, currency) for v in tail["value"]]))
    rows.insert(0, ("", "", periods))
    return rows


def format_value(value: float | None, shown: Unit | Format, currency: str | None = None) -> str:
    """``value`` as text in a metric's format (``Metric.shown_as``), or its unit's; money
    carries ``currency`` (an ISO 4217 code)."""
    if value is None or value != value:
        return "-"
    form = UNIT_FORMATS[shown] if isinstance(shown, Unit) else shown
    if form is Format.DURATION:
        return format_seconds(value)
    if form is Format.PERCENT:
        return f"{value:.1f} %"
    if form is Format.COUNT:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if form is Format.MONEY:
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
