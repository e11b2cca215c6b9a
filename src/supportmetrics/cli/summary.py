"""The KPI summary table of `summary` and `demo` (its rows come from the engine facade)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from supportmetrics.engine import missing_headlines, summary_rows


def print_summary(workspace: Any, console: Console | None = None) -> None:
    """Print the headline metrics of the last three months of ``workspace``, then what is left
    out for want of data."""
    console = console or Console()
    rows = summary_rows(workspace)
    _, _, periods = rows[0]
    view = Table("metric", *periods, title=Text(f"KPI summary ({workspace.directory})"))
    for metric_id, title, values in rows[1:]:
        view.add_row(Text.assemble(title, " ", (f"({metric_id})", "dim")), *values)
    console.print(view)
    for note in missing_headlines(workspace):
        console.print(f"[dim]{escape(note)}[/]", highlight=False)
