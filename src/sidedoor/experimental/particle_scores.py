"""Each particle of a posterior run once on its own fresh seed: the accepted population, unweighted.

Why: the posterior-predictive median follows ABC-SMC's importance weights, and in the shipped
fits a few particles carry most of them (``sidedoor validate``, JSON ``posterior.weights``).
Two fits of one model can therefore differ mainly by which particle drew the heavy weight,
and a model variant compared by one fit each is ranked by that luck. Scoring every accepted
particle on a fresh seed, without weights, compares what the fits accepted instead
(docs/calibration.md, "Convergence, honestly", where this is the per-particle comparison).

Usage: ``python -m sidedoor.experimental.particle_scores [--posterior default] [--scale 0.05]
[--processes 2] [--output FILE.csv]``. Particle ``i`` (its row in the posterior file) runs on
seed ``first_seed + i``, so the scores are reproducible whatever the number of processes.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from sidedoor import timeline
from sidedoor.calibration.posterior import Posterior, check_current, load_posterior
from sidedoor.calibration.simulator import align
from sidedoor.calibration.targets import load_targets
from sidedoor.experimental import map_runs

#: Reference dates from this year on are the "late" window of ``late_bias`` (the post-2016
#: excess every shipped fit has).
LATE_FROM = "2017-01-01"


def official_stock(end: str) -> pd.DataFrame:
    """The official overstayer-stock target points a run to the month ``end`` sees."""
    last = pd.Timestamp(timeline.parse_month(end)) + pd.offsets.MonthEnd(0)
    frame = load_targets().until(last).frame
    return frame[frame["group"] == "overstayer_stock"].reset_index(drop=True)


def score_one(values: dict[str, float], seed: int, scale: float, end: str,
              observed: pd.DataFrame) -> tuple[float, float]:
    """Stock MAPE (%) and mean signed error (%) from ``LATE_FROM`` of one run, against the
    ``observed`` points (``official_stock(end)``, read once by the caller)."""
    from sidedoor.engine import simulate
    from sidedoor.institutions.parameters import load_parameters

    out = simulate(load_parameters().with_values(values), seed=seed, end=end, scale=scale).outputs
    error = align(out, observed) / observed["value"].to_numpy(dtype=float) - 1.0
    late = error[(observed["reference_date"] >= pd.Timestamp(LATE_FROM)).to_numpy()]
    return float(np.mean(np.abs(error))) * 100, float(late.mean()) * 100 if len(late) else float("nan")


def _score(args: tuple[dict[str, float], int, float, str, pd.DataFrame]) -> tuple[float, float]:
    return score_one(*args)


def particle_scores(posterior: Posterior, *, scale: float = 0.05, first_seed: int = 1000,
                    end: str = "2020-12", processes: int = 1) -> pd.DataFrame:
    """One row per particle: its weight and distance from the fit, and on seed
    ``first_seed + row`` its stock MAPE and late bias (percent)."""
    check_current(posterior)
    names = posterior.parameter_names
    rows = posterior.particles[names].to_numpy(dtype=float)
    observed = official_stock(end)
    jobs = [(dict(zip(names, row)), first_seed + i, scale, end, observed) for i, row in enumerate(rows)]
    results = map_runs(_score, jobs, processes)
    scores = pd.DataFrame(results, columns=["stock_mape", "late_bias"])
    scores.insert(0, "particle", np.arange(len(rows)))
    scores.insert(1, "weight", posterior.weights)
    scores.insert(2, "distance", posterior.particles["distance"].to_numpy(dtype=float)
                  if "distance" in posterior.particles else np.nan)
    return scores


def describe(scores: pd.DataFrame) -> str:
    """The line docs/calibration.md quotes: stock MAPE min / lower quartile / median."""
    q = scores["stock_mape"].quantile([0.0, 0.25, 0.5]).to_numpy()
    return (f"{len(scores)} particles, stock MAPE min / lower quartile / median: "
            f"{q[0]:.1f} / {q[1]:.1f} / {q[2]:.1f}%; median late bias (from {LATE_FROM[:4]}) "
            f"{scores['late_bias'].median():+.1f}%")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posterior", default="default", help="shipped posterior name")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--end", default="2020-12")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--output", help="CSV file for the per-particle scores")
    args = parser.parse_args(argv)
    scores = particle_scores(load_posterior(args.posterior), scale=args.scale, first_seed=args.first_seed,
                             end=args.end, processes=args.processes)
    if args.output:
        scores.to_csv(args.output, index=False)
    print(describe(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
