"""Which calibrated parameters move the ABC distance at all? Morris screening over the priors.

Why: the shipped posteriors are barely narrower than their priors (``sidedoor validate``,
"Posterior contraction"), and ABC-SMC's importance weights degrade with every dimension
that is sampled without being informed. A parameter whose elementary effects on the
distance are small next to the others' is a candidate to pin (provenance ``assumption``)
rather than fit; one whose effect lands on a single target group says which data identify
it. ``sidedoor sensitivity`` screens chosen *outputs*; this screens the fit's own objective,
the weighted mean absolute log error of ``calibration/distance.py``, and its split by target
group (the groups' contributions add up to the distance).

Design: SALib's Morris trajectories in the unit cube (``ensemble.sensitivity.unit_sample``),
mapped through each prior's quantiles 0.005-0.995 as the sensitivity module does; every run
uses the same engine seed (common random numbers), so an elementary effect is the
parameter's, not Monte Carlo noise. ``r`` trajectories cost ``r * (D + 1)`` runs.

Usage: ``python -m sidedoor.experimental.distance_screening [--trajectories 10]
[--scale 0.05] [--processes 2] [--seed 2026] [--output FILE.csv]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from sidedoor.calibration.distance import summary_vector
from sidedoor.calibration.targets import Targets
from sidedoor.ensemble.sensitivity import MORRIS_LEVELS, design_values, salib_problem, unit_sample
from sidedoor.experimental import map_runs


def group_contributions(counts: np.ndarray, targets: Targets) -> dict[str, float]:
    """The fixed distance of one run split by target group (the parts sum to the distance)."""
    part = targets.weights * np.abs(summary_vector(counts) - summary_vector(targets.values))
    groups = targets.frame["group"].to_numpy()
    out = {g: float(part[groups == g].sum()) for g in pd.unique(groups)}
    out["distance"] = float(part.sum())
    return out


def _run(args) -> np.ndarray:
    simulator, values, seed = args
    return simulator.counts(values, seed)


def screen(trajectories: int = 10, *, scale: float = 0.05, seed: int = 2026,
           processes: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Morris indices of the distance and of each group's contribution, and the runs.

    Returns ``(indices, runs)``: ``indices`` has one row per (parameter, output) with
    ``mu_star``, ``mu_star_conf`` and ``sigma``; ``runs`` one row per design point with the
    distance and its parts.
    """
    from SALib.analyze import morris

    from sidedoor.calibration.abc import CalibrationSettings, _prepare

    # The fit's own set-up: the targets the model produces (probed at the prior centre).
    specs, targets, simulator = _prepare(CalibrationSettings(scale=scale, seed=seed), None,
                                         None, probe=True)
    names = [s.name for s in specs]
    design = unit_sample("morris", names, trajectories, seed)
    jobs = [(simulator, v, seed) for v in design_values(specs, design)]
    counts = map_runs(_run, jobs, processes)
    runs = pd.DataFrame([group_contributions(c, targets) for c in counts])
    problem = salib_problem(names)
    rows = []
    for output in runs.columns:
        res = morris.analyze(problem, design, runs[output].to_numpy(dtype=float),
                             num_levels=MORRIS_LEVELS, seed=seed)
        for i, name in enumerate(names):
            rows.append({"output": output, "parameter": name, "mu_star": float(res["mu_star"][i]),
                         "mu_star_conf": float(res["mu_star_conf"][i]),
                         "sigma": float(res["sigma"][i])})
    return pd.DataFrame(rows), runs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=10)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--output", default=None, help="CSV of the indices (long format)")
    args = parser.parse_args(argv)
    indices, runs = screen(args.trajectories, scale=args.scale, seed=args.seed,
                           processes=args.processes)
    if args.output:
        indices.to_csv(args.output, index=False)
        runs.to_csv(args.output.replace(".csv", "_runs.csv"), index=False)
    wide = indices.pivot(index="parameter", columns="output", values="mu_star")
    wide = wide.sort_values("distance", ascending=False)
    with pd.option_context("display.width", 220, "display.max_columns", 20):
        print(wide.round(3).to_string())
        print(f"\n{len(runs)} runs; distance min {runs['distance'].min():.3f}, "
              f"median {runs['distance'].median():.3f}, max {runs['distance'].max():.3f}")


if __name__ == "__main__":
    main()
