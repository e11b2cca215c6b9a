"""The exception tree of supportmetrics.

::

    SupportMetricsError              base of everything this package raises on purpose
     +-- UserError                   the caller can fix it (CLI exit 2, HTTP 4xx)
     |    +-- ConfigError            supportmetrics.toml is invalid
     |    +-- WorkspaceError         the workspace cannot be opened or is locked
     |    |    +-- LoadFailed        a load could not be written (a full disk, a failing file)
     |    |    +-- WorkspaceDamaged  the database file is damaged (see `supportmetrics check`)
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


class WorkspaceBusy(WorkspaceError):
    """Another process held the workspace for longer than ``engine.lock_timeout``."""


class LoadFailed(WorkspaceError):
    """A load failed while writing; ``committed`` says whether it is in the workspace.

    ``committed`` is False when the workspace is as it was before the load, True when the load
    was committed before the failure, None when that cannot be told (the database could not be
    opened again to look).
    """

    def __init__(
        self, table: str, load_id: str, stage: str, cause: BaseException,
        committed: bool | None = False,
    ) -> None:
        self.table, self.load_id, self.stage, self.cause = table, load_id, stage, cause
        self.committed = committed
        super().__init__(self._message())

    def with_committed(self, committed: bool | None) -> LoadFailed:
        return LoadFailed(self.table, self.load_id, self.stage, self.cause, committed)

    def _message(self) -> str:
        if isinstance(self.cause, OSError) and not self.cause.filename:
            reason = self.cause.strerror or str(self.cause)
        else:
            reason = str(self.cause).splitlines()[0] if str(self.cause) else type(self.cause).__name__
        if isinstance(self.cause, OSError):
            where = "while writing its rejects file"
        elif self.stage == "commit":
            where = "while committing"
        else:
            where = "while writing the workspace database"
        full = "No space left on device" in str(self.cause) or (
            isinstance(self.cause, OSError) and self.cause.errno == 28
        )
        hint = "free some disk space and load again" if full else "fix the cause and load again"
        if self.committed is None:
            return (
                f"loading {self.table} failed {where}: {reason}. Whether load {self.load_id} was "
                f"committed cannot be told now; {hint.split(' and ')[0]}, then run "
                "`supportmetrics check` and `supportmetrics tables` to see"
            )
        if self.committed:
            return (
                f"loading {self.table}: load {self.load_id} was committed, then failed {where}: "
                f"{reason}. Its rows are in the workspace (`supportmetrics tables`)"
            )
        return (
            f"loading {self.table} failed {where}: {reason}. Nothing was loaded: the workspace "
            f"is as it was before this load; {hint}"
        )


class WorkspaceDamaged(WorkspaceError):
    """The workspace database file is damaged (truncated, overwritten, failing disk)."""


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
