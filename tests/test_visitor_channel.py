"""experimental.visitor_channel: the recording leaves the run untouched, and the table's
figures are what the engine used."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sidedoor.engine import simulate, visitors
from sidedoor.engine.inputs import build_inputs
from sidedoor.experimental.visitor_channel import heaviest_particle, visitor_channel
from sidedoor.institutions.parameters import load_parameters
from sidedoor.nationalities import Nationality

RUN = {"seed": 3, "scale": 0.01, "start": "1990-01", "end": "1991-12"}
ELASTICITY = {"behaviour.labour_demand_elasticity": 1.2, "behaviour.enforcement_deterrence": 0.0}


@pytest.fixture(scope="module")
def channel():
    params = load_parameters().with_values(ELASTICITY)
    return params, *visitor_channel(params, **RUN)


def test_recording_leaves_the_run_bit_identical(channel):
    params, _, recorded = channel
    plain = simulate(params, **RUN)
    pd.testing.assert_frame_equal(recorded.outputs, plain.outputs)
    assert visitors.probabilities.__module__ == "sidedoor.engine.visitors"  # unwrapped afterwards


def test_one_row_per_year_and_nationality_with_consistent_figures(channel):
    _, table, _ = channel
    assert len(table) == 2 * len(Nationality) and set(table["year"]) == {1990, 1991}
    rows = table[table["entries"] > 0]
    assert np.allclose(rows["probability"], rows["expected_overstayers"] / rows["entries"])
    assert (rows["probability"] <= visitors.MAX_OVERSTAY_PROBABILITY + 1e-12).all()
    assert (rows["expected_overstayers"] > 0).any()


def test_the_driver_multipliers_are_julys(channel):
    params, table, _ = channel
    inputs = build_inputs(params, dt.date(1990, 1, 1), dt.date(1991, 12, 1))
    months = [pd.Timestamp(d) for d in inputs.months]
    for year in (1990, 1991):
        july = months.index(pd.Timestamp(year, 7, 1))
        expected = np.exp(1.2 * np.log(max(float(inputs.job_openings_ratio[july]), 0.05)))
        got = table.loc[table["year"] == year, "labour_multiplier"].unique()
        assert got == pytest.approx([expected])
    assert set(table["deterrence_multiplier"]) == {1.0}  # deterrence elasticity 0


def test_heaviest_particle_is_the_shipped_posteriors_heaviest():
    from sidedoor.calibration.posterior import load_posterior

    fit = load_posterior("default")
    values = heaviest_particle("default")
    top = fit.particles.loc[fit.particles["weight"].idxmax()]
    assert values and all(values[name] == pytest.approx(float(top[name])) for name in values)
    assert set(values) == set(fit.parameter_names)
