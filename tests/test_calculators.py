"""The calculators: the publications' worked examples reproduced exactly, by the API and the CLI."""

from __future__ import annotations

import inspect
import json

import pytest

from supportmetrics.cli import main
from supportmetrics.errors import UserError
from supportmetrics.stats import CALCULATORS, calculate, evaluate, parse_assignments

# (calculator, inputs, the article's published answer, where it is published)
WORKED_EXAMPLES = [
    ("retention_rate", {"end": 200, "new": 20, "start": 200}, 90, "LiveAgent 2025: [(200-20)/200] x 100"),
    ("retention_rate", {"end": 90, "new": 15, "start": 100}, 75, "Parker: S=100, E=90, N=15"),
    ("churn_rate", {"lost": 20, "start": 250}, 8, "LiveAgent 2025: (20 / 250) x 100"),
    ("churn_from_retention", {"retention_pct": 75}, 25, "Parker: retention 75 % -> churn 25 %"),
    ("nps_pct", {"promoters_pct": 70, "detractors_pct": 10}, 60, "LiveAgent 2025: 70 % - 10 %"),
    ("nps_pct", {"promoters_pct": 80, "detractors_pct": 15}, 65, "Parker: 80 % - 15 %"),
    ("nps", {"promoters": 70, "passives": 20, "detractors": 10}, 60, "LiveAgent 2025 as counts"),
    ("nps", {"promoters": 80, "passives": 5, "detractors": 15}, 65, "Parker as counts"),
    ("clv_simple", {"order_value": 50, "purchases_per_year": 5, "lifespan_years": 3}, 750,
     "LiveAgent 2025: $50 x 5 x 3"),
    # LiveAgent 2025: 500 min / 200 calls = 2.5 min; in seconds 30,000 / 200 = 150 s
    ("avg_wait_time", {"wait_total": 30000, "served": 200}, 150, "LiveAgent 2025: 500 min / 200 calls"),
    ("csat", {"satisfied": 30, "responses": 50}, 60, "LiveAgent 2025: 30 / 50 x 100"),
    ("cac", {"spend": 10000, "acquired": 20000}, 0.5, "Parker: $10,000 / 20,000 = 50 cents"),
    # Monday -> Wednesday: 2 days = 2 x 86,400 = 172,800 s
    ("resolution_time", {"resolution_total": 172800, "resolved": 1}, 172800,
     "LiveAgent 2025: Monday->Wednesday"),
]


@pytest.mark.parametrize(("name", "inputs", "answer", "source"), WORKED_EXAMPLES)
def test_worked_examples_exactly(name: str, inputs: dict[str, float], answer: float,
                                 source: str) -> None:
    assert calculate(name, inputs) == answer
    assert CALCULATORS[name].function(**inputs) == answer  # the pure function itself


