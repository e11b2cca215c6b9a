"""The command line as a user meets it: one error boundary, text shown as written, labelled output.

The hand-made workspace of tests/engine_fixture.py (``ws``) is read; workspaces that need
hostile data are made per test.
"""

from __future__ import annotations

import json
import subprocess
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
    (["explain", "csat", "--period", "2025-10", "--grain", "fortnight"],
     "--grain 'fortnight': expected one of day|week|month|quarter|year|range"),
    (["metrics", "tickets_solved", "--format", "yaml"],
     "--format 'yaml': expected table, csv or json"),
    (["ingest", "tickets", "tickets.csv", "--timestamp-format", "%Q"],
     "--timestamp-format: '%Q' is not a strptime format the loader reads"),
    (["ingest", "tickets", "tickets.csv", "--timestamp-format", "%s"],
     "--timestamp-format: '%s' is not a strptime format the loader reads"),
    (["--engine", "postgres://db", "metrics", "tickets_solved"],
     "--engine: 'postgres://db' is not an engine: use duckdb or spark://MASTER"),
    (["facts", "tickets", "--out", "/nonexistent-dir/facts.csv"],
     "--out /nonexistent-dir/facts.csv: the directory /nonexistent-dir does not exist; create it "
     "or choose another path"),
    (["facts", "tickets", "--format", "parquet", "--out", "/tmp"],
     "--out /tmp: is a directory: give a file name"),
    (["report", "--format", "html", "--out", "/nonexistent-dir/r.html"],
     "--out /nonexistent-dir/r.html: the directory /nonexistent-dir does not exist"),
]


@pytest.mark.parametrize(("argv", "message"), MISTAKES, ids=[" ".join(a) for a, _m in MISTAKES])
def test_a_user_mistake_is_exit_2_with_what_to_do(
    ws: Workspace, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--workspace", str(ws.directory), *argv)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_settings_are_checked_when_the_workspace_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "supportmetrics.toml").write_text(
        'targets.csat = ["low", "high"]\nsurveys.scales.csat = [nan, inf]\n', encoding="utf-8")
    code, out, err = run(capsys, "--workspace", str(ws), "tables")
    assert (code, out) == (2, "")
    assert err == (
        f"error: {ws / 'supportmetrics.toml'}: 2 problems:\n"
        "  surveys.scales: csat = [nan, inf]: a scale is two finite numbers\n"
        "  targets: csat = ['low', 'high']: a target is a number (csat = 85) or a band of two "
        "numbers (csat = [80, 90])\n")


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
    assert err.startswith("error: PDF reports need WeasyPrint: pip install 'supportmetrics[pdf]'")
    assert "--format html" in err and "Traceback" not in err
    assert not (tmp_path / "r.pdf").exists()


def test_foreign_errors_are_translated() -> None:
    import duckdb

    missing = translate(ModuleNotFoundError("No module named 'vl_convert'", name="vl_convert"))
    assert isinstance(missing, MissingDependency)
    # vl-convert-python is a dependency of every install: name the distribution to reinstall
    assert "pip install vl-convert-python, or install supportmetrics again" in str(missing)
    pdf = translate(ModuleNotFoundError("No module named 'weasyprint'", name="weasyprint"))
    assert str(pdf).endswith("is not installed: pip install 'supportmetrics[pdf]'")
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


# --- text is shown as written -------------------------------------------------------------------

HOSTILE = "[link=http://example.com]click[/link] [bold red]FAKE: 0 rejected[/]"


def test_help_texts_show_their_brackets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "ingest", "--help")
    assert code == 0
    assert "Use [mappings.NAME] from supportmetrics.toml." in " ".join(out.split())


