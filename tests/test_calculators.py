"""The articles' worked examples, reproduced exactly, through the API and the CLI."""

from __future__ import annotations

import json
import math

import pytest

from supportmetrics.cli import main
from supportmetrics.errors import UserError
from supportmetrics.stats import calculate, detect_spikes, staffing, wait_probability
from supportmetrics.stats.erlang import agents_needed

EXAMPLES = [
    # (calculator, inputs, published answer, source)
    ("retention_rate", {"end": 200, "new": 20, "start": 200}, 90.0, "seed 001"),
    ("retention_rate", {"end": 90, "new": 15, "start": 100}, 75.0, "seed 003"),
    ("churn_rate", {"lost": 20, "start": 250}, 8.0, "seed 001"),
    ("nps_pct", {"promoters_pct": 70, "detractors_pct": 10}, 60.0, "seed 001"),
    ("nps_pct", {"promoters_pct": 80, "detractors_pct": 15}, 65.0, "seed 003"),
    ("nps", {"promoters": 70, "passives": 20, "detractors": 10}, 60.0, "seed 001 as counts"),
    ("clv_simple", {"average_order_value": 50, "purchases_per_year": 5, "lifespan_years": 3},
     750.0, "seed 001"),
    ("avg_wait_time", {"total_wait": 500, "served": 200}, 2.5, "seed 001"),
    ("csat", {"satisfied": 30, "responses": 50}, 60.0, "seed 001"),
    ("cac", {"spend": 10000, "acquired": 20000}, 0.5, "seed 003"),
]


@pytest.mark.parametrize(("name", "inputs", "answer", "source"), EXAMPLES)
def test_worked_examples(name: str, inputs: dict[str, float], answer: float, source: str) -> None:
    assert calculate(name, inputs) == answer


@pytest.mark.parametrize(("name", "inputs", "answer", "source"), EXAMPLES)
def test_worked_examples_through_the_cli(
    name: str, inputs: dict[str, float], answer: float, source: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["calc", name, "--format", "json"]
    for key, value in inputs.items():
        args += ["--input", f"{key}={value}"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["value"] == answer


def test_text_output_shows_the_filled_formula(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "retention_rate", "-i", "end=200", "-i", "new=20", "-i", "start=200"]) == 0
    assert capsys.readouterr().out.strip() == (
        "Customer retention rate (CRR): 100 x (200 - 20) / 200 = 90 %"
    )


def test_other_formulas() -> None:
    assert calculate("churn_net", {"start": 250, "end": 240}) == 4.0
    assert calculate("clv_net", {"annual_revenue_per_customer": 250, "relationship_years": 3,
                                 "cac": 0.5}) == 749.5
    assert calculate("aht", {"talk": 30000, "hold": 3000, "wrap": 6000, "calls": 100}) == 390.0
    assert calculate("service_level", {"answered_within": 160, "offered": 210,
                                       "short_abandons": 10}) == 80.0
    assert calculate("abandonment_rate", {"abandoned": 30, "short_abandons": 10,
                                          "offered": 210}) == 10.0
    assert calculate("happiness", {"great": 60, "okay": 30, "not_good": 10}) == 50.0
    assert calculate("iqs", {"weighted_score": 2.2, "weight_total": 3}) == pytest.approx(220 / 3)
    assert calculate("support_cost_ratio", {"support_cost": 7000, "revenue": 100000}) == 7.0


def test_bad_input_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UserError, match="missing input"):
        calculate("cac", {"spend": 1})
    with pytest.raises(UserError, match="denominator is zero"):
        calculate("churn_rate", {"lost": 1, "start": 0})
    assert main(["calc", "cac", "--input", "spend=ten", "--input", "acquired=2"]) == 2
    assert main(["calc", "nosuch"]) == 2


def _erlang_c_by_factorials(agents: int, a: float) -> float:
    top = a**agents / math.factorial(agents) * agents / (agents - a)
    return top / (sum(a**k / math.factorial(k) for k in range(agents)) + top)


def test_erlang_c_against_the_textbook_formula() -> None:
    # 100 calls in 30 min, 180 s handle time: A = 10 Erlangs
    for agents in (11, 12, 13, 15):
        assert wait_probability(agents, 10.0) == pytest.approx(_erlang_c_by_factorials(agents, 10.0))
    result = staffing(13, 100, 1800, 180, 20)
    c = _erlang_c_by_factorials(13, 10.0)
    assert result.service_level == pytest.approx(1 - c * math.exp(-3 * 20 / 180))
    assert result.asa_seconds == pytest.approx(c * 180 / 3)
    assert result.occupancy == pytest.approx(10 / 13)
    assert staffing(10, 100, 1800, 180, 20).service_level == 0.0  # no fewer agents than traffic
    needed = agents_needed(100, 1800, 180, 20, 0.8)
    assert needed.service_level >= 0.8
    assert staffing(needed.agents - 1, 100, 1800, 180, 20).service_level < 0.8


def test_spikes() -> None:
    weekly = [100, 104, 98, 101, 99, 103, 97, 100, 310, 102, 99, 100]
    assert detect_spikes(weekly) == [8]
    assert detect_spikes([100, 101, 99, 100, 102, 98, 100, 101]) == []
