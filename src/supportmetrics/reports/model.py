"""The report model: every number of the monthly report, computed once from the engine facade.

The report template followed (Parker) has three tabs: a tracker of the primary and secondary metrics month
by month, ticket volume by category on a line chart (to spot spikes and tell the product team),
and the formulas and definitions as a calculator. :func:`build_report` computes all of it (plus
agent scorecards, the SLA targets per priority and the latest survey comments) into frozen values;
the HTML, XLSX and PDF renderers only lay those values out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

import pandas as pd

from supportmetrics.calendar import grain_start, local_midnight_utc, shift
from supportmetrics.dates import parse_day
from supportmetrics.engine import format_seconds, format_value
from supportmetrics.errors import QueryError, SupportMetricsError, query_notes
from supportmetrics.metrics import (
    CATALOGUE,
    DOMAINS,
    Direction,
    Format,
    Metric,
    Unit,
    direction_in,
)
from supportmetrics.stats import detect_spikes

GRAINS = ("month", "week")
MIN_PERIODS = 7  # the chosen period and at least six before it
SPIKE_WINDOW = 8  # weeks of history a spike is judged against
SPIKE_THRESHOLD = 2.0  # x the median of that history (and 3 MADs above it)

# the tracker leaves out channel_share: without a channel it is 100 % by definition (the volume
# section shows it per channel instead); and service_level, which mixes tickets and calls: its
# rows per kind, service_level_calls and service_level_tickets, show each alone
TRACKER_SKIP = frozenset({"channel_share", "service_level"})
AGENT_METRICS = (
    "tickets_solved", "first_response_time", "resolution_time", "csat", "fcr_rate",
    "reopen_rate", "aht", "agent_utilization", "iqs",
)
# benchmarks the publications give (a [targets] entry in supportmetrics.toml overrides them)
BENCHMARKS: dict[str, tuple[float | None, float | None, str]] = {
    "agent_utilization": (70.0, 85.0, "benchmark 70-85 % (Malnik 2020)"),
    "support_cost_ratio": (None, 10.0, "benchmark under 10 % of revenue (Bitvinskas 2021)"),
}
COMMENTS = 12


# --- values -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A target or benchmark band: ``low <= value <= high`` (either side may be open)."""

    low: float | None
    high: float | None
    source: str

    def met(self, value: float | None) -> bool | None:
        if value is None or math.isnan(value):
            return None
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def label(self, unit: Unit | Format, currency: str | None = None) -> str:
        lo = None if self.low is None else format_value(self.low, unit, currency)
        hi = None if self.high is None else format_value(self.high, unit, currency)
        if lo is not None and hi is not None:
            return f"{lo} – {hi}"
        return f"≥ {lo}" if lo is not None else f"≤ {hi}"


@dataclass(frozen=True)
class MetricRow:
    """One metric across the report's periods (oldest first; the last is the chosen period)."""

    metric: Metric
    domain: str
    values: tuple[float | None, ...]
    counts: tuple[int, ...]
    target: Target | None = None
    primary: bool = False
    error: str = ""
    #: why the workspace cannot compute the metric ("no reply events in the workspace; ..."):
    #: its values are empty and it is shown greyed with this note, never judged
    missing: str = ""

    @property
    def current(self) -> float | None:
        return self.values[-1] if self.values else None

    @property
    def previous(self) -> float | None:
        return self.values[-2] if len(self.values) > 1 else None

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.current)

    @property
    def trend(self) -> str:
        """``better``, ``worse``, ``flat`` or ``""`` (no change to judge / neutral metric)."""
        change = self.change
        if change is None:
            return ""
        scale = max(abs(self.previous or 0.0), 1e-9)
        if abs(change) / scale < 0.005:
            return "flat"
        if self.metric.direction is Direction.NEUTRAL:
            return ""
        up = change > 0
        return "better" if up == (self.metric.direction is Direction.UP) else "worse"

    @property
    def status(self) -> str:
        """The mark: ``good``/``bad`` against the target if any, else by the trend."""
        if self.met is not None:
            return "good" if self.met else "bad"
        return {"better": "good", "worse": "bad"}.get(self.trend, "")


@dataclass(frozen=True)
class Spike:
    """A week far above its recent level: in all tickets (series "all") or one category."""

    series: str
    period: str
    value: float
    level: float
    top: tuple[tuple[str, float, float], ...] = ()  # (category, value, usual level)


