"""``import --check``: print how the source's own figures compare with the engine's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from supportmetrics.cli.app import console, state

if TYPE_CHECKING:
    import pyarrow as pa

    from supportmetrics.workspace import Workspace


def print_check(ws: Workspace, source: str, figures: pa.Table | None) -> None:
    from supportmetrics.importers import FACT_COLUMNS, compare

    if figures is None or figures.num_rows == 0:
        console.print(f"--check: this {source} export carries no per-ticket figures of its own "
                      "to compare (see docs/sources/" + source + ".md)", highlight=False,
                      markup=False)
        return
    facts = ws.engine(state.engine).ticket_facts().select(*FACT_COLUMNS).to_pandas()
    result = compare(figures, facts)
    for check in result.figures:
        console.print(
            f"{check.title}: {check.agreed} of {check.compared} tickets agree "
            f"({100 * check.share:.0f} %) within a minute, {source}'s figure against the engine's "
            "(calendar time)", highlight=False, markup=False)
    if result.disagreements:
        view = Table("ticket", "figure", f"{source} (min)", "engine (min)", "why",
                     title="figures that do not agree")
        for d in result.disagreements:
            view.add_row(*(Text(cell) for cell in (
                d.ticket_id, d.figure, _minutes(d.source_seconds), _minutes(d.engine_seconds),
                d.reason)))
        console.print(view)


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:g}"
