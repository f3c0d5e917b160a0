"""`sidedoor runs ...`: list, inspect, export and delete stored runs.

Store problems (unknown id, locked file, bad export name) are reported as one line and an
exit code, never a traceback: they are user errors, not bugs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sidedoor.store import RunNotFoundError, RunStore, StoreError, default_path

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Stored runs: list, show, export and delete them.",
)

EXIT_USAGE = 2  # unknown run id, bad file name: the command cannot be done as asked
EXIT_FAILURE = 1  # locked store, failed integrity check

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        metavar="FILE",
        help="Run store file (default: $SIDEDOOR_STORE or ./.sidedoor/sidedoor.duckdb).",
    ),
]
RunIdArgument = Annotated[str, typer.Argument(metavar="RUN_ID", help="Id from `runs list`.")]


def _out() -> Console:
    return Console()


def _err() -> Console:
    return Console(stderr=True)


def _fail(message: object, code: int) -> typer.Exit:
    """Print an error line (never re-wrapped, never read as markup); the Exit to raise."""
    _err().print(f"[red]error:[/red] {escape(str(message))}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def _reported_errors() -> Iterator[None]:
    """Turn store errors into a one-line message and an exit code."""
    try:
        yield
    except RunNotFoundError as exc:
        raise _fail(exc, EXIT_USAGE) from None
    except StoreError as exc:
        raise _fail(exc, EXIT_FAILURE) from None


def _store_path(path: Path | None) -> Path:
    return path if path is not None else default_path()


def _existing_store(path: Path | None) -> RunStore | None:
    """The store, or None when its file does not exist (reading must not create one)."""
    return RunStore(path) if _store_path(path).exists() else None


def _missing_run(run_id: str, path: Path | None) -> typer.Exit:
    """Report a run id that cannot exist because there is no store file at all."""
    return _fail(RunNotFoundError(run_id, _store_path(path)), EXIT_USAGE)


@app.command("list")
def list_command(
    store: StoreOption = None,
    kind: Annotated[
        str | None, typer.Option("--kind", metavar="K", help="Only runs of this kind.")
    ] = None,
) -> None:
    """List stored runs, oldest first."""
    with _reported_errors():
        run_store = _existing_store(store)
        runs = run_store.list_runs(kind) if run_store else pd.DataFrame()
    if runs.empty:
        of_kind = f" of kind {kind!r}" if kind else ""
        _out().print(f"No runs{of_kind} in {_store_path(store)}.", highlight=False)
        return
    console = _out()
    console.print(_runs_table(runs, console.width))


_LIST_COLUMNS = ("id", "kind", "created (UTC)", "seed", "scale", "period", "code", "label")
_NARROW = 120  # below this many terminal columns, drop the two widest optional columns
_WIDE_ONLY = ("created (UTC)", "code")


def _runs_table(runs: pd.DataFrame, width: int) -> Table:
    """One line per run, the columns needed to pick one; the id is never folded."""
    columns = [c for c in _LIST_COLUMNS if width >= _NARROW or c not in _WIDE_ONLY]
    table = Table(
        title=f"{len(runs)} run(s)", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    if width < _NARROW:  # generated ids start with the UTC creation time
        table.caption = "creation time and code version: `sidedoor runs show RUN_ID`"
    id_width = int(runs["run_id"].str.len().max())
    for name in columns:
        table.add_column(name, min_width=id_width if name == "id" else None, overflow="fold")
    for run in runs.itertuples(index=False):
        cells = {
            "id": run.run_id,
            "kind": run.kind,
            "created (UTC)": f"{run.created_at:%Y-%m-%d %H:%M}",
            "seed": _text(run.seed),
            "scale": _text(run.scale),
            "period": _period(run.start_month, run.end_month),
            "code": _text(run.code_version),
            "label": _text(run.label),
        }
        table.add_row(*(cells[c] for c in columns))
    return table


@app.command("show")
def show_command(
    run_id: RunIdArgument,
    store: StoreOption = None,
    parameters: Annotated[
        bool, typer.Option("--parameters", help="Also print every parameter value.")
    ] = False,
) -> None:
    """Show a run's metadata and a summary of its outputs."""
    run_store = _existing_store(store)
    if run_store is None:
        raise _missing_run(run_id, store)
    with _reported_errors():
        run = run_store.get_run(run_id)
        summary = run_store.output_summary(run_id)
    console = _out()
    console.print(_metadata_table(run))
    console.print(_summary_table(summary))
    if parameters:
        console.print_json(json.dumps(run["parameters"]))


