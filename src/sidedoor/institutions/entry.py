"""Entry and stay rules: who may come in, through which door, for how long, with what work rights.

Pure functions of a date and a ``ParameterSet`` (and numpy arrays of person attributes), cheap
enough to call once per simulated month on a million persons. Mechanism M1 (entry channels) and
M3 (side door to back door) of MECHANISMS.md; paper §4.1, §4.2 and notes 4-8.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality

#: Returned by ``max_stay_months`` for statuses renewable without a legal maximum.
NO_TIME_LIMIT = 9999

#: Parameter saying whether a status takes new entrants (M1).
CHANNEL_PARAMETER: dict[Status, str] = {
    Status.TEMPORARY_VISITOR: "entry_channels.temporary_visitor_open",
    Status.PRE_COLLEGE_STUDENT: "entry_channels.pre_college_student_open",
    Status.COLLEGE_STUDENT: "entry_channels.college_student_open",
    Status.TRAINEE: "entry_channels.trainee_open",
    Status.TECHNICAL_INTERN: "entry_channels.technical_intern_open",
    Status.NIKKEI_LONG_TERM_RESIDENT: "entry_channels.nikkei_long_term_resident_open",
    Status.ENTERTAINER: "entry_channels.entertainer_open",
    Status.SPOUSE_OF_JAPANESE: "entry_channels.spouse_of_japanese_open",
    Status.SPECIFIED_SKILLED_WORKER: "ssw.channel_open",
    Status.LABOUR_MIGRANT: "entry_channels.labour_visa_enabled",
}

#: Parameter holding the longest total stay in a time-limited status (M3).
MAX_STAY_PARAMETER: dict[Status, str] = {
    Status.TEMPORARY_VISITOR: "entry_channels.temporary_visitor_max_stay_months",
    Status.PRE_COLLEGE_STUDENT: "students.pre_college_max_stay_months",
    Status.COLLEGE_STUDENT: "students.college_max_stay_months",
    Status.TRAINEE: "entry_channels.trainee_max_stay_months",
    Status.TECHNICAL_INTERN: "titp.max_stay_months",
    Status.ENTERTAINER: "entry_channels.entertainer_max_stay_months",
    Status.SPECIFIED_SKILLED_WORKER: "ssw.max_stay_months",
}

#: Parameter saying whether a worker in a status may change employer (M3).
MOBILITY_PARAMETER: dict[Status, str] = {
    Status.TRAINEE: "entry_channels.trainee_job_mobility",
    Status.TECHNICAL_INTERN: "titp.job_mobility",
    Status.SPECIFIED_SKILLED_WORKER: "ssw.job_mobility",
    Status.LABOUR_MIGRANT: "entry_channels.labour_migrant_job_mobility",
}

#: Statuses whose holders may work for any employer (students within their weekly hours,
#: note 6; Nikkei in any industry, note 5; spouses; asylum applicants with a work permit, §5.1).
FREE_EMPLOYMENT = frozenset({
    Status.PRE_COLLEGE_STUDENT, Status.COLLEGE_STUDENT, Status.NIKKEI_LONG_TERM_RESIDENT,
    Status.SPOUSE_OF_JAPANESE, Status.ASYLUM_APPLICANT_WORK_PERMIT, Status.RECOGNIZED_REFUGEE,
    Status.SPR_REGULARIZED,
})

#: Parameter of each nationality's short-stay visa exemption (M1, note 8).
VISA_EXEMPT_PARAMETER: dict[Nationality, str] = {
    nat: f"entry_channels.visa_exempt_{nat.name.lower()}" for nat in Nationality
}


def in_force(params: ParameterSet, name: str, date: dt.date, before: object = None) -> object:
    """Value of ``name`` on ``date``; ``before`` if the parameter does not exist yet (a status
    or rule that had not been created, never a silent default for an existing one)."""
    p = params[name]
    if date < p.starts[0]:
        return before
    return p.value_at(date)


def border_inflow_factor(date: dt.date, params: ParameterSet) -> float:
    """Share of normal inflows admitted (M1): 1.0 normally, lower during the 2020-2022 border
    closure (note 12: interns still arrived Nov 2020-Jan 2021). ``border.inflow_factor``."""
    return float(params.value("border.inflow_factor", date))


def channel_open(status: Status, date: dt.date, params: ParameterSet) -> bool:
    """Whether new entries from abroad into ``status`` are possible on ``date`` (M1, §4.1).

    Trainees since the 1960s, Nikkei long-term residents from 1990-06-01, TITP from 1993-04-05
    (note 4), pre-college students until their merger into students (2010-07-01), SSW from
    2019-04-01, and the counterfactual ``LABOUR_MIGRANT`` only when a reform sets
    ``entry_channels.labour_visa_enabled``. Asylum, unauthorized and exit statuses are reached
    from inside Japan, never by entry: always False.
    """
    name = CHANNEL_PARAMETER.get(Status(status))
    if name is None:
        return False
    return bool(in_force(params, name, date, before=False))


def visa_exempt(nationality: np.ndarray, date: dt.date, params: ParameterSet) -> np.ndarray:
    """Short-stay visa exemption of each person's nationality on ``date`` (M1, note 8).

    Pakistan and Bangladesh lost the exemption on 1989-01-15, Iran in 1992 (the day 1992-04-15
    is unverified: no shipped source gives the month); Thailand and Malaysia are exempt from
    2013-07-01, Indonesia from 2014-12-01, South Korea and Taiwan from 2005 (month assumed).
    """
    table = np.array(
        [bool(params.value(VISA_EXEMPT_PARAMETER[nat], date)) for nat in Nationality], dtype=bool
    )
    return table[np.asarray(nationality, dtype=np.intp)]


def max_stay_months(status: Status, date: dt.date, params: ParameterSet) -> int:
    """Longest total stay in a time-limited status for someone admitted on ``date`` (M3, §4.2).

    Technical interns (whole TITP stay, the trainee year included before 2010-07): 24 months
    from 1993-04-05, 36 from April 1997, 60 from the Technical Intern Training Act
    (2017-11-01). Pre-college students 24 months. Statuses renewable without a legal maximum
    return ``NO_TIME_LIMIT``; a status that did not exist yet on ``date`` returns 0.
    """
    name = MAX_STAY_PARAMETER.get(Status(status))
    if name is None:
        return NO_TIME_LIMIT
    # A reform may set any length; beyond NO_TIME_LIMIT it means no limit (and must not
    # overflow the engine's int16 expiry field).
    return min(int(in_force(params, name, date, before=0)), NO_TIME_LIMIT)


def may_change_employer(status: Status, date: dt.date, params: ParameterSet) -> bool:
    """Whether a holder of ``status`` may lawfully change employer (M3, §4.2).

    Technical interns may not (``titp.job_mobility``, reformable); SSW workers may change within
    their field; the counterfactual labour migrant may. Statuses without work authorization
    (visitors, entertainers tied to a contract, applicants without a permit, unauthorized and
    detained persons) have no lawful employer to change: False.
    """
    status = Status(status)
    name = MOBILITY_PARAMETER.get(status)
    if name is not None:
        return bool(in_force(params, name, date, before=False))
    return status in FREE_EMPLOYMENT


def broker_fee_cap(date: dt.date, params: ParameterSet) -> float:
    """Legal cap on the fees an intern pays intermediaries (M4, §4.2): ``inf`` when no cap is
    enforced (the law as modelled), ``titp.broker_fee_cap_jpy`` when a reform enables one."""
    if not in_force(params, "titp.broker_fee_cap_enabled", date, before=False):
        return float("inf")
    return float(params.value("titp.broker_fee_cap_jpy", date))


def student_work_hours(date: dt.date, params: ParameterSet) -> float:
    """Weekly hours a student may work off campus on ``date`` (M1, §4.2, note 6).

    0 before the 1983 rule; then 28 h/week in term and 40 h/week in the long-vacation months
    (``students.vacation_months``, an assumption).
    """
    if not in_force(params, "students.off_campus_work_allowed", date, before=False):
        return 0.0
    months = {int(m) for m in str(params.value("students.vacation_months", date)).split(",")}
    key = "students.work_hours_vacation" if date.month in months else "students.work_hours_term"
    return float(params.value(key, date))
