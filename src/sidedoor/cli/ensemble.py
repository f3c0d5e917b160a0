"""`sidedoor ensemble` and `sidedoor sensitivity`: many runs on Dask, resumable, stored once.

Every user error (bad month, scale, reform file, output key, unknown ensemble id, locked store)
is one line and exit code 2 or 1, never a traceback, and is caught before anything is written.
An interrupted session (Ctrl-C, a lost client) prints the ``--resume`` line that continues it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

EXIT_USAGE, EXIT_FAILURE, EXIT_INTERRUPTED = 2, 1, 130
DEFAULT_SCALE = 0.1

StoreOpt = Annotated[Path | None, typer.Option(
    "--store", metavar="FILE",
    help="Run store (default $SIDEDOOR_STORE or ./.sidedoor/sidedoor.duckdb).")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", metavar="tcp://HOST:PORT",
    help="Use this Dask scheduler instead of a local cluster.")]
WorkersOpt = Annotated[int, typer.Option(
    "--workers", min=1, max=256, help="Local worker processes (ignored with --scheduler).")]
ResumeOpt = Annotated[str | None, typer.Option(
    "--resume", metavar="ENSEMBLE_ID",
    help="Continue a stored ensemble: compute only its missing members.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Master seed: member i uses SeedSequence([seed, i]).")]
ScaleOpt = Annotated[float, typer.Option("--scale", help="Share of persons simulated (0 < scale <= 1).")]
StartOpt = Annotated[str, typer.Option("--start", help="First simulated month (YYYY-MM).")]
EndOpt = Annotated[str, typer.Option("--end", help="Last simulated month (YYYY-MM).")]
ReformOpt = Annotated[str | None, typer.Option(
    "--reform", metavar="NAME_OR_FILE", help="A shipped reform name or a reform YAML file.")]
DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Validate and show the plan; write and run nothing.")]

RunsOpt = Annotated[int, typer.Option("--runs", min=1, max=10_000_000, help="Number of members.")]
DrawsOpt = Annotated[str, typer.Option(
    "--draws-from", help="Parameter draws: prior or posterior (the priors' centres, labelled "
    "uncalibrated, when no posterior is shipped).")]
ListOpt = Annotated[bool, typer.Option("--list", help="List stored ensembles and exit.")]
MethodOpt = Annotated[str, typer.Option(
    "--method", help="sobol (first and total order) or morris (screening).")]
SampleOpt = Annotated[int, typer.Option(
    "--n", min=1, max=1_000_000, help="Sobol base sample (a power of two) or Morris trajectories.")]
ParameterOpt = Annotated[list[str] | None, typer.Option(
    "--parameter", help="Calibrated parameter to vary (repeat; default all).")]
OutputOpt = Annotated[list[str] | None, typer.Option(
    "--output", help="Output series:YYYY-MM-DD[:category] (repeat).")]
KeepAllOpt = Annotated[bool, typer.Option(
    "--keep-all-outputs", help="Store every output row of every member (default: the chosen "
    "outputs only).")]
CrnOpt = Annotated[bool, typer.Option(
    "--crn/--no-crn", help="Common random numbers: one engine seed for every member.")]


class UsageError(Exception):
    """A user error found before anything is written (exit 2)."""


def _err() -> Console:
    return Console(stderr=True)


@contextmanager
def _reported(ensemble_id: list[str]) -> Iterator[None]:
    """Turn every expected failure into one line and an exit code (no traceback)."""
    from sidedoor.ensemble import EnsembleNotFoundError, EnsembleRunError, VersionMismatchError
    from sidedoor.institutions.parameters import ParameterError
    from sidedoor.institutions.reforms import ReformError
    from sidedoor.store import StoreError

    hint = f"; continue with --resume {ensemble_id[0]}" if ensemble_id else ""
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        _err().print(f"[yellow]interrupted[/]: finished members are stored{escape(hint)}")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (UsageError, ReformError, ParameterError, EnsembleNotFoundError) as exc:
        _err().print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    except (EnsembleRunError, VersionMismatchError, StoreError, OSError) as exc:
        _err().print(f"[red]error:[/] {escape(str(exc))}{escape(hint)}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILURE) from None


def _period(start: str, end: str) -> tuple[dt.date, dt.date]:
    from sidedoor.timeline import parse_month

    try:
        start_d, end_d = parse_month(start), parse_month(end)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if end_d < start_d:
        raise UsageError(f"--end {end} is before --start {start}")
    if start_d.year < 1990:
        raise UsageError(f"--start {start}: the model starts in 1990-01 at the earliest")
    return start_d, end_d


def _check_scale(scale: float) -> None:
    if not 0 < scale <= 1:
        raise UsageError(f"--scale must be in (0, 1], got {scale}")


def _reform(spec: str | None, params: Any) -> dict[str, Any] | None:
    """Validate the reform here, in the client, so workers never see a bad one."""
    if not spec:
        return None
    from sidedoor.ensemble import reform_document
    from sidedoor.institutions.parameters import ParameterError
    from sidedoor.institutions.reforms import ReformError, load_named_reform, load_reform

    try:
        if Path(spec).exists():
            reform = load_reform(spec, params)
        else:
            reform = load_named_reform(spec, params)
        reform.apply(params)  # a change that cannot apply fails now, not on every worker
    except (ReformError, ParameterError):
        raise
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        # What the reform loader lets through (undecodable bytes, impossible YAML dates,
        # a !!timestamp tag on text, deep nesting, huge integers) is still the file's
        # fault: say so, without a traceback. Reported to the loader's owner.
        raise UsageError(f"{spec}: invalid reform file ({type(exc).__name__}: {exc})") from None
    return reform_document(reform)


def _store(path: Path | None) -> Any:
    from sidedoor.store import RunStore

    return RunStore(path) if path is not None else RunStore()


def _run(store: Any, ensemble_id: str, scheduler: str | None, workers: int, console: Console) -> Any:
    """Dispatch the missing members with a progress bar; return the session's outcome."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from sidedoor.ensemble import open_client, run_members

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(f"runs of {ensemble_id}", total=None, rate="")
        start_done: list[int] = []

        def progress(done: int, total: int, stats: Any) -> None:
            start_done[:1] = start_done[:1] or [done]
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = 60 * (done - start_done[0]) / elapsed if elapsed > 0 else 0.0
            lost = f", {stats.resubmitted} resubmitted" if stats.resubmitted else ""
            bar.update(task, completed=done, total=total, rate=f"{rate:.1f} runs/min{lost}")

        with open_client(scheduler, workers) as client:
            return run_members(store, ensemble_id, client, progress=progress)


