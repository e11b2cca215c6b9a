"""View models of the dashboard pages: plain, JSON-ready values computed from the engine facade.

Each page is one dict: its numbers (raw value, the text the report shows, the units counted) and
the links to the units behind each number. The HTML page lays it out; its JSON twin is the same
dict without the chart specifications (keys starting with ``_``). Nothing here computes a metric:
values come from :meth:`Workspace.metric` and :meth:`Engine.explain`, text from the report's
formatting helpers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from supportmetrics.calendar import shift
from supportmetrics.engine import HEADLINE, format_value
from supportmetrics.errors import QueryError, SupportMetricsError
from supportmetrics.metrics import CATALOGUE, Metric, Unit, domain_of, get_metric
from supportmetrics.reports import (
    AGENT_METRICS,
    MetricRow,
    Target,
    format_change,
    in_workspace,
    targets_for,
)
from supportmetrics.web.pages.filters import Filters


@dataclass
class Context:
    """One request's view: the workspace, the filters and the periods they resolve to."""

    ws: Any
    filters: Filters
    periods: tuple[date, ...] = ()
    end: date = date.min
    targets: dict[str, Target] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, ws: Any, filters: Filters) -> Context:
        engine = ws.engine()
        try:
            last_day = engine.table_span("tickets")[1]
        except SupportMetricsError:
            span = engine.local_span()
            if span is None:
                raise QueryError("the workspace is empty: load data with `supportmetrics "
                                 "ingest` first") from None
            last_day = span[1]
        periods, end = filters.periods(last_day)
        return cls(ws, filters, periods, end, targets_for(ws.settings))

    @property
    def chosen(self) -> date:
        return self.periods[-1]

    @property
    def currency(self) -> str | None:
        currency: str | None = self.ws.settings.currency
        return currency

    def text(self, value: float | None, unit: Unit) -> str:
        return format_value(value, unit, self.currency)

    def units_url(self, metric_id: str, period: date | None = None,
                  extra: dict[str, str] | None = None) -> str:
        """The units behind one number: the metric's ``explain`` rows of one period."""
        params = {"period": (period or self.chosen).isoformat(), **(extra or {})}
        return f"/units/{metric_id}" + self.filters.query(**params)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def metric(ws: Any, metric_id: str) -> Metric:
    return in_workspace(get_metric(metric_id), ws.settings)


def frame(ctx: Context, metric_id: str, *, grain: str | None = None, by: tuple[str, ...] = (),
          start: date | None = None, end: date | None = None, clock: str | None = None,
          stat: str | None = None, where: dict[str, str] | None = None) -> pd.DataFrame:
    """The metric over the page's periods (or ``start``..``end``) as the engine returns it."""
    f = ctx.filters
    result: pd.DataFrame = ctx.ws.metric(
        metric_id, grain=grain or f.grain, by=list(by), start=start or ctx.periods[0],
        end=end or ctx.end, where={**f.where, **(where or {})} or None,
        clock=clock or f.clock, stat=stat or f.stat)
    return result


def row(ctx: Context, metric_id: str, *, clock: str | None = None, stat: str | None = None,
        where: dict[str, str] | None = None) -> dict[str, Any]:
    """One metric across the page's periods: each value, its text, count and units link."""
    m = metric(ctx.ws, metric_id)
    keys = [p.isoformat() for p in ctx.periods]
    missing = ctx.ws.engine().missing_data(m)
    error = ""
    values: tuple[float | None, ...] = (None,) * len(keys)
    counts: tuple[int, ...] = (0,) * len(keys)
    if missing is None:
        try:
            by_period = frame(ctx, metric_id, clock=clock, stat=stat, where=where)
            by_period = by_period.set_index("period")
            values = tuple(_float(by_period["value"].get(k)) for k in keys)
            counts = tuple(int(by_period["count"].get(k, 0) or 0) for k in keys)
        except SupportMetricsError as exc:
            error = str(exc)
    report_row = MetricRow(m, domain_of(metric_id), values, counts, ctx.targets.get(metric_id),
                           missing=(missing or "").removeprefix(f"{metric_id}: "), error=error)
    extra = {k: v for k, v in (("clock", clock), ("stat", stat)) if v}
    extra.update({("agent" if k == "agent_id" else k): v for k, v in (where or {}).items()})
    target = report_row.target
    return {
        "metric": m.id,
        "title": m.title,
        "unit": m.unit.value,
        "value": report_row.current,
        "text": ctx.text(report_row.current, m.unit),
        "count": counts[-1],
        "change": report_row.change,
        "change_text": format_change(report_row.change, m.unit, ctx.currency),
        "trend": report_row.trend,
        "status": report_row.status,
        "target": None if target is None else target.label(m.unit, ctx.currency),
        "missing": report_row.missing,
        "error": error,
        "url": f"/metrics/{m.id}" + ctx.filters.query(),
        "units_url": ctx.units_url(m.id, extra=extra),
        "periods": [
            {"period": k, "label": ctx.filters.label(p), "value": v, "text": ctx.text(v, m.unit),
             "count": c, "units_url": ctx.units_url(m.id, p, extra)}
            for k, p, v, c in zip(keys, ctx.periods, values, counts, strict=True)
        ],
    }


