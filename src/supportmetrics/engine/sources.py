"""Unit sources: the named tables metrics count over, each with its dimension columns.

Credit (which ``agent_id`` a unit counts for) is decided here, per source (docs/metrics.md):
``first_responses`` and ``waits`` credit the agent who replied; ``solved`` credits the assignee
at the solve; ``tickets`` the ticket's current agent; calls, surveys, shifts and reviews their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis
from ibis import _

from supportmetrics.config import Settings
from supportmetrics.engine.facts import reply_groups, solve_credit, status_changes, ticket_facts
from supportmetrics.engine.levels import with_levels
from supportmetrics.metrics.flags import flags_of
from supportmetrics.metrics.model import resolve
from supportmetrics.schema import TABLES, ColumnType, TableSpec

Table = Any

#: The engine reads a file's attribute columns (the columns that are not canonical) under this
#: prefix, so that a user column can never meet a canonical, derived or output column of the
#: same name (a ``Reopens`` column next to the per-ticket ``reopens``, a ``Value`` column next
#: to a metric's ``value``). Queries name attributes by their own name; the engine translates.
ATTRIBUTE_PREFIX = "attr__"


def attribute_column(name: str) -> str:
    """The engine's column for the attribute ``name``."""
    return ATTRIBUTE_PREFIX + name


def attribute_name(column: str) -> str:
    """The user's name of an engine column (an attribute's own name, else ``column``)."""
    return column[len(ATTRIBUTE_PREFIX):] if column.startswith(ATTRIBUTE_PREFIX) else column


def _fits(dtype: Any, kind: ColumnType) -> bool:
    checks = {
        ColumnType.TEXT: dtype.is_string,
        ColumnType.TIMESTAMP: dtype.is_timestamp,
        ColumnType.NUMBER: dtype.is_numeric,
        ColumnType.BOOL: dtype.is_boolean,
        ColumnType.DATE: dtype.is_date,
    }
    return bool(checks[kind]())


_NULL_TYPES = {
    ColumnType.TEXT: "string",
    ColumnType.TIMESTAMP: "timestamp",
    ColumnType.NUMBER: "float64",
    ColumnType.BOOL: "boolean",
    ColumnType.DATE: "date",
}


def canonical_view(t: Table, spec: TableSpec) -> Table:
    """A stored table as the engine reads it: its canonical columns, then its attributes.

    Every other stored column is an attribute and is renamed into the attribute namespace. A
    column stored under a canonical name with another type (an attribute kept by a version
    that did not have that canonical column yet) is an attribute too, and the canonical
    column is then empty, as it is when the stored table predates it.
    """
    schema = t.schema()
    if tuple(t.columns) == spec.column_names and all(
        _fits(schema[c.name], c.type) for c in spec.columns
    ):
        return t
    columns: dict[str, Any] = {}
    for column in spec.columns:
        stored = column.name in schema and _fits(schema[column.name], column.type)
        columns[column.name] = t[column.name] if stored else ibis.null(_NULL_TYPES[column.type])
    attributes = {
        attribute_column(name): t[name]
        for name in t.columns
        if name not in columns or not _fits(schema[name], spec.column(name).type)
    }
    return t.select(**columns, **attributes)


TICKET_DIMS = ("channel", "category", "priority", "team", "agent_id", "customer_id", "status")


_TICKET_TABLES = ("tickets", "ticket_events")


@dataclass(frozen=True)
class SourceInfo:
    """A unit source: its unit id, what its units are, and the canonical tables they come from.

    ``tables``: the rows its units are built from. Their time span is the default range of the
    source's metrics (the metric's own data), and a workspace without a row in any of them has
    nothing to compute those metrics from (``data`` names that data in the note that says so).
    """

    name: str
    unit_id: str
    description: str
    tables: tuple[str, ...]
    data: str


