"""``import --check``: the source's own per-ticket figures against the engine's.

A helpdesk computes some figures itself (Zendesk's ``reply_time_in_minutes`` and
``full_resolution_time_in_minutes``, Freshdesk's first response time). After an import the
engine computes the same figures from the events; :func:`compare` sets them side by side, ticket
by ticket, and says why each pair that does not agree differs: the source measured on business
hours, measured to the first solve where the engine measures to the last (a reopened ticket),
or counted a reply the engine does not (a bot, trigger or private reply).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

#: seconds two figures may differ and still agree (sources round to the minute)
TOLERANCE_SECONDS = 60.0
#: figure -> its title, the engine's calendar and business columns
FIGURES = {
    "first_response_seconds": ("first reply time", "first_response_seconds",
                               "first_response_business_seconds"),
    "resolution_seconds": ("resolution time", "resolution_seconds",
                           "resolution_business_seconds"),
}
#: the engine's facts the comparison reads
FACT_COLUMNS = ("ticket_id", "created_at", "first_solved_at", "first_response_seconds",
                "first_response_business_seconds", "resolution_seconds",
                "resolution_business_seconds")


@dataclass(frozen=True)
class Disagreement:
    ticket_id: str
    figure: str
    source_seconds: float | None
    engine_seconds: float | None
    reason: str


@dataclass(frozen=True)
class FigureCheck:
    figure: str
    title: str
    compared: int
    agreed: int

    @property
    def share(self) -> float:
        return self.agreed / self.compared if self.compared else 1.0


@dataclass(frozen=True)
class CheckResult:
    figures: tuple[FigureCheck, ...]
    disagreements: tuple[Disagreement, ...]


def compare(figures: pa.Table, facts: pd.DataFrame,
            tolerance: float = TOLERANCE_SECONDS) -> CheckResult:
    """Compare each of the source's figures with the engine's, per ticket."""
    source = figures.to_pandas()
    source["ticket_id"] = source["ticket_id"].astype(str)
    facts = facts.assign(ticket_id=facts["ticket_id"].astype(str))
    facts = facts.assign(first_solve_seconds=(
        pd.to_datetime(facts["first_solved_at"]) - pd.to_datetime(facts["created_at"])
    ).dt.total_seconds())
    facts = facts.rename(columns={c: f"{c}_engine" for c in facts.columns if c != "ticket_id"})
    joined = source.merge(facts, on="ticket_id", how="left")
    checks, disagreements = [], []
    for figure, (title, calendar, business) in FIGURES.items():
        if figure not in source.columns:
            continue
        rows = joined[joined[figure].notna()]
        theirs = rows[figure].astype(float)
        ours = rows[f"{calendar}_engine"].astype(float)
        agree = (theirs - ours).abs() <= tolerance
        checks.append(FigureCheck(figure, title, len(rows), int(agree.sum())))
        for index in rows.index[~agree.to_numpy()]:
            row = rows.loc[index]
            reason = _why(row, figure, business, tolerance)
            disagreements.append(Disagreement(
                str(row["ticket_id"]), title, float(row[figure]),
                None if pd.isna(row[f"{calendar}_engine"]) else float(row[f"{calendar}_engine"]),
                reason))
    return CheckResult(tuple(checks), tuple(disagreements))


def _why(row: pd.Series, figure: str, business: str, tolerance: float) -> str:
    theirs, ours = float(row[figure]), row[f"{figure}_engine"]
    if pd.isna(row.get("created_at_engine")):
        return "the ticket is not in the workspace (rejected, or in another export)"
    if pd.isna(ours):
        if figure == "first_response_seconds":
            return ("the engine finds no public agent reply: the source counted a reply the "
                    "engine does not (a bot, trigger or automation reply, or one not in the "
                    "exported events)")
        return "the engine finds the ticket not solved (its events end in another status)"
    engine_business = row.get(f"{business}_engine")
    if engine_business is not None and not pd.isna(engine_business) \
            and abs(theirs - float(engine_business)) <= tolerance:
        return ("calendar vs business time: the source's figure equals the engine's on the "
                "business-hours clock (--clock business)")
    if figure == "resolution_seconds" and not pd.isna(row.get("first_solve_seconds_engine")) \
            and abs(theirs - float(row["first_solve_seconds_engine"])) <= tolerance:
        return ("reopen handling: the source measured to the first solve, the engine to the "
                "last (the ticket was reopened)")
    difference = theirs - float(ours)
    if figure == "first_response_seconds" and difference < 0:
        return (f"the source's first reply is {-difference / 60:g} min earlier: it counted an "
                "earlier reply the engine does not (a bot, trigger or automation reply)")
    return f"differs by {difference / 60:+g} min (the source's minus the engine's)"
