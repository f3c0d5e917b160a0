"""`sidedoor scenario list|run|compare`: counterfactual reforms against the baseline.

User errors (unknown reform, bad file, a horizon the model cannot reach) are one red line and
exit code 2, never a traceback. Every result says where its parameters came from; an
uncalibrated result says so in its reading, its CSV's companion lines and its figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

EXIT_USAGE = 2

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Counterfactual scenarios: reforms against the baseline, with 90% bands.")

DrawsOption = Annotated[int, typer.Option("--draws", min=1, help="Parameter draws (baseline and reform each).")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the draws (fixes every result).")]
ScaleOption = Annotated[float, typer.Option("--scale", help="Share of persons simulated, 0 < scale <= 1.")]
EndOption = Annotated[str, typer.Option("--end", help="Last simulated month (YYYY-MM); past the data the "
                                        "inputs are carried forward and the assumptions are printed.")]
StoreOption = Annotated[Path | None, typer.Option("--store", metavar="FILE", help="Run store file (default: "
                                                   "$SIDEDOOR_STORE or ./.sidedoor/sidedoor.duckdb).")]


def _fail(console: Console, message: str) -> None:
    console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code=EXIT_USAGE)


def _run(console: Console, name: str, draws: int, seed: int, scale: float, end: str, store):
    """One scenario with a progress bar; user errors become one line."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sidedoor.scenarios import HorizonError, ReformError, resolve_reform, run_scenario
    from sidedoor.scenarios.horizon import parse_end

    try:  # user errors first, before any progress bar
        resolve_reform(name)
        parse_end(end)
    except (ReformError, HorizonError) as exc:
        _fail(console, str(exc))
    with Progress(TextColumn(f"[bold]{escape(name)}"), BarColumn(), MofNCompleteColumn(), TextColumn("draws"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("draws", total=draws)
        try:
            return run_scenario(name, draws=draws, seed=seed, scale=scale, end=end, store=store,
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
        except (ReformError, HorizonError, ValueError, OSError) as exc:
            bar.stop()
            _fail(console, str(exc))


def _print_result(console: Console, result) -> None:
    console.print(f"\n[bold]{escape(result.name)}[/] ({result.draws} draws, scale {result.scale:g}, seed "
                  f"{result.seed}, to {result.end:%Y-%m}; {result.wall_seconds:.0f} s)")
    if not result.calibrated:
        console.print("[yellow]UNCALIBRATED:[/] prior centres; the bands show simulation noise only.")
    console.print(escape(result.reading), soft_wrap=False)
    if result.assumptions:
        console.print(f"[yellow]Input assumptions after the last data year ({result.last_data_year}):[/]")
        for line in result.assumptions:
            console.print(f"  - {escape(line)}")
    if result.run_id:
        console.print(f"stored as run [bold]{result.run_id}[/] (kind 'scenario')")


def register(app_root: typer.Typer) -> None:
    """Attach ``sidedoor scenario ...`` to the root app."""
    app_root.add_typer(app, name="scenario", help="Counterfactual scenarios: what if the rules had been different?")


@app.command("list")
def list_command() -> None:
    """The shipped scenarios: the question each asks and the paper section it tests."""
    from sidedoor.scenarios import list_scenarios

    console = Console()
    table = Table(title="Scenarios (src/sidedoor/reforms/*.yaml)", show_lines=True)
    for column in ("name", "what changes", "paper", "where the effect should show"):
        table.add_column(column, overflow="fold")
    for info in list_scenarios():
        stock = f"{info.focus.stock[0]}[{info.focus.stock[1]}] {info.focus.stock[2]}"
        table.add_row(info.name, info.description, info.reference,
                      f"{stock}; {info.focus.flow} {info.focus.flow_year}\nexpected: {info.focus.expected}")
    console.print(table)


@app.command("run")
def run_command(
    reform: Annotated[str, typer.Argument(metavar="NAME_OR_FILE", help="A shipped scenario name or a reform file.")],
    draws: DrawsOption = 20,
    seed: SeedOption = 1,
    scale: ScaleOption = 0.1,
    end: EndOption = "2025-12",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV of the differences.")] = None,
    store: StoreOption = None,
) -> None:
    """Run baseline and reform with common random numbers; print the reading; save to the store."""
    console = Console()
    result = _run(console, reform, draws, seed, scale, end, store)
    _print_result(console, result)
    if output is not None:
        result.to_csv(output)
        console.print(f"differences written to {output}")


@app.command("compare")
def compare_command(
    reforms: Annotated[list[str], typer.Argument(metavar="A B ...", help="Scenario names or reform files.")],
    draws: DrawsOption = 5,
    seed: SeedOption = 1,
    scale: ScaleOption = 0.05,
    end: EndOption = "2025-12",
    output: Annotated[Path, typer.Option("--output", "-o", help="Figure (.png or .svg).")] = Path("scenarios.png"),
    store: StoreOption = None,
) -> None:
    """Plot each scenario's overstayer stock difference from the baseline, with 90% bands."""
    from sidedoor.scenarios.plot import compare_figure

    console = Console()
    if output.suffix.lower() not in (".png", ".svg"):
        _fail(console, f"--output must end in .png or .svg, not {output.name!r}")
    results = [_run(console, name, draws, seed, scale, end, store) for name in reforms]
    for result in results:
        _print_result(console, result)
    compare_figure(results, output)
    console.print(f"figure written to {output}")
