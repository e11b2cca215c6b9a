"""Who holds the workspace, and waiting for them.

DuckDB lets one process open a database file read-write, or several processes open it
read-only, never both at once. supportmetrics follows that rule (docs/architecture.md):
commands that write (loads, ``refresh``, ``demo``, ``restore``) open the file read-write, the
others read-only. A command that meets a conflicting holder retries with a growing pause up to
``engine.lock_timeout`` seconds, then stops with exit 2 naming the holder.

A writer records itself next to the database in ``supportmetrics.duckdb.holder`` (process id,
command line, since when, UTC) and removes the record when it closes. The record is outside
the database, so writing it never touches the data; a reader never writes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from supportmetrics.errors import WorkspaceBusy
from supportmetrics.integrity import is_locked

HOLDER_SUFFIX = ".holder"
#: first pause between attempts (seconds); doubled each time up to MAX_PAUSE
FIRST_PAUSE = 0.05
MAX_PAUSE = 1.0

T = TypeVar("T")


def holder_path(database: Path) -> Path:
    return database.with_name(database.name + HOLDER_SUFFIX)


def record_holder(database: Path) -> None:
    """Write this process's holder record (a writer, once it holds the file)."""
    record = {
        "pid": os.getpid(),
        "command": " ".join(["supportmetrics", *sys.argv[1:]])
        if Path(sys.argv[0]).name == "supportmetrics" else " ".join(sys.argv) or "python",
        "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    with contextlib.suppress(OSError):  # a read-only directory: the message then lacks it
        holder_path(database).write_text(json.dumps(record) + "\n", encoding="utf-8")


def clear_holder(database: Path) -> None:
    """Remove the holder record if it is this process's."""
    path = holder_path(database)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def describe_holder(database: Path, error: BaseException) -> str:
    """Who holds the file: the writer's record, else the process id DuckDB names."""
    pid_match = re.search(r"\(PID (\d+)\)", str(error))
    pid = int(pid_match.group(1)) if pid_match else None
    with contextlib.suppress(OSError, ValueError):
        record = json.loads(holder_path(database).read_text(encoding="utf-8"))
        if pid is None or record.get("pid") == pid:
            return (f"process {record['pid']} (`{record['command']}`), holding it since "
                    f"{record['since']}")
    if pid is not None:
        return f"process {pid} (a reader, or a program other than supportmetrics)"
    return "another process"


def wait_for(database: Path, connect: Callable[[], T], timeout: float, reading: bool) -> T:
    """``connect()``, retried while another process holds the file, up to ``timeout`` s."""
    deadline = time.monotonic() + timeout
    pause = FIRST_PAUSE
    while True:
        try:
            return connect()
        except duckdb.Error as exc:
            if not is_locked(exc):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                want = "read" if reading else "write to"
                raise WorkspaceBusy(
                    f"{database.parent}: cannot {want} the workspace: it is held by "
                    f"{describe_holder(database, exc)}; waited {timeout:g} s "
                    "(engine.lock_timeout in supportmetrics.toml). Run the command again when that has finished"
                ) from exc
            time.sleep(min(pause, remaining))  # the last attempt is at the deadline
            pause = min(pause * 2, MAX_PAUSE)
