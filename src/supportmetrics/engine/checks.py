"""Checks of the catalogue's declarations: what a metric names must exist and agree.

:func:`check_catalogue` returns the issues of a catalogue (empty when it is sound): ids it
names that are not metrics, columns and dimensions its units do not have, expressions that
cannot be computed on them, units that do not fit the kind, presentation places taken twice.
The units' columns come from the engine (``engine.sources.unit_tables``), which builds every
source over empty tables of the canonical schema; nothing is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
from ibis import Deferred

from supportmetrics.config import Settings
from supportmetrics.metrics.model import (
    Combined,
    Count,
    Derived,
    Duration,
    Format,
    Metric,
    Part,
    Rollup,
    Snapshot,
    Unit,
    resolve,
    setting,
)

_COLUMN_FIELDS = ("anchor", "start", "end", "opened", "closed", "age_from", "count_distinct")
_EXPRESSION_FIELDS = ("where", "numerator", "denominator", "measure", "value")
#: the units a format fits
_FORMAT_UNITS = {
    Format.DURATION: {Unit.SECONDS},
    Format.MONEY: {Unit.MONEY},
    Format.PERCENT: {Unit.PERCENT, Unit.POINTS},
}


def check_catalogue(
    units: Mapping[str, Any],
    catalogue: Mapping[str, Metric] | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """The issues of ``catalogue`` (the whole catalogue by default), one sentence each.

    ``units``: each unit source's table by name (``engine.sources.unit_tables()``), whose
    columns the declarations must name; ``settings``: those ``S`` resolves to (the defaults).
    """
    if catalogue is None:
        from supportmetrics.metrics import CATALOGUE

        catalogue = CATALOGUE
    settings = settings or Settings()
    issues: list[str] = []
    for key, metric in catalogue.items():
        found: list[str] = []
        if key != metric.id:
            found.append(f"declared under the id {key!r}")
        found += _ids(metric, catalogue)
        found += _units_of(metric, catalogue)
        found += _columns(metric, units, catalogue, settings)
        issues += [f"{metric.id}: {text}" for text in found]
    issues += _places(catalogue)
    return issues


def _ids(metric: Metric, catalogue: Mapping[str, Metric]) -> list[str]:
    found = []
    if metric.variant_of is not None and metric.variant_of not in catalogue:
        found.append(f"variant_of names {metric.variant_of!r}, which is not a metric id")
    if isinstance(metric, Rollup) and metric.of not in catalogue:
        found.append(f"rolls up {metric.of!r}, which is not a metric id")
    if isinstance(metric, Derived):
        for name, metric_id in metric.inputs.items():
            if metric_id not in catalogue:
                found.append(f"input {name!r} names {metric_id!r}, which is not a metric id")
        if metric.count_input not in metric.inputs:
            found.append(f"count_input {metric.count_input!r} is not one of its inputs")
    if isinstance(metric, Combined) and metric.count_part not in metric.parts:
        found.append(f"count_part {metric.count_part!r} is not one of its parts")
    return found


def _units_of(metric: Metric, catalogue: Mapping[str, Metric]) -> list[str]:
    """The metric's unit against its kind, scale and format."""
    found = []
    unit = metric.unit
    if isinstance(metric, Duration | Snapshot) or (isinstance(metric, Count)
                                                    and metric.measure is None):
        expected = Unit.SECONDS if isinstance(metric, Duration) else Unit.COUNT
        if unit is not expected:
            found.append(f"a {metric.kind} is in {expected.value}, not {unit.value}")
    scale = getattr(metric, "scale", None)
    if scale == 100.0 and unit not in (Unit.PERCENT, Unit.POINTS):
        found.append(f"scale 100 gives a percent or points, but its unit is {unit.value}")
    if scale == 1.0 and unit in (Unit.PERCENT, Unit.POINTS):
        found.append(f"its unit is {unit.value}, but its scale is 1 (a share, not a percent)")
    if isinstance(metric, Rollup) and metric.of in catalogue:
        inner = catalogue[metric.of].unit
        if inner is not unit:
            found.append(f"in {unit.value}, but it rolls up {metric.of!r}, in {inner.value}")
    if metric.format is not None and unit not in _FORMAT_UNITS.get(metric.format, set(Unit)):
        found.append(f"format {metric.format.value} does not fit its unit {unit.value}")
    return found


def _columns(metric: Metric, units: Mapping[str, Any], catalogue: Mapping[str, Metric],
             settings: Settings) -> list[str]:
    """Sources, columns, dimensions and expressions against the units' tables."""
    if metric.source not in units:
        return [f"source {metric.source!r} is not a unit source (one of: {', '.join(units)})"]
    if isinstance(metric, Combined):
        return _combined(metric, units, settings)
    if isinstance(metric, Derived):
        return _derived(metric, catalogue, settings)
    if isinstance(metric, Rollup):
        return _rollup(metric, catalogue, settings)
    table = units[metric.source]
    what = f"its units ({metric.source})"
    found = _names(metric, _COLUMN_FIELDS, table, what)
    found += [f"dimension {d!r} is not a column of {what}" for d in metric.dimensions
              if d not in table.columns]
    found += [f"explain column {c!r} is not a column of {what}" for c in metric.explain_columns
              if c not in table.columns]
    found += _expressions(metric, _EXPRESSION_FIELDS, table, settings, what)
    if isinstance(metric, Snapshot):
        found += _setting("min_age_seconds", metric.min_age_seconds, settings, (int, float))
    return found


