"""The report as an XLSX workbook with live formulas (XlsxWriter).

Sheets: Tracker (every metric per period; change and status are formulas), Volume (tickets by
category per period and per week with native line charts, totals as SUM formulas, spikes
highlighted), Agents, SLA, Comments, Definitions and Calculator (the template's formulas tab: every
calculator of :mod:`supportmetrics.stats.calculators` as input cells and a real Excel formula,
pre-filled with the publications' worked examples).

Units in cells are Excel's own: percentages are fractions shown as ``0.0%``, durations are days
shown as ``[h]:mm``; the engine's value is ``cell x 100`` or ``cell x 86400``.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

from supportmetrics.currency import decimals
from supportmetrics.metrics import DOMAINS, Direction, Unit
from supportmetrics.reports.charts import scale_top
from supportmetrics.reports.model import MetricRow, Report, period_label
from supportmetrics.stats import CALCULATORS, Calculator

ACCENT = "#1E3A8A"
# inputs for the calculators the publications give no worked example for (the template's tab
# ships filled in); each value is checked against the calculator's own function in the tests
SAMPLES: dict[str, dict[str, float]] = {
    "csat_mean": {"score_total": 205, "responses": 50},
    "ces": {"score_total": 120, "responses": 50},
    "ces_agree_pct": {"top_two": 35, "responses": 50},
    "happiness": {"great": 60, "okay": 25, "not_good": 15},
    "churn_net": {"start": 250, "end": 240},
    "clv_historical": {"purchases_total": 600, "gross_margin_pct": 40},
    "clv_predictive": {"monthly_transactions": 2, "order_value": 50, "lifespan_months": 36},
    "clv_net": {"annual_revenue": 250, "relationship_years": 3, "cac": 0.5},
    "aht": {"talk": 24000, "hold": 3000, "wrap": 6000, "calls": 100},
    "asa": {"wait_total": 3000, "answered": 100},
    "service_level": {"answered_within": 160, "offered": 205, "short_abandons": 5},
    "abandonment_rate": {"abandoned": 17, "short_abandons": 5, "offered": 205},
    "first_response_time": {"first_response_total": 540000, "requests": 200},
    "frt_per_resolved": {"first_response_total": 540000, "solved": 180},
    "response_time": {"response_total": 720000, "responses": 400},
    "resolution_time": {"resolution_total": 8640000, "resolved": 180},
    "resolution_rate": {"solved": 180, "created": 200},
    "resolution_ratio": {"solved": 180, "unsolved": 20},
    "fcr_rate": {"first_contact": 126, "solved": 180},
    "support_cost_ratio": {"support_cost": 7000, "revenue": 100000},
    "cost_per_ticket": {"support_cost": 7000, "tickets": 1000},
    "referral_rate": {"referred": 30, "new_customers": 200},
    "feedback_response_rate": {"answered": 45, "received": 50},
    "survey_response_rate": {"completed": 120, "sent": 400},
    "agent_utilization": {"handle_time": 30, "available_time": 40},
    "erlang_occupancy": {"calls": 100, "interval_s": 1800, "aht_s": 240, "agents": 20},
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def excel_formula(calculator: Calculator, cells: dict[str, str]) -> str | None:
    """The calculator's template as an Excel formula over ``cells`` (input name -> A1 ref).

    ``None`` for formulas that are not one plain arithmetic expression (Erlang C, repeated
    criteria).
    """
    if calculator.repeated or ";" in calculator.template or " = " not in calculator.template:
        return None
    expression = calculator.template.split(" = ", 1)[1]
    expression = _PLACEHOLDER.sub(lambda m: cells[m.group(1)], expression)
    expression = expression.replace(" x ", "*")
    if re.search(r"[A-Za-z_]{2,}", re.sub(r"\$?[A-Z]+\$?\d+", "", expression)):
        return None  # words left over: not plain arithmetic
    return "=" + expression.replace(" ", "")


def calculator_inputs(calculator: Calculator) -> tuple[dict[str, float], str]:
    """The pre-filled inputs and where they come from."""
    if calculator.examples:
        example = calculator.examples[0]
        return example.inputs, f"worked example: {example.source}"
    return SAMPLES.get(calculator.name, {i.name: 1.0 for i in calculator.inputs}), "sample"


EXCEL_TEXT_MAX = 32767  # characters in one cell


def excel_text(text: str) -> str:
    """``text`` as one cell holds it: past Excel's 32,767 characters, cut with a visible mark."""
    if len(text) <= EXCEL_TEXT_MAX:
        return text
    mark = f" … [cut: {len(text):,} characters, Excel holds {EXCEL_TEXT_MAX:,} in a cell]"
    return text[:EXCEL_TEXT_MAX - len(mark)] + mark


