"""The tourism boom's dilution (behaviour.visitor_boom_elasticity): visitors above a nationality's
2012 volume are less likely to overstay, and nothing before 2013 changes."""

import numpy as np
import pandas as pd
import pytest

from sidedoor.engine import simulate, visitors
from sidedoor.engine.inputs import build_inputs
from sidedoor.institutions.parameters import load_parameters
from sidedoor.nationalities import Nationality as N


class _Inputs:
    def __init__(self, reference):
        self.visitor_reference = reference


def test_no_dilution_at_or_below_the_reference_volume():
    yearly = np.array([50.0, 100.0, 200.0, 400.0])
    out = visitors.boom_dilution(yearly, _Inputs(np.full(4, 100.0)), {"visitor_boom_elasticity": 0.5})
    # 50 and 100 are at or below the 2012 volume; 200 and 400 are twice and four times it.
    assert out == pytest.approx([1.0, 1.0, 2 ** -0.5, 4 ** -0.5])


def test_elasticity_one_keeps_the_overstayers_at_the_reference_volume():
    yearly = np.array([100.0, 300.0])
    p = visitors.boom_dilution(yearly, _Inputs(np.array([100.0, 100.0])), {"visitor_boom_elasticity": 1.0})
    assert yearly * p == pytest.approx([100.0, 100.0])


def test_no_reference_or_zero_elasticity_means_no_dilution():
    yearly = np.array([1e6, 2e6])
    assert visitors.boom_dilution(yearly, _Inputs(None), {"visitor_boom_elasticity": 0.8}).tolist() == [1, 1]
    ones = visitors.boom_dilution(yearly, _Inputs(np.ones(2)), {"visitor_boom_elasticity": 0.0})
    assert ones.tolist() == [1, 1]


def test_reference_is_the_highest_yearly_rate_up_to_2012():
    inputs = build_inputs(load_parameters(), "1990-01", "2020-12")
    years = np.array([d.year for d in inputs.months])
    monthly = inputs.visitor_entries[years <= visitors.BOOM_REFERENCE_YEAR]
    assert inputs.visitor_reference == pytest.approx(monthly.max(axis=0) * 12)
    yearly = np.array([inputs.visitor_entries[years == y].sum(axis=0) for y in range(1990, 2013)])
    # Filipino visitors peaked in 2008, then fell through the crisis and the earthquake: their
    # reference is the 2008 volume, well above 2012's.
    assert inputs.visitor_reference[N.PHILIPPINES] == pytest.approx(yearly[2008 - 1990, N.PHILIPPINES])
    assert inputs.visitor_reference[N.PHILIPPINES] > 1.2 * yearly[2012 - 1990, N.PHILIPPINES]
    # Iran's rate before the April 1992 visa suspension is above any of its yearly totals.
    assert inputs.visitor_reference[N.IRAN] > yearly[:, N.IRAN].max()


def test_reference_known_to_a_run_that_starts_after_2012():
    inputs = build_inputs(load_parameters(), "2015-01", "2016-12")
    full = build_inputs(load_parameters(), "1990-01", "2016-12")
    assert inputs.visitor_reference == pytest.approx(full.visitor_reference)


def _former_visitors(values: dict, end: str = "2019-12") -> pd.Series:
    out = simulate(load_parameters().with_values(values), seed=3, end=end, scale=0.02).outputs
    rows = out[(out.series == "overstayers_by_status") & (out.category == "temporary_visitor")]
    return rows.set_index("reference_date")["value"]


def test_boom_dilution_lowers_former_visitors_after_2012_only():
    none = _former_visitors({"behaviour.visitor_boom_elasticity": 0.0})
    full = _former_visitors({"behaviour.visitor_boom_elasticity": 1.0})
    early = none.index < pd.Timestamp("2013-04-01")  # overstays of 2013 entries appear from April
    assert (none[early] == full[early]).all()
    late = none.index >= pd.Timestamp("2016-01-01")
    assert len(none[late]) >= 3
    assert (full[late] < none[late]).all()
    # By 2019 the dilution removes more than a quarter of the former visitors.
    assert full[pd.Timestamp("2019-01-01")] < 0.75 * none[pd.Timestamp("2019-01-01")]
