"""The official overstayer estimate (不法残留者) and its breakdowns, at their real dates.

The annual count is dated July 1 in 1990, May 1 for 1991-1996 and January 1 from 1997; the
dates are kept as published, never shifted, so a model has to produce the stock on the day
the Ministry counted it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sidedoor.data import categories
from sidedoor.data.schema import FileSchema, SourceRow, read_checked, record, row_note, tidy_frame
from sidedoor.timeline import overstayer_reference_dates

TOTAL_FILE = FileSchema(
    file="overstayers_total.csv",
    columns=("year", "reference_date", "count", "source_url", "source_note",
             "cross_check_url", "cross_check_note", "notes"),
    years=("year",), dates=("reference_date",), counts=("count",), key=("reference_date",),
)
SUPPLEMENTARY_FILE = FileSchema(
    file="overstayers_supplementary_midyear.csv",
    columns=("reference_date", "count", "is_approximate", "source_url", "source_note",
             "cross_check_url", "notes"),
    dates=("reference_date",), counts=("count",), key=("reference_date",),
)
NATIONALITY_FILE = FileSchema(
    file="overstayers_by_nationality.csv",
    columns=("reference_date", "nationality", "count", "share_pct", "is_approximate",
             "source_url", "source_note", "cross_check_url", "notes"),
    dates=("reference_date",), counts=("count",), optional_measures=("share_pct",),
    key=("reference_date", "nationality"),
)
STATUS_FILE = FileSchema(
    file="overstayers_by_status_at_overstay.csv",
    columns=("reference_date", "nationality", "status_ja", "status_en", "count", "share_pct",
             "source_url", "source_note", "notes"),
    dates=("reference_date",), counts=("count",), optional_measures=("share_pct",),
    key=("reference_date", "nationality", "status_ja"),
)
SEX_FILE = FileSchema(
    file="overstayers_by_sex.csv",
    columns=("reference_date", "sex", "count", "source_url", "source_note"),
    dates=("reference_date",), counts=("count",), key=("reference_date", "sex"),
)
SEXES = ("male", "female")


def is_approximate(row: SourceRow, column: str = "is_approximate") -> bool:
    """The yes/no approximation flag; anything else is a schema error."""
    flag = row[column].lower()
    if flag not in ("yes", "no", ""):
        raise row.fail(column, f"expected yes or no, found {row[column]!r}")
    return flag == "yes"


def load_overstayers_total(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``overstayers``: the annual official stock, category ``total``."""
    rows = read_checked(TOTAL_FILE, path)
    records = [
        record(row, series="overstayers", reference_date=row["reference_date"],
               category=categories.TOTAL, value=row["count"],
               cross_check_url=row["cross_check_url"])
        for row in rows
    ]
    return tidy_frame(records, TOTAL_FILE.resolve(path), TOTAL_FILE.key)


def load_overstayers_supplementary(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``overstayers_midyear`` (July 1 and approximate November 1 estimates).

    A figure dated on an annual reference date (the rounded 1990-07-01 estimate) is the same
    quantity as the annual count, so it becomes a non-preferred alternative of
    ``overstayers`` instead of a second target for the same day.
    """
    rows = read_checked(SUPPLEMENTARY_FILE, path)
    annual_dates = set(overstayer_reference_dates(1990, 2100))
    records = []
    for row in rows:
        approximate = is_approximate(row)
        on_annual_date = row["reference_date"] in annual_dates
        records.append(record(
            row,
            series="overstayers" if on_annual_date else "overstayers_midyear",
            reference_date=row["reference_date"], category=categories.TOTAL,
            value=row["count"], source_note=row_note(row, approximate=approximate),
            source_kind=("data_rounded" if approximate else "cross_check")
            if on_annual_date else "data",
            is_approximate=approximate, cross_check_url=row["cross_check_url"],
        ))
    return tidy_frame(records, SUPPLEMENTARY_FILE.resolve(path), SUPPLEMENTARY_FILE.key)


def load_overstayers_by_nationality(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``overstayers_by_nationality``: category = nationality label as in the data
    (``Other`` = outside that table's top ten; not the model's 'Other')."""
    rows = read_checked(NATIONALITY_FILE, path)
    records = []
    for row in rows:
        approximate = is_approximate(row)
        records.append(record(
            row, series="overstayers_by_nationality", reference_date=row["reference_date"],
            category=categories.nationality_or_total(row["nationality"]), value=row["count"],
            source_note=row_note(row, approximate=approximate),
            share_pct=row["share_pct"], is_approximate=approximate,
            cross_check_url=row["cross_check_url"],
        ))
    return tidy_frame(records, NATIONALITY_FILE.resolve(path), NATIONALITY_FILE.key)


def load_overstayers_by_status(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``overstayers_by_status``: status held when the person became an overstayer.

    Category = a status category, or ``Nationality|status`` for the nationality-specific
    rows (Vietnam, July 2017-2019).
    """
    rows = read_checked(STATUS_FILE, path)
    records = []
    for row in rows:
        status = categories.lookup(row, "status_ja", categories.STATUS_BY_KANJI,
                                   first_word=False)
        records.append(record(
            row, series="overstayers_by_status", reference_date=row["reference_date"],
            category=categories.cell(row["nationality"], status), value=row["count"],
            nationality=row["nationality"], status_ja=row["status_ja"],
            status_en=row["status_en"], share_pct=row["share_pct"],
        ))
    return tidy_frame(records, STATUS_FILE.resolve(path), STATUS_FILE.key)


def load_overstayers_by_sex(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``overstayers_by_sex``: category ``male`` or ``female``."""
    rows = read_checked(SEX_FILE, path)
    records = []
    for row in rows:
        if row["sex"] not in SEXES:
            raise row.fail("sex", f"expected one of {SEXES}, found {row['sex']!r}")
        records.append(record(
            row, series="overstayers_by_sex", reference_date=row["reference_date"],
            category=row["sex"], value=row["count"],
        ))
    return tidy_frame(records, SEX_FILE.resolve(path), SEX_FILE.key)