def excel_value(value: float | None, unit: Unit) -> float | None:
    """The engine's value in Excel's units (fractions for %, days for durations)."""
    if value is None or math.isnan(value):
        return None
    if unit is Unit.PERCENT:
        return value / 100
    if unit is Unit.SECONDS:
        return value / 86400
    return value


def money_format(currency: str | None, signed: bool = False) -> str:
    """Excel's number format of money: ``#,##0.00 "EUR"`` (the code is part of the format)."""
    places = decimals(currency)
    number = "#,##0" + ("." + "0" * places if places else "")
    code = "" if currency is None else f' "{currency}"'
    if signed:
        return f"+{number}{code};-{number}{code}"
    return number + code


class _Formats:
    def __init__(self, book: Any, currency: str | None = None) -> None:
        add = book.add_format
        self.title = add({"bold": True, "font_size": 16, "font_color": ACCENT})
        self.subtitle = add({"italic": True, "font_color": "#64748B"})
        self.head = add({"bold": True, "bg_color": "#E2E8F0", "border": 1, "border_color": "#CBD5E1",
                         "text_wrap": True, "valign": "top"})
        self.domain = add({"bold": True, "bg_color": "#EEF2FF", "font_color": ACCENT})
        self.text = add({"valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.muted = add({"font_color": "#64748B", "valign": "top"})
        self.good = add({"bg_color": "#DCFCE7", "font_color": "#15803D"})
        self.bad = add({"bg_color": "#FEE2E2", "font_color": "#B91C1C"})
        self.input = add({"bg_color": "#FEF9C3", "border": 1, "border_color": "#CA8A04"})
        self.result = add({"bold": True, "bg_color": "#DBEAFE", "border": 1,
                           "border_color": ACCENT, "num_format": "#,##0.00##"})
        self.bold = add({"bold": True})
        self.spike = add({"bg_color": "#FEE2E2", "font_color": "#B91C1C", "bold": True,
                          "num_format": "#,##0"})
        self.total = add({"bold": True, "top": 1, "num_format": "#,##0"})
        self.count = add({"num_format": "#,##0"})
        nums = {Unit.PERCENT: "0.0%", Unit.SECONDS: "[h]:mm", Unit.COUNT: "#,##0.##",
                Unit.MONEY: money_format(currency), Unit.POINTS: "0.0", Unit.SCORE: "0.00",
                Unit.RATIO: "0.00"}
        self.unit = {u: add({"num_format": f}) for u, f in nums.items()}
        self.unit_bold = {u: add({"num_format": f, "bold": True, "bg_color": "#F1F5F9"})
                          for u, f in nums.items()}
        change = {Unit.PERCENT: '+0.0" pts";-0.0" pts"', Unit.SECONDS: '+[h]:mm;-[h]:mm',
                  Unit.COUNT: "+#,##0.##;-#,##0.##", Unit.MONEY: money_format(currency, True),
                  Unit.POINTS: "+0.0;-0.0", Unit.SCORE: "+0.00;-0.00", Unit.RATIO: "+0.00;-0.00"}
        self.change = {u: add({"num_format": f}) for u, f in change.items()}


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _header(sheet: Any, f: _Formats, report: Report, title: str) -> None:
    sheet.write(0, 0, title, f.title)
    scope = f" · {report.filter_label}" if report.where else ""
    sheet.write(1, 0, f"{report.title} – {report.period_label()}{scope} · times in "
                      f"{report.timezone} · data until {report.data_until:%d %b %Y}", f.subtitle)


# --- sheets ----------------------------------------------------------------------------------


TRACKER_FIRST_ROW = 4  # 0-based row of the first header


def _tracker(book: Any, f: _Formats, report: Report) -> None:
    sheet = book.add_worksheet("Tracker")
    _header(sheet, f, report, "Tracker: every metric per period")
    n = len(report.periods)
    heads = ["Metric", "id", *[period_label(p, report.grain) for p in report.periods],
             "Change", "Target low", "Target high", "Status", "Better"]
    row = TRACKER_FIRST_ROW
    sheet.write_row(row, 0, heads, f.head)
    sheet.freeze_panes(row + 1, 2)
    first, last = 2, 2 + n - 1
    change_col, low_col, high_col, status_col = last + 1, last + 2, last + 3, last + 4
    for domain in DOMAINS:
        rows = [r for r in report.rows if r.domain == domain]
        if not rows:
            continue
        row += 1
        sheet.merge_range(row, 0, row, status_col + 1, domain, f.domain)
        for metric_row in rows:
            row += 1
            _tracker_row(sheet, f, metric_row, row, first, last, change_col, low_col, high_col,
                         status_col)
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 22)
    sheet.set_column(first, last, 11)
    sheet.set_column(change_col, high_col, 11)
    sheet.set_column(status_col, status_col, 12)
    sheet.set_column(status_col + 1, status_col + 1, 16)
    status = f"{_col(status_col)}{TRACKER_FIRST_ROW + 2}:{_col(status_col)}{row + 1}"
    for text, fmt in (("on target", f.good), ("better", f.good), ("off target", f.bad),
                      ("worse", f.bad)):
        sheet.conditional_format(status, {"type": "cell", "criteria": "==",
                                          "value": f'"{text}"', "format": fmt})
    note = row + 2
    sheet.write(note, 0, "Change = this period minus the one before (a formula). Status: against "
                         "the target band when there is one, else better/worse by the change "
                         "and the metric's direction.", f.muted)
    sheet.write(note + 1, 0, "Percentages are stored as fractions (0.0%), durations as days "
                             "([h]:mm).", f.muted)


def _tracker_row(sheet: Any, f: _Formats, r: MetricRow, row: int, first: int, last: int,
                 change_col: int, low_col: int, high_col: int, status_col: int) -> None:
    unit = r.metric.unit
    sheet.write(row, 0, r.metric.title, f.bold if r.primary else f.text)
    sheet.write(row, 1, r.metric.id, f.muted)
    for i, value in enumerate(r.values):
        shown = excel_value(value, unit)
        fmt = (f.unit_bold if first + i == last else f.unit)[unit]
        if shown is None:
            sheet.write_blank(row, first + i, None, fmt)
        else:
            sheet.write_number(row, first + i, shown, fmt)
    cur, prev = f"{_col(last)}{row + 1}", f"{_col(last - 1)}{row + 1}"
    change = f"{_col(change_col)}{row + 1}"
    sheet.write_formula(row, change_col, f'=IF(OR({cur}="",{prev}=""),"",{cur}-{prev})',
                        f.change[unit], _cached(r.change, unit))
    low, high = f"{_col(low_col)}{row + 1}", f"{_col(high_col)}{row + 1}"
    if r.target is not None:
        for col, bound in ((low_col, r.target.low), (high_col, r.target.high)):
            value = excel_value(bound, unit)
            if value is not None:
                sheet.write_number(row, col, value, f.unit[unit])
        formula = (f'=IF({cur}="","",IF(AND(OR({low}="",{cur}>={low}),'
                   f'OR({high}="",{cur}<={high})),"on target","off target"))')
        cached = "" if r.met is None else ("on target" if r.met else "off target")
    elif r.metric.direction is Direction.NEUTRAL:
        formula, cached = '=""', ""
    else:
        up, down = ("better", "worse") if r.metric.direction is Direction.UP else \
            ("worse", "better")
        formula = (f'=IF(OR({change}="",{prev}=""),"",IF(ABS({change})<0.005*ABS({prev}),'
                   f'"flat",IF({change}>0,"{up}","{down}")))')
        cached = r.trend
    sheet.write_formula(row, status_col, formula, f.text, cached)
    # a metric without its data says what is missing where its direction would be
    sheet.write(row, status_col + 1, r.missing or r.metric.direction.value, f.muted)


def _cached(change: float | None, unit: Unit) -> Any:
    value = excel_value(change, unit)
    return "" if value is None else value


def _volume(book: Any, f: _Formats, report: Report) -> None:
    sheet = book.add_worksheet("Volume")
    _header(sheet, f, report, "Ticket volume by category")
    frame = report.volume.by_category.pivot_table(index="category", columns="period",
                                                  values="value", aggfunc="sum", fill_value=0)
    keys = [p.isoformat() for p in report.periods]
    frame = frame.reindex(columns=keys, fill_value=0)
    frame = frame.loc[frame.sum(axis=1).sort_values(ascending=False).index]
    top = 4
    sheet.write_row(top, 0, ["Category", *[period_label(p, report.grain)
                                           for p in report.periods]], f.head)
    for i, (category, values) in enumerate(frame.iterrows()):
        sheet.write(top + 1 + i, 0, str(category))
        sheet.write_row(top + 1 + i, 1, [float(v) for v in values], f.count)
    total_row = top + 1 + len(frame)
    sheet.write(total_row, 0, "All tickets", f.total)
    for j in range(len(keys)):
        col = _col(1 + j)
        sheet.write_formula(total_row, 1 + j, f"=SUM({col}{top + 2}:{col}{total_row})", f.total,
                            float(frame.iloc[:, j].sum()))
    book.define_name("volume_totals", f"=Volume!$B${total_row + 1}:${_col(len(keys))}"
                                      f"${total_row + 1}")
    chart = book.add_chart({"type": "line"})
    for i in range(len(frame)):
        chart.add_series({
            "name": ["Volume", top + 1 + i, 0],
            "categories": ["Volume", top, 1, top, len(keys)],
            "values": ["Volume", top + 1 + i, 1, top + 1 + i, len(keys)],
            "marker": {"type": "circle", "size": 4}, "line": {"width": 2},
        })
    chart.set_title({"name": f"Tickets per {report.grain} by category"})
    chart.set_y_axis({"name": "Tickets", "major_gridlines": {"visible": True,
                                                             "line": {"color": "#E2E8F0"}}})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 900, "height": 340})
    sheet.insert_chart(total_row + 2, 0, chart)
    weekly_top = total_row + 21
    _weekly(book, sheet, f, report, weekly_top)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 40, 12)


