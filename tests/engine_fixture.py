"""A tiny hand-made workspace (UTC, default business hours mon-fri 09:00-17:00).

October 2025: the 1st is a Wednesday; Fri 3, Mon 6, Tue 7. Every expected value in
tests/test_metrics.py is worked out by hand from these rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from supportmetrics import Workspace
from supportmetrics.schema import TABLES

SETTINGS = """\
timezone = "UTC"
[sla.first_response_minutes]
urgent = 60
high = 240
normal = 480
low = 1440
[sla.resolution_hours]
urgent = 8
high = 24
normal = 72
low = 120
"""

TICKETS = [
    # id, created_at, channel, category, priority, customer, agent, team, status, complaint,
    # first_response_at, resolved_at, handle_seconds
    ("T1", "2025-10-01 09:00", "email", "technical", "high", "C1", "a1", "tier1", "closed", None, None, None, None),
    ("T2", "2025-10-01 10:00", "chat", "returns", "normal", "C2", "a2", "tier1", "solved", None, None, None, None),
    ("T3", "2025-10-02 09:00", "email", "technical", "urgent", "C1", "a3", "tier2", "solved", None, None, None, None),
    ("T4", "2025-10-03 18:00", "web", "delivery", "low", "C3", "a2", "tier1", "solved", None, None, None, None),
    ("T5", "2025-10-03 12:00", "email", "technical", "normal", "C4", "a1", "tier1", "open", None, None, None, None),
    ("T6", "2025-10-06 08:00", "phone", "complaint", "high", "C2", "a3", "tier2", "solved", None,
     "2025-10-06 08:30", "2025-10-06 16:00", 600.0),
    ("T7", "2025-10-07 09:00", "chat", "technical", "normal", "C5", "a2", "tier1", "pending", None, None, None, None),
    ("T8", "2025-11-03 09:00", "email", "returns", "normal", "C1", "a1", "tier1", "solved", None, None, None, None),
]

#: support levels of T3's assignments: a1 on the first line, then a3 on the second
LEVELS = {"e16": ("tier1", "1"), "e19": ("tier2", "2")}

EVENTS = [
    # id, ticket, at, kind, actor, status
    ("e1", "T1", "2025-10-01 09:00", "customer_message", "C1", None),
    ("e2", "T1", "2025-10-01 09:00:05", "auto_reply", None, None),
    ("e3", "T1", "2025-10-01 09:01", "bot_reply", None, None),
    ("e4", "T1", "2025-10-01 09:10", "internal_note", "a1", None),
    ("e5", "T1", "2025-10-01 09:30", "agent_reply", "a1", None),
    ("e6", "T1", "2025-10-01 10:00", "status_change", None, "solved"),
    ("e7", "T1", "2025-10-05 10:00", "status_change", None, "closed"),
    ("e8", "T2", "2025-10-01 10:00", "customer_message", "C2", None),
    ("e9", "T2", "2025-10-01 10:05", "customer_message", "C2", None),
    ("e10", "T2", "2025-10-01 10:20", "agent_reply", "a2", None),
    ("e11", "T2", "2025-10-01 10:30", "status_change", None, "solved"),
    ("e12", "T2", "2025-10-01 12:00", "customer_message", "C2", None),
    ("e13", "T2", "2025-10-01 12:00", "status_change", None, "open"),
    ("e14", "T2", "2025-10-01 12:05", "status_change", None, "solved"),
    ("e15", "T3", "2025-10-02 09:00", "customer_message", "C1", None),
    ("e16", "T3", "2025-10-02 09:01", "assignment", "a1", None),
    ("e17", "T3", "2025-10-02 09:30", "agent_reply", "a1", None),
    ("e18", "T3", "2025-10-02 10:00", "customer_message", "C1", None),
    ("e19", "T3", "2025-10-02 10:10", "assignment", "a3", None),
    ("e20", "T3", "2025-10-02 11:00", "agent_reply", "a3", None),
    ("e21", "T3", "2025-10-02 11:30", "status_change", None, "solved"),
    ("e22", "T4", "2025-10-03 18:00", "customer_message", "C3", None),
    ("e23", "T4", "2025-10-06 09:30", "agent_reply", "a2", None),
    ("e24", "T4", "2025-10-06 09:31", "status_change", None, "pending"),
    ("e25", "T4", "2025-10-07 10:00", "status_change", None, "solved"),
    ("e26", "T5", "2025-10-03 12:00", "customer_message", "C4", None),
    ("e27", "T7", "2025-10-07 09:00", "customer_message", "C5", None),
    ("e28", "T7", "2025-10-07 09:05", "agent_reply", "a2", None),
    ("e29", "T7", "2025-10-07 09:06", "status_change", None, "pending"),
    ("e30", "T8", "2025-11-03 09:00", "customer_message", "C1", None),
    ("e31", "T8", "2025-11-03 09:10", "agent_reply", "a1", None),
    ("e32", "T8", "2025-11-03 09:20", "status_change", None, "solved"),
]

CALLS = [
    # id, queued, outcome, answered, ended, agent, queue, talk, hold, wrap
    ("K1", "2025-10-01 10:00:00", "answered", "2025-10-01 10:00:15", "2025-10-01 10:05:15", "a1", "support", 240, 30, 60),
    ("K2", "2025-10-01 11:00:00", "answered", "2025-10-01 11:00:40", "2025-10-01 11:10:00", "a2", "support", 500, 0, 100),
    ("K3", "2025-10-01 12:00:00", "abandoned", None, "2025-10-01 12:00:03", None, "support", None, None, None),
    ("K4", "2025-10-02 09:00:00", "abandoned", None, "2025-10-02 09:01:00", None, "support", None, None, None),
    ("K5", "2025-10-02 10:00:00", "blocked", None, None, None, "support", None, None, None),
    ("K6", "2025-10-02 11:00:00", "answered", "2025-10-02 11:00:20", "2025-10-02 11:03:00", "a1", "support", 120, 20, 40),
]

SURVEYS = [
    # id, survey, sent, responded, score, agent, comment
    ("S1", "csat", "2025-10-01 12:00", "2025-10-01 13:00", 5, "a1", "Great help"),
    ("S2", "csat", "2025-10-01 12:00", "2025-10-02 08:00", 4, "a2", ""),
    ("S3", "csat", "2025-10-02 12:00", "2025-10-02 13:00", 3, "a2", "slow"),
    ("S4", "csat", "2025-10-03 12:00", None, None, "a1", None),
    ("S5", "nps", "2025-10-01 12:00", "2025-10-02 09:00", 10, "a1", None),
    ("S6", "nps", "2025-10-01 12:00", "2025-10-02 09:00", 9, "a2", None),
    ("S7", "nps", "2025-10-01 12:00", "2025-10-02 09:00", 7, "a2", None),
    ("S8", "nps", "2025-10-01 12:00", "2025-10-02 09:00", 3, "a3", None),
    ("S9", "nps", "2025-10-01 12:00", None, None, "a3", None),
    ("S10", "ces", "2025-10-01 12:00", "2025-10-03 09:00", 6, "a1", None),
    ("S11", "ces", "2025-10-01 12:00", "2025-10-03 09:00", 2, "a2", None),
    ("S12", "happiness", "2025-10-01 12:00", "2025-10-04 09:00", 3, "a1", None),
    ("S13", "happiness", "2025-10-01 12:00", "2025-10-04 09:00", 1, "a2", None),
    ("S14", "happiness", "2025-10-01 12:00", "2025-10-04 09:00", 2, "a3", None),
]

CUSTOMERS = [
    # id, signup, churned, acquisition_channel, referred_by, segment
    ("U1", "2024-01-01", None, "organic", None, "smb"),
    ("U2", "2024-06-01", "2025-10-15", "ads", None, "smb"),
    ("U3", "2025-10-10", "2025-10-20", "ads", None, "smb"),
    ("U4", "2025-09-01", "2025-11-05", "organic", None, "enterprise"),
    ("U5", "2025-10-05", None, "referral", "U1", "smb"),
]

ORDERS = [
    ("O1", "U1", "2025-10-02 10:00", 100.0, 0.5),
    ("O2", "U1", "2025-10-10 10:00", 50.0, 0.4),
    ("O3", "U5", "2025-10-20 10:00", 150.0, 0.5),
]

LEDGER = [
    ("L1", "2025-10-31", "support_cost", 700.0),
    ("L2", "2025-10-01", "revenue", 10000.0),
    ("L3", "2025-10-15", "sales_cost", 300.0),
    ("L4", "2025-10-15", "marketing_cost", 200.0),
]

SHIFTS = [
    ("a1", "2025-10-01 09:00", "2025-10-01 17:00"),
    ("a1", "2025-10-02 09:00", "2025-10-02 17:00"),
]

REVIEWS = [
    ("R1", "T1", "a1", "2025-10-05 10:00", "tone", 4, 5, 2),
    ("R1", "T1", "a1", "2025-10-05 10:00", "accuracy", 3, 5, 1),
    ("R2", "T2", "a2", "2025-10-06 10:00", "tone", 5, 5, 1),
]

FEEDBACK = [
    ("F1", "2025-10-01 10:00", "twitter", "U1", "love it", "2025-10-01 11:00"),
    ("F2", "2025-10-02 10:00", "twitter", "U2", "meh", None),
    ("F3", "2025-10-02 11:00", "email", "U4", "question", "2025-10-03 09:00"),
]

ENGAGEMENT = [
    ("U1", "2025-10-02 10:00", "visit", 1.0),
    ("U1", "2025-10-03 10:00", "login", 1.0),
    ("U5", "2025-10-06 10:00", "visit", 1.0),
    ("U4", "2025-10-07 10:00", "visit", 1.0),
]


def _frame(rows: list[tuple[object, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns).astype(object).where(lambda f: f.notna(), None)


def build(
    directory: Path, settings: str = SETTINGS, extra: dict[str, list[str]] | None = None
) -> Workspace:
    """The workspace of these rows; ``extra`` adds to every table's file one column per name,
    each row's value taken in turn from the name's list (e.g. ``{"reopens": ["v1", "v2"]}``).
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "supportmetrics.toml").write_text(settings, encoding="utf-8")
    ws = Workspace.open(directory)
    loads = {
        "tickets": _frame(TICKETS, ["ticket_id", "created_at", "channel", "category", "priority",
                                    "customer_id", "agent_id", "team", "status", "is_complaint",
                                    "first_response_at", "resolved_at", "handle_seconds"]),
        "ticket_events": _frame(EVENTS, ["event_id", "ticket_id", "at", "kind", "actor_id", "status"]),
        "calls": _frame(CALLS, ["call_id", "queued_at", "outcome", "answered_at", "ended_at",
                                "agent_id", "queue", "talk_seconds", "hold_seconds", "wrap_seconds"]),
        "surveys": _frame(SURVEYS, ["response_id", "survey", "sent_at", "responded_at", "score",
                                    "agent_id", "comment"]),
        "customers": _frame(CUSTOMERS, ["customer_id", "signup_at", "churned_at",
                                        "acquisition_channel", "referred_by", "segment"]),
        "orders": _frame(ORDERS, ["order_id", "customer_id", "at", "amount", "gross_margin"]),
        "ledger": _frame(LEDGER, ["entry_id", "date", "kind", "amount"]),
        "agent_shifts": _frame(SHIFTS, ["agent_id", "start", "end"]),
        "quality_reviews": _frame(REVIEWS, ["review_id", "ticket_id", "agent_id", "reviewed_at",
                                            "criterion", "score", "max_score", "weight"]),
        "feedback": _frame(FEEDBACK, ["feedback_id", "at", "source", "customer_id", "text",
                                      "responded_at"]),
        "engagement": _frame(ENGAGEMENT, ["customer_id", "at", "kind", "value"]),
    }
    events = loads["ticket_events"]
    for column, index in (("team", 0), ("level", 1)):
        events[column] = pd.Series([LEVELS.get(e, (None, None))[index] for e in events.event_id],
                                   dtype=object)
    for name, frame in loads.items():
        for column, cycle in (extra or {}).items():
            if column not in TABLES[name].column_names:
                frame[column] = [cycle[i % len(cycle)] for i in range(len(frame))]
        result = ws.ingest_frame(name, frame.astype(str).replace({"None": None}), label=name,
                                 refresh=False)
        assert result.ok, [str(r) for r in result.rejects]
    ws.refresh()  # once, after every table is in (as the demo build does)
    return ws


def with_text_reopens(ws: Workspace, values: dict[str, str]) -> None:
    """Give ``ws`` the tickets table an earlier version left after loading an export with a
    ``Reopens`` column: no helpdesk-figure columns, and ``reopens`` a text attribute column
    holding ``values`` (ticket id -> text)."""
    for name in ("first_response_seconds", "resolution_seconds", "reopens", "replies"):
        ws.con.execute(f"ALTER TABLE tickets DROP COLUMN {name}")
    ws.con.execute("ALTER TABLE tickets ADD COLUMN reopens VARCHAR")
    for ticket, text in values.items():
        ws.con.execute("UPDATE tickets SET reopens = ? WHERE ticket_id = ?", [text, ticket])