SOURCES: dict[str, SourceInfo] = {
    s.name: s
    for s in (
        SourceInfo("tickets", "ticket_id", "tickets, credited to their current agent",
                   _TICKET_TABLES, "tickets"),
        SourceInfo("first_responses", "ticket_id", "tickets, credited to the first responder",
                   _TICKET_TABLES, "tickets"),
        SourceInfo("solved", "ticket_id", "tickets, credited to the assignee at the solve",
                   _TICKET_TABLES, "tickets"),
        SourceInfo("escalations", "ticket_id",
                   "tickets with a support level, credited to the first level's agent and team",
                   _TICKET_TABLES, "tickets"),
        SourceInfo("waits", "wait_id", "customer waits ended by a public agent reply",
                   _TICKET_TABLES, "tickets"),
        SourceInfo("open_spans", "ticket_id", "spans of time a ticket was open (not solved)",
                   _TICKET_TABLES, "tickets"),
        SourceInfo("calls", "call_id", "calls offered to a queue", ("calls",), "calls"),
        SourceInfo("requests", "request_id", "tickets and calls together",
                   (*_TICKET_TABLES, "calls"), "tickets or calls"),
        SourceInfo("handled", "unit_id", "answered calls and tickets with handle time",
                   ("calls", "tickets"), "calls or tickets"),
        SourceInfo("sla", "ticket_id", "tickets with their SLA targets, clocks and breaches",
                   _TICKET_TABLES, "tickets"),
        SourceInfo("surveys", "response_id", "surveys sent", ("surveys",), "surveys"),
        SourceInfo("customers", "customer_id", "customers", ("customers",), "customers"),
        SourceInfo("orders", "order_id", "orders", ("orders",), "orders"),
        SourceInfo("ledger", "entry_id", "ledger entries", ("ledger",), "ledger entries"),
        SourceInfo("shifts", "shift_id", "agent shifts", ("agent_shifts",), "agent shifts"),
        SourceInfo("reviews", "review_id", "quality reviews (criteria rows combined)",
                   ("quality_reviews",), "quality reviews"),
        SourceInfo("feedback", "feedback_id", "feedback items", ("feedback",), "feedback items"),
        SourceInfo("engagement", "event_id", "engagement events", ("engagement",),
                   "engagement events"),
    )
}


#: sources whose units are judged as of an instant (a query's --as-of, else the data's end)
JUDGED_AS_OF = frozenset({"sla"})


