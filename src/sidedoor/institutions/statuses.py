"""Legal statuses a migrant can hold in Japan, as compact codes (uint8 in the engine).

The list follows the paper: front-door and side-door statuses (§1, §4), the asylum system
(§5.1), the unauthorized state and the enforcement chain (§1, §6), and the two exits from
it other than leaving: refugee recognition and special permission for residence (§5.2).
``LABOUR_MIGRANT`` is a counterfactual front-door labour status with job mobility; it has
no inflow unless a reform opens it.
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    TEMPORARY_VISITOR = 0
    PRE_COLLEGE_STUDENT = 1  # language school (就学; merged into 留学 on 2010-07-01)
    COLLEGE_STUDENT = 2  # 留学
    TRAINEE = 3  # 研修
    TECHNICAL_INTERN = 4  # 技能実習 (TITP, from 1993)
    NIKKEI_LONG_TERM_RESIDENT = 5  # 定住者
    ENTERTAINER = 6  # 興行
    SPOUSE_OF_JAPANESE = 7  # 日本人の配偶者等
    SPECIFIED_SKILLED_WORKER = 8  # 特定技能 (from April 2019)
    LABOUR_MIGRANT = 9  # counterfactual front-door labour status (reforms only)
    ASYLUM_APPLICANT = 10  # applicant without a work permit
    ASYLUM_APPLICANT_WORK_PERMIT = 11  # 特定活動 (designated activities) with work permit
    OVERSTAYER = 12  # 不法残留 (unauthorized)
    DETAINED = 13  # in deportation procedure / detained
    PROVISIONAL_RELEASE = 14  # 仮放免
    RECOGNIZED_REFUGEE = 15
    SPR_REGULARIZED = 16  # special permission for residence granted
    DEPARTED = 17
    DEPORTED = 18

    @property
    def label(self) -> str:
        return self.name.lower()


#: Statuses of people who are no longer in the country (absorbing).
EXITED = frozenset({Status.DEPARTED, Status.DEPORTED})

#: Unauthorized statuses counted in the official overstayer estimate (不法残留者). Detained and
#: provisionally released people are in deportation procedures and no longer in the estimate.
UNAUTHORIZED = frozenset({Status.OVERSTAYER})

#: Statuses held legally while in Japan.
LEGAL_RESIDENT = frozenset(
    s for s in Status if s not in EXITED and s not in UNAUTHORIZED
    and s not in {Status.DETAINED, Status.PROVISIONAL_RELEASE}
)

#: Official category names (``overstayers_by_status`` series) of the status held when a
#: person became an overstayer. Model statuses map onto the official classification.
STATUS_AT_OVERSTAY_CATEGORY: dict[Status, str] = {
    Status.TEMPORARY_VISITOR: "temporary_visitor",
    Status.PRE_COLLEGE_STUDENT: "pre_college_student",  # see official_status_category
    Status.COLLEGE_STUDENT: "student",
    Status.TRAINEE: "trainee",
    Status.TECHNICAL_INTERN: "technical_intern",
    Status.NIKKEI_LONG_TERM_RESIDENT: "long_term_resident",
    Status.ENTERTAINER: "entertainer",
    Status.SPOUSE_OF_JAPANESE: "spouse_of_japanese",
    Status.SPECIFIED_SKILLED_WORKER: "other",
    Status.LABOUR_MIGRANT: "other",
    Status.ASYLUM_APPLICANT: "designated_activities",
    Status.ASYLUM_APPLICANT_WORK_PERMIT: "designated_activities",
}

#: Date on which 就学 (pre-college) was merged into 留学 (student) in the official statistics.
PRE_COLLEGE_MERGED_ON = "2010-07-01"


def official_status_category(status: Status, reference_date) -> str:
    """Official 'status at the time of overstay' category for a status on a reference date.

    Pre-college students are a separate category before the 2010-07-01 merger and count as
    students from then on, as in the published tables.
    """
    import datetime as dt

    category = STATUS_AT_OVERSTAY_CATEGORY.get(Status(status), "other")
    merged = dt.date.fromisoformat(PRE_COLLEGE_MERGED_ON)
    if category == "pre_college_student" and reference_date >= merged:
        return "student"
    return category
