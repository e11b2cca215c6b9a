"""The canonical tables (docs/data.md), as data: columns, types, keys and row rules."""

from __future__ import annotations

from supportmetrics.schema.tables import (
    DEFAULT_SCALES,
    TABLES,
    Column,
    ColumnType,
    RowRule,
    TableSpec,
    table_spec,
)

__all__ = ["DEFAULT_SCALES", "TABLES", "Column", "ColumnType", "RowRule", "TableSpec", "table_spec"]
