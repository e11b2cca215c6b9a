"""The CSV cell policy: text a spreadsheet would run as a formula gets a leading quote, in every
CSV file supportmetrics writes (metrics, explain, facts, rejects); numbers are left alone."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import hostile_fixture
import pandas as pd
import pyarrow as pa
import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.csv_cells import safe_arrow, safe_frame, safe_row, safe_text

H = hostile_fixture


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = H.build(tmp_path_factory.mktemp("hostile") / "ws")
    yield workspace
    workspace.close()


def test_text_cells_starting_like_a_formula_get_a_quote() -> None:
    cases = {"=1+2": "'=1+2", "+385 1 234": "'+385 1 234", "@SUM(A1)": "'@SUM(A1)",
             "\t=1": "'\t=1", "\r=1": "'\r=1", "a=b": "a=b", "": "", "'quoted": "'quoted",
             "-5+3": "'-5+3", "-x": "'-x",
             # plain numbers are not formulas: left as they are
             "-5": "-5", "+3.5": "+3.5", "-1e3": "-1e3", "-.5": "-.5"}
    assert {text: safe_text(text) for text in cases} == cases
    assert safe_row(["=x", 3, -5.0, None, "ok"]) == ["'=x", 3, -5.0, None, "ok"]


def test_frames_and_arrow_tables_quote_text_not_numbers() -> None:
    frame = pd.DataFrame({"category": ["=evil()", "-7", None], "value": [-5.0, 3.0, -1.0],
                          "mixed": ["-x", 7, None]})
    safe = safe_frame(frame)
    assert safe["category"].tolist()[:2] == ["'=evil()", "-7"]
    assert pd.isna(safe["category"].iloc[2])
    assert safe["value"].tolist() == [-5.0, 3.0, -1.0]  # numbers: not text, never quoted
    assert safe["mixed"].tolist()[:2] == ["'-x", 7]
    assert frame["category"].iloc[0] == "=evil()"  # the caller's frame is not changed
    table = pa.table({"category": ["@x", "-2", None], "n": [-1, 2, 3]})
    assert safe_arrow(table).to_pydict() == {"category": ["'@x", "-2", None], "n": [-1, 2, 3]}


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_metrics_csv(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["-w", str(ws.directory), "metrics", "ticket_volume", "--by", "category",
                 "--from", "2025-10-01", "--to", "2025-11-01", "--format", "csv"])
    assert code == 0
    rows = {r["category"]: r["value"] for r in read_csv(capsys.readouterr().out)}
    # October: technical (renamed) T1, T3, T5, T7; returns T2; delivery T4; complaint T6
    assert rows == {"'" + H.CATEGORY: "4.0", "returns": "1.0", "delivery": "1.0",
                    "complaint": "1.0"}


def test_metrics_csv_keeps_negative_numbers(ws: Workspace, capsys: pytest.CaptureFixture[str]) \
        -> None:
    code = main(["-w", str(ws.directory), "metrics", "nps", "--by", "agent_id", "--from",
                 "2025-10-01", "--to", "2025-11-01", "--format", "csv"])
    assert code == 0
    rows = {r["agent_id"]: r["value"] for r in read_csv(capsys.readouterr().out)}
    # a3 (renamed) has one response, a 3: a detractor -> 0 - 100 = -100
    assert rows["'" + H.AGENT] == "-100.0"


def test_explain_csv(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["-w", str(ws.directory), "explain", "ticket_volume", "--period", "2025-10",
                 "--where", "channel=" + H.CHANNEL, "--format", "csv"])
    assert code == 0
    rows = read_csv(capsys.readouterr().out)
    assert [r["unit"] for r in rows] == ["T6"]  # the one phone ticket
    assert (rows[0]["channel"], rows[0]["team"], rows[0]["agent_id"], rows[0]["value"]) == (
        "'" + H.CHANNEL, "'" + H.TEAM, "'" + H.AGENT, "1.0")


def test_facts_csv(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "facts.csv"
    assert main(["-w", str(ws.directory), "facts", "tickets", "--out", str(out)]) == 0
    rows = read_csv(out.read_text(encoding="utf-8"))
    assert [r["ticket_id"] for r in rows] == [f"T{i}" for i in range(1, 9)]  # nothing lost
    by_id = {r["ticket_id"]: r for r in rows}
    assert by_id["T1"]["category"] == "'" + H.CATEGORY
    assert by_id["T3"]["team"] == "'" + H.TEAM
    assert by_id["T6"]["channel"] == "'" + H.CHANNEL
    for row in rows:  # no text cell of any column starts like a formula
        assert not [v for v in row.values() if v[:1] in ("=", "+", "@")], row


def test_rejects_file(workspace: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "tickets.csv"
    source.write_text("ticket_id,created_at,channel\n"
                      "T1,2025-10-01 09:00,email\n"
                      "=HYPERLINK(\"http://x\"),@SUM(1),-web\n", encoding="utf-8")
    result = workspace.ingest("tickets", [source])
    assert result.accepted == 1 and result.rejects_path is not None
    with result.rejects_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["row"], r["column"], r["value"]) for r in rows] == [
        ("3", "created_at", "'@SUM(1)")]  # row 3: the header is row 1
    assert not rows[0]["reason"].startswith(("=", "+", "-", "@"))
