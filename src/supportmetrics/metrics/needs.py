"""Data metrics need beyond their units' tables, declared once and named for the user."""

from __future__ import annotations

from ibis import _

from supportmetrics.metrics.model import Data, Needs

_REPLY_EVENTS = Data("ticket_events", _.kind == "agent_reply")

REPLIES = Needs(
    "replies (agent_reply events, or first_response_at or first_response_seconds on tickets)",
    (
        _REPLY_EVENTS,
        Data("tickets", _.first_response_at.notnull()),
        Data("tickets", _.first_response_seconds.notnull()),
    ),
)
REPLY_COUNTS = Needs(
    "reply counts (agent_reply events, or replies on tickets)",
    (_REPLY_EVENTS, Data("tickets", _.replies.notnull())),
)
AGENT_EVENTS = Needs(
    "agent_reply or assignment events",
    (Data("ticket_events", _.kind.isin(("agent_reply", "assignment"))),),
)
_STATUS_EVENTS = Data("ticket_events", _.kind == "status_change")
REOPENS = Needs(
    "reopen counts (status_change events, or reopens on tickets)",
    (_STATUS_EVENTS, Data("tickets", _.reopens.notnull())),
)
CALLS = Needs("calls", (Data("calls"),))
HANDLE_TIME = Needs(
    "handle time (answered calls, or handle_seconds on tickets)",
    (Data("calls", _.outcome == "answered"),
     Data("tickets", _.handle_seconds.notnull())),
)
CUSTOMERS_ON_TICKETS = Needs(
    "customer_id on tickets", (Data("tickets", _.customer_id.notnull()),)
)
SUPPORT_COST = Needs(
    "support_cost entries in the ledger", (Data("ledger", _.kind == "support_cost"),)
)
REVENUE = Needs(
    "revenue (revenue entries in the ledger, or orders)",
    (Data("ledger", _.kind == "revenue"), Data("orders")),
)
ACQUISITION_COST = Needs(
    "sales_cost or marketing_cost entries in the ledger",
    (Data("ledger", _.kind.isin(("sales_cost", "marketing_cost"))),),
)


def answered(survey: str) -> Needs:
    """Answered responses of one survey."""
    return Needs(
        f"answered {survey} surveys",
        (Data("surveys", (_.survey == survey) & _.score.notnull()),),
    )
