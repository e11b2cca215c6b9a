"""docs/metrics.md, generated from the catalogue (``python -m supportmetrics.metrics.reference``)."""

from __future__ import annotations

import sys

from supportmetrics.metrics import CATALOGUE, DOMAINS, direction_label
from supportmetrics.metrics.model import (
    Combined,
    Count,
    Derived,
    Duration,
    Mean,
    Metric,
    Ratio,
    Rollup,
    Snapshot,
)
from supportmetrics.sources import SOURCES

HEADER = """\
# Metric reference

Generated from the catalogue by `python -m supportmetrics.metrics.reference > docs/metrics.md`
(`make docs`); a test fails when this file is stale. Every metric answers
`supportmetrics metrics ID [--grain ...] [--by ...] [--clock ...] [--stat ...]`.

Conventions: periods are half-open [start, end) in the workspace time zone; a unit belongs to the
period its anchor falls in. A rate or an average over no units is null, a count over no units is
0. `count` is the number of units a value was computed from (its denominator for rates).
Duration metrics take `--clock calendar|business` and `--stat mean|median|p90` (p90 is the
continuous 90th percentile) and report the units without an end (`without_end`).
Variants are metrics of their own; the default of each family is the one without `variant_of`.

Without `--from` / `--to` a metric covers its own data: the time span of the tables its units
come from (tickets and their events, calls, surveys, ...), not of the whole workspace. A metric
whose data the workspace does not have at all (no rows of its source's tables, or none of what
its `needs` row names) is null in every period with a note saying what is missing, never 0.
SLA targets are judged as of the end of the ticket data, or `--as-of`.
A metric's `source` names the publications its definition follows (listed under
[Sources](#sources) at the end).

Each metric shows its `expression` as the catalogue declares it (an Ibis deferred expression):
`_` is one unit (`_.score` its score), or, in a formula, the row of the metric's parts or
inputs by name; `settings` the workspace settings (`settings.thresholds.satisfied_at`);
`flag(c)` is 1 when `c` holds, else 0 (null counts as 0); `ratio(a, b)` is a / b, null when
b is 0. `units` lists the expression that picks the units counted, when there is one.
"""


def render() -> str:
    lines = [HEADER]
    for domain, metrics in DOMAINS.items():
        lines.append(f"\n## {domain}\n")
        for m in metrics:
            lines.append(f"### `{m.id}` — {m.title}\n")
            lines.append(f"{m.definition}.\n" if not m.definition.endswith(".") else f"{m.definition}\n")
            rows = [
                ("kind", m.kind),
                ("expression", expression(m)),
                ("unit", m.unit.value),
                ("better", direction_label(m)),
                ("units counted", m.unit_label),
                ("anchor", _anchor(m)),
                ("dimensions", ", ".join(f"`{d}`" for d in m.dimensions) or "none"),
            ]
            if m.where is not None:
                rows.append(("units", _code(m.where)))
            if m.needs:  # without it the metric is left empty with a note, never 0
                rows.append(("needs", "; ".join(n.what for n in m.needs)))
            if m.variant_of:
                rows.append(("variant of", f"`{m.variant_of}`"))
            if isinstance(m, Duration):
                rows.append(("clocks", "calendar, business; stats mean, median, p90"))
            if m.article:
                rows.append(("source", m.article))
            lines.append("| | |\n|---|---|")
            lines.extend(f"| {k} | {v} |" for k, v in rows)
            lines.append("")
    lines.append(f"\n{len(CATALOGUE)} metrics.\n")
    lines.append("## Sources\n")
    lines.extend(f"- **{name}**: {citation}." for name, citation in SOURCES.items())
    lines.append("")
    return "\n".join(lines)


def _code(expr: object) -> str:
    """An expression as inline code in a table cell."""
    return "`" + repr(expr).replace("|", "\\|") + "`"


def expression(m: Metric, markdown: bool = True) -> str:
    """What the metric computes, as its declaration's expressions (Markdown, or plain text)."""
    text = _expression(m)
    return text if markdown else text.replace("\\|", "|").replace("`", "")


def _expression(m: Metric) -> str:
    if isinstance(m, Ratio):
        return (f"{m.scale:g} x sum({_code(m.numerator)}) / sum({_code(m.denominator)})"
                if m.scale != 1 else f"sum({_code(m.numerator)}) / sum({_code(m.denominator)})")
    if isinstance(m, Count):
        return "count of units" if m.measure is None else f"sum({_code(m.measure)})"
    if isinstance(m, Mean):
        return f"mean({_code(m.value)})"
    if isinstance(m, Duration):
        return f"`{m.end}` - `{m.start}` per unit, in seconds"
    if isinstance(m, Snapshot):
        counted = f"distinct `{m.count_distinct}`" if m.count_distinct else "units"
        age = (f", at least {_code(m.min_age_seconds)} s after `{m.age_from or m.opened}`"
               if m.min_age_seconds is not None else "")
        return f"{counted} with `{m.opened}` < period end <= `{m.closed}` (or no `{m.closed}`){age}"
    if isinstance(m, Combined):
        parts = []
        for name, part in m.parts.items():
            what = (f"distinct `{part.distinct}`" if part.distinct else
                    "count" if part.measure is None else f"sum({_code(part.measure)})")
            where = f" where {_code(part.where)}" if part.where is not None else ""
            parts.append(f"{name} = {what}{where}")
        scale = f"{m.scale:g} x " if m.scale != 1 else ""
        return f"{scale}{_code(m.formula)}; " + "; ".join(parts)
    if isinstance(m, Derived):
        scale = f"{m.scale:g} x " if m.scale != 1 else ""
        inputs = "; ".join(f"{name} = `{metric_id}`" for name, metric_id in m.inputs.items())
        return f"{scale}{_code(m.formula)}; {inputs}"
    if isinstance(m, Rollup):
        return f"mean of `{m.of}` over `{m.over}`, weighted by {_code(m.weights)}"
    return m.kind


def _anchor(m: object) -> str:
    if isinstance(m, Snapshot):
        return "period end (snapshot)"
    if isinstance(m, Combined):
        parts = []
        for name, part in m.parts.items():
            where = {"period": f"`{part.anchor}` in period", "start": "at period start",
                     "end": "at period end", "during": "active during period",
                     "upto": f"`{part.anchor}` before period end"}[part.at]
            parts.append(f"{name}: {part.source} ({where})")
        return "; ".join(parts)
    if isinstance(m, Rollup):
        return f"as `{m.of}`, weighted over `{m.over}`"
    if isinstance(m, Derived):
        return "as its inputs"
    return f"`{getattr(m, 'anchor', '')}`"


if __name__ == "__main__":
    sys.stdout.write(render())
