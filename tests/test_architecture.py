"""The layering of the packages (docs/architecture.md), the public API, and the generated docs.

The rule, whole: every module of ``src/supportmetrics`` belongs to one unit (a top-level module,
or a package with its submodules), each unit to one layer of :data:`LAYERS`; a unit imports only
units of its own layer or below (nothing imports upward), the units import each other without a
cycle, and a front-end reaches another unit only through its public surface: the package
itself (``supportmetrics.engine``, never ``supportmetrics.engine.engine``) and never a private
(``_``-prefixed) name of another module. Imports inside functions and under ``TYPE_CHECKING``
count as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import supportmetrics

SRC = Path(__file__).resolve().parents[1] / "src" / "supportmetrics"

#: bottom to top; a unit may import units of its own layer or of a layer below
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "sources", "csv_cells", "currency", "dates", "atomic"}),
    frozenset({"schema", "metrics", "stats"}),
    frozenset({"config"}),
    frozenset({"calendar", "ingest"}),
    frozenset({"integrity", "locking", "backup"}),
    frozenset({"engine"}),
    frozenset({"workspace"}),
    frozenset({"importers", "demo", "__init__"}),  # __init__: the package's public API
    frozenset({"reports", "web", "alerts", "records"}),  # records: the front-ends' shared output rows
    frozenset({"cli"}),
)
#: the units that only call the facades of the others
FRONT_ENDS = frozenset({"cli", "reports", "web", "alerts"})


def _unit(module: str) -> str:
    """``supportmetrics.engine.query`` -> ``engine``; the package itself -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    parts = ("supportmetrics", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(module imported, names taken from it) of every import in ``path``, relative ones
    resolved; plain ``import x`` takes no names."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, tuple[str, ...]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, ()) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append((target, tuple(a.name for a in node.names)))
    return found


def _internal_imports() -> list[tuple[str, str, tuple[str, ...]]]:
    """(importing module, imported module, names) for every import of supportmetrics itself.
    ``from supportmetrics.engine import store`` names the submodule ``...engine.store``."""
    modules = {_module_name(p) for p in SRC.rglob("*.py")}
    edges = []
    for path in sorted(SRC.rglob("*.py")):
        source = _module_name(path)
        for target, names in _imports(path):
            if target != "supportmetrics" and not target.startswith("supportmetrics."):
                continue
            submodules = [n for n in names if f"{target}.{n}" in modules]
            for name in submodules:
                edges.append((source, f"{target}.{name}", ()))
            rest = tuple(n for n in names if n not in submodules)
            if rest or not names:
                edges.append((source, target, rest))
    return edges


def _layer(unit: str) -> int:
    for index, units in enumerate(LAYERS):
        if unit in units:
            return index
    raise AssertionError(f"{unit}: in no layer of LAYERS; add it where it belongs")


def test_every_unit_has_a_layer() -> None:
    units = {_unit(_module_name(p)) for p in SRC.rglob("*.py")}
    assert sorted(u for u in units if not any(u in layer for layer in LAYERS)) == []


def test_nothing_imports_upward() -> None:
    problems = sorted({
        f"{source} imports {target}" for source, target, _ in _internal_imports()
        if _layer(_unit(target)) > _layer(_unit(source))
    })
    assert problems == []


def test_units_import_each_other_without_a_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for source, target, _ in _internal_imports():
        if _unit(source) != _unit(target) and _unit(target) != "__init__":
            graph.setdefault(_unit(source), set()).add(_unit(target))
    cycles = []
    for start in sorted(graph):
        stack, seen = [(start, (start,))], set()
        while stack:
            unit, path = stack.pop()
            for nxt in sorted(graph.get(unit, ())):
                if nxt == start:
                    cycles.append(" -> ".join((*path, start)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, (*path, nxt)))
    assert cycles == []


def test_engine_and_workspace_do_not_import_each_other_both_ways() -> None:
    edges = {(_unit(s), _unit(t)) for s, t, _ in _internal_imports()}
    assert ("engine", "workspace") not in edges


def test_front_ends_use_only_public_facades() -> None:
    problems = []
    for source, target, _ in _internal_imports():
        unit = _unit(source)
        if unit in FRONT_ENDS and _unit(target) != unit and target.count(".") > 1:
            problems.append(f"{source} imports {target}: import it from "
                            f"supportmetrics.{_unit(target)}")
    assert sorted(set(problems)) == []


def test_no_private_name_is_imported_from_another_module() -> None:
    problems = sorted({
        f"{source} imports {name} from {target}"
        for source, target, names in _internal_imports() for name in names
        if name.startswith("_") and not name.startswith("__") and target != source
    })
    assert problems == []


def test_the_engine_prints_nothing() -> None:
    """Presentation (Rich) belongs to the front-ends; the engine returns values and text."""
    problems = sorted(
        f"{path.relative_to(SRC)} imports {target}"
        for path in (SRC / "engine").rglob("*.py") for target, _ in _imports(path)
        if target.split(".")[0] in ("rich", "typer")
    )
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