@pytest.mark.parametrize(("name", "inputs", "answer", "source"), WORKED_EXAMPLES)
def test_worked_examples_through_the_cli(
    name: str, inputs: dict[str, float], answer: float, source: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["calc", name, "--format", "json"]
    for key, value in inputs.items():
        args += ["--input", f"{key}={value}"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"calculator": name, "inputs": {k: float(v) for k, v in inputs.items()},
                   "value": answer, "unit": CALCULATORS[name].unit}


def test_the_examples_declared_in_the_catalogue_hold() -> None:
    declared = [(c.name, e) for c in CALCULATORS.values() for e in c.examples]
    assert len(declared) >= 10
    for name, example in declared:
        assert calculate(name, example.inputs) == example.value, (name, example.source)
    shown = {(n, tuple(sorted(e.inputs.items()))) for n, e in declared}
    for name, inputs, _, _ in WORKED_EXAMPLES:  # every published example is also in the catalogue
        assert (name, tuple(sorted((k, float(v)) for k, v in inputs.items()))) in shown


@pytest.mark.parametrize(("args", "expected"), [
    (["retention_rate", "--input", "end=200", "--input", "new=20", "--input", "start=200"],
     "CRR = ((200 - 20) / 200) x 100 = 90 %"),
    (["retention_rate", "-i", "start=100", "-i", "end=90", "-i", "new=15"],
     "CRR = ((90 - 15) / 100) x 100 = 75 %"),
    (["churn_rate", "-i", "lost=20", "-i", "start=250"], "Churn = (20 / 250) x 100 = 8 %"),
    (["nps_pct", "-i", "promoters_pct=70%", "-i", "detractors_pct=10"],
     "NPS = 70 - 10 = 60 points"),
    (["clv_simple", "-i", "order_value=50", "-i", "purchases_per_year=5", "-i", "lifespan_years=3"],
     "CLV = 50 x 5 x 3 = 750"),
    (["avg_wait_time", "-i", "wait_total=30000", "-i", "served=200"], "AWT = 30000 / 200 = 150 s"),
    (["csat", "-i", "satisfied=30", "-i", "responses=50"], "CSAT = (30 / 50) x 100 = 60 %"),
    (["cac", "-i", "spend=10000", "-i", "acquired=20000"], "CAC = 10000 / 20000 = 0.5"),
])
def test_text_output_fills_the_formula_in(args: list[str], expected: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", *args]) == 0
    assert capsys.readouterr().out.strip() == expected


def test_benchmarks_are_shown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "support_cost_ratio", "-i", "support_cost=7000", "-i",
                 "revenue=100000"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Support cost ratio = (7000 / 100000) x 100 = 7 %",
        "benchmark: under 10 % of revenue, the industry average (Bitvinskas 2021)",
    ]
    assert main(["calc", "agent_utilization", "-i", "handle_time=6.3", "-i",
                 "available_time=8"]) == 0
    assert "70-85 %" in capsys.readouterr().out


def test_every_other_formula() -> None:
    cases = {
        "csat_mean": ({"score_total": 210, "responses": 50}, 4.2),
        "ces": ({"score_total": 150, "responses": 50}, 3),
        "ces_agree_pct": ({"top_two": 35, "responses": 50}, 70),
        "happiness": ({"great": 60, "okay": 30, "not_good": 10}, 50),
        "churn_net": ({"start": 250, "end": 240}, 4),
        "clv_historical": ({"purchases_total": 1200, "gross_margin_pct": 40}, 480),
        "clv_predictive": ({"monthly_transactions": 0.5, "order_value": 50,
                            "lifespan_months": 36}, 900),
        "clv_net": ({"annual_revenue": 250, "relationship_years": 3, "cac": 0.5}, 749.5),
        "aht": ({"talk": 30000, "hold": 3000, "wrap": 6000, "calls": 100}, 390),
        "asa": ({"wait_total": 2500, "answered": 100}, 25),
        "service_level": ({"answered_within": 160, "offered": 210, "short_abandons": 10}, 80),
        "abandonment_rate": ({"abandoned": 30, "short_abandons": 10, "offered": 210}, 10),
        "first_response_time": ({"first_response_total": 36000, "requests": 40}, 900),  # 15 min
        "frt_per_resolved": ({"first_response_total": 36000, "solved": 30}, 1200),  # 20 min
        "response_time": ({"response_total": 54000, "responses": 60}, 900),  # 15 min
        "resolution_rate": ({"solved": 90, "created": 120}, 75),
        "resolution_ratio": ({"solved": 90, "unsolved": 10}, 9),
        "fcr_rate": ({"first_contact": 70, "solved": 100}, 70),
        "support_cost_ratio": ({"support_cost": 7000, "revenue": 100000}, 7),
        "cost_per_ticket": ({"support_cost": 7000, "tickets": 1000}, 7),
        "referral_rate": ({"referred": 15, "new_customers": 100}, 15),
        "feedback_response_rate": ({"answered": 45, "received": 50}, 90),
        "survey_response_rate": ({"completed": 120, "sent": 400}, 30),
        "agent_utilization": ({"handle_time": 6.3, "available_time": 9}, 70),
    }
    for name, (inputs, answer) in cases.items():
        assert calculate(name, inputs) == pytest.approx(answer), name
    # IQS: criteria weighted 2 and 1, scored 4/5 and 3/5 -> 100 x (1.6 + 0.6) / 3
    iqs = evaluate("iqs", {"weight_1": 2, "score_1": 4, "max_score_1": 5,
                           "weight_2": 1, "score_2": 3, "max_score_2": 5})
    assert iqs.value == pytest.approx(220 / 3)
    assert iqs.text() == "IQS = 100 x (2 x 4 / 5 + 1 x 3 / 5) / (2 + 1) = 73.3333 points"


def test_the_required_calculators_exist() -> None:
    required = ["nps", "nps_pct", "csat", "csat_mean", "ces", "ces_agree_pct", "happiness",
        "churn_rate", "churn_net", "retention_rate", "clv_simple", "clv_historical",
        "clv_predictive", "clv_net", "cac", "aht", "asa", "avg_wait_time", "service_level",
        "abandonment_rate", "first_response_time", "resolution_time", "resolution_rate",
        "resolution_ratio", "fcr_rate", "support_cost_ratio", "cost_per_ticket", "referral_rate",
        "feedback_response_rate", "agent_utilization", "iqs", "erlang_c"]
    assert [n for n in required if n not in CALCULATORS] == []


@pytest.mark.parametrize("calculator", CALCULATORS.values(), ids=lambda c: c.name)
def test_each_calculator_is_declared_consistently(calculator: object) -> None:
    from supportmetrics.stats import Calculator

    assert isinstance(calculator, Calculator)
    names = [i.name for i in calculator.inputs]
    assert len(set(names)) == len(names)
    assert calculator.title and calculator.source and calculator.unit
    assert all(i.description and i.unit for i in calculator.inputs)
    for name in names:  # every input appears in the formula, and nothing else is a placeholder
        assert "{" + name + "}" in calculator.template
    assert "{" not in calculator.formula
    if not calculator.repeated:
        assert list(inspect.signature(calculator.function).parameters) == names


def test_list_shows_every_calculator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "--list"]) == 0
    out = capsys.readouterr().out
    for calculator in CALCULATORS.values():
        assert calculator.name in out
    assert "[customers]" in out  # units are shown, not swallowed as markup


