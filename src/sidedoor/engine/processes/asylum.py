"""The refugee recognition system as a side door (M5; §5.1).

From 2010 an applicant may work six months after applying (``asylum_may_work``), and
appeals and repeat applications prolong the stay: students, interns, visitors and
overstayers near the end of their stay apply when a work permit is obtainable and brokers
reach them (M4). From January 2018 the screening sorts applicants into A-D
(``assign_screening_category`` with ``screening_category_shares``); B-D cannot hold a
working status, and when their permit lapses they become overstayers whose status at
overstay is *designated activities* (the paper's 2,286 -> 4,224 rise, 2018-2019).
Recognition stays below 1% (``recognition_probability``); a pending application stops
removal (``deportable``), the non-refoulement limbo.
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine.context import status_mask
from sidedoor.engine.draws import Stream
from sidedoor.engine.groups import rows_in, rows_where
from sidedoor.engine.population import AsylumStage
from sidedoor.engine.processes import migration_industry as industry
from sidedoor.institutions import rules
from sidedoor.institutions.statuses import Status

MECHANISM = "M5"
SECTION = "§5.1"

PERMIT_MONTHS = 6  # designated-activities permits of applicants are renewed every six months
NEAR_EXPIRY_MONTHS = 3
SIDE_DOOR_STATUSES = np.array([Status.PRE_COLLEGE_STUDENT, Status.COLLEGE_STUDENT, Status.TRAINEE,
                               Status.TECHNICAL_INTERN, Status.ENTERTAINER], dtype=np.uint8)
APPLICANT_STATUSES = (Status.ASYLUM_APPLICANT, Status.ASYLUM_APPLICANT_WORK_PERMIT)
IS_SIDE_DOOR = status_mask(SIDE_DOOR_STATUSES)
IS_IRREGULAR = status_mask((Status.OVERSTAYER, Status.DETAINED))
IS_APPLICANT = status_mask(APPLICANT_STATUSES)
#: Statuses in which an application can be pending.
CASE_STATUSES = (Status.ASYLUM_APPLICANT, Status.ASYLUM_APPLICANT_WORK_PERMIT, Status.OVERSTAYER,
                 Status.DETAINED, Status.PROVISIONAL_RELEASE)
PENDING_STAGES = np.array([AsylumStage.PENDING, AsylumStage.APPEAL], dtype=np.uint8)


def incentive(month) -> float:
    """Pull of the asylum door: brokers' reach x (chance of a work permit, or the small
    value of a delayed removal without one)."""
    reach = industry.update_broker_reach(month)
    value = month.asylum_work_value
    share = month.b["no_work_permit_application_share"]
    result = reach * (value + (1.0 - value) * share)
    month.state["asylum_incentive"] = result
    return result


def open_application(month, idx: np.ndarray, via_broker: bool = False) -> None:
    """Record new (or repeat) applications of agents ``idx``: screening, counters, broker fees."""
    if idx.size == 0:
        return
    pop, b = month.pop, month.b
    pop.n_applications[idx] = np.minimum(pop.n_applications[idx].astype(np.int16) + 1, 255).astype(np.uint8)
    pop.application_month[idx] = month.m
    pop.asylum_stage[idx] = AsylumStage.PENDING
    u = month.uniforms(idx, Stream.SCREENING)
    pop.screening_category[idx] = rules.assign_screening_category(pop.n_applications[idx], u, month.date,
                                                                  month.params)
    if via_broker:
        brokered = idx[month.uniforms(idx, Stream.ATTR_BROKER) < b["asylum_broker_share"] * month.asylum_work_value]
        if brokered.size:
            pop.settle(brokered, month.m)
            pop.debt[brokered] += np.float32(b["asylum_broker_fee"])
            pop.broker_used[brokered] = True
    month.count("asylum_applications", idx)


def _apply(month, reach_incentive: float) -> None:
    pop, b, m = month.pop, month.b, month.m
    a0 = b["asylum_application_hazard"]
    # Legal side-door residents near the end of their stay (students, interns, ...).
    near = month.groups.expiring(m + NEAR_EXPIRY_MONTHS - 1)
    near = rows_in(near, pop.status, IS_SIDE_DOOR)
    if near.size and reach_incentive > 0:
        # Exact thinning: only agents whose uniform falls below the largest possible hazard
        # (debt capped at 3 years; a small margin covers float32 rounding) need their debt.
        cap = a0 * reach_incentive * np.exp(b["debt_effect"] * np.array([0.0, 3.0], dtype=np.float32))
        near = month.below(near, Stream.ASYLUM_APPLY, float(cap.max()) * (1 + 1e-5))
        debt_years = pop.debt_now(near, m) / np.maximum(pop.surplus(near) * 12, 1.0)
        h = a0 * reach_incentive * np.exp(b["debt_effect"] * np.minimum(debt_years, 3.0))
        go = near[month.uniforms(near, Stream.ASYLUM_APPLY) < np.minimum(h, 1.0)]
        if go.size:
            month.move(go, Status.ASYLUM_APPLICANT, "M5")
            pop.expiry[go] = m + PERMIT_MONTHS
            open_application(month, go, via_broker=True)
            pop.set_wage(go, np.float32(industry.wage(month, Status.ASYLUM_APPLICANT)), m)
    # Overstayers and detainees apply to delay removal (no work permit: only reach counts).
    # Hazard by (status, asylum stage): 0 for a pending application or appeal (not at risk).
    h = a0 * month.state.get("broker_reach", 0.02) * b["no_work_permit_application_share"]
    table = np.zeros((len(Status), len(AsylumStage)))
    table[Status.OVERSTAYER], table[Status.DETAINED] = min(h, 1.0), min(10 * h, 1.0)
    table[:, PENDING_STAGES] = 0.0
    go = np.concatenate([month.below_by(month.groups.of(s), Stream.ASYLUM_APPLY, table, pop.status, pop.asylum_stage)
                         for s in (Status.OVERSTAYER, Status.DETAINED)])
    open_application(month, go)


def _permits(month) -> None:
    """Work permits after the waiting period; renewal or loss of the applicants' status."""
    pop, b, m = month.pop, month.b, month.m
    applicants = month.groups.of(*APPLICANT_STATUSES)
    if applicants.size == 0:
        return
    stage = pop.asylum_stage[applicants]
    pending = (stage == AsylumStage.PENDING) | (stage == AsylumStage.APPEAL)
    may_work = rules.asylum_may_work(m - pop.application_month[applicants], pop.screening_category[applicants],
                                     pop.n_applications[applicants], month.date, month.params) & pending
    status = pop.status[applicants]
    gain = applicants[may_work & (status == Status.ASYLUM_APPLICANT)]
    if gain.size:
        month.move(gain, Status.ASYLUM_APPLICANT_WORK_PERMIT, "M5")
        pop.expiry[gain] = m + PERMIT_MONTHS
        pop.set_wage(gain, np.float32(industry.wage(month, Status.ASYLUM_APPLICANT_WORK_PERMIT)), m)
    expiring = pop.expiry[applicants] <= m
    screened_out = pending & (pop.screening_category[applicants] > 0)
    renew = expiring & pending & ~screened_out
    pop.expiry[applicants[renew]] = m + PERMIT_MONTHS
    lapse = applicants[expiring & ~renew]
    if lapse.size:
        leave = month.uniforms(lapse, Stream.EXPIRY) < b["screened_out_departure_share"]
        month.move(lapse[leave], Status.DEPARTED, "M5")
        stay = lapse[~leave]
        month.move(stay, Status.OVERSTAYER, "M5")
        pop.set_wage(stay, np.float32(industry.wage(month, Status.OVERSTAYER)), m)