def _weekly(book: Any, sheet: Any, f: _Formats, report: Report, top: int) -> None:
    wide = report.volume.weekly_category.pivot_table(index="period", columns="category",
                                                     values="value", aggfunc="sum",
                                                     fill_value=0).sort_index()
    order = wide.sum(axis=0).sort_values(ascending=False).index.tolist()
    wide = wide[order]
    spikes = {(s.period, s.series) for s in report.volume.spikes}
    sheet.write(top - 1, 0, "Tickets per week by category (spikes in red: a week more than "
                            "twice the median of the 8 weeks before it)", f.bold)
    sheet.write_row(top, 0, ["Week", *[str(c) for c in order], "All tickets"], f.head)
    for i, (week, values) in enumerate(wide.iterrows()):
        r = top + 1 + i
        sheet.write(r, 0, period_label(date.fromisoformat(str(week)), "week"))
        for j, (category, value) in enumerate(values.items()):
            fmt = f.spike if (str(week), str(category)) in spikes else f.count
            sheet.write_number(r, 1 + j, float(value), fmt)
        fmt = f.spike if (str(week), "all") in spikes else f.total
        sheet.write_formula(r, 1 + len(order), f"=SUM(B{r + 1}:{_col(len(order))}{r + 1})", fmt,
                            float(values.sum()))
    last = top + len(wide)
    chart = book.add_chart({"type": "line"})
    for j in range(len(order)):
        chart.add_series({"name": ["Volume", top, 1 + j],
                          "categories": ["Volume", top + 1, 0, last, 0],
                          "values": ["Volume", top + 1, 1 + j, last, 1 + j],
                          "line": {"width": 1.75}})
    chart.set_title({"name": "Tickets per week by category"})
    chart.set_x_axis({"num_font": {"rotation": -45}, "interval_unit": 2})
    cut = scale_top(report.volume.weekly_category)
    if cut is not None:  # one outlier week would flatten every other line: cut the scale
        chart.set_y_axis({"max": math.ceil(cut),
                          "name": f"Tickets (scale cut at {math.ceil(cut):,}: see the table)"})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 900, "height": 360})
    sheet.insert_chart(top, len(order) + 3, chart)
    r = last + 2
    sheet.write(r, 0, "Spikes", f.bold)
    for spike in report.volume.spikes:
        r += 1
        week = period_label(date.fromisoformat(spike.period), "week")
        if spike.series == "all":
            top_list = ", ".join(f"{c} {v:,.0f} (usually {u:,.0f})" for c, v, u in spike.top)
            text = (f"{week}: {spike.value:,.0f} tickets against a usual {spike.level:,.0f}; "
                    f"top categories: {top_list}")
        else:
            text = f"{week}: {spike.series} {spike.value:,.0f} against a usual {spike.level:,.0f}"
        sheet.write(r, 0, text, f.bad)
    if not report.volume.spikes:
        sheet.write(r + 1, 0, "none", f.muted)


