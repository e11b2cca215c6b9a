"""Fixtures shared by the test modules: kept small and generic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_fixture import build

from supportmetrics import Workspace
from supportmetrics.reports import Report, build_report


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace in ``tmp_path / "ws"``, closed afterwards."""
    ws = Workspace.open(tmp_path / "ws")
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    """The hand-made workspace of tests/engine_fixture.py, one per test module that reads it.

    Modules that change their workspace, or need other settings, define their own ``ws``.
    """
    workspace = build(tmp_path_factory.mktemp(request.module.__name__) / "ws")
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def report(ws: Workspace) -> Report:
    """The October 2025 report of the hand-made workspace."""
    return build_report(ws, period="2025-10")