@dataclass(frozen=True)
class Volume:
    """Tickets per period of ``grain`` by category and by channel (long frames)."""

    grain: str
    by_category: pd.DataFrame
    by_channel: pd.DataFrame
    weekly_category: pd.DataFrame
    spikes: tuple[Spike, ...]


@dataclass(frozen=True)
class Scorecards:
    """One row per agent (and per team, and the whole team) for the chosen period."""

    metrics: tuple[Metric, ...]
    agents: pd.DataFrame  # agent_id, team, one column per metric id
    teams: pd.DataFrame  # team, one column per metric id (NaN where a metric has no team)
    total: dict[str, float]


@dataclass(frozen=True)
class SlaRow:
    priority: str
    first_response_target_s: float | None
    first_response_median_s: float | None
    resolution_target_s: float | None
    resolution_median_s: float | None
    compliance: float | None
    tickets: int


@dataclass(frozen=True)
class Comment:
    responded_at: datetime
    survey: str
    score: float | None
    scale_max: float | None
    agent_id: str
    channel: str
    text: str
    higher_is_better: bool = True  # the survey's scale direction ([surveys.directions])


@dataclass(frozen=True)
class Report:
    """Everything the report shows, computed once."""

    title: str
    workspace: str
    generated_at: datetime
    grain: str
    periods: tuple[date, ...]  # period starts, oldest first; the last is the chosen period
    end: date  # end (exclusive) of the chosen period
    where: tuple[tuple[str, str], ...]
    timezone: str
    data_until: date
    rows: tuple[MetricRow, ...]
    volume: Volume
    scorecards: Scorecards
    sla: tuple[SlaRow, ...]
    sla_clock: str
    comments: tuple[Comment, ...]
    notes: tuple[str, ...] = field(default=())
    currency: str | None = None  # of every amount of money (ISO 4217), None when not set
    #: every metric's direction under the workspace's settings (survey scales may turn one)
    directions: dict[str, Direction] = field(default_factory=dict)

    def direction(self, metric: Metric) -> Direction:
        return self.directions.get(metric.id, metric.direction)

    @property
    def period(self) -> date:
        return self.periods[-1]

    def period_label(self, start: date | None = None) -> str:
        return period_label(start or self.period, self.grain)

    def row(self, metric_id: str) -> MetricRow:
        for row in self.rows:
            if row.metric.id == metric_id:
                return row
        raise KeyError(metric_id)

    @property
    def filter_label(self) -> str:
        return ", ".join(f"{k} = {v}" for k, v in self.where)


def period_label(start: date, grain: str) -> str:
    if grain == "month":
        return start.strftime("%b %Y")
    iso = start.isocalendar()
    return f"W{iso.week:02d} {iso.year} ({start:%d %b})"


def format_change(change: float | None, unit: Unit, currency: str | None = None) -> str:
    """A signed difference in the metric's unit: ``+1.2 pts``, ``-15 min``, ``+120``,
    ``+1.50 EUR``."""
    if change is None or math.isnan(change):
        return ""
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    size = abs(change)
    if unit is Unit.SECONDS:
        return sign + format_seconds(size)
    if unit in (Unit.PERCENT, Unit.POINTS):
        return f"{sign}{size:.1f} pts"
    return sign + format_value(size, unit, currency)


# --- periods ------------------------------------------------------------------------------------


def resolve_periods(
    grain: str, period: str | date | None, start: str | date | None, end: str | date | None,
    last_day: date,
) -> tuple[tuple[date, ...], date]:
    """Period starts (oldest first, at least MIN_PERIODS) and the chosen period's end.

    ``period`` picks one period (default: the one holding the last ticket); ``start``/``end``
    pick a range (end exclusive; its last period is the chosen one). The range is extended back
    so at least ``MIN_PERIODS`` periods show.
    """
    if grain not in GRAINS:
        raise QueryError(f"--grain {grain!r}: expected month or week")
    chosen_day, first, stop = (parse_day(period, "--period"), parse_day(start, "--from"),
                               parse_day(end, "--to"))
    if chosen_day is not None and (first is not None or stop is not None):
        raise QueryError("--period and --from/--to exclude each other; give one or the other")
    if stop is not None:
        chosen = grain_start(stop - timedelta(days=1), grain)
    elif chosen_day is not None:
        chosen = grain_start(chosen_day, grain)
    else:
        chosen = grain_start(last_day, grain)
    oldest = shift(chosen, grain, -(MIN_PERIODS - 1))
    if first is not None:
        if first > chosen:
            raise QueryError(f"--from {first} is after the last period ({chosen})")
        oldest = min(oldest, grain_start(first, grain))
    periods = []
    cursor = oldest
    while cursor <= chosen:
        periods.append(cursor)
        cursor = shift(cursor, grain, 1)
    return tuple(periods), shift(chosen, grain, 1)


