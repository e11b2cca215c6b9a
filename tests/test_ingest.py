"""Ingestion: messy files load their good rows and report each bad one; loads are idempotent.

Every expected value below is worked out by hand from the file the test writes.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main

# Row numbers as a person sees them in a spreadsheet: the header is row 1.
MESSY = """\
ticket_id,created_at,channel,priority,status,is_complaint,handle_seconds,resolved_at,Customer Region
T1,2025-10-01T09:00:00+02:00,Email,high,open,yes,120,,EU West
T2,2025-10-02 10:00,chat,normal,closed,no,abc,2025-10-02 12:00,US
,2025-10-03 10:00,chat,low,open,,,,
T4,not a date,phone,low,open,,,,
T5,2025-10-05 10:00,web,super,open,,,,
T6,2025-10-06 10:00,web,low,solved,maybe,,,
T7,2025-10-07 10:00,web,low,solved,,,2025-10-06 10:00,
T1,2025-10-01T09:00:00+02:00,Email,high,open,yes,120,,EU West
T9,2025-10-09 10:00,web,low,open,,,,,one field too many
T10,2025-10-10 10:00,web,Low,On Hold,,-5,,
T11,2025-10-11 10:00,Chat,URGENT,Pending,TRUE,30,2025-10-11 11:30,APAC
T12,2025-10-12 08:00,phone,,on-hold,0,,,
T13,yesterday,web,meh,open,,,,
"""

EXPECTED_REJECTS = [
    (3, "handle_seconds", "abc", "is not a number"),
    (4, "ticket_id", "", "is empty (required)"),
    (5, "created_at", "not a date", "is not a timestamp"),
    (6, "priority", "super", "is not one of: low, normal, high, urgent"),
    (7, "is_complaint", "maybe", "is not a boolean"),
    (8, "resolved_at", "2025-10-06 10:00", "is before created_at"),
    (9, "ticket_id", "T1", "repeats the row at messy.csv row 2"),
    (10, "", "T9,2025-10-09 10:00,web,low,open,,,,,one field too many", "too many columns"),
    (11, "handle_seconds", "-5", "is negative"),
    (14, "created_at", "yesterday", "is not a timestamp"),
    (14, "priority", "meh", "is not one of"),
]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows(ws: Workspace, table: str, columns: str = "*") -> list[tuple[object, ...]]:
    return ws.con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()


def zoned_workspace(directory: Path, toml: str) -> Workspace:
    directory.mkdir(parents=True)
    (directory / "supportmetrics.toml").write_text(toml, encoding="utf-8")
    return Workspace.open(directory)


def flat(text: str) -> str:
    """Console output with its line wrapping undone."""
    return " ".join(text.split())


# --- a messy file ---------------------------------------------------------------------------


def test_messy_csv_loads_good_rows_and_reports_each_bad_one(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = workspace.ingest("tickets", write(tmp_path / "messy.csv", MESSY))

    got = [(r.row, r.column, r.value, r.reason) for r in result.rejects]
    assert [r.file for r in result.rejects] == ["messy.csv"] * 11
    assert len(got) == len(EXPECTED_REJECTS)
    for (row, column, value, reason), expected in zip(
        sorted(got), sorted(EXPECTED_REJECTS), strict=True
    ):
        assert (row, column, value) == expected[:3]
        assert expected[3] in reason, (row, column, reason)
    assert (result.rows_read, result.accepted, result.rejected_rows) == (13, 3, 10)
    assert (result.inserted, result.updated, result.unchanged) == (3, 0, 0)
    assert result.attributes == ("customer_region",)
    assert not result.ok

    assert rows(
        workspace,
        "tickets",
        "ticket_id, created_at, channel, priority, status, is_complaint, handle_seconds, "
        "resolved_at, customer_region",
    ) == [
        ("T1", datetime(2025, 10, 1, 7, 0), "email", "high", "open", True, 120.0, None, "EU West"),
        (
            "T11", datetime(2025, 10, 11, 10, 0), "chat", "urgent", "pending", True, 30.0,
            datetime(2025, 10, 11, 11, 30), "APAC",
        ),
        ("T12", datetime(2025, 10, 12, 8, 0), "phone", None, "on_hold", False, None, None, None),
    ]
    # the extra column is an attribute, queryable like any other column
    table = workspace.table("tickets")
    assert table.filter(table.customer_region == "APAC").ticket_id.execute().tolist() == ["T11"]


def test_rejects_file_lists_file_row_column_value_and_reason(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = workspace.ingest("tickets", write(tmp_path / "messy.csv", MESSY))
    assert result.rejects_path is not None
    assert result.rejects_path.parent == tmp_path / "ws" / "rejects"
    assert result.rejects_path.name == f"{result.load_id}-tickets.csv"
    with result.rejects_path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["file", "row", "column", "value", "reason"]
    assert sorted(tuple(line[:4]) for line in lines[1:]) == sorted(
        ("messy.csv", str(row), column, value) for row, column, value, _ in EXPECTED_REJECTS
    )
    assert ["messy.csv", "8", "resolved_at", "2025-10-06 10:00", "is before created_at"] in lines
    assert [
        "messy.csv", "6", "priority", "super",
        "is not one of: low, normal, high, urgent (map other values with a value map)",
    ] in lines


def test_a_clean_load_writes_no_rejects_file(workspace: Workspace, tmp_path: Path) -> None:
    result = workspace.ingest(
        "tickets", write(tmp_path / "ok.csv", "ticket_id,created_at\nA,2025-01-01 00:00\n")
    )
    assert result.ok and result.rejects_path is None
    assert not (tmp_path / "ws" / "rejects").exists()


def test_row_numbers_after_several_structural_rejects(workspace: Workspace, tmp_path: Path) -> None:
    text = (
        "ticket_id,created_at\n"
        "A,2025-01-01 00:00\n"
        "B,2025-01-01 00:00,x\n"
        "C,2025-01-01 00:00,x,y\n"
        "D,2025-01-01 00:00\n"
        "E,bad\n"
    )
    result = workspace.ingest("tickets", write(tmp_path / "s.csv", text))
    assert [(r.row, r.column) for r in result.rejects] == [(3, ""), (4, ""), (6, "created_at")]
    assert result.rejects[1].reason == (
        "too many columns: 4 values where the header has 2 (a value containing ',' must be quoted)"
    )
    assert (result.rows_read, result.accepted, result.rejected_rows) == (5, 2, 3)
    assert rows(workspace, "tickets", "ticket_id") == [("A",), ("D",)]


def test_event_of_an_unknown_ticket_is_rejected(workspace: Workspace, tmp_path: Path) -> None:
    workspace.ingest("tickets", write(tmp_path / "t.csv", "ticket_id,created_at\nT1,2025-01-01\n"))
    events = (
        "event_id,ticket_id,at,kind,status\n"
        "E1,T1,2025-01-01 10:05,customer_message,\n"
        "E2,ZZZ,2025-01-01 10:06,agent_reply,\n"
        "E3,T1,2025-01-01 10:07,status_change,\n"
        "E4,T1,2025-01-01 10:08,Status Change,Solved\n"
    )
    result = workspace.ingest("ticket_events", write(tmp_path / "e.csv", events))
    assert [(r.file, r.row, r.column, r.value, r.reason) for r in result.rejects] == [
        ("e.csv", 3, "ticket_id", "ZZZ", "is not a known ticket (load its ticket first)"),
        ("e.csv", 4, "status", "", "is empty (required when kind is status_change)"),
    ]
    assert rows(workspace, "ticket_events", "event_id, kind, status") == [
        ("E1", "customer_message", None),
        ("E4", "status_change", "solved"),
    ]


# --- idempotence and merging ----------------------------------------------------------------


def test_reloading_a_file_changes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "messy.csv", MESSY)
    workspace.ingest("tickets", path)
    before = rows(workspace, "tickets")
    again = workspace.ingest("tickets", path)
    assert (again.accepted, again.inserted, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert again.rejected_rows == 10
    assert rows(workspace, "tickets") == before
    assert workspace.con.execute(
        "SELECT inserted, updated, unchanged FROM _sm_loads ORDER BY finished_at, inserted DESC"
    ).fetchall() == [(3, 0, 0), (0, 0, 3)]


def test_changed_row_is_updated_and_missing_columns_keep_their_values(
    workspace: Workspace, tmp_path: Path
) -> None:
    workspace.ingest("tickets", write(tmp_path / "messy.csv", MESSY))
    # T1 changes status; T11 is as loaded (in the columns this file has); T20 is new.
    update = (
        "ticket_id,created_at,status\n"
        "T1,2025-10-01 07:00,solved\n"
        "T11,2025-10-11 10:00,pending\n"
        "T20,2025-10-20 10:00,new\n"
    )
    result = workspace.ingest("tickets", write(tmp_path / "update.csv", update))
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 1)
    assert rows(
        workspace,
        "tickets",
        "ticket_id, status, channel, priority, is_complaint, handle_seconds, customer_region",
    ) == [
        ("T1", "solved", "email", "high", True, 120.0, "EU West"),
        ("T11", "pending", "chat", "urgent", True, 30.0, "APAC"),
        ("T12", "on_hold", "phone", None, False, None, None),
        ("T20", "new", None, None, None, None, None),
    ]


def test_loads_leave_the_connection_in_utc(tmp_path: Path) -> None:
    ws = zoned_workspace(tmp_path / "zg", 'timezone = "Europe/Zagreb"\n')
    try:
        ws.ingest("tickets", write(tmp_path / "a.csv", "ticket_id,created_at\nA,2025-07-01 10:00\n"))
        assert ws.con.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    finally:
        ws.close()


# --- timestamps -----------------------------------------------------------------------------


def test_timestamps_honour_offsets_and_read_naive_ones_in_the_workspace_zone(
    tmp_path: Path,
) -> None:
    ws = zoned_workspace(tmp_path / "zg", 'timezone = "Europe/Zagreb"\n')
    text = (
        "ticket_id,created_at\n"
        "summer,2025-07-01 10:00\n"  # CEST, UTC+2
        "winter,2025-01-15 10:00\n"  # CET, UTC+1
        "offset,2025-10-01T09:00:00+02:00\n"
        "zulu,2025-10-01T09:00:00Z\n"
        "west,2025-10-01T09:00:00-05:00\n"
    )
    try:
        result = ws.ingest("tickets", write(tmp_path / "tz.csv", text))
        assert result.ok
        assert rows(ws, "tickets", "ticket_id, created_at") == [
            ("offset", datetime(2025, 10, 1, 7, 0)),
            ("summer", datetime(2025, 7, 1, 8, 0)),
            ("west", datetime(2025, 10, 1, 14, 0)),
            ("winter", datetime(2025, 1, 15, 9, 0)),
            ("zulu", datetime(2025, 10, 1, 9, 0)),
        ]
    finally:
        ws.close()


def test_naive_parquet_timestamps_are_read_in_the_workspace_zone(tmp_path: Path) -> None:
    ws = zoned_workspace(tmp_path / "zg", 'timezone = "Europe/Zagreb"\n')
    path = tmp_path / "t.parquet"
    pq.write_table(
        pa.table(
            {
                "ticket_id": ["A", "B"],
                "created_at": pa.array(
                    [datetime(2025, 7, 1, 10, 0), datetime(2025, 1, 15, 10, 0)], pa.timestamp("s")
                ),
            }
        ),
        path,
    )
    try:
        assert ws.ingest("tickets", path).ok
        assert rows(ws, "tickets", "ticket_id, created_at") == [
            ("A", datetime(2025, 7, 1, 8, 0)),
            ("B", datetime(2025, 1, 15, 9, 0)),
        ]
    finally:
        ws.close()


# --- formats --------------------------------------------------------------------------------

FORMAT_ROWS = [
    {"ticket_id": "F1", "created_at": "2025-03-01 09:00", "channel": "Email", "Note": "first"},
    {"ticket_id": "F2", "created_at": "2025-03-02 09:00", "channel": "chat", "Note": ""},
    {"ticket_id": "F3", "created_at": "2025-03-03T09:00:00+01:00", "channel": "web", "Note": "x"},
]
FORMAT_TABLE = [
    ("F1", datetime(2025, 3, 1, 9, 0), "email", "first"),
    ("F2", datetime(2025, 3, 2, 9, 0), "chat", None),
    ("F3", datetime(2025, 3, 3, 8, 0), "web", "x"),
]


def _write_format(directory: Path, fmt: str) -> Path:
    if fmt == "csv":
        path = directory / "t.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(FORMAT_ROWS[0]))
            writer.writeheader()
            writer.writerows(FORMAT_ROWS)
    elif fmt == "jsonl":
        path = directory / "t.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in FORMAT_ROWS), encoding="utf-8")
    else:
        path = directory / "t.parquet"
        pq.write_table(pa.Table.from_pylist(FORMAT_ROWS), path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_every_format_and_its_gzip_load_the_same_rows(
    workspace: Workspace, tmp_path: Path, fmt: str, gz: bool
) -> None:
    path = _write_format(tmp_path, fmt)
    if gz:
        zipped = path.with_name(path.name + ".gz")
        with path.open("rb") as src, gzip.open(zipped, "wb") as dst:
            shutil.copyfileobj(src, dst)
        path.unlink()
        path = zipped
    result = workspace.ingest("tickets", path)
    assert (result.rows_read, result.accepted, result.inserted, result.rejected_rows) == (3, 3, 3, 0)
    assert result.attributes == ("note",)
    assert rows(workspace, "tickets", "ticket_id, created_at, channel, note") == FORMAT_TABLE


def test_json_lines_with_a_broken_line_reports_its_line_number(
    workspace: Workspace, tmp_path: Path
) -> None:
    text = (
        '{"ticket_id": "J1", "created_at": "2025-01-01 10:00"}\n'
        '{"ticket_id": "J2", "created_at":\n'
        '{"ticket_id": "J3", "created_at": "2025-01-03 10:00", "Lang": "hr"}\n'
        "[1, 2]\n"
    )
    result = workspace.ingest("tickets", write(tmp_path / "t.jsonl", text))
    assert [(r.row, r.column, r.value, r.reason) for r in result.rejects] == [
        # the line has 33 characters: the value it lacks is expected at character 34
        (2, "", '{"ticket_id": "J2", "created_at":', "not a JSON object: expecting value at character 34"),
        (4, "", "[1, 2]", "not a JSON object"),
    ]
    assert (result.rows_read, result.accepted, result.rejected_rows) == (4, 2, 2)
    assert rows(workspace, "tickets", "ticket_id, lang") == [("J1", None), ("J3", "hr")]


# --- surveys and calls ----------------------------------------------------------------------


def test_survey_rules(tmp_path: Path) -> None:
    ws = zoned_workspace(tmp_path / "ws", "[surveys.scales]\nstars = [1, 10]\n")
    text = (
        "response_id,survey,sent_at,responded_at,score\n"
        "S1,csat,2025-07-01 10:00,2025-07-01 11:00,5\n"
        "S2,csat,2025-07-01 10:00,2025-07-01 11:00,6\n"
        "S3,nps,2025-07-01 10:00,,7\n"
        "S4,weird,2025-07-01 10:00,2025-07-01 11:00,3\n"
        "S5,stars,2025-07-01 10:00,2025-07-01 11:00,9\n"
        "S6,CSAT,2025-07-01 10:00,,\n"
        "S7,nps,2025-07-01 10:00,2025-07-01 11:00,0\n"
    )
    try:
        result = ws.ingest("surveys", write(tmp_path / "s.csv", text))
        assert [(r.row, r.column, r.value, r.reason) for r in result.rejects] == [
            (3, "score", "6", "is outside the survey's scale"),
            (4, "responded_at", "", "is empty (required when score is present)"),
            (
                5, "survey", "weird",
                "has no declared scale (give scale_min and scale_max, or [surveys.scales])",
            ),
        ]
        assert rows(ws, "surveys", "response_id, survey, score, scale_min, scale_max") == [
            ("S1", "csat", 5.0, 1.0, 5.0),
            ("S5", "stars", 9.0, 1.0, 10.0),
            ("S6", "csat", None, 1.0, 5.0),
            ("S7", "nps", 0.0, 0.0, 10.0),
        ]
    finally:
        ws.close()


def test_answered_call_without_answered_at_is_rejected(workspace: Workspace, tmp_path: Path) -> None:
    text = (
        "call_id,queued_at,outcome,answered_at,ended_at\n"
        "K1,2025-07-01 10:00,answered,,2025-07-01 10:05\n"
        "K2,2025-07-01 10:00,Answered,2025-07-01 10:01,2025-07-01 10:05\n"
        "K3,2025-07-01 10:00,abandoned,,2025-07-01 10:01\n"
        "K4,2025-07-01 10:00,abandoned,2025-07-01 10:01,\n"
    )
    result = workspace.ingest("calls", write(tmp_path / "c.csv", text))
    assert [(r.row, r.column, r.reason) for r in result.rejects] == [
        (2, "answered_at", "is empty (required when outcome is answered)"),
        (5, "answered_at", "is set but outcome is not answered"),
    ]
    assert rows(workspace, "calls", "call_id, outcome") == [("K2", "answered"), ("K3", "abandoned")]


# --- the command line -----------------------------------------------------------------------

FOREIGN = """\
Id,Opened,Where,State,Closed
X1,01.02.2025 09:30,Phone,Done,01.02.2025 10:00
X2,02.02.2025 14:00,ONLINE,Waiting,
X3,03.02.2025 08:15,chat,Done,03.02.2025 08:00
"""


def test_cli_map_value_set_and_timestamp_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "foreign.csv", FOREIGN)
    code = main(
        [
            "--workspace", str(tmp_path / "ws"), "ingest", "tickets", str(path),
            "--map", "ticket_id=Id", "--map", "created_at=Opened", "--map", "channel=Where",
            "--map", "status=State", "--map", "resolved_at=Closed",
            "--value", "status:Done=solved", "--value", "status:Waiting=pending",
            "--value", "channel:ONLINE=web",
            "--set", "team=Tier 1",
            "--timestamp-format", "%d.%m.%Y %H:%M",
        ]
    )
    captured = capsys.readouterr()
    assert code == 3
    out, err = flat(captured.out), flat(captured.err)
    assert (
        "tickets: 3 rows read, 2 accepted (2 new, 0 updated, 0 unchanged), 1 rejected" in out
    )
    assert "rejected: foreign.csv row 4: resolved_at '03.02.2025 08:00' is before created_at" in err
    assert "rejects written to " in out
    with Workspace.open(tmp_path / "ws") as ws:
        assert rows(ws, "tickets", "ticket_id, created_at, channel, status, team, resolved_at") == [
            ("X1", datetime(2025, 2, 1, 9, 30), "phone", "solved", "Tier 1", datetime(2025, 2, 1, 10)),
            ("X2", datetime(2025, 2, 2, 14, 0), "web", "pending", "Tier 1", None),
        ]
        assert ws.attributes("tickets") == ()  # every column of the file was mapped


def test_cli_clean_load_exits_0_and_reload_reports_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "ok.csv", "ticket_id,created_at,Region\nA,2025-01-01 00:00,EU\n")
    argv = ["-w", str(tmp_path / "ws"), "ingest", "tickets", str(path)]
    assert main(argv) == 0
    assert main(argv) == 0
    out = flat(capsys.readouterr().out)
    assert "tickets: 1 rows read, 1 accepted (1 new, 0 updated, 0 unchanged), 0 rejected" in out
    assert "tickets: 1 rows read, 1 accepted (0 new, 0 updated, 1 unchanged), 0 rejected" in out
    assert "rejects written" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "nosuch", "{ok}"], "unknown table 'nosuch'"),
        (["ingest", "tickets", "{dir}/missing.csv"], "missing.csv: no such file"),
        (
            ["ingest", "tickets", "{ok}", "--map", "ticket_id=Nope"],
            "the mapping takes ticket_id from column 'Nope', which the file does not have",
        ),
        (["ingest", "tickets", "{ok}", "--map", "nope=Id"], "'nope' is not a column of tickets"),
        (["ingest", "tickets", "{ok}", "--value", "status"], "expected COLUMN:SOURCE=CANONICAL"),
        (["ingest", "tickets", "{ok}", "--mapping", "absent"], "no mapping named 'absent'"),
    ],
    ids=["unknown-table", "missing-file", "unknown-source", "unknown-target", "bad-value", "no-mapping"],
)
def test_cli_user_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    ok = write(tmp_path / "ok.csv", "ticket_id,created_at\nA,2025-01-01 00:00\n")
    argv = [a.format(ok=ok, dir=tmp_path) for a in args]
    assert main(["-w", str(tmp_path / "ws"), *argv]) == 2
    assert message in flat(capsys.readouterr().err)
    with Workspace.open(tmp_path / "ws") as ws:
        assert rows(ws, "tickets") == []


def test_cli_tables_lists_rows_and_attributes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path / "t.csv",
        "ticket_id,created_at,Region\nA,2025-01-01 08:00,EU\nB,2025-03-01 17:30,US\n",
    )
    assert main(["-w", str(tmp_path / "ws"), "ingest", "tickets", str(path)]) == 0
    capsys.readouterr()
    assert main(["-w", str(tmp_path / "ws"), "tables"]) == 0
    lines = capsys.readouterr().out.splitlines()
    tickets = next(line for line in lines if line.startswith("│ tickets "))
    cells = [cell.strip() for cell in tickets.strip("│").split("│")]
    assert cells[:4] == ["tickets", "2", "2025-01-01 08:00+00:00", "2025-03-01 17:30+00:00"]
    assert cells[5] == "region"
    calls = next(line for line in lines if line.startswith("│ calls "))
    assert [cell.strip() for cell in calls.strip("│").split("│")] == [
        "calls", "0", "", "", "never", ""
    ]


def test_typed_parquet_rejects_show_the_source_values(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    pq.write_table(
        pa.table(
            {
                "ticket_id": ["P1", "P2", "P3"],
                "created_at": pa.array(
                    [datetime(2025, 1, 1, 9), datetime(2025, 1, 2, 9), None], pa.timestamp("s")
                ),
                "resolved_at": pa.array(
                    [datetime(2025, 1, 1, 8), datetime(2025, 1, 2, 10), None], pa.timestamp("s")
                ),
                "handle_seconds": pa.array([1.5, -5.0, 3.0]),
                "is_complaint": pa.array([True, None, False]),
            }
        ),
        path,
    )
    result = workspace.ingest("tickets", path)
    assert [(r.row, r.column, r.value, r.reason) for r in result.rejects] == [
        (1, "resolved_at", "2025-01-01 08:00:00", "is before created_at"),
        (2, "handle_seconds", "-5.0", "is negative"),
        (3, "created_at", "", "is empty (required)"),
    ]
    assert result.accepted == 0


def test_several_files_in_one_load(workspace: Workspace, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", "ticket_id,created_at,Region\nA1,2025-01-01 00:00,EU\n")
    b = write(
        tmp_path / "b.jsonl",
        '{"ticket_id": "B1", "created_at": "2025-01-02 00:00", "Shop": "web"}\n'
        '{"ticket_id": "A1", "created_at": "2025-01-03 00:00"}\n',
    )
    result = workspace.ingest("tickets", [a, b])
    assert result.files == ("a.csv", "b.jsonl")
    assert [(r.file, r.row, r.column, r.reason) for r in result.rejects] == [
        ("b.jsonl", 2, "ticket_id", "repeats the row at a.csv row 2 (the first is loaded)"),
    ]
    assert result.attributes == ("region", "shop")
    assert rows(workspace, "tickets", "ticket_id, created_at, region, shop") == [
        ("A1", datetime(2025, 1, 1), "EU", None),
        ("B1", datetime(2025, 1, 2), None, "web"),
    ]
