"""Zammad importer: the fixture of tests/fixtures/sources/zammad, values worked out by hand."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from imported import FIXTURES, load, monthly

from supportmetrics import Workspace
from supportmetrics.errors import QueryWarning
from supportmetrics.importers.base import Imported
from supportmetrics.importers.zammad import IMPORTER

FILES = [FIXTURES / "zammad" / n
         for n in ("history.json", "articles.json", "tickets.json", "users.json", "groups.json")]


@pytest.fixture(scope="module")
def imported() -> Imported:
    return IMPORTER.read(FILES, {})


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, imported: Imported) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path_factory.mktemp("zammad") / "ws")
    load(workspace, imported)
    yield workspace
    workspace.close()


def test_merged_ticket_is_rejected_with_its_reason(imported: Imported) -> None:
    assert [str(r) for r in imported.rejects] == [
        "tickets.json row 3: state 'merged' ticket 31003 was merged into another ticket (its "
        "messages count there); not imported"
    ]
    assert imported.tables["tickets"]["ticket_id"].to_pylist() == ["31001", "31002", "31004"]


def test_senders_and_history(imported: Imported) -> None:
    events = [(e["event_id"], e["kind"], e.get("status"), e["actor_id"], e.get("team"))
              for e in imported.tables["ticket_events"].to_pylist() if e["ticket_id"] != "31004"]
    assert events == [
        ("31001-article-1", "customer_message", None, "nicole.braun@zammad.org", None),
        ("31001-article-2", "auto_reply", None, None, None),  # System: never a response
        ("31001-article-3", "internal_note", None, "anna.agent@example.com", None),
        ("31001-article-4", "agent_reply", None, "anna.agent@example.com", None),
        ("31002-article-5", "customer_message", None, "zoë.müller@example.com", None),
        ("31002-article-6", "agent_reply", None, "99", None),  # a deleted user keeps their id
        ("31002-article-7", "customer_message", None, "zoë.müller@example.com", None),
        ("31001-history-101", "assignment", None, "anna.agent@example.com", None),
        ("31001-history-102", "status_change", "open", "anna.agent@example.com", None),
        ("31001-history-103", "status_change", "closed", "anna.agent@example.com", None),
        ("31002-history-201", "assignment", None, None, "2nd Level"),
        ("31002-history-202", "status_change", "closed", "99", None),
        # reopened by the customer
        ("31002-history-203", "status_change", "open", "zoë.müller@example.com", None),
    ]
    tickets = {t["ticket_id"]: t for t in imported.tables["tickets"].to_pylist()}
    assert tickets["31002"]["created_at"] == "2025-10-07T11:00:00+02:00"
    assert (tickets["31002"]["team"], tickets["31002"]["priority"]) == ("2nd Level", "high")
    assert tickets["31001"]["status"] == "closed" and tickets["31001"]["channel"] == "email"


def test_figures_for_check(imported: Imported) -> None:
    assert imported.figures is not None
    # first_response_at - created_at: 08:45 - 08:00; 13:00Z - 11:00+02:00 (09:00Z); 10:30 - 10:00
    assert imported.figures.to_pylist() == [
        {"ticket_id": "31001", "first_response_seconds": 2700.0},
        {"ticket_id": "31002", "first_response_seconds": 14400.0},
        {"ticket_id": "31004", "first_response_seconds": 1800.0},
    ]


def test_metrics_by_month(ws: Workspace) -> None:
    # first Agent article that is not internal: 31001 08:45 - 08:00 = 2700 s (the System
    # auto-response at 08:00:02 does not count); 31002 13:00Z - 09:00Z = 14400 s -> 8550
    assert monthly(ws, "first_response_time") == {"2025-10": (8550.0, 2), "2025-11": (1800.0, 1)}
    # 31001 closed 10:00 - 08:00 = 7200 s; 31002 reopened by the customer: not solved;
    # 31004 12:00 - 10:00 = 7200 s
    assert monthly(ws, "resolution_time") == {"2025-10": (7200.0, 1), "2025-11": (7200.0, 1)}
    # Zammad has no satisfaction survey: csat is empty with a note, not 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QueryWarning)
        assert monthly(ws, "csat") == {}
    assert any("csat" in str(w.message) for w in caught if w.category is QueryWarning)
