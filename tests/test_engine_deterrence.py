"""Deterrence follows enforcement with a lag (M7, §1, §6): what a lawyer-reader can check."""

from __future__ import annotations

import datetime as dt

import pytest

from sidedoor import timeline
from sidedoor.engine.context import behaviour_table, perceived_enforcement
from sidedoor.institutions import rules
from sidedoor.institutions.parameters import load_parameters

MONTHS = timeline.month_dates(dt.date(1995, 1, 1), dt.date(2015, 12, 1))


def _at(path, when: dt.date) -> float:
    return path[MONTHS.index(when)]


def test_lag_of_one_month_is_the_actual_intensity():
    params = load_parameters()
    path = perceived_enforcement(params, MONTHS, 1.0)
    assert path == pytest.approx([rules.enforcement_intensity(d, params) for d in MONTHS])


def test_perception_rises_gradually_after_the_2004_campaign_starts():
    params = load_parameters().with_values({"enforcement.campaign_multiplier": 2.0,
                                            "enforcement.post_plan_strength": 0.5})
    path = perceived_enforcement(params, MONTHS, 24.0)
    assert _at(path, dt.date(2003, 12, 1)) == pytest.approx(1.0)
    first_year = _at(path, dt.date(2004, 12, 1))
    # One year into a campaign that doubles detection, about 1 - exp(-12/24) of the way.
    assert 1.3 < first_year < 1.5
    assert _at(path, dt.date(2008, 12, 1)) > 1.85  # nearly caught up after five years
    # From 2009 the campaigns run at half strength: perception comes down slowly, never below
    # the new level.
    assert 1.5 < _at(path, dt.date(2010, 1, 1)) < _at(path, dt.date(2008, 12, 1))


def test_without_a_campaign_nothing_is_perceived():
    params = load_parameters().with_values({"enforcement.campaign_multiplier": 1.0})
    assert set(perceived_enforcement(params, MONTHS, 36.0)) == {1.0}


def test_behaviour_table_carries_the_path_of_the_calibrated_lag():
    params = load_parameters().with_values({"behaviour.deterrence_lag_months": 12.0})
    table = behaviour_table(params, MONTHS)
    assert table["perceived_enforcement"] == pytest.approx(perceived_enforcement(params, MONTHS, 12.0))
