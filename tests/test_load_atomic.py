"""A load is all or nothing: several files, failures before and after the commit, temp files.

Every expected value below is worked out by hand from the files the test writes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def flat(text: str) -> str:
    """Console output with its line wrapping undone."""
    return " ".join(text.split())


def tickets(directory: Path) -> list[tuple[object, ...]]:
    with Workspace.open(directory) as ws:
        return ws.con.execute("SELECT ticket_id, status FROM tickets ORDER BY ALL").fetchall()


def loads(directory: Path) -> int:
    with Workspace.open(directory) as ws:
        row = ws.con.execute("SELECT count(*) FROM _sm_loads").fetchone()
    assert row is not None
    return int(row[0])


# --- several files --------------------------------------------------------------------------


def test_a_missing_file_loads_none_of_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "ws"
    first = write(tmp_path / "first.csv", "ticket_id,created_at,status\nA,2025-01-01 00:00,open\n")
    assert main(["-w", str(directory), "ingest", "tickets", str(first)]) == 0
    # good.csv would update A and add B; missing.csv does not exist
    good = write(
        tmp_path / "good.csv",
        "ticket_id,created_at,status\nA,2025-01-01 00:00,solved\nB,2025-01-02 00:00,new\n",
    )
    capsys.readouterr()
    code = main(["-w", str(directory), "ingest", "tickets", str(good), str(tmp_path / "missing.csv")])
    captured = capsys.readouterr()
    assert code == 2
    assert "missing.csv: no such file" in flat(captured.err)
    assert (
        "tickets: nothing loaded: 1 of 2 file(s) could not be loaded, and a load is all or "
        "nothing" in flat(captured.out)
    )
    assert "accepted" not in captured.out  # no summary that reads as if rows were loaded
    assert tickets(directory) == [("A", "open")]
    assert loads(directory) == 1  # only the first load is recorded
    assert not (directory / "rejects").exists()


def test_a_file_the_mapping_does_not_fit_loads_none_of_the_others(
    workspace: Workspace, tmp_path: Path
) -> None:
    good = write(tmp_path / "good.csv", "ticket_id,created_at\nA,2025-01-01 00:00\n")
    # no column of other.csv is found to give ticket_id (the key) or created_at
    other = write(tmp_path / "other.csv", "Reference,Opened\nB,2025-01-02 00:00\n")
    result = workspace.ingest("tickets", [good, other])
    assert not result.committed
    assert [p.file for p in result.file_problems] == ["other.csv"]
    assert (result.accepted, result.inserted, result.rejected_rows) == (0, 0, 0)
    assert result.rows_read == 1  # good.csv's one row was read, then left out
    assert workspace.con.execute("SELECT count(*) FROM tickets").fetchone() == (0,)
    # the staged copies of good.csv are gone too
    assert workspace.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE '_sm_%'"
    ).fetchone() == (0,)


def test_when_every_file_loads_the_load_commits(workspace: Workspace, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", "ticket_id,created_at\nA,2025-01-01 00:00\n")
    b = write(tmp_path / "b.csv", "ticket_id,created_at\nB,2025-01-02 00:00\n")
    result = workspace.ingest("tickets", [a, b])
    assert result.committed and result.ok and result.inserted == 2
    assert workspace.con.execute("SELECT ticket_id, created_at FROM tickets ORDER BY 1").fetchall() == [
        ("A", datetime(2025, 1, 1)),
        ("B", datetime(2025, 1, 2)),
    ]
