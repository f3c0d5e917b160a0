"""Parameter recovery with the real engine, through a real two-process Dask cluster.

The engine generates synthetic "official" data at known values of two calibrated parameters
(the visitor overstay probability, which sets the level of the 1990s overstayer stock, and
the 1990s scale of visitors from labour-sending countries, which shifts its nationality mix);
ABC-SMC then calibrates those two only, all other parameters at their shipped values. The
posterior must contain the truth in its 90% credible interval and be narrower than the prior.
The pair was chosen by a sensitivity check: both move the 1990-1997 targets by several times
the simulation noise and their effects are only moderately correlated (the detection hazard,
for example, is confounded with the overstay probability over so short a window). The window
is 1990-1995 at scale 0.02 so the test stays within a few minutes on two cores.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sidedoor.calibration.abc import CalibrationSettings, calibrate
from sidedoor.calibration.posterior import Posterior
from sidedoor.calibration.priors import prior_specs
from sidedoor.calibration.targets import DEFAULT_GROUPS, assign_groups
from sidedoor.institutions.parameters import load_parameters

pytestmark = [pytest.mark.slow, pytest.mark.stochastic]

NAMES = ("behaviour.visitor_overstay_probability", "inflows.labour_sending_visitor_scale_1990s")
WINDOW = ("1990-01", "1995-01")
SCALE = 0.02


def truth() -> dict[str, float]:
    """Known values inside the stated priors (their 35% and 65% quantiles), so the test
    follows the parameter files when their priors are revised."""
    specs = prior_specs(load_parameters(), NAMES)
    return {s.name: float(s.quantiles([q])[0]) for s, q in zip(specs, (0.35, 0.65))}


def test_abc_recovers_engine_parameters_from_synthetic_data(tmp_path):
    from distributed import Client, LocalCluster

    from sidedoor.engine import simulate

    known = truth()
    synthetic = simulate(load_parameters().with_values(known), seed=2024, start=WINDOW[0],
                         end=WINDOW[1], scale=SCALE).outputs
    # The stock and its nationality mix, weighted equally (the mix carries the signal of
    # the labour-sending scale).
    groups = tuple(replace(g, weight=1.0) for g in DEFAULT_GROUPS
                   if g.name in ("overstayer_stock", "by_nationality"))
    targets = assign_groups(synthetic, groups, cutoff="1995-01-01")
    assert len(targets) > 20
    settings = CalibrationSettings(
        label="recovery", population_size=30, max_generations=4, scale=SCALE,
        start=WINDOW[0], end=WINDOW[1], seed=11, sampler="reproducible", batch_size=2,
        parameters=NAMES)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        result = calibrate(settings, client=client, store=tmp_path / "store.duckdb",
                           targets=targets)
    assert result.status == "finished"
    summary = Posterior(result.posterior(), {}).summary().set_index("parameter")
    for name, value in known.items():
        row = summary.loc[name]
        assert row["q05"] <= value <= row["q95"], (name, row.to_dict())
        assert row["width_ratio"] < 0.8, (name, row.to_dict())  # narrower than the prior
    assert np.all(np.diff(result.generations["epsilon"]) < 0)
