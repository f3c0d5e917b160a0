"""Refugee recognition rules (M5 of MECHANISMS.md; paper §5.1).

The 2010 rule let applicants work six months after applying: a new side door. From 2018-01-15
applications are pre-screened into categories A-D and only A may obtain and extend work and
residence permits. Recognition stays below 1% a year. A pending application stops removal
(non-refoulement) until the 2023 revision (in force 2024-06-10), from which a third or later
application no longer does.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum

import numpy as np

from sidedoor.institutions.entry import in_force
from sidedoor.institutions.parameters import ParameterSet


class ScreeningCategory(IntEnum):
    """Pre-screening categories of the January 2018 operation (int8 in the engine)."""

    NOT_SCREENED = -1
    A = 0  # likely Convention refugee or humanitarian need: prompt work permit
    B = 1  # grounds clearly outside the Convention: residence restricted
    C = 2  # repeat application with the same grounds: residence restricted
    D = 3  # other cases


def screening_active(date: dt.date, params: ParameterSet) -> bool:
    """Whether the A/B/C/D pre-screening applies to applications on ``date`` (§5.1, from
    applications of 2018-01-15)."""
    return bool(params.value("asylum.screening_active", date))


def screening_category_shares(date: dt.date, params: ParameterSet) -> np.ndarray:
    """Shares of applicants sorted into A, B, C, D on ``date`` (sum 1); all zero before 2018.

    A is calibrated (prior: officials expected under 1%); B and C are assumed shares of the
    rest; D takes what remains.
    """
    if not screening_active(date, params):
        return np.zeros(4)
    a = float(params.value("asylum.screening_share_a", date))
    b = float(params.value("asylum.screening_remainder_share_b", date))
    c = float(params.value("asylum.screening_remainder_share_c", date))
    rest = 1.0 - a
    return np.array([a, rest * b, rest * c, rest * max(0.0, 1.0 - b - c)])


def assign_screening_category(
    n_applications: np.ndarray, uniform_draws: np.ndarray, date: dt.date, params: ParameterSet
) -> np.ndarray:
    """Screening category of new applications from uniform draws in [0, 1) (int8).

    Before the screening: all ``NOT_SCREENED``. After: category C is by definition a repeat
    application, so a repeat applicant (second or later) is A with the A share and C otherwise;
    a first applicant is A with the A share, else B or D in the ratio of their shares. The
    realised C share therefore follows the engine's repeat share, not the assumed C share.
    """
    n = np.asarray(n_applications)
    u = np.asarray(uniform_draws, dtype=float)
    if not screening_active(date, params):
        return np.full(n.shape, ScreeningCategory.NOT_SCREENED, dtype=np.int8)
    a, b, _, d = screening_category_shares(date, params)
    b_given_not_a = b / (b + d) if b + d > 0 else 1.0
    first = np.where(u < a + (1 - a) * b_given_not_a, ScreeningCategory.B, ScreeningCategory.D)
    cat = np.where(n >= 2, ScreeningCategory.C, first)
    cat = np.where(u < a, ScreeningCategory.A, cat)
    return cat.astype(np.int8)


def asylum_may_work(
    months_since_application: np.ndarray,
    screening_category: np.ndarray,
    n_applications: np.ndarray,
    date: dt.date,
    params: ParameterSet,
) -> np.ndarray:
    """Whether each pending applicant may hold a working 'designated activities' status (§5.1).

    Before March 2010: no one. From March 2010 (paper: 2010; Diet record: 平成22年3月): after
    ``asylum.work_permit_months_after_application`` (6) months. From 2018-01-15: only category A
    (after ``asylum.category_a_wait_months``, 0); unscreened applicants cannot work. Applies to
    applicants who applied while holding a status; the engine routes unauthorized applicants to
    ``ASYLUM_APPLICANT`` without a permit. ``n_applications`` is kept for the interface: repeat
    applicants are restricted through category C.
    """
    months = np.asarray(months_since_application)
    category = np.asarray(screening_category)
    np.broadcast_shapes(months.shape, category.shape, np.shape(n_applications))
    if not in_force(params, "asylum.work_permit_enabled", date, before=False):
        return np.zeros(months.shape, dtype=bool)
    if screening_active(date, params):
        wait = params.value("asylum.category_a_wait_months", date)
        return (category == ScreeningCategory.A) & (months >= wait)
    wait = params.value("asylum.work_permit_months_after_application", date)
    return months >= wait


def deportable(
    asylum_pending: np.ndarray, n_applications: np.ndarray, date: dt.date, params: ParameterSet
) -> np.ndarray:
    """Whether each person may be removed on ``date`` (non-refoulement, §5.1).

    A pending application stops removal. From 2024-06-10 (2023 ICRRA revision) a pending third or
    later application no longer does (``asylum.removal_suspension_max_application`` = 2).
    """
    pending = np.asarray(asylum_pending, dtype=bool)
    if params.value("asylum.repeat_applications_stop_deportation", date):
        return ~pending
    limit = params.value("asylum.removal_suspension_max_application", date)
    return ~pending | (np.asarray(n_applications) > limit)


def recognition_probability(date: dt.date, params: ParameterSet) -> float:
    """Probability that a decided application is recognised (§5.1: below 1% a year); 0 before
    recognitions began in 1982."""
    if not params.value("asylum.recognition_active", date):
        return 0.0
    return float(params.value("asylum.recognition_probability", date))
