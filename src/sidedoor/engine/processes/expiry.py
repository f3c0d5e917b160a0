"""Status expiry: renewal, progression or change of status, departure, or overstay (M1, M3; §4.2).

Side doors have an end: language schools last two years (and shell schools do not lead to
college), interns reach ``max_stay_months``, entertainers' contracts run out. At that point
a migrant renews or changes status where the rules allow (trainee -> intern from 1993,
intern -> SSW from 2019, Nikkei and spouses renew), or must leave, or overstays. The
overstay decision is a logit in the wage gap, the debt still owed, labour demand, the
co-national network and enforcement (``Month.pull``): the side door becomes the back door.
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine.context import status_mask
from sidedoor.engine.draws import Stream
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


def _leave_or_overstay(month, idx: np.ndarray, offset: float, u: np.ndarray) -> None:
    """Those who cannot stay legally: overstay with the logit probability, else depart."""
    if idx.size == 0:
        return
    p = overstay_probability(month, idx, offset)
    stay = u < p
    over = idx[stay]
    month.move(over, Status.OVERSTAYER, "M3")
    month.pop.set_wage(over, np.float32(industry.wage(month, Status.OVERSTAYER)), month.m)
    month.move(idx[~stay], Status.DEPARTED, "M1")


def _change(month, idx: np.ndarray, to: Status, months: int) -> None:
    month.move(idx, to, "M1")
    month.pop.expiry[idx] = month.m + max(int(months), 1)
    month.pop.set_wage(idx, np.float32(industry.wage(month, to)), month.m)


def step(month, inputs=None) -> None:
    pop, b, m = month.pop, month.b, month.m
    due = month.groups.expiring(m)
    if due.size == 0:
        return
    due = due[IS_EXPIRING[pop.status[due]]]
    if due.size == 0:
        return
    status = pop.status[due]
    u = month.uniforms(due, Stream.EXPIRY)
    u_over = month.uniforms(due, Stream.EXPIRY_OVERSTAY)
    renew_months = int(b["renewable_permit_months"])

    # Language school (pre-college, or student status held for a language school after 2010).
    lang = (status == Status.PRE_COLLEGE_STUDENT) | ((status == Status.COLLEGE_STUDENT) & pop.language_school[due])
    progress = lang & (u < b["language_school_progression"])
    idx = due[progress]
    pop.language_school[idx] = False
    _change(month, idx, Status.COLLEGE_STUDENT, b["college_months"])
    _leave_or_overstay(month, due[lang & ~progress], b["status_log_odds_offset_pre_college"], u_over[lang & ~progress])

    college = (status == Status.COLLEGE_STUDENT) & ~lang
    _leave_or_overstay(month, due[college], b["status_log_odds_offset_college"], u_over[college])

    # Trainees continue as technical interns where TITP exists (1993-2010 design).
    trainee = status == Status.TRAINEE
    to_intern = trainee & (u < b["trainee_to_intern_share"]) & bool(month.rule("channel_open", Status.TECHNICAL_INTERN))
    remaining = month.rule("max_stay_months", Status.TECHNICAL_INTERN) - b["trainee_months"]
    _change(month, due[to_intern], Status.TECHNICAL_INTERN, max(remaining, 12))
    _leave_or_overstay(month, due[trainee & ~to_intern], b["status_log_odds_offset_intern"], u_over[trainee & ~to_intern])

    intern = status == Status.TECHNICAL_INTERN
    to_ssw = intern & (u < b["intern_to_ssw_share"]) & bool(month.rule("channel_open", Status.SPECIFIED_SKILLED_WORKER))
    ssw_max = month.rule("max_stay_months", Status.SPECIFIED_SKILLED_WORKER) or renew_months
    _change(month, due[to_ssw], Status.SPECIFIED_SKILLED_WORKER, min(renew_months, ssw_max))
    _leave_or_overstay(month, due[intern & ~to_ssw], b["status_log_odds_offset_intern"], u_over[intern & ~to_ssw])

    # Entertainers: re-engaged within the legal maximum, else leave or overstay.
    ent = status == Status.ENTERTAINER
    ent_max = month.rule("max_stay_months", Status.ENTERTAINER)
    within = (m - pop.entry_month[due]) < (ent_max if ent_max else 10**6)
    renew_ent = ent & within & (u < b["renewal_probability_entertainer"])
    pop.expiry[due[renew_ent]] = m + int(b["entertainer_months"])
    _leave_or_overstay(month, due[ent & ~renew_ent], b["status_log_odds_offset_entertainer"], u_over[ent & ~renew_ent])

    # Renewable statuses: Nikkei, spouses, front-door workers; refugees and SPR holders.
    renewal_p = np.zeros(due.size)
    renewal_p[status == Status.NIKKEI_LONG_TERM_RESIDENT] = b["renewal_probability_nikkei"]
    renewal_p[status == Status.LABOUR_MIGRANT] = b["renewal_probability_nikkei"]
    renewal_p[status == Status.SPOUSE_OF_JAPANESE] = b["renewal_probability_spouse"]
    ssw = status == Status.SPECIFIED_SKILLED_WORKER
    ssw_limit = month.rule("max_stay_months", Status.SPECIFIED_SKILLED_WORKER)
    renewal_p[ssw & ((m - pop.status_start[due]) < ssw_limit)] = b["renewal_probability_nikkei"]
    settled = (status == Status.RECOGNIZED_REFUGEE) | (status == Status.SPR_REGULARIZED)
    renewal_p[settled] = 1.0
    renewable = IS_RENEWABLE[status]
    renew = renewable & (u < renewal_p)
    pop.expiry[due[renew]] = m + renew_months
    lapse = renewable & ~renew
    _leave_or_overstay(month, due[lapse], b["status_log_odds_offset_settled"], u_over[lapse])
