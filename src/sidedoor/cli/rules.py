"""`sidedoor rules ...`: read the institutions as code (show, diff, graph, check-reform).

Bad input (a malformed date, an invalid reform file) prints one clear message and exits with
code 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, help="Legal statuses and dated policy rules.")

BAD_INPUT = 2


def _console(stderr: bool = False) -> Console:
    """A console wide enough that parameter names never wrap when output is captured."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 180
    return Console(file=stream, width=width, stderr=stderr)


def _fail(message: str) -> None:
    _console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(BAD_INPUT)


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        _fail(f"{what}: not a date: {text!r} (expected YYYY-MM-DD)")
    raise AssertionError  # unreachable


def _params():
    from sidedoor.institutions.parameters import ParameterError, load_parameters

    try:
        return load_parameters()
    except ParameterError as exc:
        _fail(str(exc))


def _policy_only(params, include_all: bool) -> list:
    """Policy parameters (institution files) unless ``--all`` asks for the engine's too."""
    from sidedoor.institutions.parameters import PARAMETER_DIR

    if include_all:
        return list(params)
    institutions = {f.stem for f in PARAMETER_DIR.glob("*.yaml")}
    return [p for p in params if p.name.split(".")[0] in institutions]


ALL_OPTION = typer.Option(False, "--all", help="Include the engine's behavioural parameters.")


def _current(p, date: dt.date) -> tuple[Any, dt.date | None, str]:
    """(value, start of that value, reference of that value) on ``date``; value None if absent."""
    if date < p.starts[0]:
        return None, None, p.reference
    i = max(i for i, s in enumerate(p.starts) if s <= date)
    return p.values[i].value, p.values[i].start, p.reference_at(date)


def _fmt(value: Any) -> str:
    if value is None:
        return "(not yet)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() is False:
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _provenance(p) -> str:
    if p.provenance == "calibrated" and p.prior is not None:
        prior = p.prior
        bounds = (f"{prior.low:g}-{prior.high:g}" if prior.low is not None
                  else f"mean {prior.mean:g}, sd {prior.sd:g}")
        return f"calibrated ({prior.distribution} {bounds})"
    if p.reason:
        return f"{p.provenance}: {p.reason}"
    return p.provenance


@app.command()
def show(
    date: str = typer.Option(..., "--date", "-d", help="Day to show, YYYY-MM-DD."),
    institution: str = typer.Option(None, "--institution", "-i",
                                    help="Only one file, e.g. asylum, spr, titp."),
    include_all: bool = ALL_OPTION,
) -> None:
    """Every rule in force on a day: value, unit, start date, provenance, reference."""
    day = _date(date, "--date")
    params = _params()
    rows = [p for p in _policy_only(params, include_all) if p.starts[0] <= day]
    if institution:
        rows = [p for p in rows if p.name.split(".")[0] == institution]
        if not rows:
            known = sorted({p.name.split(".")[0] for p in params})
            _fail(f"--institution: unknown or empty {institution!r}; known: {', '.join(known)}")
    table = Table(title=f"Rules in force on {day.isoformat()} ({len(rows)})", show_lines=False)
    for col in ("parameter", "value", "unit", "since", "provenance", "reference"):
        table.add_column(col, overflow="fold", no_wrap=col in ("parameter", "since"))
    for p in rows:
        value, start, ref = _current(p, day)
        table.add_row(p.name, _fmt(value), p.unit, start.isoformat(), _provenance(p), ref)
    _console().print(table)


@app.command()
def diff(
    before: str = typer.Argument(..., help="Earlier day, YYYY-MM-DD."),
    after: str = typer.Argument(..., help="Later day, YYYY-MM-DD."),
    include_all: bool = ALL_OPTION,
) -> None:
    """What changed in the rules between two days."""
    d1, d2 = _date(before, "BEFORE"), _date(after, "AFTER")
    if d2 < d1:
        _fail(f"AFTER ({d2}) is earlier than BEFORE ({d1})")
    params = _params()
    table = Table(title=f"Rules changed between {d1.isoformat()} and {d2.isoformat()}")
    for col in ("parameter", "before", "after", "since", "mechanism", "reference"):
        table.add_column(col, overflow="fold", no_wrap=col in ("parameter", "since"))
    n = 0
    for p in _policy_only(params, include_all):
        v1, _, _ = _current(p, d1)
        v2, start, ref = _current(p, d2)
        if v2 is None or (v1 == v2 and (v1 is not None)):
            continue
        n += 1
        table.add_row(p.name, _fmt(v1), _fmt(v2), start.isoformat(), p.mechanism or "", ref)
    console = _console()
    if n == 0:
        console.print(f"No rule changed between {d1} and {d2}.")
        return
    console.print(table)


@app.command()
def graph(
    output: Path = typer.Option(..., "--output", "-o", help="Image file (.svg, .png, .pdf)."),
    date: str = typer.Option("2019-06-01", "--date", "-d", help="Transitions in force on this day."),
) -> None:
    """Draw the status-transition graph in force on a day, edges coloured by mechanism."""
    day = _date(date, "--date")
    if output.suffix.lower() not in (".svg", ".png", ".pdf"):
        _fail(f"--output: unsupported format {output.suffix or '(none)'!r}; use .svg, .png or .pdf")
    from sidedoor.institutions.transition_graph import draw_transition_graph

    path = draw_transition_graph(output, day, _params())
    _console().print(f"Transition graph for {day} written to {path}")


@app.command("check-reform")
def check_reform(
    file: Path = typer.Argument(..., help="Reform file (YAML), or the name of a shipped reform."),
) -> None:
    """Validate a reform file and summarise what it changes."""
    from sidedoor.institutions.reforms import (
        ReformError, list_reforms, load_named_reform, load_reform,
    )

    params = _params()
    try:
        if not file.exists() and str(file) in list_reforms():
            reform = load_named_reform(str(file), params)
        else:
            reform = load_reform(file, params)
    except ReformError as exc:
        _fail(str(exc))
    console = _console()
    console.print(f"[bold green]valid reform[/] {reform.name}: {reform.description}")
    console.print(f"tests: {reform.reference}", highlight=False)
    if not reform.changes:
        console.print("changes nothing")
        return
    table = Table()
    for col in ("parameter", "law before", "reform", "from", "until"):
        table.add_column(col, overflow="fold", no_wrap=col == "parameter")
    for c in reform.changes:
        old, _, _ = _current(params[c.parameter], c.start)
        table.add_row(c.parameter, _fmt(old), _fmt(c.value), c.start.isoformat(),
                      c.stop.isoformat() if c.stop else "-")
    console.print(table)


@app.command("list-reforms")
def list_reforms_cmd() -> None:
    """The reforms shipped with sidedoor."""
    from sidedoor.institutions.reforms import list_reforms, load_named_reform

    params = _params()
    table = Table(title="Shipped reforms")
    for col in ("name", "description", "tests"):
        table.add_column(col, overflow="fold", no_wrap=col == "name")
    for name in list_reforms():
        r = load_named_reform(name, params)
        table.add_row(name, r.description, r.reference)
    _console().print(table)
