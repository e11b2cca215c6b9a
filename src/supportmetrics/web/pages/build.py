"""One function per dashboard page: the page's view model (see views.py)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from supportmetrics.calendar import shift
from supportmetrics.engine import build_query
from supportmetrics.errors import QueryError, SupportMetricsError, query_notes
from supportmetrics.metrics import CATALOGUE, DOMAINS, Unit
from supportmetrics.reports import comments_section, period_label, sla_section, volume_section
from supportmetrics.web.pages import charts
from supportmetrics.web.pages.views import (
    Context,
    agent_metric_ids,
    breakdown,
    catalogue_entry,
    frame,
    header,
    headline_ids,
    metric,
    row,
    rows,
)

PAGE_SIZE = 50  # units per page by default
MAX_PAGE_SIZE = 1000

#: (path, title) of the pages in the navigation, in order
PAGES = (
    ("overview", "Overview"),
    ("tickets", "Tickets"),
    ("responsiveness", "Responsiveness"),
    ("satisfaction", "Satisfaction"),
    ("agents", "Agents and teams"),
    ("sla", "SLA"),
    ("calls", "Calls"),
    ("customers", "Customers"),
    ("metrics", "All metrics"),
)
TICKETS = ("ticket_volume", "request_volume", "tickets_solved", "backlog", "open_tickets",
           "resolution_rate", "reopen_rate", "repeat_contact_rate")
SATISFACTION = ("csat", "nps", "ces", "happiness", "survey_response_rate", "comment_rate")
SLA = ("sla_compliance", "service_level_tickets")
CALLS = ("service_level_calls", "asa", "avg_wait_time", "abandonment_rate", "blocked_rate",
         "aht", "agent_utilization")
CUSTOMERS = ("churn_rate", "retention_rate", "referral_rate", "new_customers",
             "engagement_score", "clv", "cac", "cost_per_ticket")
DURATIONS = ("first_response_time", "resolution_time")
SIDES = (("calendar", "median"), ("calendar", "p90"), ("business", "median"),
         ("business", "p90"))


def _finish(page: dict[str, Any], ctx: Context, notes: list[str]) -> dict[str, Any]:
    page["notes"] = [*ctx.notes, *notes]
    return page


def overview(ctx: Context) -> dict[str, Any]:
    with query_notes() as notes:
        page = header(ctx, "overview", "Overview")
        page["tiles"] = rows(ctx, headline_ids(ctx))
    page["_charts"] = {f"spark-{t['metric']}": charts.sparkline(t) for t in page["tiles"]}
    page["alerts"] = alerts_section(ctx)
    return _finish(page, ctx, notes)


def alerts_section(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    """The alert rules firing now (with their severity from ``[alerts.NAME]``, None when the
    rule is no longer in the settings) and the notices whose delivery failed or waits for a
    retry, from the workspace's alert state (both empty when there is none)."""
    from supportmetrics.alerts import overview as alert_overview  # sqlite only, when asked

    state = alert_overview(ctx.ws.directory)
    rules: list[dict[str, Any]] = state["rules"]  # type: ignore[assignment]
    notices: list[dict[str, Any]] = state["notices"]  # type: ignore[assignment]
    configured = ctx.ws.settings.alerts
    firing = [
        {"rule": r["rule"], "since": r["since"],
         "severity": configured[r["rule"]].severity if r["rule"] in configured else None}
        for r in rules if r["status"] == "firing"]
    undelivered = [
        {key: n[key] for key in ("id", "source", "kind", "channel", "title", "status",
                                 "attempts", "created_at", "next_attempt_at", "last_result")}
        for n in notices
        if n["status"] == "failed" or (n["status"] == "pending" and n["attempts"] > 0)]
    return {"firing": firing, "failed_notices": undelivered}