def rows(ctx: Context, metric_ids: tuple[str, ...], **kw: Any) -> list[dict[str, Any]]:
    return [row(ctx, metric_id, **kw) for metric_id in metric_ids]


def header(ctx: Context, page: str, title: str) -> dict[str, Any]:
    """What every page starts with: its name, the filters and the periods it shows."""
    f = ctx.filters
    return {
        "page": page,
        "title": title,
        "workspace": str(ctx.ws.directory),
        "timezone": ctx.ws.settings.timezone,
        "currency": ctx.currency,
        "filters": {**Filters().params(), **f.params(), "grain": f.grain, "clock": f.clock,
                    "stat": f.stat},
        "period": ctx.chosen.isoformat(),
        "period_label": f.label(ctx.chosen),
        "end": ctx.end.isoformat(),
        "periods": [{"period": p.isoformat(), "label": f.label(p)} for p in ctx.periods],
        "previous": f.query(period=shift(ctx.chosen, f.grain, -1).isoformat()),
        "next": f.query(period=shift(ctx.chosen, f.grain, 1).isoformat()),
    }


def breakdown(ctx: Context, metric_id: str, by: str, **kw: Any) -> list[dict[str, Any]]:
    """The chosen period's value per value of dimension ``by`` (largest count first)."""
    m = metric(ctx.ws, metric_id)
    if ctx.ws.engine().missing_data(m) is not None:
        return []
    try:
        data = frame(ctx, metric_id, grain="range", by=(by,), start=ctx.chosen, **kw)
    except QueryError:
        return []
    data = data.sort_values(["count", by], ascending=[False, True], na_position="last")
    name = "agent" if by == "agent_id" else by
    out = []
    for r in data.itertuples(index=False):
        key = getattr(r, by)
        label = "(none)" if key is None or (isinstance(key, float) and math.isnan(key)) \
            else str(key)
        value = _float(r.value)
        link_filter = {name: label} if name in ("team", "channel", "agent", "priority") \
            and label != "(none)" else {}
        out.append({by: None if label == "(none)" else label, "label": label, "value": value,
                    "text": ctx.text(value, m.unit), "count": int(r.count or 0),
                    "units_url": ctx.units_url(metric_id, extra={**link_filter, **{
                        k: v for k, v in kw.items() if k in ("clock", "stat") and v}})})
    return out


def catalogue_entry(m: Metric) -> dict[str, Any]:
    return {"metric": m.id, "title": m.title, "unit": m.unit.value, "kind": m.kind,
            "direction": m.direction.value, "dimensions": list(m.dimensions),
            "definition": m.definition, "note": m.note, "source": m.article,
            "domain": domain_of(m.id)}


def headline_ids(ctx: Context) -> tuple[str, ...]:
    """The summary's headline metrics the workspace has data for."""
    engine = ctx.ws.engine()
    return tuple(i for i in HEADLINE if engine.missing_data(CATALOGUE[i]) is None)


def agent_metric_ids() -> tuple[str, ...]:
    return AGENT_METRICS


#: at most this many values of a dimension are offered in a filter's list
CHOICES = 200


def choices(ws: Any) -> dict[str, list[str]]:
    """The values the team, channel, agent and priority filters offer (from the tickets)."""
    t = ws.table("tickets")
    out: dict[str, list[str]] = {}
    for name, column in (("team", "team"), ("channel", "channel"), ("agent", "agent_id"),
                         ("priority", "priority")):
        values = (t.filter(t[column].notnull()).select(column).distinct().order_by(column)
                  .limit(CHOICES + 1).execute()[column])
        out[name] = [str(v) for v in values]
    return out
