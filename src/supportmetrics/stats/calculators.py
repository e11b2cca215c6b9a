"""Calculators: each metric's formula on the plain numbers a person types (no data needed).

Declared once as data; the ``calc`` command, the docs and the report's calculator sheet read the
same list. Worked examples reproduced exactly (tests/test_calculators.py):

* seed 001: CSAT 30 positive / 50 responses = 60 %; NPS 70 % promoters - 10 % detractors = 60;
  CRR [(200 - 20) / 200] x 100 = 90 %; churn (20 / 250) x 100 = 8 %; CLV 50 x 5 x 3 = 750;
  AWT 500 min / 200 calls = 2.5 min.
* seed 003: NPS 80 % - 15 % = 65; CRR with S = 100, E = 90, N = 15 -> 75 %;
  CAC $10,000 / 20,000 customers = $0.50.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from supportmetrics.errors import UserError

Values = Mapping[str, float]


@dataclass(frozen=True)
class Input:
    name: str
    description: str
    example: float


@dataclass(frozen=True)
class Calculator:
    name: str
    title: str
    inputs: tuple[Input, ...]
    unit: str
    formula: str
    source: str
    compute: Callable[[Values], float]

    def filled(self, values: Values) -> str:
        """The formula with the numbers in place of the names."""
        text = self.formula
        for item in sorted(self.inputs, key=lambda i: -len(i.name)):
            text = text.replace(item.name, _number(values[item.name]))
        return text


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.6g}"


def _div(a: float, b: float) -> float:
    if b == 0:
        raise UserError("the denominator is zero: a rate over no units is undefined")
    return a / b


def _calc(name: str, title: str, unit: str, formula: str, source: str,
          inputs: tuple[tuple[str, str, float], ...], compute: Callable[[Values], float]) -> Calculator:
    return Calculator(name, title, tuple(Input(*i) for i in inputs), unit, formula, source, compute)


CALCULATORS: dict[str, Calculator] = {c.name: c for c in (
    _calc("nps", "Net Promoter Score from counts", "points",
          "100 x (promoters - detractors) / (promoters + passives + detractors)", "seeds 000-004",
          (("promoters", "responses scoring 9-10", 70), ("passives", "responses scoring 7-8", 20),
           ("detractors", "responses scoring 0-6", 10)),
          lambda v: 100 * _div(v["promoters"] - v["detractors"],
                               v["promoters"] + v["passives"] + v["detractors"])),
    _calc("nps_pct", "Net Promoter Score from percentages", "points",
          "promoters_pct - detractors_pct", "seed 001 (70 - 10 = 60), seed 003 (80 - 15 = 65)",
          (("promoters_pct", "% of responses scoring 9-10", 70),
           ("detractors_pct", "% of responses scoring 0-6", 10)),
          lambda v: v["promoters_pct"] - v["detractors_pct"]),
    _calc("csat", "Customer satisfaction", "%", "100 x satisfied / responses",
          "seed 001 (30 / 50 = 60 %), seed 003",
          (("satisfied", "responses scoring 4-5 on 1-5", 30), ("responses", "all responses", 50)),
          lambda v: 100 * _div(v["satisfied"], v["responses"])),
    _calc("csat_mean", "CSAT mean score", "score", "total_score / responses", "seed 001",
          (("total_score", "sum of all scores", 210), ("responses", "all responses", 50)),
          lambda v: _div(v["total_score"], v["responses"])),
    _calc("ces", "Customer Effort Score", "score", "total_score / responses", "seed 001",
          (("total_score", "sum of all effort scores", 150), ("responses", "all responses", 50)),
          lambda v: _div(v["total_score"], v["responses"])),
    _calc("ces_agree_pct", "CES: % in the top two points", "%", "100 x top_two / responses",
          "seed 003", (("top_two", "responses in the top two points", 35),
                       ("responses", "all responses", 50)),
          lambda v: 100 * _div(v["top_two"], v["responses"])),
    _calc("happiness", "Happiness score", "points",
          "100 x (great - not_good) / (great + okay + not_good)", "seed 004",
          (("great", "smiley 3 answers", 60), ("okay", "smiley 2 answers", 30),
           ("not_good", "smiley 1 answers", 10)),
          lambda v: 100 * _div(v["great"] - v["not_good"], v["great"] + v["okay"] + v["not_good"])),
    _calc("churn_rate", "Customer churn rate", "%", "100 x lost / start",
          "seed 001 (20 / 250 = 8 %), seeds 003, 004",
          (("lost", "customers lost in the period", 20), ("start", "customers at its start", 250)),
          lambda v: 100 * _div(v["lost"], v["start"])),
    _calc("churn_net", "Net churn (CCR)", "%", "100 x (start - end) / start", "seed 002",
          (("start", "customers at the period start", 250), ("end", "customers at its end", 240)),
          lambda v: 100 * _div(v["start"] - v["end"], v["start"])),
    _calc("retention_rate", "Customer retention rate (CRR)", "%", "100 x (end - new) / start",
          "seed 001 ((200 - 20) / 200 = 90 %), seed 003 ((90 - 15) / 100 = 75 %)",
          (("end", "customers at the period end (E)", 200),
           ("new", "customers acquired during it (N)", 20),
           ("start", "customers at its start (S)", 200)),
          lambda v: 100 * _div(v["end"] - v["new"], v["start"])),
    _calc("clv_simple", "Customer lifetime value", "money",
          "average_order_value x purchases_per_year x lifespan_years", "seed 001 (50 x 5 x 3 = 750)",
          (("average_order_value", "average purchase value", 50),
           ("purchases_per_year", "purchases per customer per year", 5),
           ("lifespan_years", "average customer lifespan in years", 3)),
          lambda v: v["average_order_value"] * v["purchases_per_year"] * v["lifespan_years"]),
    _calc("clv_historical", "Historical CLV", "money", "total_purchases x gross_margin",
          "seed 001", (("total_purchases", "sum of one customer's purchases", 1200),
                       ("gross_margin", "average gross margin (fraction)", 0.4)),
          lambda v: v["total_purchases"] * v["gross_margin"]),
    _calc("clv_predictive", "Predictive CLV", "money",
          "monthly_transactions x average_order_value x lifespan_months", "seed 001",
          (("monthly_transactions", "average transactions per month", 0.5),
           ("average_order_value", "average order value", 50),
           ("lifespan_months", "average lifespan in months", 36)),
          lambda v: v["monthly_transactions"] * v["average_order_value"] * v["lifespan_months"]),
    _calc("clv_net", "CLV net of acquisition cost", "money",
          "annual_revenue_per_customer x relationship_years - cac", "seed 003",
          (("annual_revenue_per_customer", "revenue / customers, per year", 250),
           ("relationship_years", "years a customer stays", 3), ("cac", "acquisition cost", 0.5)),
          lambda v: v["annual_revenue_per_customer"] * v["relationship_years"] - v["cac"]),
    _calc("cac", "Customer acquisition cost", "money", "spend / acquired",
          "seed 003 ($10,000 / 20,000 = $0.50)",
          (("spend", "sales and marketing spend", 10000), ("acquired", "customers acquired", 20000)),
          lambda v: _div(v["spend"], v["acquired"])),
    _calc("aht", "Average handle time", "seconds", "(talk + hold + wrap) / calls", "seed 000",
          (("talk", "total talk seconds", 30000), ("hold", "total hold seconds", 3000),
           ("wrap", "total wrap-up seconds", 6000), ("calls", "handled calls", 100)),
          lambda v: _div(v["talk"] + v["hold"] + v["wrap"], v["calls"])),
    _calc("asa", "Average speed of answer", "seconds", "total_wait / answered", "seed 000",
          (("total_wait", "total seconds answered callers waited", 2500),
           ("answered", "answered calls", 100)),
          lambda v: _div(v["total_wait"], v["answered"])),
    _calc("avg_wait_time", "Average waiting time", "minutes", "total_wait / served",
          "seed 001 (500 min / 200 = 2.5 min)",
          (("total_wait", "total waiting time of all queued callers", 500),
           ("served", "callers served", 200)),
          lambda v: _div(v["total_wait"], v["served"])),
    _calc("service_level", "Service level", "%",
          "100 x answered_within / (offered - short_abandons)", "seed 000",
          (("answered_within", "answered within the threshold", 160),
           ("offered", "answered + abandoned calls", 210), ("short_abandons", "short abandons", 10)),
          lambda v: 100 * _div(v["answered_within"], v["offered"] - v["short_abandons"])),
    _calc("abandonment_rate", "Abandonment rate", "%",
          "100 x (abandoned - short_abandons) / (offered - short_abandons)", "METRICS.md",
          (("abandoned", "abandoned calls", 30), ("short_abandons", "abandoned within 5 s", 10),
           ("offered", "answered + abandoned calls", 210)),
          lambda v: 100 * _div(v["abandoned"] - v["short_abandons"],
                               v["offered"] - v["short_abandons"])),
    _calc("first_response_time", "Average first response time", "seconds",
          "total_first_response / requests", "seed 003",
          (("total_first_response", "sum of first response times", 360000),
           ("requests", "requests answered", 100)),
          lambda v: _div(v["total_first_response"], v["requests"])),
    _calc("resolution_time", "Average resolution time", "seconds", "total_resolution / resolved",
          "seeds 001, 003", (("total_resolution", "sum of resolution times", 7200000),
                             ("resolved", "cases resolved", 100)),
          lambda v: _div(v["total_resolution"], v["resolved"])),
    _calc("resolution_rate", "Resolution rate", "%", "100 x solved / created", "seed 000",
          (("solved", "tickets solved", 90), ("created", "tickets created (assigned)", 100)),
          lambda v: 100 * _div(v["solved"], v["created"])),
    _calc("resolution_ratio", "Resolution ratio (literal)", "ratio", "solved / unsolved",
          "seed 003", (("solved", "cases resolved", 90), ("unsolved", "cases not resolved", 10)),
          lambda v: _div(v["solved"], v["unsolved"])),
    _calc("fcr_rate", "First contact resolution", "%", "100 x first_contact / solved",
          "seeds 002-004", (("first_contact", "solved with one reply (or by one agent)", 70),
                            ("solved", "tickets solved", 100)),
          lambda v: 100 * _div(v["first_contact"], v["solved"])),
    _calc("support_cost_ratio", "Support cost as % of revenue", "%",
          "100 x support_cost / revenue", "seed 002 (benchmark under 10 %)",
          (("support_cost", "support spend", 7000), ("revenue", "revenue", 100000)),
          lambda v: 100 * _div(v["support_cost"], v["revenue"])),
    _calc("cost_per_ticket", "Cost per ticket", "money", "support_cost / tickets", "seed 002",
          (("support_cost", "support spend in the period", 7000),
           ("tickets", "tickets opened in the period", 1000)),
          lambda v: _div(v["support_cost"], v["tickets"])),
    _calc("referral_rate", "Referral rate", "%", "100 x referred / new_customers", "seed 001",
          (("referred", "new customers via referral", 15), ("new_customers", "new customers", 100)),
          lambda v: 100 * _div(v["referred"], v["new_customers"])),
    _calc("feedback_response_rate", "Feedback response rate", "%",
          "100 x answered / received", "seed 001",
          (("answered", "feedback items answered", 45), ("received", "feedback items", 50)),
          lambda v: 100 * _div(v["answered"], v["received"])),
    _calc("agent_utilization", "Agent utilization", "%", "100 x handle_time / available_time",
          "seed 004 (optimum 70-85 %)",
          (("handle_time", "time handling contacts", 22680), ("available_time", "shift time", 28800)),
          lambda v: 100 * _div(v["handle_time"], v["available_time"])),
    _calc("iqs", "Internal quality score", "points", "100 x weighted_score / weight_total",
          "seeds 000, 001", (("weighted_score", "sum of weight x score / max_score", 2.2),
                             ("weight_total", "sum of weights", 3)),
          lambda v: 100 * _div(v["weighted_score"], v["weight_total"])),
)}


def calculate(name: str, values: Mapping[str, float]) -> float:
    """Run one calculator; unknown names and missing inputs are UserErrors naming the fix."""
    calculator = get_calculator(name)
    expected = [i.name for i in calculator.inputs]
    missing = [n for n in expected if n not in values]
    unknown = [n for n in values if n not in expected]
    if missing or unknown:
        raise UserError(
            f"calc {name}: " + "; ".join(
                part for part in (
                    f"missing input(s): {', '.join(missing)}" if missing else "",
                    f"unknown input(s): {', '.join(unknown)}" if unknown else "",
                ) if part
            ) + f". Expected: {', '.join(f'--input {n}=NUMBER' for n in expected)}"
        )
    # 10 decimals: exact for every published example (100 x 0.07 is 7.000000000000001 in floats)
    return round(calculator.compute(values), 10)


def get_calculator(name: str) -> Calculator:
    from supportmetrics.stats.erlang import ERLANG_CALCULATORS

    everything = {**CALCULATORS, **ERLANG_CALCULATORS}
    if name not in everything:
        raise UserError(f"unknown calculator {name!r}; `supportmetrics calc --list` shows them all")
    return everything[name]


def all_calculators() -> dict[str, Calculator]:
    from supportmetrics.stats.erlang import ERLANG_CALCULATORS

    return {**CALCULATORS, **ERLANG_CALCULATORS}