def test_values_from_files_are_never_markup(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # two good tickets whose category is markup, one rejected for a bad time that is markup
    data = tmp_path / "tickets.csv"
    data.write_text(
        "ticket_id,created_at,status,category\n"
        f'X1,2025-10-01 10:00,open,"{HOSTILE}"\n'
        "X2,2025-10-01 11:00,open,[/]\n"
        "X3,[/],open,billing\n",
        encoding="utf-8",
    )
    ws = str(workspace.directory)
    workspace.close()
    code, out, err = run(capsys, "--workspace", ws, "ingest", "tickets", str(data))
    assert code == 3  # one row rejected, the others loaded
    assert "tickets: 3 rows read, 2 accepted" in out
    assert "rejected: tickets.csv row 4: created_at '[/]'" in err
    code, out, err = run(capsys, "--workspace", ws, "metrics", "ticket_volume", "--by",
                         "category", "--from", "2025-10-01", "--to", "2025-11-01")
    assert (code, err) == (0, "")
    assert HOSTILE in out and "│ [/]" in out
    code, out, err = run(capsys, "--workspace", ws, "explain", "ticket_volume", "--period",
                         "2025-10")
    assert (code, err) == (0, "")
    assert HOSTILE in out and "[/]" in out
    # an error message quoting a value shows it too
    code, out, err = run(capsys, "--workspace", ws, "metrics", "ticket_volume", "--where",
                         f"nope={HOSTILE}")
    assert code == 2 and "no such column" in err


def test_piped_output_is_not_wrapped(ws: Workspace) -> None:
    # a real pipe: stdout is not a terminal, COLUMNS unset
    env = {k: v for k, v in __import__("os").environ.items() if k != "COLUMNS"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from supportmetrics.cli import main; sys.exit(main())",
         "--workspace", str(ws.directory), "metrics", "--list"],
        capture_output=True, text=True, env=env, check=True)
    # each metric's definition stays on its metric's line, however long
    line = next(x for x in done.stdout.splitlines() if "│ first_response_time " in x)
    assert ("per ticket: first public agent reply at or after creation - created_at; tickets "
            "never answered are left out of the statistic and counted in frt_unanswered") in line


# --- labelled output ----------------------------------------------------------------------------

FRT = ["metrics", "first_response_time", "csat", "--from", "2025-10-01", "--to", "2025-12-01"]


def test_metrics_table_is_humanised_and_json_csv_keep_raw_numbers_with_their_unit(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # October first responses: T1 1800 + T2 1200 + T3 1800 + T4 228600 + T6 1800 + T7 300
    # = 235500 s over 6 tickets = 39250 s = 10.9 h; T5 never answered (without_end 1);
    # November: T8 600 s = 10.0 min. CSAT October: 2 of 3 responses satisfied = 66.7 %.
    code, out, err = run(capsys, "--workspace", str(ws.directory), *FRT)
    assert (code, err) == (0, "")
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines()
            if line.startswith("│")]
    assert rows == [
        ["first_response_time", "2025-10-01", "10.9 h", "seconds", "6", "1"],
        ["first_response_time", "2025-11-01", "10.0 min", "seconds", "1", "0"],
        ["csat", "2025-10-01", "66.7 %", "%", "3", ""],
        ["csat", "2025-11-01", "", "%", "0", ""],
    ]
    assert "periods in UTC" in out
    code, out, err = run(capsys, "--workspace", str(ws.directory), *FRT, "--format", "json")
    assert json.loads(out) == [
        {"metric": "first_response_time", "period": "2025-10-01", "value": 39250.0,
         "unit": "seconds", "count": 6, "without_end": 1},
        {"metric": "first_response_time", "period": "2025-11-01", "value": 600.0,
         "unit": "seconds", "count": 1, "without_end": 0},
        {"metric": "csat", "period": "2025-10-01", "value": 66.666666667, "unit": "%",
         "count": 3, "without_end": None},
        {"metric": "csat", "period": "2025-11-01", "value": None, "unit": "%", "count": 0,
         "without_end": None},
    ]
    code, out, err = run(capsys, "--workspace", str(ws.directory), *FRT, "--format", "csv")
    assert out.splitlines() == [
        "metric,period,value,unit,count,without_end",
        "first_response_time,2025-10-01,39250.0,seconds,6,1",
        "first_response_time,2025-11-01,600.0,seconds,1,0",
        "csat,2025-10-01,66.666666667,%,3,",
        "csat,2025-11-01,,%,0,",
    ]