def check_has_data(span: tuple[date, date] | None, chosen: date, stop: date, grain: str) -> None:
    """A report for a period without a row of any table is a user error, not an empty file."""
    name = f"{chosen:%Y-%m}" if grain == "month" else f"the week of {chosen.isoformat()}"
    if span is None:
        raise QueryError(f"no data in {name}: the workspace is empty; load data with "
                         "`supportmetrics ingest` first")
    first, last = span
    if last < chosen or first >= stop:
        raise QueryError(f"no data in {name}: the workspace holds data from {first.isoformat()} "
                         f"to {last.isoformat()}; choose a --period in that range")


# --- building -----------------------------------------------------------------------------------


def targets_for(settings: Any) -> dict[str, Target]:
    """The built-in benchmarks, overridden by ``[targets]`` in supportmetrics.toml.

    A number is a floor for a metric where higher is better and a ceiling otherwise; a list
    ``[low, high]`` is a band.
    """
    out = {k: Target(lo, hi, src) for k, (lo, hi, src) in BENCHMARKS.items()}
    for metric_id, raw in dict(settings.targets).items():
        if metric_id not in CATALOGUE:
            continue
        source = "target (supportmetrics.toml)"
        if isinstance(raw, (list, tuple)) and len(raw) == 2:
            out[metric_id] = Target(float(raw[0]), float(raw[1]), source)
        elif isinstance(raw, (int, float)):
            if direction_in(CATALOGUE[metric_id], settings) is Direction.DOWN:
                out[metric_id] = Target(None, float(raw), source)
            else:
                out[metric_id] = Target(float(raw), None, source)
    return out


def in_workspace(metric: Metric, settings: Any) -> Metric:
    """The metric with its direction under the workspace's settings (survey scale directions)."""
    direction = direction_in(metric, settings)
    return metric if direction is metric.direction else replace(metric, direction=direction)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def report_steps() -> int:
    """The steps :func:`build_report` reports progress of: one per tracker metric, and four."""
    return sum(m.id not in TRACKER_SKIP for ms in DOMAINS.values() for m in ms) + 4


def _tracker(ws: Any, periods: tuple[date, ...], end: date, grain: str,
             where: dict[str, str], tick: Callable[[str], None]) -> tuple[MetricRow, ...]:
    targets = targets_for(ws.settings)
    keys = [p.isoformat() for p in periods]
    rows = []
    for domain, metrics in DOMAINS.items():
        for metric in metrics:
            if metric.id in TRACKER_SKIP:
                continue
            tick(f"tracker: {metric.id}")
            metric = in_workspace(metric, ws.settings)
            missing = ws.engine().missing_data(metric)
            if missing is not None:
                rows.append(MetricRow(metric, domain, (None,) * len(keys), (0,) * len(keys),
                                      targets.get(metric.id), metric.primary,
                                      missing=missing.removeprefix(f"{metric.id}: ")))
                continue
            error = ""
            try:
                frame = ws.metric(metric.id, grain=grain, start=periods[0], end=end,
                                  where=where or None)
                by_period = frame.set_index("period")
                values = tuple(_float(by_period["value"].get(k)) for k in keys)
                counts = tuple(int(by_period["count"].get(k, 0) or 0) for k in keys)
            except SupportMetricsError as exc:
                values, counts, error = (None,) * len(keys), (0,) * len(keys), str(exc)
            rows.append(MetricRow(metric, domain, values, counts, targets.get(metric.id),
                                  metric.primary, error))
    return tuple(rows)


def volume_section(ws: Any, periods: tuple[date, ...], end: date, grain: str,
            where: dict[str, str]) -> Volume:
    by_category = ws.metric("ticket_volume", grain=grain, by=["category"], start=periods[0],
                            end=end, where=where or None)[["period", "category", "value"]]
    by_channel = ws.metric("request_volume", grain=grain, by=["channel"], start=periods[0],
                           end=end, where=where or None)[["period", "channel", "value"]]
    first_week = grain_start(periods[0], "week")
    history = first_week - timedelta(weeks=SPIKE_WINDOW)
    weekly = ws.metric("ticket_volume", grain="week", by=["category"], start=history, end=end,
                       where=where or None)[["period", "category", "value"]]
    wide = weekly.pivot_table(index="period", columns="category", values="value",
                              aggfunc="sum", fill_value=0.0).sort_index()
    # a week cut by the report's end is not comparable with full weeks: judge full weeks only
    last_full = (pd.Timestamp(end) - pd.Timedelta(days=7)).date().isoformat()
    wide = wide[wide.index <= last_full]
    spikes = _spikes(wide, first_week.isoformat())
    shown = weekly[(weekly["period"] >= first_week.isoformat())
                   & (weekly["period"] <= last_full)].reset_index(drop=True)
    return Volume(grain, by_category.reset_index(drop=True), by_channel.reset_index(drop=True),
                  shown, spikes)


