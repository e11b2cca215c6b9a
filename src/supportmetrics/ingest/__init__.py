"""Getting data in: files in many shapes -> validated canonical tables."""

from __future__ import annotations

from supportmetrics.ingest.load import FileProblem, LoadResult, Reject, create_table_sql, load_files
from supportmetrics.ingest.mapping import normalise_name, parse_map_options, resolve

__all__ = [
    "FileProblem",
    "LoadResult",
    "Reject",
    "create_table_sql",
    "load_files",
    "normalise_name",
    "parse_map_options",
    "resolve",
]
