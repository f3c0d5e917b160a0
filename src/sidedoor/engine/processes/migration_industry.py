"""The migration industry (M4; §2.3, §4.2, §5.1): fees set debt, brokers follow the open door.

Language academies, sending and supervising organizations and asylum brokers finance
migration by debt. Debt is what turns an expiring permit into an overstay and a bad
employer into a runaway (M3). Asylum brokers move into the asylum channel once it yields
work permits (2010) and out of it when it stops doing so: their *reach* grows logistically
while the channel is a side door and decays otherwise.
"""

from __future__ import annotations

import numpy as np
from numba import njit

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


def intern_fee_cap(month) -> float:
    """The legal cap on intern broker fees this month (``rules.broker_fee_cap``; ``inf`` when
    none is enforced). Why here: the fee is where the debt that drives running away (M3) and
    overstaying at expiry starts, so a cap acts on both through the existing debt effect."""
    return float(month.rule("broker_fee_cap"))


def entry_debt(month, status: np.ndarray, u: np.ndarray, broker_u: np.ndarray) -> np.ndarray:
    """Debt at entry (JPY) from fees: intern fees 700,000-1,000,000 (§4.2), capped by
    ``intern_fee_cap``, student loans, brokered visitors and entertainers."""
    b = month.b
    debt = np.zeros(status.size)
    intern = IS_INTERN[status]
    fee = b["intern_broker_fee_low"] + u[intern] * (b["intern_broker_fee_high"] - b["intern_broker_fee_low"])
    debt[intern] = np.minimum(fee, intern_fee_cap(month))
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


#: Streams of the attributes drawn at entry, in the order of ``_attributes``'s ``u`` rows.
ATTRIBUTE_STREAMS = (Stream.ATTR_SEX, Stream.ATTR_DEBT, Stream.ATTR_SECTOR, Stream.ATTR_TOKYO, Stream.ATTR_CRIMINAL,
                     Stream.ATTR_BROKER, Stream.ATTR_ABUSE, Stream.ATTR_AGE)
_PRE, _COLLEGE, _OVER = int(Status.PRE_COLLEGE_STUDENT), int(Status.COLLEGE_STUDENT), int(Status.OVERSTAYER)


@njit(cache=True)
def _attributes(status, u, loan, month, shares, fees, merged, wage_table, is_intern, is_brokered, group_of,
                sector_table, sector_count, female, birth_month, debt, broker_used, wage, sector, employer_size,
                tokyo_area, criminal_record, abusive_employer, language_school):
    """Every entry attribute in one pass, with numpy's operations in numpy's order (see
    ``draw_attributes``); ``loan`` is the student loan by row (computed with numpy's log1p).
    shares = (female, tokyo, criminal, abusive employer, brokered visitor);
    fees = (intern fee low, intern fee high - low, brokered visitor fee, intern fee cap)."""
    for i in range(status.shape[0]):
        s = status[i]
        intern = is_intern[s]
        female[i] = u[0, i] < shares[0]
        birth_month[i] = np.int16(month - (20 + 15 * u[7, i]) * 12)
        d = 0.0
        if intern:
            d = min(fees[0] + u[1, i] * fees[1], fees[3])
        if s == _PRE:
            d = loan[i]
        elif s == _COLLEGE:
            d = 0.5 * loan[i]
        if is_brokered[s] and u[5, i] < shares[4]:
            d = fees[2]
        d32 = np.float32(d)
        debt[i] = d32
        broker_used[i] = d32 > 0
        wage[i] = wage_table[s]
        g = group_of[s]
        sector[i] = sector_table[g, np.intp(u[2, i] * sector_count[g])]
        employer_size[i] = 0 if (intern or s == _OVER) else 1
        tokyo_area[i] = u[3, i] < shares[1]
        criminal_record[i] = u[4, i] < shares[2]
        abusive_employer[i] = intern and u[6, i] < shares[3]
        language_school[i] = s == _PRE or (merged and s == _COLLEGE)


def draw_attributes(month, rows: slice) -> None:
    """Fill the attributes of new agents in ``rows`` (entrants or the initial population).

    Every attribute uses its own counter-based stream keyed by the agent id, so an agent's
    attributes do not depend on who else entered. Sex, age, debt (``entry_debt``), wage,
    sector, employer size, Tokyo area, criminal record, abusive employer and language school
    (intern fees capped by ``intern_fee_cap`` when a reform enforces a cap) are computed in one
    compiled pass (at 1:1 about 12M entrants, ~30 numpy passes each).
    """
    pop, b = month.pop, month.b
    if rows.stop <= rows.start:
        return
    rows = slice(rows.start, rows.stop)  # contiguous: views, not gathers
    status = pop.status[rows]
    u = month.uniforms_of_rows(rows, ATTRIBUTE_STREAMS)
    loan = np.zeros(status.size)
    student = (status == _PRE) | (status == _COLLEGE)
    if student.any():  # as in entry_debt (numpy's log1p, only where it is used)
        loan[student] = -b["student_debt_mean"] * np.log1p(-u[1, student] * 0.999)
    # After the 2010 merger, language-school students enter with the student status.
    merged = not month.rule("channel_open", Status.PRE_COLLEGE_STUDENT)
    shares = np.array([b["female_share"], b["tokyo_area_share"], b["criminal_record_share"],
                       b["abusive_employer_share"], b["visitor_broker_share"]], dtype=np.float64)
    fees = np.array([b["intern_broker_fee_low"], b["intern_broker_fee_high"] - b["intern_broker_fee_low"],
                     b["visitor_broker_fee"], intern_fee_cap(month)], dtype=np.float64)
    _attributes(status, u, loan, month.m, shares, fees, merged, month.wage_table, IS_INTERN, IS_BROKERED, GROUP_OF,
                _SECTOR_TABLE, _SECTOR_COUNT, pop.female[rows], pop.birth_month[rows], pop.debt[rows],
                pop.broker_used[rows], pop.wage[rows], pop.sector[rows], pop.employer_size[rows], pop.tokyo_area[rows],
                pop.criminal_record[rows], pop.abusive_employer[rows], pop.language_school[rows])
    pop.ledger_month[rows] = month.m


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
