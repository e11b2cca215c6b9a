"""What the JSON and log importers share: reading records, instants, rows and rejects.

Importers build plain Python rows (one dict per canonical row) from the source's records, then
:class:`Rows` turns them into Arrow tables with the canonical columns first. Every instant is
written as an ISO 8601 text with its offset (UTC for Unix times), or kept as the source wrote
it when it has no offset (the workspace ``timezone`` then reads it, as ``ingest`` does).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from supportmetrics.errors import InputFileError
from supportmetrics.importers.base import Imported
from supportmetrics.ingest.load import Reject
from supportmetrics.schema import TABLES, ColumnType

#: the keys under which a vendor's API pages carry their records
LIST_KEYS = (
    "conversations", "payload", "data", "tickets", "articles", "history", "admins", "teams",
    "users", "groups", "agents", "inboxes", "records", "result", "results", "items",
)


@dataclass(frozen=True)
class Record:
    """One source record and where it was read: file label and 1-based position."""

    label: str
    row: int
    data: dict[str, Any]


def read_records(path: Path) -> list[Record]:
    """The records of a JSON or JSON Lines file.

    A JSON file may hold a list of records, an API page (an object whose list is under one of
    :data:`LIST_KEYS`, e.g. Intercom's ``{"type": "conversation.list", "conversations": [...]}``),
    a list of such pages, or one record. Keys starting with ``_`` (a file's own header, e.g.
    ``_source``) are ignored.
    """
    label = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot be read ({exc})") from exc
    try:
        parsed: Any = json.loads(text)
    except json.JSONDecodeError as first:
        try:
            parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            raise InputFileError(
                f"{path}: is not JSON or JSON Lines (line {first.lineno}, column {first.colno}: "
                f"{first.msg})"
            ) from first
    items = list(_unwrap(parsed))
    return [Record(label, i, item) for i, item in enumerate(items, start=1)]


def _unwrap(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _unwrap(item)
        return
    if not isinstance(value, dict):
        return
    if isinstance(value.get("data"), dict) and "id" not in value:
        yield from _unwrap(value["data"])  # Chatwoot: {"data": {"meta": ..., "payload": [...]}}
        return
    for key in LIST_KEYS:
        if isinstance(value.get(key), list) and not _is_record_with_list(value, key):
            for item in value[key]:
                yield from _unwrap(item)
            return
    yield value


def _is_record_with_list(value: dict[str, Any], key: str) -> bool:
    """A record that merely carries a list (a Chatwoot conversation with its ``messages``)."""
    return key == "payload" and "id" in value


def instant(value: Any) -> str | None:
    """A source time as ISO 8601 text: Unix seconds (UTC) or ISO text; None when empty.

    Raises ValueError for a value that is neither.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("is not a time")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC).isoformat()
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(float(text), UTC).isoformat()
    parsed = parse_time(text)
    return text if parsed.tzinfo is None else parsed.isoformat()


def parse_time(text: str) -> datetime:
    """ISO 8601 text (``Z`` allowed) as a datetime; ValueError when it is not."""
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" UTC", "+00:00"))


def sort_key(iso: str) -> tuple[int, datetime]:
    """Orders instants written by :func:`instant` (naive ones after aware ones of the same
    wall time; a source mixes them only when its own export does)."""
    parsed = parse_time(iso)
    if parsed.tzinfo is None:
        return (1, parsed)
    return (0, parsed.astimezone(UTC).replace(tzinfo=None))


def text(value: Any) -> str | None:
    """A source id or text as str (None for empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``, None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


@dataclass
class Rows:
    """Canonical rows being built, per table, with the rejects of records that could not be."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)

    def add(self, table: str, row: dict[str, Any], label: str) -> None:
        self.rows.setdefault(table, []).append(row)
        if label not in self.labels.setdefault(table, []):
            self.labels[table].append(label)

    def reject(self, record: Record, column: str, value: Any, reason: str) -> None:
        shown = "" if value is None else str(value)
        self.rejects.append(Reject(record.label, record.row, column, shown[:200], reason))

    def time(self, record: Record, column: str, value: Any, required: bool = False) -> str | None:
        """``value`` as an instant, or None with a reject (required and empty, or unreadable).

        The caller leaves the record out when a required time is None.
        """
        try:
            iso = instant(value)
        except (ValueError, OverflowError, OSError):
            self.reject(record, column, value, "is not a time (Unix seconds or ISO 8601)")
            return None
        if iso is None and required:
            self.reject(record, column, None, "is empty (required)")
        return iso

    def imported(self, order: Iterable[str] = ("tickets", "ticket_events", "surveys")) -> Imported:
        tables: dict[str, pa.Table] = {}
        labels: dict[str, str] = {}
        for name in order:
            rows = self.rows.get(name)
            if rows:
                tables[name] = table_of(name, _unique(rows, TABLES[name].key))
                labels[name] = ", ".join(self.labels[name])
        figures = None
        if self.figures:
            figures = pa.Table.from_pylist(self.figures)
        return Imported(tables=tables, labels=labels, rejects=self.rejects, figures=figures)


def _unique(rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows with the last of each key (a record read twice, e.g. from two API pages)."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        seen[tuple(row.get(k) for k in key)] = row
    return list(seen.values())


_ARROW = {
    ColumnType.TEXT: pa.string(),
    ColumnType.TIMESTAMP: pa.string(),
    ColumnType.NUMBER: pa.float64(),
    ColumnType.BOOL: pa.bool_(),
    ColumnType.DATE: pa.string(),
}


def table_of(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as an Arrow table: the canonical columns they use, in the table's order, then the
    other (attribute) columns as text, in first-seen order."""
    spec = TABLES[name]
    used: dict[str, None] = {}
    for row in rows:
        for column, value in row.items():
            if value is not None:
                used.setdefault(column, None)
    for column in spec.key:
        used.setdefault(column, None)
    canonical = [c for c in spec.columns if c.name in used]
    extra = [c for c in used if c not in spec.column_names]
    arrays: dict[str, pa.Array] = {}
    for spec_column in canonical:
        arrays[spec_column.name] = pa.array(
            [row.get(spec_column.name) for row in rows], _ARROW[spec_column.type]
        )
    for name_ in extra:
        arrays[name_] = pa.array([text(row.get(name_)) for row in rows], pa.string())
    return pa.table(arrays)