def tickets(ctx: Context) -> dict[str, Any]:
    with query_notes() as notes:
        page = header(ctx, "tickets", "Tickets")
        page["rows"] = rows(ctx, TICKETS)
        daily = []
        for metric_id, series in (("ticket_volume", "created"), ("tickets_solved", "solved")):
            data = frame(ctx, metric_id, grain="day", start=ctx.chosen)
            daily += [{"day": p, "series": series, "tickets": float(v or 0)}
                      for p, v in zip(data["period"], data["value"], strict=True)]
        page["created_vs_solved"] = daily
        page["by_channel"] = breakdown(ctx, "request_volume", "channel")
        page["by_category"] = breakdown(ctx, "ticket_volume", "category")
        page["backlog_by_priority"] = breakdown(ctx, "backlog", "priority")
        page["by_hour"] = _by_hour(ctx)
        # weeks far above their recent level, as the report finds them, with the categories
        # that rose most
        volume = volume_section(ctx.ws, ctx.periods, ctx.end, ctx.filters.grain, ctx.filters.where)
        page["spikes"] = [
            {"series": s.series, "week": s.period,
             "week_label": period_label(pd.Timestamp(s.period).date(), "week"),
             "tickets": s.value, "usual": s.level,
             "categories": [{"category": c, "tickets": v, "usual": u} for c, v, u in s.top],
             "units_url": ctx.units_url("ticket_volume", pd.Timestamp(s.period).date(),
                                        {"grain": "week"})}
            for s in volume.spikes]
    page["_charts"] = {
        "created-vs-solved": charts.daily_lines(daily),
        "by-hour": charts.heatmap(page["by_hour"]),
        "by-channel": charts.bars(page["by_channel"], "channel", "tickets"),
        "by-category": charts.bars(page["by_category"], "category", "tickets"),
    }
    return _finish(page, ctx, notes)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _by_hour(ctx: Context) -> list[dict[str, Any]]:
    """Tickets created in the chosen period per weekday and hour (workspace time), counted
    from the units behind the period's ticket volume."""
    try:
        created = explain(ctx, "ticket_volume")["anchor_at"]
    except SupportMetricsError:
        return []
    local = pd.to_datetime(created).dt.tz_localize("UTC").dt.tz_convert(ctx.ws.settings.zone)
    counts = pd.DataFrame({"weekday": local.dt.day_of_week, "hour": local.dt.hour}).value_counts()
    return [{"weekday": WEEKDAYS[int(day)], "hour": int(hour), "tickets": int(n)}
            for (day, hour), n in sorted(counts.items())]


def responsiveness(ctx: Context) -> dict[str, Any]:
    with query_notes() as notes:
        page = header(ctx, "responsiveness", "Responsiveness")
        table = []
        for metric_id in DURATIONS:
            m = metric(ctx.ws, metric_id)
            sides = [row(ctx, metric_id, clock=clock, stat=stat) for clock, stat in SIDES]
            table.append({"metric": metric_id, "title": m.title, "sides": sides,
                          "by_priority": breakdown(ctx, metric_id, "priority",
                                                   clock=ctx.filters.clock, stat="median")})
        page["durations"] = table
        page["sides"] = [{"clock": c, "stat": s} for c, s in SIDES]
        page["histograms"] = {m: _unit_values(ctx, m) for m in DURATIONS}
    page["_charts"] = {f"histogram-{m}": charts.histogram(v, CATALOGUE[m].title)
                       for m, v in page["histograms"].items()}
    return _finish(page, ctx, notes)


def _unit_values(ctx: Context, metric_id: str) -> list[float]:
    """Each unit's own value in the chosen period (hours), for a distribution."""
    try:
        units = explain(ctx, metric_id)
    except SupportMetricsError:
        return []
    values = pd.to_numeric(units["value"], errors="coerce").dropna()
    return [round(float(v) / 3600.0, 4) for v in values]


def satisfaction(ctx: Context) -> dict[str, Any]:
    with query_notes() as notes:
        page = header(ctx, "satisfaction", "Satisfaction")
        page["rows"] = rows(ctx, SATISFACTION)
        comments = comments_section(ctx.ws, ctx.chosen, ctx.end, ctx.filters.where)
        page["comments"] = [
            {"responded_at": c.responded_at.isoformat(sep=" "), "survey": c.survey,
             "score": c.score, "scale_max": c.scale_max, "agent_id": c.agent_id,
             "channel": c.channel, "text": c.text} for c in comments]
    page["_charts"] = {}
    return _finish(page, ctx, notes)


