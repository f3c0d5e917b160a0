"""The job-openings-to-applicants ratio (有効求人倍率), a driver of labour demand.

It is a calendar-year average; like calendar-year flows it is dated YYYY-12-31 (the end of
the period it averages). Missing years stay missing; none is interpolated.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sidedoor.data import categories
from sidedoor.data.schema import FileSchema, read_checked, record, tidy_frame, year_end

LABOUR_FILE = FileSchema(
    file="labor_market.csv",
    columns=("year", "indicator", "value", "source_url", "source_note", "cross_check_url",
             "notes"),
    years=("year",), measures=("value",), key=("year", "indicator"),
)
INDICATOR_PREFIX = "effective_job_openings_to_applicants_ratio_annual_avg"


def load_labor_market(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``job_openings_ratio`` (openings per applicant), category ``total``."""
    rows = read_checked(LABOUR_FILE, path)
    records = []
    for row in rows:
        if not row["indicator"].startswith(INDICATOR_PREFIX):
            raise row.fail("indicator", f"unknown indicator {row['indicator']!r}")
        records.append(record(
            row, series="job_openings_ratio", reference_date=year_end(row["year"]),
            category=categories.TOTAL, value=row["value"],
            cross_check_url=row["cross_check_url"],
        ))
    return tidy_frame(records, LABOUR_FILE.resolve(path), LABOUR_FILE.key)
