"""Intercom importer: the fixture of tests/fixtures/sources/intercom, values worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from imported import FIXTURES, load, monthly

from supportmetrics import Workspace
from supportmetrics.importers.base import Imported
from supportmetrics.importers.intercom import IMPORTER

FILES = [FIXTURES / "intercom" / n for n in ("teams.json", "conversations.json", "admins.json")]


@pytest.fixture(scope="module")
def imported() -> Imported:
    return IMPORTER.read(FILES, {})


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, imported: Imported) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path_factory.mktemp("intercom") / "ws")
    load(workspace, imported)
    yield workspace
    workspace.close()


def events(imported: Imported, ticket: str) -> list[tuple[str, str, str | None]]:
    t = imported.tables["ticket_events"].to_pylist()
    return [(e["event_id"], e["kind"], e.get("status")) for e in t if e["ticket_id"] == ticket]


def test_parts_become_events_bots_apart(imported: Imported) -> None:
    assert imported.rejects == []
    assert list(imported.tables) == ["tickets", "ticket_events", "surveys"]
    assert events(imported, "101") == [
        ("101-source", "customer_message", None),
        ("101-1", "bot_reply", None),             # Fin: a bot, never a first response
        ("101-2-assign", "assignment", None),
        ("101-3", "agent_reply", None),
        ("101-4-state", "status_change", "solved"),
    ]
    # the customer writes to the closed conversation: it reopens; a close with a body is a reply
    assert events(imported, "102")[4:] == [
        ("102-8", "customer_message", None),
        ("102-8-reopen", "status_change", "open"),
        ("102-9", "agent_reply", None),
        ("102-10", "agent_reply", None),
        ("102-10-state", "status_change", "solved"),
    ]
    assert events(imported, "102")[1] == ("102-5", "internal_note", None)


def test_tickets_teams_and_names(imported: Imported) -> None:
    tickets = {t["ticket_id"]: t for t in imported.tables["tickets"].to_pylist()}
    assert tickets["103"]["team"] == "Billing"  # team_assignee_id t1, named by teams.json
    assert tickets["103"]["status"] == "on_hold"  # snoozed
    assert tickets["103"]["priority"] == "high"
    assert tickets["103"]["agent_id"] == "a9"  # an admin no longer listed keeps their id
    assert tickets["103"]["agent_name"] is None
    assert tickets["102"]["agent_name"] == "Kenji 佐藤"
    assert tickets["101"]["subject"] == "Überweisung fehlgeschlagen"
    assert tickets["101"]["created_at"] == "2025-10-01T09:00:00+00:00"
    team_move = [e for e in imported.tables["ticket_events"].to_pylist()
                 if e["event_id"] == "103-11-assign"]
    assert team_move[0]["team"] == "Billing" and team_move[0]["actor_id"] is None


def test_figures_for_check(imported: Imported) -> None:
    assert imported.figures is not None
    figures = dict(zip(imported.figures["ticket_id"].to_pylist(),
                       imported.figures["first_response_seconds"].to_pylist(), strict=True))
    # statistics.first_admin_reply_at - created_at: 09:10 - 09:00; 15:00 - 14:00; 07:30 - 22:30
    assert figures == {"101": 600.0, "102": 3600.0, "103": 32400.0, "104": 1200.0}


def test_metrics_by_month(ws: Workspace) -> None:
    # first public admin reply - creation: 101 600 s (Fin's reply at 09:00:30 does not count),
    # 102 3600 s, 103 32400 s (Operator's reply does not count) -> (600+3600+32400)/3 = 12200
    assert monthly(ws, "first_response_time") == {"2025-10": (12200.0, 3), "2025-11": (1200.0, 1)}
    # last close - creation: 101 1800 s; 102 reopened, closed again 10-03 09:30: 19.5 h = 70200 s
    # -> (1800 + 70200) / 2 = 36000; 103 snoozed, not solved. November: 104 11:00 - 10:00
    assert monthly(ws, "resolution_time") == {"2025-10": (36000.0, 2), "2025-11": (3600.0, 1)}
    # ratings 5 and 2 in October (4-5 satisfied): 1 of 2; November 4: 1 of 1
    assert monthly(ws, "csat") == {"2025-10": (50.0, 2), "2025-11": (100.0, 1)}


def test_not_json_is_a_clear_error(tmp_path: Path) -> None:
    from supportmetrics.errors import InputFileError

    bad = tmp_path / "conversations.json"
    bad.write_text('{"type": "conversation.list", "conversations": [\n{"id": 1,,}]}')
    with pytest.raises(InputFileError, match="conversations.json: is not JSON"):
        IMPORTER.read([bad], {})


def test_a_conversation_without_a_time_is_rejected_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('[{"type": "conversation", "id": "7", "created_at": "yesterday"},'
                    ' {"type": "conversation", "id": "8", "created_at": 1759309200,'
                    '  "state": "open", "source": {"author": {"type": "user", "id": "u"}}}]')
    got = IMPORTER.read([path], {})
    assert [str(r) for r in got.rejects] == [
        "c.json row 1: created_at 'yesterday' is not a time (Unix seconds or ISO 8601)"
    ]
    assert got.tables["tickets"]["ticket_id"].to_pylist() == ["8"]