def scorecards(ctx: Context, sort: str = "agent_id", descending: bool = False) -> dict[str, Any]:
    """One row per agent with each metric's value and sample size in the chosen period."""
    ids = agent_metric_ids()
    if sort not in ("agent_id", *ids):
        raise QueryError(f"sort {sort!r}: expected agent_id or one of {', '.join(ids)}")
    with query_notes() as notes:
        page = header(ctx, "agents", "Agents and teams")
        agents: dict[str, dict[str, Any]] = {}
        teams: dict[str, dict[str, Any]] = {}
        for metric_id in ids:
            for cell in breakdown(ctx, metric_id, "agent_id"):
                if cell["agent_id"] is not None:
                    agents.setdefault(cell["agent_id"], {})[metric_id] = cell
            if "team" in CATALOGUE[metric_id].dimensions:
                for cell in breakdown(ctx, metric_id, "team"):
                    if cell["team"] is not None:
                        teams.setdefault(cell["team"], {})[metric_id] = cell
        page["metrics"] = [{"metric": i, "title": CATALOGUE[i].title} for i in ids]

        def key(item: tuple[str, dict[str, Any]]) -> tuple[int, float, str]:
            if sort == "agent_id":
                return (0, 0.0, item[0])
            value = item[1].get(sort, {}).get("value")
            if value is None:
                return (1, 0.0, item[0])
            return (0, -value if descending else value, item[0])

        ordered = sorted(agents.items(), key=key)
        if sort == "agent_id" and descending:
            ordered.reverse()
        page["agents"] = [{"agent_id": a, "url": f"/agents/{a}" + ctx.filters.query(),
                           "cells": {i: cells.get(i) for i in ids}} for a, cells in ordered]
        page["teams"] = [{"team": t, "cells": {i: cells.get(i) for i in ids}}
                         for t, cells in sorted(teams.items())]
        page["sort"] = sort
        page["descending"] = descending
    return _finish(page, ctx, notes)


def agent(ctx: Context, agent_id: str) -> dict[str, Any]:
    with query_notes() as notes:
        page = header(ctx, "agents", f"Agent {agent_id}")
        page["agent_id"] = agent_id
        page["rows"] = rows(ctx, agent_metric_ids(), where={"agent_id": agent_id})
    page["_charts"] = {f"spark-{r['metric']}": charts.sparkline(r) for r in page["rows"]}
    return _finish(page, ctx, notes)


def sla(ctx: Context) -> dict[str, Any]:
    with query_notes() as notes:
        page = header(ctx, "sla", "SLA")
        page["rows"] = rows(ctx, SLA)
        page["by_priority"] = breakdown(ctx, "sla_compliance", "priority")
        page["targets"] = [
            {"priority": r.priority, "first_response_target_s": r.first_response_target_s,
             "first_response_median_s": r.first_response_median_s,
             "resolution_target_s": r.resolution_target_s,
             "resolution_median_s": r.resolution_median_s, "compliance": r.compliance,
             "tickets": r.tickets}
            for r in sla_section(ctx.ws, ctx.chosen, ctx.end, ctx.filters.where)]
        page["targets_text"] = [
            {"priority": t["priority"],
             "first_response_target": ctx.text(t["first_response_target_s"], Unit.SECONDS),
             "first_response_median": ctx.text(t["first_response_median_s"], Unit.SECONDS),
             "resolution_target": ctx.text(t["resolution_target_s"], Unit.SECONDS),
             "resolution_median": ctx.text(t["resolution_median_s"], Unit.SECONDS),
             "compliance": ctx.text(t["compliance"], Unit.PERCENT),
             "tickets": f"{t['tickets']:,}"} for t in page["targets"]]
        try:
            units = explain(ctx, "sla_compliance")
        except SupportMetricsError:
            units = pd.DataFrame({"sla_status": pd.Series(dtype=str)})
        breaches = units[units["sla_status"] == "breached"]
        # still open: the share of each target used so far, the most used first
        pending = units[units["sla_status"] == "pending"].copy()
        used = pd.concat([pending["frt_sla_seconds"] / pending["frt_target_seconds"],
                          pending["resolution_sla_seconds"] / pending["resolution_target_seconds"]],
                         axis=1).max(axis=1) if len(pending) else pd.Series(dtype=float)
        pending["target_used_pct"] = (used * 100).round(1)
        pending = pending.sort_values(["target_used_pct", "unit"], ascending=[False, True])
        page["breaches"] = _records(breaches.head(PAGE_SIZE))
        page["breach_count"] = len(breaches)
        page["breaches_url"] = ctx.units_url("sla_compliance", extra={"sla_status": "breached"})
        page["at_risk"] = _records(pending.head(PAGE_SIZE))
        page["at_risk_count"] = len(pending)
        page["at_risk_url"] = ctx.units_url("sla_compliance", extra={"sla_status": "pending"})
    return _finish(page, ctx, notes)


def calls(ctx: Context) -> dict[str, Any]:
    with query_notes() as notes:
        page = header(ctx, "calls", "Calls")
        page["rows"] = rows(ctx, CALLS)
        page["by_queue"] = {m: breakdown(ctx, m, "queue") for m in
                            ("service_level_calls", "abandonment_rate", "asa", "aht")}
    return _finish(page, ctx, notes)


def customers(ctx: Context) -> dict[str, Any]:
    with query_notes() as notes:
        page = header(ctx, "customers", "Customers")
        page["rows"] = rows(ctx, CUSTOMERS)
    return _finish(page, ctx, notes)


