"""What every importer returns: canonical tables read from a helpdesk's own files or API.

An importer turns a source's export (or API pages) into rows of the canonical tables
(docs/data.md), with canonical column names; the rows then go through the same validation,
rejects and idempotent, all-or-nothing loads as ``ingest``. Rows the importer itself cannot
turn into canonical rows (a malformed record, an unknown event kind) are returned as
:class:`~supportmetrics.ingest.load.Reject` with the file, row, column and reason, never
dropped in silence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from supportmetrics.ingest.load import Reject


@dataclass
class Imported:
    """The canonical tables read from a source, in load order, and what could not be read."""

    #: canonical table name -> its rows (canonical column names; extra columns become
    #: attribute columns, as with ``ingest``). Loaded in this order (tickets before events).
    tables: dict[str, pa.Table] = field(default_factory=dict)
    #: label of each table's rows in load reports and rejects (e.g. "tickets.json")
    labels: dict[str, str] = field(default_factory=dict)
    #: records the importer could not turn into canonical rows
    rejects: list[Reject] = field(default_factory=list)
    #: the source's own per-ticket figures, for ``import --check`` (ticket_id and one column per
    #: figure, e.g. first_response_seconds, in seconds; business or calendar as the source says)
    figures: pa.Table | None = None


class Importer(Protocol):
    """A source's export reader: ``supportmetrics import NAME PATH...``."""

    #: the source's name on the command line (``zendesk``)
    name: str
    #: one line for ``import --help``
    title: str

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        """Read the export files (any order; each recognised by its content or name)."""
        ...
