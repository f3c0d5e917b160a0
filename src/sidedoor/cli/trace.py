"""`sidedoor trace ARCHETYPE`: n life courses of one of the paper's cases (or a custom person).

Options override the archetype's attributes (``--entry-date 2013-01`` moves Wei into the
post-2012 SPR regime); ``custom`` builds a person from ``--nationality``, ``--status`` and
``--entry-date``. User errors are one red line and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

EXIT_USAGE = 2


def _fail(console: Console, message: str) -> None:
    console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code=EXIT_USAGE)


def _person(console: Console, name: str, entry_date: str | None, changes: dict):
    """The archetype (or custom person) with the command line's changes."""
    from sidedoor import timeline
    from sidedoor.pathways.archetypes import ArchetypeError, archetype, custom, parse_nationality, parse_sector, \
        parse_status

    try:
        if changes.get("nationality") is not None:
            changes["nationality"] = parse_nationality(changes["nationality"])
        if changes.get("status") is not None:
            changes["status"] = parse_status(changes["status"])
        if changes.get("sector") is not None:
            changes["sector"] = parse_sector(changes["sector"])
        if name.strip().lower() == "custom":
            missing = [k for k in ("nationality", "status") if changes.get(k) is None]
            if missing or entry_date is None:
                _fail(console, "custom needs --nationality, --status and --entry-date")
            nat, status = changes.pop("nationality"), changes.pop("status")
            return custom(nat, status, timeline.parse_month(entry_date), **changes)
        return archetype(name).with_changes(**changes)
    except (ArchetypeError, ValueError) as exc:
        _fail(console, str(exc))


def _print(console: Console, result) -> None:
    console.print(f"\n[bold]{escape(result.name)}[/]: {escape(result.archetype.story)} ({result.archetype.section})")
    if not result.calibrated:
        console.print("[yellow]UNCALIBRATED:[/] prior centres of the calibrated parameters.")
    console.print(escape(result.summary()))
    seqs = Table(title="Most common status sequences")
    seqs.add_column("share", justify="right")
    seqs.add_column("sequence", overflow="fold")
    for row in result.sequences.head(6).itertuples():
        seqs.add_row(f"{row.share:.1%}", row.sequence)
    console.print(seqs)
    typical = Table(title="A typical path")
    for column in ("month", "status", "what happened [mechanism]"):
        typical.add_column(column, overflow="fold")
    for row in result.typical.itertuples():
        typical.add_row(f"{row.month:%Y-%m}", row.status, row.what)
    console.print(typical)
    t = result.time_to_loss
    if t["share_losing_status"] and result.archetype.status.label != "overstayer":
        console.print(f"months to losing legal status: q10 {t['q10']:.0f}, q25 {t['q25']:.0f}, median "
                      f"{t['q50']:.0f}, q75 {t['q75']:.0f}, q90 {t['q90']:.0f}")
    for line in result.assumptions:
        console.print(f"[dim]assumption: {escape(line)}[/]")


def register(app: typer.Typer) -> None:
    """Attach ``sidedoor trace`` to the root app."""

    @app.command("trace")
    def trace_command(
        archetype_name: Annotated[str, typer.Argument(metavar="ARCHETYPE",
                                                      help="Min, Fernand, Dat, Thanh, Meriam, Wei, Toumani or custom.")],
        entry_date: Annotated[str | None, typer.Option("--entry-date", help="Entry (or start) month, YYYY-MM.")] = None,
        reform: Annotated[str | None, typer.Option("--reform", help="A shipped reform name or a reform file.")] = None,
        n: Annotated[int, typer.Option("--n", min=1, help="Number of simulated life courses.")] = 1000,
        seed: Annotated[int, typer.Option("--seed", help="Seed (fixes every result).")] = 1,
        horizon: Annotated[str | None, typer.Option("--horizon", help="Last month, YYYY-MM (default: the "
                                                    "length of the archetype's story).")] = None,
        nationality: Annotated[str | None, typer.Option("--nationality", help="e.g. Vietnam, China.")] = None,
        status: Annotated[str | None, typer.Option("--status", help="Entry status, e.g. technical_intern.")] = None,
        sector: Annotated[str | None, typer.Option("--sector", help="e.g. construction, recycling.")] = None,
        debt: Annotated[float | None, typer.Option("--debt", help="Debt to intermediaries at entry (JPY).")] = None,
        married: Annotated[bool | None, typer.Option("--married/--no-married", help="Married to a Japanese "
                                                     "national.")] = None,
        child: Annotated[bool | None, typer.Option("--child/--no-child", help="Has a child with the partner.")] = None,
        criminal_record: Annotated[bool | None, typer.Option("--criminal-record/--no-criminal-record",
                                                             help="Has a criminal record.")] = None,
        tokyo: Annotated[bool | None, typer.Option("--tokyo/--no-tokyo", help="Lives in the Tokyo area.")] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Timeline figure (.png or .svg).")] = None,
    ) -> None:
        """Simulate n life courses of an archetype under the rules in force (or a reform)."""
        from sidedoor.engine.cohort import CohortError
        from sidedoor.pathways import trace
        from sidedoor.pathways.archetypes import ArchetypeError
        from sidedoor.scenarios import HorizonError, ReformError

        console = Console()
        if output is not None and output.suffix.lower() not in (".png", ".svg"):
            _fail(console, f"--output must end in .png or .svg, not {output.name!r}")
        changes = {"nationality": nationality, "status": status, "sector": sector, "debt_jpy": debt,
                   "married": married, "child": child, "criminal_record": criminal_record, "tokyo_area": tokyo}
        person = _person(console, archetype_name, entry_date, changes)
        with console.status(f"tracing {n} life courses of {person.name}..."):
            try:
                result = trace(person, entry_date=entry_date, reform=reform, n=n, seed=seed, horizon=horizon)
            except (ArchetypeError, CohortError, ReformError, HorizonError, ValueError) as exc:
                _fail(console, str(exc))
        _print(console, result)
        if output is not None:
            result.figure(output)
            console.print(f"timeline written to {output}")