class Sources:
    """Builds (and caches) the unit tables of one workspace backend."""

    def __init__(
        self,
        table: Any,
        settings: Settings,
        materialize: Any = None,
        zone_table: Table = None,
        business_table: Table = None,
    ) -> None:
        self._table = table
        self.settings = settings
        self.zone_table = zone_table
        self.business_table = business_table
        self._materialize = materialize or (lambda name, expr: expr)
        self._cache: dict[str, Table] = {}
        self._loaders: dict[str, Any] = {}

    def raw(self, name: str) -> Table:
        """A canonical table, attributes in their own namespace (:func:`canonical_view`)."""
        table = self._table(name)
        return canonical_view(table, TABLES[name]) if name in TABLES else table

    def preset(self, name: str, table: Table) -> None:
        """Use ``table`` (already computed, e.g. stored in the workspace) as source ``name``."""
        self._cache[name] = table

    def loader(self, name: str, load: Any) -> None:
        """Source ``name`` comes from ``load()`` (called once, when first needed)."""
        self._loaders[name] = load

    def build(self, name: str) -> Table:
        """Source ``name`` computed here (not from a loader), materialized as configured."""
        result: Table = getattr(self, "_" + name)()
        return result

    def get(self, name: str, as_of: datetime | None = None) -> Table:
        """Source ``name``; ``as_of`` (naive UTC) for a source judged as of an instant (sla)."""
        if as_of is not None and name in JUDGED_AS_OF:
            key = f"{name}@{as_of.isoformat()}"
            if key not in self._cache:
                self._cache[key] = self._sla_as_of(as_of)
            return self._cache[key]
        if name not in self._cache:
            load = self._loaders.get(name) or getattr(self, "_" + name)
            self._cache[name] = load()
        return self._cache[name]

    # -- tickets -------------------------------------------------------------------------------

    def _facts(self) -> Table:
        tickets, events = self.raw("tickets"), self.raw("ticket_events")
        # materialized first: solve_credit reads the facts twice (join and left join), and
        # DuckDB would compute the whole per-ticket aggregation twice (2x the facts time)
        facts = self._materialize(
            "ticket_facts", ticket_facts(tickets, events, self.get("status_changes"))
        )
        facts = with_levels(solve_credit(facts, events), events)
        facts = with_repeat_contact(self._with_sla(facts), self.settings)
        return self._materialize("facts", facts)

    def _status_changes(self) -> Table:
        return self._materialize("status_changes", status_changes(self.raw("ticket_events")))

    def _with_sla(self, facts: Table) -> Table:
        sla = self.settings.sla
        frt = _priority_case(facts, {k: v * 60 for k, v in sla.first_response_minutes.items()})
        res = _priority_case(facts, {k: v * 3600 for k, v in sla.resolution_hours.items()})
        return facts.mutate(frt_target_seconds=frt, resolution_target_seconds=res)

    def _tickets(self) -> Table:
        return self.get("facts")

    def _first_responses(self) -> Table:
        return self.get("facts").mutate(agent_id=_.first_responder)

    def _solved(self) -> Table:
        return self.get("facts").mutate(agent_id=_.solved_agent)

    def _escalations(self) -> Table:
        # an escalation counts for the level that passed the ticket on (engine/levels.py)
        return self.get("facts").filter(_.top_level.notnull()).mutate(
            agent_id=_.first_level_agent, team=_.first_level_team
        )

    def _waits(self) -> Table:
        tickets = self.raw("tickets")
        groups = reply_groups(tickets, self.raw("ticket_events"))
        dims = self.get("facts").select(
            "ticket_id", "channel", "category", "priority", "team", "solved_at"
        )
        waits = groups.join(dims, "ticket_id").mutate(
            wait_id=_.ticket_id.concat("#", _.seq.cast("string")),
            agent_id=_.replier,
            # a wait ends at the reply, or when the ticket is solved without one
            wait_end=ibis.coalesce(
                _.reply_at,
                ibis.ifelse(_.solved_at >= _.waiting_since, _.solved_at, ibis.null("timestamp")),
            ),
        ).drop("solved_at")
        return self._materialize("waits", waits)

    def _open_spans(self) -> Table:
        """Spans a ticket was not solved: from creation (or a reopen) to the next solve.

        From the status history when the ticket has status changes, else from its own row
        (created_at to resolved_at when solved). Snapshot metrics count tickets whose span
        contains the period end, so a ticket solved in October and reopened in November is
        open at the end of November but not of October.
        """
        facts = self.get("facts")
        changes = self.get("status_changes")
        edges = changes.filter(_.now_solved != _.was_solved)  # solves and reopens
        starts = facts.semi_join(edges, "ticket_id").select(
            ticket_id=_.ticket_id, at=_.created_at, opens=ibis.literal(True)
        )
        marks = edges.select(ticket_id=_.ticket_id, at=_.at, opens=~_.now_solved).union(starts)
        by_time = ibis.window(group_by=marks.ticket_id, order_by=[marks.at, ~marks.opens])
        marks = marks.mutate(next_at=marks.at.lead().over(by_time))
        from_events = marks.filter(_.opens).select(
            ticket_id=_.ticket_id, span_start=_.at, span_end=_.next_at
        )
        from_rows = facts.anti_join(edges, "ticket_id").select(
            ticket_id=_.ticket_id, span_start=_.created_at, span_end=_.solved_at
        )
        spans = from_events.union(from_rows)
        dims = facts.select(
            "ticket_id", "created_at", "first_response_at", "agent_id", "team", "channel",
            "priority", "category",
        )
        spans = spans.join(dims, "ticket_id").mutate(
            # open and not yet answered: the span up to the first public agent reply
            unanswered_end=ibis.ifelse(
                _.first_response_at.isnull(),
                _.span_end,
                ibis.least(ibis.coalesce(_.span_end, _.first_response_at), _.first_response_at),
            )
        )
        return self._materialize("open_spans", spans)

    # -- calls and requests --------------------------------------------------------------------

    def _calls(self) -> Table:
        return with_flags(self.raw("calls"), "calls", self.settings)

    def _requests(self) -> Table:
        threshold = self.settings.thresholds.service_level_seconds
        tickets = self.get("sla").select(
            request_id=_.ticket_id,
            request_kind=ibis.literal("ticket"),
            at=_.created_at,
            channel=_.channel,
            category=_.category,
            priority=_.priority,
            team=_.team,
            queue=ibis.null("string"),
            agent_id=_.agent_id,
            sl_eligible=_.frt_target_seconds.notnull().cast("int64"),
            sl_met=_.frt_met.fill_null(False).cast("int64"),
        )
        calls = self.get("calls").select(
            request_id=_.call_id,
            request_kind=ibis.literal("call"),
            at=_.queued_at,
            channel=ibis.coalesce(_.channel, ibis.literal("phone")),
            category=ibis.null("string"),
            priority=ibis.null("string"),
            team=ibis.null("string"),
            queue=_.queue,
            agent_id=_.agent_id,
            sl_eligible=((_.is_answered | _.is_abandoned) & ~_.is_short_abandon).cast("int64"),
            sl_met=(_.is_answered & (_.wait_seconds <= threshold)).cast("int64"),
        )
        return self._materialize("requests", tickets.union(calls))

    def _sla(self) -> Table:
        """Per ticket: SLA clocks (pending / on_hold paused) against the priority's targets."""
        facts = self.get("facts")
        t = sla_clocks(facts, self.get("status_changes"), self.settings, self.business_table,
                       "first_response_at", "solved_at")
        t = t.mutate(
            has_targets=_.frt_target_seconds.notnull() | _.resolution_target_seconds.notnull(),
            frt_met=ibis.ifelse(
                _.frt_target_seconds.isnull(),
                ibis.null("boolean"),
                _.frt_sla_seconds.notnull() & (_.frt_sla_seconds <= _.frt_target_seconds),
            ),
            resolution_met=ibis.ifelse(
                _.resolution_target_seconds.isnull(),
                ibis.null("boolean"),
                _.resolution_sla_seconds.notnull()
                & (_.resolution_sla_seconds <= _.resolution_target_seconds),
            ),
        )
        t = t.mutate(
            sla_met=_.frt_met.fill_null(True) & _.resolution_met.fill_null(True),
            frt_breached=~_.frt_met.fill_null(True),
            resolution_breached=~_.resolution_met.fill_null(True),
        )
        return self._materialize("sla", t)

    def _sla_as_of(self, as_of: datetime) -> Table:
        """The SLA source judged as of the instant ``as_of`` (naive UTC).

        Each target is ``met`` (reached in time by ``as_of``), ``breached`` (reached late, or
        its clock ran past the target by ``as_of``) or ``pending`` (not reached and not yet
        due); a ticket created after ``as_of`` is pending. ``sla_status`` is breached when a
        target is, else pending when one is, else met; ``sla_decided`` is not pending.
        ``frt_sla_seconds`` / ``resolution_sla_seconds`` are the clocks up to the reply /
        solve, or up to ``as_of`` for a target not reached by then.
        """
        at = ibis.literal(as_of, "timestamp")
        sla = self.get("sla")
        # the clocks of the stored source end at the reply and the solve; only the tickets
        # without one of them by `as_of` need theirs run up to `as_of`
        running = sla.filter(
            _.has_targets & (_.created_at <= at)
            & (_.first_response_at.isnull() | (_.first_response_at > at)
               | _.solved_at.isnull() | (_.solved_at > at))
        ).select(
            "ticket_id", "created_at", "team",
            _frt_to=ibis.ifelse(_.first_response_at <= at, _.first_response_at, at),
            _res_to=ibis.ifelse(_.solved_at <= at, _.solved_at, at),
        )
        changes = status_changes(self.raw("ticket_events").semi_join(running, "ticket_id"))
        clocks = sla_clocks(running, changes, self.settings, self.business_table,
                            "_frt_to", "_res_to").select(
            "ticket_id", _frt_now=_.frt_sla_seconds, _res_now=_.resolution_sla_seconds
        )
        t = sla.left_join(clocks, "ticket_id").drop("ticket_id_right")
        future = t.created_at > at

        def state(target: Any, seconds: Any, reached_at: Any) -> Any:
            return ibis.cases(
                (target.isnull(), ibis.null("string")),
                (future, ibis.literal("pending")),
                (seconds.notnull() & (seconds > target), ibis.literal("breached")),
                (reached_at.notnull() & (reached_at <= at), ibis.literal("met")),
                else_=ibis.literal("pending"),
            )

        t = t.mutate(
            frt_sla_seconds=ibis.coalesce(t._frt_now, t.frt_sla_seconds),
            resolution_sla_seconds=ibis.coalesce(t._res_now, t.resolution_sla_seconds),
        ).drop("_frt_now", "_res_now")
        t = t.mutate(
            frt_status=state(t.frt_target_seconds, t.frt_sla_seconds, t.first_response_at),
            resolution_status=state(
                t.resolution_target_seconds, t.resolution_sla_seconds, t.solved_at
            ),
        )
        def any_is(value: str) -> Any:
            return ((t.frt_status == value).fill_null(False)
                    | (t.resolution_status == value).fill_null(False))

        t = t.mutate(
            sla_status=ibis.cases(
                (~t.has_targets, ibis.null("string")),
                (any_is("breached"), ibis.literal("breached")),
                (any_is("pending"), ibis.literal("pending")),
                else_=ibis.literal("met"),
            ),
            frt_breached=(t.frt_status == "breached").fill_null(False),
            resolution_breached=(t.resolution_status == "breached").fill_null(False),
        )
        t = t.mutate(
            sla_met=(t.sla_status == "met").fill_null(False),
            sla_decided=t.has_targets & (t.sla_status != "pending").fill_null(False),
        )
        return self._materialize("sla_as_of", t)

    def _handled(self) -> Table:
        answered = self.get("calls").filter(_.is_answered)
        teams = self.agent_teams()
        # a call has no team of its own: it counts for its agent's team, as the agent's shifts do
        answered = answered.left_join(teams, answered.agent_id == teams.agent_id).drop(
            "agent_id_right"
        )
        calls = answered.select(
            unit_id=_.call_id,
            at=_.answered_at,
            agent_id=_.agent_id,
            team=_.agent_team,
            queue=_.queue,
            channel=ibis.coalesce(_.channel, ibis.literal("phone")),
            handle_seconds=_.handle_seconds,
            unit_kind=ibis.literal("call"),
        )
        tickets = self.get("facts").filter(_.handle_seconds.notnull()).select(
            unit_id=_.ticket_id,
            at=_.created_at,
            agent_id=_.agent_id,
            team=_.team,
            queue=ibis.null("string"),
            channel=_.channel,
            handle_seconds=_.handle_seconds,
            unit_kind=ibis.literal("ticket"),
        )
        return calls.union(tickets)

    # -- people, money, quality ------------------------------------------------------------------

    def _surveys(self) -> Table:
        surveys = self.raw("surveys")
        teams = self.raw("tickets").select("ticket_id", ticket_team="team", ticket_category="category")
        segments = self.raw("customers").select("customer_id", segment="segment", plan="plan")
        s = surveys.left_join(teams, "ticket_id").drop("ticket_id_right")
        s = s.left_join(segments, "customer_id").drop("customer_id_right")
        s = s.mutate(team=_.ticket_team, category=_.ticket_category).drop(
            "ticket_team", "ticket_category")
        return self._materialize("surveys", with_flags(s, "surveys", self.settings))

    def _customers(self) -> Table:
        return self.raw("customers")

    def _orders(self) -> Table:
        customers = self.raw("customers").select(
            "customer_id", "segment", "plan", "acquisition_channel"
        )
        return self.raw("orders").left_join(customers, "customer_id").drop("customer_id_right")

    def _ledger(self) -> Table:
        # a booking day is placed at local noon so it falls on its own date in every zone
        return self.raw("ledger").mutate(
            at=_.date.cast("timestamp") + ibis.interval(hours=12)
        )

    def agent_teams(self) -> Table:
        """An agent's team: the team of most of their tickets (ties: the first name). The one
        definition: calls, shifts and the report's agent scorecards all use it.

        Columns ``agent_id`` and ``agent_team``. A ranked count rather than mode(), which Spark
        has no compilation for.
        """
        counts = (
            self.raw("tickets")
            .filter(_.agent_id.notnull() & _.team.notnull())
            .group_by(["agent_id", "team"])
            .aggregate(_n=_.count())
        )
        rank = ibis.row_number().over(
            group_by=counts.agent_id, order_by=[ibis.desc(counts._n), counts.team]
        )
        return counts.mutate(_rank=rank).filter(_._rank == 0).select("agent_id", agent_team="team")

    def _shifts(self) -> Table:
        shifts = self.raw("agent_shifts")
        teams = self.agent_teams().rename(team="agent_team")
        return shifts.left_join(teams, "agent_id").drop("agent_id_right").mutate(
            shift_id=_.agent_id.concat("@", _.start.cast("string")),
            shift_seconds=_.end.epoch_seconds() - _.start.epoch_seconds(),
        )

    def _reviews(self) -> Table:
        rows = self.raw("quality_reviews").mutate(w=_.weight.fill_null(1.0))
        reviews = rows.group_by("review_id").aggregate(
            reviewed_at=_.reviewed_at.min(),
            agent_id=_.agent_id.arbitrary(),
            ticket_id=_.ticket_id.arbitrary(),
            weighted=(_.w * _.score / _.max_score).sum(),
            weights=_.w.sum(),
            criteria=_.count(),
        )
        teams = self.raw("tickets").select("ticket_id", team="team")
        return (
            reviews.left_join(teams, "ticket_id")
            .drop("ticket_id_right")
            .mutate(iqs=ibis.ifelse(_.weights > 0, 100 * _.weighted / _.weights, ibis.null("float64")))
        )

    def _feedback(self) -> Table:
        from supportmetrics import calendar as cal

        feedback = cal.with_local_time(self.raw("feedback"), "at", self.zone_table, "_at_local")
        return feedback.mutate(
            hour_of_week=_._at_local.day_of_week.index().cast("int64") * 24
            + _._at_local.hour().cast("int64")
        ).drop("_at_local")

    def _engagement(self) -> Table:
        customers = self.raw("customers").select("customer_id", "segment")
        events = self.raw("engagement").left_join(customers, "customer_id").drop("customer_id_right")
        return events.mutate(
            event_id=_.customer_id.concat("@", _.at.cast("string"), "/", _.kind)
        )


