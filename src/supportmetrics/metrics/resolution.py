"""Resolution: solved tickets, resolution time and rate, FCR, reopens, replies, backlog."""

from __future__ import annotations

from ibis import _

from supportmetrics.metrics.common import flag, ratio
from supportmetrics.metrics.model import (
    Count,
    Derived,
    Direction,
    Duration,
    Mean,
    Ratio,
    S,
    Snapshot,
    Unit,
)
from supportmetrics.metrics.needs import AGENT_EVENTS, REOPENS, REPLIES, REPLY_COUNTS

_SOLVED_DIMS = ("agent_id", "team", "channel", "category")
_with_replies = _.public_replies.notnull()
_with_reopens = _.reopens.notnull()
#: open tickets count in the backlog from this age
_BACKLOG_AGE = S.thresholds.backlog_age_hours * 3600
#: tickets without events: the helpdesk's own figure when the ticket row has one
_FIGURES = ("; a ticket without events counts with the helpdesk's own figure when its row has "
            "one ({}), and explain says so")

TICKETS_SOLVED = Count(
    id="tickets_solved", headline=2, primary=True,
    title="Tickets solved", unit=Unit.COUNT, direction=Direction.UP,
    source="solved", anchor="solved_at", dimensions=_SOLVED_DIMS,
    definition="tickets reaching solved in the period (last solve, tickets solved now); with "
    "ticket_volume it gives created vs solved per day", article="Malnik 2020",
    unit_label="tickets",
)
OPEN_TICKETS = Snapshot(
    id="open_tickets", title="Open tickets at period end", unit=Unit.COUNT,
    direction=Direction.DOWN, source="open_spans", anchor="span_start",
    opened="span_start", closed="span_end", count_distinct="ticket_id",
    dimensions=("agent_id", "team", "channel", "priority"),
    definition="tickets not solved at the end of the period (snapshot from the status history: "
    "a ticket solved and reopened later is open only from its reopen)",
    article="LiveAgent Academy", unit_label="tickets",
)
AWAITING_REPLY = Snapshot(
    id="awaiting_reply", title="Tickets awaiting a reply at period end", unit=Unit.COUNT,
    needs=(REPLIES,),
    direction=Direction.DOWN, source="waits", anchor="waiting_since",
    opened="waiting_since", closed="wait_end", count_distinct="ticket_id",
    dimensions=("agent_id", "team", "channel", "priority"), variant_of="open_tickets",
    definition="open tickets whose last public message at the period end is the customer's "
    "(a customer wait began and no agent reply or solve ended it)",
    article="LiveAgent Academy", unit_label="tickets",
)
BACKLOG = Snapshot(
    id="backlog", headline=17, tile=8, primary=True,
    title="Backlog (open tickets older than backlog_age)", unit=Unit.COUNT,
    direction=Direction.DOWN, source="open_spans", anchor="span_start",
    opened="span_start", closed="span_end", count_distinct="ticket_id",
    min_age_seconds=_BACKLOG_AGE, age_from="created_at",
    dimensions=("agent_id", "team", "channel", "priority"),
    definition="tickets open at the period end and created more than backlog_age_hours "
    "(default 24 h) before it",
    article="LiveAgent Academy", unit_label="tickets",
)
BACKLOG_UNANSWERED = Snapshot(
    id="backlog_unanswered", title="Backlog without any agent reply", unit=Unit.COUNT,
    needs=(REPLIES,),
    direction=Direction.DOWN, source="open_spans", anchor="span_start",
    opened="span_start", closed="unanswered_end", count_distinct="ticket_id",
    min_age_seconds=_BACKLOG_AGE, age_from="created_at",
    dimensions=("agent_id", "team", "channel", "priority"), variant_of="backlog",
    definition="open tickets older than backlog_age_hours with no public agent reply yet at the "
    "period end", article="LiveAgent Academy", unit_label="tickets",
)
RESOLUTION_RATE = Derived(
    id="resolution_rate", title="Resolution rate", unit=Unit.PERCENT, direction=Direction.UP,
    source="tickets", anchor="created_at", dimensions=_SOLVED_DIMS,
    inputs={"solved": "tickets_solved", "created": "ticket_volume"},
    formula=ratio(_.solved, _.created), scale=100.0, count_input="created",
    definition="100 x tickets solved in the period / tickets created (assigned) in the period",
    article="LiveAgent Academy", unit_label="tickets",
)
RESOLUTION_RATIO = Ratio(
    id="resolution_ratio", title="Resolution ratio: solved / unsolved (literal)",
    unit=Unit.RATIO, direction=Direction.UP, source="tickets", anchor="created_at",
    dimensions=_SOLVED_DIMS, variant_of="resolution_rate", scale=1.0,
    numerator=flag(_.is_solved), denominator=flag(~_.is_solved),
    definition="solved / unsolved among tickets created in the period (the source's literal "
    "formula; count = unsolved tickets)", article="Parker", unit_label="unsolved tickets",
)
RESOLVED_SHARE = Ratio(
    id="resolved_share", title="Share of created tickets now solved", unit=Unit.PERCENT,
    direction=Direction.UP, source="tickets", anchor="created_at", dimensions=_SOLVED_DIMS,
    variant_of="resolution_rate",
    numerator=flag(_.is_solved), denominator=1,
    definition="100 x solved / created, over the tickets created in the period (same cohort)",
    article="Parker", unit_label="tickets",
)
_RES_DIMS = ("agent_id", "team", "channel", "category", "priority")
RESOLUTION_TIME = Duration(
    id="resolution_time", headline=4, tile=5, primary=True,
    title="Resolution time", unit=Unit.SECONDS, direction=Direction.DOWN,
    source="solved", anchor="solved_at", start="created_at", end="solved_at",
    dimensions=_RES_DIMS,
    definition="solved time (last solve) - created_at, over tickets solved in the period"
    + _FIGURES.format("resolution_seconds"),
    article="LiveAgent Academy; LiveAgent 2025; Parker; Malnik 2020", unit_label="tickets",
    explain_columns=("resolution_from",),
)
FIRST_RESOLUTION_TIME = Duration(
    id="first_resolution_time", title="First resolution time", unit=Unit.SECONDS,
    direction=Direction.DOWN, source="solved", anchor="first_solved_at",
    start="created_at", end="first_solved_at", dimensions=_RES_DIMS,
    variant_of="resolution_time",
    definition="first solve - created_at, over tickets first solved in the period",
    unit_label="tickets", explain_columns=("resolution_from",),
)
COMPLAINT_RESOLUTION_TIME = Duration(
    id="complaint_resolution_time", title="Complaint resolution time", unit=Unit.SECONDS,
    direction=Direction.DOWN, source="solved", anchor="solved_at",
    start="created_at", end="solved_at", where=_.is_complaint_any,
    dimensions=("agent_id", "team", "channel"),
    definition="resolution_time over complaints (is_complaint, or category complaint)",
    article="LiveAgent 2025", unit_label="complaints", explain_columns=("resolution_from",),
)
FCR_RATE = Ratio(
    id="fcr_rate", headline=5, tile=6, primary=True,
    title="First contact resolution", unit=Unit.PERCENT, direction=Direction.UP,
    needs=(REPLY_COUNTS,),
    source="solved", anchor="solved_at", where=_with_replies, dimensions=_SOLVED_DIMS,
    numerator=flag(_.public_replies == 1), denominator=1,
    definition="100 x solved tickets with exactly one public agent reply / solved tickets (one "
    "touch; a thank-you reopen re-solved with no new reply stays first-contact); tickets without "
    "events count with the helpdesk's own reply count (replies) when their row has one, else "
    "are left out", article="Bitvinskas 2021; Parker; Malnik 2020", unit_label="solved tickets",
    explain_columns=("replies_from",),
)
FCR_SINGLE_AGENT = Ratio(
    id="fcr_single_agent", title="Solved by one agent only", unit=Unit.PERCENT,
    needs=(AGENT_EVENTS,),
    direction=Direction.UP, source="solved", anchor="solved_at", where=_with_replies,
    dimensions=_SOLVED_DIMS, variant_of="fcr_rate",
    numerator=flag(_.agents_involved.fill_null(0) <= 1), denominator=1,
    definition="100 x solved tickets handled by one agent only (replies and assignments) / "
    "solved tickets", article="Parker", unit_label="solved tickets",
)
REOPEN_RATE = Ratio(
    id="reopen_rate", headline=6, primary=True,
    title="Reopen rate", unit=Unit.PERCENT, direction=Direction.DOWN,
    needs=(REOPENS,),
    source="solved", anchor="solved_at", where=_with_reopens,
    dimensions=("agent_id", "team", "channel"),
    numerator=flag(_.reopens > 0), denominator=1,
    definition="100 x solved tickets reopened at least once / solved tickets, over tickets "
    "with events" + _FIGURES.format("reopens"),
    article="Malnik 2020", unit_label="solved tickets", explain_columns=("reopens_from",),
)
REPLIES_PER_TICKET = Mean(
    id="replies_per_ticket", title="Replies per ticket", unit=Unit.COUNT,
    needs=(REPLY_COUNTS,),
    direction=Direction.DOWN, source="solved", anchor="solved_at", where=_with_replies,
    dimensions=("agent_id", "team", "channel"), value=_.public_replies,
    definition="mean public agent replies per solved ticket, over tickets with events"
    + _FIGURES.format("replies"), article="Malnik 2020",
    unit_label="solved tickets", explain_columns=("replies_from",),
)

METRICS = (
    TICKETS_SOLVED, OPEN_TICKETS, AWAITING_REPLY, BACKLOG, BACKLOG_UNANSWERED, RESOLUTION_RATE,
    RESOLUTION_RATIO, RESOLVED_SHARE, RESOLUTION_TIME, FIRST_RESOLUTION_TIME,
    COMPLAINT_RESOLUTION_TIME, FCR_RATE, FCR_SINGLE_AGENT, REOPEN_RATE, REPLIES_PER_TICKET,
)
