"""Category labels of the tidy schema: statuses, bases and nationality-by-status cells.

The official tables name statuses in Japanese (with English glosses that vary between
tables). The tidy schema uses one English snake_case vocabulary so observed and simulated
rows join on ``category``. Nationality labels are kept exactly as in the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from sidedoor.data.schema import SourceRow

T = TypeVar("T")

TOTAL = "total"
#: The nationality value meaning "all nationalities" in the shipped tables.
ALL_NATIONALITIES = "ALL"
#: Separator of a ``Nationality|status`` (or ``basis|...``) category.
SEPARATOR = "|"

#: Official "status at the time of overstay" categories (docs/CONTRACTS.md).
STATUS_CATEGORIES: tuple[str, ...] = (
    "temporary_visitor", "entertainer", "pre_college_student", "student", "trainee",
    "technical_intern", "spouse_of_japanese", "long_term_resident", "designated_activities",
    "other",
)

#: 漢字 status name -> category. 就学 (pre-college) is a category of its own before the
#: 2010-07-01 merger into 留学; 技能実習 exists from 2010-07 (研修 trainee before).
STATUS_BY_KANJI: dict[str, str] = {
    "短期滞在": "temporary_visitor",
    "興行": "entertainer",
    "就学": "pre_college_student",
    "留学": "student",
    "研修": "trainee",
    "技能実習": "technical_intern",
    "日本人の配偶者等": "spouse_of_japanese",
    "定住者": "long_term_resident",
    "特定活動": "designated_activities",
    "その他": "other",
}

#: Statuses of new entrants (新規入国者) that have no overstay category of their own.
#: 技能実習1号ロ is a subset of 技能実習1号; 留学+就学+研修 is a combined share only.
ENTRY_STATUS_BY_KANJI: dict[str, str] = {
    **STATUS_BY_KANJI,
    "留学+就学+研修": "student_pre_college_trainee",
    "技能実習1号": "technical_intern_i",
    "技能実習1号ロ": "technical_intern_i_b",
}

#: Status column of foreign_residents_by_status.csv -> category.
RESIDENT_STATUS: dict[str, str] = {
    "total": TOTAL,
    "special permanent resident": "special_permanent_resident",
    "permanent resident": "permanent_resident",
    "permanent resident (一般永住者)": "permanent_resident",
    "permanent (永住, incl. special)": "permanent_incl_special",
    "technical intern training": "technical_intern",
    "student": "student",
    "engineer/specialist in humanities/international services":
        "engineer_specialist_humanities_international",
    "specified skilled worker": "specified_skilled_worker",
    "highly skilled professional": "highly_skilled_professional",
    "dependent (家族滞在)": "dependent",
    "long-term resident": "long_term_resident",
    "other": "other",
}

#: The three bases of the foreign-resident stock, which must never be spliced.
RESIDENT_BASIS: dict[str, str] = {
    "registered foreigners (外国人登録者, incl. short-term registrants)": "registered",
    "resident foreigners (在留外国人 = mid/long-term residents + special permanent residents)":
        "resident",
    "resident foreigners (在留外国人 = mid/long-term residents + special permanent residents)"
    " [re-based series]": "resident_rebased",
}


def nationality_or_total(label: str) -> str:
    """A nationality label as in the data, or ``total`` for all nationalities."""
    return TOTAL if label == ALL_NATIONALITIES else label


def cell(nationality: str, status: str) -> str:
    """Category of a (nationality, status) cell: ``status`` for all nationalities, else
    ``Nationality|status`` (documented convention for nationality-specific status rows)."""
    if nationality == ALL_NATIONALITIES:
        return status
    return f"{nationality}{SEPARATOR}{status}"


def lookup(row: SourceRow, column: str, table: Mapping[str, T], *, first_word: bool) -> T:
    """Translate a status/basis label, failing on an unknown one (a new label needs a
    decision, not a silent 'other')."""
    label = row[column]
    key = label.split(" ", 1)[0] if first_word else label
    try:
        return table[key]
    except KeyError:
        raise row.fail(column, f"unknown label {label!r}") from None
