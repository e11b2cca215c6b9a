"""Periods and the business clock in a zone other than UTC: DST, weekends, holidays, teams.

Europe/Zagreb is UTC+1 in winter and UTC+2 from Sunday 2025-03-30 03:00 (02:00 -> 03:00 local).
Croatian public holidays (holidays package, country HR): 2025-12-25 and 2025-12-26; 2025-12-24 is
configured as an extra closed day. Business hours mon-fri 09:00-17:00, tier2 10:00-12:00 only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from supportmetrics import Workspace

SETTINGS = """\
timezone = "Europe/Zagreb"
[business_hours]
country = "HR"
holidays = ["2025-12-24"]
[business_hours.teams.tier2]
mon = "10:00-12:00"
tue = "10:00-12:00"
wed = "10:00-12:00"
thu = "10:00-12:00"
fri = "10:00-12:00"
"""

TICKETS = [
    # Tue 2025-12-23 16:00 local -> Mon 2025-12-29 09:30 local: Tue 1 h; Wed 24 (configured),
    # Thu 25, Fri 26 (HR holidays) and the weekend closed; Mon 30 min -> 5400 business seconds;
    # calendar 5 days 17.5 h = 495000 s
    ("Z1", "2025-12-23T16:00:00+01:00", "2025-12-29T09:30:00+01:00", "tier1"),
    # Fri 2025-03-28 16:00 CET (15:00 UTC) -> Mon 2025-03-31 10:00 CEST (08:00 UTC):
    # business Fri 1 h + Mon 1 h = 7200; calendar 65 h = 234000 s (one hour lost to DST)
    ("Z2", "2025-03-28T16:00:00+01:00", "2025-03-31T10:00:00+02:00", "tier1"),
    # tier2 (10:00-12:00): nothing on Friday after 16:00; Mon 10:00 -> 11:30 = 5400
    ("Z3", "2025-03-28T16:00:00+01:00", "2025-03-31T11:30:00+02:00", "tier2"),
    # Sunday 2025-03-30 23:30 local (21:30 UTC) is in the ISO week of Monday 2025-03-24
    ("Z4", "2025-03-30T21:30:00Z", None, "tier1"),
    # Monday 2025-03-31 00:30 local (2025-03-30 22:30 UTC) starts the week of 2025-03-31
    ("Z5", "2025-03-30T22:30:00Z", None, "tier1"),
    # 2025-10-31 23:30 UTC is 2025-11-01 00:30 local: a November ticket
    ("Z6", "2025-10-31T23:30:00Z", None, "tier1"),
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    directory = tmp_path_factory.mktemp("zones") / "ws"
    directory.mkdir()
    (directory / "supportmetrics.toml").write_text(SETTINGS, encoding="utf-8")
    workspace = Workspace.open(directory)
    frame = pd.DataFrame(
        [(t, c, r, team, "open") for t, c, r, team in TICKETS],
        columns=["ticket_id", "created_at", "first_response_at", "team", "status"],
    )
    assert workspace.ingest_frame("tickets", frame).ok
    yield workspace
    workspace.close()


def _frt(ws: Workspace, ticket: str, clock: str) -> float:
    frame = ws.metric("first_response_time", grain="range", start="2025-01-01", end="2026-01-01",
                      where={"ticket_id": ticket}, clock=clock)
    return float(frame["value"].iloc[0])


def test_holidays_and_weekend_on_the_business_clock(ws: Workspace) -> None:
    assert _frt(ws, "Z1", "business") == 5400.0
    assert _frt(ws, "Z1", "calendar") == 495000.0


def test_dst_change(ws: Workspace) -> None:
    assert _frt(ws, "Z2", "business") == 7200.0
    assert _frt(ws, "Z2", "calendar") == 234000.0


def test_team_calendar(ws: Workspace) -> None:
    # tier2 opens 10:00-12:00: Mon 10:00 -> 11:30 = 5400
    assert _frt(ws, "Z3", "business") == 5400.0


def test_iso_weeks_in_local_time(ws: Workspace) -> None:
    frame = ws.metric("ticket_volume", grain="week", start="2025-03-24", end="2025-04-07")
    assert frame[["period", "value"]].values.tolist() == [
        ["2025-03-24", 3.0],  # Z2, Z3 (Fri 28) and Z4 (Sunday 23:30 local)
        ["2025-03-31", 1.0],  # Z5 (Monday 00:30 local)
    ]


def test_months_in_local_time(ws: Workspace) -> None:
    frame = ws.metric("ticket_volume", grain="month", start="2025-10-01", end="2025-12-01")
    assert frame[["period", "value"]].values.tolist() == [["2025-10-01", 0.0], ["2025-11-01", 1.0]]
