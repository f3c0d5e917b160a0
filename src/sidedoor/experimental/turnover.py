"""How long overstayers stay: persons processed a year over the stock, and what moves it.

Why: every exit from the overstayer stock except death passes through deportation
procedures (detection, surrender to leave, surrender to ask for SPR), so with the stock right
the yearly count of persons processed says how fast overstayers leave, and therefore how many
must enter. The shipped fit processes 1.2-2 times the official count in 1998-2019 and three
times the official former visitors in 2019 (docs/calibration.md, "Turnover"). This check runs
the heaviest particles of a posterior under variants of the exit parameters and reports, per
run, the stock MAPE, the persons-processed MAPE, the turnover (processed / stock on the
year's first official date) in the official years, and the former visitors processed in 2019.

The official turnover is gross: the official count also holds illegal entrants and other
violators (overstayers were 77% of it in 2011, 88% in 2018), the model's holds overstayers
only.

Usage: ``python -m sidedoor.experimental.turnover [--top 8] [--scale 0.05] [--processes 2]
[--output FILE.csv]``. Each particle runs on seed ``seed + rank`` in every variant, so the
variants differ by their parameters, not their random numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd

from sidedoor.calibration.posterior import Posterior, check_current, load_posterior
from sidedoor.calibration.simulator import align
from sidedoor.experimental import map_runs

#: The exit variants: assumptions set for the whole run on top of each particle (empty: as fitted).
VARIANTS: dict[str, dict[str, float]] = {
    "as fitted": {},
    "no target-earner departure boost": {"behaviour.target_departure_multiplier": 1.0},
    "savings target doubled": {"behaviour.savings_target": 6_000_000.0},
}
#: Scaled variants: the particle's own value times a factor.
SCALED: dict[str, tuple[str, float]] = {
    "voluntary departure halved": ("behaviour.voluntary_departure_hazard", 0.5),
    "detection halved": ("behaviour.detection_hazard", 0.5),
}
YEARS = (1993, 1998, 2010, 2011, 2014, 2015, 2018, 2019)
#: The years whose turnover is reported (official stock and persons processed both known).
TURNOVER_YEARS = (1998, 2010, 2014, 2019)


@lru_cache(maxsize=1)
def official_points() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The official stock (every reference date to 2020) and persons processed in ``YEARS``;
    read once per process (every run compares with them). Callers must not modify them."""
    from sidedoor.data import observed

    stock = observed("overstayers")
    stock = stock[(stock["category"] == "total") & (stock["reference_date"] <= "2020-01-01")]
    processed = observed("deportations")
    processed = processed[processed["reference_date"].dt.year.isin(YEARS)]
    keys = ["series", "reference_date", "category", "value"]
    return stock[keys].reset_index(drop=True), processed[keys].reset_index(drop=True)


def turnover(stock: pd.Series, processed: pd.Series) -> pd.Series:
    """Processed in year y over the stock on the first reference date of year y, per year.

    ``stock`` and ``processed`` are indexed by reference date."""
    first = stock.groupby(stock.index.year).first()
    yearly = pd.Series(processed.to_numpy(), index=processed.index.year)
    return (yearly / first.reindex(yearly.index)).rename("turnover")


def parameters_for(values: dict[str, float], assumptions: dict[str, float]):
    """The shipped parameters with a particle's calibrated ``values`` and the variant's
    ``assumptions`` (constant over the whole run)."""
    from sidedoor.institutions.parameters import load_parameters

    params = load_parameters().with_values(values)
    for name, value in assumptions.items():
        params = params.override(name, value, dt.date(1980, 1, 1))
    return params