@pytest.fixture(scope="module")
def zagreb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made workspace in Europe/Zagreb: its naive times are read as Zagreb times."""
    from engine_fixture import SETTINGS, build

    directory = tmp_path_factory.mktemp("zagreb") / "ws"
    build(directory, SETTINGS.replace('timezone = "UTC"', 'timezone = "Europe/Zagreb"')).close()
    return directory


def test_times_are_shown_in_the_workspace_zone_with_their_offset(
    zagreb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # T1 was created at 09:00 Zagreb time (07:00 UTC), on 1 October (summer time, +02:00)
    code, out, err = run(capsys, "--workspace", str(zagreb), "explain", "first_response_time",
                         "--period", "2025-10", "--format", "json")
    assert code == 0
    t1 = next(r for r in json.loads(out) if r["unit"] == "T1")
    assert (t1["anchor_at"], t1["end"]) == ("2025-10-01T09:00:00+02:00",
                                            "2025-10-01T09:30:00+02:00")
    code, out, err = run(capsys, "--workspace", str(zagreb), "explain", "first_response_time",
                         "--period", "2025-10")
    t1_line = next(line for line in out.splitlines() if "│ T1 " in line)
    assert "2025-10-01 09:00:00+02:00" in t1_line
    assert "periods and times in Europe/Zagreb; durations in seconds" in out
    # the last ticket, T8, on 3 November: winter time (+01:00)
    code, out, err = run(capsys, "--workspace", str(zagreb), "tables")
    tickets = next(line for line in out.splitlines() if line.startswith("│ tickets "))
    assert "2025-10-01 09:00+02:00" in tickets and "2025-11-03 09:00+01:00" in tickets
    code, out, err = run(capsys, "--workspace", str(zagreb), "facts", "tickets")
    header, t1_csv = out.splitlines()[:2]
    created = header.split(",").index('"created_at"')
    assert t1_csv.split(",")[created] == "2025-10-01 09:00:00.000000+0200"


def test_explain_a_period_as_one_range(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    # October's solved tickets (T1, T2, T3, T4, T6) with --grain range: one period, October
    code, out, err = run(capsys, "--workspace", str(ws.directory), "explain", "tickets_solved",
                         "--period", "2025-10", "--grain", "range", "--format", "json")
    assert (code, err) == (0, "")
    assert sorted(r["unit"] for r in json.loads(out)) == ["T1", "T2", "T3", "T4", "T6"]


def test_a_full_disk_is_said_with_what_to_do(
    ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import duckdb

    import supportmetrics.workspace
    from supportmetrics.engine.engine import Engine

    def full(*args: object, **kwargs: object) -> None:
        raise duckdb.IOException('Could not write file "ws/supportmetrics.duckdb.wal": No space '
                                 "left on device")

    monkeypatch.setattr(supportmetrics.workspace, "load_files", full)
    monkeypatch.setattr(Engine, "_complete", full)
    data = tmp_path / "t.csv"
    data.write_text("ticket_id,created_at\nA,2025-10-01 10:00\n", encoding="utf-8")
    for argv in (["ingest", "tickets", str(data)], ["metrics", "tickets_solved"]):
        code, out, err = run(capsys, "--workspace", str(ws.directory), *argv)
        assert code == 2
        assert err == ("error: the disk is full: free some space and run the command again "
                       '(Could not write file "ws/supportmetrics.duckdb.wal": No space left on '
                       "device)\n")
    # from Python the same error is one of the package's
    from supportmetrics.errors import ResourceError

    with pytest.raises(ResourceError, match="the disk is full"):
        ws.metric("tickets_solved")
