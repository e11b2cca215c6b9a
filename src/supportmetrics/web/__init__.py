"""The dashboard and the HTTP API (`supportmetrics serve`)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supportmetrics.web.app import create_app
    from supportmetrics.web.auth import TokenStore, check_scope
    from supportmetrics.web.pages import router

#: what the command line uses, imported when first asked for (FastAPI is not needed before)
_LAZY = {"create_app": "app", "TokenStore": "auth", "check_scope": "auth", "router": "pages"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(f"supportmetrics.web.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["TokenStore", "check_scope", "create_app", "router"]
