"""A load is all or nothing: several files, failures before and after the commit, temp files.

Every expected value below is worked out by hand from the files the test writes.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.errors import LoadFailed
from supportmetrics.ingest import load as load_module


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


# --- failures while writing: a full disk ----------------------------------------------------

#: 2 good rows and 600 rows rejected for a 5,000-character handle_seconds: the rejects file
#: holds those values (600 x ~5,060 bytes ~ 3 MB) while the two rows need a few KB.
BULKY_REJECTS = "ticket_id,created_at,handle_seconds\nG1,2025-01-01 00:00,5\nG2,2025-01-02 00:00,6\n" + "".join(
    f"R{i},2025-01-03 00:00,{'x' * 5000}\n" for i in range(600)
)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 8 MB file system (tmpfs) that a test can fill up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs to fill up needs root and mount(8)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` up to ``leave`` free bytes; returns the filler file."""
    stats = os.statvfs(disk)
    filler = disk / "filler"
    with filler.open("wb") as handle:
        handle.write(b"\0" * (stats.f_bavail * stats.f_frsize - leave))
    return filler


def test_a_full_disk_while_writing_the_rejects_loads_nothing_and_leaves_no_temp_file(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = small_disk / "ws"
    first = write(tmp_path / "first.csv", "ticket_id,created_at,status\nA,2025-01-01 00:00,open\n")
    assert main(["-w", str(directory), "ingest", "tickets", str(first)]) == 0
    bulky = write(tmp_path / "bulky.csv", BULKY_REJECTS)
    filler = fill(small_disk, leave=1_000_000)  # room for the 2 rows, not for 3 MB of rejects
    capsys.readouterr()
    code = main(["-w", str(directory), "ingest", "tickets", str(bulky)])
    err = flat(capsys.readouterr().err)
    assert code == 2
    assert (
        "error: loading tickets failed while writing its rejects file: No space left on device. "
        "Nothing was loaded: the workspace is as it was before this load; free some disk space "
        "and load again"
    ) in err
    assert "Traceback" not in err
    assert sorted(p.name for p in (directory / "rejects").iterdir()) == []  # no .csv.tmp
    filler.unlink()
    assert tickets(directory) == [("A", "open")]
    assert loads(directory) == 1
    # with the space back, the same load goes through: 2 rows in, 600 rejected
    assert main(["-w", str(directory), "ingest", "tickets", str(bulky)]) == 3
    assert tickets(directory) == [("A", "open"), ("G1", None), ("G2", None)]
    assert [p.suffix for p in (directory / "rejects").iterdir()] == [".csv"]


def test_a_full_disk_while_committing_loads_nothing(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = small_disk / "ws"
    first = write(tmp_path / "first.csv", "ticket_id,created_at,status\nA,2025-01-01 00:00,open\n")
    assert main(["-w", str(directory), "ingest", "tickets", str(first)]) == 0
    # 20,000 good rows: their write-ahead log (~2.5 MB) does not fit in 200 KB
    many = write(
        tmp_path / "many.csv",
        "ticket_id,created_at,category\n"
        + "".join(f"M{i},2025-02-01 00:00,a category long enough to fill a log {i}\n" for i in range(20_000)),
    )
    filler = fill(small_disk, leave=200_000)
    capsys.readouterr()
    code = main(["-w", str(directory), "ingest", "tickets", str(many)])
    err = flat(capsys.readouterr().err)
    assert code == 2
    assert "error: loading tickets failed while" in err
    assert "No space left on device" in err
    assert "Nothing was loaded: the workspace is as it was before this load" in err
    assert "Traceback" not in err
    filler.unlink()
    assert tickets(directory) == [("A", "open")]
    assert loads(directory) == 1


class _FullDisk:
    """A rejects file on a disk that fills up after ``room`` characters (a seam, not a mock:
    the text really goes to the file until the disk is 'full')."""

    def __init__(self, path: Path, room: int) -> None:
        self.handle = path.open("w", newline="", encoding="utf-8")
        self.room = room

    def write(self, text: str) -> int:
        if len(text) > self.room:
            self.handle.write(text[: self.room])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(text)
        return self.handle.write(text)

    def flush(self) -> None:
        self.handle.flush()

    def fileno(self) -> int:
        return self.handle.fileno()

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def test_a_failed_load_gives_its_file_space_back(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.ingest("tickets", write(tmp_path / "a.csv", "ticket_id,created_at\nA,2025-01-01\n"))
    database = tmp_path / "ws" / "supportmetrics.duckdb"
    workspace.con.execute("CHECKPOINT")  # the first load, from the log into the file
    before = database.stat().st_size
    # 300,000 rows (written into the database file before the commit, ~2.6 MB) and one reject;
    # writing the rejects file fails after 20 characters, so the load is rolled back
    big = tmp_path / "big.parquet"
    n = 300_000
    pq.write_table(
        pa.table(
            {
                "ticket_id": [f"B{i}" for i in range(n)],
                "created_at": pa.array([datetime(2025, 3, 1)] * n, pa.timestamp("s")),
                "category": [f"category {i}" for i in range(n)],
                "handle_seconds": pa.array([-1.0] + [1.0] * (n - 1)),
            }
        ),
        big,
    )
    monkeypatch.setattr(load_module, "open_rejects", lambda path: _FullDisk(path, room=20))
    with pytest.raises(LoadFailed, match="Nothing was loaded") as failure:
        workspace.ingest("tickets", big)
    assert failure.value.committed is False
    assert workspace.con.execute("SELECT ticket_id FROM tickets").fetchall() == [("A",)]
    assert list((tmp_path / "ws" / "rejects").iterdir()) == []
    # The file is back to its size before the load, give or take one 256 KiB block of
    # metadata the checkpoint may write; without giving the space back it keeps ~2.6 MB more.
    assert database.stat().st_size <= before + 262_144
