"""The report as one self-contained HTML page (charts inline, no network), also the PDF's source."""

from __future__ import annotations

import math
from datetime import date
from html import escape
from typing import Any

from supportmetrics.engine import format_seconds, format_value
from supportmetrics.metrics import CATALOGUE, DOMAINS, Direction, Format, Metric, Unit, tile_metrics
from supportmetrics.reports import charts as report_charts
from supportmetrics.reports.model import MetricRow, Report, format_change, period_label

SURVEY_NAMES = {"csat": "CSAT", "nps": "NPS", "ces": "CES", "happiness": "Happiness"}

CSS = """
:root { --ink:#0f172a; --muted:#64748b; --line:#e2e8f0; --good:#15803d; --bad:#b91c1c;
        --goodbg:#dcfce7; --badbg:#fee2e2; --accent:#1e3a8a; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 0; background: #f8fafc; font-size: 13px; line-height: 1.4; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; }
header.top { background: var(--accent); color: white; padding: 22px 24px 18px; }
header.top .inner { max-width: 1180px; margin: 0 auto; }
header.top h1 { margin: 0 0 4px; font-size: 24px; font-weight: 600; }
header.top .meta { opacity: .85; font-size: 12.5px; }
h2 { font-size: 17px; margin: 30px 0 4px; color: var(--accent); border-bottom: 2px solid var(--accent);
     padding-bottom: 4px; }
h3 { font-size: 14px; margin: 18px 0 6px; }
p.lead { color: var(--muted); margin: 4px 0 12px; }
.notes { background: #fef9c3; border: 1px solid #fde047; padding: 8px 12px; border-radius: 6px;
         margin: 16px 0 0; }
nav.toc { margin: 14px 0 0; font-size: 12.5px; }
nav.toc a { color: var(--accent); margin-right: 14px; text-decoration: none; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin-top: 18px; }
.tile { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
        border-left: 5px solid #cbd5e1; }
.tile.good { border-left-color: var(--good); } .tile.bad { border-left-color: var(--bad); }
.tile .name { color: var(--muted); font-size: 12px; }
.tile.missing, tr.missing td { color: var(--muted); background: #f1f5f9; }
.tile .value { font-size: 24px; font-weight: 600; margin: 2px 0; }
.tile .sub { font-size: 12px; color: var(--muted); }
.chg.good { color: var(--good); } .chg.bad { color: var(--bad); } .chg { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; background: white; font-size: 12.5px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right;
         vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; color: #334155; white-space: nowrap; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
tr.domain td { background: #eef2ff; font-weight: 600; color: var(--accent); text-align: left; }
td.current { font-weight: 600; background: #f8fafc; }
td .id { color: var(--muted); font-size: 11px; }
tr.primary td:first-child { font-weight: 600; }
.mark { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 11.5px;
        white-space: nowrap; }
.mark.good { background: var(--goodbg); color: var(--good); }
.mark.bad { background: var(--badbg); color: var(--bad); }
td.cell-good { color: var(--good); } td.cell-bad { color: var(--bad); font-weight: 600; }
table.sortable th { cursor: pointer; }
table.sortable th.asc::after { content: " ▲"; } table.sortable th.desc::after { content: " ▼"; }
tr.total td { font-weight: 600; background: #f1f5f9; }
.chart { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 10px;
         margin: 10px 0; overflow-x: auto; }
.chart svg, .chart img { max-width: 100%; height: auto; }
ul.spikes { margin: 6px 0 0; padding-left: 18px; } ul.spikes li { margin: 3px 0; }
.spike { color: var(--bad); font-weight: 600; }
.score { display: inline-block; min-width: 44px; text-align: center; border-radius: 4px;
         padding: 0 4px; font-weight: 600; }
.score.good { background: var(--goodbg); color: var(--good); }
.score.bad { background: var(--badbg); color: var(--bad); }
.score.mid { background: #fef9c3; color: #854d0e; }
footer { color: var(--muted); font-size: 11.5px; margin-top: 30px; break-before: avoid; }
@media print { footer { margin-top: 6px; } }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
"""

