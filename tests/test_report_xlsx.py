"""The report's workbook: it opens, holds real formulas, and LibreOffice recomputes them to the
publications' worked examples and to the engine's values."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import hostile_fixture
import pytest

from supportmetrics import Workspace
from supportmetrics.reports import Report, build_report, write_report
from supportmetrics.reports.xlsx import calculator_inputs, excel_formula
from supportmetrics.stats import CALCULATORS

openpyxl = pytest.importorskip("openpyxl")

# LibreOffice keeps the cached values of an .xlsx unless told to recalculate on load
RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""




@pytest.fixture(scope="module")
def workbook_path(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    write_report(report, "xlsx", out)
    return out


def tracker_rows(sheet: Any) -> dict[str, int]:
    """metric id -> row number on the Tracker sheet."""
    return {str(row[1].value): row[1].row for row in sheet.iter_rows(min_row=6)
            if row[1].value}


def defined_cell(book: Any, name: str) -> tuple[str, str]:
    sheet, ref = next(iter(book.defined_names[name].destinations))
    return sheet, ref.replace("$", "")


def test_workbook_opens_with_its_sheets_and_formulas(workbook_path: Path) -> None:
    book = openpyxl.load_workbook(workbook_path)
    assert book.sheetnames == ["Tracker", "Volume", "Agents", "SLA and comments", "Definitions",
                               "Calculator"]
    tracker = book["Tracker"]
    rows = tracker_rows(tracker)
    assert tracker.cell(rows["fcr_rate"], 9).value == 0.75  # October, as a fraction
    assert str(tracker.cell(rows["fcr_rate"], 10).value).startswith("=IF(")  # change
    assert str(tracker.cell(rows["csat"], 13).value).startswith("=IF(")  # status
    sheet, ref = defined_cell(book, "calc_nps")
    assert book[sheet][ref].value == "=100*($B$6-$B$8)/($B$6+$B$7+$B$8)"
    assert len(book["Volume"]._charts) == 2  # native line charts


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("hostile")
    ws = hostile_fixture.build(folder / "ws")
    try:
        report = build_report(ws, period="2025-10", title=hostile_fixture.TITLE)
    finally:
        ws.close()
    write_report(report, "xlsx", folder / "report.xlsx")
    return openpyxl.load_workbook(folder / "report.xlsx")


def test_user_text_is_written_as_text(hostile_book: Any) -> None:
    cells = [c for sheet in hostile_book.worksheets for row in sheet.iter_rows() for c in row
             if c.value is not None]
    texts = {c.value for c in cells if c.data_type == "s"}
    formulas = [str(c.value) for c in cells if c.data_type == "f"]
    h = hostile_fixture
    # category (Volume), agent and team (Agents), comments (SLA and comments): string cells
    for hostile in (h.CATEGORY, h.AGENT, h.TEAM, h.COMMENT, h.LINK):
        assert hostile in texts, hostile
    assert hostile_book["Tracker"]["A2"].data_type == "s"
    assert str(hostile_book["Tracker"]["A2"].value).startswith(h.TITLE + " – Oct 2025")
    assert not [f for f in formulas if "HYPERLINK" in f or "cmd|" in f or "SUM(1,2)" in f]
    assert all(c.hyperlink is None for c in cells)  # a link in a comment is not made a link
    # the calculator's result labels ("= Net Promoter Score") are labels, not broken formulas
    assert "= Net Promoter Score from counts" in texts
    # the report's own formulas are still formulas: change + status per tracker row, totals
    tracker = hostile_book["Tracker"]
    rows = tracker_rows(tracker)
    assert tracker.cell(rows["csat"], 10).data_type == "f"
    assert str(tracker.cell(rows["csat"], 13).value).startswith("=IF(")
    assert any(f.startswith("=SUM(") for f in formulas)
    sheet, ref = defined_cell(hostile_book, "calc_nps")
    assert hostile_book[sheet][ref].data_type == "f"


def test_a_comment_longer_than_a_cell_is_cut_visibly() -> None:
    from supportmetrics.reports.xlsx import excel_text

    assert excel_text("short") == "short"
    cut = excel_text("x" * 40000)
    mark = " … [cut: 40,000 characters, Excel holds 32,767 in a cell]"
    assert len(cut) == 32767 and cut.endswith(mark) and cut[:100] == "x" * 100


def test_every_plain_calculator_becomes_a_formula() -> None:
    skipped = {name for name, c in CALCULATORS.items()
               if excel_formula(c, {i.name: "A1" for i in c.inputs}) is None}
    assert skipped == {"iqs", "erlang_c", "erlang_service_level", "erlang_wait_probability",
                       "erlang_asa"}
    for name in ("nps", "csat", "ces", "churn_rate", "retention_rate", "clv_simple", "cac",
                 "aht", "asa"):
        assert name not in skipped


def recalculate(files: list[Path], out: Path) -> Path:
    profile = out / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE, encoding="utf-8")
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out / "recalc"),
                    *[str(f) for f in files]],
                   check=True, capture_output=True, timeout=300)
    return out / "recalc"


@pytest.fixture(scope="module")
def recalculated(workbook_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/system-deps installs "
                    "libreoffice-calc-nogui")
    work = tmp_path_factory.mktemp("libreoffice")
    # a copy with other NPS inputs proves the cells are computed, not cached
    edited = work / "edited.xlsx"
    book = openpyxl.load_workbook(workbook_path)
    sheet, ref = defined_cell(book, "calc_nps")
    book[sheet]["B6"], book[sheet]["B7"], book[sheet]["B8"] = 50, 30, 20
    book.save(edited)
    folder = recalculate([workbook_path, edited], work)
    return {"report": openpyxl.load_workbook(folder / "report.xlsx", data_only=True),
            "edited": openpyxl.load_workbook(folder / "edited.xlsx", data_only=True),
            "formulas": openpyxl.load_workbook(workbook_path)}


def number(value: Any) -> Any:
    """A cell's number; openpyxl reads [h]:mm cells as timedelta (Excel days)."""
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return value


