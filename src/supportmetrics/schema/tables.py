"""Canonical tables (``shared/spec/DATA.md``) declared once.

Each table lists its columns (type, required, allowed values), the key that identifies a row
(loads are idempotent on it), the time column that spans it, and the rules a row must keep that
involve more than one column. Row rules are SQL predicates over the typed columns of one row that
are true when the row *breaks* the rule; the ingest layer evaluates them all at once in DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from supportmetrics.errors import UnknownTableError


class ColumnType(Enum):
    TEXT = "text"
    TIMESTAMP = "timestamp"
    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = ColumnType.TEXT
    required: bool = False
    allowed: tuple[str, ...] = ()
    lower: bool = False
    meaning: str = ""

    @property
    def enumerated(self) -> bool:
        return bool(self.allowed)


@dataclass(frozen=True)
class RowRule:
    """A rule over several columns of one row; ``broken_when`` is a SQL predicate."""

    column: str
    broken_when: str
    reason: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    span: str
    description: str
    rules: tuple[RowRule, ...] = ()

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


TEXT, TS, NUM, BOOL, DATE = (
    ColumnType.TEXT,
    ColumnType.TIMESTAMP,
    ColumnType.NUMBER,
    ColumnType.BOOL,
    ColumnType.DATE,
)

TICKET_STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
EVENT_KINDS = (
    "customer_message",
    "agent_reply",
    "bot_reply",
    "auto_reply",
    "internal_note",
    "status_change",
    "assignment",
)
CALL_OUTCOMES = ("answered", "abandoned", "blocked")
LEDGER_KINDS = ("support_cost", "sales_cost", "marketing_cost", "revenue")
PRIORITIES = ("low", "normal", "high", "urgent")

# Survey scales by survey name when a row does not carry scale_min / scale_max.
DEFAULT_SCALES: dict[str, tuple[float, float]] = {
    "csat": (1.0, 5.0),
    "nps": (0.0, 10.0),
    "ces": (1.0, 7.0),
    "happiness": (1.0, 3.0),
}


def _after(later: str, earlier: str) -> RowRule:
    return RowRule(
        column=later,
        broken_when=f'"{later}" IS NOT NULL AND "{earlier}" IS NOT NULL AND "{later}" < "{earlier}"',
        reason=f"is before {earlier}",
    )


def _not_negative(column: str) -> RowRule:
    return RowRule(column, f'"{column}" < 0', "is negative")


TICKETS = TableSpec(
    name="tickets",
    description="one row per support case (email, chat, social conversation, web form, phone case)",
    key=("ticket_id",),
    span="created_at",
    columns=(
        Column("ticket_id", TEXT, required=True, meaning="unique id"),
        Column("created_at", TS, required=True, meaning="when the customer opened the case"),
        Column("channel", TEXT, lower=True, meaning="email, chat, phone, social, web, ..."),
        Column("category", TEXT, meaning="sales question, technical, cancellation, returns, ..."),
        Column("priority", TEXT, allowed=PRIORITIES, meaning="low, normal, high, urgent"),
        Column("customer_id", TEXT, meaning="who asked"),
        Column("agent_id", TEXT, meaning="current or last assignee"),
        Column("team", TEXT, meaning="group / queue"),
        Column("status", TEXT, allowed=TICKET_STATUSES, meaning="current status"),
        Column("is_complaint", BOOL, meaning="complaint or escalation"),
        Column("first_response_at", TS, meaning="used only when no events exist for the ticket"),
        Column("resolved_at", TS, meaning="last time it became solved; used only without events"),
        Column("handle_seconds", NUM, meaning="agent work time spent on the case"),
        # the helpdesk's own figures, as exports one row per ticket carry them (Zendesk: First
        # reply time in minutes, Full resolution time in minutes, Reopens, Replies; Freshdesk:
        # First response time (in hrs), Resolution time (in hrs)); a mapping's units convert
        # minutes or hours to seconds
        Column("first_response_seconds", NUM, meaning="the helpdesk's own first reply time; "
               "used only when no events exist for the ticket, before first_response_at"),
        Column("resolution_seconds", NUM, meaning="the helpdesk's own full resolution time "
               "(creation to the last solve); used only without events, before resolved_at"),
        Column("reopens", NUM, meaning="the helpdesk's own count of reopens; used only without "
               "events"),
        Column("replies", NUM, meaning="the helpdesk's own count of public agent replies; used "
               "only without events"),
    ),
    rules=(
        _after("first_response_at", "created_at"),
        _after("resolved_at", "created_at"),
        _not_negative("handle_seconds"),
        _not_negative("first_response_seconds"),
        _not_negative("resolution_seconds"),
        _not_negative("reopens"),
        _not_negative("replies"),
    ),
)

TICKET_EVENTS = TableSpec(
    name="ticket_events",
    description="what happened on a ticket, one row per message or change",
    key=("event_id",),
    span="at",
    columns=(
        Column("event_id", TEXT, required=True, meaning="unique id"),
        Column("ticket_id", TEXT, required=True, meaning="must exist in tickets"),
        Column("at", TS, required=True, meaning="when it happened"),
        Column("kind", TEXT, required=True, allowed=EVENT_KINDS, meaning="what happened"),
        Column("actor_id", TEXT, meaning="agent id for agent actions, customer id for messages"),
        Column("status", TEXT, allowed=TICKET_STATUSES, meaning="new status, for status_change"),
    ),
    rules=(
        RowRule(
            "status",
            "kind = 'status_change' AND status IS NULL",
            "is empty (required when kind is status_change)",
        ),
    ),
)

CALLS = TableSpec(
    name="calls",
    description="one row per call offered to a queue (voice, or a chat queue)",
    key=("call_id",),
    span="queued_at",
    columns=(
        Column("call_id", TEXT, required=True, meaning="unique id"),
        Column("queued_at", TS, required=True, meaning="entered the queue"),
        Column("outcome", TEXT, required=True, allowed=CALL_OUTCOMES, meaning="what happened"),
        Column("answered_at", TS, meaning="required when answered"),
        Column("ended_at", TS, meaning="end of call, or when the caller hung up"),
        Column("agent_id", TEXT),
        Column("queue", TEXT),
        Column("channel", TEXT, lower=True),
        Column("talk_seconds", NUM),
        Column("hold_seconds", NUM),
        Column("wrap_seconds", NUM),
        Column("customer_id", TEXT),
    ),
    rules=(
        RowRule(
            "answered_at",
            "outcome = 'answered' AND answered_at IS NULL",
            "is empty (required when outcome is answered)",
        ),
        RowRule(
            "answered_at",
            "outcome IN ('abandoned', 'blocked') AND answered_at IS NOT NULL",
            "is set but outcome is not answered",
        ),
        _after("answered_at", "queued_at"),
        _after("ended_at", "queued_at"),
        _after("ended_at", "answered_at"),
        _not_negative("talk_seconds"),
        _not_negative("hold_seconds"),
        _not_negative("wrap_seconds"),
    ),
)

SURVEYS = TableSpec(
    name="surveys",
    description="one row per survey sent; score empty = not answered",
    key=("response_id",),
    span="sent_at",
    columns=(
        Column("response_id", TEXT, required=True, meaning="unique id"),
        Column("survey", TEXT, required=True, lower=True, meaning="csat, nps, ces, happiness, ..."),
        Column("sent_at", TS),
        Column("responded_at", TS, meaning="required when score is present"),
        Column("score", NUM, meaning="within the scale"),
        Column("scale_min", NUM, meaning="default per survey"),
        Column("scale_max", NUM, meaning="default per survey"),
        Column("ticket_id", TEXT),
        Column("agent_id", TEXT),
        Column("customer_id", TEXT),
        Column("channel", TEXT, lower=True),
        Column("comment", TEXT, meaning="free text"),
    ),
    rules=(
        RowRule(
            "responded_at",
            "score IS NOT NULL AND responded_at IS NULL",
            "is empty (required when score is present)",
        ),
        _after("responded_at", "sent_at"),
        RowRule(
            "scale_max",
            "scale_min IS NOT NULL AND scale_max IS NOT NULL AND scale_max <= scale_min",
            "is not above scale_min",
        ),
        RowRule(
            "survey",
            "scale_min IS NULL OR scale_max IS NULL",
            "has no declared scale (give scale_min and scale_max, or [surveys.scales])",
        ),
        RowRule(
            "score",
            "score IS NOT NULL AND (score < scale_min OR score > scale_max)",
            "is outside the survey's scale",
        ),
    ),
)

CUSTOMERS = TableSpec(
    name="customers",
    description="customers: when they signed up and when they churned",
    key=("customer_id",),
    span="signup_at",
    columns=(
        Column("customer_id", TEXT, required=True, meaning="unique id"),
        Column("signup_at", TS, required=True, meaning="became a customer"),
        Column("churned_at", TS, meaning="stopped (cancelled, did not renew)"),
        Column("acquisition_channel", TEXT, lower=True, meaning="referral, ads, organic, ..."),
        Column("referred_by", TEXT, meaning="referring customer id"),
        Column("segment", TEXT),
        Column("plan", TEXT),
    ),
    rules=(_after("churned_at", "signup_at"),),
)

ORDERS = TableSpec(
    name="orders",
    description="purchases",
    key=("order_id",),
    span="at",
    columns=(
        Column("order_id", TEXT, required=True, meaning="unique id"),
        Column("customer_id", TEXT, required=True),
        Column("at", TS, required=True),
        Column("amount", NUM, required=True, meaning="revenue of the order"),
        Column("gross_margin", NUM, meaning="fraction 0-1 of amount kept as gross profit"),
    ),
    rules=(
        RowRule(
            "gross_margin",
            "gross_margin < 0 OR gross_margin > 1",
            "is not a fraction between 0 and 1",
        ),
    ),
)

LEDGER = TableSpec(
    name="ledger",
    description="money by period",
    key=("entry_id",),
    span="date",
    columns=(
        Column("entry_id", TEXT, required=True, meaning="unique id"),
        Column("date", DATE, required=True, meaning="day the amount is booked on"),
        Column("kind", TEXT, required=True, allowed=LEDGER_KINDS),
        Column("amount", NUM, required=True),
    ),
)

AGENT_SHIFTS = TableSpec(
    name="agent_shifts",
    description="time agents were available for work",
    key=("agent_id", "start"),
    span="start",
    columns=(
        Column("agent_id", TEXT, required=True),
        Column("start", TS, required=True),
        Column("end", TS, required=True),
    ),
    rules=(
        RowRule("end", '"end" IS NOT NULL AND start IS NOT NULL AND "end" <= start', "is not after start"),
    ),
)

QUALITY_REVIEWS = TableSpec(
    name="quality_reviews",
    description="internal quality (IQS) scores, one row per criterion scored",
    key=("review_id", "criterion"),
    span="reviewed_at",
    columns=(
        Column("review_id", TEXT, required=True, meaning="one review = several rows"),
        Column("ticket_id", TEXT),
        Column("agent_id", TEXT),
        Column("reviewed_at", TS, required=True),
        Column("criterion", TEXT, required=True, meaning="tone, accuracy, response time, ..."),
        Column("score", NUM, required=True),
        Column("max_score", NUM, required=True),
        Column("weight", NUM, meaning="default 1"),
    ),
    rules=(
        RowRule("max_score", "max_score <= 0", "is not positive"),
        RowRule("score", "score < 0 OR score > max_score", "is outside 0..max_score"),
        _not_negative("weight"),
    ),
)

FEEDBACK = TableSpec(
    name="feedback",
    description="customer feedback items and social media mentions",
    key=("feedback_id",),
    span="at",
    columns=(
        Column("feedback_id", TEXT, required=True, meaning="unique id"),
        Column("at", TS, required=True),
        Column("source", TEXT, lower=True, meaning="twitter, facebook, review site, form, ..."),
        Column("customer_id", TEXT),
        Column("text", TEXT),
        Column("responded_at", TS, meaning="when the company answered it"),
    ),
    rules=(_after("responded_at", "at"),),
)

ENGAGEMENT = TableSpec(
    name="engagement",
    description="customer interactions with the brand",
    key=("customer_id", "at", "kind"),
    span="at",
    columns=(
        Column("customer_id", TEXT, required=True),
        Column("at", TS, required=True),
        Column("kind", TEXT, required=True, lower=True, meaning="visit, login, loyalty, ..."),
        Column("value", NUM),
    ),
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TICKETS,
        TICKET_EVENTS,
        CALLS,
        SURVEYS,
        CUSTOMERS,
        ORDERS,
        LEDGER,
        AGENT_SHIFTS,
        QUALITY_REVIEWS,
        FEEDBACK,
        ENGAGEMENT,
    )
}


def table_spec(name: str) -> TableSpec:
    """The spec of a canonical table, or a UserError listing the valid names."""
    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTableError(
            f"unknown table {name!r}; canonical tables are: {', '.join(TABLES)}"
        ) from None
