"""Inputs: observed cells equal the data exactly; every other cell is a marked derivation."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from sidedoor.data import observed
from sidedoor.engine.inputs import build_inputs
from sidedoor.institutions.parameters import load_parameters
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality

S, N = Status, Nationality


@pytest.fixture(scope="module")
def inputs():
    return build_inputs(load_parameters())


def _year(inputs, year: int, months: tuple[int, int] = (1, 12)) -> np.ndarray:
    return np.array([d.year == year and months[0] <= d.month <= months[1] for d in inputs.months])


@pytest.mark.parametrize(("status", "year", "value"), [
    (S.TECHNICAL_INTERN, 2013, 68_814), (S.TECHNICAL_INTERN, 2019, 173_705), (S.TRAINEE, 2003, 64_817),
    (S.TRAINEE, 2008, 101_879), (S.ENTERTAINER, 2003, 133_103), (S.ENTERTAINER, 2019, 45_486),
    (S.PRE_COLLEGE_STUDENT, 2001, 23_932), (S.PRE_COLLEGE_STUDENT, 2005, 18_090), (S.COLLEGE_STUDENT, 2019, 121_637),
])
def test_observed_annual_counts(inputs, status, year, value):
    assert inputs.inflows[_year(inputs, year), status, :].sum() == pytest.approx(value, rel=1e-12)


def test_observed_2019_intern_counts_by_nationality(inputs):
    sel = _year(inputs, 2019)
    for nat, value in {N.VIETNAM: 91_170, N.CHINA: 34_685, N.INDONESIA: 15_746, N.PHILIPPINES: 13_839, N.MYANMAR: 6_460}.items():
        assert inputs.inflows[sel, S.TECHNICAL_INTERN, nat].sum() == pytest.approx(value, rel=1e-12)


def test_observed_visitor_totals_add_up_over_nationalities(inputs):
    for year, value in {2003: 4_259_974, 2008: 7_367_277, 2019: 27_810_548}.items():
        assert inputs.visitor_entries[_year(inputs, year)].sum() == pytest.approx(value, rel=1e-12)
    h1 = _year(inputs, 2024, (1, 6))
    assert inputs.visitor_entries[h1].sum() == pytest.approx(16_090_089, rel=1e-12)
    assert inputs.inflows[h1, S.COLLEGE_STUDENT].sum() == pytest.approx(92_492, rel=1e-12)
    assert inputs.inflows[h1, S.TECHNICAL_INTERN].sum() == pytest.approx(76_799, rel=1e-12)


def test_every_observed_row_is_a_data_value(inputs):
    rows = inputs.derivations[~inputs.derivations["derived"]]
    assert len(rows) > 40
    for row in rows.itertuples():
        match = re.fullmatch(r"(\w+)\[(\d{4}-\d{2}-\d{2})\|(.+)\]", row.sources)
        assert match, row
        series, date, category = match.groups()
        data = observed(series)
        value = data[(data["reference_date"] == date) & (data["category"] == category)]["value"]
        assert len(value) == 1 and value.iloc[0] == pytest.approx(row.value, rel=1e-12), row


def test_every_other_cell_is_a_derivation_with_a_formula(inputs):
    d = inputs.derivations
    derived = d[d["derived"]]
    assert (derived["formula"].str.len() > 10).all()
    assert not derived["formula"].str.fullmatch("observed").any()
    nonzero = derived[derived["value"] > 0]
    assert (nonzero["sources"].str.len() > 0).all()
    assert d.duplicated(["quantity", "period"]).sum() == 0


def test_derivations_cover_every_month_of_every_channel(inputs):
    d = inputs.derivations
    for status in (S.PRE_COLLEGE_STUDENT, S.COLLEGE_STUDENT, S.TRAINEE, S.TECHNICAL_INTERN,
                   S.NIKKEI_LONG_TERM_RESIDENT, S.ENTERTAINER, S.SPOUSE_OF_JAPANESE, S.SPECIFIED_SKILLED_WORKER):
        rows = d[d["quantity"] == f"inflows|{status.label}|ALL"]
        assert rows["value"].sum() == pytest.approx(inputs.inflows[:, status, :].sum(), rel=1e-9)
        for nat in Nationality:
            rows = d[d["quantity"] == f"inflows|{status.label}|{nat.label}"]
            assert rows["value"].sum() == pytest.approx(inputs.inflows[:, status, nat].sum(), rel=1e-9, abs=1e-6)
    rows = d[d["quantity"] == "visitor_entries|ALL"]
    assert rows["value"].sum() == pytest.approx(inputs.visitor_entries.sum(), rel=1e-9)


def test_paper_figures_used(inputs):
    d = inputs.derivations
    assert d["sources"].str.contains(r"new_entries\[1989-12-31\|Pakistan\|temporary_visitor\]").any()
    assert d["sources"].str.contains("72,354 Vietnamese students").any()
    assert d["sources"].str.contains(r"technical_interns\[2015-12-31\|Vietnam\]").any()


def test_filled_years_after_the_data_are_marked_assumptions(inputs):
    d = inputs.derivations
    late = d[(d["quantity"] == "inflows|entertainer|ALL") & (d["period"].isin(["2023", "2024", "2025"]))]
    assert late["derived"].all() and late["formula"].str.contains("assumption: carry forward").all()
    gap = d[(d["quantity"] == "inflows|trainee|ALL") & (d["period"] == "2006")]
    assert gap["formula"].str.contains("linear interpolation").all()
