"""The rule functions the population engine calls once per simulated month (M1-M8).

Every rule is a pure function of person attributes (numpy arrays), a ``datetime.date`` and a
``ParameterSet``; the rules themselves live in one module per institution and are gathered
here so the engine has a single, stable import. ``RULES`` lists them for documentation.
"""

from __future__ import annotations

from sidedoor.institutions.asylum import (
    ScreeningCategory,
    assign_screening_category,
    asylum_may_work,
    deportable,
    recognition_probability,
    screening_active,
    screening_category_shares,
)
from sidedoor.institutions.enforcement import (
    departure_order_available,
    enforcement_intensity,
    region_detection_factor,
)
from sidedoor.institutions.entry import (
    NO_TIME_LIMIT,
    border_inflow_factor,
    broker_fee_cap,
    channel_open,
    max_stay_months,
    may_change_employer,
    student_work_hours,
    visa_exempt,
)
from sidedoor.institutions.legalization import spr_grant_propensity, spr_regime

#: Rule name -> (mechanism, paper section).
RULES: dict[str, tuple[str, str]] = {
    "border_inflow_factor": ("M1", "note 12"),
    "channel_open": ("M1", "§4.1, notes 4-5"),
    "visa_exempt": ("M1", "§4.1, note 8"),
    "max_stay_months": ("M3", "§4.2, note 4"),
    "may_change_employer": ("M3", "§4.2"),
    "student_work_hours": ("M1", "§4.2, note 6"),
    "broker_fee_cap": ("M4", "§4.2"),
    "asylum_may_work": ("M5", "§5.1"),
    "screening_active": ("M5", "§5.1"),
    "screening_category_shares": ("M5", "§5.1"),
    "assign_screening_category": ("M5", "§5.1"),
    "deportable": ("M5", "§5.1"),
    "recognition_probability": ("M5", "§5.1"),
    "spr_grant_propensity": ("M6", "§5.2"),
    "spr_regime": ("M6", "§5.2"),
    "enforcement_intensity": ("M7", "§1, §6"),
    "region_detection_factor": ("M7", "§3"),
    "departure_order_available": ("M7", "§1"),
}

__all__ = [
    "NO_TIME_LIMIT", "RULES", "ScreeningCategory", "assign_screening_category", "asylum_may_work",
    "border_inflow_factor", "broker_fee_cap", "channel_open", "departure_order_available", "deportable",
    "enforcement_intensity", "max_stay_months", "may_change_employer", "recognition_probability",
    "region_detection_factor", "screening_active", "screening_category_shares",
    "spr_grant_propensity", "spr_regime", "student_work_hours", "visa_exempt",
]
