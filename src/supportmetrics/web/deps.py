"""What the pages and the API share: the workspace they read.

The app holds one read-only :class:`ServedWorkspace` for its lifetime (``app.state.workspace``);
its engines follow the load generation, so an answer never comes from data older than the last
finished load.

How the server reads and loads (docs/architecture.md, "The server"):

* Every query runs in a session of the workspace, and the app runs one session at a time (a
  lock): a session opens the database read-only and lets go of the file when it ends. Between
  requests the server holds nothing, so a load in another process (``supportmetrics ingest``)
  gets the file at the first pause between two requests.
* A load through the API (``POST /api/v1/ingest/{table}``) takes the same lock, so no query is
  running; it opens the workspace read-write, loads, refreshes the stored tables and closes it.
  Queries that arrive meanwhile wait for it, then see the new generation: never half a load.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import duckdb
from fastapi import Request

from supportmetrics.workspace import Workspace

T = TypeVar("T")


class ServedWorkspace(Workspace):
    """A read-only workspace shared by the requests of one server, one session at a time."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lock = threading.RLock()
        #: True while a load through the server runs (health answers without waiting for it)
        self.loading = False

    @contextlib.contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the database for the block, the other requests' sessions waiting for it."""
        with self._lock, super().session() as con:
            yield con

    def load(self, action: Callable[[Workspace], T]) -> T:
        """Run ``action`` on the workspace opened read-write, no query running meanwhile."""
        with self._lock:
            self.loading = True
            try:
                self.release()  # DuckDB: one process reads or writes a file, never both
                writer = Workspace.open(self.directory, must_exist=True)
                try:
                    return action(writer)
                finally:
                    writer.close()
            finally:
                self.loading = False


def reader(request: Request) -> Workspace:
    """The app's read-only workspace (a FastAPI dependency; callers do not close it).

    Each query holds it for the query; ``with ws.session():`` holds it (one consistent view)
    across several queries of one page.
    """
    workspace: Workspace = request.app.state.workspace
    return workspace


def served(request: Request) -> ServedWorkspace:
    """The app's workspace with its ``load`` (the API's ingest)."""
    workspace: ServedWorkspace = request.app.state.workspace
    return workspace
