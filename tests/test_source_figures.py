"""A ticket export with the helpdesk's own figures and no event history gives first response,
resolution and reopen metrics from those figures, and explain says so.

examples/zendesk/tickets.csv is a hand-written Zendesk-style export; every expected value below
is worked out by hand from its rows (times are the account's, Europe/Berlin; every ticket is
well inside its month, so the months are the same in UTC).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from engine_fixture import build, with_text_reopens

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.engine import build_query

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "zendesk"
OCT, NOV = "2025-10-01", "2025-11-01"
FIGURE = "the helpdesk's own figure"


@pytest.fixture(scope="module")
def zendesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("zendesk") / "ws"
    directory.mkdir()
    shutil.copy(EXAMPLE / "supportmetrics.toml", directory)
    code = main(["-w", str(directory), "ingest", "tickets", str(EXAMPLE / "tickets.csv"),
                 "--mapping", "zendesk"])
    assert code == 0
    yield directory


def _values(directory: Path, metric: str) -> dict[str, tuple[float, int]]:
    with Workspace.open(directory) as ws:
        frame = ws.metric(metric, start=OCT, end="2025-12-01")
    return {r["period"]: (round(float(r["value"]), 6), int(r["count"]))
            for r in frame.to_dict("records")}


def test_first_response_time_from_first_reply_time_in_minutes(zendesk: Path) -> None:
    # October: 101 30, 102 90, 103 15, 104 5, 105 240, 106 60, 108 10, 109 120 minutes
    # = 570 min / 8 = 71.25 min = 4275 s; 107 has no first reply yet.
    # November: 110 2, 111 20, 112 600, 113 45 = 667 min / 4 = 166.75 min = 10005 s
    assert _values(zendesk, "first_response_time") == {OCT: (4275.0, 8), NOV: (10005.0, 4)}
    assert _values(zendesk, "frt_unanswered") == {OCT: (1.0, 1), NOV: (0.0, 0)}


def test_resolution_time_from_full_resolution_time_in_minutes(zendesk: Path) -> None:
    # solved or closed: October 101 120, 102 1440, 103 60, 106 2880, 108 45 = 4545 min / 5
    # = 909 min = 54540 s; November 110 20, 111 1440, 112 2880 = 4340 min / 3 = 86800 s
    assert _values(zendesk, "resolution_time") == {OCT: (54540.0, 5), NOV: (86800.0, 3)}
    assert _values(zendesk, "tickets_solved") == {OCT: (5.0, 5), NOV: (3.0, 3)}


def test_reopens_and_replies_from_the_export(zendesk: Path) -> None:
    # Reopens of the solved tickets: October 102 (1) and 106 (2) of 5 -> 40 %;
    # November 111 of 110 111 112 -> 33.333333 %
    assert _values(zendesk, "reopen_rate") == {OCT: (40.0, 5), NOV: (33.333333, 3)}
    # Replies = 1: October 101 103 108 of 5 -> 60 %; mean replies (1+3+1+4+1)/5 = 2
    assert _values(zendesk, "fcr_rate")[OCT] == (60.0, 5)
    assert _values(zendesk, "replies_per_ticket")[OCT] == (2.0, 5)


def test_explain_marks_the_helpdesks_own_figures(
    zendesk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["-w", str(zendesk), "explain", "first_response_time", "--period", "2025-11",
                 "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["unit"], r["first_response_from"], r["value"]) for r in rows] == [
        ("110", FIGURE, "120.0"), ("111", FIGURE, "1200.0"), ("112", FIGURE, "36000.0"),
        ("113", FIGURE, "2700.0"),
    ]
    assert main(["-w", str(zendesk), "explain", "resolution_time", "--period", "2025-11",
                 "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["resolution_from"] for r in rows} == {FIGURE}


def test_the_exports_other_columns_are_attributes(zendesk: Path) -> None:
    with Workspace.open(zendesk) as ws:
        assert "satisfaction_score" in ws.attributes("tickets")
        frame = ws.metric("ticket_volume", grain="range", by=["satisfaction_score"],
                          start=OCT, end="2025-11-01")
    # October: Good 101 106 108, Bad 102, Offered 103, Unoffered 104 105 107 109
    assert frame[["satisfaction_score", "value"]].values.tolist() == [
        ["Bad", 1.0], ["Good", 3.0], ["Offered", 1.0], ["Unoffered", 4.0]]


def test_hours_are_converted_with_a_unit(tmp_path: Path) -> None:
    # examples/freshdesk/tickets.csv, mapped on the command line as docs/loading.md shows
    code = main(["-w", str(tmp_path / "ws"), "ingest", "tickets",
                 str(EXAMPLE.parent / "freshdesk" / "tickets.csv"), *FRESHDESK])
    assert code == 0
    # first response 201 0.5 h = 1800 s, 202 2.25 h = 8100 s, 203 1 h = 3600 s -> 13500 / 3
    # = 4500; resolution (solved 201 and 202) 2.25 h = 8100 s and 26 h = 93600 s -> 50850;
    # one agent interaction: 201 of 201 202 -> 50 %
    assert _values(tmp_path / "ws", "first_response_time")[OCT] == (4500.0, 3)
    assert _values(tmp_path / "ws", "resolution_time")[OCT] == (50850.0, 2)
    assert _values(tmp_path / "ws", "fcr_rate")[OCT] == (50.0, 2)


FRESHDESK = [
    "--map", "created_at=Created time", "--map", "resolved_at=Resolved time",
    "--map", "agent_id=Agent", "--map", "team=Group", "--map", "channel=Source",
    "--map", "category=Type",
    "--map", "first_response_seconds=First response time (in hrs)",
    "--map", "resolution_seconds=Resolution time (in hrs)", "--map", "replies=Agent interactions",
    "--unit", "first_response_seconds=hours", "--unit", "resolution_seconds=hours",
    "--value", "status:Resolved=solved", "--value", "priority:Medium=normal",
]


def test_a_unit_that_does_not_apply_is_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "t.csv"
    source.write_text("Ticket ID,Created At,Reopens\n1,2025-10-01T09:00:00Z,0\n", encoding="utf-8")
    directory = str(tmp_path / "ws")
    for option, message in (
        ("first_response_seconds=fortnights", "unit 'fortnights' of first_response_seconds: "
         "expected one of seconds, minutes, hours, days"),
        ("reopens=minutes", "a unit applies to a duration column; 'reopens' is not one"),
        ("first_response_seconds", "--unit 'first_response_seconds': expected COLUMN=UNIT"),
    ):
        assert main(["-w", directory, "ingest", "tickets", str(source), "--unit", option]) == 2
        assert message in " ".join(capsys.readouterr().err.split())


def test_events_win_over_the_figures(tmp_path: Path) -> None:
    # tests/engine_fixture.py: T1 has events (first reply 09:30, 1800 s after creation), T6 has
    # none (first_response_at 08:30, 1800 s). A figure of 600 s on both changes T6 only.
    ws = build(tmp_path / "ws")
    try:
        result = ws.ingest_frame("tickets", pd.DataFrame({
            "ticket_id": ["T1", "T6"], "created_at": ["2025-10-01 09:00", "2025-10-06 08:00"],
            "first_response_seconds": ["600", "600"]}))
        assert result.ok
        frame = ws.engine().explain(build_query(
            "first_response_time", "month", (), OCT, NOV, {"channel": "phone"}))
        assert frame[["unit", "first_response_from", "value"]].values.tolist() == [
            ["T6", FIGURE, 600.0]]
        frame = ws.engine().explain(build_query(
            "first_response_time", "month", (), OCT, NOV, {"ticket_id": "T1"}))
        assert frame[["unit", "first_response_from", "value"]].values.tolist() == [
            ["T1", "events", 1800.0]]
    finally:
        ws.close()


def test_a_text_reopens_column_of_an_earlier_version_makes_way_for_the_figure(
    tmp_path: Path,
) -> None:
    ws = build(tmp_path / "ws")
    with_text_reopens(ws, {"T6": "x"})
    ws.close()
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.attributes("tickets") == ("reopens",)
        # T6 (no events, solved 2025-10-06) reports 2 reopens: now in the reopen rate
        result = ws.ingest_frame("tickets", pd.DataFrame({
            "ticket_id": ["T6"], "created_at": ["2025-10-06 08:00"], "reopens": ["2"]}))
        assert result.ok
        # the earlier column is kept under the name a load gives a clashing column
        assert ws.attributes("tickets") == ("attr_reopens",)
        frame = ws.metric("ticket_volume", by=["attr_reopens"], start=OCT, end=NOV)
        assert frame.fillna({"attr_reopens": "-"})[["attr_reopens", "value"]].values.tolist() == [
            ["x", 1.0], ["-", 6.0]]
        frame = ws.metric("reopen_rate", start=OCT, end=NOV)
        # T2 and T6 reopened, of T1 T2 T3 T4 T6: 2 / 5
        assert frame[["value", "count"]].values.tolist() == [[40.0, 5]]
