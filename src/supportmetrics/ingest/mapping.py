"""Column and value mapping: how the columns of one file become the canonical columns.

A canonical column is taken from, in order: the mapping's ``columns`` entry, a source column of
the same name, a source column whose name normalises to it (``Ticket ID`` -> ``ticket_id``), or a
constant from ``set``. Source columns left over are kept as attribute columns, named by their
normalised name (prefixed ``attr_`` when that would clash with a canonical column).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from supportmetrics.config import TableMapping, strptime_error
from supportmetrics.errors import MappingError
from supportmetrics.schema import ColumnType, TableSpec

#: seconds per unit a file's durations may be given in (``units`` of a mapping)
UNIT_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}

_NON_WORD = re.compile(r"[\W_]+")  # Unicode-aware: letters and digits of every script are kept


def normalise_name(name: str) -> str:
    """``"Created Date"`` -> ``"created_date"``; ``"X Coordinate (State Plane)"`` ->
    ``"x_coordinate_state_plane"``; ``"ünïcödé 名前"`` -> ``"ünïcödé_名前"`` (letters of every
    script are kept, in Unicode's composed form)."""
    snake = _NON_WORD.sub("_", unicodedata.normalize("NFC", name).strip()).strip("_").lower()
    if not snake:
        snake = "column"
    if snake[0].isdigit():
        snake = "c_" + snake
    return snake


@dataclass(frozen=True)
class ResolvedMapping:
    """Where each column of the canonical table comes from, for one file."""

    sources: dict[str, str]
    constants: dict[str, str]
    attributes: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    #: values that mean "empty" in every column of the file (compared trimmed, ignoring case)
    missing: tuple[str, ...] = ()
    #: required columns the file does not give: it can only update rows already loaded
    absent_required: tuple[str, ...] = ()
    #: canonical column -> factor turning the file's unit into seconds
    scales: dict[str, float] = field(default_factory=dict)

    @property
    def provided(self) -> tuple[str, ...]:
        """Canonical columns this file gives (from a source column or a constant)."""
        return tuple(self.sources) + tuple(c for c in self.constants if c not in self.sources)


def parse_map_options(
    options: list[str], flag: str = "--map", example: str = "created_at=Created Date",
    form: str = "CANONICAL=SOURCE",
) -> dict[str, str]:
    """``["created_at=Created Date"]`` -> ``{"created_at": "Created Date"}``."""
    result: dict[str, str] = {}
    for option in options:
        if "=" not in option:
            raise MappingError(f"{flag} {option!r}: expected {form}, e.g. {example}")
        canonical, source = option.split("=", 1)
        result[canonical.strip()] = source.strip()
    return result


def resolve(
    spec: TableSpec, file_label: str, file_columns: tuple[str, ...], mapping: TableMapping
) -> ResolvedMapping:
    """Resolve a mapping against the columns of one file; raises MappingError when it cannot."""
    canonical = spec.column_names
    names = (*mapping.columns, *mapping.values, *mapping.timestamp_formats, *mapping.set,
             *mapping.units)
    for name in names:
        if name not in canonical:
            raise MappingError(
                f"{file_label}: {name!r} is not a column of {spec.name}"
                f"{_suggest(name, canonical)}; columns are: {', '.join(canonical)}"
            )
    scales: dict[str, float] = {}
    for name, unit in mapping.units.items():
        if spec.column(name).type is not ColumnType.NUMBER or not name.endswith("_seconds"):
            durations = [c.name for c in spec.columns if c.name.endswith("_seconds")]
            raise MappingError(
                f"{file_label}: a unit applies to a duration column; {name!r} is not one "
                f"(durations of {spec.name}: {', '.join(durations) or 'none'})"
            )
        if unit.strip().lower() not in UNIT_SECONDS:
            raise MappingError(
                f"{file_label}: unit {unit!r} of {name}: expected one of "
                f"{', '.join(UNIT_SECONDS)}"
            )
        scales[name] = UNIT_SECONDS[unit.strip().lower()]
    sources: dict[str, str] = {}
    for target, source in mapping.columns.items():
        if source not in file_columns:
            raise MappingError(
                f"{file_label}: the mapping takes {target} from column {source!r}, which the file "
                f"does not have{_suggest(source, file_columns)}"
            )
        sources[target] = source
    used = set(sources.values())
    by_normal: dict[str, str] = {}
    for column in file_columns:
        by_normal.setdefault(normalise_name(column), column)
    for name in canonical:
        if name in sources:
            continue
        if name in file_columns and name not in used:
            sources[name] = name
        elif name in by_normal and by_normal[name] not in used:
            sources[name] = by_normal[name]
        else:
            continue
        used.add(sources[name])
    constants = {k: v for k, v in mapping.set.items() if k not in sources}
    missing = [
        c.name for c in spec.columns if c.required and c.name not in sources and c.name not in constants
    ]
    if any(name in spec.key for name in missing):  # without its key a row cannot be placed
        raise MappingError(missing_columns_message(spec, file_label, file_columns, missing))
    attributes: dict[str, str] = {}
    for column in file_columns:
        if column in used:
            continue
        name = normalise_name(column)
        if name in canonical or name.startswith("_"):
            name = "attr_" + name.lstrip("_")
        base, n = name, 2
        while name in attributes:
            name, n = f"{base}_{n}", n + 1
        attributes[name] = column
    formats = dict(mapping.timestamp_formats)
    return ResolvedMapping(
        sources=sources,
        constants=constants,
        attributes=attributes,
        values={k: dict(v) for k, v in mapping.values.items()},
        formats=formats | {"*": mapping.timestamp_format} if mapping.timestamp_format else formats,
        missing=tuple(mapping.missing_values),
        absent_required=tuple(missing),
        scales=scales,
    )


def check_formats(mapping: TableMapping) -> None:
    """Refuse a timestamp format the database cannot read, or one without a date (it would
    store every value on 1900-01-01), before a file is read."""
    for name, fmt in {**mapping.timestamp_formats, "*": mapping.timestamp_format or ""}.items():
        shown = "--timestamp-format" if name == "*" else f"the timestamp format of {name}"
        detail = strptime_error(fmt) if fmt else None
        if detail is not None:
            raise MappingError(f"{shown} {fmt!r} cannot be used: {detail} (strptime codes such "
                               "as %Y-%m-%d %H:%M)")
        if fmt and not has_date(fmt):
            raise MappingError(
                f"{shown} {fmt!r} has no date (a year, month and day such as %Y-%m-%d): a "
                "timestamp needs one. Give the whole format of the column, e.g. '%d.%m.%Y %H:%M'"
            )


def missing_columns_message(
    spec: TableSpec, file_label: str, file_columns: tuple[str, ...], missing: list[str] | tuple[str, ...]
) -> str:
    """Required columns a file does not give, with the closest column names it has."""
    hints = "; ".join(f"{name}{_suggest(name, file_columns)}" for name in missing)
    return (
        f"{file_label}: required column(s) not found: {hints}. The file has: "
        f"{', '.join(file_columns)}. Map them with --map COLUMN=SOURCE or [mappings.{spec.name}]"
    )


_DIRECTIVE = re.compile(r"%[-_0^#]?([A-Za-z%])")


def has_date(fmt: str) -> bool:
    """Whether a strptime format gives a date: year with month and day, day of the year, or a
    whole date or epoch directive. ``%H:%M`` alone would put every value on 1900-01-01."""
    found = set(_DIRECTIVE.findall(fmt))
    if found & {"c", "x", "D", "F", "s"}:
        return True
    year = bool(found & {"Y", "y", "G"})
    return year and (bool(found & {"j"}) or (bool(found & {"m", "b", "B", "h"}) and bool(found & {"d", "e"})))


def _suggest(name: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