PRINT_CSS = """
@page { size: A4 landscape; margin: 12mm 12mm 14mm;
        @bottom-left { content: string(title); font-size: 8pt; color: #64748b; }
        @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt;
                        color: #64748b; } }
body { background: white; font-size: 9.5pt; }
header.top { padding: 12px 16px; }
header.top h1 { string-set: title content(text); }
main { max-width: none; padding: 0; }
nav.toc { display: none; }
table { font-size: 8.5pt; } th, td { padding: 3px 6px; }
h2 { break-after: avoid; margin-top: 16px; } section { break-before: page; }
section.first { break-before: auto; }
tr, .tile, .chart { break-inside: avoid; }
.tile .value { font-size: 16pt; } .tiles { gap: 8px; margin-top: 10px; }
.tile { padding: 7px 10px; } .chart { padding: 4px; margin: 6px 0; }
.chart img { width: 100%; }
#summary .chart img { width: 88%; }
"""

SORT_JS = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0], rows = Array.from(body.rows).filter(r => !r.classList.contains('total'));
      var asc = !th.classList.contains('asc');
      table.querySelectorAll('th').forEach(h => h.classList.remove('asc', 'desc'));
      th.classList.add(asc ? 'asc' : 'desc');
      var key = r => { var c = r.cells[col], v = c.dataset.sort; return v === undefined ? c.textContent : v; };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : (x === '' ? 1 : y === '' ? -1 : x.localeCompare(y));
        return asc ? cmp : -cmp;
      });
      rows.forEach(r => body.insertBefore(r, body.querySelector('tr.total')));
    });
  });
});
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _fmt(value: float | None, shown: Unit | Format, currency: str | None = None) -> str:
    return format_value(value, shown, currency)


def _mark(row: MetricRow) -> str:
    if row.met is not None:
        text = "✔ on target" if row.met else "✘ off target"
        return f'<span class="mark {"good" if row.met else "bad"}">{text}</span>'
    if row.status:
        text = "▲ better" if row.status == "good" else "▼ worse"
        return f'<span class="mark {row.status}">{text}</span>'
    return ""


def _change(row: MetricRow, currency: str | None) -> str:
    text = format_change(row.change, row.metric.unit, currency)
    if not text:
        return ""
    trend = {"better": "good", "worse": "bad"}.get(row.trend, "")
    return f'<span class="chg {trend}">{_e(text)}</span>'


def _tiles(report: Report) -> str:
    out = []
    for metric in tile_metrics():
        row = report.row(metric.id)
        target = (f"target {row.target.label(row.metric.unit, report.currency)}" if row.target else
                  "" if row.metric.direction is Direction.NEUTRAL else row.metric.direction.value)
        prev = period_label(report.periods[-2], report.grain) if len(report.periods) > 1 else ""
        if row.missing:
            out.append(
                f'<div class="tile missing"><div class="name">{_e(row.metric.title)}</div>'
                f'<div class="value">–</div><div class="sub">{_e(row.missing)}</div></div>')
            continue
        out.append(
            f'<div class="tile {row.status}"><div class="name">{_e(row.metric.title)}</div>'
            f'<div class="value">{_e(_fmt(row.current, row.metric.shown_as, report.currency))}</div>'
            f'<div class="sub">{_change(row, report.currency) or "–"} vs {_e(prev)}'
            f'{" · " + _e(target) if target else ""}</div></div>')
    return f'<div class="tiles">{"".join(out)}</div>'


def _tracker(report: Report) -> str:
    heads = "".join(f"<th>{_e(period_label(p, report.grain))}</th>" for p in report.periods)
    body = []
    for domain in DOMAINS:
        rows = [r for r in report.rows if r.domain == domain]
        if not rows:
            continue
        body.append(f'<tr class="domain"><td colspan="{len(report.periods) + 4}">'
                    f"{_e(domain)}</td></tr>")
        for row in rows:
            unit = row.metric.shown_as
            cur = report.currency
            cells = [f"<td>{_e(_fmt(v, unit, cur))}</td>" for v in row.values[:-1]]
            cells.append(f'<td class="current">{_e(_fmt(row.current, unit, cur))}</td>')
            target = (f'<span title="{_e(row.target.source)}">'
                      f'{_e(row.target.label(unit, cur))}</span>'
                      if row.target else "")
            label = (f'{_e(row.metric.title)} <span class="id">{_e(row.metric.id)}</span>')
            if row.error:
                label += f'<br><span class="id">n/a: {_e(row.error)}</span>'
            if row.missing:
                label += f'<br><span class="id">{_e(row.missing)}</span>'
            classes = " ".join(c for c in ("primary" if row.primary else "",
                                           "missing" if row.missing else "") if c)
            body.append(
                f'<tr class="{classes}" id="m-{_e(row.metric.id)}">'
                f'<td>{label}</td>{"".join(cells)}<td>{_change(row, cur)}</td>'
                f"<td>{target}</td><td>{_mark(row)}</td></tr>")
    return (f'<table class="tracker"><thead><tr><th>Metric</th>{heads}<th>Change</th>'
            f'<th>Target</th><th>Status</th></tr></thead><tbody>{"".join(body)}</tbody></table>')


