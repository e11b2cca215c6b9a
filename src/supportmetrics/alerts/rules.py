"""Evaluating one ``[alerts.NAME]`` rule: its value and whether its condition holds now.

Values come from the engine facade only (``Workspace.engine()`` and its ``metric`` /
``sla_at_risk``), spikes from the report's spike detection, targets from ``[targets]`` as the
report reads them: no metric logic is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from supportmetrics import calendar as cal
from supportmetrics.config import AlertRule, Settings
from supportmetrics.engine import build_query, format_value
from supportmetrics.errors import ConfigError
from supportmetrics.metrics import Unit, get_metric

#: at-risk tickets named in a notice (the rest are counted)
LISTED = 10


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one rule at one instant."""

    rule: str
    held: bool
    value: float | None
    headline: str  # one line: what was measured and against what
    lines: tuple[str, ...] = ()  # details (tickets at risk, spiking categories)
    period: str = ""


@dataclass(frozen=True)
class Window:
    """The local dates [start, end) a rule looks at, and how to name them."""

    start: date
    end: date
    label: str


def window(rule: AlertRule, now: datetime, settings: Settings) -> Window:
    """The current period so far, or the last complete one, in the workspace time zone."""
    today = now.astimezone(settings.zone).date()
    start = cal.grain_start(today, rule.grain)
    if rule.period == "last_complete":
        end, start = start, shift(start, rule.grain, -1)
        return Window(start, end, f"{rule.grain} of {start.isoformat()}")
    return Window(start, cal.next_grain(start, rule.grain),
                  f"{rule.grain} of {start.isoformat()} so far")


def shift(start: date, grain: str, steps: int) -> date:
    """The start of the period ``steps`` periods after the one starting at ``start``."""
    if grain == "day":
        return start + timedelta(days=steps)
    if grain == "week":
        return start + timedelta(weeks=steps)
    months = {"month": 1, "quarter": 3, "year": 12}[grain] * steps
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def evaluate(name: str, rule: AlertRule, workspace: Any, now: datetime) -> Evaluation:
    """Evaluate ``rule`` on ``workspace`` (opened read-only) as of ``now`` (aware)."""
    span = window(rule, now, workspace.settings)
    handler = _CONDITIONS[rule.condition]
    result = handler(name, rule, workspace, now, span)
    return replace(result, period=span.label)


def _value(workspace: Any, metric: str, rule: AlertRule, start: date, end: date,
           now: datetime, engine: Any = None) -> float | None:
    engine = engine or workspace.engine()
    frame = engine.metric(build_query(metric, rule.grain, start=start, end=end,
                                      where=rule.where, as_of=now))
    rows = frame[frame["period"] == start.isoformat()]
    if rows.empty:
        return None
    value = float(rows["value"].iloc[0])
    return None if value != value else value


def _shown(value: float | None, unit: Unit, settings: Settings) -> str:
    return format_value(value, unit, settings.currency)


def _filters(rule: AlertRule) -> str:
    return "".join(f", {k} = {v}" for k, v in sorted(rule.where.items()))


def _compare(name: str, rule: AlertRule, workspace: Any, now: datetime,
             span: Window) -> Evaluation:
    assert rule.metric is not None and rule.value is not None
    metric = get_metric(rule.metric)
    value = _value(workspace, rule.metric, rule, span.start, span.end, now)
    limit = rule.value
    held = value is not None and (value > limit if rule.condition == "above" else value < limit)
    word = "above" if rule.condition == "above" else "below"
    settings = workspace.settings
    return Evaluation(name, held, value,
                      f"{metric.title} ({metric.id}{_filters(rule)}) is "
                      f"{_shown(value, metric.unit, settings)}; alert when {word} "
                      f"{_shown(limit, metric.unit, settings)}")


def _off_target(name: str, rule: AlertRule, workspace: Any, now: datetime,
                span: Window) -> Evaluation:
    from supportmetrics.reports import targets_for

    assert rule.metric is not None
    metric = get_metric(rule.metric)
    target = targets_for(workspace.settings).get(metric.id)
    if target is None:
        raise ConfigError(f"alerts.{name}.condition: off_target needs a target for "
                          f"{metric.id}: add it under [targets] (e.g. {metric.id} = [80, 90])")
    value = _value(workspace, metric.id, rule, span.start, span.end, now)
    met = target.met(value)
    settings = workspace.settings
    return Evaluation(name, met is False, value,
                      f"{metric.title} ({metric.id}{_filters(rule)}) is "
                      f"{_shown(value, metric.unit, settings)}; target "
                      f"{target.label(metric.unit, settings.currency)}")


