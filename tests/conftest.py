"""Fixtures shared by the test modules: kept small and generic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from supportmetrics import Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace in ``tmp_path / "ws"``, closed afterwards."""
    ws = Workspace.open(tmp_path / "ws")
    try:
        yield ws
    finally:
        ws.close()