def _list(store: Any, console: Console) -> None:
    from sidedoor.ensemble import EnsembleStore

    frame = EnsembleStore(store).list_ensembles()
    table = Table("kind", "created (UTC)", "finished", "seed", "scale", "draws")
    table.columns.insert(0, Column("ensemble", no_wrap=True))
    for row in frame.itertuples():
        table.add_row(row.ensemble_id, row.kind, f"{row.created_at:%Y-%m-%d %H:%M}",
                      f"{row.finished}/{row.n_runs}", str(row.master_seed), f"{row.scale:g}",
                      escape(str(row.label or row.draws_from)))
    console.print(table if len(frame) else "no ensembles stored")


def _print_summary(store: Any, ensemble_id: str, spec: Any, console: Console) -> None:
    from sidedoor.ensemble import ensemble_summary
    from sidedoor.ensemble.sensitivity import DEFAULT_OUTPUTS, OutputKey, check_outputs
    from sidedoor.timeline import overstayer_reference_dates

    keys = []
    for text in DEFAULT_OUTPUTS:
        key = OutputKey.parse(text)
        try:
            check_outputs([key], spec.start, spec.end)
        except ValueError:
            continue
        keys.append(key)
    last = [d for d in overstayer_reference_dates(spec.start.year, spec.end.year + 1)
            if spec.start <= d <= spec.end]
    if last and all(k.series != "overstayers" or k.date != last[-1] for k in keys):
        keys.append(OutputKey("overstayers", last[-1]))  # the stock at the period's end
    summary = ensemble_summary(store, ensemble_id, keys)
    table = Table("output", "median", "5%", "95%", title=f"{spec.n_runs} members: {spec.label}")
    for row in summary.itertuples():
        table.add_row(row.output, f"{row.median:,.0f}", f"{row.q05:,.0f}", f"{row.q95:,.0f}")
    if len(summary):
        console.print(table)


