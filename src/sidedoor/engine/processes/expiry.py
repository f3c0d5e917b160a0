"""Status expiry: renewal, progression or change of status, departure, or overstay (M1, M3; §4.2).

Side doors have an end: language schools last two years (and shell schools do not lead to
college), interns reach ``max_stay_months``, entertainers' contracts run out. At that point
a migrant renews or changes status where the rules allow (trainee -> intern from 1993,
intern -> SSW from 2019, Nikkei and spouses renew), or must leave, or overstays. The
overstay decision is a logit in the wage gap, the debt still owed, labour demand, the
co-national network and enforcement (``Month.pull``): the side door becomes the back door.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from numba import njit

from sidedoor.engine.context import status_mask
from sidedoor.engine.draws import Stream
from sidedoor.engine.groups import rows_in
from sidedoor.engine.processes import migration_industry as industry
from sidedoor.institutions.statuses import Status

MECHANISM = "M3"
SECTION = "§4.2"

EXPIRING = np.array([Status.PRE_COLLEGE_STUDENT, Status.COLLEGE_STUDENT, Status.TRAINEE, Status.TECHNICAL_INTERN,
                     Status.NIKKEI_LONG_TERM_RESIDENT, Status.ENTERTAINER, Status.SPOUSE_OF_JAPANESE,
                     Status.SPECIFIED_SKILLED_WORKER, Status.LABOUR_MIGRANT, Status.RECOGNIZED_REFUGEE,
                     Status.SPR_REGULARIZED], dtype=np.uint8)
IS_EXPIRING = status_mask(EXPIRING)
IS_RENEWABLE = status_mask((Status.NIKKEI_LONG_TERM_RESIDENT, Status.LABOUR_MIGRANT, Status.SPOUSE_OF_JAPANESE,
                            Status.RECOGNIZED_REFUGEE, Status.SPR_REGULARIZED, Status.SPECIFIED_SKILLED_WORKER))


def overstay_probability(month, idx: np.ndarray, offset: float) -> np.ndarray:
    """Probability of overstaying at expiry: logistic(base + status offset + pull + debt)."""
    pop, b = month.pop, month.b
    debt_years = pop.debt_now(idx, month.m) / np.maximum(pop.surplus(idx) * 12, 1.0)
    x = (b["overstay_at_expiry_log_odds"] + offset + month.pull(pop.nationality[idx], month.network)
         + b["debt_effect"] * np.minimum(debt_years, 3.0))
    return 1.0 / (1.0 + np.exp(-x))


def trainee_to_intern_share(month, entered: np.ndarray) -> np.ndarray:
    """``behaviour.trainee_to_intern_share`` on the date each trainee entered (month indices).

    Why the entry date: the inputs count TITP entrants as trainees until 2010-06 (the engine
    moves them on) and as technical interns from 2010-07, so a trainee's path is fixed by the
    regime under which they entered, not by the month their traineeship ends.
    """
    out = np.empty(entered.size)
    for start in np.unique(entered):
        k = month.date.year * 12 + month.date.month - 1 + int(start) - month.m
        when = dt.date(k // 12, k % 12 + 1, 1)
        out[entered == start] = month.params.value("behaviour.trainee_to_intern_share", when)
    return out


def _leave_or_overstay(month, idx: np.ndarray, offset: float, u: np.ndarray | None = None) -> None:
    """Those who cannot stay legally: overstay with the logit probability, else depart.

    ``u`` defaults to their ``EXPIRY_OVERSTAY`` uniforms (drawn here, for these agents only).
    """
    if idx.size == 0:
        return
    if u is None:
        u = month.uniforms(idx, Stream.EXPIRY_OVERSTAY)
    p = overstay_probability(month, idx, offset)
    stay = u < p
    over = idx[stay]
    month.move(over, Status.OVERSTAYER, "M3")
    month.pop.set_wage(over, np.float32(industry.wage(month, Status.OVERSTAYER)), month.m)
    month.move(idx[~stay], Status.DEPARTED, "M1")


def _overstay_absconded(month, idx: np.ndarray) -> None:
    """Runaway interns at the end of the permit they held: overstayers (assumption: running
    away to an unauthorized job was already the decision to stay)."""
    month.move(idx, Status.OVERSTAYER, "M3")
    month.pop.absconded[idx] = False


def _change(month, idx: np.ndarray, to: Status, months: int) -> None:
    month.move(idx, to, "M1")
    month.pop.expiry[idx] = month.m + max(int(months), 1)
    month.pop.set_wage(idx, np.float32(industry.wage(month, to)), month.m)


@njit(cache=True)
def _renewals(due, status, u, status_start, renewal_p, renewable, ssw, ssw_limit, month):
    """Renewable statuses in one pass: renew where ``u < p`` (p by status; SSW only within its
    legal limit), else lapse. Returns (renewed rows, lapsed positions in ``due``)."""
    renew = np.empty(due.shape[0], dtype=np.int64)
    lapse = np.empty(due.shape[0], dtype=np.int64)
    n_renew = n_lapse = 0
    for j in range(due.shape[0]):
        s = status[j]
        if not renewable[s]:
            continue
        p = renewal_p[s]
        if s == ssw and not (np.int16(month - status_start[due[j]]) < ssw_limit):
            p = 0.0
        if u[j] < p:
            renew[n_renew] = due[j]
            n_renew += 1
        else:
            lapse[n_lapse] = j
            n_lapse += 1
    return renew[:n_renew], lapse[:n_lapse]


def step(month, inputs=None) -> None:
    pop, b, m = month.pop, month.b, month.m
    due = month.groups.expiring(m)
    if due.size == 0:
        return
    due = rows_in(due, pop.status, IS_EXPIRING)
    if due.size == 0:
        return
    status = pop.status[due]
    u = month.uniforms(due, Stream.EXPIRY)
    renew_months = int(b["renewable_permit_months"])
    # The side-door statuses below work on their own rows (most expiring permits are renewals,
    # handled in one compiled pass at the end on all of them).
    all_due, all_status, all_u = due, status, u
    side = ~IS_RENEWABLE[status]
    due, status, u = due[side], status[side], u[side]

    # Language school (pre-college, or student status held for a language school after 2010).
    lang = (status == Status.PRE_COLLEGE_STUDENT) | ((status == Status.COLLEGE_STUDENT) & pop.language_school[due])
    progress = lang & (u < b["language_school_progression"])
    idx = due[progress]
    pop.language_school[idx] = False
    _change(month, idx, Status.COLLEGE_STUDENT, b["college_months"])
    _leave_or_overstay(month, due[lang & ~progress], b["status_log_odds_offset_pre_college"])

    college = (status == Status.COLLEGE_STUDENT) & ~lang
    _leave_or_overstay(month, due[college], b["status_log_odds_offset_college"])

    # Trainees continue as technical interns where TITP exists (1993-2010 design); the share
    # is that of the trainee's entry date (practical trainees enter as interns from 2010-07).
    # Runaways (``runaway.py``) whose permit in hand lapses: they left to work, so they stay.
    gone = (status == Status.TRAINEE) | (status == Status.TECHNICAL_INTERN)
    gone &= pop.absconded[due]
    _overstay_absconded(month, due[gone])

    trainee = (status == Status.TRAINEE) & ~gone
    share = np.zeros(due.size)
    share[trainee] = trainee_to_intern_share(month, pop.status_start[due[trainee]])
    to_intern = trainee & (u < share) & bool(month.rule("channel_open", Status.TECHNICAL_INTERN))
    remaining = month.rule("max_stay_months", Status.TECHNICAL_INTERN) - b["trainee_months"]
    _change(month, due[to_intern], Status.TECHNICAL_INTERN, max(remaining, 12))
    _leave_or_overstay(month, due[trainee & ~to_intern], b["status_log_odds_offset_intern"])

    intern = (status == Status.TECHNICAL_INTERN) & ~gone
    to_ssw = intern & (u < b["intern_to_ssw_share"]) & bool(month.rule("channel_open", Status.SPECIFIED_SKILLED_WORKER))
    ssw_max = month.rule("max_stay_months", Status.SPECIFIED_SKILLED_WORKER) or renew_months
    _change(month, due[to_ssw], Status.SPECIFIED_SKILLED_WORKER, min(renew_months, ssw_max))
    _leave_or_overstay(month, due[intern & ~to_ssw], b["status_log_odds_offset_intern"])

    # Entertainers: re-engaged within the legal maximum, else leave or overstay.
    ent = status == Status.ENTERTAINER
    ent_max = month.rule("max_stay_months", Status.ENTERTAINER)
    within = (m - pop.entry_month[due]) < (ent_max if ent_max else 10**6)
    renew_ent = ent & within & (u < b["renewal_probability_entertainer"])
    pop.expiry[due[renew_ent]] = m + int(b["entertainer_months"])
    _leave_or_overstay(month, due[ent & ~renew_ent], b["status_log_odds_offset_entertainer"])

    # Renewable statuses: Nikkei, spouses, front-door workers; refugees and SPR holders.
    renewal_p = np.zeros(256)
    renewal_p[Status.NIKKEI_LONG_TERM_RESIDENT] = b["renewal_probability_nikkei"]
    renewal_p[Status.LABOUR_MIGRANT] = b["renewal_probability_nikkei"]
    renewal_p[Status.SPOUSE_OF_JAPANESE] = b["renewal_probability_spouse"]
    renewal_p[Status.SPECIFIED_SKILLED_WORKER] = b["renewal_probability_nikkei"]  # within its legal limit
    renewal_p[[Status.RECOGNIZED_REFUGEE, Status.SPR_REGULARIZED]] = 1.0
    ssw_limit = month.rule("max_stay_months", Status.SPECIFIED_SKILLED_WORKER)
    renew, lapse = _renewals(all_due, all_status, all_u, pop.status_start, renewal_p, IS_RENEWABLE,
                             int(Status.SPECIFIED_SKILLED_WORKER), int(np.clip(ssw_limit, -2**15, 2**15 - 1)), m)
    pop.expiry[renew] = m + renew_months
    _leave_or_overstay(month, all_due[lapse], b["status_log_odds_offset_settled"])