def _metadata_table(run: dict[str, Any]) -> Table:
    """Key/value view of the run row; parameters summarised, reform in full."""
    table = Table(title=f"run {run['run_id']}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in run.items():
        if key == "parameters":
            value = f"{len(value or {})} values (--parameters to print)"
        elif key == "reform" and value is not None:
            value = json.dumps(value, sort_keys=True)
        elif key == "created_at":
            value = f"{value:%Y-%m-%d %H:%M:%S} UTC"
        table.add_row(key, _text(value))
    return table


def _summary_table(summary: pd.DataFrame) -> Table:
    """Rows per output series with their date range."""
    table = Table(title="outputs")
    for name in ("series", "rows", "first date", "last date"):
        table.add_column(name, justify="right" if name == "rows" else "left")
    for row in summary.itertuples(index=False):
        table.add_row(row.series, str(row.rows), f"{row.first_date:%Y-%m-%d}",
                      f"{row.last_date:%Y-%m-%d}")
    return table


@app.command("export")
def export_command(
    run_id: RunIdArgument,
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="FILE.csv or FILE.parquet.")
    ],
    store: StoreOption = None,
    table: Annotated[
        str, typer.Option("--table", help="outputs, flows or events.")
    ] = "outputs",
) -> None:
    """Export a run's outputs (series, reference_date, category, value) to CSV or Parquet."""
    run_store = _existing_store(store)
    if run_store is None:
        raise _missing_run(run_id, store)
    with _reported_errors():
        try:
            written = run_store.export(run_id, output, table=table)
        except ValueError as exc:
            raise _fail(exc, EXIT_USAGE) from None
    _out().print(f"Wrote {written}", highlight=False)


@app.command("delete")
def delete_command(
    run_id: RunIdArgument,
    store: StoreOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a run and all its outputs, flows and events."""
    run_store = _existing_store(store)
    if run_store is None:
        raise _missing_run(run_id, store)
    with _reported_errors():
        run_store.get_run(run_id)  # unknown id: report before asking
        if not yes and not typer.confirm(f"Delete run {run_id}?"):
            raise typer.Exit(EXIT_FAILURE)
        run_store.delete_run(run_id)
    _out().print(f"Deleted {run_id}", highlight=False)


@app.command("check")
def check_command(store: StoreOption = None) -> None:
    """Verify the store: every run whole, no orphan rows (exit 1 on problems)."""
    run_store = _existing_store(store)
    if run_store is None:
        _out().print(f"No store at {_store_path(store)}; nothing to check.", highlight=False)
        return
    with _reported_errors():
        problems = run_store.check()
    for problem in problems:
        _err().print(f"[red]problem:[/red] {escape(problem)}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(EXIT_FAILURE)
    _out().print(f"{run_store.path}: OK", highlight=False)


def _period(start: Any, end: Any) -> str:
    """``1990-01–2020-12`` from the run's first and last month."""
    if pd.isna(start) and pd.isna(end):
        return ""
    return f"{_month(start)}–{_month(end)}"


def _month(value: Any) -> str:
    return "?" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m}"


def _text(value: Any) -> str:
    """Cell text: blanks for missing values, plain numbers without trailing zeros."""
    if value is None or (not isinstance(value, (str, dict, list)) and pd.isna(value)):
        return ""
    if isinstance(value, float):  # seeds read back as float when some are missing
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)
