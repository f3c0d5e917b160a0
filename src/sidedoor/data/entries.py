"""New entries (新規入国者, re-entries excluded): counts and shares by status.

Counts and percentage shares are separate series and a share is never turned into a count
here (that would need a total from another table, i.e. a derived figure). Half-year figures
(2024 H1) are separate series dated June 30, so an annual series never holds a half-year.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from sidedoor.data import categories
from sidedoor.data.schema import (
    FileSchema, SourceRow, first_half_end, read_checked, record, tidy_frame, year_end,
)

ENTRY_FILE = FileSchema(
    file="new_entries_by_status.csv",
    columns=("year", "period", "status", "nationality", "new_entries", "share_pct",
             "source_url", "source_note", "cross_check_url", "notes"),
    years=("year",), optional_counts=("new_entries",), optional_measures=("share_pct",),
    key=("year", "period", "status", "nationality"),
)


def _period(row: SourceRow) -> tuple[dt.date, str]:
    """(reference date, series suffix) of the row's period."""
    period = row["period"]
    if period == "calendar year":
        return year_end(row["year"]), ""
    if period.startswith(f"{row['year']} H1"):
        return first_half_end(row["year"]), "_half_year"
    raise row.fail("period", f"unknown period {period!r} (expected 'calendar year' or "
                             "'YYYY H1 ...')")


def load_new_entries(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``new_entries`` (persons) and ``new_entries_share`` (percent of all new
    entries), plus ``..._half_year`` variants. Category = status in snake_case, ``total``,
    or ``Nationality|status`` (e.g. ``South Korea|total``) for nationality-specific rows."""
    rows = read_checked(ENTRY_FILE, path)
    records = []
    for row in rows:
        date, suffix = _period(row)
        status = (categories.TOTAL if row["status"] == categories.TOTAL else
                  categories.lookup(row, "status", categories.ENTRY_STATUS_BY_KANJI,
                                    first_word=True))
        category = categories.cell(row["nationality"], status)
        if row["new_entries"] is None and row["share_pct"] is None:
            raise row.fail("new_entries", "neither new_entries nor share_pct is given")
        for column, series in (("new_entries", "new_entries"),
                               ("share_pct", "new_entries_share")):
            if row[column] is not None:
                records.append(record(
                    row, series=series + suffix, reference_date=date, category=category,
                    value=row[column], status_label=row["status"],
                    nationality=row["nationality"], cross_check_url=row["cross_check_url"],
                ))
    return tidy_frame(records, ENTRY_FILE.resolve(path), ENTRY_FILE.key)
