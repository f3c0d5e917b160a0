"""Enforcement rules: detection intensity, regional visibility, departure orders (M7, M8).

Paper §1 and §6: annual national crackdown campaigns from 2004 under the December 2003 cabinet
goal to halve the unauthorized population by 2008; §3: some migrants live far from Tokyo to be
less visible.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sidedoor.institutions.parameters import ParameterSet


def enforcement_intensity(date: dt.date, params: ParameterSet) -> float:
    """Relative detection intensity on ``date`` (1.0 = pre-2004 reference; M7/M8, §1, §6).

    ``1 + (campaign_multiplier - 1) x campaign_level x s``: ``s`` is 1 while the December 2003
    halving plan ran (to ``halving_target_year``) and ``post_plan_strength`` after it, when
    the annual campaigns went on (§1: "for over a decade") without the plan's target.
    """
    level = float(params.value("enforcement.campaign_level", date))
    if level == 0.0:
        return 1.0
    mult = float(params.value("enforcement.campaign_multiplier", date))
    if after_halving_plan(date, params):
        level *= float(params.value("enforcement.post_plan_strength", date))
    return 1.0 + (mult - 1.0) * level


def after_halving_plan(date: dt.date, params: ParameterSet) -> bool:
    """Whether ``date`` falls after the halving plan's target year (False before the plan of
    December 2003 existed, e.g. for a reform that starts a campaign earlier)."""
    plan = params["enforcement.halving_target_year"]
    if date < plan.values[0].start:
        return False
    return date.year > int(plan.value_at(date))


def region_detection_factor(
    tokyo_area: np.ndarray, params: ParameterSet, date: dt.date | None = None
) -> np.ndarray:
    """Detection factor by place of residence: 1 in Greater Tokyo, lower elsewhere (M7, §3).

    ``date`` defaults to the latest value (the factor is a constant calibrated parameter).
    """
    p = params["enforcement.remote_detection_factor"]
    remote = p.values[-1].value if date is None else p.value_at(date)
    return np.where(np.asarray(tokyo_area, dtype=bool), 1.0, float(remote))


def departure_order_available(date: dt.date, params: ParameterSet) -> bool:
    """Whether the departure-order system exists (from 2004-12-02; M7)."""
    return bool(params.value("enforcement.departure_order_available", date))
