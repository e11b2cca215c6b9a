"""Killing a load (SIGKILL) leaves the workspace exactly as the last finished load left it."""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from supportmetrics import Workspace
from supportmetrics.schema.tables import TICKETS

ROWS = 300_000
MARKER = "supportmetrics: about to commit"
REGION = len(TICKETS.columns)  # the attribute column Region follows the canonical columns

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def _big_parquet(path: Path) -> None:
    """T1..T300000; T1..T3 differ from the first load (status solved), so they would update."""
    n = np.arange(1, ROWS + 1)
    created = np.datetime64("2025-01-01T00:00:00", "s") + (n * 60).astype("timedelta64[s]")
    pq.write_table(
        pa.table(
            {
                "ticket_id": pa.array(np.char.add("T", n.astype(str)), pa.string()),
                "created_at": pa.array(created, pa.timestamp("s")),
                "status": pa.array(np.full(ROWS, "solved"), pa.string()),
                "channel": pa.array(np.where(n % 2 == 0, "email", "chat"), pa.string()),
            }
        ),
        path,
    )


class _Load:
    """``supportmetrics ingest`` in a subprocess whose stderr lines are collected as they come."""

    def __init__(self, workspace: Path, source: Path, pause: bool) -> None:
        env = dict(os.environ)
        env.pop("SUPPORTMETRICS_TEST_PAUSE_BEFORE_COMMIT", None)
        if pause:
            env["SUPPORTMETRICS_TEST_PAUSE_BEFORE_COMMIT"] = "30"
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from supportmetrics.cli import main; "
             "sys.exit(main(sys.argv[1:]))", "-w", str(workspace), "ingest", "tickets",
             str(source)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> float:
        """Seconds from start until a stderr line contains ``text``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.05)
            except queue.Empty:
                assert self.process.poll() is None, f"the load ended first: {self.seen}"
                continue
            self.seen.append(line)
            if text in line:
                return time.monotonic() - self.started
        raise AssertionError(f"no {text!r} on stderr within {timeout}s")

    def kill(self) -> None:
        assert self.process.poll() is None, "the load had already ended"
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=10) == -signal.SIGKILL


def _state(directory: Path) -> tuple[list[tuple[object, ...]], int]:
    with Workspace.open(directory) as ws:
        tickets = ws.con.execute("SELECT * FROM tickets ORDER BY ticket_id").fetchall()
        loads = ws.con.execute("SELECT count(*) FROM _sm_loads").fetchone()
    assert loads is not None
    return tickets, int(loads[0])


@pytest.mark.timeout(120)
def test_a_killed_load_leaves_the_workspace_intact(tmp_path: Path) -> None:
    directory = tmp_path / "ws"
    small = tmp_path / "small.csv"
    small.write_text(
        "ticket_id,created_at,status,Region\n"
        "T1,2025-01-01 00:01,open,EU\n"
        "T2,2025-01-01 00:02,open,EU\n"
        "T3,2025-01-01 00:03,new,US\n",
        encoding="utf-8",
    )
    with Workspace.open(directory) as ws:
        assert ws.ingest("tickets", small).inserted == 3
    first = [
        ("T1", datetime(2025, 1, 1, 0, 1), "open", "EU"),
        ("T2", datetime(2025, 1, 1, 0, 2), "open", "EU"),
        ("T3", datetime(2025, 1, 1, 0, 3), "new", "US"),
    ]
    big = tmp_path / "big.parquet"
    _big_parquet(big)
    database = directory / "supportmetrics.duckdb"
    before = database.stat().st_size  # closed, so checkpointed

    # 1. killed while the transaction is complete but not committed
    load = _Load(directory, big, pause=True)
    to_commit = load.wait_for(MARKER, timeout=60)
    load.kill()
    grown = database.stat().st_size
    tickets, loads = _state(directory)
    assert [(t[0], t[1], t[8], t[REGION]) for t in tickets] == first
    assert loads == 1
    # The killed load had written its 300,000 rows into the file (several 256 KiB blocks);
    # opening the workspace gives that space back, give or take one block of metadata.
    assert grown > before + 262_144
    assert database.stat().st_size <= before + 262_144

    # 2. killed at a random earlier moment: staging, validating or merging
    moment = random.uniform(0.2, 0.9) * to_commit
    load = _Load(directory, big, pause=True)
    time.sleep(moment)
    load.kill()
    tickets, loads = _state(directory)
    assert [(t[0], t[1], t[8], t[REGION]) for t in tickets] == first, f"killed after {moment:.2f}s"
    assert loads == 1

    # 3. the same load then completes normally
    with Workspace.open(directory) as ws:
        result = ws.ingest("tickets", big)
        assert (result.inserted, result.updated, result.unchanged) == (ROWS - 3, 3, 0)
        assert ws.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'solved'), "
            "count(region), max(created_at) FROM tickets"
        ).fetchone() == (ROWS, ROWS, 3, datetime(2025, 7, 28, 8, 0))
        assert ws.con.execute("SELECT count(*) FROM _sm_loads").fetchone() == (2,)
