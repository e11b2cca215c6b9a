"""The command line as a user meets it: one error boundary, text shown as written, labelled output.

The hand-made workspace of tests/engine_fixture.py (``ws``) is read; workspaces that need
hostile data are made per test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.errors import (
    InternalError,
    MissingDependency,
    ResourceError,
    translate,
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# --- one error boundary -------------------------------------------------------------------------

MISTAKES = [
    # (arguments after --workspace WS, what the message must say)
    (["metrics", "csat", "--where", "score=high"],
     "--where score=high: score is a number; give a number, e.g. --where score=4"),
    (["metrics", "csat", "--where", "score=nan"], "score is a number"),
    (["metrics", "csat", "--where", "responded_at=yesterday"],
     "responded_at is a time; give it as ISO 8601"),
    (["metrics", "open_tickets", "--by", "category"],
     "open_tickets cannot be broken down by 'category'; its dimensions are: agent_id, team, "
     "channel, priority"),
    (["metrics", "churn_rate", "--by", "category"],
     "churn_rate cannot be broken down by 'category'"),
    (["metrics", "engagement_score", "--by", "kind"],
     "engagement_score cannot be broken down by 'kind'"),
    (["metrics", "cost_per_ticket", "--where", "nope=1"],
     "cost_per_ticket: --where nope: no such column on its units"),
    (["explain", "csat", "--where", "nope=1"], "csat: --where nope: no such column on its units"),
    (["metrics", "tickets_solved", "--grain", "month; drop"],
     "--grain 'month; drop': expected one of day|week|month|quarter|year|range"),
    (["metrics", "tickets_solved", "--from", "0001-01-01"],
     "--from '0001-01-01': expected a date between 1900-01-01 and 2199-12-31"),
    (["explain", "csat", "--period", "0001-01"],
     "--period '0001-01': expected a date between 1900-01-01 and 2199-12-31"),
    (["report", "--from", "0001-01-01", "--format", "html", "--out", "r.html"],
     "--from '0001-01-01': expected a date between 1900-01-01 and 2199-12-31"),
    (["metrics", "tickets_solved", "--format", "yaml"],
     "--format 'yaml': expected table, csv or json"),
    (["facts", "tickets", "--out", "/nonexistent-dir/facts.csv"],
     "no such file or directory: check the path (a directory to write into must exist)"),
    (["facts", "tickets", "--format", "parquet", "--out", "/nonexistent-dir/facts.parquet"],
     "no such file or directory: check the path"),
]


@pytest.mark.parametrize(("argv", "message"), MISTAKES, ids=[" ".join(a) for a, _m in MISTAKES])
def test_a_user_mistake_is_exit_2_with_what_to_do(
    ws: Workspace, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--workspace", str(ws.directory), *argv)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from supportmetrics.engine.engine import Engine

    def broken(self: Engine, queries: object) -> None:
        raise KeyError("period")

    monkeypatch.setattr(Engine, "metrics", broken)
    code, out, err = run(capsys, "--workspace", str(ws.directory), "metrics", "tickets_solved")
    assert code == 1
    assert err == ("error: internal error: KeyError: 'period' (this is a bug in supportmetrics: "
                   "please report it; run again with --debug to see the traceback)\n")
    code, out, err = run(capsys, "--debug", "--workspace", str(ws.directory), "metrics",
                         "tickets_solved")
    assert code == 1
    assert err.startswith("Traceback (most recent call last):")
    assert 'raise KeyError("period")' in err and err.endswith("please report it)\n")


def test_a_missing_optional_package_names_the_extra_to_install(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # None in sys.modules makes ``import weasyprint`` fail as if it were not installed
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    code, out, err = run(capsys, "--workspace", str(ws.directory), "report", "--period",
                         "2025-10", "--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    assert code == 2
    assert err == ("error: this needs the optional package 'weasyprint', which is not installed: "
                   "pip install 'supportmetrics[reports]'\n")
    assert not (tmp_path / "r.pdf").exists()


def test_foreign_errors_are_translated() -> None:
    import duckdb

    missing = translate(ModuleNotFoundError("No module named 'vl_convert'", name="vl_convert"))
    assert isinstance(missing, MissingDependency)
    assert "pip install 'supportmetrics[reports]'" in str(missing)  # vl-convert-python's extra
    unknown = translate(ModuleNotFoundError("No module named 'foo'", name="foo"))
    assert str(unknown).endswith("is not installed: pip install foo")
    full = translate(OSError(28, "No space left on device", "/data/ws/out.csv"))
    assert isinstance(full, ResourceError)
    assert str(full) == ("/data/ws/out.csv: the disk is full: free some space and run the "
                         "command again")
    disk = translate(duckdb.IOException('Could not write file "x.duckdb": No space left on device'))
    assert isinstance(disk, ResourceError) and str(disk).startswith("the disk is full")
    memory = translate(duckdb.OutOfMemoryException("failed to allocate"))
    assert isinstance(memory, ResourceError) and "[engine] memory_limit" in str(memory)
    assert isinstance(translate(duckdb.BinderException("no column x")), InternalError)
    assert translate(KeyError("x")) is None  # a plain bug stays itself


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from supportmetrics import __version__

    assert run(capsys, "--version") == (0, f"supportmetrics {__version__}\n", "")