def _agents(book: Any, f: _Formats, report: Report) -> None:
    sheet = book.add_worksheet("Agents")
    _header(sheet, f, report, f"Agent scorecards – {report.period_label()}")
    cards = report.scorecards
    heads = ["Agent", "Team", *[m.title for m in cards.metrics]]
    top = 4
    sheet.write_row(top, 0, heads, f.head)
    sheet.set_row(top, 45)
    records = cards.agents.to_dict("records")
    for i, record in enumerate(records):
        sheet.write(top + 1 + i, 0, record["agent_id"])
        sheet.write(top + 1 + i, 1, record["team"])
        for j, m in enumerate(cards.metrics):
            _number(sheet, top + 1 + i, 2 + j, record.get(m.id), m.unit, f.unit[m.unit])
    sheet.autofilter(top, 0, top + len(records), len(heads) - 1)
    sheet.freeze_panes(top + 1, 1)
    r = top + len(records) + 1
    sheet.write(r, 0, "Whole team", f.bold)
    for j, m in enumerate(cards.metrics):
        _number(sheet, r, 2 + j, cards.total[m.id], m.unit, f.unit_bold[m.unit])
    r += 3
    sheet.write(r - 1, 0, "Teams", f.bold)
    sheet.write_row(r, 0, ["Team", "", *[m.title for m in cards.metrics]], f.head)
    sheet.set_row(r, 45)
    for i, record in enumerate(cards.teams.to_dict("records")):
        sheet.write(r + 1 + i, 0, record["team"])
        for j, m in enumerate(cards.metrics):
            _number(sheet, r + 1 + i, 2 + j, record.get(m.id), m.unit, f.unit[m.unit])
    sheet.set_column(0, 1, 12)
    sheet.set_column(2, 2 + len(cards.metrics), 14)


