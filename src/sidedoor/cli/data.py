"""`sidedoor data ...` commands: list, show, plot and compare the shipped statistics."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True)

UNKNOWN_SERIES_EXIT = 2


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _console() -> Console:
    """A console; when output is piped, wide enough that tables are not truncated."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def _fail(message: str) -> typer.Exit:
    """Print a one-line error (no traceback) and return the exit to raise."""
    Console(stderr=True).print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code=UNKNOWN_SERIES_EXIT)


def _known(series: str) -> None:
    from sidedoor.data import series_keys

    keys = series_keys()
    if series not in keys:
        raise _fail(f"unknown series {series!r}. Known series: {', '.join(keys)}")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


@app.command("list")
def list_series() -> None:
    """Every series: kind, coverage, number of rows and of distinct sources."""
    from sidedoor.data import series_info, series_keys

    table = Table(title="Observed series (sidedoor.data)")
    for name in ("series", "kind", "coverage", "rows", "sources", "unit"):
        table.add_column(name, justify="right" if name in ("rows", "sources") else "left",
                         no_wrap=name != "unit", overflow="fold")
    for key in series_keys():
        info = series_info(key)
        table.add_row(key, info.meta.kind, info.coverage, str(info.rows), str(info.sources),
                      info.meta.unit)
    _console().print(table)


@app.command()
def show(
    series: str = typer.Argument(..., help="Series key (see `sidedoor data list`)."),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                               help="table, csv or json."),
    all_sources: bool = typer.Option(False, "--all-sources",
                                     help="Every source's row, with the preferred flag."),
) -> None:
    """A series in the tidy schema (series, reference_date, category, value, source_url,
    source_note); dates are ISO."""
    _known(series)
    from sidedoor.data import TIDY_COLUMNS, observed

    frame = observed(series, all_sources=all_sources)
    columns = list(TIDY_COLUMNS) + (["source_kind", "preferred"] if all_sources else [])
    frame = frame[columns].copy()
    frame["reference_date"] = frame["reference_date"].dt.strftime("%Y-%m-%d")
    if output_format is OutputFormat.csv:
        sys.stdout.write(frame.to_csv(index=False, float_format="%.15g", lineterminator="\n"))
        return
    if output_format is OutputFormat.json:
        records = frame.to_dict(orient="records")
        for item in records:
            item["value"] = _number(item["value"])
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=f"{series} ({len(frame)} rows)", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold",
                         justify="right" if column == "value" else "left")
    for row in frame.itertuples(index=False):
        cells = [f"{_number(v):,}" if c == "value" else str(v) for c, v in zip(columns, row)]
        table.add_row(*cells)
    _console().print(table)


@app.command()
def plot(
    series: str = typer.Argument(..., help="Series key (see `sidedoor data list`)."),
    output: Path = typer.Option(..., "--output", "-o", help="FILE.png or FILE.svg"),
) -> None:
    """A publication figure of a series (`overstayers` redraws the paper's Figure 1)."""
    _known(series)
    if output.suffix.lower() not in (".png", ".svg"):
        raise _fail(f"unsupported figure format {output.suffix!r}: use .png or .svg")
    from sidedoor.data.figures import figure1, plot_series

    result = figure1(output) if series == "overstayers" else plot_series(series, output)
    _console().print(f"Wrote {result.path} ({len(result.points)} points)")


@app.command()
def conflicts(
    series: str | None = typer.Argument(None, help="Only this series."),
) -> None:
    """Where sources disagree: every alternative, the one used and why."""
    if series is not None:
        _known(series)
    from sidedoor.data import RULE
    from sidedoor.data import conflicts as find_conflicts

    frame = find_conflicts(series)
    if frame.empty:
        _console().print(f"No conflicting sources{f' in {series}' if series else ''}.")
        return
    table = Table(title=f"Conflicting sources (rule: {RULE})")
    for column in ("series", "reference_date", "category", "value", "source_kind", "used",
                   "source_file:line"):
        table.add_column(column, no_wrap=column != "category")
    for row in frame.itertuples(index=False):
        table.add_row(row.series, row.reference_date.date().isoformat(), row.category,
                      f"{_number(row.value):,}", row.source_kind,
                      "yes" if row.preferred else "no", f"{row.source_file}:{row.source_line}")
    _console().print(table)


@app.command()
def info(series: str = typer.Argument(..., help="Series key.")) -> None:
    """What a series measures: definition, unit, dating rule, coverage, notes."""
    _known(series)
    from sidedoor.data import series_info

    item = series_info(series)
    meta = item.meta
    console = _console()
    console.print(f"[bold]{meta.key}[/]: {meta.title} ({meta.kind})")
    for label, value in (
        ("definition", meta.definition), ("unit", meta.unit), ("period", meta.period),
        ("reference date", meta.reference_date_rule), ("categories", meta.categories),
        ("coverage", item.coverage), ("rows", item.rows), ("distinct sources", item.sources),
        ("source files", ", ".join(item.source_files)), ("publisher", meta.publisher),
    ):
        console.print(f"  {label}: {value}", highlight=False)
    for note in meta.notes:
        console.print(f"  note: {note}", highlight=False)
