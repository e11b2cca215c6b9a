"""``import helpscout``: conversations with threads, ratings and users, end to end (UTC).

Fixtures: tests/fixtures/helpscout (sources cited in its README); every expected value is worked
out by hand below.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from import_fixture import FIXTURES, monthly, workspace

from supportmetrics import Workspace
from supportmetrics.cli import main

FILES = sorted(str(p) for p in (FIXTURES / "helpscout").glob("*.json"))
OCT, NOV = "2025-10-01", "2025-11-01"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = workspace(tmp_path_factory.mktemp("helpscout"))
    # exit 3: the spam conversation is rejected with its reason
    assert main(["-w", str(directory), "import", "helpscout", *FILES]) == 3
    yield directory


def test_monthly_metrics_equal_hand_computed(imported: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert monthly(imported, capsys) == {
        # 1001 10:00: the workflow's 10:01 reply is no person's; Sofía 11:00: 3600.
        # 1002 14:00 -> Tom's chat 14:02: 120. (3600 + 120) / 2 = 1860. November: 1004
        # 15:00 -> 15:30 = 1800; 1003 is unanswered.
        ("first_response_time", OCT): (1860.0, 2),
        ("first_response_time", NOV): (1800.0, 1),
        # 1001 closed 12:00: 7200; 1002 closed 14:30, reopened by the customer 16 Oct 09:00,
        # closed again 10:00: 20 h = 72000. (7200 + 72000) / 2 = 39600. November: 1004 1800.
        ("resolution_time", OCT): (39600.0, 2),
        ("resolution_time", NOV): (1800.0, 1),
        # Great -> 3 of 1-3 is satisfied, Not Good (1) and Okay (2: (2-1)/2 = 0.5) are not
        ("csat", OCT): (50.0, 2),
        ("csat", NOV): (0.0, 1),
    }


def test_threads_replayed_oldest_first_with_status_changes(imported: Path) -> None:
    with Workspace.open(imported, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT event_id, kind, status FROM ticket_events WHERE ticket_id = '1002' "
            "ORDER BY \"at\", event_id").fetchall()
    assert rows == [
        ("90021", "customer_message", None), ("90022", "agent_reply", None),
        ("90023", "internal_note", None), ("90024-status", "status_change", "solved"),
        ("90025", "customer_message", None), ("90025-status", "status_change", "open"),
        ("90026", "agent_reply", None), ("90026-status", "status_change", "solved"),
    ]
    with Workspace.open(imported, read_only=True) as ws:
        kinds = ws.con.execute("SELECT kind FROM ticket_events WHERE event_id = '90012'")
        assert kinds.fetchall() == [("bot_reply",)]
        assert ws.con.execute("SELECT count(*) FROM tickets WHERE ticket_id = '1005'"
                              ).fetchall() == [(0,)]