def _number(sheet: Any, row: int, col: int, value: Any, unit: Unit, fmt: Any) -> None:
    shown = excel_value(None if value is None else float(value), unit)
    if shown is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, shown, fmt)


def _sla_and_comments(book: Any, f: _Formats, report: Report) -> None:
    sheet = book.add_worksheet("SLA and comments")
    _header(sheet, f, report, f"SLA targets by priority – {report.period_label()}")
    heads = ["Priority", "Tickets", "First response target", "Median first response",
             "Resolution target", "Median resolution", "SLA compliance"]
    top = 4
    sheet.write_row(top, 0, heads, f.head)
    sheet.set_row(top, 32)
    dur, pct = f.unit[Unit.SECONDS], f.unit[Unit.PERCENT]
    for i, s in enumerate(report.sla):
        r = top + 1 + i
        sheet.write(r, 0, s.priority)
        sheet.write_number(r, 1, s.tickets, f.count)
        for col, value, fmt in ((2, s.first_response_target_s, dur),
                                (3, s.first_response_median_s, dur),
                                (4, s.resolution_target_s, dur), (5, s.resolution_median_s, dur)):
            _number(sheet, r, col, value, Unit.SECONDS, fmt)
        _number(sheet, r, 6, s.compliance, Unit.PERCENT, pct)
        for actual, target in ((3, 2), (5, 4)):
            cell, goal = f"{_col(actual)}{r + 1}", f"{_col(target)}{r + 1}"
            sheet.conditional_format(r, actual, r, actual, {
                "type": "formula", "criteria": f'=AND({goal}<>"",{cell}>{goal})',
                "format": f.bad})
    r = top + len(report.sla) + 3
    sheet.write(r, 0, "Latest survey comments", f.title)
    sheet.write_row(r + 1, 0, ["Answered (UTC)", "Survey", "Score", "Out of", "Agent",
                               "Channel", "Comment"], f.head)
    for i, c in enumerate(report.comments):
        row = r + 2 + i
        sheet.write(row, 0, f"{c.responded_at:%Y-%m-%d %H:%M}")
        sheet.write(row, 1, c.survey)
        if c.score is not None:
            sheet.write_number(row, 2, c.score)
        if c.scale_max is not None:
            sheet.write_number(row, 3, c.scale_max)
        sheet.write(row, 4, c.agent_id)
        sheet.write(row, 5, c.channel)
        sheet.write(row, 6, excel_text(c.text))
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 5, 14)
    sheet.set_column(6, 6, 60)


