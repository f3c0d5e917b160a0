"""The migration industry (M4; §2.3, §4.2, §5.1): fees set debt, brokers follow the open door.

Language academies, sending and supervising organizations and asylum brokers finance
migration by debt. Debt is what turns an expiring permit into an overstay and a bad
employer into a runaway (M3). Asylum brokers move into the asylum channel once it yields
work permits (2010) and out of it when it stops doing so: their *reach* grows logistically
while the channel is a side door and decays otherwise.
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine.draws import Stream
from sidedoor.engine.context import status_mask
from sidedoor.engine.population import Sector
from sidedoor.institutions.statuses import Status

MECHANISM = "M4"
SECTION = "§2.3, §4.2, §5.1"

STUDENTS = (Status.PRE_COLLEGE_STUDENT, Status.COLLEGE_STUDENT)
INTERNS = (Status.TRAINEE, Status.TECHNICAL_INTERN)

IS_INTERN = status_mask(INTERNS)
IS_BROKERED = status_mask((Status.TEMPORARY_VISITOR, Status.ENTERTAINER, Status.OVERSTAYER))

#: Sectors open to each kind of entrant (§4.1): drawn uniformly within the list.
SECTORS = {
    "intern": (Sector.CONSTRUCTION, Sector.MANUFACTURING, Sector.FOOD_PROCESSING, Sector.AGRICULTURE),
    "student": (Sector.RESTAURANTS, Sector.FOOD_PROCESSING, Sector.WHOLESALE_MARKET, Sector.OTHER),
    "unauthorized": tuple(Sector),
    "settled": (Sector.MANUFACTURING, Sector.OTHER),
}


def wage(month, status: int) -> float:
    """Monthly wage (JPY) in a status: interns near minimum wage, students within their hours."""
    b = month.b
    if status in INTERNS or status == Status.ENTERTAINER:
        return b["intern_wage"]
    if status in STUDENTS:
        net = b["student_hourly_wage"] * month.rule("student_work_hours") * 4.3 - b["student_tuition"]
        return max(net, 0.0)
    if status in (Status.OVERSTAYER, Status.ASYLUM_APPLICANT_WORK_PERMIT):
        return b["intern_wage"] * b["overstayer_wage_multiplier"]
    if status == Status.ASYLUM_APPLICANT:
        return b["intern_wage"] * 0.5  # informal odd jobs without a permit
    if status in (Status.DETAINED, Status.PROVISIONAL_RELEASE):
        return 0.0
    return b["nikkei_wage"]


def entry_debt(month, status: np.ndarray, u: np.ndarray, broker_u: np.ndarray) -> np.ndarray:
    """Debt at entry (JPY) from fees: intern fees 700,000-1,000,000 (§4.2), student loans,
    brokered visitors and entertainers."""
    b = month.b
    debt = np.zeros(status.size)
    intern = IS_INTERN[status]
    debt[intern] = b["intern_broker_fee_low"] + u[intern] * (b["intern_broker_fee_high"] - b["intern_broker_fee_low"])
    loan = -b["student_debt_mean"] * np.log1p(-u * 0.999)
    debt = np.where(status == Status.PRE_COLLEGE_STUDENT, loan, debt)
    debt = np.where(status == Status.COLLEGE_STUDENT, 0.5 * loan, debt)
    brokered = IS_BROKERED[status]
    debt = np.where(brokered & (broker_u < b["visitor_broker_share"]), b["visitor_broker_fee"], debt)
    return debt


#: Sector group of each status (index = status code).
GROUP_OF = np.array([2 if s in (Status.OVERSTAYER, Status.TEMPORARY_VISITOR, Status.ENTERTAINER)
                     else 0 if s in INTERNS else 1 if s in STUDENTS else 3 for s in Status], dtype=np.intp)
_GROUPS = ("intern", "student", "unauthorized", "settled")
_SECTOR_TABLE = np.zeros((4, len(Sector)), dtype=np.uint8)
_SECTOR_COUNT = np.zeros(4, dtype=np.intp)
for _g, _name in enumerate(_GROUPS):
    _SECTOR_COUNT[_g] = len(SECTORS[_name])
    _SECTOR_TABLE[_g, : len(SECTORS[_name])] = SECTORS[_name]


def draw_attributes(month, rows: slice) -> None:
    """Fill the attributes of new agents in ``rows`` (entrants or the initial population).

    Every attribute uses its own counter-based stream keyed by the agent id, so an agent's
    attributes do not depend on who else entered.
    """
    pop, b = month.pop, month.b
    idx = np.arange(rows.start, rows.stop)
    if idx.size == 0:
        return
    status = pop.status[idx]
    u = {s: month.uniforms(idx, s) for s in (Stream.ATTR_SEX, Stream.ATTR_DEBT, Stream.ATTR_SECTOR,
                                              Stream.ATTR_TOKYO, Stream.ATTR_CRIMINAL, Stream.ATTR_BROKER,
                                              Stream.ATTR_ABUSE, Stream.ATTR_AGE)}
    pop.female[idx] = u[Stream.ATTR_SEX] < b["female_share"]
    pop.birth_month[idx] = (month.m - (20 + 15 * u[Stream.ATTR_AGE]) * 12).astype(np.int16)
    pop.debt[idx] = entry_debt(month, status, u[Stream.ATTR_DEBT], u[Stream.ATTR_BROKER]).astype(np.float32)
    pop.broker_used[idx] = pop.debt[idx] > 0
    pop.wage[idx] = month.wage_table[status]
    pop.ledger_month[idx] = month.m
    group = GROUP_OF[status]
    pick = (u[Stream.ATTR_SECTOR] * _SECTOR_COUNT[group]).astype(np.intp)
    pop.sector[idx] = _SECTOR_TABLE[group, pick]
    intern = IS_INTERN[status]
    pop.employer_size[idx] = np.where(intern | (status == Status.OVERSTAYER), 0, 1)
    pop.tokyo_area[idx] = u[Stream.ATTR_TOKYO] < b["tokyo_area_share"]
    pop.criminal_record[idx] = u[Stream.ATTR_CRIMINAL] < b["criminal_record_share"]
    pop.abusive_employer[idx] = intern & (u[Stream.ATTR_ABUSE] < b["abusive_employer_share"])
    # After the 2010 merger, language-school students enter with the student status.
    merged = not month.rule("channel_open", Status.PRE_COLLEGE_STUDENT)
    pop.language_school[idx] = (status == Status.PRE_COLLEGE_STUDENT) | (
        merged & (status == Status.COLLEGE_STUDENT))


def update_broker_reach(month) -> float:
    """Asylum brokers' reach (0-1): logistic growth while applying yields a work permit,
    decay otherwise. Stored in the engine state; returns this month's reach."""
    reach = month.state.get("broker_reach", 0.02)
    r = month.b["broker_reach_growth"] / 12.0
    target = max(month.asylum_work_value, 0.02)
    if target > reach:
        reach = reach + r * reach * (1.0 - reach / target)
    else:
        reach = reach - r * (reach - target)
    reach = float(min(max(reach, 0.02), 1.0))
    month.state["broker_reach"] = reach
    return reach
