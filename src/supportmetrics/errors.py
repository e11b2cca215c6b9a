"""The exception tree of supportmetrics.

::

    SupportMetricsError              base of everything this package raises on purpose
     +-- UserError                   the caller can fix it (CLI exit 2, HTTP 4xx)
     |    +-- ConfigError            supportmetrics.toml is invalid
     |    +-- WorkspaceError         the workspace cannot be opened or is locked
     |    +-- InputFileError         a file cannot be read at all (missing, unreadable, no header)
     |    +-- MappingError           a column mapping names unknown columns or is malformed
     |    +-- UnknownTableError      a table name that is not canonical
     |    +-- UnknownMetricError     a metric id not in the catalogue
     |    +-- QueryError             a metric query asks for something the metric cannot give
     +-- InternalError               a bug in supportmetrics (CLI exit 1, HTTP 500)
          +-- UnsupportedOperation   a metric kind or backend operation has no compiler

    QueryWarning (a UserWarning)     a query was answered, but not quite as asked (the CLI
                                     prints it on stderr as a note)

Foreign errors (DuckDB, parsers, SMTP, ...) are translated where they are caught, with
``raise ... from exc``, so callers only ever need to catch :class:`SupportMetricsError`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager


class SupportMetricsError(Exception):
    """Base class of every error raised on purpose by supportmetrics."""


class UserError(SupportMetricsError):
    """Something the caller can fix: bad input, bad configuration, bad arguments."""

    exit_code = 2


class ConfigError(UserError):
    """The workspace configuration (supportmetrics.toml) is invalid."""


class WorkspaceError(UserError):
    """The workspace cannot be opened, created or written."""


class InputFileError(UserError):
    """An input file cannot be read at all."""


class MappingError(UserError):
    """A column or value mapping is malformed or names columns the file does not have."""


class UnknownTableError(UserError):
    """A table name that is not one of the canonical tables."""


class UnknownMetricError(UserError):
    """A metric id that is not in the catalogue."""


class QueryError(UserError):
    """A metric query the metric cannot answer (unknown dimension, bad period, ...)."""


class QueryWarning(UserWarning):
    """A query was answered, but part of it could not apply as asked (e.g. a filter)."""


@contextmanager
def query_notes() -> Iterator[list[str]]:
    """Collect the :class:`QueryWarning` messages raised in the block, each once, as notes.

    The list is filled when the block ends. Other warnings are not swallowed: they are issued
    again, as Python would have shown them.
    """
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QueryWarning)
        yield notes
    notes.extend(dict.fromkeys(str(w.message) for w in caught if w.category is QueryWarning))
    for other in caught:
        if other.category is not QueryWarning:
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)


class InternalError(SupportMetricsError):
    """A bug in supportmetrics: please report it."""

    exit_code = 1


class UnsupportedOperation(InternalError):
    """A metric kind, statistic or backend operation has no compiler."""