def catalogue(ctx: Context) -> dict[str, Any]:
    page = header(ctx, "metrics", "All metrics")
    page["domains"] = [
        {"domain": domain, "metrics": [
            {**catalogue_entry(m), "url": f"/metrics/{m.id}" + ctx.filters.query()}
            for m in metrics]}
        for domain, metrics in DOMAINS.items()]
    return _finish(page, ctx, [])


def metric_page(ctx: Context, metric_id: str, by: str = "") -> dict[str, Any]:
    m = metric(ctx.ws, metric_id)
    if by and by not in m.dimensions:
        raise QueryError(f"by {by!r}: {metric_id} has the dimensions "
                         f"{', '.join(m.dimensions) or '(none)'}")
    by = by or (m.dimensions[0] if m.dimensions else "")
    with query_notes() as notes:
        page = header(ctx, "metrics", m.title)
        page["metric"] = catalogue_entry(m)
        page["row"] = row(ctx, metric_id)
        page["by"] = by
        page["breakdown"] = breakdown(ctx, metric_id, by) if by else []
        page["dimension_links"] = [
            {"by": d, "url": f"/metrics/{metric_id}" + ctx.filters.query() +
             ("&" if ctx.filters.query() else "?") + f"by={d}"} for d in m.dimensions]
    page["_charts"] = {"trend": charts.trend(page["row"])}
    if page["breakdown"]:
        page["_charts"]["breakdown"] = charts.bars(page["breakdown"], by, m.unit.value)
    return _finish(page, ctx, notes)


def explain(ctx: Context, metric_id: str, period: str = "") -> pd.DataFrame:
    """The units behind the metric's number of one period (default: the chosen one)."""
    f = ctx.filters
    start = pd.Timestamp(period).date() if period else ctx.chosen
    query = build_query(metric_id, f.grain, (), start, shift(start, f.grain, 1),
                        f.where or None, f.clock, f.stat)
    result: pd.DataFrame = ctx.ws.engine().explain(query)
    return result


def units(ctx: Context, metric_id: str, period: str, page_number: int, size: int,
          sla_status: str = "") -> tuple[dict[str, Any], pd.DataFrame]:
    """A page of the units behind one number, and all of them (for the CSV download).

    ``sla_status`` keeps the SLA units of one status (``breached``, ``met``, ``pending``).
    """
    m = metric(ctx.ws, metric_id)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise QueryError(f"size {size}: expected 1 to {MAX_PAGE_SIZE} units per page")
    with query_notes() as notes:
        all_units = explain(ctx, metric_id, period)
    if sla_status:
        if "sla_status" not in all_units.columns:
            raise QueryError(f"sla_status: {metric_id} has no SLA status; only sla_compliance "
                             "does")
        all_units = all_units[all_units["sla_status"] == sla_status]
    pages = max(1, math.ceil(len(all_units) / size))
    if page_number < 1 or page_number > pages:
        raise QueryError(f"page {page_number}: expected 1 to {pages}")
    shown = all_units.iloc[(page_number - 1) * size: page_number * size]
    chosen = pd.Timestamp(period).date() if period else ctx.chosen
    view = header(ctx, "metrics", f"{m.title}: {m.unit_label}")
    base = {"period": chosen.isoformat(), **({"sla_status": sla_status} if sla_status else {})}
    if size != PAGE_SIZE:
        base["size"] = str(size)
    view.update({
        "metric": catalogue_entry(m),
        "unit_label": m.unit_label,
        "units_period": chosen.isoformat(),
        "units_period_label": ctx.filters.label(chosen),
        "total": len(all_units),
        "page_number": page_number,
        "pages": pages,
        "size": size,
        "columns": [str(c) for c in all_units.columns],
        "units": _records(shown),
        "csv_url": f"/units/{metric_id}.csv" + ctx.filters.query(**base),
        "first_url": f"/units/{metric_id}" + ctx.filters.query(**base),
        "previous_url": f"/units/{metric_id}" + ctx.filters.query(
            **base, page=str(page_number - 1)) if page_number > 1 else "",
        "next_url": f"/units/{metric_id}" + ctx.filters.query(
            **base, page=str(page_number + 1)) if page_number < pages else "",
        "metric_url": f"/metrics/{metric_id}" + ctx.filters.query(),
    })
    return _finish(view, ctx, notes), all_units


def _records(data: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for record in data.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in record.items()})
    return out


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat(sep=" ")
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):
        return _plain(value.item())
    if isinstance(value, (int, str, bool)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)