@pytest.mark.parametrize(("inputs", "message"), [
    ({"spend": 1}, "missing input acquired. Expected: spend=NUMBER, acquired=NUMBER"),
    ({"spend": 1, "acquired": 2, "budget": 3}, "unknown input budget"),
    ({"spend": "ten", "acquired": 2}, "input spend must be a number, got 'ten'. Expected:"),
    ({"spend": "nan", "acquired": 2}, "spend=nan must be a finite number"),
    ({"spend": -1, "acquired": 2}, "spend=-1 cannot be negative"),
    ({"spend": 1, "acquired": 0}, "CAC = 1 / 0 divides by zero"),
])
def test_bad_inputs_are_user_errors(inputs: dict[str, float | str], message: str) -> None:
    with pytest.raises(UserError) as caught:
        calculate("cac", inputs)
    assert message in str(caught.value)


def test_more_bad_inputs() -> None:
    with pytest.raises(UserError, match="did you mean churn_net, churn_rate"):
        calculate("churn", {})
    with pytest.raises(UserError, match="cannot be above 100"):
        calculate("nps_pct", {"promoters_pct": 170, "detractors_pct": 10})
    with pytest.raises(UserError, match="must be a whole number"):
        calculate("erlang_occupancy", {"calls": 1, "interval_s": 1, "aht_s": 1, "agents": 2.5})
    with pytest.raises(UserError, match="queue grows without end"):
        calculate("erlang_asa", {"calls": 100, "interval_s": 1800, "aht_s": 180, "agents": 10})
    with pytest.raises(UserError, match="missing input max_score_2"):
        calculate("iqs", {"weight_1": 1, "score_1": 1, "max_score_1": 1, "weight_2": 1,
                          "score_2": 1})
    with pytest.raises(UserError, match="unknown input weight"):
        calculate("iqs", {"weight": 1, "score_1": 1, "max_score_1": 1, "weight_1": 1})
    with pytest.raises(UserError, match="expected NAME=NUMBER"):
        parse_assignments(["start"])
    with pytest.raises(UserError, match="given twice"):
        parse_assignments(["start=1", "start=2"])


def test_bad_inputs_exit_2_with_the_expected_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "cac", "--input", "spend=ten", "--input", "acquired=2"]) == 2
    err = capsys.readouterr().err
    assert "spend" in err and "acquired=NUMBER" in err
    assert main(["calc", "cac", "-i", "spend=1"]) == 2
    assert "missing input acquired" in capsys.readouterr().err
    assert main(["calc", "nosuch"]) == 2
    assert main(["calc", "cac", "-i", "spend=1", "-i", "acquired=2", "--format", "xml"]) == 2


def test_erlang_calculators(capsys: pytest.CaptureFixture[str]) -> None:
    queue = {"calls": 100, "interval_s": 1800, "aht_s": 180}
    assert calculate("erlang_c", {**queue, "target_s": 20, "target_pct": 80}) == 14
    assert calculate("erlang_occupancy", {**queue, "agents": 14}) == pytest.approx(100 * 10 / 14)
    level = calculate("erlang_service_level", {**queue, "agents": 14, "target_s": 20})
    assert 80 <= level < 90
    assert calculate("erlang_service_level", {**queue, "agents": 13, "target_s": 20}) < 80
    assert main(["calc", "erlang_c", "-i", "calls=100", "-i", "interval_s=1800", "-i", "aht_s=180",
                 "-i", "target_s=20", "-i", "target_pct=80"]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith("A = 100 x 180 / 1800; agents = fewest N") and first.endswith(
        "= 14 agents")
    assert second.startswith("traffic A = 10 Erlangs; with 14 agents: P(wait) 17.4")


def test_a_calculator_named_like_a_metric_speaks_its_units() -> None:
    """One id, one number: ``calc first_response_time`` gives seconds, as the catalogue does."""
    from supportmetrics.metrics import CATALOGUE

    shared = sorted(name for name in CALCULATORS if name in CATALOGUE)
    assert {n: CALCULATORS[n].unit for n in shared} == {n: CATALOGUE[n].unit.value for n in shared}
    # the durations among them: what was minutes and hours is now seconds
    assert {n for n in shared if CATALOGUE[n].unit.value == "seconds"} == {
        "aht", "asa", "avg_wait_time", "first_response_time", "frt_per_resolved", "response_time",
        "resolution_time"}
