"""Importers: a helpdesk's own exports and APIs into the canonical tables.

A source is a module ``supportmetrics.importers.NAME`` exposing ``IMPORTER`` (an
:class:`~supportmetrics.importers.base.Importer`: ``import NAME PATH...``) and, when it can
be synced over its HTTP API, ``SYNC`` (a :class:`~supportmetrics.importers.sync.Sync`:
``sync NAME``). Modules are imported only when their source is used; a new source is a module
and a line in :data:`SOURCES`.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import TYPE_CHECKING, cast

from supportmetrics.config import SOURCE_NAMES
from supportmetrics.errors import SourceError

if TYPE_CHECKING:
    from supportmetrics.importers.base import Importer
    from supportmetrics.importers.check import FACT_COLUMNS, compare
    from supportmetrics.importers.run import ImportResult, load_imported
    from supportmetrics.importers.sync import Sync, run_sync

#: what the command line uses, imported when first asked for (name -> its module)
_LAZY = {
    "FACT_COLUMNS": "check", "compare": "check", "ImportResult": "run", "load_imported": "run",
    "run_sync": "sync",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(f"supportmetrics.importers.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: source name on the command line -> its module (the names are the settings' SOURCE_NAMES)
SOURCES: dict[str, str] = {name: f"supportmetrics.importers.{name}" for name in SOURCE_NAMES}


def available() -> list[str]:
    """The sources whose module is installed, sorted."""
    return [name for name in sorted(SOURCES) if importlib.util.find_spec(SOURCES[name]) is not None]


def _module(name: str) -> ModuleType:
    if name not in SOURCES:
        raise SourceError(f"{name!r} is not a source; sources: {', '.join(available())}")
    try:
        return importlib.import_module(SOURCES[name])
    except ModuleNotFoundError as exc:
        if exc.name != SOURCES[name]:
            raise
        raise SourceError(
            f"the {name} importer is not available in this installation; sources available: "
            f"{', '.join(available())}") from None


def importer(name: str) -> Importer:
    """The importer of source ``name`` (a :class:`SourceError` naming the sources if none)."""
    return cast("Importer", _module(name).IMPORTER)


def sync_for(name: str) -> Sync:
    """The HTTP API sync of source ``name``."""
    module = _module(name)
    if not hasattr(module, "SYNC"):
        can = [n for n in available() if hasattr(importlib.import_module(SOURCES[n]), "SYNC")]
        raise SourceError(f"{name} has no API sync; import its export files with `supportmetrics "
                          f"import {name} FILE...` (sources that sync: {', '.join(can)})")
    return cast("Sync", module.SYNC)


__all__ = [
    "FACT_COLUMNS",
    "ImportResult",
    "SOURCES",
    "available",
    "compare",
    "importer",
    "load_imported",
    "run_sync",
    "sync_for",
]
