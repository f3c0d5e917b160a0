"""Technical interns (技能実習): the stock, and the 'disappeared' (失踪) reports.

``disappeared`` counts reports of interns who left their designated employer during a
calendar year (a flow of reports, not persons still missing), dated YYYY-12-31; first-half
counts are a separate half-year series dated June 30. The stock keeps its own dates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from sidedoor.data import categories
from sidedoor.data.overstayers import is_approximate
from sidedoor.data.schema import (
    FileSchema, SourceRow, first_half_end, read_checked, record, row_note, tidy_frame,
    year_end,
)

INTERN_FILE = FileSchema(
    file="technical_interns.csv",
    columns=("year", "reference_date", "indicator", "nationality", "value", "is_approximate",
             "source_url", "source_note", "cross_check_url", "notes"),
    years=("year",), counts=("value",), key=("year", "reference_date", "indicator",
                                               "nationality"),
)


def _period_end(row: SourceRow) -> dt.date:
    """End of a ``YYYY-MM-DD..MM-DD`` or ``YYYY-MM-DD..YYYY-MM-DD`` period."""
    text = row["reference_date"]
    start, sep, end = text.partition("..")
    try:
        first = dt.date.fromisoformat(start)
        last = dt.date.fromisoformat(end if len(end) == 10 else f"{first.year}-{end}")
    except ValueError:
        raise row.fail("reference_date", f"not a period YYYY-MM-DD..MM-DD: {text!r}") from None
    if not sep or last < first:
        raise row.fail("reference_date", f"not a period YYYY-MM-DD..MM-DD: {text!r}")
    return last


def _stock_date(row: SourceRow) -> dt.date:
    try:
        return dt.date.fromisoformat(row["reference_date"])
    except ValueError:
        raise row.fail("reference_date",
                       f"a stock needs an ISO date, found {row['reference_date']!r}") from None


def _place(row: SourceRow) -> tuple[str, dt.date, str]:
    """(series, reference date, category) of a row, by its indicator."""
    indicator = row["indicator"]
    nationality = categories.nationality_or_total(row["nationality"])
    if indicator == "tit_stock":
        return "technical_interns", _stock_date(row), nationality
    if indicator == "disappeared":
        return "interns_disappeared", year_end(row["year"]), nationality
    if indicator == "disappeared_first_half":
        end = _period_end(row)
        if end != first_half_end(row["year"]):
            raise row.fail("reference_date", f"first half of {row['year']} must end on June 30")
        return "interns_disappeared_half_year", end, nationality
    if indicator in ("disappeared_cumulative", "participants_cumulative"):
        category = "disappeared" if indicator == "disappeared_cumulative" else "participants"
        return "trainees_disappeared_cumulative", _period_end(row), category
    raise row.fail("indicator", f"unknown indicator {indicator!r}")


def load_technical_interns(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``technical_interns`` (stock), ``interns_disappeared`` (annual reports),
    ``interns_disappeared_half_year`` and ``trainees_disappeared_cumulative`` (2002-2006,
    categories ``disappeared`` and ``participants``). Category = nationality or ``total``."""
    rows = read_checked(INTERN_FILE, path)
    records = []
    for row in rows:
        series, date, category = _place(row)
        approximate = is_approximate(row)
        records.append(record(
            row, series=series, reference_date=date, category=category, value=row["value"],
            source_note=row_note(row, approximate=approximate), indicator=row["indicator"],
            is_approximate=approximate, cross_check_url=row["cross_check_url"],
        ))
    return tidy_frame(records, INTERN_FILE.resolve(path), INTERN_FILE.key)