def _spikes(wide: pd.DataFrame, shown_from: str) -> tuple[Spike, ...]:
    """Spikes of all tickets (with the categories that rose most) and of each category."""
    spikes: list[Spike] = []
    if wide.empty:
        return ()
    index = list(wide.index)
    total = wide.sum(axis=1).tolist()

    def level(series: list[float], i: int) -> float:
        return float(median(series[max(0, i - SPIKE_WINDOW):i]))

    for i in detect_spikes(total, SPIKE_WINDOW, SPIKE_THRESHOLD):
        if index[i] < shown_from:
            continue
        rises = []
        for category in wide.columns:
            series = wide[category].tolist()
            usual = level(series, i)
            rises.append((str(category), float(series[i]), usual))
        rises.sort(key=lambda r: r[1] - r[2], reverse=True)
        top = tuple(r for r in rises[:3] if r[1] > r[2])
        spikes.append(Spike("all", index[i], float(total[i]), level(total, i), top))
    for category in wide.columns:
        series = [float(v) for v in wide[category].tolist()]
        for i in detect_spikes(series, SPIKE_WINDOW, SPIKE_THRESHOLD):
            if index[i] >= shown_from:
                spikes.append(Spike(str(category), index[i], series[i], level(series, i)))
    spikes.sort(key=lambda s: (s.period, s.series != "all", -s.value))
    return tuple(spikes)


def _scorecards(ws: Any, start: date, end: date, where: dict[str, str]) -> Scorecards:
    metrics = tuple(in_workspace(CATALOGUE[m], ws.settings) for m in AGENT_METRICS)
    agents = pd.DataFrame({"agent_id": pd.Series(dtype=str)})
    teams = pd.DataFrame({"team": pd.Series(dtype=str)})
    total: dict[str, float] = {}
    for metric in metrics:
        def run(by: list[str], metric: Metric = metric) -> pd.DataFrame:
            try:
                frame = ws.metric(metric.id, grain="range", by=by, start=start, end=end,
                                  where=where or None)
            except QueryError:
                return pd.DataFrame(columns=[*by, metric.id])
            return frame[[*by, "value"]].rename(columns={"value": metric.id})

        agents = agents.merge(run(["agent_id"]).dropna(subset=["agent_id"]), how="outer")
        if "team" in metric.dimensions:
            teams = teams.merge(run(["team"]).dropna(subset=["team"]), how="outer")
        else:
            teams[metric.id] = math.nan
        whole = run([])
        total[metric.id] = float(whole[metric.id].iloc[0]) if len(whole) else math.nan
    teams_of = ws.engine().agent_teams()
    team_of = dict(zip(teams_of["agent_id"], teams_of["team"], strict=True))
    agents.insert(1, "team", agents["agent_id"].map(team_of).fillna(""))
    if where.get("team"):
        agents = agents[agents["team"] == where["team"]]
    agents = agents.sort_values("agent_id").reset_index(drop=True)
    teams = teams.sort_values("team").reset_index(drop=True)
    for metric in metrics:  # counts are integers; a missing agent-period count is zero
        if metric.unit is Unit.COUNT:
            agents[metric.id] = agents[metric.id].fillna(0.0)
    return Scorecards(metrics, agents, teams, total)


