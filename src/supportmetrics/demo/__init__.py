"""The demo workspace: realistic generated data, loaded through the same checks as real files."""

from __future__ import annotations

from supportmetrics.demo.build import (
    DEMO_SETTINGS,
    LOAD_ORDER,
    build_demo,
    generate_to_parquet,
    steps,
)
from supportmetrics.demo.generator import generate

__all__ = ["DEMO_SETTINGS", "LOAD_ORDER", "build_demo", "generate", "generate_to_parquet", "steps"]
