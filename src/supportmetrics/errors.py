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
     |    +-- MissingDependency      a feature needs an optional package that is not installed
     |    +-- ResourceError          the machine refused: disk full, out of memory, no permission,
     |                               a directory that does not exist
     |    +-- SourceError            a helpdesk source is unknown, not installed, or its API
     |                               refused (bad credentials, gave up after retries)
     +-- InternalError               a bug in supportmetrics (CLI exit 1, HTTP 500)
          +-- UnsupportedOperation   a metric kind or backend operation has no compiler

    QueryWarning (a UserWarning)     a query was answered, but not quite as asked (the CLI
                                     prints it on stderr as a note)

Foreign errors (DuckDB, Ibis, Arrow, the operating system, a missing optional package) are
translated at one boundary, :func:`translate_errors`, with ``raise ... from exc``, so callers
only ever need to catch :class:`SupportMetricsError`: what the user can fix (a full disk, a
missing directory, an optional package to install) becomes a :class:`UserError` saying what to
do, any other foreign error an :class:`InternalError`.
"""

from __future__ import annotations

import errno
import re
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


class MissingDependency(UserError):
    """A feature needs an optional package that is not installed (the message names the extra)."""


class ResourceError(UserError):
    """The machine refused: disk full, out of memory, no permission, a missing directory."""


class SourceError(UserError):
    """A helpdesk source (``import`` / ``sync``) is unknown, not available, or its API refused."""


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


# --- the boundary: foreign errors -> this tree ---------------------------------------------------

_OS_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up: free some space and run the command again",
    errno.ENOENT: "no such file or directory: check the path (a directory to write into must "
                  "exist)",
    errno.EACCES: "permission denied: choose a path you may read or write",
    errno.EPERM: "permission denied: choose a path you may read or write",
    errno.EROFS: "the file system is read-only: choose a writable path",
    errno.EISDIR: "is a directory: give a file name",
    errno.ENOTDIR: "a part of the path is not a directory: check the path",
    errno.ENOMEM: "out of memory: close other programs or lower [engine] memory_limit",
}
_DUCKDB_IO_ADVICE = (
    ("no space left", errno.ENOSPC),
    ("disk quota", errno.EDQUOT),
    ("no such file or directory", errno.ENOENT),
    ("permission denied", errno.EACCES),
    ("read-only file system", errno.EROFS),
)


def optional_extra(module: str) -> str | None:
    """The extra of this distribution (``pip install 'supportmetrics[EXTRA]'``) that installs
    ``module``, read from the package's own metadata; None when no extra lists it."""
    found = _requirement(module)
    return found[1] if found is not None else None


def _requirement(module: str) -> tuple[str, str | None] | None:
    """(distribution, extra or None for a base dependency) of this package that installs
    ``module``, read from the package's own metadata; None when none does."""
    from importlib import metadata

    try:
        requirements = metadata.requires("supportmetrics") or []
    except metadata.PackageNotFoundError:
        return None
    wanted = _normalise(module.split(".")[0])
    for requirement in requirements:
        match = re.match(
            r"\s*([A-Za-z0-9._-]+)[^;]*(?:;\s*extra\s*==\s*[\"']([^\"']+)[\"'])?", requirement
        )
        if match is None or match.group(2) in ("test", "dev"):
            continue
        name = _normalise(match.group(1))
        # a module is named like its distribution, or like its start (vl_convert: vl-convert-python)
        if name == wanted or name.startswith(wanted + "-"):
            return match.group(1), match.group(2)
    return None


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def translate(exc: BaseException) -> SupportMetricsError | None:
    """This package's error for a foreign one (None for an error of ours or a plain bug)."""
    if isinstance(exc, SupportMetricsError):
        return None
    if isinstance(exc, ImportError):
        module = exc.name or ""
        if module.split(".")[0] == "supportmetrics":
            return None  # our own module missing: a broken install or a bug
        found = _requirement(module)
        if found is not None and found[1] is None:  # a dependency of every install
            return MissingDependency(
                f"the package {found[0]!r}, which supportmetrics needs, is not installed (a broken "
                f"install?): pip install {found[0]}, or install supportmetrics again")
        install = f"pip install 'supportmetrics[{found[1]}]'" if found else f"pip install {module}"
        return MissingDependency(
            f"this needs the optional package {module or 'that is missing'!r}, which is not "
            f"installed: {install}")
    if isinstance(exc, MemoryError):
        return ResourceError(_OS_ADVICE[errno.ENOMEM])
    if isinstance(exc, OSError) and exc.errno in _OS_ADVICE:
        if exc.filename:
            return ResourceError(f"{exc.filename}: {_OS_ADVICE[exc.errno]}")
        return ResourceError(f"{_OS_ADVICE[exc.errno]} ({_first_line(exc)})")
    foreign = _foreign_database_error(exc)
    if foreign is not None:
        return foreign
    return None


def _foreign_database_error(exc: BaseException) -> SupportMetricsError | None:
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dependency
        return None
    if isinstance(exc, duckdb.OutOfMemoryException):
        return ResourceError(
            "out of memory: close other programs, or set [engine] memory_limit in "
            f"supportmetrics.toml lower so the database spills to disk ({_first_line(exc)})")
    if isinstance(exc, (duckdb.IOException, duckdb.PermissionException)):
        text = str(exc).lower()
        for marker, number in _DUCKDB_IO_ADVICE:
            if marker in text:
                return ResourceError(f"{_OS_ADVICE[number]} ({_first_line(exc)})")
        return ResourceError(f"a file could not be read or written: {_first_line(exc)}")
    if isinstance(exc, duckdb.Error):
        return InternalError(f"the database failed: {_first_line(exc)}")
    module = type(exc).__module__.split(".")[0]
    if module in ("ibis", "pyarrow", "pyspark", "py4j"):
        return InternalError(f"{type(exc).__name__}: {_first_line(exc)}")
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def translate_errors() -> Iterator[None]:
    """The boundary: a foreign error raised in the block leaves it as one of this package's.

    Usable as ``with translate_errors():`` and as a decorator ``@translate_errors()``.
    """
    try:
        yield
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None:
            raise
        raise mapped from exc
