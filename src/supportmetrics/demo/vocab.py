"""The demo company's vocabulary: agents, teams, channels, categories, customers' words."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from supportmetrics.demo.columns import pick

TEAMS = ("tier1", "tier2", "billing")  # sized by their work: see staffing
TIER1, TIER2, BILLING = 0, 1, 2

CHANNELS = ("email", "chat", "phone", "social", "web")
EMAIL, CHAT, PHONE, SOCIAL, WEB = range(5)
CHANNEL_P = np.array([0.34, 0.26, 0.14, 0.10, 0.16])
LIVE_CHANNELS = (CHAT, PHONE, SOCIAL)  # covered on weekends too
FIRST_REPLY_MINUTES = np.array([120.0, 2.5, 1.5, 40.0, 150.0])  # typical, in opening hours
CUSTOMER_REPLY_HOURS = np.array([8.0, 0.1, 2.0, 3.0, 10.0])  # customer's typical answer time

CATEGORIES = (
    "technical", "sales question", "delivery", "returns", "cancellation",
    "product availability", "complaint",
)
TECHNICAL = 0
CATEGORY_P = np.array([0.28, 0.16, 0.17, 0.13, 0.08, 0.11, 0.07])
CATEGORY_TEAM = np.array([TIER2, TIER1, TIER1, BILLING, BILLING, TIER1, TIER1])

PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_P = np.array([0.20, 0.56, 0.17, 0.07])
URGENT = 3
PRIORITY_SPEEDUP = np.array([0.8, 1.0, 1.6, 3.0])  # urgent tickets are answered faster
PRIORITY_CAP_MINUTES = np.array([1e9, 1e9, 45.0, 8.0])  # typical first reply at most
PRIORITY_PENDING_P = np.array([0.55, 0.55, 0.7, 0.9])  # set pending while the customer answers

STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
NEW, OPEN, PENDING, ON_HOLD, SOLVED, CLOSED = range(6)
KINDS = (
    "customer_message", "agent_reply", "bot_reply", "auto_reply", "internal_note",
    "status_change", "assignment",
)
MESSAGE, REPLY, BOT, AUTO, NOTE, STATUS, ASSIGN = range(7)

SEGMENTS = ("smb", "mid-market", "enterprise")
SEGMENT_P = np.array([0.62, 0.28, 0.10])
PLANS = ("basic", "pro", "business", "enterprise")
SEGMENT_PLAN_P = np.array([  # plan by segment
    [0.60, 0.35, 0.05, 0.00],
    [0.05, 0.45, 0.45, 0.05],
    [0.00, 0.05, 0.30, 0.65],
])
ACQUISITION = ("organic", "ads", "referral", "partner")
ACQUISITION_P = np.array([0.40, 0.32, 0.18, 0.10])
REFERRAL = 2

SURVEYS = ("csat", "nps", "ces", "happiness")
SURVEY_SCALES = np.array([[1.0, 5.0], [0.0, 10.0], [1.0, 7.0], [1.0, 3.0]])
CES = 2

# Short comments: an opening and a detail, by sentiment (negative, neutral, positive).
OPENINGS = (
    (
        "Waited far too long.", "Still not fixed.", "Had to explain everything twice.",
        "Nobody called me back.", "Passed between three agents.", "Very disappointing.",
        "The answer did not help.", "Too slow for an urgent problem.",
    ),
    (
        "It was OK.", "Fine in the end.", "Took a while.", "Correct answer.",
        "Average experience.", "Solved, eventually.",
    ),
    (
        "Great service!", "Super quick answer.", "Really helpful.", "Very friendly agent.",
        "Problem solved.", "Thanks a lot!", "Excellent support.", "Spot on.",
    ),
)
DETAILS = (
    (
        "The reply was a copy-paste.", "I am thinking of cancelling.", "I had to reopen it.",
        "My order is still missing.", "No one read my first message.", "",
    ),
    (
        "Could be faster.", "I had to chase it once.", "The form is confusing.",
        "The agent was polite.", "",
    ),
    (
        "Solved on the first reply.", "Exactly what I needed.", "No waiting around.",
        "The refund came the same day.", "Clear instructions, thank you.",
        "Will recommend you.", "",
    ),
)


def comments(rng: np.random.Generator, sentiment: np.ndarray) -> pa.Array:
    """A short free-text comment per row; ``sentiment`` is 0 negative, 1 neutral, 2 positive."""
    n = len(sentiment)
    opening = pa.nulls(n, pa.string())
    detail = pa.nulls(n, pa.string())
    for mood in range(3):
        rows = sentiment == mood
        first = pick(OPENINGS[mood], rng.integers(0, len(OPENINGS[mood]), size=n))
        second = pick(DETAILS[mood], rng.integers(0, len(DETAILS[mood]), size=n))
        opening = pc.if_else(pa.array(rows), first, opening)
        detail = pc.if_else(pa.array(rows), second, detail)
    return pc.utf8_trim_whitespace(pc.binary_join_element_wise(opening, detail, " "))
