"""Calculators: each metric's formula on the plain numbers a person types (no data needed).

Declared once, as data (:data:`CALCULATORS`): the ``calc`` command, the docs and the report's
calculator sheet (the report template's "formulas and definitions" tab, almost a calculator) read
the same list. Each :class:`Calculator` holds its inputs, its formula, the publication it follows
(a name of :data:`supportmetrics.sources.SOURCES`), a pure function and the publications' worked
examples, which the tests reproduce exactly:

* LiveAgent 2025: CSAT 30 positive / 50 responses x 100 = 60 %; NPS 70 % promoters - 10 %
  detractors = 60; CRR [(200 - 20) / 200] x 100 = 90 %; churn (20 / 250) x 100 = 8 %;
  CLV 50 x 5 x 3 = 750 (dollars); AWT 500 min / 200 calls = 2.5 min per call, here in
  seconds (30,000 s / 200 = 150 s); a complaint filed on Monday and resolved by Wednesday took
  2 days (resolution_time 172,800 s / 1 case).
* Parker: NPS 80 % - 15 % = 65; CRR with S = 100, E = 90, N = 15 -> 75 %; a 75 % retention
  means a 25 % churn; CAC $10,000 / 20,000 customers = $0.50 (50 cents).
* LiveAgent Academy, Bitvinskas 2021 and Malnik 2020 give formulas (and benchmarks: support cost
  under 10 % of revenue in Bitvinskas 2021, agent utilization 70-85 % in Malnik 2020) but no
  worked numbers.

Literal readings kept as named variants: churn_net is Bitvinskas 2021's CCR, printed there as
"start - end / start" (read as (start - end) / start, the share of customers lost);
resolution_ratio is Parker's "solved / unsolved"; frt_per_resolved is LiveAgent 2025's "total
FRT / solved tickets". Percent inputs are typed as percentages (70 for 70 %). A calculator
named like a catalogue metric gives its value in the metric's unit (durations in seconds, money
in the workspace currency), so one id means one number everywhere.
"""
from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from supportmetrics.errors import UserError
from supportmetrics.stats import erlang

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Input:
    """One number a calculator needs."""

    name: str
    unit: str
    description: str
    integer: bool = False
    maximum: float | None = None


@dataclass(frozen=True)
class Example:
    """A worked example from a publication: these inputs give exactly ``value``."""

    values: tuple[tuple[str, float], ...]
    value: float
    source: str

    @property
    def inputs(self) -> dict[str, float]:
        return dict(self.values)


@dataclass(frozen=True)
class Calculator:
    """One formula: ``function(**inputs)`` is the value; ``template`` shows it with {input}s."""

    name: str
    title: str
    unit: str
    template: str
    source: str
    inputs: tuple[Input, ...]
    function: Callable[..., float]
    examples: tuple[Example, ...] = ()
    note: str = ""
    repeated: bool = False  # inputs come in numbered groups: weight_1, score_1, weight_2, ...
    render: Callable[[Mapping[str, float]], str] | None = field(default=None, repr=False)
    detail: Callable[[Mapping[str, float], float], str] | None = field(default=None, repr=False)

    @property
    def formula(self) -> str:
        """The formula in words: the template with the input names."""
        return _PLACEHOLDER.sub(r"\1", self.template)

    def expected(self) -> str:
        """The inputs to type, e.g. ``end=NUMBER, new=NUMBER, start=NUMBER``."""
        names = ", ".join(f"{i.name}{'_1' if self.repeated else ''}=NUMBER" for i in self.inputs)
        return names + (" (then _2, _3, ... for more criteria)" if self.repeated else "")

    def compute(self, values: Mapping[str, float]) -> float:
        """The value for complete, validated ``values`` (see :func:`evaluate`)."""
        if self.repeated:
            return float(self.function(_groups(self, values)))
        return float(self.function(**{i.name: values[i.name] for i in self.inputs}))

    def filled(self, values: Mapping[str, float]) -> str:
        """The formula with the numbers in place of the names."""
        if self.render is not None:
            return self.render(values)
        return _PLACEHOLDER.sub(lambda m: format_number(values[m.group(1)]), self.template)


