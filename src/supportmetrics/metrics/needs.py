"""Data metrics need beyond their units' tables, declared once and named for the user."""

from __future__ import annotations

from supportmetrics.metrics.model import Data, Needs

_REPLY_EVENTS = Data("ticket_events", lambda t, s: t.kind == "agent_reply")

REPLIES = Needs(
    "replies (agent_reply events, or first_response_at or first_response_seconds on tickets)",
    (
        _REPLY_EVENTS,
        Data("tickets", lambda t, s: t.first_response_at.notnull()),
        Data("tickets", lambda t, s: t.first_response_seconds.notnull()),
    ),
)
REPLY_COUNTS = Needs(
    "reply counts (agent_reply events, or replies on tickets)",
    (_REPLY_EVENTS, Data("tickets", lambda t, s: t.replies.notnull())),
)
AGENT_EVENTS = Needs(
    "agent_reply or assignment events",
    (Data("ticket_events", lambda t, s: t.kind.isin(("agent_reply", "assignment"))),),
)
_STATUS_EVENTS = Data("ticket_events", lambda t, s: t.kind == "status_change")
REOPENS = Needs(
    "reopen counts (status_change events, or reopens on tickets)",
    (_STATUS_EVENTS, Data("tickets", lambda t, s: t.reopens.notnull())),
)
CALLS = Needs("calls", (Data("calls"),))
HANDLE_TIME = Needs(
    "handle time (answered calls, or handle_seconds on tickets)",
    (Data("calls", lambda t, s: t.outcome == "answered"),
     Data("tickets", lambda t, s: t.handle_seconds.notnull())),
)
CUSTOMERS_ON_TICKETS = Needs(
    "customer_id on tickets", (Data("tickets", lambda t, s: t.customer_id.notnull()),)
)
SUPPORT_COST = Needs(
    "support_cost entries in the ledger", (Data("ledger", lambda t, s: t.kind == "support_cost"),)
)
REVENUE = Needs(
    "revenue (revenue entries in the ledger, or orders)",
    (Data("ledger", lambda t, s: t.kind == "revenue"), Data("orders")),
)
ACQUISITION_COST = Needs(
    "sales_cost or marketing_cost entries in the ledger",
    (Data("ledger", lambda t, s: t.kind.isin(("sales_cost", "marketing_cost"))),),
)


def answered(survey: str) -> Needs:
    """Answered responses of one survey."""
    return Needs(
        f"answered {survey} surveys",
        (Data("surveys", lambda t, s: (t.survey == survey) & t.score.notnull()),),
    )
