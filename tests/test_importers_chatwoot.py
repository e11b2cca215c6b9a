"""Chatwoot importer: the fixture of tests/fixtures/sources/chatwoot, values worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from imported import FIXTURES, load, monthly

from supportmetrics import Workspace
from supportmetrics.importers.base import Imported
from supportmetrics.importers.chatwoot import IMPORTER

FILES = [FIXTURES / "chatwoot" / n for n in (
    "csat.json", "messages.json", "conversations.json", "agents.json", "teams.json",
    "inboxes.json")]


@pytest.fixture(scope="module")
def imported() -> Imported:
    return IMPORTER.read(FILES, {})


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, imported: Imported) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path_factory.mktemp("chatwoot") / "ws")
    load(workspace, imported)
    yield workspace
    workspace.close()


def test_messages_by_type_and_sender(imported: Imported) -> None:
    assert imported.rejects == []
    events = [(e["event_id"], e["kind"], e.get("status"), e["actor_id"], e.get("team"))
              for e in imported.tables["ticket_events"].to_pylist()]
    assert events == [
        # message 101 is in the conversation page and the message page: once
        ("1-message-101", "customer_message", None, "501", None),
        ("1-message-102", "bot_reply", None, "7", None),  # AgentBot: never a first response
        ("1-message-103", "assignment", None, "1", None),  # "Assigned to Priya Raman by ..."
        ("1-message-104", "agent_reply", None, "1", None),
        ("1-message-105", "internal_note", None, "1", None),  # private
        ("1-message-106", "status_change", "solved", "1", None),
        ("3-message-301", "customer_message", None, "503", None),
        ("3-message-302", "agent_reply", None, "1", None),
        ("3-message-303", "auto_reply", None, None, None),  # the CSAT template
        ("2-message-201", "customer_message", None, None, None),  # a deleted contact
        ("2-message-202", "auto_reply", None, None, None),  # away message, no sender
        ("2-message-203", "agent_reply", None, "2", None),
        ("2-message-204", "status_change", "solved", "2", None),
        ("2-message-205", "customer_message", None, "502", None),
        ("2-message-206", "status_change", "open", None, None),  # reopened by the customer
    ]


def test_conversations(imported: Imported) -> None:
    tickets = {t["ticket_id"]: t for t in imported.tables["tickets"].to_pylist()}
    assert (tickets["1"]["channel"], tickets["2"]["channel"]) == ("chat", "email")
    assert (tickets["1"]["team"], tickets["1"]["priority"]) == ("Sales", "high")
    assert tickets["2"]["customer_id"] is None and tickets["2"]["agent_name"] == "José Núñez"
    # resolved without an activity message: resolved at its last activity (11:00)
    assert tickets["3"]["resolved_at"] == "2025-11-05T11:00:00+00:00"
    assert imported.figures is not None
    # first_reply_created_at - created_at: 12:05 - 12:00; 10:00 - 08:00; 09:20 - 09:00
    assert imported.figures.to_pylist() == [
        {"ticket_id": "1", "first_response_seconds": 300.0},
        {"ticket_id": "2", "first_response_seconds": 7200.0},
        {"ticket_id": "3", "first_response_seconds": 1200.0},
    ]


def test_metrics_by_month(ws: Workspace) -> None:
    # 1: Priya 12:05 - 12:00 = 300 s (the bot's 12:00:10 does not count); 2: 10:00 - 08:00 =
    # 7200 s (the away message does not count) -> 3750; November 3: 1200 s
    assert monthly(ws, "first_response_time") == {"2025-10": (3750.0, 2), "2025-11": (1200.0, 1)}
    # 1 resolved 12:30 - 12:00 = 1800 s; 2 reopened, open; 3 resolved at its last activity
    # 11:00 - 09:00 = 7200 s
    assert monthly(ws, "resolution_time") == {"2025-10": (1800.0, 1), "2025-11": (7200.0, 1)}
    # ratings 5 and 3 in October (4-5 satisfied): 1 of 2; November 1: 0 of 1
    assert monthly(ws, "csat") == {"2025-10": (50.0, 2), "2025-11": (0.0, 1)}
