"""Snapshot metrics follow the status history (UTC; the month ends at 00:00 of the 1st)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from supportmetrics import Workspace

TICKETS = [
    # A: solved 2025-10-05, reopened 2025-11-03, still open; answered on 2025-10-02
    ("A", "2025-10-01 09:00", "open", None),
    # B: created 12 h before the end of October, never answered
    ("B", "2025-10-31 12:00", "new", None),
    # C: no events; solved on 2025-11-10 according to its own row, never answered
    ("C", "2025-10-20 09:00", "solved", "2025-11-10 09:00"),
]
EVENTS = [
    ("a1", "A", "2025-10-01 09:00", "customer_message", None),
    ("a2", "A", "2025-10-02 09:00", "agent_reply", None),
    ("a3", "A", "2025-10-05 09:00", "status_change", "solved"),
    ("a4", "A", "2025-11-03 10:00", "status_change", "open"),
    ("b1", "B", "2025-10-31 12:00", "customer_message", None),
]


def test_open_tickets_and_backlog_follow_reopens(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws")
    tickets = pd.DataFrame(TICKETS, columns=["ticket_id", "created_at", "status", "resolved_at"])
    events = pd.DataFrame(EVENTS, columns=["event_id", "ticket_id", "at", "kind", "status"])
    assert ws.ingest_frame("tickets", tickets).ok and ws.ingest_frame("ticket_events", events).ok

    def values(metric: str) -> list[float]:
        frame = ws.metric(metric, start="2025-10-01", end="2025-12-01")
        return frame["value"].tolist()

    # end of October: B and C open (A was solved); only C is older than 24 h and unanswered
    # end of November: A (reopened) and B open (C solved), both older than 24 h; B unanswered
    assert values("open_tickets") == [2.0, 2.0]
    assert values("backlog") == [1.0, 2.0]
    assert values("backlog_unanswered") == [1.0, 1.0]
    ws.close()
