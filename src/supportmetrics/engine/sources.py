"""Unit sources: the named tables metrics count over, each with its dimension columns.

Credit (which ``agent_id`` a unit counts for) is decided here, per source (METRICS.md):
``first_responses`` and ``waits`` credit the agent who replied; ``solved`` credits the assignee
at the solve; ``tickets`` the ticket's current agent; calls, surveys, shifts and reviews their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
from ibis import _

from supportmetrics.config import Settings
from supportmetrics.engine.facts import reply_groups, solve_credit, status_changes, ticket_facts
from supportmetrics.schema import TABLES

Table = Any

TICKET_DIMS = ("channel", "category", "priority", "team", "agent_id", "customer_id", "status")


@dataclass(frozen=True)
class SourceInfo:
    name: str
    unit_id: str
    description: str


SOURCES: dict[str, SourceInfo] = {
    s.name: s
    for s in (
        SourceInfo("tickets", "ticket_id", "tickets, credited to their current agent"),
        SourceInfo("first_responses", "ticket_id", "tickets, credited to the first responder"),
        SourceInfo("solved", "ticket_id", "tickets, credited to the assignee at the solve"),
        SourceInfo("waits", "wait_id", "customer waits ended by a public agent reply"),
        SourceInfo("open_spans", "ticket_id", "spans of time a ticket was open (not solved)"),
        SourceInfo("calls", "call_id", "calls offered to a queue"),
        SourceInfo("requests", "request_id", "tickets and calls together"),
        SourceInfo("handled", "unit_id", "answered calls and tickets with handle time"),
        SourceInfo("sla", "ticket_id", "tickets with their SLA targets, clocks and breaches"),
        SourceInfo("surveys", "response_id", "surveys sent"),
        SourceInfo("customers", "customer_id", "customers"),
        SourceInfo("orders", "order_id", "orders"),
        SourceInfo("ledger", "entry_id", "ledger entries"),
        SourceInfo("shifts", "shift_id", "agent shifts"),
        SourceInfo("reviews", "review_id", "quality reviews (criteria rows combined)"),
        SourceInfo("feedback", "feedback_id", "feedback items"),
        SourceInfo("engagement", "event_id", "engagement events"),
    )
}


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
        return self._table(name)

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

    def get(self, name: str) -> Table:
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
        facts = solve_credit(facts, events)
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
        short = self.settings.thresholds.short_abandon_seconds
        calls = self.raw("calls")
        wait_end = ibis.coalesce(_.answered_at, _.ended_at)
        return calls.mutate(
            wait_seconds=(wait_end.epoch_seconds() - _.queued_at.epoch_seconds()),
            is_answered=_.outcome == "answered",
            is_abandoned=_.outcome == "abandoned",
            is_blocked=_.outcome == "blocked",
        ).mutate(
            # abandoned after waiting at most `short` seconds; 0 turns the exclusion off, so a
            # caller who hangs up at once (0 s) still counts as abandoned
            is_short_abandon=_.is_abandoned & (_.wait_seconds.fill_null(0) <= short)
            if short > 0
            else ibis.literal(False),
            handle_seconds=_.talk_seconds.fill_null(0)
            + _.hold_seconds.fill_null(0)
            + _.wrap_seconds.fill_null(0),
        )

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
        from supportmetrics import calendar as cal

        facts = self.get("facts")
        business = self.settings.sla.clock == "business"
        segments = self.get("status_changes").filter(_.status.isin(("pending", "on_hold")))
        ends = facts.select("ticket_id", "created_at", "first_response_at", "solved_at", "team")
        paused = segments.join(ends, "ticket_id")

        def clock(t: Table, start: str, end: str, out: str) -> Table:
            if business:
                t = t.mutate(_cal=cal.calendar_key(t.team, self.settings))
                return cal.business_duration(
                    t, start, end, self.business_table, out, calendar=t._cal
                ).drop("_cal")
            return t.mutate(**{out: (t[end].epoch_seconds() - t[start].epoch_seconds())})

        def pause_before(limit: str, out: str) -> Table:
            p = paused.filter(paused[limit].notnull() & (paused.at < paused[limit]))
            p = p.mutate(
                _from=ibis.greatest(p.at, p.created_at),
                _to=ibis.least(ibis.coalesce(p.until, p[limit]), p[limit]),
            ).filter(_._to > _._from)
            p = clock(p, "_from", "_to", "_len")
            return p.group_by("ticket_id").aggregate(**{out: p._len.sum()})

        t = clock(facts, "created_at", "first_response_at", "_frt_gross")
        t = clock(t, "created_at", "solved_at", "_res_gross")
        for limit, out in (("first_response_at", "_frt_pause"), ("solved_at", "_res_pause")):
            t = t.left_join(pause_before(limit, out), "ticket_id").drop("ticket_id_right")
        t = t.mutate(
            frt_sla_seconds=(_._frt_gross - _._frt_pause.fill_null(0)).cast("float64"),
            resolution_sla_seconds=(_._res_gross - _._res_pause.fill_null(0)).cast("float64"),
        ).drop("_frt_gross", "_res_gross", "_frt_pause", "_res_pause")
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

    def _handled(self) -> Table:
        calls = self.get("calls").filter(_.is_answered).select(
            unit_id=_.call_id,
            at=_.answered_at,
            agent_id=_.agent_id,
            team=ibis.null("string"),
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
        satisfied_at = self.settings.thresholds.satisfied_at
        surveys = self.raw("surveys")
        teams = self.raw("tickets").select("ticket_id", ticket_team="team", ticket_category="category")
        segments = self.raw("customers").select("customer_id", segment="segment", plan="plan")
        s = surveys.left_join(teams, "ticket_id").drop("ticket_id_right")
        s = s.left_join(segments, "customer_id").drop("customer_id_right")
        s = s.mutate(
            team=_.ticket_team,
            category=_.ticket_category,
            answered=_.score.notnull(),
            normalized=(_.score - _.scale_min) / (_.scale_max - _.scale_min),
        ).mutate(satisfied=_.normalized >= satisfied_at - 1e-9).drop("ticket_team", "ticket_category")
        return self._materialize("surveys", s)

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

    def _shifts(self) -> Table:
        shifts = self.raw("agent_shifts")
        # the agent's most frequent ticket team (ties: the first name); a ranked count rather
        # than mode(), which Spark has no compilation for
        counts = (
            self.raw("tickets")
            .filter(_.agent_id.notnull() & _.team.notnull())
            .group_by(["agent_id", "team"])
            .aggregate(_n=_.count())
        )
        rank = ibis.row_number().over(
            group_by=counts.agent_id, order_by=[ibis.desc(counts._n), counts.team]
        )
        teams = counts.mutate(_rank=rank).filter(_._rank == 0).select("agent_id", "team")
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
