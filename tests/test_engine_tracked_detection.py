"""Overstayers the authorities track by name are found sooner (M7, §6; calibrated).

A runaway intern's supervising organisation reports the disappearance, and an asylum
applicant's address is on file, so once their permit lapses these overstayers are detected
at ``tracked_detection_multiplier`` times the hazard of other overstayers. The ISA's count of
persons processed in 2019 by last status (4,651 former interns of 19,386) is the check: the
engine reports the same breakdown, ``deportations_by_status``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sidedoor.engine.cohort import CohortSpec, run_cohort
from sidedoor.engine.processes import enforcement
from sidedoor.institutions.parameters import load_parameters
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality

START = dt.date(1980, 1, 1)
OVERSTAYER, DETAINED = Status.OVERSTAYER.label, Status.DETAINED.label


def _detained_share(multiplier: float) -> float:
    """Share of a runaway-prone intern cohort's overstayers detected by the horizon."""
    from sidedoor.engine.inputs import build_inputs

    params = (load_parameters()
              .override("behaviour.intern_runaway_hazard", 0.05, START)
              .override("behaviour.tracked_detection_multiplier", multiplier, START))
    spec = CohortSpec(Status.TECHNICAL_INTERN, Nationality.VIETNAM, dt.date(2015, 4, 1), debt_jpy=900_000)
    result = run_cohort(spec, 400, params=params, inputs=build_inputs(params), background=None, seed=11,
                        end=dt.date(2019, 12, 1))
    ev = result.events
    overstayed = set(ev.loc[ev.to_status == OVERSTAYER, "person"])
    found = set(ev.loc[(ev.from_status == OVERSTAYER) & (ev.to_status == DETAINED), "person"])
    assert len(overstayed) > 100
    return len(found & overstayed) / len(overstayed)


def test_tracked_overstayers_are_found_sooner():
    one, eight = _detained_share(1.0), _detained_share(8.0)
    assert eight > one + 0.2, (one, eight)


def test_the_multiplier_applies_to_interns_and_applicants_only():
    tracked = {Status(code) for code in np.flatnonzero(enforcement.TRACKED_AT_OVERSTAY)}
    assert tracked == {Status.TRAINEE, Status.TECHNICAL_INTERN, Status.ASYLUM_APPLICANT,
                       Status.ASYLUM_APPLICANT_WORK_PERMIT}
