"""Money: lifetime value, acquisition cost, support cost against revenue and per ticket."""

from __future__ import annotations

from dataclasses import replace

import ibis
from ibis import _

from supportmetrics.metrics.common import ratio
from supportmetrics.metrics.model import Combined, Count, Derived, Direction, Part, S, Unit
from supportmetrics.metrics.needs import ACQUISITION_COST, REVENUE, SUPPORT_COST

YEAR_DAYS = 365.25


def _ledger(kind: str) -> Part:
    """The amounts of one ledger kind booked in the period (no dimensions)."""
    return Part(
        source="ledger", anchor="at", where=_.kind == kind,
        measure=_.amount, dimensions=(),
    )
_orders_amount = Part(source="orders", anchor="at", measure=_.amount)
_orders = Part(source="orders", anchor="at")
_buyers = Part(source="orders", anchor="at", distinct="customer_id")
_lifetimes = Part(
    source="customers", at="upto", anchor="churned_at",
    measure=_.churned_at.epoch_seconds() - _.signup_at.epoch_seconds(),
)
_churned_upto = Part(source="customers", at="upto", anchor="churned_at")
_new = Part(source="customers", anchor="signup_at")


#: average lifespan in years: clv.lifespan_years if configured, else churned customers'
_LIFESPAN_YEARS = ibis.coalesce(
    ibis.literal(S.clv.get("lifespan_years"), "float64"),
    ratio(_.lifetimes, _.churned_upto) / (YEAR_DAYS * 86400),
)
#: periods of this length in a year
_PER_YEAR = YEAR_DAYS / _.period_days
#: average order value
_AOV = ratio(_.revenue, _.orders)


CLV_SIMPLE = Combined(
    id="clv_simple", title="Customer lifetime value (simple)", unit=Unit.MONEY,
    direction=Direction.UP, source="orders", anchor="at",
    dimensions=("segment", "acquisition_channel"),
    parts={"revenue": _orders_amount, "orders": _orders, "buyers": _buyers,
           "lifetimes": _lifetimes, "churned_upto": _churned_upto},
    formula=_AOV * ratio(_.orders, _.buyers) * _PER_YEAR
    * _LIFESPAN_YEARS,
    count_part="buyers",
    definition="average order value x orders per customer per year x average lifespan in years; "
    "AOV and frequency from the period's orders (frequency annualised by the period length), "
    "lifespan = mean lifetime of customers churned up to the period end, or clv.lifespan_years",
    article="LiveAgent 2025 (50 x 5 x 3 = 750)", unit_label="buying customers",
)
CLV = replace(
    CLV_SIMPLE, id="clv", title="Customer lifetime value",
    definition="the default CLV: clv_simple (the basic formula of LiveAgent 2025). Variants: "
    "clv_simple, clv_historical, clv_predictive, clv_net, each with its inputs documented",
)
CLV_SIMPLE = replace(CLV_SIMPLE, variant_of="clv")

