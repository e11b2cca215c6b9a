"""Helpers for the importer tests: load what an importer read, read a metric by month."""

from __future__ import annotations

from typing import Any

from supportmetrics import Workspace
from supportmetrics.importers.base import Imported

FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures" / "sources"


def load(ws: Workspace, imported: Imported) -> None:
    """The tables in load order, each load committed with no rejects, then one refresh (as
    ``import`` does)."""
    for name, table in imported.tables.items():
        result = ws.ingest_frame(name, table, label=imported.labels[name], refresh=False)
        assert result.committed, result
        assert not result.rejects, [str(r) for r in result.rejects]
    ws.refresh()


def monthly(ws: Workspace, metric: str, **kwargs: Any) -> dict[str, tuple[float, int]]:
    """{"2025-10": (value, count), ...} for the months with a value."""
    frame = ws.metric(metric, grain="month", start="2025-10-01", end="2025-12-01", **kwargs)
    return {
        str(r["period"])[:7]: (round(float(r["value"]), 6), int(r["count"]))
        for r in frame.to_dict("records") if r["value"] == r["value"]
    }