def _decisions(month) -> None:
    """First-instance and appeal decisions; recognition, appeal, final rejection, repeats."""
    pop, b, m = month.pop, month.b, month.m
    p_rec = float(month.rule("recognition_probability"))
    # Cases by stage as of the start of the decisions (an appeal lodged below waits a month).
    groups = [month.groups.of(s) for s in CASE_STATUSES]
    at_stage = {stage: np.concatenate([rows_where(g, pop.asylum_stage, int(stage)) for g in groups])
                for stage in (AsylumStage.PENDING, AsylumStage.APPEAL)}
    for stage, hazard in ((AsylumStage.PENDING, b["asylum_decision_hazard"]),
                          (AsylumStage.APPEAL, b["asylum_appeal_decision_hazard"])):
        decided = month.below(at_stage[stage], Stream.ASYLUM_DECISION + int(stage) * 100, hazard)
        if decided.size == 0:
            continue
        u2 = month.uniforms(decided, Stream.ASYLUM_APPEAL + int(stage) * 100)
        recognized = decided[u2 < p_rec]
        pop.asylum_stage[recognized] = AsylumStage.RECOGNIZED
        month.move(recognized, Status.RECOGNIZED_REFUGEE, "M5")
        pop.expiry[recognized] = m + int(b["renewable_permit_months"])
        month.count("asylum_recognized", recognized)
        rejected = decided[u2 >= p_rec]
        if stage == AsylumStage.PENDING:
            appeal = (u2[u2 >= p_rec] - p_rec) / max(1 - p_rec, 1e-12) < b["asylum_appeal_share"]
            pop.asylum_stage[rejected[appeal]] = AsylumStage.APPEAL
            rejected = rejected[~appeal]
        pop.asylum_stage[rejected] = AsylumStage.REJECTED
        repeat = rejected[month.uniforms(rejected, Stream.ASYLUM_APPLY + 100) <
                          b["asylum_repeat_share"] * month.state.get("broker_reach", 0.02)]
        open_application(month, repeat)


def step(month, inputs=None) -> None:
    reach_incentive = incentive(month)
    _apply(month, reach_incentive)
    _permits(month)
    _decisions(month)