CLV_HISTORICAL = Combined(
    id="clv_historical", title="Customer lifetime value (historical)", unit=Unit.MONEY,
    direction=Direction.UP, source="orders", anchor="at", variant_of="clv",
    dimensions=("segment", "acquisition_channel"),
    parts={
        "margin": Part(source="orders", at="upto", anchor="at",
                       measure=_.amount * _.gross_margin.fill_null(0)),
        "buyers": Part(source="orders", at="upto", anchor="at", distinct="customer_id"),
    },
    formula=ratio(_.margin, _.buyers), count_part="buyers",
    definition="mean over customers of sum(order amount x gross margin), over all orders up to "
    "the period end", article="LiveAgent 2025", unit_label="customers with orders",
)
CLV_PREDICTIVE = Combined(
    id="clv_predictive", title="Customer lifetime value (predictive)", unit=Unit.MONEY,
    direction=Direction.UP, source="orders", anchor="at", variant_of="clv",
    dimensions=("segment", "acquisition_channel"),
    parts=CLV_SIMPLE.parts,
    formula=ratio(_.orders, _.buyers) * (YEAR_DAYS / 12 / _.period_days)
    * _AOV * _LIFESPAN_YEARS * 12,
    count_part="buyers",
    definition="orders per customer per month x average order value x average lifespan in months",
    article="LiveAgent 2025", unit_label="buying customers",
)
CLV_NET = Combined(
    id="clv_net", title="Customer lifetime value net of CAC", unit=Unit.MONEY,
    needs=(ACQUISITION_COST,),
    direction=Direction.UP, source="orders", anchor="at", variant_of="clv",
    dimensions=(),
    parts={"revenue": _orders_amount, "buyers": _buyers, "lifetimes": _lifetimes,
           "churned_upto": _churned_upto, "sales": _ledger("sales_cost"),
           "marketing": _ledger("marketing_cost"), "new": _new},
    formula=ratio(_.revenue, _.buyers) * _PER_YEAR * _LIFESPAN_YEARS
    - ratio(_.sales + _.marketing, _.new),
    count_part="buyers",
    definition="(annual revenue per customer x relationship years) - CAC",
    article="Parker", unit_label="buying customers",
)
ACQUISITION_SPEND = Count(
    id="acquisition_cost", title="Acquisition spend (sales + marketing)", unit=Unit.MONEY,
    direction=Direction.DOWN, needs=(ACQUISITION_COST,),
    source="ledger", anchor="at", dimensions=(),
    where=_.kind.isin(("sales_cost", "marketing_cost")), measure=_.amount, variant_of="cac",
    definition="sales_cost + marketing_cost booked in the period", article="Parker",
    unit_label="ledger entries",
)
CAC = Derived(
    id="cac", title="Customer acquisition cost", unit=Unit.MONEY, direction=Direction.DOWN,
    needs=(ACQUISITION_COST,),
    source="customers", anchor="signup_at", dimensions=(),
    inputs={"spend": "acquisition_cost", "new": "new_customers"},
    formula=ratio(_.spend, _.new), count_input="new",
    definition="(sales_cost + marketing_cost booked in the period) / customers acquired in it",
    article="Parker ($10,000 / 20,000 = $0.50)", unit_label="new customers",
)
SUPPORT_COST_RATIO = Combined(
    id="support_cost_ratio", primary=True,
    title="Support cost as % of revenue", unit=Unit.PERCENT,
    needs=(SUPPORT_COST, REVENUE),
    direction=Direction.DOWN, source="ledger", anchor="date", dimensions=(),
    parts={"support": _ledger("support_cost"), "revenue_ledger": _ledger("revenue"),
           "revenue_orders": Part(source="orders", anchor="at",
                                  measure=_.amount, dimensions=())},
    formula=ratio(
        _.support,
        ibis.ifelse(_.revenue_ledger > 0, _.revenue_ledger, _.revenue_orders),
    ),
    scale=100.0, count_part="support",
    definition="100 x support_cost / revenue (revenue from the ledger, else from orders); "
    "benchmark under 10 %", article="Bitvinskas 2021", unit_label="support cost",
)
SUPPORT_SPEND = Count(
    id="support_cost", title="Support cost", unit=Unit.MONEY, direction=Direction.DOWN,
    needs=(SUPPORT_COST,),
    source="ledger", anchor="at", dimensions=(),
    where=_.kind == "support_cost", measure=_.amount, variant_of="cost_per_ticket",
    definition="support_cost booked in the period", article="Bitvinskas 2021",
    unit_label="ledger entries",
)
COST_PER_TICKET = Derived(
    id="cost_per_ticket", headline=19, primary=True,
    title="Cost per ticket", unit=Unit.MONEY, direction=Direction.DOWN,
    needs=(SUPPORT_COST,),
    source="ledger", anchor="date", dimensions=(),
    inputs={"support": "support_cost", "tickets": "ticket_volume"},
    formula=ratio(_.support, _.tickets), count_input="tickets",
    definition="support_cost booked in the period / tickets created in the period",
    article="Bitvinskas 2021", unit_label="tickets",
)
METRICS = (
    CLV, CLV_SIMPLE, CLV_HISTORICAL, CLV_PREDICTIVE, CLV_NET, CAC, ACQUISITION_SPEND,
    SUPPORT_COST_RATIO, COST_PER_TICKET, SUPPORT_SPEND,
)
