"""Mapping gaps seen on real exports: empty-value markers, partial updates, time-only formats,
and a short-abandon threshold of 0. Every expected value is worked out by hand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.errors import MappingError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def flat(text: str) -> str:
    return " ".join(text.split())


def rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    return ws.con.execute(sql).fetchall()


# --- a value map to "" empties any column ---------------------------------------------------

QUESTION_MARKS = """\
ticket_id,created_at,resolved_at,handle_seconds,is_complaint,status
Q1,2025-05-01 09:00,?,?,?,?
Q2,2025-05-02 09:00,2025-05-02 10:00,60,yes,solved
"""


def test_a_value_mapped_to_empty_empties_timestamp_number_and_bool_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "q.csv", QUESTION_MARKS)
    code = main(
        [
            "-w", str(tmp_path / "ws"), "ingest", "tickets", str(path),
            "--value", "resolved_at:?=", "--value", "handle_seconds:?=",
            "--value", "is_complaint:?=", "--value", "status:?=",
        ]
    )
    assert code == 0, capsys.readouterr().err
    with Workspace.open(tmp_path / "ws") as ws:
        assert rows(ws, "SELECT ticket_id, resolved_at, handle_seconds, is_complaint, status "
                        "FROM tickets ORDER BY 1") == [
            ("Q1", None, None, None, None),
            ("Q2", datetime(2025, 5, 2, 10), 60.0, True, "solved"),
        ]


def test_a_required_column_mapped_to_empty_is_rejected_as_empty(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write(tmp_path / "e.csv", "ticket_id,created_at\nE1,unknown\nE2,2025-05-02 09:00\n")
    result = workspace.ingest(
        "tickets", path, mapping={"values": {"created_at": {"unknown": ""}}}
    )
    assert [(r.row, r.column, r.reason) for r in result.rejects] == [
        (2, "created_at", "is empty (required)"),
    ]
    assert rows(workspace, "SELECT ticket_id FROM tickets") == [("E2",)]


# --- missing-value markers for a whole file -------------------------------------------------

MARKED = """\
ticket_id,created_at,resolved_at,handle_seconds,channel,Region
M1,2025-06-01 09:00,N/A,-,?,n/a
M2,2025-06-02 09:00,2025-06-02 11:00,90,Email,EU
M3,2025-06-03 09:00, - ,abc,chat,?
"""


def test_missing_value_markers_empty_every_column_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "m.csv", MARKED)
    code = main(
        [
            "-w", str(tmp_path / "ws"), "ingest", "tickets", str(path),
            "--missing-value", "?", "--missing-value", "-", "--missing-value", "N/A",
        ]
    )
    captured = capsys.readouterr()
    assert code == 3  # M3's handle_seconds 'abc' is not a marker: still a bad number
    assert "m.csv row 4: handle_seconds 'abc' is not a number" in flat(captured.err)
    with Workspace.open(tmp_path / "ws") as ws:
        # N/A matched as n/a too (ignoring case), " - " after trimming
        assert rows(ws, "SELECT ticket_id, resolved_at, handle_seconds, channel, region "
                        "FROM tickets ORDER BY 1") == [
            ("M1", None, None, None, None),
            ("M2", datetime(2025, 6, 2, 11), 90.0, "email", "EU"),
        ]


def test_missing_values_from_the_settings_file(tmp_path: Path) -> None:
    directory = tmp_path / "ws"
    directory.mkdir()
    write(
        directory / "supportmetrics.toml",
        '[mappings.tickets]\nmissing_values = ["?", "-", "N/A"]\n',
    )
    with Workspace.open(directory) as ws:
        result = ws.ingest("tickets", write(tmp_path / "m.csv", MARKED))
        assert [(r.row, r.column) for r in result.rejects] == [(4, "handle_seconds")]
        assert rows(ws, "SELECT ticket_id, channel FROM tickets ORDER BY 1") == [
            ("M1", None), ("M2", "email"),
        ]


# --- a file with the key and a few columns updates existing rows ----------------------------

FIRST = """\
ticket_id,created_at,status,channel,handle_seconds
P1,2025-07-01 09:00,open,email,30
P2,2025-07-02 09:00,open,chat,40
"""


def test_a_file_with_the_key_and_a_few_columns_updates_existing_rows(
    workspace: Workspace, tmp_path: Path
) -> None:
    workspace.ingest("tickets", write(tmp_path / "first.csv", FIRST))
    # P1 is solved; P2 unchanged; P9 is new, but the file has no created_at for it
    update = write(
        tmp_path / "status.csv",
        "ticket_id,status,resolved_at\nP1,solved,2025-07-01 12:00\nP2,open,\nP9,open,\n",
    )
    result = workspace.ingest("tickets", update)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    assert [(r.row, r.column, r.reason) for r in result.rejects] == [
        (
            4, "created_at",
            "is not in the file, and this ticket_id is not in tickets yet (a file without "
            "created_at can only update rows already loaded)",
        ),
    ]
    assert rows(workspace, "SELECT ticket_id, created_at, status, channel, handle_seconds, "
                           "resolved_at FROM tickets ORDER BY 1") == [
        ("P1", datetime(2025, 7, 1, 9), "solved", "email", 30.0, datetime(2025, 7, 1, 12)),
        ("P2", datetime(2025, 7, 2, 9), "open", "chat", 40.0, None),
    ]


def test_a_partial_update_is_checked_against_the_stored_row(
    workspace: Workspace, tmp_path: Path
) -> None:
    workspace.ingest("tickets", write(tmp_path / "first.csv", FIRST))
    # P1 was created 2025-07-01 09:00: resolving it at 08:00 that day is before its creation
    update = write(tmp_path / "r.csv", "ticket_id,resolved_at\nP1,2025-07-01 08:00\n")
    result = workspace.ingest("tickets", update)
    assert [(r.row, r.column, r.value, r.reason) for r in result.rejects] == [
        (2, "resolved_at", "2025-07-01 08:00", "is before created_at"),
    ]
    assert rows(workspace, "SELECT resolved_at FROM tickets WHERE ticket_id = 'P1'") == [(None,)]


def test_a_file_without_a_required_column_and_no_known_row_is_a_mapping_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "s.csv", "ticket_id,Opened\nS1,2025-07-01\n")
    assert main(["-w", str(tmp_path / "ws"), "ingest", "tickets", str(path)]) == 2
    err = flat(capsys.readouterr().err)
    assert "s.csv: required column(s) not found: created_at" in err
    assert "a file without them can only update rows already loaded, and none of its rows is in tickets yet" in err


def test_files_with_different_columns_in_one_load_keep_what_each_lacks(
    workspace: Workspace, tmp_path: Path
) -> None:
    workspace.ingest("tickets", write(tmp_path / "first.csv", FIRST))
    # a.csv changes P1's channel; b.csv (no channel column) changes P2's status only
    a = write(tmp_path / "a.csv", "ticket_id,created_at,channel\nP1,2025-07-01 09:00,phone\n")
    b = write(tmp_path / "b.csv", "ticket_id,status\nP2,solved\n")
    result = workspace.ingest("tickets", [a, b])
    assert (result.updated, result.rejected_rows) == (2, 0)
    assert rows(workspace, "SELECT ticket_id, status, channel FROM tickets ORDER BY 1") == [
        ("P1", "open", "phone"),
        ("P2", "solved", "chat"),
    ]


# --- a time-only timestamp format -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["%H:%M", "%H:%M:%S", "%I:%M %p", "%m/%d %H:%M"])
def test_a_timestamp_format_without_a_date_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    path = write(tmp_path / "t.csv", "ticket_id,created_at\nT1,09:30\n")
    code = main(["-w", str(tmp_path / "ws"), "ingest", "tickets", str(path), "--timestamp-format", fmt])
    assert code == 2
    assert f"--timestamp-format '{fmt}' has no date" in flat(capsys.readouterr().err)
    with Workspace.open(tmp_path / "ws") as ws:
        assert rows(ws, "SELECT count(*) FROM tickets") == [(0,)]


def test_formats_with_a_date_are_accepted(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "ticket_id,created_at\nT1,2025-032 09:30\n")
    result = workspace.ingest("tickets", path, mapping={"timestamp_format": "%Y-%j %H:%M"})
    assert result.ok
    assert rows(workspace, "SELECT created_at FROM tickets") == [(datetime(2025, 2, 1, 9, 30),)]
    with pytest.raises(MappingError, match="the timestamp format of resolved_at '%H:%M' has no date"):
        workspace.ingest("tickets", path, mapping={"timestamp_formats": {"resolved_at": "%H:%M"}})


# --- short_abandon_seconds = 0 --------------------------------------------------------------

CALLS = """\
call_id,queued_at,outcome,answered_at,ended_at
K1,2025-08-04 10:00:00,answered,2025-08-04 10:00:10,2025-08-04 10:05:00
K2,2025-08-04 10:01:00,abandoned,,2025-08-04 10:01:00
K3,2025-08-04 10:02:00,abandoned,,2025-08-04 10:02:03
K4,2025-08-04 10:03:00,abandoned,,2025-08-04 10:03:30
"""


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        # 0 s: nothing is a short abandon: 3 abandoned of 4 offered = 75 %
        ("0", 75.0),
        # 5 s: K2 (0 s) and K3 (3 s) leave both sides: 1 of 2 = 50 %
        ("5", 50.0),
    ],
)
def test_short_abandon_seconds_zero_keeps_every_abandon(
    tmp_path: Path, threshold: str, expected: float
) -> None:
    directory = tmp_path / "ws"
    directory.mkdir()
    write(directory / "supportmetrics.toml", f"[thresholds]\nshort_abandon_seconds = {threshold}\n")
    with Workspace.open(directory) as ws:
        assert ws.ingest("calls", write(tmp_path / "c.csv", CALLS)).ok
        frame = ws.metric("abandonment_rate", grain="month")
        assert frame["value"].tolist() == [pytest.approx(expected)]
