"""The hand-made workspace of engine_fixture.py with hostile text in every user-text column.

Agent a3, team tier2, the category "technical", the channel "phone" and two survey comments are
renamed to strings a spreadsheet would run as formulas or open as links; the numbers stay those
of engine_fixture.py.
"""

from __future__ import annotations

from pathlib import Path

import engine_fixture
import pytest

from supportmetrics import Workspace

AGENT = "=cmd|' /C calc'!A0"
TEAM = "+SUM(1,2)"
CATEGORY = '=HYPERLINK("http://x","click")'
CHANNEL = "@phone"
COMMENT = "-2+3 slow"
LINK = "http://example.com/phish"
TITLE = '=HYPERLINK("http://x","Report")'
RENAMES = {"a3": AGENT, "tier2": TEAM, "technical": CATEGORY, "phone": CHANNEL, "slow": COMMENT,
           "Great help": LINK}
TABLES = ("TICKETS", "EVENTS", "CALLS", "SURVEYS", "SHIFTS", "REVIEWS")


def build(directory: Path) -> Workspace:
    with pytest.MonkeyPatch.context() as patch:
        for name in TABLES:
            rows = getattr(engine_fixture, name)
            patch.setattr(engine_fixture, name,
                          [tuple(RENAMES.get(v, v) if isinstance(v, str) else v for v in row)
                           for row in rows])
        return engine_fixture.build(directory)
