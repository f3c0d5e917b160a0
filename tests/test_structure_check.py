"""The structure check (experimental): a local search that lowers the ABC distance.

The model is a fast fixture (a smooth function of three real calibrated parameters, with
seeded noise), as in ``test_calibration_toy.py``; the real engine would take minutes.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sidedoor.calibration.targets import assign_groups
from sidedoor.experimental.structure_check import best_fit, rescore
from sidedoor.institutions.parameters import load_parameters

TRUTH = {"enforcement.campaign_multiplier": 2.5, "spr.base_grant_probability": 0.35,
         "behaviour.language_school_progression": 0.6}
START = {"enforcement.campaign_multiplier": 1.3, "spr.base_grant_probability": 0.7,
         "behaviour.language_school_progression": 0.4}


def fixture_engine(params, seed=0, start="1990-01", end="2020-01", scale=1.0, **_):
    d = dt.date(2000, 1, 1)
    cm = params.value("enforcement.campaign_multiplier", d)
    bgp = params.value("spr.base_grant_probability", d)
    lsp = params.value("behaviour.language_school_progression", d)
    rng = np.random.default_rng(seed)
    rows = [("overstayers", pd.Timestamp(y, 1, 1), "total", 2e5 * np.exp(-(cm - 1) * 0.03 * (y - 1990)))
            for y in range(1990, 2021)]
    rows += [("spr_granted", pd.Timestamp(y, 12, 31), "total", 2e4 * bgp * (1 + 0.2 * (y % 3)))
             for y in range(1990, 2020)]
    rows += [("asylum_applications", pd.Timestamp(y, 12, 31), "total", 1000 + 8000 * lsp)
             for y in range(1990, 2020)]
    out = pd.DataFrame(rows, columns=["series", "reference_date", "category", "value"])
    out["value"] *= np.exp(rng.normal(0, 0.01, len(out)))
    return SimpleNamespace(outputs=out)


@pytest.fixture(scope="module")
def targets():
    return assign_groups(fixture_engine(load_parameters().with_values(TRUTH), seed=99).outputs)


def _check(targets, evaluations=100, **kw):
    return best_fit(START, targets=targets, engine=fixture_engine, names=list(TRUTH),
                    evaluations=evaluations, **kw)


def test_the_search_moves_towards_the_parameters_that_made_the_data(targets):
    result = _check(targets)
    assert result.evaluations <= 100
    assert result.distance < 0.25 * result.start_distance
    assert result.history == sorted(result.history, reverse=True)  # best so far never rises
    assert result.values["enforcement.campaign_multiplier"] == pytest.approx(2.5, abs=0.3)
    assert result.values["spr.base_grant_probability"] == pytest.approx(0.35, rel=0.2)
    fresh = rescore(result.values, targets=targets, engine=fixture_engine)
    assert max(fresh) < 0.5 * result.start_distance  # not an artefact of the search's seed


def test_a_pinned_parameter_keeps_its_value_and_limits_the_fit(targets):
    free = _check(targets)
    pinned = _check(targets, pinned={"enforcement.campaign_multiplier": 1.0})
    assert pinned.values["enforcement.campaign_multiplier"] == 1.0
    assert pinned.pinned == {"enforcement.campaign_multiplier": 1.0}
    assert pinned.distance > 2 * free.distance  # the stock cannot fall without the campaign


def test_same_seeds_same_result_and_bad_start_values_are_named(targets):
    assert _check(targets, 30).values == _check(targets, 30).values
    with pytest.raises(ValueError, match="0.05 of spr.base_grant_probability lies outside its prior"):
        best_fit({**START, "spr.base_grant_probability": 0.05}, targets=targets,
                 engine=fixture_engine, names=list(TRUTH))
    with pytest.raises(KeyError, match="spr.base_grant_probability"):
        best_fit({"enforcement.campaign_multiplier": 2.0}, targets=targets, engine=fixture_engine,
                 names=list(TRUTH))
