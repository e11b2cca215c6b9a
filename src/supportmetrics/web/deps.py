"""What the pages and the API share: the workspace they read.

The app holds one read-only :class:`~supportmetrics.workspace.Workspace` for its lifetime
(``app.state.workspace``); its engines follow the load generation, so an answer never comes from
data older than the last finished load.
"""

from __future__ import annotations

from fastapi import Request

from supportmetrics.workspace import Workspace


def reader(request: Request) -> Workspace:
    """The app's read-only workspace (a FastAPI dependency; callers do not close it)."""
    workspace: Workspace = request.app.state.workspace
    return workspace
