"""`sidedoor run`: the population engine from the command line, saved to the run store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer
from rich.console import Console


def _fail(console: Console, message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=2)


def _load_reform(spec: str | None, params):
    if not spec:
        return None
    from sidedoor.institutions.reforms import load_named_reform, load_reform

    if Path(spec).exists():
        return load_reform(spec, params)
    return load_named_reform(spec, params)


def register(app: typer.Typer) -> None:
    """Attach the engine's commands to the root app."""

    @app.command()
    def run(
        start: str = typer.Option("1990-01", help="First simulated month (YYYY-MM)."),
        end: str = typer.Option("2025-12", help="Last simulated month (YYYY-MM)."),
        scale: float = typer.Option(1.0, help="Share of persons simulated (0 < scale <= 1); counts are rescaled."),
        seed: int = typer.Option(1, help="Random seed (fixes every result)."),
        reform: str = typer.Option(None, help="Reform: a shipped name or a YAML file."),
        output: Path = typer.Option(None, "--output", "-o", help="Write outputs CSV (series, reference_date, category, value)."),
        store: Path = typer.Option(None, help="DuckDB run store (default $SIDEDOOR_STORE or ./.sidedoor/sidedoor.duckdb)."),
        event_sample: float = typer.Option(0.0, help="Share of persons whose transitions are logged (0-1)."),
    ) -> None:
        """Simulate 1990-2025 month by month and save the run to the store."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from sidedoor.engine import simulate
        from sidedoor.institutions.parameters import ParameterError, load_parameters
        from sidedoor.timeline import parse_month

        console = Console()
        try:
            start_d, end_d = parse_month(start), parse_month(end)
        except ValueError as exc:
            _fail(console, str(exc))
        if end_d < start_d:
            _fail(console, f"--end {end} is before --start {start}")
        if not 0 < scale <= 1:
            _fail(console, f"--scale must be in (0, 1], got {scale}")
        if not 0 <= event_sample <= 1:
            _fail(console, f"--event-sample must be in [0, 1], got {event_sample}")
        params = load_parameters()
        try:
            reform_obj = _load_reform(reform, params)
        except (ValueError, OSError, ParameterError) as exc:
            _fail(console, str(exc))
        with Progress(TextColumn("[bold]simulating"), BarColumn(), MofNCompleteColumn(), TextColumn("months"),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("run", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = simulate(params=params, reform=reform_obj, seed=seed, start=start_d, end=end_d,
                              scale=scale, event_sample=event_sample, progress=progress)
        console.print(f"simulated {result.meta['months']} months in {result.wall_seconds:.1f} s "
                      f"(peak {result.n_agents_peak:,} agents at scale {scale})")
        if output is not None:
            frame = result.outputs.copy()
            frame["reference_date"] = frame["reference_date"].dt.strftime("%Y-%m-%d")
            frame.to_csv(output, index=False)
            console.print(f"outputs written to {output}")
        _save(console, result, params, reform_obj, seed, scale, start_d, end_d, store)


def _save(console: Console, result, params, reform_obj, seed, scale, start_d, end_d, store_path) -> None:
    """Save the run to the DuckDB store (kind 'simulation'; calibrated parameters' values)."""
    try:
        from sidedoor.store import RunStore
    except ImportError:
        console.print("[yellow]run store not available (sidedoor.store missing): run not saved[/]")
        return
    effective = reform_obj.apply(params) if reform_obj is not None else params
    calibrated = {p.name: effective.value(p.name, end_d) for p in effective.calibrated() if p.starts[0] <= end_d}
    reform_doc = None
    if reform_obj is not None:
        reform_doc = {"name": reform_obj.name, "changes": [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dataclasses.asdict(c).items()}
            for c in reform_obj.changes]}
    store = RunStore(store_path) if store_path is not None else RunStore()
    run_id = store.save_run(kind="simulation", seed=seed, scale=scale, start_month=start_d, end_month=end_d,
                            parameters=calibrated, reform=reform_doc, outputs=result.outputs,
                            flows=result.flows, events=result.events, wall_seconds=result.wall_seconds,
                            n_agents_peak=result.n_agents_peak)
    console.print(f"saved run [bold]{run_id}[/] to {getattr(store, 'path', store_path)}")
