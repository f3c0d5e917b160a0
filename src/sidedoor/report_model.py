"""The model sections of the report (``make reproduce``): simulated against observed, the
scenario library's results and the paper's SPR cases as pathways.

``model_sections(output_dir, console)`` runs the model once at ``REPORT_SETTINGS`` (chosen so
that the whole report stays well under ten minutes on two cores), writes PNG/SVG/CSV files and
an HTML fragment per section (``model_<anchor>.html``, self-contained: images are base64), and
returns ``sidedoor.report.Section`` objects for ``report.write_report`` to append. Every
section states its settings, how long it took and where its parameters came from: without a
shipped posterior the simulated bands are *uncalibrated* draws (prior centres; simulation noise
only) and say so.
"""

from __future__ import annotations

import base64
import html
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from rich.console import Console  # noqa: E402

KEYS = ["series", "reference_date", "category"]
TABLE1_ROWS = {"Total": ("technical_interns", "total"), "Vietnamese": ("technical_interns", "Vietnam"),
               "Disappeared": ("interns_disappeared", "total")}
TABLE1_YEARS = range(2015, 2020)


@dataclass(frozen=True)
class ReportSettings:
    """Model settings of the report (stated in it)."""

    draws: int = 8  # parameter draws (each: one baseline run, one run per scenario); 3 gave min-max "bands"
    scale: float = 0.02  # share of persons simulated
    seed: int = 1
    end: str = "2025-12"
    trace_n: int = 1000  # life courses per pathway
    workers: int = 2  # engine processes (results do not depend on it)


REPORT_SETTINGS = ReportSettings()


def _esc(value: object) -> str:
    return html.escape(str(value))


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{_esc(alt)}" src="data:image/png;base64,{data}">'


def _save(fig, output_dir: Path, stem: str, written: list[Path]) -> Path:
    png, svg = output_dir / f"{stem}.png", output_dir / f"{stem}.svg"
    fig.savefig(png, dpi=120)
    fig.savefig(svg)
    plt.close(fig)
    written += [png, svg]
    return png


def _band(median: float, q05: float, q95: float) -> str:
    return f"{median:,.0f} [{q05:,.0f} to {q95:,.0f}]"


def _signed_band(cell: dict | None) -> str:
    if cell is None:
        return "-"
    return f"{cell['difference']:+,.0f} [{cell['q05']:+,.0f} to {cell['q95']:+,.0f}]"


# --- simulated summaries --------------------------------------------------------------------

def simulated_summary(settings: ReportSettings) -> tuple[pd.DataFrame, str]:
    """(median, q05, q95 per output key, label): shipped posterior-predictive, else uncalibrated draws."""
    try:
        from sidedoor.calibration.posterior import load_posterior, load_predictive

        frame = load_predictive()
        meta = load_posterior().meta
        return frame, (f"posterior predictive of the shipped posterior ({meta.get('status', 'status unknown')}; "
                       f"{int(frame['draws'].iloc[0]) if 'draws' in frame else '?'} draws)")
    except (FileNotFoundError, ImportError):
        pass
    from sidedoor.scenarios.run import baseline_draws

    long = baseline_draws(draws=settings.draws, seed=settings.seed, scale=settings.scale, end=settings.end,
                          workers=settings.workers)
    grouped = long.groupby(KEYS)["value"]
    summary = pd.DataFrame({"median": grouped.median(), "q05": grouped.quantile(0.05),
                            "q95": grouped.quantile(0.95)}).reset_index()
    return summary, (f"UNCALIBRATED: {settings.draws} runs at the priors' central values (no shipped posterior); "
                     "bands show simulation noise only")


def _pick(frame: pd.DataFrame, series: str, category: str = "total") -> pd.DataFrame:
    rows = frame[(frame["series"] == series) & (frame["category"] == category)].copy()
    rows["reference_date"] = pd.to_datetime(rows["reference_date"])
    return rows.sort_values("reference_date")


def _obs_sim(ax, series: str, sim: pd.DataFrame, title: str, ylabel: str, category: str = "total") -> None:
    from sidedoor.data import observed

    s = _pick(sim, series, category)
    ax.fill_between(s["reference_date"], s["q05"], s["q95"], color="tab:blue", alpha=0.25, lw=0,
                    label="simulated 90% band")
    ax.plot(s["reference_date"], s["median"], color="tab:blue", lw=1.6, label="simulated median")
    o = _pick(observed(series), series, category)
    ax.plot(o["reference_date"], o["value"], "o-", color="black", ms=3, lw=0.8, label="observed")
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


# --- sections -------------------------------------------------------------------------------

