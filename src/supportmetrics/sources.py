"""The publications the metric definitions follow, by the short name a ``source`` field cites.

Formulas, worked examples and benchmarks come from these five vendor and practitioner articles
(read in the language editions named); ``Erlang C`` is the queueing formula of A. K. Erlang (1917).
docs/metrics.md lists them under "Sources".
"""

from __future__ import annotations

SOURCES: dict[str, str] = {
    "LiveAgent Academy": (
        "LiveAgent Academy, customer service metrics: an overview of the customer experience "
        "metrics (NPS, CSAT, CES, IQS, engagement, churn, retention, referral, CLV) and the "
        "operations metrics (open cases, request volume, resolution rate, service level, "
        "backlog, ASA, FRT, resolution time, blocked calls, AHT); Croatian edition"
    ),
    "LiveAgent 2025": (
        'LiveAgent, "16 best customer service metrics to measure in 2025": formulas and worked '
        "examples for CSAT, NPS, CES, IQS, retention, churn, CLV, response and resolution "
        "times, feedback response rate, average waiting time and referral rate; Estonian edition"
    ),
    "Bitvinskas 2021": (
        'Ben Bitvinskas (Atlasmic), "The best customer service KPIs to follow", 15 March 2021: '
        "churn, satisfaction bands, response time, FCR, per-agent KPIs, support cost per ticket "
        "and as a share of revenue; Polish edition"
    ),
    "Parker": (
        'Kimberly Parker, "14 customer service metrics to track (free report template)": '
        "formulas, the monthly report template (metric tracker, ticket volume by category, "
        "formulas as a calculator), CAC, CLV and FCR; Sundanese edition"
    ),
    "Malnik 2020": (
        'Jessica Malnik (Databox), "13 most important help desk KPIs to track and measure help '
        'desk performance", 8 October 2020, updated 5 September 2022: practitioners\' KPIs, '
        "agent utilization (70-85 % optimum), happiness score, tickets logged vs closed; "
        "Chinese edition"
    ),
    "Erlang C": "A. K. Erlang (1917), the Erlang C queueing formula for calls waiting for agents",
}