def with_flags(t: Table, source: str, settings: Settings) -> Table:
    """``t`` with the flags the catalogue declares for ``source`` (metrics/flags.py), in order."""
    for flag in flags_of(source):
        t = t.mutate(**{flag.name: resolve(flag.expr, t, settings)})
    return t


def sla_clocks(t: Table, changes: Table, settings: Settings, business_table: Table,
               frt_end: str, res_end: str) -> Table:
    """``t`` + ``frt_sla_seconds`` and ``resolution_sla_seconds`` on the SLA clock.

    From ``created_at`` to the columns ``frt_end`` / ``res_end`` of ``t`` (null when the end is),
    on the business or calendar clock of ``[sla] clock``, less the time spent in pending or
    on_hold before the end (``changes``: :func:`status_changes` of the tickets' events).
    """
    from supportmetrics import calendar as cal

    business = settings.sla.clock == "business"
    segments = changes.filter(_.status.isin(("pending", "on_hold")))
    ends = t.select("ticket_id", "created_at", frt_end, res_end, "team")
    paused = segments.join(ends, "ticket_id")

    def clock(u: Table, start: str, end: str, out: str) -> Table:
        return cal.clock_duration(u, start, end, out, business=business,
                                  business_table=business_table, settings=settings)

    def pause_before(limit: str, out: str) -> Table:
        p = paused.filter(paused[limit].notnull() & (paused.at < paused[limit]))
        p = p.mutate(
            _from=ibis.greatest(p.at, p.created_at),
            _to=ibis.least(ibis.coalesce(p.until, p[limit]), p[limit]),
        ).filter(_._to > _._from)
        p = clock(p, "_from", "_to", "_len")
        return p.group_by("ticket_id").aggregate(**{out: p._len.sum()})

    t = clock(t, "created_at", frt_end, "_frt_gross")
    t = clock(t, "created_at", res_end, "_res_gross")
    for limit, out in ((frt_end, "_frt_pause"), (res_end, "_res_pause")):
        t = t.left_join(pause_before(limit, out), "ticket_id").drop("ticket_id_right")
    return t.mutate(
        frt_sla_seconds=(_._frt_gross - _._frt_pause.fill_null(0)).cast("float64"),
        resolution_sla_seconds=(_._res_gross - _._res_pause.fill_null(0)).cast("float64"),
    ).drop("_frt_gross", "_res_gross", "_frt_pause", "_res_pause")


