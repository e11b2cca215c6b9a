"""Load what an importer read: each table through the workspace's load, then one refresh.

Every table goes through :meth:`Workspace.ingest_frame` (the same typing, validation, rejects
and idempotent upserts on the table's key as ``ingest``), in the order the importer gives
(tickets before their events), without a refresh in between; the stored per-ticket tables are
refreshed once at the end. The importer's own rejects (records it could not turn into canonical
rows) are written to the workspace's ``rejects/`` directory like a load's, and reported with
the loads' rejects.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from supportmetrics.config import TableMapping
from supportmetrics.csv_cells import safe_row
from supportmetrics.importers.base import Imported
from supportmetrics.ingest.load import LoadResult, Reject, open_rejects

if TYPE_CHECKING:
    from supportmetrics.workspace import Workspace

REJECTS_DIR = "rejects"


@dataclass(frozen=True)
class ImportResult:
    """What one import (or one sync) loaded, table by table, and what it could not read."""

    source: str
    loads: tuple[LoadResult, ...]
    #: records the importer itself could not turn into canonical rows
    rejects: tuple[Reject, ...] = ()
    rejects_path: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.rejects and all(load.ok for load in self.loads)

    @property
    def committed(self) -> bool:
        return all(load.committed for load in self.loads)

    def all_rejects(self) -> list[Reject]:
        """The importer's rejects and every load's, in load order."""
        return [*self.rejects, *(r for load in self.loads for r in load.rejects)]


def load_imported(
    ws: Workspace, source: str, imported: Imported,
    progress: Callable[[str], None] = lambda message: None, refresh: bool = True,
) -> ImportResult:
    """Load ``imported`` into ``ws``; see the module docstring."""
    loads = []
    for table, paths in imported.files.items():
        progress(f"loading {table}")
        loads.append(ws.ingest(table, paths, mapping=imported.mappings[table], refresh=False))
    for table, frame in imported.tables.items():
        progress(f"loading {table} ({frame.num_rows:,} rows)")
        mapping = imported.mappings.get(table, TableMapping(table=table))
        loads.append(ws.ingest_frame(table, frame, label=imported.labels.get(table, table),
                                     mapping=mapping, refresh=False))
    path = write_rejects(ws.directory / REJECTS_DIR, source, imported.rejects)
    if refresh and any(load.committed for load in loads):
        progress("refreshing the stored tables")
        ws.refresh()
    return ImportResult(source, tuple(loads), tuple(imported.rejects), path)


def write_rejects(directory: Path, source: str, rejects: list[Reject]) -> Path | None:
    """The importer's rejects as ``rejects/<time>-<id>-import-<source>.csv`` (the columns of a
    load's rejects file: file, row, column, value, reason), written then renamed."""
    if not rejects:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = directory / f"{stamp}-{uuid.uuid4().hex[:8]}-import-{source}.csv"
    tmp = path.with_suffix(".csv.tmp")
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with open_rejects(tmp) as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "row", "column", "value", "reason"])
            writer.writerows(safe_row((r.file, r.row, r.column, r.value, r.reason))
                             for r in rejects)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
