"""supportmetrics: customer-service KPIs, exactly defined and explainable."""

from __future__ import annotations

from supportmetrics.config import Settings, TableMapping
from supportmetrics.errors import InternalError, SupportMetricsError, UserError
from supportmetrics.ingest import LoadResult
from supportmetrics.workspace import Workspace

__all__ = [
    "InternalError",
    "LoadResult",
    "Settings",
    "SupportMetricsError",
    "TableMapping",
    "UserError",
    "Workspace",
]
__version__ = "0.1.0"
