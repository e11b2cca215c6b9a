"""Per-ticket facts, derived once from tickets and their events (Ibis expressions).

When a ticket has events they are the truth; otherwise the ticket row's own
``first_response_at`` / ``resolved_at`` / ``status`` are used. Definitions (docs/metrics.md):

* public agent reply: an ``agent_reply`` event; bot replies, auto-replies and internal notes are
  not responses.
* first response: the first public agent reply at or after ``created_at``; credited to its actor.
* reply interval: from the earliest customer message not yet answered to the next public agent
  reply; the opening of the ticket counts as its first customer message.
* solved means status solved or closed. A solve is a status change into {solved, closed} from a
  status outside it (so solved -> closed is not a second solve); a reopen is a change out of it.
* solved time: the last solve, for tickets solved now (a ticket reopened and still open is not
  solved). The credited agent of a solve is the last assignee before it (last ``assignment``
  event at or before the solve), else the ticket's ``agent_id``.
* a ticket without events: the helpdesk's own figures when its row has them (exports one row
  per ticket: ``first_response_seconds``, ``resolution_seconds``, ``reopens``, ``replies``), the
  first response and solve then at ``created_at`` plus the figure; else its ``first_response_at``
  and ``resolved_at``. ``first_response_from``, ``resolution_from``, ``reopens_from`` and
  ``replies_from`` say where each came from (:data:`FROM_EVENTS`, :data:`FROM_ROW`,
  :data:`FROM_FIGURE`), and ``explain`` shows them.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis import _

SOLVED = ("solved", "closed")
PUBLIC_KINDS = ("customer_message", "agent_reply")

Table = Any

FROM_EVENTS = "events"
FROM_ROW = "ticket timestamps"
FROM_FIGURE = "the helpdesk's own figure"


def _after_seconds(start: Any, seconds: Any) -> Any:
    """``start`` plus a number of seconds (to the millisecond)."""
    return start + (seconds * 1000).round().cast("int64").as_interval("ms")


def row_first_response(t: Table) -> Any:
    """A ticket row's own first response instant: creation + the helpdesk's first reply time,
    else its ``first_response_at``."""
    return ibis.coalesce(_after_seconds(t.created_at, t.first_response_seconds), t.first_response_at)


def row_solve(t: Table) -> Any:
    """A ticket row's own (last) solve instant: creation + the helpdesk's full resolution time,
    else its ``resolved_at``."""
    return ibis.coalesce(_after_seconds(t.created_at, t.resolution_seconds), t.resolved_at)


def _source(has_events: Any, figure: Any, row: Any = None) -> Any:
    """Where a per-ticket value came from (null when there is none)."""
    cases = [(has_events, ibis.literal(FROM_EVENTS)), (figure.notnull(), ibis.literal(FROM_FIGURE))]
    if row is not None:
        cases.append((row.notnull(), ibis.literal(FROM_ROW)))
    return ibis.cases(*cases, else_=ibis.null("string"))


def reply_groups(tickets: Table, events: Table) -> Table:
    """One row per customer wait: (ticket_id, seq, waiting_since, reply_at, replier).

    A wait starts at the earliest unanswered customer message (or the ticket's creation) and ends
    at the next public agent reply (``reply_at`` null while unanswered).
    """
    with_events = tickets.semi_join(events, "ticket_id")
    opening = with_events.select(
        ticket_id=_.ticket_id,
        at=_.created_at,
        is_agent=ibis.literal(0, "int64"),
        order_key=ibis.literal(0, "int64"),
        actor_id=ibis.null("string"),
    )
    public = events.filter(_.kind.isin(PUBLIC_KINDS)).select(
        ticket_id=_.ticket_id,
        at=_.at,
        is_agent=(_.kind == "agent_reply").cast("int64"),
        # at the same instant, a customer message comes before the reply that answers it
        order_key=ibis.ifelse(_.kind == "agent_reply", 2, 1).cast("int64"),
        actor_id=_.actor_id,
    )
    messages = opening.union(public.semi_join(with_events, "ticket_id"))
    window = ibis.window(
        group_by=messages.ticket_id,
        order_by=[messages.at, messages.order_key],
        preceding=None,
        following=0,
    )
    # seq = public agent replies strictly before this message
    numbered = messages.mutate(seq=messages.is_agent.sum().over(window) - messages.is_agent)
    from_events = numbered.group_by(["ticket_id", "seq"]).aggregate(
        waiting_since=_.at.min(where=_.is_agent == 0),
        reply_at=_.at.min(where=_.is_agent == 1),
        replier=_.actor_id.arbitrary(where=_.is_agent == 1),
    ).filter(_.waiting_since.notnull())
    # a ticket without events has one wait: from its creation to its own first response
    without_events = tickets.anti_join(events, "ticket_id")
    first = row_first_response(without_events)
    without_events = without_events.select(
        ticket_id=_.ticket_id,
        seq=ibis.literal(0, "int64"),
        waiting_since=_.created_at,
        reply_at=first,
        replier=ibis.ifelse(first.notnull(), _.agent_id, ibis.null("string")),
    )
    return from_events.union(without_events)


def status_changes(events: Table) -> Table:
    """Status changes with ``now_solved``, ``was_solved`` (the previous change's) and ``until``.

    One window over each ticket's changes in time order (ties by event id) serves the solve
    transitions of the facts, the open spans and the SLA pauses.
    """
    changes = events.filter(_.kind == "status_change")
    order = ibis.window(group_by=changes.ticket_id, order_by=[changes.at, changes.event_id])
    now_solved = changes.status.isin(SOLVED)
    return changes.select(
        "ticket_id", "event_id", "at", "status",
        now_solved=now_solved,
        was_solved=now_solved.lag().over(order).fill_null(False),
        until=changes.at.lead().over(order),
    )


def ticket_facts(tickets: Table, events: Table, changes: Table) -> Table:
    """One row per ticket with everything the ticket metrics need; see the module docstring.

    ``changes`` is :func:`status_changes` of ``events`` (shared with the open spans and SLA).
    """
    # one pass over the events for the counts; distinct people through a (ticket, actor)
    # grouping, which is several times faster than COUNT(DISTINCT) ... FILTER on DuckDB
    touched = events.group_by("ticket_id").aggregate(
        event_count=_.count(),
        public_replies=_.count(where=_.kind == "agent_reply"),
    )
    people = (
        events.filter(_.kind.isin(("agent_reply", "assignment")) & _.actor_id.notnull())
        .group_by(["ticket_id", "actor_id"])
        .aggregate(replied=(_.kind == "agent_reply").max())
        .group_by("ticket_id")
        .aggregate(agents_involved=_.count(), distinct_repliers=_.replied.cast("int64").sum())
    )
    # the first public reply at or after the ticket's creation (only replies meet the tickets)
    replies = events.filter(_.kind == "agent_reply").join(
        tickets.select("ticket_id", ticket_created_at="created_at"), "ticket_id"
    ).filter(_.at >= _.ticket_created_at)
    first_actor = (
        replies.mutate(
            rank=ibis.row_number().over(group_by=_.ticket_id, order_by=[_.at, _.event_id])
        )
        .filter(_.rank == 0)
        .select("ticket_id", first_reply_at="at", first_responder="actor_id")
    )
    transitions = changes.group_by("ticket_id").aggregate(
        last_status=_.status.argmax(_.at),
        last_solve_at=_.at.max(where=_.now_solved & ~_.was_solved),
        first_solve_at=_.at.min(where=_.now_solved & ~_.was_solved),
        event_reopens=(~_.now_solved & _.was_solved).cast("int64").sum(),
        last_reopen_at=_.at.max(where=~_.now_solved & _.was_solved),
    )
    t = (
        tickets.left_join(touched, "ticket_id")
        .drop("ticket_id_right")
        .left_join(people, "ticket_id")
        .drop("ticket_id_right")
        .left_join(first_actor, "ticket_id")
        .drop("ticket_id_right")
        .left_join(transitions, "ticket_id")
        .drop("ticket_id_right")
    )
    has_events = _.event_count.notnull()
    t = t.mutate(
        has_events=has_events,
        current_status=ibis.coalesce(_.last_status, _.status),
    )
    t = t.mutate(
        first_response_from=_source(_.has_events, _.first_response_seconds, _.first_response_at),
        resolution_from=_source(_.has_events & _.last_status.notnull(), _.resolution_seconds,
                                _.resolved_at),
        reopens_from=_source(_.has_events, _.reopens),
        replies_from=_source(_.has_events, _.replies),
    )
    t = t.mutate(
        is_solved=_.current_status.isin(SOLVED),
        first_response_at=ibis.ifelse(_.has_events, _.first_reply_at, row_first_response(t)),
        first_responder=ibis.ifelse(
            _.has_events, ibis.coalesce(_.first_responder, _.agent_id), _.agent_id
        ),
        public_replies=ibis.ifelse(
            _.has_events, _.public_replies.fill_null(0), _.replies.round().cast("int64")
        ),
        distinct_repliers=ibis.ifelse(
            _.has_events, _.distinct_repliers.fill_null(0), ibis.null("int64")
        ),
        agents_involved=ibis.ifelse(
            _.has_events, _.agents_involved.fill_null(0), ibis.null("int64")
        ),
        reopens=ibis.ifelse(
            _.has_events, _.event_reopens.fill_null(0), _.reopens.round().cast("int64")
        ),
    )
    solved_from_events = _.last_status.notnull()
    t = t.mutate(
        solved_at=ibis.ifelse(
            _.is_solved,
            ibis.ifelse(solved_from_events, _.last_solve_at, row_solve(t)),
            ibis.null("timestamp"),
        ),
        first_solved_at=ibis.ifelse(solved_from_events, _.first_solve_at, row_solve(t)),
        is_complaint_any=ibis.coalesce(_.is_complaint, False)
        | (ibis.coalesce(_.category, "") == "complaint"),
    )
    return t.drop(
        "first_reply_at", "last_status", "last_solve_at", "first_solve_at", "event_reopens"
    )


def with_wait_summary(facts: Table, waits: Table) -> Table:
    """facts + ``awaiting_since`` (the open customer wait, if any) and ``last_public_at``.

    Kept out of :func:`ticket_facts`: no metric reads them (awaiting_reply counts the waits
    themselves) and the reply grouping they need was a third of the facts' time.
    """
    last_wait = waits.group_by("ticket_id").aggregate(
        open_wait_since=_.waiting_since.max(where=_.reply_at.isnull()),
        last_public_at=ibis.greatest(_.waiting_since.max(), _.reply_at.max()),
    )
    t = facts.left_join(last_wait, "ticket_id").drop("ticket_id_right")
    return t.mutate(
        awaiting_since=ibis.ifelse(_.has_events, _.open_wait_since, ibis.null("timestamp")),
    ).drop("open_wait_since")


def solve_credit(facts: Table, events: Table) -> Table:
    """facts + ``solved_agent``: the last assignee at or before the (last) solve."""
    assignments = events.filter(_.kind == "assignment").select(
        "ticket_id", assigned_at="at", assignee="actor_id", assignment_id="event_id"
    )
    joined = facts.select("ticket_id", "solved_at").join(
        assignments,
        [
            facts.ticket_id == assignments.ticket_id,
            assignments.assigned_at <= facts.solved_at,
        ],
    )
    last = joined.group_by("ticket_id").aggregate(
        solved_agent=_.assignee.argmax(_.assigned_at)
    )
    out = facts.left_join(last, "ticket_id").drop("ticket_id_right")
    return out.mutate(solved_agent=ibis.coalesce(_.solved_agent, _.agent_id))
