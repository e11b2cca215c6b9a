"""The layering of the packages, the public API, and the generated docs."""

from __future__ import annotations

import ast
from pathlib import Path

import supportmetrics

SRC = Path(__file__).resolve().parents[1] / "src" / "supportmetrics"

# package -> packages it must never import (nothing imports upward)
FORBIDDEN = {
    "schema": ("ingest", "metrics", "engine", "cli", "reports", "calendar", "stats", "demo"),
    "ingest": ("metrics", "engine", "cli", "reports", "demo"),
    "metrics": ("engine", "cli", "reports", "ingest", "demo"),
    "calendar": ("engine", "metrics", "cli", "reports", "ingest"),
    "stats": ("engine", "metrics", "cli", "reports", "ingest", "calendar"),
    "engine": ("cli", "reports", "demo"),
    "importers": ("engine", "metrics", "cli", "reports", "demo"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_imports_upward() -> None:
    problems = []
    for package, forbidden in FORBIDDEN.items():
        for path in (SRC / package).rglob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] == "supportmetrics" and len(parts) > 1 and parts[1] in forbidden:
                    problems.append(f"{path.relative_to(SRC)} imports {name}")
    assert problems == []


def test_public_api_is_pinned() -> None:
    assert supportmetrics.__all__ == sorted(supportmetrics.__all__)
    assert supportmetrics.__all__ == [
        "InternalError",
        "LoadResult",
        "Settings",
        "SupportMetricsError",
        "TableMapping",
        "UserError",
        "Workspace",
    ]


def test_metric_reference_is_current() -> None:
    from supportmetrics.metrics.reference import render

    docs = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
    assert docs.read_text(encoding="utf-8") == render(), "run `make docs`"


def test_every_metric_of_the_spec_is_in_the_catalogue() -> None:
    from supportmetrics.metrics import CATALOGUE

    spec = Path(__file__).resolve().parents[2] / "shared" / "spec" / "METRICS.md"
    if not spec.exists():
        import pytest

        pytest.skip("../shared/spec/METRICS.md not present")
    ids = set()
    for line in spec.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| id") and not line.startswith("|---"):
            ids.add(line.split("|")[1].strip())
    ids.discard("")
    missing = sorted(i for i in ids if i not in CATALOGUE)
    assert missing == []


def test_cli_reference_is_current() -> None:
    from supportmetrics.cli.reference import render

    docs = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
    assert docs.read_text(encoding="utf-8") == render(), "run `make docs`"
