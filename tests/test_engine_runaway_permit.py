"""A runaway intern keeps the permit in hand until it lapses (M3, §4.2; assumption).

Running away from the designated employer is not an overstay: the intern's period of stay
runs on, and only when it ends does the runaway become an overstayer (status at overstay:
technical intern). Intern permits run a year at a time, so the wait is at most twelve months
and never beyond the programme's end. A cohort of Vietnamese interns (2016) with a high
runaway hazard shows every step of it in the event log.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sidedoor.engine.cohort import CohortSpec, run_cohort
from sidedoor.institutions.parameters import load_parameters
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality
from sidedoor.pathways import paths

INTERN = Status.TECHNICAL_INTERN.label
ENTRY = dt.date(2016, 4, 1)


@pytest.fixture(scope="module")
def cohort():
    from sidedoor.engine.inputs import build_inputs

    params = load_parameters().override("behaviour.intern_runaway_hazard", 0.05, dt.date(1980, 1, 1))
    spec = CohortSpec(Status.TECHNICAL_INTERN, Nationality.VIETNAM, ENTRY, debt_jpy=900_000)
    return run_cohort(spec, 400, params=params, inputs=build_inputs(params), background=None, seed=7,
                      end=dt.date(2021, 12, 1))


def _months(a: pd.Series, b: pd.Series) -> np.ndarray:
    return ((b.dt.year - a.dt.year) * 12 + (b.dt.month - a.dt.month)).to_numpy()


def test_running_away_is_logged_once_and_is_not_yet_an_overstay(cohort):
    ev = cohort.events
    ran = ev[(ev.from_status == INTERN) & (ev.to_status == INTERN) & (ev.mechanism == "M3")]
    assert len(ran) > 100  # most of the 400 run away at a 5% monthly hazard
    assert not ran["person"].duplicated().any()  # an absconded intern cannot run away again
    nxt = ev.groupby("person").shift(-1).loc[ran.index]
    # The next change of a runaway is never back to work: it is the lapse into overstay or an
    # asylum application while the permit still runs (or nothing before the horizon).
    assert set(nxt["to_status"].dropna()) <= {Status.OVERSTAYER.label, Status.ASYLUM_APPLICANT.label}
    lapsed = nxt["to_status"].eq(Status.OVERSTAYER.label)
    assert lapsed.mean() > 0.8
    wait = _months(ran.loc[lapsed, "month"], nxt.loc[lapsed, "month"])
    assert wait.max() <= 12  # the yearly permit in hand
    # The same month only when the programme itself ends then (its last permit month).
    assert (wait == 0).mean() < 0.05
    assert 3 <= np.median(wait) <= 9  # about six months on average, not at once


def test_the_runaways_overstay_is_explained_as_such():
    assert "runs away" in paths.describe(INTERN, INTERN, "M3")
    assert "permit ends" in paths.describe(INTERN, Status.OVERSTAYER.label, "M3")


@pytest.mark.slow
def test_no_runaways_no_intern_overstay_before_the_programme_ends():
    """With the hazard at zero nobody runs away, and an intern leaves the status only at the
    end of the programme (36 months for a 2016 entrant): departure, SSW or overstay."""
    from sidedoor.engine.inputs import build_inputs

    params = load_parameters().override("behaviour.intern_runaway_hazard", 1e-12, dt.date(1980, 1, 1))
    spec = CohortSpec(Status.TECHNICAL_INTERN, Nationality.VIETNAM, ENTRY, debt_jpy=900_000)
    run = run_cohort(spec, 300, params=params, inputs=build_inputs(params), background=None, seed=7,
                     end=dt.date(2019, 12, 1))
    ev = run.events
    assert not ((ev.from_status == INTERN) & (ev.to_status == INTERN)).any()
    left = ev[(ev.from_status == INTERN) & (ev.to_status != Status.ASYLUM_APPLICANT.label)]
    assert len(left) == 300
    assert (left["month"] == pd.Timestamp("2019-04-01")).all()
