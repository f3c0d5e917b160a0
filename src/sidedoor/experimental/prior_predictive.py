"""What did the calibration buy? The prior predictive scored like the posterior predictive.

Why: a posterior whose parameters are barely narrower than their priors (``sidedoor
validate``, "posterior contraction") may still predict much better than the priors do, if
the data pinned a few influential combinations. Scoring draws from the priors with the same
metrics (``validation.score``/``metrics``: MAPE of the median, share of points inside the
90% band) against the shipped posterior predictive says how much of the fit's accuracy the
calibration added and how much the model and its priors already had.

Prior draws are the ensembles' (``ensemble.plan.prior_draw``: one uniform per parameter,
mapped by the prior's quantile function), draw ``i`` from seed ``[seed, i]``; engine seeds
as in ``posterior.predictive_draws``. The draws run in ``processes`` local processes.

Usage: ``python -m sidedoor.experimental.prior_predictive [--draws 100] [--scale 0.05]
[--processes 2] [--seed 1]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from sidedoor.calibration.posterior import Posterior, load_predictive, summarise_draws
from sidedoor.calibration.targets import KEY_COLUMNS, load_targets
from sidedoor.calibration.validation import metrics, score
from sidedoor.experimental import map_runs


def prior_particles(draws: int, seed: int) -> Posterior:
    """``draws`` parameter vectors from the priors, equally weighted, as a ``Posterior``."""
    from sidedoor.ensemble.plan import calibrated_specs, prior_draw
    from sidedoor.institutions.parameters import load_parameters

    specs = calibrated_specs(load_parameters())
    rows = [prior_draw(specs, int(np.random.SeedSequence([seed, i]).generate_state(1)[0]))
            for i in range(draws)]
    frame = pd.DataFrame(rows).assign(generation=0, particle=np.arange(draws), weight=1.0,
                                      distance=np.nan)
    return Posterior(frame, {"name": "prior", "settings": {}})


def prior_predictive(draws: int = 100, *, scale: float = 0.05, end: str = "2020-12",
                     seed: int = 1, processes: int = 1) -> pd.DataFrame:
    """Median and 90% band per output key over ``draws`` prior draws (the predictive's shape)."""
    from sidedoor.calibration.simulator import PredictiveDraw, SummarySimulator, stack_draws

    prior = prior_particles(draws, seed)
    names = prior.parameter_names
    simulator = SummarySimulator([], pd.DataFrame(columns=KEY_COLUMNS), scale=scale, end=end)
    task = PredictiveDraw(simulator, end=end, scale=scale)
    items = [({n: float(row[n]) for n in names},
              int(np.random.SeedSequence([seed, i]).generate_state(1)[0]))
             for i, (_, row) in enumerate(prior.particles.iterrows())]
    frames = map_runs(task, items, processes)
    return summarise_draws(stack_draws(frames))


def compare(prior: pd.DataFrame, posterior: pd.DataFrame) -> pd.DataFrame:
    """Per target group: MAPE and 90% coverage of the prior and of the posterior predictive."""
    targets = load_targets()
    rows = []
    for label, frame in (("prior", prior), ("posterior", posterior)):
        for group, m in metrics(score(targets, frame)).items():
            rows.append({"series": group, "predictive": label, **m})
    wide = pd.DataFrame(rows).pivot(index="series", columns="predictive",
                                    values=["mape", "coverage90"])
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    return wide


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args(argv)
    prior = prior_predictive(args.draws, scale=args.scale, seed=args.seed,
                             processes=args.processes)
    table = compare(prior, load_predictive("default"))
    with pd.option_context("display.width", 160):
        print(table.round(3).to_string())


if __name__ == "__main__":
    main()
