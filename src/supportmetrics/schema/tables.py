"""The canonical tables declared once (docs/data.md is generated from them).

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
    """A rule over several columns of one row; ``broken_when`` is a SQL predicate.

    ``compares`` names the columns whose order the rule checks (a reason can then tell when a
    local time read in a repeated hour may be why the order is broken).
    """

    column: str
    broken_when: str
    reason: str
    compares: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    span: str
    description: str
    rules: tuple[RowRule, ...] = ()
    notes: str = ""

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
        compares=(later, earlier),
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
        Column(
            "category", TEXT,
            meaning="e.g. sales question, technical, cancellation, returns, delivery, product "
            "availability",
        ),
        Column("priority", TEXT, allowed=PRIORITIES, meaning="low, normal, high, urgent"),
        Column("customer_id", TEXT, meaning="who asked"),
        Column("agent_id", TEXT, meaning="current or last assignee"),
        Column("team", TEXT, meaning="group / queue"),
        Column("status", TEXT, allowed=TICKET_STATUSES, meaning="current status"),
        Column("is_complaint", BOOL, meaning="complaint or escalation"),
        Column("first_response_at", TS, meaning="used only when no events exist for the ticket"),
        Column(
            "resolved_at", TS, meaning="last time it became solved; used only when no events exist"
        ),
        Column(
            "handle_seconds", NUM, meaning="agent work time spent on the case, if the source tracks it"
        ),
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
    notes="When events exist for a ticket they are the truth: first response, every reply "
    "interval, solved and reopened times, touches and handoffs are derived from them.",
    key=("event_id",),
    span="at",
    columns=(
        Column("event_id", TEXT, required=True, meaning="unique id"),
        Column("ticket_id", TEXT, required=True, meaning="must exist in tickets"),
        Column("at", TS, required=True, meaning="when it happened"),
        Column("kind", TEXT, required=True, allowed=EVENT_KINDS, meaning="what happened"),
        Column(
            "actor_id", TEXT,
            meaning="agent id for agent actions, customer id for customer messages",
        ),
        Column("status", TEXT, allowed=TICKET_STATUSES, meaning="new status, for status_change"),
        Column(
            "team", TEXT,
            meaning="group / queue the ticket was assigned to, for assignment",
        ),
        Column(
            "level", NUM,
            meaning="support level (tier) of the assignment: 1 = first level, 2 = second, ...; "
            "escalation_rate and first_level_resolution read it",
        ),
    ),
    rules=(
        RowRule(
            "status",
            "kind = 'status_change' AND status IS NULL",
            "is empty (required when kind is status_change)",
        ),
        RowRule(
            "level",
            "level IS NOT NULL AND (level < 1 OR level <> floor(level))",
            "is not a whole number from 1 (levels count up from 1, the first level)",
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
        Column(
            "outcome", TEXT, required=True, allowed=CALL_OUTCOMES,
            meaning="answered, abandoned (caller hung up while waiting), blocked (refused: no free "
            "line or agent, or a network fault)",
        ),
        Column("answered_at", TS, meaning="required when answered"),
        Column("ended_at", TS, meaning="end of call, or when the caller hung up"),
        Column("agent_id", TEXT, meaning="agent who answered"),
        Column("queue", TEXT, meaning="queue the call waited in"),
        Column("channel", TEXT, lower=True, meaning="voice, chat, ..."),
        Column("talk_seconds", NUM, meaning="handle time part: talking"),
        Column("hold_seconds", NUM, meaning="handle time part: caller on hold"),
        Column("wrap_seconds", NUM, meaning="handle time part: after-call work"),
        Column("customer_id", TEXT, meaning="who called"),
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
        Column(
            "survey", TEXT, required=True, lower=True,
            meaning="csat, nps, ces, happiness (or any name with a declared scale)",
        ),
        Column("sent_at", TS, meaning="when the survey was sent"),
        Column("responded_at", TS, meaning="required when score is present"),
        Column("score", NUM, meaning="within the scale"),
        Column("scale_min", NUM, meaning="default per survey"),
        Column("scale_max", NUM, meaning="default per survey"),
        Column("ticket_id", TEXT, meaning="ticket the survey was about"),
        Column("agent_id", TEXT, meaning="agent the survey was about"),
        Column("customer_id", TEXT, meaning="who answered"),
        Column("channel", TEXT, lower=True, meaning="channel of the conversation"),
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
        Column(
            "acquisition_channel", TEXT, lower=True,
            meaning="referral, ads, organic, ...; referral marks referral-programme customers",
        ),
        Column("referred_by", TEXT, meaning="referring customer id"),
        Column("segment", TEXT, meaning="a dimension"),
        Column("plan", TEXT, meaning="a dimension"),
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
        Column("customer_id", TEXT, required=True, meaning="who bought"),
        Column("at", TS, required=True, meaning="when the order was placed"),
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
        Column("kind", TEXT, required=True, allowed=LEDGER_KINDS, meaning="what the money is"),
        Column("amount", NUM, required=True, meaning="in the workspace currency"),
    ),
)

AGENT_SHIFTS = TableSpec(
    name="agent_shifts",
    description="time agents were available for work",
    key=("agent_id", "start"),
    span="start",
    columns=(
        Column("agent_id", TEXT, required=True, meaning="who was available"),
        Column("start", TS, required=True, meaning="start of the shift"),
        Column("end", TS, required=True, meaning="end of the shift"),
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
        Column("ticket_id", TEXT, meaning="ticket reviewed"),
        Column("agent_id", TEXT, meaning="agent reviewed"),
        Column("reviewed_at", TS, required=True, meaning="when the review was made"),
        Column("criterion", TEXT, required=True, meaning="e.g. tone, accuracy, response time"),
        Column("score", NUM, required=True, meaning="points given, 0 to max_score"),
        Column("max_score", NUM, required=True, meaning="points possible for the criterion"),
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
        Column("at", TS, required=True, meaning="when it was received"),
        Column(
            "source", TEXT, lower=True, meaning="twitter, facebook, review site, form, email, ..."
        ),
        Column("customer_id", TEXT, meaning="who wrote it"),
        Column("text", TEXT, meaning="free text"),
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
        Column("customer_id", TEXT, required=True, meaning="who interacted"),
        Column("at", TS, required=True, meaning="when"),
        Column(
            "kind", TEXT, required=True, lower=True,
            meaning="visit, login, social_interaction, loyalty, training, ...",
        ),
        Column("value", NUM, meaning="amount of the interaction, if any"),
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