def _change(name: str, rule: AlertRule, workspace: Any, now: datetime,
            span: Window) -> Evaluation:
    assert rule.metric is not None and rule.value is not None
    metric = get_metric(rule.metric)
    steps = {"day": 364, "week": 52, "month": 12, "quarter": 4, "year": 1}[rule.grain]
    before = shift(span.start, rule.grain, -1 if rule.compare == "previous" else -steps)
    engine = workspace.engine()
    value = _value(workspace, metric.id, rule, span.start, span.end, now, engine)
    base = _value(workspace, metric.id, rule, before, shift(before, rule.grain, 1), now, engine)
    settings = workspace.settings
    against = "the period before" if rule.compare == "previous" else "the same period a year before"
    if value is None or base is None or (rule.percent and base == 0):
        change = None
    else:
        change = (value - base) / abs(base) * 100 if rule.percent else value - base
    limit = rule.value
    held = change is not None and (change >= limit if limit >= 0 else change <= limit)
    if change is None:
        moved = "cannot be compared"
    elif rule.percent:
        moved = f"changed by {change:+.1f} %"
    else:
        moved = f"changed by {'+' if change >= 0 else '-'}{_shown(abs(change), metric.unit, settings)}"
    bound = f"{limit:+g} %" if rule.percent else _shown(limit, metric.unit, settings)
    return Evaluation(name, held, change,
                      f"{metric.title} ({metric.id}{_filters(rule)}) is "
                      f"{_shown(value, metric.unit, settings)} against "
                      f"{_shown(base, metric.unit, settings)} in {against} ({before.isoformat()})"
                      f": {moved}; alert at {bound}")


def _spike(name: str, rule: AlertRule, workspace: Any, now: datetime,
           span: Window) -> Evaluation:
    from supportmetrics.reports import SPIKE_THRESHOLD, SPIKE_WINDOW
    from supportmetrics.stats import detect_spikes

    first = shift(span.start, rule.grain, -SPIKE_WINDOW)
    frame = workspace.engine().metric(build_query(
        rule.metric or "ticket_volume", rule.grain, by=[rule.by], start=first, end=span.end,
        where=rule.where, as_of=now))
    wide = frame.pivot_table(index="period", columns=rule.by, values="value", aggfunc="sum",
                             fill_value=0.0).sort_index()
    current = span.start.isoformat()
    lines = []
    if current in wide.index:
        position = list(wide.index).index(current)
        for series in wide.columns:
            values = [float(v) for v in wide[series].tolist()[:position + 1]]
            if position in detect_spikes(values, SPIKE_WINDOW, SPIKE_THRESHOLD):
                history = sorted(values[max(0, position - SPIKE_WINDOW):position])
                usual = history[len(history) // 2] if len(history) % 2 else (
                    history[len(history) // 2 - 1] + history[len(history) // 2]) / 2
                lines.append(f"{rule.by} {series}: {values[position]:,.0f} tickets, usually "
                             f"{usual:,.0f}")
    return Evaluation(name, bool(lines), float(len(lines)),
                      f"ticket volume by {rule.by}{_filters(rule)}: "
                      f"{len(lines)} spike{'s' if len(lines) != 1 else ''} (over "
                      f"{SPIKE_THRESHOLD:g} x the median of the {SPIKE_WINDOW} {rule.grain}s "
                      "before)", tuple(lines))


def _sla_at_risk(name: str, rule: AlertRule, workspace: Any, now: datetime,
                 span: Window) -> Evaluation:
    within = rule.within_minutes * 60
    rows = workspace.engine().sla_at_risk(now, within, tuple(sorted(rule.where.items())))
    clock = workspace.settings.sla.clock
    lines = tuple(
        f"ticket {r.ticket_id} ({r.priority}, {r.team or 'no team'}): {r.target.replace('_', ' ')}"
        f" target breached in {_minutes(float(r.seconds_left))} of {clock} time"
        for r in rows.head(LISTED).itertuples(index=False))
    if len(rows) > LISTED:
        lines += (f"and {len(rows) - LISTED} more",)
    return Evaluation(name, len(rows) > 0, float(len(rows)),
                      f"{len(rows)} open SLA target{'s' if len(rows) != 1 else ''}"
                      f"{_filters(rule)} will be breached within "
                      f"{_minutes(within)} ({clock} clock)", lines)


def _minutes(seconds: float) -> str:
    """``1200`` -> ``20 min``, ``27000`` -> ``7 h 30 min`` (whole minutes, rounded up)."""
    minutes = int(-(-seconds // 60))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _backlog_over(name: str, rule: AlertRule, workspace: Any, now: datetime,
                  span: Window) -> Evaluation:
    metric = get_metric(rule.metric or "backlog")
    settings = workspace.settings
    if rule.age_hours is not None:
        thresholds = settings.thresholds.model_copy(update={"backlog_age_hours": rule.age_hours})
        engine = _engine_with(workspace, settings.model_copy(update={"thresholds": thresholds}))
    else:
        engine = workspace.engine()
    today = now.astimezone(settings.zone).date()
    query = build_query(metric.id, "day", start=today, end=today + timedelta(days=1),
                        where=rule.where, as_of=now)
    frame = engine.metric(query)
    value = float(frame["value"].iloc[0]) if len(frame) else None
    limit = rule.value if rule.value is not None else 0.0
    age = rule.age_hours if rule.age_hours is not None else settings.thresholds.backlog_age_hours
    return Evaluation(name, value is not None and value > limit, value,
                      f"{value if value is None else int(value)} open tickets{_filters(rule)} "
                      f"older than {age:g} h at the end of {today.isoformat()}; alert above "
                      f"{limit:g}")


def _engine_with(workspace: Any, settings: Settings) -> Any:
    from supportmetrics.engine import Engine

    return Engine(workspace.backend, settings, workspace=workspace)


_CONDITIONS = {
    "above": _compare,
    "below": _compare,
    "off_target": _off_target,
    "change": _change,
    "spike": _spike,
    "sla_at_risk": _sla_at_risk,
    "backlog_over": _backlog_over,
}
