"""The CSV cell policy: text a spreadsheet would run as a formula is written with a leading quote.

A spreadsheet program that opens a CSV file treats a cell starting with ``=``, ``+``, ``-`` or
``@`` as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and a leading tab or carriage
return can hide such a cell. Every CSV file supportmetrics writes (``facts``, ``metrics`` and
``explain`` with ``--format csv``, the rejects file of a load) follows OWASP's advice for CSV
injection: a *text* cell starting with one of those characters gets a single quote (``'``) in
front, which spreadsheets show as text and do not evaluate. Numbers are written as they are,
in number columns and as text alike (``-5``, ``+3.5``, ``-1e3``: a plain number cannot be a
formula, and a rejected value ``-5`` must read ``-5``); ``-5+3`` is not a plain number and is
quoted. docs/security.md states the policy for users.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:  # pandas is imported where a frame is made safe (a load does not need it)
    import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PATTERN = "^[=+\\-@\t\r]"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NUMBER_RE = re.compile(_NUMBER)


def safe_text(value: str) -> str:
    """``value`` with a leading quote when a spreadsheet would read it as a formula."""
    if value.startswith(TRIGGERS) and not _NUMBER_RE.match(value):
        return QUOTE + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for :func:`csv.writer`: text cells made safe, other values as they are."""
    return [safe_text(v) if isinstance(v, str) else v for v in values]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells follow the policy (number columns untouched)."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_string_dtype(series) or series.dtype == object):
            continue
        # a non-text value in an object column (a number, a date) gives NA: left as it is
        hit = (series.str.match(_PATTERN, na=False) & ~series.str.match(_NUMBER, na=False)
               if _has_text(series) else None)
        if hit is not None and bool(hit.any()):
            out[column] = series.where(~hit, QUOTE + series.astype("string").fillna(""))
    return out


def _has_text(series: pd.Series) -> bool:
    try:
        series.str  # noqa: B018 - raises AttributeError when no value is text
    except AttributeError:
        return False
    return True


def safe_arrow(table: pa.Table) -> pa.Table:
    """A copy of ``table`` whose text columns follow the policy, computed column by column."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            hit = pc.and_(pc.fill_null(pc.match_substring_regex(column, _PATTERN), False),
                          pc.invert(pc.fill_null(pc.match_substring_regex(column, _NUMBER),
                                                 False)))
            quoted = pc.binary_join_element_wise(pa.scalar(QUOTE, field.type), column, "")
            column = pc.if_else(hit, quoted, column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)
