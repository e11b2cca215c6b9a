"""A small workspace for the dashboard tests, every expected value worked out by hand below.

UTC; default business hours (Mon-Fri 09:00-17:00). September and October 2025 (Oct 1st is a
Wednesday, Oct 6th a Monday). The last ticket is on Oct 8th, so the pages show October by default
(with the six months before it).

Tickets (first response / resolution, calendar clock):
  Sep: S1 30 min / 4 h, S2 10 min / 2 h, S3 60 min / 24 h, S4 20 min / 2 h
  Oct: T1 email technical normal a1 tier1  20 min / 4 h
       T2 chat returns high a2 tier1       5 min / 1 h
       T3 email technical normal a1 tier1  90 min / 24 h  (Thu 11:00 -> Fri 11:00)
       T4 chat billing high a2 tier1       40 min / 12 h  (Mon 09:00 -> 21:00)
       T5 email technical normal a3 tier2  60 min / open
       T6 phone billing normal a3 tier2    10 min / 2 h   (Wed 16:00 -> 18:00)
Surveys: csat Oct 5, 4, 2, 5 (a1, a2, a2, a3); Sep 3, 5; nps Oct 10, 9, 3.
Calls (Oct): answered after 10 s, 40 s and 5 s; one abandoned after 60 s.
One alert rule, csat_low (critical); no alert state is written here (the tests write it).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from supportmetrics import Workspace

SETTINGS = """\
timezone = "UTC"
[targets]
csat = 80
[sla.first_response_minutes]
high = 30
normal = 60
[sla.resolution_hours]
high = 8
normal = 24
[alerts.csat_low]
metric = "csat"
condition = "below"
value = 80
severity = "critical"
channels = ["ops"]
[notify.ops]
url = "json://localhost:9/hook"
"""

TICKET_COLUMNS = ["ticket_id", "created_at", "channel", "category", "priority", "agent_id",
                  "team", "status", "first_response_at", "resolved_at"]
TICKETS = [
    ("S1", "2025-09-02 10:00", "email", "technical", "normal", "a1", "tier1", "solved",
     "2025-09-02 10:30", "2025-09-02 14:00"),
    ("S2", "2025-09-10 09:00", "chat", "returns", "high", "a2", "tier1", "solved",
     "2025-09-10 09:10", "2025-09-10 11:00"),
    ("S3", "2025-09-15 12:00", "email", "billing", "normal", "a3", "tier2", "solved",
     "2025-09-15 13:00", "2025-09-16 12:00"),
    ("S4", "2025-09-22 08:00", "phone", "technical", "normal", "a1", "tier1", "solved",
     "2025-09-22 08:20", "2025-09-22 10:00"),
    ("T1", "2025-10-01 09:00", "email", "technical", "normal", "a1", "tier1", "solved",
     "2025-10-01 09:20", "2025-10-01 13:00"),
    ("T2", "2025-10-01 10:00", "chat", "returns", "high", "a2", "tier1", "solved",
     "2025-10-01 10:05", "2025-10-01 11:00"),
    ("T3", "2025-10-02 11:00", "email", "technical", "normal", "a1", "tier1", "solved",
     "2025-10-02 12:30", "2025-10-03 11:00"),
    ("T4", "2025-10-06 09:00", "chat", "billing", "high", "a2", "tier1", "solved",
     "2025-10-06 09:40", "2025-10-06 21:00"),
    ("T5", "2025-10-07 14:00", "email", "technical", "normal", "a3", "tier2", "open",
     "2025-10-07 15:00", None),
    ("T6", "2025-10-08 16:00", "phone", "billing", "normal", "a3", "tier2", "solved",
     "2025-10-08 16:10", "2025-10-08 18:00"),
]

SURVEY_COLUMNS = ["response_id", "survey", "sent_at", "responded_at", "score", "agent_id",
                  "channel", "comment"]
SURVEYS = [
    ("R1", "csat", "2025-10-01 13:00", "2025-10-01 14:00", "5", "a1", "email", "Great help"),
    ("R2", "csat", "2025-10-02 12:00", "2025-10-02 15:00", "4", "a2", "chat",
     "<b>quick</b> & kind"),
    ("R3", "csat", "2025-10-06 21:00", "2025-10-06 22:00", "2", "a2", "chat", "Took too long"),
    ("R4", "csat", "2025-10-08 18:00", "2025-10-08 19:00", "5", "a3", "phone", None),
    ("R5", "csat", "2025-09-03 10:00", "2025-09-03 11:00", "3", "a1", "email", None),
    ("R6", "csat", "2025-09-11 10:00", "2025-09-11 11:00", "5", "a2", "chat", None),
    ("R7", "nps", "2025-10-02 09:00", "2025-10-02 10:00", "10", "a1", "email", None),
    ("R8", "nps", "2025-10-03 09:00", "2025-10-03 10:00", "9", "a2", "chat", None),
    ("R9", "nps", "2025-10-04 09:00", "2025-10-04 10:00", "3", "a3", "phone", None),
]

CALL_COLUMNS = ["call_id", "queued_at", "outcome", "answered_at", "ended_at", "agent_id",
                "queue", "talk_seconds", "hold_seconds", "wrap_seconds"]
CALLS = [
    ("C1", "2025-10-01 09:00:00", "answered", "2025-10-01 09:00:10", "2025-10-01 09:05:10",
     "a1", "sales", "300", "0", "60"),
    ("C2", "2025-10-01 09:10:00", "answered", "2025-10-01 09:10:40", "2025-10-01 09:14:40",
     "a2", "sales", "240", "0", "0"),
    ("C3", "2025-10-02 10:00:00", "abandoned", None, "2025-10-02 10:01:00", None, "support",
     None, None, None),
    ("C4", "2025-10-06 11:00:00", "answered", "2025-10-06 11:00:05", "2025-10-06 11:10:05",
     "a3", "support", "600", "0", "0"),
]


def build(directory: Path) -> None:
    """Write the workspace into ``directory`` (closed afterwards: open it read-only)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "supportmetrics.toml").write_text(SETTINGS, encoding="utf-8")
    with Workspace.open(directory) as ws:
        for table, rows, columns in (("tickets", TICKETS, TICKET_COLUMNS),
                                     ("surveys", SURVEYS, SURVEY_COLUMNS),
                                     ("calls", CALLS, CALL_COLUMNS)):
            result = ws.ingest_frame(table, pd.DataFrame(rows, columns=columns), label=table,
                                     refresh=False)
            assert result.ok, [str(r) for r in result.rejects]
        ws.refresh()
