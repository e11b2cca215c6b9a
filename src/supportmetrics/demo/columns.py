"""Arrow columns from the generator's numpy arrays, and tables shaped like the canonical ones."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from supportmetrics.demo.clock import to_utc
from supportmetrics.schema import table_spec
from supportmetrics.schema.tables import ColumnType

UTC = pa.timestamp("us", tz="UTC")
ARROW_TYPES = {
    ColumnType.TEXT: pa.string(),
    ColumnType.TIMESTAMP: UTC,
    ColumnType.NUMBER: pa.float64(),
    ColumnType.BOOL: pa.bool_(),
    ColumnType.DATE: pa.date32(),
}


def ids(prefix: str, numbers: np.ndarray, width: int = 7) -> pa.Array:
    """``prefix`` + zero-padded ``numbers``: ``ids("T", [1]) == ["T0000001"]``."""
    digits = pc.utf8_lpad(pa.array(numbers.astype(np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def pick(words: Sequence[str], codes: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """``words[codes]`` as a string column; empty where ``valid`` is false."""
    mask = None if valid is None else ~valid
    return pa.array(list(words), pa.string()).take(pa.array(codes.astype(np.int32), mask=mask))


def when(local: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Local wall-clock seconds -> UTC timestamp column; empty where ``valid`` is false."""
    utc = to_utc(local) * 1_000_000
    mask = None if valid is None else ~valid
    return pa.array(utc, pa.int64(), mask=mask).cast(UTC)


def number(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A float64 column; empty where ``valid`` is false."""
    mask = None if valid is None else ~valid
    return pa.array(values.astype(np.float64), pa.float64(), mask=mask)


def text_or_null(values: pa.Array, valid: np.ndarray) -> pa.Array:
    """``values`` where ``valid``, else empty."""
    return pc.if_else(pa.array(valid), values, pa.scalar(None, pa.string()))


def canonical(name: str, columns: dict[str, object]) -> pa.Table:
    """A table with exactly the canonical columns of ``name``, in order, with their types."""
    spec = table_spec(name)
    missing = set(spec.column_names) - set(columns)
    extra = set(columns) - set(spec.column_names)
    if missing or extra:
        raise ValueError(f"{name}: missing columns {sorted(missing)}, unknown {sorted(extra)}")
    fields = [pa.field(c.name, ARROW_TYPES[c.type]) for c in spec.columns]
    arrays = [_arrow(columns[f.name]).cast(f.type) for f in fields]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _arrow(values: object) -> pa.Array | pa.ChunkedArray:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    return pa.array(values)