def _print_indices(indices: Any, method: str, console: Console) -> None:
    rank = "st" if method == "sobol" else "mu_star"
    for output, group in indices.groupby("output", sort=False):
        group = group.sort_values(rank, ascending=False).head(10)
        if method == "sobol":
            table = Table("parameter", "S1", "±", "ST", "±", title=output)
            for r in group.itertuples():
                table.add_row(r.parameter, f"{r.s1:.3f}", f"{r.s1_conf:.3f}", f"{r.st:.3f}",
                              f"{r.st_conf:.3f}")
        else:
            table = Table("parameter", "mu*", "±", "sigma", title=output)
            for r in group.itertuples():
                table.add_row(r.parameter, f"{r.mu_star:,.1f}", f"{r.mu_star_conf:,.1f}", f"{r.sigma:,.1f}")
        console.print(table)


def _print_dry_run(spec: Any, console: Console) -> None:
    """What the plan would be; nothing is written, nothing is run."""
    n = spec.n_runs
    if spec.kind == "sensitivity":
        from sidedoor.ensemble.sensitivity import runs_needed

        settings = spec.settings
        n = runs_needed(settings["method"], settings["n"], len(settings["parameters"]))
    reform = spec.reform["name"] if spec.reform else "none"
    console.print(f"dry run: {spec.kind} of {n} members, seed {spec.master_seed}, scale "
                  f"{spec.scale:g}, {spec.start:%Y-%m}..{spec.end:%Y-%m}, reform {escape(reform)}; "
                  "nothing written")


def _session(kind: str, build_spec: Any, resume: str | None, store_path: Path | None,
             scheduler: str | None, workers: int, dry_run: bool = False) -> None:
    """Plan (or reload) an ensemble, run its missing members, then summarise it."""
    from sidedoor.ensemble import finish_sensitivity, start
    from sidedoor.ensemble.collect import EnsembleStore

    console = Console()
    ensemble_id: list[str] = []
    with _reported(ensemble_id):
        if scheduler and not scheduler.startswith(("tcp://", "tls://")):
            raise UsageError(f"--scheduler {scheduler!r}: expected tcp://HOST:PORT")
        if resume:
            store = _store(store_path)
            spec, _ = EnsembleStore(store).load_spec(resume)
            if spec.kind != kind:
                raise UsageError(f"{resume} is a {spec.kind}, resume it with `sidedoor {spec.kind}`")
            ensemble_id.append(resume)
            console.print(f"resuming {resume}: its stored plan fixes the seed, members, scale, "
                          "period and reform")
        else:
            spec = build_spec()
            if dry_run:
                _print_dry_run(spec, console)
                return
            store = _store(store_path)
            try:
                ensemble_id.append(start(store, spec))
            except ValueError as exc:  # ReformError and ParameterError included
                raise UsageError(str(exc)) from None
            planned, _ = EnsembleStore(store).load_spec(ensemble_id[0])
            console.print(f"planned {kind} [bold]{ensemble_id[0]}[/]: {planned.n_runs} members "
                          f"(continue an interrupted one with --resume {ensemble_id[0]})")
        outcome = _run(store, ensemble_id[0], scheduler, workers, console)
        console.print(f"{outcome.computed} members computed, {outcome.already_stored} already "
                      f"stored, {outcome.stats.resubmitted} resubmitted after worker loss; "
                      f"store {store.path}")
        if kind == "sensitivity":
            _print_indices(finish_sensitivity(store, ensemble_id[0]),
                           outcome.spec.settings["method"], console)
        else:
            _print_summary(store, ensemble_id[0], outcome.spec, console)


