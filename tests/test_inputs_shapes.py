"""Inputs: shapes, dtypes and columns of docs/CONTRACTS.md, no negative flows, memoization."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sidedoor.engine.inputs import Inputs, build_inputs, inputs_table
from sidedoor.institutions.parameters import load_parameters
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality
from sidedoor.timeline import month_dates

START, END = dt.date(1990, 1, 1), dt.date(2025, 12, 1)


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture(scope="module")
def inputs(params) -> Inputs:
    return build_inputs(params, START, END)


def test_shapes_and_dtypes(inputs):
    n = len(month_dates(START, END))
    assert inputs.months == month_dates(START, END)
    assert inputs.inflows.shape == (n, len(Status), len(Nationality))
    assert inputs.visitor_entries.shape == (n, len(Nationality))
    assert inputs.job_openings_ratio.shape == (n,)
    for arr in (inputs.inflows, inputs.visitor_entries, inputs.job_openings_ratio):
        assert arr.dtype == np.float64
        assert not arr.flags.writeable  # shared between memoized calls
    assert list(inputs.initial.columns) == ["status", "nationality", "status_at_overstay", "count"]
    assert list(inputs.derivations.columns) == ["quantity", "period", "value", "derived", "formula", "sources"]
    assert inputs.derivations["derived"].dtype == bool


def test_no_negative_or_missing_values(inputs):
    for arr in (inputs.inflows, inputs.visitor_entries, inputs.job_openings_ratio):
        assert np.isfinite(arr).all() and (arr >= 0).all()
    assert (inputs.initial["count"] > 0).all()
    assert (inputs.job_openings_ratio > 0).all()


def test_visitor_slice_and_inside_statuses_have_no_entries(inputs):
    entry = {Status.PRE_COLLEGE_STUDENT, Status.COLLEGE_STUDENT, Status.TRAINEE, Status.TECHNICAL_INTERN,
             Status.NIKKEI_LONG_TERM_RESIDENT, Status.ENTERTAINER, Status.SPOUSE_OF_JAPANESE,
             Status.SPECIFIED_SKILLED_WORKER, Status.LABOUR_MIGRANT}
    for status in Status:
        if status not in entry:
            assert inputs.inflows[:, status, :].sum() == 0.0, status


def test_initial_codes(inputs):
    table = inputs.initial
    over = table["status"] == Status.OVERSTAYER
    assert (table.loc[~over, "status_at_overstay"] == -1).all()
    assert (table.loc[over, "status_at_overstay"] >= 0).all()
    assert set(table["nationality"]) <= {int(n) for n in Nationality}


def test_memoized_on_the_parameters_it_reads(params, inputs):
    assert build_inputs(params, START, END) is inputs
    other = params.with_values({"behaviour.detection_hazard": 0.02})  # not read by the inputs
    assert build_inputs(other, START, END) is inputs
    scaled = params.with_values({"inflows.entertainer_scale_1990s": 1.5})
    again = build_inputs(scaled, START, END)
    assert again is not inputs
    year = np.array([d.year for d in inputs.months]) == 1991
    ratio = again.inflows[year, Status.ENTERTAINER].sum() / inputs.inflows[year, Status.ENTERTAINER].sum()
    assert ratio == pytest.approx(1.5)
    late = np.array([d.year for d in inputs.months]) >= 2003
    assert np.allclose(again.inflows[late], inputs.inflows[late])


def test_shorter_window_is_a_slice(params, inputs):
    short = build_inputs(params, dt.date(1995, 1, 1), dt.date(2000, 12, 1))
    i0 = inputs.months.index(dt.date(1995, 1, 1))
    assert np.allclose(short.inflows, inputs.inflows[i0:i0 + 72])
    assert np.allclose(short.visitor_entries, inputs.visitor_entries[i0:i0 + 72])


def test_bad_dates(params):
    with pytest.raises(ValueError):
        build_inputs(params, dt.date(1985, 1, 1), END)
    with pytest.raises(ValueError):
        build_inputs(params, dt.date(2000, 1, 1), dt.date(1999, 1, 1))


def test_inputs_table(inputs):
    table = inputs_table(inputs)
    assert list(table.columns) == ["year", "status", "nationality", "value", "derived", "months"]
    row = table[(table.year == 2019) & (table.status == "technical_intern") & (table.nationality == "ALL")]
    assert row["value"].iloc[0] == pytest.approx(173_705) and not row["derived"].iloc[0]
    row = table[(table.year == 1990) & (table.status == "college_student") & (table.nationality == "ALL")]
    assert row["derived"].iloc[0]
    total = table[(table.nationality == "ALL") & (table.status != "temporary_visitor")].groupby("year")["value"].sum()
    assert (total > 0).all()
