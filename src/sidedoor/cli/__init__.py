"""The ``sidedoor`` command line: one sub-command group per domain concept."""

from __future__ import annotations

import typer

from sidedoor.cli import calibrate as calibrate_cmd
from sidedoor.cli import data as data_cmd
from sidedoor.cli import reproduce as reproduce_cmd
from sidedoor.cli import rules as rules_cmd
from sidedoor.cli import run as run_cmd
from sidedoor.cli import ensemble as ensemble_cmd
from sidedoor.cli import runs as runs_cmd
from sidedoor.cli import scenario as scenario_cmd
from sidedoor.cli import serve as serve_cmd
from sidedoor.cli import trace as trace_cmd

app = typer.Typer(
    name="sidedoor",
    help="How Japan's institutions turn legal entrants into unauthorized overstayers.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(data_cmd.app, name="data", help="The official statistics shipped with sidedoor.")
app.add_typer(rules_cmd.app, name="rules", help="Legal statuses and dated policy rules.")
app.add_typer(runs_cmd.app, name="runs", help="Stored runs (DuckDB).")
run_cmd.register(app)
scenario_cmd.register(app)
trace_cmd.register(app)
serve_cmd.register(app)
ensemble_cmd.register(app)
calibrate_cmd.register(app)
reproduce_cmd.register(app)


def main() -> None:
    app()
