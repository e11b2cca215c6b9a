"""What the engine needs of a workspace, as a protocol: the engine never imports the workspace.

:class:`supportmetrics.workspace.Workspace` is the one implementation; the workspace opens
engines over itself (``Workspace.engine()``), so the import goes one way only: workspace ->
engine.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import duckdb

from supportmetrics.config import Settings


class WorkspaceView(Protocol):
    """A workspace as the engine sees it: its folder, settings, database and load generation."""

    directory: Path
    settings: Settings
    read_only: bool

    @property
    def con(self) -> duckdb.DuckDBPyConnection: ...

    @property
    def backend(self) -> Any: ...

    def session(self) -> AbstractContextManager[Any]: ...

    def generation(self) -> int: ...


__all__ = ["WorkspaceView"]