def _combined(metric: Combined, units: Mapping[str, Any], settings: Settings) -> list[str]:
    found = []
    for name, part in metric.parts.items():
        if part.source not in units:
            found.append(f"part {name!r}: source {part.source!r} is not a unit source")
            continue
        table = units[part.source]
        what = f"part {name!r} ({part.source})"
        found += [f"{what}: {text}" for text in _part(part, table, settings)]
        honoured = metric.dimensions if part.dimensions is None else part.dimensions
        found += [f"dimension {d!r} is not a column of {what}" for d in honoured
                  if d not in table.columns]
        found += [f"{what} honours {d!r}, which is not a dimension of the metric"
                  for d in part.dimensions or () if d not in metric.dimensions]
    parts = ibis.table({name: "float64" for name in (*metric.parts, "period_days")}, name="parts")
    found += _expressions(metric, ("formula",), parts, settings, "its parts")
    return found


def _part(part: Part, table: Any, settings: Settings) -> list[str]:
    columns = [part.anchor] if part.at in ("period", "upto") else [part.opened, part.closed]
    found = [f"{'time column' if not c else repr(c)} is {'missing' if not c else 'not a column'}"
             for c in columns if not c or c not in table.columns]
    if part.distinct and part.distinct not in table.columns:
        found.append(f"distinct {part.distinct!r} is not a column")
    for field in ("where", "measure"):
        expr = getattr(part, field)
        if isinstance(expr, Deferred):
            problem = _problem(expr, table, settings)
            if problem:
                found.append(f"its {field} cannot be computed: {problem}")
    return found


def _derived(metric: Derived, catalogue: Mapping[str, Metric], settings: Settings) -> list[str]:
    found = []
    known = {n: catalogue[i] for n, i in metric.inputs.items() if i in catalogue}
    for dimension in metric.dimensions:
        if known and not any(dimension in m.dimensions for m in known.values()):
            found.append(f"dimension {dimension!r} is a dimension of none of its inputs")
    inputs = ibis.table({name: "float64" for name in (*metric.inputs, "period_days")},
                        name="inputs")
    found += _expressions(metric, ("formula",), inputs, settings, "its inputs")
    return found


def _rollup(metric: Rollup, catalogue: Mapping[str, Metric], settings: Settings) -> list[str]:
    found = _setting("weights", metric.weights, settings, (dict,))
    inner = catalogue.get(metric.of)
    if inner is None:
        return found
    if metric.over not in inner.dimensions:
        found.append(f"rolls up over {metric.over!r}, which is not a dimension of {metric.of!r}")
    found += [f"dimension {d!r} is not a dimension of {metric.of!r}" for d in metric.dimensions
              if d not in inner.dimensions]
    return found


def _names(spec: Any, fields: tuple[str, ...], table: Any, what: str) -> list[str]:
    found = []
    for field in fields:
        name = getattr(spec, field, None)
        if isinstance(name, str) and name and name not in table.columns:
            found.append(f"its {field} {name!r} is not a column of {what}")
    return found


def _expressions(spec: Any, fields: tuple[str, ...], table: Any, settings: Settings,
                 what: str) -> list[str]:
    found = []
    for field in fields:
        expr = getattr(spec, field, None)
        if isinstance(expr, Deferred):
            problem = _problem(expr, table, settings)
            if problem:
                found.append(f"its {field} cannot be computed on {what}: {problem}")
    return found


def _problem(expr: Deferred, table: Any, settings: Settings) -> str:
    """Why ``expr`` cannot be computed on ``table`` ("" when it can)."""
    try:
        resolve(expr, table, settings)
    except Exception as exc:  # noqa: BLE001 -- any failure is the issue reported
        first = str(exc).strip().splitlines()
        return first[0] if first else type(exc).__name__
    return ""


def _setting(field: str, expr: Any, settings: Settings, kinds: tuple[type, ...]) -> list[str]:
    if expr is None:
        return []
    try:
        value = setting(expr, settings)
    except Exception as exc:  # noqa: BLE001 -- any failure is the issue reported
        return [f"its {field} cannot be read from the settings: {exc}"]
    if not isinstance(value, kinds):
        return [f"its {field} is a {type(value).__name__}, not a "
                f"{' or '.join(k.__name__ for k in kinds)}"]
    return []


def _places(catalogue: Mapping[str, Metric]) -> list[str]:
    """Headline and tile places each taken once."""
    found = []
    for attribute in ("headline", "tile"):
        taken: dict[int, str] = {}
        for metric in catalogue.values():
            place = getattr(metric, attribute)
            if place is None:
                continue
            if place in taken:
                found.append(f"{metric.id}: {attribute} {place} is also that of {taken[place]}")
            else:
                taken[place] = metric.id
    return found
