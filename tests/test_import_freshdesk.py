"""``import freshdesk``: the API's JSON lists and the CSV export, end to end (UTC workspace).

Fixtures: tests/fixtures/freshdesk (sources cited in its README); every expected value is worked
out by hand below.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from import_fixture import FIXTURES, monthly, workspace

from supportmetrics import Workspace
from supportmetrics.cli import main

FILES = sorted(str(p) for p in (FIXTURES / "freshdesk").glob("*.json"))
OCT, NOV = "2025-10-01", "2025-11-01"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = workspace(tmp_path_factory.mktemp("freshdesk"))
    assert main(["-w", str(directory), "import", "freshdesk", *FILES]) == 0
    yield directory


def test_monthly_metrics_equal_hand_computed(imported: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert monthly(imported, capsys) == {
        # ticket 1 09:00: Freddy's 09:10 reply is a bot's, Mia's 10:00 counts: 3600;
        # ticket 2 08:00 -> 09:30: 5400. (3600 + 5400) / 2 = 4500. November: ticket 4
        # 12:00 -> 12:20 = 1200; ticket 3 is unanswered.
        ("first_response_time", OCT): (4500.0, 2),
        ("first_response_time", NOV): (1200.0, 1),
        # ticket 1 resolved 13:00 (closed two days later is no new solve): 14400; ticket 2
        # reopened, resolved 23 Oct 08:00: 3 days = 259200. (14400 + 259200) / 2 = 136800.
        # November: ticket 4 12:00 -> 14:00 = 7200.
        ("resolution_time", OCT): (136800.0, 2),
        ("resolution_time", NOV): (7200.0, 1),
        # 103 -> 7 and 102 -> 6 of 1-7 are satisfied ((7-1)/6, (6-1)/6 >= 0.75), -101 -> 3 is
        # not: October 1 of 2 = 50 %, November 1 of 1
        ("csat", OCT): (50.0, 2),
        ("csat", NOV): (100.0, 1),
    }


def test_conversations_tell_bots_notes_and_customers_apart(imported: Path) -> None:
    with Workspace.open(imported, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT event_id, kind, actor_id, status FROM ticket_events WHERE ticket_id IN "
            "('1', '2') ORDER BY \"at\", event_id").fetchall()
    assert rows == [
        ("1-description", "customer_message", "501", None), ("101", "bot_reply", "99", None),
        ("102", "agent_reply", "11", None), ("1-resolved_at", "status_change", None, "solved"),
        ("1-closed_at", "status_change", None, "closed"),
        ("2-description", "customer_message", "502", None), ("201", "agent_reply", "12", None),
        ("202", "internal_note", "11", None), ("203", "customer_message", "502", None),
        ("2-reopened_at", "status_change", None, "open"), ("204", "agent_reply", "12", None),
        ("2-resolved_at", "status_change", None, "solved"),
    ]


def test_check_names_the_bot_reply_freshdesk_counted(imported: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    tickets = [f for f in FILES if f.endswith(("tickets.json", "agents.json", "groups.json"))]
    assert main(["-w", str(imported), "import", "freshdesk", *tickets, "--check"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    # first_responded_at: ticket 1 09:10 (the bot; the engine: 10:00), 2 and 4 agree
    assert "first reply time: 2 of 3 tickets agree (67 %)" in out
    # resolved_at - created_at: 240, 4320 and 120 minutes, as the events give
    assert "resolution time: 3 of 3 tickets agree (100 %)" in out
    assert "│ 1 │ first reply time │ 10 │ 60 │ the source's first reply is 50 min earlier" in out


def test_a_custom_status_is_named_with_the_option_that_maps_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    custom = tmp_path / "custom.json"
    custom.write_text('[{"id": 9, "status": 12, "requester_id": 1, '
                      '"created_at": "2025-10-01T00:00:00Z"}]', encoding="utf-8")
    directory = workspace(tmp_path)
    assert main(["-w", str(directory), "import", "freshdesk", str(custom)]) == 3
    assert ("custom.json row 1: status '12' ticket 9: a custom status: say what it is with "
            "--option status.12=open|pending|on_hold|solved|closed") in capsys.readouterr().err
    assert main(["-w", str(directory), "import", "freshdesk", str(custom),
                 "--option", "status.12=pending"]) == 0
    with Workspace.open(directory, read_only=True) as ws:
        assert ws.con.execute("SELECT status FROM tickets").fetchall() == [("pending",)]
    # the CSV ticket export, without a mapping: its hours become seconds, its words canonical
    example = Path(__file__).resolve().parents[1] / "examples" / "freshdesk" / "tickets.csv"
    assert main(["-w", str(directory), "import", "freshdesk", str(example)]) == 0
    with Workspace.open(directory, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT ticket_id, status, priority, channel, agent_id, team, "
            "first_response_seconds, resolution_seconds, replies FROM tickets "
            "WHERE ticket_id <> '9' ORDER BY ticket_id").fetchall()
    assert rows == [
        # 0.5 h = 1800 s, 2.25 h = 8100 s; 2.25 h = 8100 s, 26 h = 93600 s; 1 h = 3600 s
        ("201", "closed", "normal", "email", "Mia Lang", "Orders", 1800.0, 8100.0, 1.0),
        ("202", "solved", "high", "web", "Noah Falk", "Returns", 8100.0, 93600.0, 3.0),
        ("203", "open", "low", "chat", "Mia Lang", "Orders", 3600.0, None, 1.0),
    ]
