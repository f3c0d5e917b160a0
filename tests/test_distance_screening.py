"""Building blocks of two experimental diagnostics (no engine runs): the distance
screening's design and its split of the ABC distance by target group; the prior
predictive's draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sidedoor.calibration.distance import weighted_log_error
from sidedoor.calibration.priors import prior_specs
from sidedoor.calibration.targets import load_targets
from sidedoor.ensemble.sensitivity import design_values
from sidedoor.experimental.distance_screening import group_contributions
from sidedoor.institutions.parameters import load_parameters


def test_the_unit_cube_maps_onto_the_central_99_percent_of_each_prior():
    specs = prior_specs(load_parameters())
    low, mid, high = design_values(specs, np.array([[0.0] * len(specs), [0.5] * len(specs),
                                                    [1.0] * len(specs)]))
    for s in specs:
        q005, q50, q995 = s.quantiles([0.005, 0.5, 0.995])
        assert (low[s.name], mid[s.name], high[s.name]) == pytest.approx((q005, q50, q995))
        assert low[s.name] < high[s.name]  # every parameter moves across the design


def test_group_contributions_add_up_to_the_fit_distance():
    targets = load_targets()
    rng = np.random.default_rng(1)
    counts = targets.values * rng.lognormal(0.0, 0.3, len(targets.values))
    parts = group_contributions(counts, targets)
    total = parts.pop("distance")
    assert total == pytest.approx(weighted_log_error(counts, targets.values, targets.weights))
    assert sum(parts.values()) == pytest.approx(total)
    assert set(parts) == set(targets.frame["group"])
    exact = group_contributions(targets.values, targets)
    assert set(exact.values()) == {0.0}


def test_prior_particles_are_equally_weighted_reproducible_prior_draws():
    from sidedoor.experimental.prior_predictive import prior_particles

    params = load_parameters()
    prior = prior_particles(50, seed=3)
    assert prior.parameter_names == [p.name for p in params.calibrated()]
    assert np.allclose(prior.weights, 1 / 50)
    pd.testing.assert_frame_equal(prior.particles, prior_particles(50, seed=3).particles)
    for spec in prior_specs(params):
        low, high = spec.quantiles([0.0, 1.0])
        x = prior.particles[spec.name]
        assert x.nunique() == 50 and x.between(low, high).all(), spec.name
