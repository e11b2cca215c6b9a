"""Support levels: escalation_rate and first_level_resolution, worked out by hand."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from supportmetrics import Workspace
from supportmetrics.errors import QueryWarning

TICKETS = [
    # id, created_at, status, agent, team
    ("L1", "2025-10-01T09:00:00Z", "solved", "ann", "desk"),   # L1 only, solved by ann
    ("L2", "2025-10-02T09:00:00Z", "solved", "bob", "apps"),   # L1 -> L2, solved by bob
    ("L3", "2025-10-03T09:00:00Z", "solved", "ann", "desk"),   # L1 -> L2 -> L1, solved by ann
    ("L4", "2025-10-04T09:00:00Z", "open", "cid", "core"),     # L1 -> L3, still open
    ("L5", "2025-10-05T09:00:00Z", "solved", "bob", "apps"),   # starts at L2, solved there
    ("L6", "2025-10-06T09:00:00Z", "solved", "ann", "desk"),   # no levels: left out
    ("L7", "2025-11-02T09:00:00Z", "solved", "ann", "desk"),   # November, L1 only
]
EVENTS = [
    # id, ticket, at, kind, actor, status, team, level
    ("a1", "L1", "2025-10-01T09:05:00Z", "assignment", "ann", None, "desk", 1.0),
    ("s1", "L1", "2025-10-01T10:00:00Z", "status_change", "ann", "solved", None, None),
    ("a2", "L2", "2025-10-02T09:05:00Z", "assignment", "ann", None, "desk", 1.0),
    ("a3", "L2", "2025-10-02T11:00:00Z", "assignment", "bob", None, "apps", 2.0),
    ("s2", "L2", "2025-10-03T10:00:00Z", "status_change", "bob", "solved", None, None),
    ("a4", "L3", "2025-10-03T09:05:00Z", "assignment", "dan", None, "desk", 1.0),
    ("a5", "L3", "2025-10-03T10:00:00Z", "assignment", "bob", None, "apps", 2.0),
    ("a6", "L3", "2025-10-03T12:00:00Z", "assignment", "ann", None, "desk", 1.0),
    ("s3", "L3", "2025-10-04T10:00:00Z", "status_change", "ann", "solved", None, None),
    ("a7", "L4", "2025-10-04T09:05:00Z", "assignment", "dan", None, "desk", 1.0),
    ("a8", "L4", "2025-10-04T10:00:00Z", "assignment", "cid", None, "core", 3.0),
    ("a9", "L5", "2025-10-05T09:05:00Z", "assignment", "bob", None, "apps", 2.0),
    ("s5", "L5", "2025-10-05T12:00:00Z", "status_change", "bob", "solved", None, None),
    ("s6", "L6", "2025-10-06T12:00:00Z", "status_change", "ann", "solved", None, None),
    ("b1", "L7", "2025-11-02T09:05:00Z", "assignment", "ann", None, "desk", 1.0),
    ("s7", "L7", "2025-11-02T10:00:00Z", "status_change", "ann", "solved", None, None),
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path_factory.mktemp("levels") / "ws")
    tickets = pa.table(dict(zip(
        ("ticket_id", "created_at", "status", "agent_id", "team"), zip(*TICKETS, strict=True),
        strict=True)))
    events = pa.table(dict(zip(
        ("event_id", "ticket_id", "at", "kind", "actor_id", "status", "team", "level"),
        (list(c) for c in zip(*EVENTS, strict=True)), strict=True)))
    assert workspace.ingest_frame("tickets", tickets, refresh=False).committed
    assert workspace.ingest_frame("ticket_events", events).committed  # refreshes once
    yield workspace
    workspace.close()


def rows(ws: Workspace, metric: str, by: tuple[str, ...] = ()) -> dict[tuple[str, ...], tuple[float, int]]:
    frame = ws.metric(metric, by=list(by), start="2025-10-01", end="2025-12-01")
    return {
        (str(r["period"])[:7], *(r[d] for d in by)): (round(float(r["value"]), 6), int(r["count"]))
        for r in frame.to_dict("records") if r["value"] == r["value"]
    }


def test_escalation_rate(ws: Workspace) -> None:
    got = rows(ws, "escalation_rate")
    # October, tickets with a level: L1..L5 (L6 has none). Escalated (a move to a higher level
    # than the previous one): L2 (1->2), L3 (1->2), L4 (1->3); L5 starts at 2. 3 of 5 = 60 %
    assert got[("2025-10",)] == (60.0, 5)
    # November: L7 stays at level 1: 0 of 1
    assert got[("2025-11",)] == (0.0, 1)


def test_escalation_is_credited_to_the_first_level(ws: Workspace) -> None:
    got = rows(ws, "escalation_rate", ("agent_id",))
    # first levelled assignment: L1 ann, L2 ann, L3 dan, L4 dan, L5 bob
    # ann: L1 no, L2 yes -> 50 %; dan: L3, L4 both escalated -> 100 %; bob: L5 no -> 0 %
    assert got[("2025-10", "ann")] == (50.0, 2)
    assert got[("2025-10", "dan")] == (100.0, 2)
    assert got[("2025-10", "bob")] == (0.0, 1)
    by_team = rows(ws, "escalation_rate", ("team",))
    # first-level teams: desk for L1..L4 (3 of 4 escalated), apps for L5
    assert by_team[("2025-10", "desk")] == (75.0, 4)
    assert by_team[("2025-10", "apps")] == (0.0, 1)


def test_first_level_resolution(ws: Workspace) -> None:
    got = rows(ws, "first_level_resolution")
    # solved in October with a level: L1, L2, L3, L5 (L4 open, L6 no level). Never above
    # level 1: L1 only (L3 went to level 2 and came back) -> 1 of 4 = 25 %
    assert got[("2025-10",)] == (25.0, 4)
    assert got[("2025-11",)] == (100.0, 1)  # L7
    by_agent = rows(ws, "first_level_resolution", ("agent_id",))
    # assignee at the solve: L1 ann, L2 bob, L3 ann, L5 bob -> ann 1 of 2, bob 0 of 2
    assert by_agent[("2025-10", "ann")] == (50.0, 2)
    assert by_agent[("2025-10", "bob")] == (0.0, 2)


def test_a_level_below_one_is_rejected_and_no_levels_is_said(tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path / "ws")
    try:
        workspace.ingest_frame("tickets", pa.table({
            "ticket_id": ["X"], "created_at": ["2025-10-01T09:00:00Z"], "status": ["solved"]}),
            refresh=False)
        result = workspace.ingest_frame("ticket_events", pa.table({
            "event_id": ["x1", "x2"], "ticket_id": ["X", "X"],
            "at": ["2025-10-01T09:00:00Z"] * 2, "kind": ["assignment"] * 2,
            "level": [0.0, 1.5]}), label="events.csv")
        reasons = [(r.row, r.column, r.reason) for r in result.rejects]
        assert [(row, col) for row, col, _ in reasons] == [(1, "level"), (2, "level")]
        assert "whole number from 1" in reasons[0][2]
        # no levelled assignment was accepted: the metric is empty with a note, never 0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QueryWarning)
            frame = workspace.metric("first_level_resolution", start="2025-10-01",
                                     end="2025-11-01")
        assert any("no support levels" in str(w.message) for w in caught
                   if w.category is QueryWarning)
        assert frame["value"].isna().all()
    finally:
        workspace.close()
