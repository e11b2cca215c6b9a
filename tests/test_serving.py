"""Readers never write and never answer from old data; writers and readers wait for each other.

On the hand-made fixture (tests/engine_fixture.py): October 2025 has the tickets T1..T7, so
``ticket_volume`` for October is 7, and 8 once a ticket T9 of 5 October is loaded.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from engine_fixture import SETTINGS, build

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.engine import build_query, open_engine
from supportmetrics.errors import QueryWarning, WorkspaceError
from supportmetrics.locking import holder_path

OCT = "2025-10-01"
SRC = str(Path(__file__).resolve().parent.parent / "src")
T9 = {"ticket_id": "T9", "created_at": "2025-10-05 10:00", "channel": "email",
      "category": "billing", "priority": "normal", "customer_id": "C4", "agent_id": "a2",
      "team": "tier1", "status": "open"}


def flat(text: str) -> str:
    return " ".join(text.split())


def october_volume(engine: object) -> int:
    frame = engine.metric(build_query("ticket_volume", "month", start=OCT, end="2025-11-01"))  # type: ignore[attr-defined]
    return int(frame.value.iloc[0])


@pytest.fixture()
def directory(tmp_path: Path) -> Path:
    build(tmp_path / "ws").close()
    return tmp_path / "ws"


def files(directory: Path) -> dict[str, tuple[str, int]]:
    """Every file of the workspace directory: sha256 and modification time (ns)."""
    return {
        str(p.relative_to(directory)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                        p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*")) if p.is_file()
    }


def child(code: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": SRC, **env},
    )


def test_reading_leaves_the_workspace_byte_for_byte_as_it_was(
    directory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files(directory)
    assert "supportmetrics.duckdb" in before and "supportmetrics.duckdb.checked" in before
    with Workspace.open(directory, read_only=True) as ws:
        assert october_volume(ws.engine()) == 7
        assert [t.rows for t in ws.tables()][:2] == [8, 32]  # tickets T1..T8, events e1..e32
        ws.engine().explain(build_query("tickets_solved", "month", start=OCT, end="2025-11-01"))
    # outside a with block a reader connects for each query (and lets go after it)
    reader = Workspace.open(directory, read_only=True)
    engine = reader.engine()
    assert october_volume(engine) == 7
    assert october_volume(engine) == 7  # connected again: the same data, the same answer
    reader.close()
    for argv in (["metrics", "ticket_volume", "first_response_time", "--by", "agent_id"],
                 ["explain", "tickets_solved", "--period", "2025-10"], ["tables"], ["summary"]):
        assert main(["-w", str(directory), *argv]) == 0, capsys.readouterr().err
    assert files(directory) == before


def test_a_reader_scans_a_changed_file_without_recording_it(directory: Path) -> None:
    # the record of the last close is gone (a copied workspace): the reader scans the file and,
    # writing nothing, leaves the next opener to scan it again
    (directory / "supportmetrics.duckdb.checked").unlink()
    before = files(directory)
    with Workspace.open(directory, read_only=True) as ws:
        assert october_volume(ws.engine()) == 7
    assert files(directory) == before


def test_a_reader_refuses_to_write_and_a_missing_workspace_is_not_created(
    directory: Path, tmp_path: Path
) -> None:
    with Workspace.open(directory, read_only=True) as ws:
        with pytest.raises(WorkspaceError, match="opened read-only, cannot load data"):
            ws.ingest_frame("tickets", pd.DataFrame([T9]))
        with pytest.raises(WorkspaceError, match="opened read-only"):
            ws.refresh()
    with pytest.raises(WorkspaceError, match="no workspace here"):
        Workspace.open(tmp_path / "none", read_only=True)
    assert not (tmp_path / "none").exists()


def test_an_engine_held_across_a_load_in_this_process_answers_from_the_new_data(
    directory: Path,
) -> None:
    with Workspace.open(directory) as ws:
        held = ws.engine()
        assert october_volume(held) == 7
        reader = open_engine(ws)
        assert october_volume(reader) == 7
        ws.ingest_frame("tickets", pd.DataFrame([T9]))
        assert october_volume(held) == 8  # T1..T7 + T9
        assert october_volume(reader) == 8
        reader.close()
        with pytest.raises(WorkspaceError, match="engine was closed"):
            october_volume(reader)


def temporaries(ws: Workspace) -> list[str]:
    return [r[0] for r in ws.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY 1").fetchall()]


def test_engines_drop_their_temporary_tables_and_share_no_names(directory: Path) -> None:
    (directory / "supportmetrics.toml").write_text(
        SETTINGS + "[thresholds]\nrepeat_window_days = 40\n", encoding="utf-8")
    with Workspace.open(directory) as ws:
        assert temporaries(ws) == []
        # the store was built under another repeat window: each engine computes the per-ticket
        # sources itself, in temporary tables of its own
        first, second = open_engine(ws), open_engine(ws)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QueryWarning)  # "run supportmetrics refresh"
            assert october_volume(first) == 7
            assert october_volume(second) == 7
            mine, theirs = len(temporaries(ws)), set(temporaries(ws))
            assert mine >= 4 and len(theirs) == mine  # no name made twice
            first.close()
            # the second engine's tables stay, and it still answers
            assert 0 < len(temporaries(ws)) < mine
            assert october_volume(second) == 7
        with second:
            pass
        assert temporaries(ws) == []


HOLD = """
import sys
from supportmetrics import Workspace
from supportmetrics.engine import build_query
ws = Workspace.open(sys.argv[1] if len(sys.argv) > 1 else {directory!r}, read_only=True)
engine = ws.engine()
query = build_query("ticket_volume", "month", start="2025-10-01", end="2025-11-01")
print(int(engine.metric(query).value.iloc[0]), flush=True)
sys.stdin.readline()
print(int(engine.metric(query).value.iloc[0]), flush=True)
"""


def test_an_engine_held_in_another_process_answers_like_a_fresh_one_after_a_load(
    directory: Path,
) -> None:
    reader = child(HOLD.format(directory=str(directory)))
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().strip() == "7"
        # the held reader lets go of the file between queries: this load does not wait
        started = time.monotonic()
        with Workspace.open(directory) as ws:
            ws.ingest_frame("tickets", pd.DataFrame([T9]))
        assert time.monotonic() - started < 20
        with Workspace.open(directory, read_only=True) as ws:
            fresh = october_volume(ws.engine())
        assert fresh == 8  # T1..T7 + T9
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == str(fresh)
        assert reader.wait(timeout=120) == 0, reader.stderr.read() if reader.stderr else ""
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()


def wait_for_line(stream: object, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()  # type: ignore[attr-defined]
        if text in line:
            return
        if not line:
            break
    raise AssertionError(f"no {text!r} from the child")


@pytest.fixture()
def loading(directory: Path, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A child process in the middle of a load (paused just before its commit)."""
    (directory / "supportmetrics.toml").write_text(
        SETTINGS + "[engine]\nlock_timeout = 1\n", encoding="utf-8")
    source = tmp_path / "more.csv"
    source.write_text("ticket_id,created_at\nT9,2025-10-05 10:00\n", encoding="utf-8")
    load = child(
        "import sys; from supportmetrics.cli import main; sys.argv = ['supportmetrics', '-w', "
        f"{str(directory)!r}, 'ingest', 'tickets', {str(source)!r}]; sys.exit(main())",
        SUPPORTMETRICS_TEST_PAUSE_BEFORE_COMMIT="60",
    )
    try:
        wait_for_line(load.stderr, "about to commit", 120)
        yield load
    finally:
        load.kill()
        load.wait()


def test_a_reader_meeting_a_running_load_waits_then_names_it(
    directory: Path, loading: subprocess.Popen[str], capsys: pytest.CaptureFixture[str]
) -> None:
    record = holder_path(directory / "supportmetrics.duckdb").read_text(encoding="utf-8")
    assert f'"pid": {loading.pid}' in record
    started = time.monotonic()
    code = main(["-w", str(directory), "metrics", "ticket_volume"])
    waited = time.monotonic() - started
    err = flat(capsys.readouterr().err)
    assert code == 2
    assert f"cannot read the workspace: it is held by process {loading.pid} " in err
    assert "(`supportmetrics -w " in err and " ingest tickets " in err
    assert "holding it since 20" in err
    assert " UTC; waited 1 s (engine.lock_timeout in supportmetrics.toml)" in err
    assert "Run the command again when that has finished" in err
    assert "Traceback" not in err
    assert waited >= 1  # it waited for the load before giving up
