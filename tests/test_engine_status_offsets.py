"""Each status offset acts on its own side door only (M3, §4.1-4.2).

Why this matters: ``status_log_odds_offset_pre_college`` (language-school students) and
``status_log_odds_offset_entertainer`` are assumptions that set how often each door turns
into the back door, and the official status breakdown is how a reader checks them
(``sidedoor validate``, composition). If an offset also moved the other doors, the breakdown
could not tell which assumption is wrong. (A fit with both offsets calibrated is recorded in
docs/calibration.md, "Composition".)
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sidedoor.engine import simulate
from sidedoor.institutions.parameters import load_parameters

WHEN = pd.Timestamp("2004-01-01")  # first official status breakdown
PRE_COLLEGE = "behaviour.status_log_odds_offset_pre_college"
ENTERTAINER = "behaviour.status_log_odds_offset_entertainer"


def _by_status(**values: float) -> pd.Series:
    params = load_parameters()
    for name, value in values.items():
        params = params.override(name, value, dt.date(1980, 1, 1))
    out = simulate(params=params, seed=11, start="1990-01", end="2004-01", scale=0.02).outputs
    rows = out[(out["series"] == "overstayers_by_status") & (pd.to_datetime(out["reference_date"]) == WHEN)
               & ~out["category"].str.contains("|", regex=False)]
    return rows.set_index("category")["value"]


@pytest.fixture(scope="module")
def runs() -> dict[str, pd.Series]:
    return {"base": _by_status(), "schools": _by_status(**{PRE_COLLEGE: -2.0}),
            "clubs": _by_status(**{ENTERTAINER: -3.5})}


def test_lower_language_school_offset_means_fewer_former_pre_college_overstayers(runs):
    assert runs["schools"]["pre_college_student"] < 0.6 * runs["base"]["pre_college_student"]
    # entertainers decide with their own offset: within the noise of co-national networks
    assert runs["schools"]["entertainer"] == pytest.approx(runs["base"]["entertainer"], rel=0.15)


def test_lower_entertainer_offset_means_fewer_former_entertainer_overstayers(runs):
    assert runs["clubs"]["entertainer"] < 0.6 * runs["base"]["entertainer"]
    assert runs["clubs"]["pre_college_student"] == pytest.approx(runs["base"]["pre_college_student"], rel=0.15)
