"""What every importer returns: canonical tables read from a helpdesk's own files or API.

An importer turns a source's export (or API pages) into rows of the canonical tables
(docs/data.md), with canonical column names; the rows then go through the same validation,
rejects and idempotent, all-or-nothing loads as ``ingest``. Rows the importer itself cannot
turn into canonical rows (a malformed record, an unknown event kind) are returned as
:class:`~supportmetrics.ingest.load.Reject` with the file, row, column and reason, never
dropped in silence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from supportmetrics.config import TableMapping
from supportmetrics.errors import InputFileError
from supportmetrics.ingest.load import Reject


@dataclass
class Imported:
    """The canonical tables read from a source, in load order, and what could not be read."""

    #: canonical table name -> its rows (canonical column names; extra columns become
    #: attribute columns, as with ``ingest``). Loaded in this order (tickets before events).
    tables: dict[str, pa.Table] = field(default_factory=dict)
    #: label of each table's rows in load reports and rejects (e.g. "tickets.json")
    labels: dict[str, str] = field(default_factory=dict)
    #: records the importer could not turn into canonical rows
    rejects: list[Reject] = field(default_factory=list)
    #: the source's own per-ticket figures, for ``import --check`` (ticket_id and one column per
    #: figure, e.g. first_response_seconds, in seconds; business or calendar as the source says)
    figures: pa.Table | None = None
    #: a table's mapping when its rows are not in canonical shape yet (an export read as it is:
    #: columns, values, units); tables without one load with canonical names as they are
    mappings: dict[str, TableMapping] = field(default_factory=dict)
    #: canonical table -> export files the load reads itself, with the table's mapping (a CSV
    #: export in its own shape: rejects then name the file's own lines). Loaded before
    #: ``tables``.
    files: dict[str, list[Path]] = field(default_factory=dict)

    def add(self, table: str, rows: Sequence[Mapping[str, object]], label: str) -> None:
        """Add ``rows`` (dicts of canonical columns) as ``table``; no rows adds nothing."""
        if rows:
            self.tables[table] = rows_table(rows)
            # a rejected row is numbered among the rows read into the table, not the file's
            self.labels[table] = f"{table} read from {label}"

    def reject(self, file: str, row: int, column: str, value: object, reason: str) -> None:
        self.rejects.append(Reject(file, row, column, "" if value is None else str(value), reason))


class Importer(Protocol):
    """A source's export reader: ``supportmetrics import NAME PATH...``."""

    #: the source's name on the command line (``zendesk``)
    name: str
    #: one line for ``import --help``
    title: str

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        """Read the export files (any order; each recognised by its content or name)."""
        ...


def rows_table(rows: Iterable[Mapping[str, object]]) -> pa.Table:
    """An Arrow table of text columns from dicts (the union of their keys, in first-seen order);
    ``None`` is empty. The load types the text as any file's (same checks, same rejects)."""
    rows = list(rows)
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return pa.table({
        name: pa.array([text(row.get(name)) for row in rows], type=pa.string())
        for name in columns
    })


def text(value: object) -> str | None:
    """A JSON value as the text a canonical column reads (``True`` -> ``true``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def read_json(path: Path) -> Any:
    """A JSON file's value, or a JSON Lines file's records as a list."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read: {exc.strerror}") from None
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        records = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputFileError(f"{path} line {number}: not JSON ({exc.msg})") from None
        return records
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{path} line {exc.lineno}: not JSON ({exc.msg}); an export "
                             "file of the source is expected") from None


def epoch_text(seconds: object) -> str | None:
    """A Unix time in seconds as an ISO 8601 UTC timestamp."""
    if seconds is None or isinstance(seconds, bool):
        return None
    return datetime.fromtimestamp(float(str(seconds)), UTC).isoformat()


def present(mapping: TableMapping, frames: Sequence[pa.Table]) -> TableMapping:
    """``mapping`` without the columns (and their units) that some of the files lack: an
    export with fewer columns loads what it has."""
    have = set.intersection(*(set(frame.column_names) for frame in frames))
    columns = {k: v for k, v in mapping.columns.items() if v in have}
    return mapping.model_copy(update={
        "columns": columns, "units": {k: v for k, v in mapping.units.items() if k in columns}})
