"""Inputs: the institutions act through the rule functions (visa exemption, border closure,
closed and counterfactual channels)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sidedoor.engine.inputs import build_inputs
from sidedoor.institutions.parameters import load_parameters
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality

S, N = Status, Nationality


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture(scope="module")
def inputs(params):
    return build_inputs(params)


def _years(inputs, first: int, last: int) -> np.ndarray:
    return np.array([first <= d.year <= last for d in inputs.months])


@pytest.mark.parametrize(("nat", "name", "suspended"), [
    (N.PAKISTAN, "entry_channels.visa_exempt_pakistan", dt.date(1989, 1, 15)),
    (N.BANGLADESH, "entry_channels.visa_exempt_bangladesh", dt.date(1989, 1, 15)),
    (N.IRAN, "entry_channels.visa_exempt_iran", dt.date(1992, 4, 15)),
])
def test_visa_suspension_cuts_visitor_entries(params, inputs, nat, name, suspended):
    kept = build_inputs(params.override(name, True, suspended))
    after = np.array([d >= suspended.replace(day=1) and d.year <= 2000 for d in inputs.months])
    before = np.array([d < suspended for d in inputs.months])
    factor = params.value("inflows.visa_suspension_entry_factor", suspended)
    assert inputs.visitor_entries[after, nat].sum() < kept.visitor_entries[after, nat].sum()
    assert inputs.visitor_entries[after, nat].sum() / kept.visitor_entries[after, nat].sum() == pytest.approx(factor, rel=0.05)
    assert np.allclose(inputs.visitor_entries[before, nat], kept.visitor_entries[before, nat])
    others = [n for n in Nationality if n != nat]
    assert np.allclose(inputs.visitor_entries[:, others], kept.visitor_entries[:, others])


def test_iran_visitors_before_and_after_1992(inputs):
    assert inputs.visitor_entries[_years(inputs, 1991, 1991), N.IRAN].sum() > 2 * inputs.visitor_entries[_years(inputs, 1993, 1993), N.IRAN].sum()


def test_border_closure_lowers_2020_2021_entries(params, inputs):
    open_border = build_inputs(params.override("border.inflow_factor", 1.0, dt.date(2020, 1, 1)))
    closure = _years(inputs, 2020, 2021)
    assert inputs.visitor_entries[closure].sum() < 0.5 * open_border.visitor_entries[closure].sum()
    assert inputs.inflows[closure].sum() < 0.5 * open_border.inflows[closure].sum()
    assert np.allclose(inputs.inflows[~_years(inputs, 2020, 2022)], open_border.inflows[~_years(inputs, 2020, 2022)])
    y19, y21 = _years(inputs, 2019, 2019), _years(inputs, 2021, 2021)
    assert inputs.inflows[y21, S.TECHNICAL_INTERN].sum() < 0.2 * inputs.inflows[y19, S.TECHNICAL_INTERN].sum()


def test_closed_channels_get_no_entries(inputs):
    months = inputs.months
    before_titp = np.array([d < dt.date(1993, 4, 1) for d in months])
    assert inputs.inflows[before_titp, S.TECHNICAL_INTERN].sum() == 0.0
    before_ssw = np.array([d < dt.date(2019, 4, 1) for d in months])
    assert inputs.inflows[before_ssw, S.SPECIFIED_SKILLED_WORKER].sum() == 0.0
    assert inputs.inflows[~before_ssw, S.SPECIFIED_SKILLED_WORKER].sum() > 0
    before_nikkei = np.array([d < dt.date(1990, 6, 1) for d in months])
    assert inputs.inflows[before_nikkei, S.NIKKEI_LONG_TERM_RESIDENT].sum() == 0.0
    merged = np.array([d >= dt.date(2010, 7, 1) for d in months])
    assert inputs.inflows[merged, S.PRE_COLLEGE_STUDENT].sum() == 0.0
    assert inputs.inflows[:, S.LABOUR_MIGRANT].sum() == 0.0


def test_a_reform_closing_a_channel_zeroes_it(params, inputs):
    closed = build_inputs(params.override("entry_channels.entertainer_open", False, dt.date(1995, 1, 1)))
    after = np.array([d >= dt.date(1995, 1, 1) for d in inputs.months])
    assert closed.inflows[after, S.ENTERTAINER].sum() == 0.0
    assert np.allclose(closed.inflows[~after], inputs.inflows[~after])
    d = closed.derivations
    row = d[(d["quantity"] == "inflows|entertainer|ALL") & (d["period"] == "2003")]
    assert row["derived"].all() and row["formula"].str.contains("rules.channel_open").all()


def test_labour_channel_reform_diverts_side_door_entries(params, inputs):
    reform = build_inputs(params.override("entry_channels.labour_visa_enabled", True, dt.date(2000, 1, 1)))
    after = np.array([d >= dt.date(2000, 1, 1) for d in inputs.months])
    share = params.value("inflows.labour_migrant_diversion_share", dt.date(2000, 1, 1))
    side = [S.PRE_COLLEGE_STUDENT, S.COLLEGE_STUDENT, S.TRAINEE, S.TECHNICAL_INTERN, S.ENTERTAINER]
    moved = inputs.inflows[after][:, side].sum() * share
    assert reform.inflows[after, S.LABOUR_MIGRANT].sum() == pytest.approx(moved)
    assert reform.inflows[after].sum() == pytest.approx(inputs.inflows[after].sum())
    assert reform.inflows[~after, S.LABOUR_MIGRANT].sum() == 0.0


def test_a_reform_opening_ssw_earlier_changes_no_input(params, inputs):
    """SSW opened earlier gets no invented SSW entries in the inputs: its entrants before the
    SSW data are interns diverted in the engine (``ssw.counterfactual_intern_share``, tested
    in test_scenarios_runs.py), so the inputs stay the factual ones."""
    early = build_inputs(params.override("ssw.channel_open", True, dt.date(2010, 4, 1)))
    window = np.array([dt.date(2010, 4, 1) <= d < dt.date(2019, 4, 1) for d in inputs.months])
    assert early.inflows[window, S.SPECIFIED_SKILLED_WORKER].sum() == 0.0
    assert np.array_equal(early.inflows, inputs.inflows)
