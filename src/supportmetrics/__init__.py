"""supportmetrics: customer-service KPIs, exactly defined and explainable.

The names below are imported when first used (PEP 562), so that ``import supportmetrics`` and
the command's ``--help`` do not load the database and dataframe libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from supportmetrics.errors import InternalError, SupportMetricsError, UserError

if TYPE_CHECKING:
    from supportmetrics.config import Settings, TableMapping
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

#: public names and the module each is imported from on first use
_LAZY = {
    "Settings": "supportmetrics.config",
    "TableMapping": "supportmetrics.config",
    "LoadResult": "supportmetrics.ingest",
    "Workspace": "supportmetrics.workspace",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'supportmetrics' has no attribute {name!r}")
