"""The command starts without the query stack: `--help` and `--version` import neither Ibis,
pandas, DuckDB nor the report libraries (each command imports what it needs when it runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parent.parent / "src")
HEAVY = ("ibis", "pandas", "duckdb", "pyarrow", "altair", "vl_convert", "xlsxwriter",
         "supportmetrics.workspace", "supportmetrics.engine.engine", "supportmetrics.reports")
PROBE = """
import json, sys
from supportmetrics.cli import main
code = main({argv!r})
print(json.dumps([code, sorted(m for m in {heavy!r} if m in sys.modules)]))
"""


def imported(argv: list[str]) -> tuple[int, list[str]]:
    """The exit code of ``supportmetrics ARGV`` in a fresh interpreter, and the heavy modules
    it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True, text=True, timeout=120, env={"PYTHONPATH": SRC, "COLUMNS": "100"},
    )
    code, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return code, modules


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["metrics", "--help"],
                                  ["report", "--help"], ["ingest", "--help"],
                                  ["import", "--help"], ["sync", "--help"],
                                  ["alerts", "--help"], ["serve", "--help"],
                                  ["tokens", "--help"]])
def test_help_and_version_import_no_query_stack(argv: list[str]) -> None:
    assert imported(argv) == (0, [])


def test_a_command_that_runs_imports_what_it_needs(tmp_path: Path) -> None:
    # the probe can fail: `tables` on a missing workspace is a user error (exit 2) that opened
    # the workspace module, so the modules are not left out by the probe itself
    code, modules = imported(["-w", str(tmp_path / "none"), "tables"])
    assert code == 2 and "supportmetrics.workspace" in modules