def figure1_section(output_dir: Path, sim: pd.DataFrame, label: str, written: list[Path]):
    fig, ax = plt.subplots(figsize=(10, 5))
    _obs_sim(ax, "overstayers", sim, "Overstayers in Japan: observed and simulated (Figure 1)", "persons")
    fig.text(0.01, 0.01, f"Simulated: {label}.", fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    png = _save(fig, output_dir, "model_figure1_overstayers", written)
    return _img(png, "Observed and simulated overstayers") + f"<p>Simulated: {_esc(label)}.</p>"


def table1_section(output_dir: Path, sim: pd.DataFrame, label: str, written: list[Path]):
    from sidedoor.data import observed

    records = []
    for row, (series, category) in TABLE1_ROWS.items():
        obs = _pick(observed(series), series, category).set_index("reference_date")["value"]
        s = _pick(sim, series, category).set_index("reference_date")
        for year in TABLE1_YEARS:
            date = pd.Timestamp(year, 12, 31)
            records.append({"row": row, "year": year, "observed": obs.get(date, np.nan),
                            "simulated_median": s["median"].get(date, np.nan), "simulated_q05": s["q05"].get(date, np.nan),
                            "simulated_q95": s["q95"].get(date, np.nan)})
    long = pd.DataFrame(records)
    long.to_csv(output_dir / "model_table1_observed_simulated.csv", index=False, float_format="%.6g")
    written.append(output_dir / "model_table1_observed_simulated.csv")
    shown = long.assign(cell=[f"{o:,.0f} / {_band(m, a, b)}" if not np.isnan(m) else f"{o:,.0f} / -"
                              for o, m, a, b in zip(long["observed"], long["simulated_median"],
                                                    long["simulated_q05"], long["simulated_q95"])])
    wide = shown.pivot(index="row", columns="year", values="cell").reindex(list(TABLE1_ROWS)).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    return (_table(wide) + "<p>Each cell: observed / simulated median [90% band]. Interns at year end, "
            f"disappearances per calendar year. Simulated: {_esc(label)}.</p>")


def asylum_spr_section(output_dir: Path, sim: pd.DataFrame, label: str, written: list[Path]):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    _obs_sim(axes[0], "asylum_applications", sim, "Asylum applications per year (§5.1)", "applications")
    _obs_sim(axes[1], "spr_granted", sim, "Special permission for residence granted per year (§5.2)", "grants")
    fig.text(0.01, 0.01, f"Simulated: {label}.", fontsize=7)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    png = _save(fig, output_dir, "model_asylum_spr", written)
    return (_img(png, "Asylum applications and SPR grants") + "<p>The paper's targets: 19,628 applications in "
            "2017, 10,493 in 2018, 10,375 in 2019; more than 10,000 SPR grants a year 2003-2005, 1,371 in 2018. "
            f"Simulated: {_esc(label)}.</p>")


def scenarios_section(output_dir: Path, results: list, written: list[Path]):
    from sidedoor.scenarios.plot import compare_figure

    rows = []
    for r in results:
        h = r.headline
        flow = h["flow"]
        rows.append({"scenario": r.name, "paper": r.info.reference.split(":")[0],
                     "Δ overstayers 2020-01-01 [90% band]": _signed_band(h["stock_2020"]),
                     "key flow": f"{flow['series']} {flow['date'][:4]}" if flow else "-",
                     "Δ key flow [90% band]": _signed_band(flow), "reading": r.reading})
    frame = pd.DataFrame(rows)
    frame.to_csv(output_dir / "model_scenario_library.csv", index=False)
    for r in results:
        r.to_csv(output_dir / "scenarios" / f"{r.name}.csv")
        written.append(output_dir / "scenarios" / f"{r.name}.csv")
    written.append(output_dir / "model_scenario_library.csv")
    png = compare_figure(results, output_dir / "model_scenarios_stock.png")
    svg = compare_figure(results, output_dir / "model_scenarios_stock.svg")
    written += [png, svg]
    return (_table(frame) + _img(png, "Scenario differences in the overstayer stock")
            + "<p>Differences are reform minus baseline with common random numbers (same parameter draw and "
            "seed in both runs); the band is the 5-95% range of the per-draw differences. Each scenario's "
            "table: <code>scenarios/NAME.csv</code>.</p>")


def pathways_section(output_dir: Path, settings: ReportSettings, written: list[Path]):
    from sidedoor.pathways import ARCHETYPES, ENDS, trace
    from sidedoor.pathways.figure import compare_timelines

    wei = trace("Wei", entry_date="2003-01", n=settings.trace_n, seed=settings.seed)
    toumani = trace("Toumani", entry_date="2013-01", n=settings.trace_n, seed=settings.seed)
    png = compare_timelines([wei, toumani], output_dir / "model_pathways_wei_toumani.png")
    svg = compare_timelines([wei, toumani], output_dir / "model_pathways_wei_toumani.svg")
    written += [png, svg]
    others = [trace(name, n=settings.trace_n, seed=settings.seed) for name in ARCHETYPES if name not in ("Wei", "Toumani")]
    rows = []
    for res in [wei, toumani, *others]:
        t = res.time_to_loss
        rows.append({"pathway": res.name, "story (paper)": f"{res.archetype.story} ({res.archetype.section})",
                     **{e: f"{res.outcomes[e]:.1%}" for e in ENDS},
                     "median months to losing status": "already unauthorized" if res.archetype.status.label ==
                     "overstayer" else (f"{t['q50']:.0f}" if t["share_losing_status"] else "-"),
                     "most common sequence": f"{res.sequences['sequence'].iloc[0]} ({res.sequences['share'].iloc[0]:.0%})"})
    frame = pd.DataFrame(rows)
    frame.to_csv(output_dir / "model_pathways.csv", index=False)
    written.append(output_dir / "model_pathways.csv")
    verdict = ("higher" if wei.outcomes["spr_regularized"] > toumani.outcomes["spr_regularized"] else "NOT higher")
    return (f"<p>Probability of special permission within six years: Wei (2003 regime) "
            f"{wei.outcomes['spr_regularized']:.1%}, Toumani (post-2012 regime) "
            f"{toumani.outcomes['spr_regularized']:.1%}: {verdict} for Wei despite her criminal record, as §5.2 "
            f"argues. {settings.trace_n} life courses each; parameters: {_esc(wei.source_label)}.</p>"
            + _img(png, "Wei 2003 and Toumani 2013") + _table(frame))


def validation_section(output_dir: Path, written: list[Path]) -> str:
    """The shipped calibration against the official series (from the shipped predictive; no runs)."""
    from sidedoor.calibration.validation import (describe_contraction, describe_epsilon, describe_weights,
                                                   format_measured, validation_summary, validation_table)

    summary = validation_summary()
    table = validation_table(summary).round(3)
    path = output_dir / "model_validation.csv"
    table.to_csv(path, index=False)
    written.append(path)
    goals = pd.DataFrame([{"goal": g["goal"], "target": g["target"], "measured": format_measured(g["measured"]),
                           "met": {True: "yes", False: "no", None: "unknown"}[g["met"]]}
                          for g in summary["goals"]])
    post = summary["posterior"]
    return (f"<p>Posterior: {_esc(post.get('status'))}, {_esc(describe_epsilon(post))}, "
            f"effective sample size {_esc(post.get('final_ess'))}. {_esc(describe_weights(post.get('weights')))} "
            f"{_esc(describe_contraction(post.get('contraction')))} "
            "Per series: MAPE (%) of the posterior-predictive median, share of observed points inside the "
            "90% band and points, in sample, at scale 1, fitted to 2012 and scored 2013-2020 (time split), "
            "fitted without Table 1 (cross series), and against official series the fit never saw "
            "(untargeted: deportation procedures by last status in 2019, departure orders, "
            "overstayers by sex, "
            "disappeared interns 2011-2014 and by nationality).</p>" + _table(table.astype(object).where(table.notna(), ""))
            + "<h3>Goals</h3>" + _table(goals))


def model_sections(output_dir: Path, console: Console | None = None,
                   settings: ReportSettings = REPORT_SETTINGS, written: list[Path] | None = None) -> list:
    """Run the model at ``settings``, write the files and return the report sections
    (``sidedoor.report.Section``); the paths written are appended to ``written`` if given."""
    from sidedoor.report import Section
    from sidedoor.scenarios import list_scenarios, run_scenarios

    output_dir = Path(output_dir)
    (output_dir / "scenarios").mkdir(parents=True, exist_ok=True)
    written = written if written is not None else []
    log = (lambda m: console.print(m, highlight=False)) if console is not None else (lambda m: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    names = [info.name for info in list_scenarios(include_null=False)]
    log(f"model: {len(names)} scenarios x {settings.draws} draws at scale {settings.scale:g} "
        f"({settings.workers} workers)...")
    results = run_scenarios(names, draws=settings.draws, seed=settings.seed, scale=settings.scale,
                            end=settings.end, store=False, workers=settings.workers)
    timings["baseline and scenario runs"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    sim, label = simulated_summary(settings)  # reuses the cached baselines
    bodies = {
        "model-figure1": ("Model: Figure 1, observed and simulated", figure1_section(output_dir, sim, label, written)),
        "model-table1": ("Model: Table 1, observed and simulated", table1_section(output_dir, sim, label, written)),
        "model-asylum-spr": ("Model: asylum applications and SPR grants",
                             asylum_spr_section(output_dir, sim, label, written)),
        "model-scenarios": ("Model: the scenario library", scenarios_section(output_dir, results, written)),
        "model-validation": ("Model: validation against the official series", validation_section(output_dir, written)),
    }
    timings["figures and tables"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    log("model: pathways (Wei 2003, Toumani 2013 and the other archetypes)...")
    bodies["model-pathways"] = ("Model: pathways, Wei 2003 and Toumani 2013",
                                pathways_section(output_dir, settings, written))
    timings["pathways"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    settings_html = (f"<p>Model settings: {_esc(asdict(settings))}. Parameters: {_esc(label)}. Time taken: "
                     + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + ".</p>")
    sections = []
    for anchor, (title, body) in bodies.items():
        fragment = body + settings_html
        path = output_dir / f"{anchor.replace('-', '_')}.html"
        path.write_text(fragment + "\n", encoding="utf-8")
        written.append(path)
        sections.append(Section(anchor, title, fragment))
    log(f"model sections: {timings['total']:.0f} s ({', '.join(f'{k} {v:.0f} s' for k, v in timings.items())})")
    return sections
