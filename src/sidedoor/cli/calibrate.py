"""`sidedoor calibrate`, `sidedoor predict`, `sidedoor validate`: Bayesian calibration.

pyABC and Dask are imported inside the commands only, so `sidedoor --help` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

PRESETS = {
    "default": {},
    "time_split": {"cutoff": "2012-12-31"},
    "cross_series": {"exclude_groups": ("table1_disappeared", "table1_interns")},
}


def register(app: typer.Typer) -> None:
    """Attach the calibration commands to the root app."""

    @app.command()
    def calibrate(
        preset: str = typer.Option("default", help="default | time_split (fit to 2012) | "
                                   "cross_series (fit without Table 1)."),
        population_size: int = typer.Option(40, help="Particles per generation."),
        generations: int = typer.Option(8, help="Maximum generations (in total, on --resume)."),
        min_epsilon: float = typer.Option(0.0, help="Stop once epsilon falls below this."),
        max_minutes: float = typer.Option(
            None, help="Start no new generation after this wall time (the running one finishes; resumable)."),
        scale: float = typer.Option(0.05, help="Engine scale during the fit."),
        seed: int = typer.Option(0),
        sampler: str = typer.Option("dynamic", help="dynamic | reproducible (static, seeded)."),
        batch_size: int = typer.Option(1, help="Simulations per Dask task (raise it only "
                                       "for runs much shorter than 0.1 s)."),
        distance: str = typer.Option("fixed", help="fixed | adaptive (see calibration.distance)."),
        stock_guard: float = typer.Option(
            0.0, help="Protect the overstayer stock: accept a particle only if the stock's mean "
            "log error is within epsilon / this factor too (fixed distance; see "
            "calibration.distance). 0: off."),
        proposal: str = typer.Option("population_t", help="population_t | kde (see "
                                     "calibration.proposal)."),
        kernel_scale: float = typer.Option(1.5, help="Proposal covariance as a multiple of "
                                           "the population's."),
        parameters: str = typer.Option(None, help="Comma-separated subset of calibrated "
                                       "parameters (others keep their shipped values)."),
        defensive_share: float = typer.Option(
            0.0, help="Share of proposals drawn from the prior (a defensive mixture: no "
            "importance weight above 1/share; see calibration.proposal). 0: off."),
        proposal_seed: str = typer.Option(
            None, help="Warm start: comma-separated shipped posteriors (e.g. time_split) "
            "pooled into the first fitted proposal. Weights stay prior/proposal, so the "
            "posterior targeted is unchanged (see calibration.proposal)."),
        workers: int = typer.Option(2, help="Local Dask worker processes."),
        scheduler: str = typer.Option(None, help="tcp://HOST:PORT of an existing scheduler."),
        store: Path = typer.Option(None, help="DuckDB store (default $SIDEDOOR_STORE or "
                                   ".sidedoor/sidedoor.duckdb)."),
        resume: str = typer.Option(None, help="Continue this stored calibration id."),
        fresh: bool = typer.Option(False, "--fresh", help="Start anew even if an interrupted "
                                   "calibration with these settings exists."),
        ship: str = typer.Option(None, help="Export the result as the shipped posterior NAME "
                                 "(with its predictive summary)."),
        predictive_draws: int = typer.Option(100, help="Draws for the shipped predictive."),
        predictive_scale: float = typer.Option(0.05, help="Scale of the shipped predictive."),
        fullscale_draws: int = typer.Option(0, help="Also ship a scale-1 predictive with "
                                            "this many draws (0: skip)."),
    ) -> None:
        """Calibrate the model to the official statistics with ABC-SMC (pyABC over Dask)."""
        from sidedoor.calibration.abc import CalibrationSettings
        from sidedoor.calibration.abc import calibrate as run_calibration
        from sidedoor.calibration.abc import resume as resume_calibration
        from sidedoor.calibration.cluster import dask_client

        console = Console(stderr=True)
        logging.basicConfig(level=logging.WARNING)
        if preset not in PRESETS:
            raise typer.BadParameter(f"preset must be one of {sorted(PRESETS)}")

        def show(gen) -> None:
            console.print(f"generation {int(gen.generation)}: epsilon {gen.epsilon:.4f}, "
                          f"{int(gen.n_simulations)} simulations, acceptance "
                          f"{gen.acceptance_rate:.2f}, ESS {gen.ess:.1f}, "
                          f"{gen.wall_seconds:.0f} s")

        try:
            settings = CalibrationSettings(
                label=preset, population_size=population_size, max_generations=generations,
                min_epsilon=min_epsilon, scale=scale, seed=seed, sampler=sampler,
                batch_size=batch_size, distance=distance, stock_guard=stock_guard, proposal=proposal,
                kernel_scale=kernel_scale,
                max_walltime_s=None if max_minutes is None else 60 * max_minutes,
                parameters=tuple(p.strip() for p in parameters.split(",")) if parameters else None,
                defensive_share=defensive_share,
                proposal_seed=tuple(p.strip() for p in proposal_seed.split(",")) if proposal_seed else (),
                **PRESETS[preset])
        except ValueError as err:  # the settings' checks: the prior share's and the guard's bounds
            hint = "--stock-guard" if "stock_guard" in str(err) else "--defensive-share"
            raise typer.BadParameter(str(err), param_hint=hint) from err
        if not resume and not fresh:
            resume = _interrupted_match(store, settings, console)
        with dask_client(scheduler, n_workers=workers) as client:
            if resume:
                result = resume_calibration(
                    resume, client=client, store=store, max_generations=generations,
                    max_walltime_s=settings.max_walltime_s, on_generation=show)
            else:
                result = run_calibration(settings, client=client, store=store,
                                         on_generation=show)
            console.print(f"[bold]{result.calibration_id}[/]: {result.status} "
                          f"({result.stop_reason}), {len(result.generations)} generations, "
                          f"{result.wall_seconds / 60:.1f} min")
            if ship:
                _ship(result, ship, client, predictive_draws, predictive_scale,
                      fullscale_draws, console)

    @app.command()
    def predict(
        draws: int = typer.Option(100, help="Posterior draws."),
        end: str = typer.Option("2025-12", help="Last simulated month."),
        seed: int = typer.Option(1),
        scale: float = typer.Option(0.1, help="Engine scale of the draws."),
        output: Path = typer.Option(None, help="CSV file (default: print to stdout)."),
        posterior: str = typer.Option("default", help="Shipped posterior name."),
        posterior_dir: Path = typer.Option(None, help="Folder of the posterior files."),
        workers: int = typer.Option(2),
        scheduler: str = typer.Option(None, help="tcp://HOST:PORT of an existing scheduler."),
    ) -> None:
        """Posterior predictive from the shipped posterior: median and 90% band per point."""
        from sidedoor.calibration.cluster import dask_client
        from sidedoor.calibration.posterior import SHIPPED_DIR, load_posterior
        from sidedoor.calibration.posterior import predict as run_predict

        post = load_posterior(posterior, posterior_dir or SHIPPED_DIR)
        with dask_client(scheduler, n_workers=workers) as client:
            frame = run_predict(draws=draws, end=end, seed=seed, scale=scale, posterior=post,
                                client=client)
        frame = frame.assign(reference_date=frame["reference_date"].dt.strftime("%Y-%m-%d"))
        if output is None:
            frame.to_csv(sys.stdout, index=False)
        else:
            frame.to_csv(output, index=False)
            Console(stderr=True).print(f"{len(frame)} rows written to {output}")

    @app.command()
    def validate(
        format: str = typer.Option("table", "--format", help="table | json."),
        figures: Path = typer.Option(None, help="Also write the figures to this folder."),
        posterior: str = typer.Option("default", help="Shipped posterior name."),
        posterior_dir: Path = typer.Option(None, help="Folder of the posterior files "
                                           "(default: the ones shipped in the package)."),
    ) -> None:
        """Observed vs posterior predictive: MAPE, 90%-band coverage, goals, splits."""
        from sidedoor.calibration.posterior import SHIPPED_DIR
        from sidedoor.calibration.validation import (validation_figures, validation_summary,
                                                     validation_table)

        folder = posterior_dir or SHIPPED_DIR
        summary = validation_summary(name=posterior, folder=folder)
        written = validation_figures(figures, name=posterior, folder=folder) if figures else []
        if format == "json":
            typer.echo(json.dumps(summary, indent=2, default=str))
            return
        if format != "table":
            raise typer.BadParameter("format must be table or json")
        _print_tables(summary, validation_table(summary), written)


#: Settings that must agree for an interrupted calibration to be continued automatically.
_SAME = ("population_size", "scale", "seed", "sampler", "distance", "cutoff", "exclude_groups",
         "parameters", "fixed_values", "eps_quantile", "proposal", "kernel_scale", "start",
         "proposal_seed", "defensive_share", "stock_guard")


def _interrupted_match(store, settings, console: Console) -> str | None:
    """Id of an interrupted calibration with the same settings, to continue it."""
    from sidedoor.calibration.abc import CalibrationSettings
    from sidedoor.calibration.records import interrupted

    rec = interrupted(store, settings.label)
    if rec is None:
        return None
    wanted = settings.to_dict()
    stored = CalibrationSettings.from_dict(rec["settings"]).to_dict()  # older records: defaults
    if any(stored.get(k) != wanted.get(k) for k in _SAME):
        console.print(f"[yellow]{rec['calibration_id']} ({rec['status']}) has other settings; "
                      "starting a new calibration[/]")
        return None
    console.print(f"continuing interrupted calibration {rec['calibration_id']} "
                  f"({rec['status']}, {rec['n_generations']} generations done; --fresh to "
                  "start over)")
    return rec["calibration_id"]


def _ship(result, name: str, client, draws: int, scale: float, fullscale_draws: int,
          console: Console) -> None:
    """Export the posterior and its predictive summaries into the package."""
    from sidedoor.calibration.posterior import (export_posterior, predict, save_predictive)

    post = export_posterior(result.store, result.calibration_id, name,
                            extra={"stop_reason": result.stop_reason})
    console.print(f"shipped posterior {name!r}: {post.meta['status']}")
    frame = predict(draws=draws, end="2025-12", seed=1, scale=scale, posterior=post,
                    client=client)
    console.print(f"  predictive: {save_predictive(frame, name, draws=draws, scale=scale, seed=1)}")
    if fullscale_draws:
        full = predict(draws=fullscale_draws, end="2025-12", seed=2, scale=1.0, posterior=post,
                       client=client)
        path = save_predictive(full, f"{name}_fullscale", draws=fullscale_draws, scale=1.0,
                               seed=2)
        console.print(f"  full-scale predictive: {path}")


def _print_tables(summary: dict, table, written: list[Path]) -> None:
    from sidedoor.calibration.validation import (describe_contraction, describe_epsilon, describe_weights,
                                                 format_measured)

    console = Console()
    post = summary["posterior"]
    console.print(f"[bold]Posterior[/]: {post.get('status')}, {post.get('generations_reached')} "
                  f"generations, {describe_epsilon(post)}, effective sample "
                  f"size {post.get('final_ess')}")
    for sentence in (describe_weights(post.get("weights")),
                     describe_contraction(post.get("contraction"))):
        if sentence:
            console.print(f"  {sentence}")
    sections = (("in sample (shipped posterior)", ""), ("at full scale (scale 1)", "full_scale_"),
                ("time split: fitted to 2012, scored 2013-2020", "time_split_"),
                ("cross series: fitted without Table 1", "cross_series_"),
                ("untargeted: official series never fitted", "untargeted_"))
    for title, prefix in sections:
        cols = [prefix + k for k in ("mape", "coverage90", "n_points")]
        rows = table.loc[table[cols[2]].notna(), ["series", *cols]]
        if rows.empty:
            console.print(f"[dim]{title}: not available[/]")
            continue
        t = Table(title=f"{title}: MAPE %, share inside the 90% band, points")
        for col, justify in zip(("series", "MAPE %", "in 90% band", "points"),
                                ("left", "right", "right", "right")):
            t.add_column(col, justify=justify, no_wrap=True)
        for r in rows.itertuples(index=False):
            t.add_row(str(r[0]), _fmt(r[1]), _fmt(r[2]), str(int(r[3])))
        console.print(t)
    g = Table(title="Goals")
    for col in ("goal", "target", "measured", "met"):
        g.add_column(col, overflow="fold")
    for row in summary["goals"]:
        g.add_row(row["goal"], row["target"], format_measured(row["measured"]) or "None",
                  {True: "yes", False: "NO", None: "unknown"}[row["met"]])
    console.print(g)
    for key, what in (("composition", "status at overstay"), ("composition_by_nationality", "nationality")):
        c = Table(title=f"Composition: overstayers by {what}, model median / official "
                        "(mean over the official dates on a log scale)")
        for col, justify in zip((what, "ratio", "MAPE %", "in 90% band", "points"),
                                ("left", "right", "right", "right", "right")):
            c.add_column(col, justify=justify, no_wrap=True)
        for category, r in (summary.get(key) or {}).items():
            c.add_row(category, _fmt(r["ratio"]), _fmt(r["mape"]), _fmt(r["coverage90"]), str(r["n_points"]))
        console.print(c)
    m = Table(title="What the model gets most wrong (largest log errors)")
    for col in ("series", "category", "date", "observed", "median", "ratio", "in band"):
        m.add_column(col)
    for r in summary["misfits"]:
        m.add_row(r["series"], r["category"], r["reference_date"], f"{r['observed']:,.0f}",
                  f"{r['median']:,.0f}", str(r["ratio"]), "yes" if r["inside90"] else "no")
    console.print(m)
    for path in written:
        console.print(f"figure: {path}")



def _fmt(value) -> str:
    return "" if value is None or value != value else f"{value:.3g}"