@dataclass(frozen=True)
class Result:
    """One calculation: the calculator, the inputs it was given and its value."""

    calculator: Calculator
    inputs: dict[str, float]
    value: float

    def text(self) -> str:
        """``CRR = ((200 - 20) / 200) x 100 = 90 %``, then the benchmark and details if any."""
        unit = _SHOWN_UNITS.get(self.calculator.unit, f" {self.calculator.unit}")
        lines = [f"{self.calculator.filled(self.inputs)} = {format_number(self.value)}{unit}"]
        if self.calculator.detail is not None:
            lines.append(self.calculator.detail(self.inputs, self.value))
        if self.calculator.note:
            lines.append(self.calculator.note)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """``{"calculator", "inputs", "value", "unit"}`` for ``--format json``."""
        return {"calculator": self.calculator.name, "inputs": self.inputs, "value": self.value,
                "unit": self.calculator.unit}


_SHOWN_UNITS = {"%": " %", "money": "", "ratio": "", "seconds": " s"}


def format_number(value: float) -> str:
    """Numbers as a person writes them: 90, 2.5, 0.5, 73.3333, 1234567.89."""
    if math.isinf(value) or math.isnan(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1:
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


# --- the catalogue -----------------------------------------------------------------------------


def _pct(part: float, whole: float) -> float:
    # 100 x part / whole, in this order: exact whenever the true answer is (100 x 18 / 20 = 90.0)
    return 100 * part / whole


def _iqs(criteria: Sequence[tuple[float, float, float]]) -> float:
    """IQS = 100 x sum(weight x score / max_score) / sum(weight) [LiveAgent Academy; LiveAgent 2025]."""
    return 100 * sum(w * s / m for w, s, m in criteria) / sum(w for w, _, _ in criteria)


def _iqs_render(values: Mapping[str, float]) -> str:
    groups = _groups(CALCULATORS["iqs"], values)
    f = format_number
    terms = " + ".join(f"{f(w)} x {f(s)} / {f(m)}" for w, s, m in groups)
    weights = " + ".join(f(w) for w, _, _ in groups)
    return f"IQS = 100 x ({terms}) / ({weights})"


def _traffic(calls: float, interval_s: float, aht_s: float) -> float:
    return erlang.traffic_erlangs(calls, interval_s, aht_s)


def _asa(calls: float, interval_s: float, aht_s: float, agents: float) -> float:
    a = _traffic(calls, interval_s, aht_s)
    if agents <= a:
        raise UserError(f"{format_number(agents)} agents cannot carry {format_number(a)} Erlangs: "
                        f"the queue grows without end (at least {math.floor(a) + 1} agents)")
    return erlang.average_speed_of_answer(int(agents), a, aht_s)


def _erlang_detail(values: Mapping[str, float], value: float) -> str:
    agents = int(values["agents"]) if "agents" in values else int(value)
    target = values.get("target_s", 20.0)
    s = erlang.staffing(agents, values["calls"], values["interval_s"], values["aht_s"], target)
    f = format_number
    asa = "unbounded" if math.isinf(s.asa_seconds) else f"{f(s.asa_seconds)} s"
    level = f"service level {f(100 * s.service_level)} % within {f(target)} s, " if (
        "target_s" in values) else ""
    return (f"traffic A = {f(s.traffic)} Erlangs; with {agents} agents: P(wait) "
            f"{f(100 * s.wait_probability)} %, {level}ASA {asa}, "
            f"occupancy {f(100 * s.occupancy)} %")


I = Input  # noqa: E741 - short for the table below
_CALLS = (I("calls", "calls", "calls arriving in the interval"),
          I("interval_s", "s", "length of the interval in seconds (1800 = 30 min)"),
          I("aht_s", "s", "average handle time in seconds"))
_AGENTS = I("agents", "agents", "agents taking calls", integer=True)
_TARGET = I("target_s", "s", "answer-time target in seconds (e.g. 20)")
_ERLANG = "Erlang C (A. K. Erlang 1917); LiveAgent Academy (service level, ASA)"


def _ex(source: str, value: float, **values: float) -> Example:
    return Example(tuple(values.items()), value, source)


_ALL = (
    Calculator(
        "nps", "Net Promoter Score from counts", "points",
        "NPS = 100 x ({promoters} - {detractors}) / ({promoters} + {passives} + {detractors})",
        "LiveAgent Academy; LiveAgent 2025; Parker", (
            I("promoters", "responses", "answers 9-10 on the 0-10 question"),
            I("passives", "responses", "answers 7-8"),
            I("detractors", "responses", "answers 0-6")),
        lambda promoters, passives, detractors: _pct(
            promoters - detractors, promoters + passives + detractors),
        (_ex("LiveAgent 2025, as 100 responses", 60, promoters=70, passives=20, detractors=10),
         _ex("Parker, as 100 responses", 65, promoters=80, passives=5, detractors=15))),
    Calculator(
        "nps_pct", "Net Promoter Score from percentages", "points",
        "NPS = {promoters_pct} - {detractors_pct}", "LiveAgent 2025; Parker", (
            I("promoters_pct", "%", "% of responses that are promoters (9-10)", maximum=100),
            I("detractors_pct", "%", "% of responses that are detractors (0-6)", maximum=100)),
        lambda promoters_pct, detractors_pct: promoters_pct - detractors_pct,
        (_ex("LiveAgent 2025", 60, promoters_pct=70, detractors_pct=10),
         _ex("Parker", 65, promoters_pct=80, detractors_pct=15))),
    Calculator(
        "csat", "Customer satisfaction (CSAT)", "%",
        "CSAT = ({satisfied} / {responses}) x 100", "LiveAgent 2025; Parker", (
            I("satisfied", "responses", "positive answers (4-5 on a 1-5 scale)"),
            I("responses", "responses", "all survey answers")),
        lambda satisfied, responses: _pct(satisfied, responses),
        (_ex("LiveAgent 2025", 60, satisfied=30, responses=50),)),
    Calculator(
        "csat_mean", "CSAT as the mean score", "score",
        "CSAT = {score_total} / {responses}", "LiveAgent 2025 (the average score)", (
            I("score_total", "points", "sum of all satisfaction scores"),
            I("responses", "responses", "all survey answers")),
        lambda score_total, responses: score_total / responses),
    Calculator(
        "ces", "Customer Effort Score (mean)", "score",
        "CES = {score_total} / {responses}", "LiveAgent 2025", (
            I("score_total", "points", "sum of all effort scores (e.g. on 1-7)"),
            I("responses", "responses", "all survey answers")),
        lambda score_total, responses: score_total / responses),
    Calculator(
        "ces_agree_pct", "Customer Effort Score (% in the top two points)", "%",
        "CES = ({top_two} / {responses}) x 100", "Parker", (
            I("top_two", "responses", "answers in the top two points (4-5 on 1-5)"),
            I("responses", "responses", "all survey answers")),
        lambda top_two, responses: _pct(top_two, responses)),
    Calculator(
        "happiness", "Happiness (smiley) score", "points",
        "Happiness = 100 x ({great} - {not_good}) / ({great} + {okay} + {not_good})", "Malnik 2020", (
            I("great", "ratings", "'great' smileys"), I("okay", "ratings", "'okay' smileys"),
            I("not_good", "ratings", "'not good' smileys")),
        lambda great, okay, not_good: _pct(great - not_good, great + okay + not_good)),
    Calculator(
        "churn_rate", "Customer churn rate", "%",
        "Churn = ({lost} / {start}) x 100", "LiveAgent 2025; Parker; Malnik 2020", (
            I("lost", "customers", "customers lost during the period"),
            I("start", "customers", "customers at the start of the period")),
        lambda lost, start: _pct(lost, start),
        (_ex("LiveAgent 2025", 8, lost=20, start=250),)),
    Calculator(
        "churn_net", "Customer churn rate, net (CCR)", "%",
        "CCR = (({start} - {end}) / {start}) x 100",
        "Bitvinskas 2021 (printed as 'start - end / start')", (
            I("start", "customers", "customers at the start of the period"),
            I("end", "customers", "customers at the end of the period")),
        lambda start, end: _pct(start - end, start)),
    Calculator(
        "churn_from_retention", "Churn as the rest of retention", "%",
        "Churn = 100 - {retention_pct}", "Parker", (
            I("retention_pct", "%", "customer retention rate (CRR) in %", maximum=100),),
        lambda retention_pct: 100 - retention_pct,
        (_ex("Parker", 25, retention_pct=75),)),
    Calculator(
        "retention_rate", "Customer retention rate (CRR)", "%",
        "CRR = (({end} - {new}) / {start}) x 100", "LiveAgent 2025; Parker", (
            I("end", "customers", "E: customers at the end of the period"),
            I("new", "customers", "N: customers acquired during the period"),
            I("start", "customers", "S: customers at the start of the period")),
        lambda end, new, start: _pct(end - new, start),
        (_ex("LiveAgent 2025", 90, end=200, new=20, start=200),
         _ex("Parker", 75, end=90, new=15, start=100))),
    Calculator(
        "clv_simple", "Customer lifetime value", "money",
        "CLV = {order_value} x {purchases_per_year} x {lifespan_years}", "LiveAgent 2025", (
            I("order_value", "currency", "average purchase value"),
            I("purchases_per_year", "purchases", "purchases per customer per year"),
            I("lifespan_years", "years", "average customer lifespan in years")),
        lambda order_value, purchases_per_year, lifespan_years:
            order_value * purchases_per_year * lifespan_years,
        (_ex("LiveAgent 2025", 750, order_value=50, purchases_per_year=5, lifespan_years=3),)),
    Calculator(
        "clv_historical", "Customer lifetime value, historical", "money",
        "CLV = {purchases_total} x {gross_margin_pct} / 100", "LiveAgent 2025", (
            I("purchases_total", "currency", "sum of one customer's purchases (1 + 2 + 3 + ...)"),
            I("gross_margin_pct", "%", "average gross margin in %", maximum=100)),
        lambda purchases_total, gross_margin_pct: purchases_total * gross_margin_pct / 100),
    Calculator(
        "clv_predictive", "Customer lifetime value, predictive", "money",
        "CLV = {monthly_transactions} x {order_value} x {lifespan_months}", "LiveAgent 2025", (
            I("monthly_transactions", "transactions", "average transactions per month"),
            I("order_value", "currency", "average order value"),
            I("lifespan_months", "months", "average customer lifespan in months")),
        lambda monthly_transactions, order_value, lifespan_months:
            monthly_transactions * order_value * lifespan_months),
    Calculator(
        "clv_net", "Customer lifetime value net of acquisition cost", "money",
        "CLV = ({annual_revenue} x {relationship_years}) - {cac}", "Parker", (
            I("annual_revenue", "currency", "annual revenue per customer (revenue / customers)"),
            I("relationship_years", "years", "years a customer relationship lasts"),
            I("cac", "currency", "customer acquisition cost")),
        lambda annual_revenue, relationship_years, cac: annual_revenue * relationship_years - cac),
    Calculator(
        "cac", "Customer acquisition cost", "money",
        "CAC = {spend} / {acquired}", "Parker", (
            I("spend", "currency", "sales and marketing spend in the period"),
            I("acquired", "customers", "customers acquired in the same period")),
        lambda spend, acquired: spend / acquired,
        (_ex("Parker", 0.5, spend=10000, acquired=20000),)),
    Calculator(
        "aht", "Average handle time", "seconds",
        "AHT = ({talk} + {hold} + {wrap}) / {calls}", "LiveAgent Academy", (
            I("talk", "s", "total talk time"), I("hold", "s", "total hold time"),
            I("wrap", "s", "total wrap-up (after-call) time"),
            I("calls", "calls", "calls handled")),
        lambda talk, hold, wrap, calls: (talk + hold + wrap) / calls),
    Calculator(
        "asa", "Average speed of answer", "seconds",
        "ASA = {wait_total} / {answered}", "LiveAgent Academy", (
            I("wait_total", "s", "total time answered callers waited in the queue"),
            I("answered", "calls", "answered calls")),
        lambda wait_total, answered: wait_total / answered),
    Calculator(
        "avg_wait_time", "Average waiting time (AWT)", "seconds",
        "AWT = {wait_total} / {served}", "LiveAgent 2025", (
            I("wait_total", "s", "total waiting time of all callers"),
            I("served", "calls", "callers served")),
        lambda wait_total, served: wait_total / served,
        # the publication's 500 min / 200 calls = 2.5 min, in seconds: 30,000 s / 200 = 150 s
        (_ex("LiveAgent 2025", 150, wait_total=30000, served=200),)),
    Calculator(
        "service_level", "Service level", "%",
        "SL = ({answered_within} / ({offered} - {short_abandons})) x 100", "LiveAgent Academy", (
            I("answered_within", "calls", "calls answered within the target (e.g. 20 s)"),
            I("offered", "calls", "offered calls (answered + abandoned)"),
            I("short_abandons", "calls", "calls abandoned within a few seconds (e.g. 5 s)")),
        lambda answered_within, offered, short_abandons:
            _pct(answered_within, offered - short_abandons)),
    Calculator(
        "abandonment_rate", "Abandonment rate", "%",
        "Abandonment = (({abandoned} - {short_abandons}) / ({offered} - {short_abandons})) x 100",
        "LiveAgent Academy (blocked and unanswered calls, short abandons left out)", (
            I("abandoned", "calls", "calls the caller hung up before an answer"),
            I("short_abandons", "calls", "of those, abandoned within a few seconds"),
            I("offered", "calls", "offered calls (answered + abandoned)")),
        lambda abandoned, short_abandons, offered:
            _pct(abandoned - short_abandons, offered - short_abandons)),
    Calculator(
        "first_response_time", "Average first response time", "seconds",
        "FRT = {first_response_total} / {requests}", "LiveAgent Academy; Parker", (
            I("first_response_total", "s", "total time to the first reply"),
            I("requests", "requests", "requests answered")),
        lambda first_response_total, requests: first_response_total / requests),
    Calculator(
        "frt_per_resolved", "First response time per resolved ticket (literal)", "seconds",
        "FRT = {first_response_total} / {solved}", "LiveAgent 2025 (total FRT / solved tickets)", (
            I("first_response_total", "s", "total first response time of all agents"),
            I("solved", "tickets", "tickets solved in the period")),
        lambda first_response_total, solved: first_response_total / solved),
    Calculator(
        "response_time", "Average response time", "seconds",
        "Response time = {response_total} / {responses}", "LiveAgent 2025", (
            I("response_total", "s", "sum of every reply's response time"),
            I("responses", "replies", "replies (interactions) answered")),
        lambda response_total, responses: response_total / responses),
    Calculator(
        "resolution_time", "Average resolution time", "seconds",
        "Resolution time = {resolution_total} / {resolved}", "LiveAgent Academy; LiveAgent 2025; Parker", (
            I("resolution_total", "s", "total time spent on the resolved cases"),
            I("resolved", "cases", "cases resolved")),
        lambda resolution_total, resolved: resolution_total / resolved,
        # filed Monday, resolved Wednesday: 2 days = 2 x 86,400 s = 172,800 s
        (_ex("LiveAgent 2025: filed Monday, resolved Wednesday (2 days)", 172800,
             resolution_total=172800, resolved=1),)),
    Calculator(
        "resolution_rate", "Resolution rate", "%",
        "Resolution rate = ({solved} / {created}) x 100", "LiveAgent Academy", (
            I("solved", "tickets", "tickets solved in the period"),
            I("created", "tickets", "tickets created (assigned) in the period")),
        lambda solved, created: _pct(solved, created)),
    Calculator(
        "resolution_ratio", "Resolution ratio (literal)", "ratio",
        "Resolution ratio = {solved} / {unsolved}", "Parker (solved / unsolved cases)", (
            I("solved", "cases", "cases resolved"), I("unsolved", "cases", "cases not resolved")),
        lambda solved, unsolved: solved / unsolved),
    Calculator(
        "fcr_rate", "First contact resolution", "%",
        "FCR = ({first_contact} / {solved}) x 100", "Bitvinskas 2021; Parker; Malnik 2020", (
            I("first_contact", "tickets", "solved at the first contact (or by one agent)"),
            I("solved", "tickets", "tickets solved")),
        lambda first_contact, solved: _pct(first_contact, solved)),
    Calculator(
        "support_cost_ratio", "Support cost as a share of revenue", "%",
        "Support cost ratio = ({support_cost} / {revenue}) x 100", "Bitvinskas 2021", (
            I("support_cost", "currency", "support spend in the period"),
            I("revenue", "currency", "revenue in the same period")),
        lambda support_cost, revenue: _pct(support_cost, revenue),
        note="benchmark: under 10 % of revenue, the industry average (Bitvinskas 2021)"),
    Calculator(
        "cost_per_ticket", "Support cost per ticket", "money",
        "Cost per ticket = {support_cost} / {tickets}", "Bitvinskas 2021", (
            I("support_cost", "currency", "support spend in the period"),
            I("tickets", "tickets", "tickets opened in the same period")),
        lambda support_cost, tickets: support_cost / tickets),
    Calculator(
        "referral_rate", "Referral rate", "%",
        "Referral rate = ({referred} / {new_customers}) x 100", "LiveAgent Academy; LiveAgent 2025", (
            I("referred", "customers", "new customers who came through a referral"),
            I("new_customers", "customers", "all new customers")),
        lambda referred, new_customers: _pct(referred, new_customers)),
    Calculator(
        "feedback_response_rate", "Feedback response rate", "%",
        "Feedback response rate = ({answered} / {received}) x 100", "LiveAgent 2025", (
            I("answered", "items", "feedback items that got a reply"),
            I("received", "items", "feedback items received")),
        lambda answered, received: _pct(answered, received)),
    Calculator(
        "survey_response_rate", "Survey completion rate", "%",
        "Survey completion = ({completed} / {sent}) x 100", "Malnik 2020", (
            I("completed", "surveys", "surveys completed"), I("sent", "surveys", "surveys sent")),
        lambda completed, sent: _pct(completed, sent)),
    Calculator(
        "agent_utilization", "Agent utilization", "%",
        "Utilization = ({handle_time} / {available_time}) x 100", "Malnik 2020", (
            I("handle_time", "h", "time spent handling contacts"),
            I("available_time", "h", "time available (shift time)")),
        lambda handle_time, available_time: _pct(handle_time, available_time),
        note="optimum: about 70-85 % (Malnik 2020)"),
    Calculator(
        "iqs", "Internal quality score (weighted criteria)", "points",
        "IQS = 100 x sum({weight} x {score} / {max_score}) / sum({weight})", "LiveAgent Academy; LiveAgent 2025", (
            I("weight", "weight", "weight of the criterion (its importance)"),
            I("score", "points", "score given on the criterion"),
            I("max_score", "points", "highest possible score on the criterion")),
        _iqs, repeated=True, render=_iqs_render),
    Calculator(
        "erlang_c", "Agents needed (Erlang C)", "agents",
        "A = {calls} x {aht_s} / {interval_s}; agents = fewest N with "
        "1 - C(N, A) x exp(-(N - A) x {target_s} / {aht_s}) >= {target_pct} %", _ERLANG,
        (*_CALLS, _TARGET, I("target_pct", "%", "service level to reach, in % (e.g. 80)",
                             maximum=100)),
        lambda calls, interval_s, aht_s, target_s, target_pct: float(erlang.agents_needed(
            _traffic(calls, interval_s, aht_s), aht_s, target_s, target_pct / 100)),
        detail=_erlang_detail),
    Calculator(
        "erlang_service_level", "Service level with N agents (Erlang C)", "%",
        "A = {calls} x {aht_s} / {interval_s}; "
        "SL = (1 - C({agents}, A) x exp(-({agents} - A) x {target_s} / {aht_s})) x 100",
        _ERLANG, (*_CALLS, _AGENTS, _TARGET),
        lambda calls, interval_s, aht_s, agents, target_s: 100 * erlang.service_level(
            int(agents), _traffic(calls, interval_s, aht_s), aht_s, target_s),
        detail=_erlang_detail),
    Calculator(
        "erlang_wait_probability", "Probability a call waits (Erlang C)", "%",
        "A = {calls} x {aht_s} / {interval_s}; P(wait) = C({agents}, A) x 100", _ERLANG,
        (*_CALLS, _AGENTS),
        lambda calls, interval_s, aht_s, agents: 100 * erlang.wait_probability(
            int(agents), _traffic(calls, interval_s, aht_s)),
        detail=_erlang_detail),
    Calculator(
        "erlang_asa", "Average speed of answer with N agents (Erlang C)", "seconds",
        "A = {calls} x {aht_s} / {interval_s}; ASA = C({agents}, A) x {aht_s} / ({agents} - A)",
        _ERLANG, (*_CALLS, _AGENTS), _asa, detail=_erlang_detail),
    Calculator(
        "erlang_occupancy", "Agent occupancy (Erlang C)", "%",
        "Occupancy = (({calls} x {aht_s} / {interval_s}) / {agents}) x 100", _ERLANG,
        (*_CALLS, _AGENTS),
        lambda calls, interval_s, aht_s, agents: 100 * erlang.occupancy(
            int(agents), _traffic(calls, interval_s, aht_s))),
)

CALCULATORS: dict[str, Calculator] = {c.name: c for c in _ALL}


# --- running one -------------------------------------------------------------------------------


def get_calculator(name: str) -> Calculator:
    """The calculator called ``name``; a UserError suggesting the nearest names otherwise."""
    if name in CALCULATORS:
        return CALCULATORS[name]
    close = difflib.get_close_matches(name, CALCULATORS, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise UserError(f"unknown calculator {name!r}{hint}; `supportmetrics calc --list` shows all")


def parse_assignments(options: Sequence[str]) -> dict[str, str]:
    """``["end=200", "new=20"]`` -> ``{"end": "200", "new": "20"}``; malformed ones are errors."""
    values: dict[str, str] = {}
    for option in options:
        key, sep, text = option.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"--input {option!r}: expected NAME=NUMBER, e.g. --input start=200")
        if key in values:
            raise UserError(f"--input {key} is given twice")
        values[key] = text.strip()
    return values


def evaluate(name: str, values: Mapping[str, float | str]) -> Result:
    """Validate ``values`` (numbers or their text) for calculator ``name`` and compute it.

    Every problem is a :class:`UserError` naming the input and listing the expected ones: an
    unknown calculator or input, a missing, non-numeric, negative or out-of-range input, or a
    denominator that is zero.
    """
    calculator = get_calculator(name)
    numbers = {key: _number(calculator, key, value) for key, value in values.items()}
    _check_names(calculator, numbers)
    try:
        value = calculator.compute(numbers)
    except ZeroDivisionError:
        raise UserError(f"calc {name}: {calculator.filled(numbers)} divides by zero; "
                        "a rate or average over nothing is undefined") from None
    return Result(calculator, numbers, value)


def calculate(name: str, values: Mapping[str, float | str]) -> float:
    """The value of calculator ``name`` for ``values``, e.g.
    ``calculate("retention_rate", {"end": 200, "new": 20, "start": 200}) == 90.0``."""
    return evaluate(name, values).value


def _number(calculator: Calculator, key: str, value: float | str) -> float:
    spec = _input_for(calculator, key)
    text = value.strip().removesuffix("%").strip() if isinstance(value, str) else value
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise UserError(f"calc {calculator.name}: input {key} must be a number, got {value!r}. "
                        f"Expected: {calculator.expected()}") from None
    problem = ""
    if not math.isfinite(number):
        problem = "must be a finite number"
    elif number < 0:
        problem = "cannot be negative (counts, totals and amounts are >= 0)"
    elif spec is not None and spec.maximum is not None and number > spec.maximum:
        problem = f"cannot be above {format_number(spec.maximum)}"
    elif spec is not None and spec.integer and number != int(number):
        problem = "must be a whole number"
    if problem:
        raise UserError(f"calc {calculator.name}: input {key}={value} {problem}")
    return number


def _input_for(calculator: Calculator, key: str) -> Input | None:
    base = re.sub(r"_\d+$", "", key) if calculator.repeated else key
    return next((i for i in calculator.inputs if i.name == base), None)


def _check_names(calculator: Calculator, values: Mapping[str, float]) -> None:
    if calculator.repeated:
        numbers = {int(m.group(1)) for k in values if (m := re.search(r"_(\d+)$", k))}
        expected = [f"{i.name}_{n}" for n in sorted(numbers) or [1] for i in calculator.inputs]
    else:
        expected = [i.name for i in calculator.inputs]
    missing = [n for n in expected if n not in values]
    unknown = [n for n in values if n not in expected]
    if missing or unknown:
        parts = ([f"missing input {', '.join(missing)}"] if missing else []) + (
            [f"unknown input {', '.join(unknown)}"] if unknown else [])
        raise UserError(f"calc {calculator.name}: {'; '.join(parts)}. "
                        f"Expected: {calculator.expected()}")


def _groups(calculator: Calculator, values: Mapping[str, float]) -> list[tuple[float, ...]]:
    numbers = sorted({int(k.rsplit("_", 1)[1]) for k in values})
    return [tuple(values[f"{i.name}_{n}"] for i in calculator.inputs) for n in numbers]
