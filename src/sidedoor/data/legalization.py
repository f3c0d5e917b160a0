"""Special permission for residence (在留特別許可, SPR): the only legalization channel.

Grants are calendar-year flows dated YYYY-12-31, in total and by the ground of the
deportation case (overstay, illegal entry, criminal and other). The 2009-2013 procedural
funnel (objections, oral hearings, violation reviews) is kept as its own series.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sidedoor.data import categories
from sidedoor.data.schema import FileSchema, read_checked, record, tidy_frame, year_end

SPR_FILE = FileSchema(
    file="special_permission_residence.csv",
    columns=("year", "indicator", "value", "source_url", "source_note", "cross_check_url",
             "cross_check_note", "notes"),
    years=("year",), counts=("value",), key=("year", "indicator"),
)

#: indicator -> (series, category)
INDICATOR_SERIES: dict[str, tuple[str, str]] = {
    "spr_granted_total": ("spr_granted", categories.TOTAL),
    "spr_granted_from_overstay": ("spr_granted", "overstay"),
    "spr_granted_from_illegal_entry": ("spr_granted", "illegal_entry"),
    "spr_granted_from_criminal_etc": ("spr_granted", "criminal_etc"),
    **{
        name: ("spr_procedure", name)
        for name in (
            "violation_review_cases_received", "oral_hearing_cases_received",
            "oral_hearing_requests", "objection_cases_received", "objections_without_merit",
            "deportation_orders_after_objection_refused",
        )
    },
}


def load_special_permission_residence(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``spr_granted`` (categories ``total``, ``overstay``, ``illegal_entry``,
    ``criminal_etc``) and ``spr_procedure`` (category = the funnel stage)."""
    rows = read_checked(SPR_FILE, path)
    records = []
    for row in rows:
        series, category = categories.lookup(row, "indicator", INDICATOR_SERIES,
                                             first_word=False)
        records.append(record(
            row, series=series, reference_date=year_end(row["year"]), category=category,
            value=row["value"], indicator=row["indicator"],
            cross_check_url=row["cross_check_url"],
        ))
    return tidy_frame(records, SPR_FILE.resolve(path), SPR_FILE.key)