def _volume_table(report: Report) -> str:
    frame = report.volume.by_category.pivot_table(index="category", columns="period",
                                                  values="value", aggfunc="sum", fill_value=0)
    keys = [p.isoformat() for p in report.periods]
    frame = frame.reindex(columns=keys, fill_value=0)
    frame = frame.loc[frame[keys[-1]].sort_values(ascending=False).index]
    heads = "".join(f"<th>{_e(period_label(p, report.grain))}</th>" for p in report.periods)
    rows = []
    for category, values in frame.iterrows():
        cells = "".join(f"<td>{v:,.0f}</td>" for v in values)
        rows.append(f'<tr><td class="text">{_e(category)}</td>{cells}</tr>')
    totals = "".join(f"<td>{v:,.0f}</td>" for v in frame.sum(axis=0))
    rows.append(f'<tr class="total"><td class="text">All tickets</td>{totals}</tr>')
    return (f'<table><thead><tr><th class="text">Category</th>{heads}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _spikes(report: Report) -> str:
    items = []
    for spike in report.volume.spikes:
        week = period_label(date.fromisoformat(spike.period), "week")
        ratio = f"×{spike.value / spike.level:.1f}" if spike.level else "from nothing"
        if spike.series == "all":
            top = ", ".join(f"<b>{_e(c)}</b> {v:,.0f} (usually {u:,.0f})" for c, v, u in spike.top)
            items.append(f'<li><span class="spike">{_e(week)}: {spike.value:,.0f} tickets</span>'
                         f" against a usual {spike.level:,.0f} ({ratio}). Top categories: {top}."
                         "</li>")
        else:
            items.append(f'<li><span class="spike">{_e(week)}: {_e(spike.series)}</span> '
                         f"{spike.value:,.0f} tickets against a usual {spike.level:,.0f} "
                         f"({ratio}).</li>")
    if not items:
        return ('<p class="lead">No spikes: no week was more than twice its usual level '
                "(the median of the 8 weeks before it).</p>")
    return (f'<p class="lead">A spike is a week more than twice its usual level (the median of the '
            f'8 weeks before it) and well outside its normal noise. Worth a note to the product '
            f'team:</p><ul class="spikes">{"".join(items)}</ul>')


def _score_class(metric: Metric, value: float, total: float) -> str:
    metric_id = metric.id
    if metric.direction is Direction.NEUTRAL or math.isnan(total) or total == 0:
        if metric_id == "agent_utilization":
            return "good" if 70 <= value <= 85 else "bad" if value > 95 or value < 50 else "mid"
        return ""
    better = value >= total if metric.direction is Direction.UP else value <= total
    off = abs(value - total) / abs(total)
    if off < 0.05:
        return ""
    return "good" if better else "bad"


def _agent_cell(metric: Metric, value: Any, total: float) -> str:
    unit = metric.unit
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<td data-sort="">–</td>'
    klass = _score_class(metric, float(value), total)
    shown = _e(_fmt(float(value), unit))
    inner = f'<span class="score {klass}">{shown}</span>' if klass else shown
    return f'<td data-sort="{float(value):.6f}">{inner}</td>'


def _scorecards(report: Report, by: str) -> str:
    cards = report.scorecards
    frame = cards.agents if by == "agent_id" else cards.teams
    heads = "".join(f'<th title="{_e(m.definition)}">{_e(_short(m.id))}</th>'
                    for m in cards.metrics)
    extra = "<th class=\"text\">Team</th>" if by == "agent_id" else ""
    # each value is judged against the median row (a count against the team's total would
    # make every agent look bad)
    reference = {m.id: float(frame[m.id].median()) if m.id in frame and frame[m.id].notna().any()
                 else math.nan for m in cards.metrics}
    rows = []
    for record in frame.to_dict("records"):
        cells = "".join(_agent_cell(m, record.get(m.id), reference[m.id])
                        for m in cards.metrics)
        team = f'<td class="text">{_e(record["team"])}</td>' if by == "agent_id" else ""
        rows.append(f'<tr><td class="text">{_e(record[by])}</td>{team}{cells}</tr>')
    totals = "".join(f"<td>{_e(_fmt(cards.total[m.id], m.unit))}</td>" for m in cards.metrics)
    pad = "<td></td>" if by == "agent_id" else ""
    rows.append(f'<tr class="total"><td class="text">Whole team</td>{pad}{totals}</tr>')
    first = "Agent" if by == "agent_id" else "Team"
    return (f'<table class="sortable"><thead><tr><th class="text">{first}</th>{extra}{heads}'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


SHORT = {"tickets_solved": "Solved", "first_response_time": "First response",
         "resolution_time": "Resolution", "csat": "CSAT", "fcr_rate": "FCR",
         "reopen_rate": "Reopens", "aht": "AHT", "agent_utilization": "Utilization",
         "iqs": "IQS"}


def _short(metric_id: str) -> str:
    return SHORT.get(metric_id, CATALOGUE[metric_id].title)


def _sla(report: Report) -> str:
    if not report.sla:
        return '<p class="lead">No SLA targets are configured ([sla] in supportmetrics.toml).</p>'
    rows = []
    for r in report.sla:
        def dur(target: float | None, actual: float | None) -> str:
            if actual is None:
                return "<td>–</td>"
            klass = "" if target is None else ("cell-good" if actual <= target else "cell-bad")
            return f'<td class="{klass}">{_e(format_seconds(actual))}</td>'

        rows.append(
            f'<tr><td class="text">{_e(r.priority)}</td><td>{r.tickets:,}</td>'
            f"<td>{_e(format_seconds(r.first_response_target_s)) if r.first_response_target_s else '–'}</td>"
            f"{dur(r.first_response_target_s, r.first_response_median_s)}"
            f"<td>{_e(format_seconds(r.resolution_target_s)) if r.resolution_target_s else '–'}</td>"
            f"{dur(r.resolution_target_s, r.resolution_median_s)}"
            f"<td>{_e(_fmt(r.compliance, Unit.PERCENT))}</td></tr>")
    return ('<table><thead><tr><th class="text">Priority</th><th>Tickets</th>'
            "<th>First response target</th><th>Median first response</th>"
            "<th>Resolution target</th><th>Median resolution</th><th>SLA compliance</th>"
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _comments(report: Report) -> str:
    if not report.comments:
        return '<p class="lead">No survey comments in this period.</p>'
    rows = []
    for c in report.comments:
        if c.score is None:
            score = "–"
            klass = ""
        else:
            top = c.scale_max or 5
            share = c.score / top
            good = share >= 0.8 if c.higher_is_better else share <= 0.43
            bad = share <= 0.6 if c.higher_is_better else share >= 0.72
            klass = "good" if good else "bad" if bad else "mid"
            score = f"{c.score:g} / {top:g}"
        rows.append(
            f'<tr><td class="text">{c.responded_at:%d %b %H:%M}</td>'
            f'<td class="text">{_e(SURVEY_NAMES.get(c.survey, c.survey))}</td>'
            f'<td><span class="score {klass}">{_e(score)}</span></td>'
            f'<td class="text">{_e(c.agent_id)}</td><td class="text">{_e(c.channel)}</td>'
            f'<td class="text">“{_e(c.text)}”</td></tr>')
    return ('<table><thead><tr><th class="text">Answered (UTC)</th><th class="text">Survey</th>'
            '<th>Score</th><th class="text">Agent</th><th class="text">Channel</th>'
            f'<th class="text">Comment</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _definitions(report: Report) -> str:
    rows = []
    for domain, metrics in DOMAINS.items():
        rows.append(f'<tr class="domain"><td colspan="5">{_e(domain)}</td></tr>')
        for m in metrics:
            variant = f"<br><span class=\"id\">variant of {_e(m.variant_of)}</span>" \
                if m.variant_of else ""
            rows.append(
                f'<tr><td class="text">{_e(m.title)}<br><span class="id">{_e(m.id)}</span>'
                f'{variant}</td><td class="text">{_e(m.unit.value)}</td>'
                f'<td class="text">{_e(report.direction(m).value)}</td>'
                f'<td class="text">{_e(m.definition)}</td>'
                f'<td class="text">{_e(m.article)}</td></tr>')
    return ('<table><thead><tr><th class="text">Metric</th><th class="text">Unit</th>'
            '<th class="text">Better</th><th class="text">Definition</th>'
            f'<th class="text">Source</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def render_html(report: Report, *, for_print: bool = False) -> str:
    """The whole report as one HTML document.

    ``for_print`` gives the PDF's variant: charts as PNG images, page rules, no script.
    """
    charts = report_charts.charts(report)
    if for_print:
        pictures = {k: f'<img src="{report_charts.to_png_data_uri(c)}" alt="{_e(k)}">'
                    for k, c in charts.items()}
    else:
        pictures = {k: report_charts.to_svg(c) for k, c in charts.items()}
    period = report.period_label()
    scope = f" · {_e(report.filter_label)}" if report.where else ""
    notes = "".join(f"<div class=\"notes\">{_e(n)}</div>" for n in report.notes)
    first, last = report.periods[0], report.periods[-1]
    clock_note = ("Durations are calendar-clock means unless stated; SLA figures use the "
                  f"{_e(report.sla_clock)} clock and medians.")
    css = CSS + (PRINT_CSS if for_print else "")
    script = "" if for_print else f"<script>{SORT_JS}</script>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(report.title)} – {_e(period)}</title>
<style>{css}</style></head>
<body>
<header class="top"><div class="inner"><h1>{_e(report.title)} – {_e(period)}{scope}</h1>
<div class="meta">{_e(period_label(first, report.grain))} to {_e(period_label(last, report.grain))}
 · times in {_e(report.timezone)} · data until {report.data_until:%d %b %Y}
 · generated {report.generated_at:%d %b %Y %H:%M} by supportmetrics</div></div></header>
<main>
{notes}
<nav class="toc"><a href="#summary">Summary</a><a href="#tracker">Tracker</a>
<a href="#volume">Volume</a><a href="#agents">Agents</a><a href="#sla">SLA</a>
<a href="#comments">Comments</a><a href="#definitions">Definitions</a></nav>
<section class="first" id="summary">
<h2>Summary: {_e(period)}</h2>
{_tiles(report)}
<div class="chart">{pictures["trends"]}</div>
</section>
<section id="tracker">
<h2>Tracker: every metric, {_e(report.grain)} by {_e(report.grain)}</h2>
<p class="lead">The last column is {_e(period)}. Change is against the {_e(report.grain)} before;
green is better, red is worse, whichever way the metric improves. The status compares with the
target (supportmetrics.toml <code>[targets]</code>) or the sources' benchmark where one exists,
else it follows the change. {clock_note}</p>
{_tracker(report)}
</section>
<section id="volume">
<h2>Ticket volume</h2>
<div class="chart">{pictures["categories"]}</div>
{_spikes(report)}
<h3>Tickets by category</h3>
{_volume_table(report)}
<div class="chart">{pictures["channels"]}</div>
</section>
<section id="agents">
<h2>Agents: {_e(period)}</h2>
<p class="lead">Green and red mark values more than 5 % better or worse than the median agent
(or team); utilization is green inside the 70-85 % band. Click a column to sort.</p>
<h3>Teams</h3>
{_scorecards(report, "team")}
<h3>Agent scorecards</h3>
{_scorecards(report, "agent_id")}
</section>
<section id="sla">
<h2>SLA targets by priority: {_e(period)}</h2>
{_sla(report)}
<h2 id="comments">Latest survey comments</h2>
{_comments(report)}
</section>
<section id="definitions">
<h2>Definitions</h2>
<p class="lead">Every metric of the catalogue, as computed in this report. The XLSX version has a
calculator sheet with the formulas.</p>
{_definitions(report)}
<footer>Made with supportmetrics from the workspace {_e(report.workspace)}.</footer>
</section>
</main>
{script}
</body></html>
"""
