"""Query answers as records: the JSON contract the command line and the HTTP API share.

``metrics --format json`` and ``GET /api/v1/metrics`` give the same records (metric, period,
the ``by`` columns, value, unit, count, ...), times in the workspace time zone with their UTC
offset; ``explain`` and ``GET /api/v1/explain`` likewise. Both front-ends call these functions.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from supportmetrics.metrics import CATALOGUE


def with_units(frame: pd.DataFrame) -> pd.DataFrame:
    """``unit`` (the catalogue's unit of each row's metric) after ``value``."""
    frame = frame.copy()
    units = frame["metric"].map(lambda m: CATALOGUE[m].unit.value) if len(frame) else []
    frame.insert(list(frame.columns).index("value") + 1, "unit", units)
    if "without_end" in frame:  # a duration metric among others: none for the others
        frame["without_end"] = frame["without_end"].astype("Int64")
    return frame


def zoned(frame: pd.DataFrame, zone: str) -> pd.DataFrame:
    """Timestamp columns (naive UTC) as times in ``zone`` carrying their offset."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            values = frame[column]
            if getattr(values.dt, "tz", None) is None:
                values = values.dt.tz_localize("UTC")
            frame[column] = values.dt.tz_convert(zone)
    return frame


def clean(record: dict[str, Any]) -> dict[str, Any]:
    """One record as JSON values: missing values as null, times and dates in ISO 8601."""
    out = {}
    for key, value in record.items():
        if value is None or value is pd.NaT or value is pd.NA or (
                isinstance(value, float) and math.isnan(value)):
            value = None
        elif hasattr(value, "isoformat"):  # a time (with its offset) or a date
            value = value.isoformat()
        elif hasattr(value, "item"):
            value = value.item()
        out[str(key)] = value
    return out


def json_records(frame: pd.DataFrame, zone: str) -> list[dict[str, Any]]:
    """``frame`` as JSON-ready records, its times in ``zone`` with their offset."""
    return [clean(r) for r in zoned(frame, zone).to_dict("records")]


def aware(table: Any) -> Any:
    """Timestamp columns (stored as UTC) marked as UTC instants."""
    import ibis.expr.datatypes as dt

    return table.mutate(**{
        name: table[name].cast(dt.Timestamp(timezone="UTC"))
        for name, dtype in table.schema().items() if dtype.is_timestamp() and not dtype.timezone
    })


def period_bounds(period: str | None, grain: str | None,
                  option: str = "--period") -> tuple[Any, Any, str]:
    """The first day, the end and the grain of a period written 2025, 2025-10 or 2025-10-06."""
    from supportmetrics.calendar import next_grain
    from supportmetrics.dates import parse_period
    from supportmetrics.engine import Grain, parse_enum

    if period is None:
        return None, None, grain or "range"
    start, natural = parse_period(period, option)
    g = grain or natural
    # grain range: the period as written (a year, a month or a day) as one range
    length = parse_enum(Grain, natural if g == "range" else g, "--grain")
    return start, next_grain(start, str(length.value)), g


def zoned_arrow(table: Any, zone: str) -> Any:
    """An Arrow table with its text cells made safe for spreadsheets (csv_cells) and its
    timestamps as times in ``zone``: what CSV exports write."""
    import pyarrow as pa

    from supportmetrics.csv_cells import safe_arrow

    arrow = safe_arrow(table)
    schema = pa.schema([
        f.with_type(pa.timestamp(f.type.unit, tz=zone)) if pa.types.is_timestamp(f.type) else f
        for f in arrow.schema
    ])
    return arrow.cast(schema)


def catalogue_records() -> list[dict[str, Any]]:
    """The catalogue as records: id, title, unit, direction, kind, definition, source, ..."""
    from supportmetrics.metrics import direction_label
    from supportmetrics.metrics.reference import expression

    return [
        {"id": m.id, "title": m.title, "unit": m.unit.value, "direction": direction_label(m),
         "kind": m.kind, "anchor": m.anchor, "dimensions": list(m.dimensions),
         "definition": m.definition, "expression": expression(m, markdown=False),
         "variant_of": m.variant_of, "source": m.article, "headline": m.headline,
         "tile": m.tile, "primary": m.primary, "format": m.shown_as.value}
        for m in CATALOGUE.values()
    ]