def _definitions(book: Any, f: _Formats, report: Report) -> None:
    sheet = book.add_worksheet("Definitions")
    _header(sheet, f, report, "Definitions: every metric of the catalogue")
    top = 4
    sheet.write_row(top, 0, ["Metric", "id", "Unit", "Better", "Definition", "Source",
                             "Variant of"], f.head)
    r = top
    for domain, metrics in DOMAINS.items():
        r += 1
        sheet.merge_range(r, 0, r, 6, domain, f.domain)
        for m in metrics:
            r += 1
            sheet.write_row(r, 0, [m.title, m.id, m.unit.value, report.direction(m).value,
                                   m.definition,
                                   m.article, m.variant_of or ""], f.wrap)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 3, 14)
    sheet.set_column(4, 4, 80)
    sheet.set_column(5, 6, 18)
    sheet.freeze_panes(top + 1, 1)


def _calculator(book: Any, f: _Formats, report: Report) -> None:
    sheet = book.add_worksheet("Calculator")
    sheet.write(0, 0, "Calculator: type the yellow cells, read the blue one", f.title)
    sheet.write(1, 0, "Every formula is a live Excel formula; the inputs are the sources' worked "
                      "examples where they give one.", f.subtitle)
    r = 3
    for calculator in CALCULATORS.values():
        cells: dict[str, str] = {}
        inputs, origin = calculator_inputs(calculator)
        first_input = r + 2
        for k, item in enumerate(calculator.inputs):
            cells[item.name] = f"$B${first_input + k + 1}"
        formula = excel_formula(calculator, cells)
        if formula is None:
            continue
        sheet.merge_range(r, 0, r, 3, f"{calculator.title}", f.domain)
        sheet.write(r + 1, 0, calculator.formula, f.muted)
        sheet.write(r + 1, 3, f"{calculator.source} · {origin}", f.muted)
        for k, item in enumerate(calculator.inputs):
            row = first_input + k
            sheet.write(row, 0, item.description, f.text)
            sheet.write_number(row, 1, float(inputs[item.name]), f.input)
            sheet.write(row, 2, item.unit, f.muted)
            sheet.write(row, 3, item.name, f.muted)
        result = first_input + len(calculator.inputs)
        unit = {"money": "", "ratio": "", "seconds": "s"}.get(calculator.unit, calculator.unit)
        sheet.write(result, 0, f"= {calculator.title}", f.bold)
        sheet.write_formula(result, 1, formula, f.result, calculator.compute(inputs))
        sheet.write(result, 2, unit, f.bold)
        sheet.write(result, 3, calculator.name, f.muted)
        book.define_name(f"calc_{calculator.name}", f"=Calculator!$B${result + 1}")
        if calculator.note:
            sheet.write(result + 1, 0, calculator.note, f.muted)
            result += 1
        r = result + 2
    sheet.set_column(0, 0, 58)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 2, 10)
    sheet.set_column(3, 3, 40)


def write_xlsx(report: Report, out: Path) -> None:
    """Write the workbook to ``out``."""
    import xlsxwriter
    import xlsxwriter.exceptions

    # user text (categories, agents, comments, the title) is always a string cell, even when
    # it starts with "=" or looks like a link: only the report's own write_formula calls make
    # formulas
    book = xlsxwriter.Workbook(str(out), {"nan_inf_to_errors": True,
                                          "strings_to_formulas": False,
                                          "strings_to_urls": False,
                                          "strings_to_numbers": False})
    book.set_properties({"title": f"{report.title} – {report.period_label()}",
                         "author": "supportmetrics"})
    f = _Formats(book, report.currency)
    _tracker(book, f, report)
    _volume(book, f, report)
    _agents(book, f, report)
    _sla_and_comments(book, f, report)
    _definitions(book, f, report)
    _calculator(book, f, report)
    try:
        book.close()
    except xlsxwriter.exceptions.FileCreateError as exc:  # an OSError underneath: say which
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        raise cause or OSError(str(exc)) from exc
