"""Inputs: the population on the start date."""

from __future__ import annotations

import datetime as dt

import pytest

from sidedoor.engine.inputs import build_inputs
from sidedoor.institutions.parameters import load_parameters
from sidedoor.institutions.statuses import Status


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def test_initial_1990_overstayers(params):
    table = build_inputs(params).initial
    over = table[table["status"] == Status.OVERSTAYER]
    total = over["count"].sum()
    assert 70_000 < total < 106_497  # back-extrapolated from the first estimate (1990-07-01)
    visitors = over.loc[over["status_at_overstay"] == Status.TEMPORARY_VISITOR, "count"].sum()
    assert 0.6 < visitors / total < 0.8  # ~70% entered as temporary visitors
    legal = table[table["status"] != Status.OVERSTAYER].groupby("status")["count"].sum()
    for status in (Status.PRE_COLLEGE_STUDENT, Status.COLLEGE_STUDENT, Status.TRAINEE, Status.ENTERTAINER,
                   Status.NIKKEI_LONG_TERM_RESIDENT, Status.SPOUSE_OF_JAPANESE):
        assert legal[status] > 1_000
    assert Status.TECHNICAL_INTERN not in legal.index


def test_initial_cells_are_derivations(params):
    d = build_inputs(params).derivations
    rows = d[d["quantity"].str.startswith("initial|")]
    assert len(rows) > 50 and rows["derived"].all()
    assert rows["formula"].str.len().gt(20).all()


def test_later_start_uses_the_official_estimate(params):
    inputs = build_inputs(params, dt.date(2000, 1, 1), dt.date(2001, 12, 1))
    over = inputs.initial[inputs.initial["status"] == Status.OVERSTAYER]["count"].sum()
    assert over == pytest.approx(251_697)
    legal = inputs.initial[inputs.initial["status"] != Status.OVERSTAYER]
    assert legal["count"].sum() > 100_000