def register(app: typer.Typer) -> None:
    """Attach ``ensemble`` and ``sensitivity`` to the root app."""

    @app.command()
    def ensemble(
        runs: RunsOpt = 20,
        seed: SeedOpt = 1, scale: ScaleOpt = DEFAULT_SCALE, start: StartOpt = "1990-01",
        end: EndOpt = "2025-12", reform: ReformOpt = None,
        draws_from: DrawsOpt = "posterior",
        scheduler: SchedulerOpt = None, workers: WorkersOpt = 2, resume: ResumeOpt = None,
        store: StoreOpt = None, dry_run: DryRunOpt = False,
        list_: ListOpt = False,
    ) -> None:
        """Run many seeded members (parameter draws x engine seeds) on Dask and store each once."""
        if list_:
            with _reported([]):
                _list(_store(store), Console())
            return

        def build() -> Any:
            from sidedoor.ensemble import EnsembleSpec
            from sidedoor.institutions.parameters import load_parameters

            if draws_from not in ("prior", "posterior"):
                raise UsageError(f"--draws-from must be prior or posterior, got {draws_from!r}")
            _check_scale(scale)
            start_d, end_d = _period(start, end)
            doc = _reform(reform, load_parameters())
            return EnsembleSpec(kind="ensemble", master_seed=seed, n_runs=runs, scale=scale,
                                start=start_d, end=end_d, draws_from=draws_from, reform=doc)

        _session("ensemble", build, resume, store, scheduler, workers, dry_run)

    @app.command()
    def sensitivity(
        method: MethodOpt = "morris", n: SampleOpt = 4,
        seed: SeedOpt = 1, scale: ScaleOpt = DEFAULT_SCALE, start: StartOpt = "1990-01",
        end: EndOpt = "2025-12", reform: ReformOpt = None,
        parameter: ParameterOpt = None, output: OutputOpt = None, keep_all: KeepAllOpt = False,
        crn: CrnOpt = True,
        scheduler: SchedulerOpt = None, workers: WorkersOpt = 2, resume: ResumeOpt = None,
        store: StoreOpt = None, dry_run: DryRunOpt = False,
    ) -> None:
        """Sobol indices or Morris screening of chosen outputs over the calibrated priors."""

        def build() -> Any:
            from sidedoor.ensemble import EnsembleSpec
            from sidedoor.ensemble.plan import calibrated_specs
            from sidedoor.ensemble.sensitivity import (
                DEFAULT_OUTPUTS,
                METHODS,
                OutputKey,
                check_outputs,
                unit_sample,
            )
            from sidedoor.institutions.parameters import load_parameters

            if method not in METHODS:
                raise UsageError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
            _check_scale(scale)
            start_d, end_d = _period(start, end)
            params = load_parameters()
            try:
                keys = [OutputKey.parse(k) for k in (output or DEFAULT_OUTPUTS)]
                check_outputs(keys, start_d, end_d)
                names = [s.name for s in calibrated_specs(params, parameter or None)]
                unit_sample(method, names, n, seed)  # fail on a bad --n before planning
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            doc = _reform(reform, params)
            settings = {"method": method, "n": n, "parameters": names, "crn": crn,
                        "outputs": [str(k) for k in keys]}
            return EnsembleSpec(kind="sensitivity", master_seed=seed, n_runs=0, scale=scale,
                                start=start_d, end=end_d, draws_from="prior", reform=doc,
                                label=f"{method} sensitivity over the priors", settings=settings,
                                keep=None if keep_all else [str(k) for k in keys])

        _session("sensitivity", build, resume, store, scheduler, workers, dry_run)
