"""Inputs: the derived intern entries reproduce the observed intern stock under the stated
mean stay (inflows.stay_years_technical_intern)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sidedoor.data import observed
from sidedoor.engine.inputs import build_inputs
from sidedoor.institutions.parameters import load_parameters
from sidedoor.institutions.statuses import Status


def _project(inputs, params, start: dt.date, stock: float, until: dt.date) -> dict[dt.date, float]:
    """Monthly stock-flow: entries of the month arrive, everyone leaves at rate 1/stay."""
    out = {}
    for m, d in enumerate(inputs.months):
        if d < start.replace(day=1) or d > until:
            continue
        stay = params.value("inflows.stay_years_technical_intern", max(d, dt.date(2010, 7, 1)))
        decay = np.exp(-1 / 12 / stay)
        stock = stock * decay + inputs.inflows[m, Status.TECHNICAL_INTERN].sum() * stay * 12 * (1 - decay)
        last_day = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        out[last_day] = stock
    return out


def _stock() -> dict[dt.date, float]:
    data = observed("technical_interns")
    data = data[data["category"] == "total"]
    return dict(zip(data["reference_date"].dt.date, data["value"]))


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture(scope="module")
def inputs(params):
    return build_inputs(params)


def test_intern_stock_2015_2019_within_ten_percent(params, inputs):
    obs = _stock()
    path = _project(inputs, params, dt.date(2015, 1, 1), obs[dt.date(2014, 12, 31)], dt.date(2019, 12, 1))
    for date in (dt.date(y, 12, 31) for y in range(2015, 2020)):
        assert path[date] == pytest.approx(obs[date], rel=0.10), date


def test_intern_entries_from_stocks_reproduce_the_stocks_2023_2025(params, inputs):
    obs = _stock()
    path = _project(inputs, params, dt.date(2023, 1, 1), obs[dt.date(2022, 12, 31)], dt.date(2025, 6, 1))
    for date in (dt.date(2023, 6, 30), dt.date(2023, 12, 31), dt.date(2024, 12, 31), dt.date(2025, 6, 30)):
        assert path[date] == pytest.approx(obs[date], rel=0.10), date


def test_paper_figure_interns_during_the_closure_is_reported(inputs):
    """Note 12: >30,000 new interns 2020-11-01..2021-01-21. The inputs under the shipped border
    factor give fewer; the gap is a finding about border.inflow_factor, shown here, not hidden."""
    window = np.array([dt.date(2020, 11, 1) <= d <= dt.date(2021, 1, 1) for d in inputs.months])
    admitted = inputs.inflows[window, Status.TECHNICAL_INTERN].sum()
    assert 0 < admitted < 30_000
