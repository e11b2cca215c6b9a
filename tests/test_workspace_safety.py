"""A damaged workspace is found out before it is read or written; check, backup and restore.

The damaged files are made from one workspace of 20,000 tickets: cut to half its length, and
with 200 bytes flipped at a seeded place. Every expected count is worked out by hand.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.errors import WorkspaceDamaged

TICKETS = 20_000


def flat(text: str) -> str:
    return " ".join(text.split())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace of 20,000 tickets T0..T19999, closed (so checkpointed and recorded)."""
    root = tmp_path_factory.mktemp("safety")
    source = root / "tickets.csv"
    source.write_text(
        "ticket_id,created_at,status,channel\n"
        + "".join(f"T{i},2025-01-01 00:{i % 60:02d},open,email\n" for i in range(TICKETS)),
        encoding="utf-8",
    )
    with Workspace.open(root / "whole") as ws:
        # without the stored per-ticket tables: the file holds the tickets and little else
        assert ws.ingest("tickets", source, refresh=False).inserted == TICKETS
    return root / "whole"


def damaged(whole: Path, tmp_path: Path, how: str) -> Path:
    """A copy of ``whole`` whose database is cut short or has 200 flipped bytes."""
    copy = tmp_path / how
    shutil.copytree(whole, copy)
    database = copy / "supportmetrics.duckdb"
    data = bytearray(database.read_bytes())
    if how == "truncated":
        del data[len(data) // 2 :]
    elif how == "flipped":
        # 200 bytes inverted at a seeded place past the file's three 4 KiB headers (it falls in
        # the catalog, so the database does not even open)
        start = random.Random(20251201).randrange(3 * 4096, len(data) - 200)
    else:
        # 200 bytes inverted at a seeded place in the second 256 KiB block, which holds ticket
        # rows: the database opens and only reading the rows finds the damage
        first = 3 * 4096 + 262_144
        start = random.Random(7).randrange(first, first + 262_144 - 200)
    if how != "truncated":
        for i in range(start, start + 200):
            data[i] ^= 0xFF
    database.write_bytes(bytes(data))
    return copy


def more_tickets(tmp_path: Path) -> Path:
    path = tmp_path / "more.csv"
    path.write_text("ticket_id,created_at\nN1,2025-02-01 00:00\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["truncated", "flipped", "flipped-rows"])
@pytest.mark.parametrize(
    "command",
    [["tables"], ["metrics", "ticket_volume"], ["ingest", "tickets", "{more}"], ["summary"]],
    ids=["tables", "metrics", "ingest", "summary"],
)
def test_a_damaged_workspace_is_refused_with_how_to_recover(
    whole: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str, command: list[str]
) -> None:
    directory = damaged(whole, tmp_path, how)
    database = directory / "supportmetrics.duckdb"
    before = digest(database)
    argv = [a.format(more=more_tickets(tmp_path)) for a in command]
    code = main(["-w", str(directory), *argv])
    captured = capsys.readouterr()
    assert code == 2
    err = flat(captured.err)
    assert "the workspace database is damaged (" in err
    assert "Nothing was read from or written to it" in err
    assert "`supportmetrics check`" in err and "`supportmetrics restore BACKUP_DIR`" in err
    assert "Traceback" not in err and captured.out == ""
    assert digest(database) == before  # not written to
    assert not (directory / "supportmetrics.duckdb.wal").exists()


def test_the_api_raises_workspace_damaged(whole: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkspaceDamaged, match="it was cut short"):
        Workspace.open(damaged(whole, tmp_path, "truncated"))
    # DuckDB itself opens the file with damaged rows: only reading them shows the damage
    opened = duckdb.connect(str(damaged(whole, tmp_path / "raw", "flipped-rows") / "supportmetrics.duckdb"))
    # 11 canonical tables, _sm_loads and _sm_state (the load generation)
    assert opened.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (13,)
    opened.close()
    for how in ("flipped", "flipped-rows"):
        with pytest.raises(WorkspaceDamaged, match="Corrupt database file: computed checksum"):
            Workspace.open(damaged(whole, tmp_path, how))


def test_check_reports_a_whole_and_a_damaged_workspace(
    whole: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-w", str(whole), "check"]) == 0
    # 20,000 tickets + 1 row of the load history + 1 of the load generation, in the 13 tables
    # (11 canonical + loads + generation)
    assert flat(capsys.readouterr().out).endswith(
        "whole: 13 tables, 20,002 rows read, every block's checksum verified"
    )
    for how in ("truncated", "flipped", "flipped-rows"):
        assert main(["-w", str(damaged(whole, tmp_path, how)), "check"]) == 2
        err = flat(capsys.readouterr().err)
        assert "damaged: " in err and "Restore the last backup with `supportmetrics restore" in err


def test_backup_and_restore_bring_the_workspace_back(
    whole: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "ws"
    shutil.copytree(whole, directory)
    backup = tmp_path / "backup"
    assert main(["-w", str(directory), "backup", str(backup)]) == 0
    assert (
        f"backed up 13 tables (20,002 rows, {(backup / 'supportmetrics.duckdb').stat().st_size:,} "
        "bytes) to " in flat(capsys.readouterr().out)
    )
    assert sorted(p.name for p in backup.iterdir()) == [
        "supportmetrics-backup.json", "supportmetrics.duckdb", "supportmetrics.toml",
    ]
    # a later load (one more ticket), then the file is damaged
    assert main(["-w", str(directory), "ingest", "tickets", str(more_tickets(tmp_path))]) == 0
    database = directory / "supportmetrics.duckdb"
    data = bytearray(database.read_bytes())
    del data[len(data) // 2 :]
    database.write_bytes(bytes(data))
    damaged_bytes = len(data)
    capsys.readouterr()

    assert main(["-w", str(directory), "restore", str(backup)]) == 0
    out = flat(capsys.readouterr().out)
    assert "(13 tables, 20,002 rows)" in out
    kept = [p for p in directory.iterdir() if ".before-restore-" in p.name]
    assert sorted(p.name.split(".before-restore-")[0] for p in kept) == [
        "supportmetrics.duckdb", "supportmetrics.toml",
    ]
    damaged_copy = next(p for p in kept if p.name.startswith("supportmetrics.duckdb"))
    assert damaged_copy.stat().st_size == damaged_bytes  # the replaced file, as it was
    assert main(["-w", str(directory), "check"]) == 0
    with Workspace.open(directory) as ws:
        # the backup's 20,000 tickets; N1, loaded after the backup, is not in it
        assert ws.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE ticket_id = 'N1') FROM tickets"
        ).fetchone() == (TICKETS, 0)


def test_a_damaged_backup_is_not_restored(
    whole: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "ws"
    shutil.copytree(whole, directory)
    backup = tmp_path / "backup"
    assert main(["-w", str(directory), "backup", str(backup)]) == 0
    copy = backup / "supportmetrics.duckdb"
    data = bytearray(copy.read_bytes())
    data[5000] ^= 0x01  # one bit
    copy.write_bytes(bytes(data))
    before = digest(directory / "supportmetrics.duckdb")
    capsys.readouterr()
    assert main(["-w", str(directory), "restore", str(backup)]) == 2
    assert "the backup is damaged: the file differs from its checksum" in flat(capsys.readouterr().err)
    assert digest(directory / "supportmetrics.duckdb") == before
    assert not [p for p in directory.iterdir() if "restor" in p.name]


def test_backup_refuses_a_directory_that_is_not_empty(
    whole: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "ws"
    shutil.copytree(whole, directory)
    target = tmp_path / "used"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["-w", str(directory), "backup", str(target)]) == 2
    assert "exists and is not an empty directory" in flat(capsys.readouterr().err)
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_restore_refuses_while_another_process_uses_the_workspace(
    whole: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "ws"
    shutil.copytree(whole, directory)
    backup = tmp_path / "backup"
    assert main(["-w", str(directory), "backup", str(backup)]) == 0
    database = directory / "supportmetrics.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); time.sleep(60)", str(database)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        before = digest(database)
        capsys.readouterr()
        assert main(["-w", str(directory), "restore", str(backup)]) == 2
        assert "another supportmetrics process is using the workspace; let it finish, then restore" in flat(
            capsys.readouterr().err
        )
        assert digest(database) == before
        assert not [p for p in directory.iterdir() if "restor" in p.name]
    finally:
        holder.kill()
        holder.wait(timeout=10)
