"""Customer experience: NPS, CSAT, CES, happiness, survey response and comments, IQS."""

from __future__ import annotations

import ibis
from ibis import Deferred, _

from supportmetrics.metrics.common import flag
from supportmetrics.metrics.model import Direction, Mean, Ratio, S, Unit
from supportmetrics.metrics.needs import answered


def _answered(survey: str) -> Deferred:
    """Units: answered responses of one survey."""
    return (_.survey == survey) & _.score.notnull()


NPS = Ratio(
    id="nps", headline=8, tile=3, primary=True,
    title="Net Promoter Score", unit=Unit.POINTS, direction=Direction.UP,
    needs=(answered("nps"),),
    source="surveys", anchor="responded_at", where=_answered("nps"),
    dimensions=("agent_id", "channel", "segment"),
    numerator=flag(_.score >= 9) - flag(_.score <= 6),
    denominator=1, scale=100.0,
    definition="100 x (promoters 9-10 - detractors 0-6) / responses, on the 0-10 survey",
    article="LiveAgent Academy; LiveAgent 2025; Parker; Malnik 2020", unit_label="responses",
)
CSAT = Ratio(
    id="csat", headline=7, tile=2, primary=True,
    title="Customer satisfaction (CSAT %)", unit=Unit.PERCENT, direction=Direction.UP,
    needs=(answered("csat"),),
    source="surveys", anchor="responded_at", where=_answered("csat"),
    dimensions=("agent_id", "team", "channel", "category"),
    numerator=flag(_.satisfied), denominator=1,
    definition="100 x satisfied responses / responses; satisfied = (score - min) / (max - min) "
    ">= satisfied_at (0.75: 4-5 on 1-5)",
    article="LiveAgent 2025; Parker", unit_label="responses",
)
CSAT_MEAN = Mean(
    id="csat_mean", title="CSAT mean score", unit=Unit.SCORE, direction=Direction.UP,
    needs=(answered("csat"),),
    source="surveys", anchor="responded_at", where=_answered("csat"),
    dimensions=CSAT.dimensions, value=_.score, variant_of="csat",
    definition="mean CSAT score (sum of scores / responses)", article="LiveAgent 2025",
    unit_label="responses",
)
CES = Mean(
    id="ces", headline=9, primary=True,
    title="Customer Effort Score", unit=Unit.SCORE, direction=Direction.UP,
    needs=(answered("ces"),),
    follows_scale="ces",
    source="surveys", anchor="responded_at", where=_answered("ces"),
    dimensions=("agent_id", "channel"), value=_.score,
    definition="mean effort score: sum of scores / responses (1-7); higher is better on the "
    "default agree / ease scale, lower with [surveys.directions] ces = \"lower\" (an effort scale)",
    article="LiveAgent 2025", unit_label="responses",
)


#: a response in the two best points of its scale: the top two, or the bottom two
_BEST_TWO = ibis.ifelse(
    S.higher_is_better("ces"), flag(_.score >= _.scale_max - 1), flag(_.score <= _.scale_min + 1)
)


CES_AGREE = Ratio(
    id="ces_agree_pct", title="CES: % in the best two points", unit=Unit.PERCENT,
    needs=(answered("ces"),),
    direction=Direction.UP, source="surveys", anchor="responded_at", where=_answered("ces"),
    dimensions=CES.dimensions, variant_of="ces",
    numerator=_BEST_TWO, denominator=1,
    definition="100 x responses in the two best points of the scale / responses: the top two "
    "(6-7 of 1-7) by default, the bottom two with [surveys.directions] ces = \"lower\"",
    article="Parker", unit_label="responses",
)
HAPPINESS = Ratio(
    id="happiness", title="Happiness score", unit=Unit.POINTS, direction=Direction.UP,
    needs=(answered("happiness"),),
    source="surveys", anchor="responded_at", where=_answered("happiness"),
    dimensions=("agent_id", "channel"),
    numerator=flag(_.score == _.scale_max) - flag(_.score == _.scale_min),
    denominator=1,
    definition="on the 3-point scale (3 great, 2 okay, 1 not good): % great - % not good",
    article="Malnik 2020", unit_label="responses",
)
SURVEY_RESPONSE_RATE = Ratio(
    id="survey_response_rate", title="Survey response rate", unit=Unit.PERCENT,
    direction=Direction.UP, source="surveys", anchor="sent_at",
    dimensions=("survey", "agent_id", "channel"),
    numerator=flag(_.answered), denominator=1,
    definition="100 x answered surveys / surveys sent", article="Malnik 2020",
    unit_label="surveys sent",
)
COMMENT_RATE = Ratio(
    id="comment_rate", title="Comment rate", unit=Unit.PERCENT, direction=Direction.UP,
    source="surveys", anchor="responded_at", where=_.answered,
    dimensions=("survey", "agent_id"),
    numerator=flag(_.comment.strip().length() > 0), denominator=1,
    definition="100 x answered surveys with a non-empty comment / answered surveys",
    article="Malnik 2020", unit_label="responses",
)
IQS = Mean(
    id="iqs", title="Internal Quality Score", unit=Unit.POINTS, direction=Direction.UP,
    source="reviews", anchor="reviewed_at", dimensions=("agent_id", "team"),
    value=_.iqs,
    definition="mean over reviews of 100 x sum(weight x score / max_score) / sum(weight)",
    article="LiveAgent Academy; LiveAgent 2025", unit_label="reviews",
)

METRICS = (NPS, CSAT, CSAT_MEAN, CES, CES_AGREE, HAPPINESS, SURVEY_RESPONSE_RATE, COMMENT_RATE, IQS)
