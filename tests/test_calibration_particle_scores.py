"""Per-particle scores (``experimental.particle_scores``): each accepted particle on its own seed.

The docs compare model variants by these scores rather than by one predictive median, so they
must be reproducible (seed = first seed + row, whatever the number of processes) and be the
stock MAPE of exactly that run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sidedoor.calibration.posterior import Posterior, load_posterior
from sidedoor.engine import simulate
from sidedoor.experimental.particle_scores import describe, official_stock, particle_scores
from sidedoor.institutions.parameters import load_parameters

END, SCALE = "1996-12", 0.01


@pytest.fixture(scope="module")
def small():
    shipped = load_posterior("default")
    return Posterior(particles=shipped.particles.head(3).reset_index(drop=True), meta=shipped.meta)


@pytest.fixture(scope="module")
def scores(small):
    return particle_scores(small, scale=SCALE, end=END, first_seed=1000)


def test_a_particles_score_is_the_stock_error_of_its_own_run(small, scores):
    values = dict(zip(small.parameter_names, small.particles.loc[1, small.parameter_names].astype(float)))
    out = simulate(load_parameters().with_values(values), seed=1001, end=END, scale=SCALE).outputs
    out = out[(out.series == "overstayers") & (out.category == "total")]
    stock = official_stock(END)
    observed = stock.set_index(stock.reference_date.dt.strftime("%Y-%m-%d"))["value"]
    assert list(observed.index) == ["1990-07-01", "1991-05-01", "1992-05-01", "1993-05-01", "1994-05-01",
                                    "1995-05-01", "1996-05-01"]
    simulated = out.set_index(out.reference_date.astype(str))["value"].reindex(observed.index)
    assert scores.loc[1, "stock_mape"] == pytest.approx(100 * np.mean(np.abs(simulated / observed - 1)))
    assert np.isnan(scores["late_bias"]).all()  # no reference date from 2017 before 1997
    assert scores["weight"].sum() == pytest.approx(1.0)
    assert "3 particles, stock MAPE min / lower quartile / median" in describe(scores)


@pytest.mark.slow
def test_scores_do_not_depend_on_the_number_of_processes(small, scores):
    pd.testing.assert_frame_equal(particle_scores(small, scale=SCALE, end=END, first_seed=1000, processes=2), scores)
