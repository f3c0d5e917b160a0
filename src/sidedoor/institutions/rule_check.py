"""Evaluate every rule function once on a date: a check that a parameter set is complete.

Used by reform validation: a reform is only accepted if all the rules the engine calls can
still be computed where its changes take effect.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sidedoor.institutions import rules
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality


def evaluate_all_rules(date: dt.date, params: ParameterSet) -> None:
    """Call each rule of ``rules.RULES`` with one person of every kind; raise what they raise."""
    nationality = np.arange(len(Nationality), dtype=np.uint8)
    flag = np.array([True, False])
    rules.border_inflow_factor(date, params)
    for status in Status:
        rules.channel_open(status, date, params)
        rules.max_stay_months(status, date, params)
        rules.may_change_employer(status, date, params)
    rules.visa_exempt(nationality, date, params)
    rules.student_work_hours(date, params)
    rules.broker_fee_cap(date, params)
    rules.asylum_may_work(np.array([0, 7, 13]), np.array([-1, 0, 2], dtype=np.int8),
                          np.array([1, 1, 3]), date, params)
    rules.screening_active(date, params)
    rules.screening_category_shares(date, params)
    rules.assign_screening_category(np.array([1, 3]), np.array([0.1, 0.9]), date, params)
    rules.spr_grant_propensity(flag, flag, flag[::-1], np.array([1.0, 10.0]), date, params)
    rules.spr_regime(date, params)
    rules.deportable(flag, np.array([1, 3]), date, params)
    rules.enforcement_intensity(date, params)
    rules.region_detection_factor(flag, params, date)
    rules.recognition_probability(date, params)
    rules.departure_order_available(date, params)