def calc_value(book: Any, formulas: Any, name: str) -> float:
    sheet, ref = defined_cell(formulas, f"calc_{name}")
    value = book[sheet][ref].value
    assert isinstance(value, (int, float)), (name, value)
    return float(value)


@pytest.mark.libreoffice
def test_calculator_recomputes_the_worked_examples(recalculated: dict[str, Any]) -> None:
    book, formulas = recalculated["report"], recalculated["formulas"]
    expected = {
        "nps": 60,  # 70 promoters, 20 passives, 10 detractors of 100 (LiveAgent 2025)
        "nps_pct": 60,  # 70 % - 10 %
        "csat": 60,  # 30 / 50 (LiveAgent 2025)
        "retention_rate": 90,  # (200 - 20) / 200 (LiveAgent 2025)
        "churn_rate": 8,  # 20 / 250 (LiveAgent 2025)
        "churn_from_retention": 25,  # 100 - 75 (Parker)
        "clv_simple": 750,  # 50 x 5 x 3 (LiveAgent 2025)
        "cac": 0.5,  # 10,000 / 20,000 (Parker)
        "avg_wait_time": 150,  # 30,000 s / 200 (LiveAgent 2025's 500 min / 200 = 2.5 min)
        "ces": 2.4,  # sample: 120 / 50
        "aht": 330,  # sample: (24,000 + 3,000 + 6,000) / 100
        "asa": 30,  # sample: 3,000 / 100
    }
    for name, value in expected.items():
        assert calc_value(book, formulas, name) == pytest.approx(value), name
    for name, calculator in CALCULATORS.items():
        if f"calc_{name}" in formulas.defined_names:
            inputs, _ = calculator_inputs(calculator)
            assert calc_value(book, formulas, name) == pytest.approx(calculator.compute(inputs))


@pytest.mark.libreoffice
def test_calculator_cells_are_live(recalculated: dict[str, Any]) -> None:
    # 50 promoters, 30 passives, 20 detractors -> 100 x (50 - 20) / 100 = 30
    assert calc_value(recalculated["edited"], recalculated["formulas"], "nps") == 30


@pytest.mark.libreoffice
def test_tracker_formulas_equal_the_engine(recalculated: dict[str, Any], ws: Workspace,
                                           report: Report) -> None:
    sheet = recalculated["report"]["Tracker"]
    rows = tracker_rows(sheet)
    scale = {"fcr_rate": 100, "reopen_rate": 100, "csat": 100, "first_response_time": 86400,
             "aht": 86400, "nps": 1, "ticket_volume": 1, "tickets_solved": 1}
    for metric_id, factor in scale.items():
        frame = ws.metric(metric_id, start="2025-09-01", end="2025-11-01")
        engine = dict(zip(frame["period"], frame["value"], strict=True))
        row = rows[metric_id]
        october = number(sheet.cell(row, 9).value)
        assert october * factor == pytest.approx(engine["2025-10-01"]), metric_id
        change = number(sheet.cell(row, 10).value)
        september = engine["2025-09-01"]
        if september != september:  # a rate over nothing: no change to show
            assert change in (None, ""), metric_id
        else:
            assert change * factor == pytest.approx(engine["2025-10-01"] - september), metric_id
    # statuses: the formula's verdict equals the model's
    for metric_row in report.rows:
        verdict = sheet.cell(rows[metric_row.metric.id], 13).value or ""
        model = ("on target" if metric_row.met else "off target") if metric_row.met is not None \
            else metric_row.trend
        assert verdict == model, metric_row.metric.id
    assert sheet.cell(rows["support_cost_ratio"], 13).value == "on target"  # 7 % < 10 %


@pytest.mark.libreoffice
def test_volume_totals_equal_the_engine(recalculated: dict[str, Any], ws: Workspace,
                                        report: Report) -> None:
    formulas = recalculated["formulas"]
    sheet_name, ref = next(iter(formulas.defined_names["volume_totals"].destinations))
    cells = recalculated["report"][sheet_name][ref.replace("$", "")]
    totals = [c.value for c in cells[0]]
    frame = ws.metric("ticket_volume", start=report.periods[0], end=report.end)
    assert totals == frame["value"].tolist()
    assert totals[-1] == 7
