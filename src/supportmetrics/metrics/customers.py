"""Customers: churn, retention, referrals, engagement, lifetime value, acquisition cost."""

from __future__ import annotations

from ibis import _

from supportmetrics.metrics.common import flag, ratio
from supportmetrics.metrics.model import (
    Combined,
    Count,
    Direction,
    Metric,
    Part,
    Ratio,
    Rollup,
    S,
    Unit,
)

_DIMS = ("segment", "plan", "acquisition_channel")
_at_start = Part(source="customers", at="start", opened="signup_at", closed="churned_at")
_at_end = Part(source="customers", at="end", opened="signup_at", closed="churned_at")
_new = Part(source="customers", anchor="signup_at")
_churned = Part(source="customers", anchor="churned_at")

CHURN_RATE = Combined(
    id="churn_rate", headline=18, primary=True,
    title="Customer churn rate", unit=Unit.PERCENT, direction=Direction.DOWN,
    source="customers", anchor="churned_at", dimensions=_DIMS,
    parts={"churned": _churned, "start": _at_start},
    formula=ratio(_.churned, _.start), scale=100.0, count_part="start",
    definition="100 x customers churned in the period / customers active at the period start",
    article="LiveAgent 2025; Parker; Malnik 2020", unit_label="customers at start",
)
CHURN_NET = Combined(
    id="churn_net", title="Net customer churn (start - end) / start", unit=Unit.PERCENT,
    direction=Direction.DOWN, source="customers", anchor="churned_at", dimensions=_DIMS,
    variant_of="churn_rate", parts={"start": _at_start, "end": _at_end},
    formula=ratio(_.start - _.end, _.start), scale=100.0,
    count_part="start",
    definition="100 x (customers at start - customers at end) / customers at start; new "
    "customers offset losses, so it can be negative", article="Bitvinskas 2021",
    unit_label="customers at start",
)
RETENTION_RATE = Combined(
    id="retention_rate", primary=True,
    title="Customer retention rate (CRR)", unit=Unit.PERCENT,
    direction=Direction.UP, source="customers", anchor="signup_at", dimensions=("segment", "plan"),
    parts={"start": _at_start, "end": _at_end, "new": _new},
    formula=ratio(_.end - _.new, _.start), scale=100.0, count_part="start",
    definition="100 x (E - N) / S: E customers at the period end, N acquired during it, S at "
    "its start", article="LiveAgent 2025; Parker; Malnik 2020", unit_label="customers at start",
)
REFERRAL_RATE = Ratio(
    id="referral_rate", title="Referral rate", unit=Unit.PERCENT, direction=Direction.UP,
    source="customers", anchor="signup_at", dimensions=("segment",),
    numerator=flag(
        (_.acquisition_channel == "referral") | _.referred_by.notnull()
    ),
    denominator=1,
    definition="100 x new customers acquired via referral (acquisition_channel referral or a "
    "referred_by) / new customers", article="LiveAgent Academy; LiveAgent 2025", unit_label="new customers",
)
REFERRAL_COUNT = Count(
    id="referral_count", title="Referred customers", unit=Unit.COUNT, direction=Direction.UP,
    source="customers", anchor="signup_at", dimensions=("segment",), variant_of="referral_rate",
    where=(_.acquisition_channel == "referral") | _.referred_by.notnull(),
    definition="new customers acquired via referral", unit_label="customers",
)
NEW_CUSTOMERS = Count(
    id="new_customers", title="New customers", unit=Unit.COUNT, direction=Direction.UP,
    source="customers", anchor="signup_at", dimensions=_DIMS,
    definition="customers whose signup_at falls in the period", unit_label="customers",
)
ENGAGEMENT_RATE = Combined(
    id="engagement_rate", title="Engagement rate per kind", unit=Unit.PERCENT,
    direction=Direction.UP, source="engagement", anchor="at", dimensions=("kind", "segment"),
    parts={
        "engaged": Part(source="engagement", anchor="at", distinct="customer_id"),
        "active": Part(
            source="customers", at="during", opened="signup_at", closed="churned_at",
            dimensions=("segment",),
        ),
    },
    formula=ratio(_.engaged, _.active), scale=100.0, count_part="active",
    variant_of="engagement_score",
    definition="100 x customers with >= 1 event of the kind in the period / customers active "
    "in the period (signed up before its end, not churned before its start)", article="LiveAgent 2025", unit_label="active customers",
)

METRICS: tuple[Metric, ...] = (
    CHURN_RATE, CHURN_NET, RETENTION_RATE, REFERRAL_RATE, REFERRAL_COUNT, NEW_CUSTOMERS,
    ENGAGEMENT_RATE,
)

ENGAGEMENT_SCORE = Rollup(
    id="engagement_score", title="Customer engagement score", unit=Unit.PERCENT,
    direction=Direction.UP, source="engagement", anchor="at", dimensions=("segment",),
    of="engagement_rate", over="kind", weights=S.engagement_weights,
    definition="weighted mean over engagement kinds of (100 x customers with >= 1 event of that "
    "kind / customers active in the period); weights from engagement_weights, equal by default",
    article="LiveAgent Academy; LiveAgent 2025", unit_label="active customers",
)
METRICS = (*METRICS, ENGAGEMENT_SCORE)
