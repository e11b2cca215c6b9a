"""Property: whatever a user types, the command never ends in an internal error (exit 1).

Random metric ids, grains, ``--by``, ``--where``, periods, clocks, statistics and formats are
driven through ``main()`` in-process over the hand-made workspace (tests/engine_fixture.py):
every run ends in an answer (0) or a user error that says what to fix (2).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.metrics import CATALOGUE

METRICS = sorted(CATALOGUE)
DIMENSIONS = sorted({d for m in CATALOGUE.values() for d in m.dimensions})
COLUMNS = [*DIMENSIONS, "score", "status", "created_at", "is_complaint", "reopens", "amount",
           "survey", "outcome", "nope", "period", "value", "_sm_x"]
GRAINS = ["day", "week", "month", "quarter", "year", "range"]
DATES = ["2025-09-01", "2025-10-01", "2025-10-06", "2025-11-01", "2025-12-01", "2026-01-01",
         "1899-12-31", "0001-01-01", "9999-12-31", "2025-02-30", "2025-10", "yesterday", ""]
VALUES = ["a1", "tier1", "email", "high", "4", "-1", "0.5", "true", "no", "high", "nan", "inf",
          "2025-10-01", "2025-10-01T09:00:00", "[/]", "[bold red]x[/]", "", "'; drop table x"]


def junk() -> st.SearchStrategy[str]:
    return st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                   max_size=12)


options = st.fixed_dictionaries({
    "metric": st.one_of(st.sampled_from(METRICS), junk()),
    "grain": st.one_of(st.sampled_from(GRAINS), junk()),
    "by": st.lists(st.one_of(st.sampled_from(COLUMNS), junk()), max_size=2),
    "where": st.lists(st.tuples(st.sampled_from(COLUMNS), st.one_of(st.sampled_from(VALUES),
                                                                    junk())), max_size=2),
    "from": st.one_of(st.none(), st.sampled_from(DATES)),
    "to": st.one_of(st.none(), st.sampled_from(DATES)),
    "clock": st.sampled_from(["calendar", "business", "x"]),
    "stat": st.sampled_from(["mean", "median", "p90", "max"]),
    "format": st.sampled_from(["table", "csv", "json", "yaml"]),
    "explain": st.booleans(),
})


def argv(workspace: str, o: dict[str, object]) -> list[str]:
    args = ["--workspace", workspace]
    where = [f"--where={c}={v}" for c, v in o["where"]]  # type: ignore[attr-defined]
    if o["explain"]:
        args += ["explain", str(o["metric"]), f"--format={o['format']}", f"--clock={o['clock']}"]
        if o["from"] is not None:
            args.append(f"--period={str(o['from'])[:7]}")
        if o["grain"] != "month":
            args.append(f"--grain={o['grain']}")
        return args + where
    args += ["metrics", str(o["metric"]), f"--grain={o['grain']}", f"--clock={o['clock']}",
             f"--stat={o['stat']}", f"--format={o['format']}"]
    args += [f"--by={b}" for b in o["by"]]  # type: ignore[attr-defined]
    args += [f"--{k}={o[k]}" for k in ("from", "to") if o[k] is not None]
    return args + where


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(o=options)
def test_the_cli_never_ends_in_an_internal_error(
    ws: Workspace, capsys: pytest.CaptureFixture[str], o: dict[str, object]
) -> None:
    args = argv(str(ws.directory), o)
    code = main(args)
    err = capsys.readouterr().err
    assert code in (0, 2), (args, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.strip(), args  # a user error always says what to fix