def sla_section(ws: Any, start: date, end: date, where: dict[str, str]) -> tuple[SlaRow, ...]:
    sla = ws.settings.sla
    priorities = sorted(set(sla.first_response_minutes) | set(sla.resolution_hours),
                        key=lambda p: (["urgent", "high", "normal", "low"] + [p]).index(p))
    if not priorities:
        return ()

    def per_priority(metric_id: str, **kw: Any) -> pd.DataFrame:
        return ws.metric(metric_id, grain="range", by=["priority"], start=start, end=end,
                         where=where or None, **kw).set_index("priority")

    frt = per_priority("first_response_time", clock=sla.clock, stat="median")
    res = per_priority("resolution_time", clock=sla.clock, stat="median")
    comp = per_priority("sla_compliance")
    rows = []
    for p in priorities:
        minutes, hours = sla.first_response_minutes.get(p), sla.resolution_hours.get(p)
        rows.append(SlaRow(
            p, None if minutes is None else minutes * 60.0,
            _float(frt["value"].get(p)), None if hours is None else hours * 3600.0,
            _float(res["value"].get(p)), _float(comp["value"].get(p)),
            int(comp["count"].get(p, 0) or 0)))
    return tuple(rows)


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else str(value).strip()


def comments_section(ws: Any, start: date, end: date, where: dict[str, str]) -> tuple[Comment, ...]:
    # the responses as the survey metrics count them: a response's team is its ticket's
    t = ws.engine().units("surveys", tuple(where.items()))
    lo, hi = local_midnight_utc(ws.settings.zone, start), local_midnight_utc(ws.settings.zone, end)
    expr = t.filter(t.comment.notnull() & (t.comment.strip().length() > 0)
                    & (t.responded_at >= lo) & (t.responded_at < hi))
    frame = (expr.order_by([t.responded_at.desc(), t.response_id])
             .select("responded_at", "survey", "score", "scale_max", "agent_id", "channel",
                     "comment")
             .limit(COMMENTS).execute())
    return tuple(
        Comment(pd.Timestamp(r.responded_at).to_pydatetime(), str(r.survey), _float(r.score),
                _float(r.scale_max), _text(r.agent_id), _text(r.channel), _text(r.comment),
                ws.settings.higher_is_better(str(r.survey)))
        for r in frame.itertuples(index=False)
    )


def build_report(
    ws: Any,
    *,
    period: str | date | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
    grain: str = "month",
    where: dict[str, str] | None = None,
    title: str = "Customer service report",
    now: datetime | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    """Compute the whole report from the workspace ``ws`` (a :class:`Workspace`).

    ``progress(done, total, step)`` is called before each step (one per tracker metric, then
    volume, agents, SLA and comments) and once more with ``done == total`` at the end.
    """
    where = dict(where or {})
    total = report_steps()
    done = 0

    def tick(step: str) -> None:
        nonlocal done
        if progress is not None:
            progress(done, total, step)
        done += 1

    engine = ws.engine()
    last_day = engine.table_span("tickets")[1]
    periods, stop = resolve_periods(grain, period, start, end, last_day)
    chosen = periods[-1]
    check_has_data(engine.local_span(), chosen, stop, grain)
    notes = []
    if last_day < stop - timedelta(days=1):
        notes.append(f"The data ends on {last_day:%d %b %Y}: {period_label(chosen, grain)} "
                     "is not complete.")
    # a filter some metric cannot apply in full (e.g. support cost has no team) is a note
    with query_notes() as filter_notes:
        rows = _tracker(ws, periods, stop, grain, where, tick)
        tick("ticket volume")
        volume = volume_section(ws, periods, stop, grain, where)
        tick("agent scorecards")
        scorecards = _scorecards(ws, chosen, stop, where)
        tick("SLA")
        sla = sla_section(ws, chosen, stop, where)
        tick("survey comments")
        comments = comments_section(ws, chosen, stop, where)
    tick("done")
    # a metric without its data is greyed on its own row with its note, not repeated here
    greyed = {f"{r.metric.id}: {r.missing}" for r in rows if r.missing}
    notes += [n for n in filter_notes if n not in greyed]
    currency = ws.settings.currency
    if currency is None and any(r.metric.unit is Unit.MONEY and any(v is not None for v in r.values)
                                for r in rows):
        notes.append("Amounts of money are shown without a currency: set currency (an ISO 4217 "
                     "code, e.g. currency = \"EUR\") in supportmetrics.toml.")
    return Report(
        title=title,
        workspace=str(ws.directory),
        generated_at=now or datetime.now().replace(microsecond=0),
        grain=grain,
        periods=periods,
        end=stop,
        where=tuple(sorted(where.items())),
        timezone=ws.settings.timezone,
        data_until=last_day,
        rows=rows,
        volume=volume,
        scorecards=scorecards,
        sla=sla,
        sla_clock=ws.settings.sla.clock,
        comments=comments,
        notes=tuple(notes),
        directions={m.id: direction_in(m, ws.settings) for m in CATALOGUE.values()},
        currency=currency,
    )
