"""``calc``: every metric's formula on numbers you type, with the worked examples."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from supportmetrics.cli.app import app, console
from supportmetrics.errors import UserError
from supportmetrics.stats import all_calculators, calculate
from supportmetrics.stats.calculators import get_calculator


@app.command()
def calc(
    name: str = typer.Argument(None, help="Calculator name (see --list)."),
    inputs: list[str] = typer.Option([], "--input", "-i", help="NAME=NUMBER (repeatable)."),
    list_: bool = typer.Option(False, "--list", help="Show every calculator and its inputs."),
    fmt: str = typer.Option("text", "--format", help="text|json"),
) -> None:
    """Compute a metric from plain numbers, e.g. calc retention_rate -i end=200 -i new=20 -i start=200."""
    if list_ or name is None:
        view = Table("name", "formula", "inputs (example)", "source")
        for c in all_calculators().values():
            view.add_row(c.name, c.formula, ", ".join(f"{i.name}={i.example:g}" for i in c.inputs),
                         c.source)
        console.print(view)
        return
    values = {}
    for option in inputs:
        key, sep, text = option.partition("=")
        try:
            values[key.strip()] = float(text)
        except ValueError:
            raise UserError(f"--input {option!r}: expected NAME=NUMBER") from None
        if not sep:
            raise UserError(f"--input {option!r}: expected NAME=NUMBER")
    result = calculate(name, values)
    calculator = get_calculator(name)
    if fmt == "json":
        console.file.write(json.dumps({"calculator": name, "inputs": values, "value": result,
                                       "unit": calculator.unit}) + "\n")
    else:
        console.print(f"{calculator.title}: {calculator.filled(values)} = {result:g} "
                      f"{calculator.unit}", highlight=False)