def with_repeat_contact(facts: Table, settings: Settings) -> Table:
    """facts + ``repeat_contact``: the customer's next ticket came within the repeat window.

    Decided by the customer's tickets in creation order (ties by ticket id), so it is
    recomputed per customer when a load adds or moves one of their tickets (engine/store.py).
    """
    window = settings.thresholds.repeat_window_days * 86400
    # the window sorts only the three columns it needs (carrying every facts column through
    # the sort cost several times more than joining the flags back)
    keys = facts.select("ticket_id", "customer_id", "created_at")
    next_created = keys.created_at.lead().over(
        group_by=keys.customer_id, order_by=[keys.created_at, keys.ticket_id]
    )
    flags = keys.select(
        "ticket_id",
        repeat_contact=keys.customer_id.notnull()
        & next_created.notnull()
        & (next_created.epoch_seconds() - keys.created_at.epoch_seconds() <= window),
    )
    return facts.left_join(flags, "ticket_id").drop("ticket_id_right")


def _priority_case(t: Table, targets: dict[str, float]) -> Any:
    if not targets:
        return ibis.null("float64")
    cases = [(t.priority == k, ibis.literal(float(v))) for k, v in targets.items()]
    return ibis.cases(*cases, else_=ibis.null("float64"))


def source_columns(name: str) -> tuple[str, ...]:
    """Canonical columns of a raw table (used to validate --by and --where)."""
    return TABLES[name].column_names if name in TABLES else ()


def unit_tables(settings: Settings | None = None) -> dict[str, Table]:
    """Every source's units as an unbound table of their columns and types, by source name:
    what the catalogue's declarations are checked against (``engine.checks.check_catalogue``).

    Built over unbound tables of the canonical schema: nothing is read or executed.
    """
    from datetime import date

    from supportmetrics import calendar as cal

    settings = settings or Settings()
    day = date(2000, 1, 1)
    sources = Sources(
        lambda name: ibis.table({c.name: _NULL_TYPES[c.type] for c in TABLES[name].columns},
                                name=name),
        settings,
        zone_table=ibis.memtable(cal.zone_days(settings.timezone, day, day)),
        business_table=ibis.memtable(cal.business_table(settings, day, day)),
    )
    # a source judged as of an instant is always read so (its verdict columns are then there)
    as_of = datetime(2000, 1, 1)
    return {name: ibis.table(sources.get(name, as_of).schema(), name=name) for name in SOURCES}
