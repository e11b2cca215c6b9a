"""``calc``: every metric's formula on numbers you type, with the sources' worked examples."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from rich.text import Text

from supportmetrics.cli.app import app, console
from supportmetrics.stats import CALCULATORS, evaluate, parse_assignments


@app.command()
def calc(
    name: str = typer.Argument(None, help="Calculator name (see --list)."),
    inputs: list[str] = typer.Option([], "--input", "-i", help="NAME=NUMBER (repeatable)."),
    list_: bool = typer.Option(False, "--list", help="Show every calculator and its inputs."),
    fmt: str = typer.Option("text", "--format", help="text|json"),
) -> None:
    """Compute a metric from plain numbers: calc retention_rate -i end=200 -i new=20 -i start=200"""
    if fmt not in ("text", "json"):
        raise typer.BadParameter(f"{fmt!r}: expected text or json", param_hint="--format")
    if list_ or name is None:
        _show_list()
        return
    result = evaluate(name, parse_assignments(inputs))
    if fmt == "json":
        typer.echo(json.dumps(result.as_dict()))
    else:
        console.print(result.text(), highlight=False, markup=False, soft_wrap=True)


def _show_list() -> None:
    view = Table(show_lines=True)
    view.add_column("name", no_wrap=True)
    for heading in ("formula", "inputs", "source"):
        view.add_column(heading)
    for c in CALCULATORS.values():
        inputs = "\n".join(f"{i.name} [{i.unit}]: {i.description}" for i in c.inputs)
        if c.repeated:
            inputs += "\n(numbered per criterion: weight_1, score_1, max_score_1, weight_2, ...)"
        view.add_row(*(Text(cell) for cell in (
            c.name, f"{c.title}:\n{c.formula}\n-> {c.unit}", inputs, c.source)))
    console.print(view, highlight=False)
