"""A small workspace for the alert tests (Europe/Zagreb, mon-fri 09:00-17:00, a holiday).

Late October 2025: Friday the 24th is summer time (CEST, UTC+2); the clocks go back on Sunday
the 26th (CET, UTC+1); Monday the 27th is a holiday of this workspace; Tuesday the 28th is open.

SLA tickets (first-response targets: urgent 60 min, high 240 min, normal 480 min; resolution:
urgent 8 h, high 24 h, normal 72 h, on the business clock):

* S1 urgent, created Fri 24 16:30 CEST, no reply: 30 business minutes on Friday, then Monday
  is closed, so its first-response target falls due on Tue 28 at 09:30 CET (08:30 UTC).
* S2 normal, created Fri 24 09:00 CEST, no reply: 480 business minutes by Fri 17:00, so its
  first-response target was breached at Fri 24 17:00; it is breached, never "at risk".
* S3 high, created Tue 28 09:00 CET, no reply: due at Tue 28 13:00 CET.
* S4 urgent, created Tue 28 09:00 CET, replied at 09:05 (first response met), not solved:
  its resolution target (8 h) falls due at Tue 28 17:00 CET.

Volume tickets V* (created in the weeks of September and October, category "billing" or
"delivery") give the ticket volume, the spike and the change rules their numbers; each test
states the counts it relies on.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from supportmetrics import Workspace

SETTINGS = """\
timezone = "Europe/Zagreb"

[business_hours]
holidays = ["2025-10-27"]

[sla.first_response_minutes]
urgent = 60
high = 240
normal = 480

[sla.resolution_hours]
urgent = 8
high = 24
normal = 72

[targets]
ticket_volume = [0, 10]
"""

#: S* tickets: id, created, priority, first response or None (local times: the files give no
#: offset, so they are read in the workspace zone)
SLA_TICKETS = [
    ("S1", "2025-10-24 16:30", "urgent", None),
    ("S2", "2025-10-24 09:00", "normal", None),
    ("S3", "2025-10-28 09:00", "high", None),
    ("S4", "2025-10-28 09:00", "urgent", "2025-10-28 09:05"),
]

#: tickets per week (Monday, local) in the two categories: the first eight weeks are quiet
#: (2 billing, 1 delivery each), the week of Oct 20 has 9 billing and 1 delivery
WEEKS = [(date(2025, 8, 25) + timedelta(weeks=i), 2, 1) for i in range(8)] + [
    (date(2025, 10, 20), 9, 1),
]


def volume_rows() -> list[tuple[str, str, str]]:
    """(ticket id, created, category) of the V* tickets: Tuesdays 10:00 local time."""
    rows = []
    for monday, billing, delivery in WEEKS:
        day = (monday + timedelta(days=1)).isoformat()
        rows += [(f"V{monday:%m%d}b{i}", f"{day} 10:00", "billing") for i in range(billing)]
        rows += [(f"V{monday:%m%d}d{i}", f"{day} 10:00", "delivery") for i in range(delivery)]
    return rows


def build(directory: Path, extra_settings: str = "") -> Path:
    """Write the workspace into ``directory`` (closed again) and return the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "supportmetrics.toml").write_text(SETTINGS + extra_settings, encoding="utf-8")
    tickets = []
    events = []
    for ticket_id, created, priority, replied in SLA_TICKETS:
        tickets.append((ticket_id, created, "email", "sla", priority, "C1", "a1", "tier1",
                        "open", replied, None))
        events.append((f"{ticket_id}-m", ticket_id, created, "customer_message", "C1"))
        if replied:
            events.append((f"{ticket_id}-r", ticket_id, replied, "agent_reply", "a1"))
    for ticket_id, created, category in volume_rows():
        solved = (pd.Timestamp(created) + pd.Timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
        tickets.append((ticket_id, created, "web", category, "low", "C2", "a2", "tier1",
                        "solved", solved, solved))
        events.append((f"{ticket_id}-m", ticket_id, created, "customer_message", "C2"))
        events.append((f"{ticket_id}-r", ticket_id, solved, "agent_reply", "a2"))
    frame = pd.DataFrame(tickets, columns=["ticket_id", "created_at", "channel", "category",
                                           "priority", "customer_id", "agent_id", "team",
                                           "status", "first_response_at", "resolved_at"])
    event_frame = pd.DataFrame(events, columns=["event_id", "ticket_id", "at", "kind",
                                                "actor_id"])
    with Workspace.open(directory) as ws:
        for name, data in (("tickets", frame), ("ticket_events", event_frame)):
            result = ws.ingest_frame(name, data.astype(object).where(data.notna(), None),
                                     label=name, refresh=False)
            assert result.ok, [str(r) for r in result.rejects]
        ws.refresh()
    return directory