def score_run(values: dict[str, float], assumptions: dict[str, float], seed: int,
              scale: float) -> dict[str, float]:
    """One run to 2020-01: stock and processed MAPE (%), turnover by year, visitors processed 2019."""
    from sidedoor.engine import simulate

    stock, processed = official_points()
    out = simulate(parameters_for(values, assumptions), seed=seed, end="2020-01", scale=scale).outputs
    sim_stock = pd.Series(align(out, stock), index=stock["reference_date"])
    sim_processed = pd.Series(align(out, processed), index=processed["reference_date"])
    obs_stock = stock.set_index("reference_date")["value"]
    obs_processed = processed.set_index("reference_date")["value"]
    row = {"stock_mape": 100 * float(np.mean(np.abs(sim_stock / obs_stock - 1))),
           "processed_mape": 100 * float(np.mean(np.abs(sim_processed / obs_processed - 1)))}
    rate = turnover(sim_stock, sim_processed)
    row.update({f"turnover_{y}": float(rate[y]) for y in TURNOVER_YEARS})
    visitors = out[(out.series == "deportations_by_status") & (out.category == "temporary_visitor")
                   & (out.reference_date == pd.Timestamp("2019-12-31"))]["value"]
    row["visitors_processed_2019"] = float(visitors.sum())
    return row


def variant_values(values: dict[str, float], variant: str) -> tuple[dict[str, float], dict[str, float]]:
    """A particle's calibrated values and the assumptions one variant sets."""
    if variant in SCALED:
        name, factor = SCALED[variant]
        return {**values, name: values[name] * factor}, {}
    return values, VARIANTS[variant]


def _score(job: tuple[dict[str, float], dict[str, float], int, float]) -> dict[str, float]:
    return score_run(*job)


def turnover_scores(posterior: Posterior, *, top: int = 8, scale: float = 0.05, seed: int = 3000,
                    processes: int = 1) -> pd.DataFrame:
    """One row per (heaviest particle, variant): the scores of ``score_run``."""
    check_current(posterior)
    names = posterior.parameter_names
    order = np.argsort(-posterior.weights)[:top]
    variants = [*VARIANTS, *SCALED]
    jobs, labels = [], []
    for rank, i in enumerate(order):
        values = dict(zip(names, posterior.particles.loc[i, names].astype(float)))
        for variant in variants:
            jobs.append((*variant_values(values, variant), seed + rank, scale))
            labels.append({"particle": int(i), "weight": float(posterior.weights[i]), "variant": variant})
    results = map_runs(_score, jobs, processes)
    return pd.concat([pd.DataFrame(labels), pd.DataFrame(results)], axis=1)


def official_turnover() -> pd.Series:
    """The official gross turnover in the years of ``turnover_scores``' columns."""
    stock, processed = official_points()
    rate = turnover(stock.set_index("reference_date")["value"], processed.set_index("reference_date")["value"])
    return rate.reindex(list(TURNOVER_YEARS))


def describe(scores: pd.DataFrame) -> str:
    """Per variant: medians over the particles, and the official turnover beside them."""
    from sidedoor.data import observed

    columns = ["stock_mape", "processed_mape", *(f"turnover_{y}" for y in TURNOVER_YEARS),
               "visitors_processed_2019"]
    table = scores.groupby("variant", sort=False)[columns].median().round(3)
    official = official_turnover().round(3)
    by_status = observed("deportations_by_status")
    visitors = by_status.loc[by_status["category"].eq("temporary_visitor"), "value"].iloc[0]
    return (table.to_string() + "\nofficial turnover (gross): "
            + ", ".join(f"{y} {v}" for y, v in official.items())
            + f"; official former visitors processed 2019: {visitors:,.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posterior", default="default", help="shipped posterior name")
    parser.add_argument("--top", type=int, default=8, help="heaviest particles to run")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--output", help="CSV file for the per-run scores")
    args = parser.parse_args(argv)
    scores = turnover_scores(load_posterior(args.posterior), top=args.top, scale=args.scale,
                             seed=args.seed, processes=args.processes)
    if args.output:
        scores.to_csv(args.output, index=False)
    print(describe(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
