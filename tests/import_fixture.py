"""Shared helpers of the importer tests: a workspace, an import, metrics as CSV rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from supportmetrics.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def workspace(tmp: Path, timezone: str = "UTC") -> Path:
    directory = tmp / "ws"
    directory.mkdir(parents=True)
    (directory / "supportmetrics.toml").write_text(f'timezone = "{timezone}"\n', encoding="utf-8")
    return directory


def monthly(directory: Path, capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, str], tuple[float, int]]:
    """``metrics first_response_time resolution_time csat --grain month`` as
    (metric, month) -> (value, count)."""
    capsys.readouterr()
    code = main(["-w", str(directory), "metrics", "first_response_time", "resolution_time",
                 "csat", "--grain", "month", "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0, out
    return {(row["metric"], row["period"]): (round(float(row["value"]), 6), int(row["count"]))
            for row in csv.DictReader(io.StringIO(out)) if row["value"] != ""}
