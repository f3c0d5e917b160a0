"""The foreign-resident stock by status and nationality, on three bases never spliced.

Registered foreigners (外国人登録者, to 2011), resident foreigners (在留外国人, from 2011)
and ISA's re-based resident series (2008-2018) count different populations. The basis is
the first part of the category (``registered|...``, ``resident|...``,
``resident_rebased|...``) so no query can join them by accident.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sidedoor.data import categories
from sidedoor.data.schema import FileSchema, read_checked, record, tidy_frame

RESIDENT_FILE = FileSchema(
    file="foreign_residents_by_status.csv",
    columns=("reference_date", "basis", "status", "nationality", "count", "source_url",
             "source_note", "cross_check_url", "notes"),
    dates=("reference_date",), counts=("count",),
    key=("reference_date", "basis", "status", "nationality"),
)


def load_foreign_residents(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``foreign_residents``; category ``basis|status`` for all nationalities
    (``resident|total``, ``resident|student``) or ``basis|Nationality|status``
    (``resident|Vietnam|technical_intern``), nationality labels exactly as in the data."""
    rows = read_checked(RESIDENT_FILE, path)
    records = []
    for row in rows:
        basis = categories.lookup(row, "basis", categories.RESIDENT_BASIS, first_word=False)
        status = categories.lookup(row, "status", categories.RESIDENT_STATUS,
                                   first_word=False)
        category = categories.SEPARATOR.join((basis, categories.cell(row["nationality"],
                                                                      status)))
        records.append(record(
            row, series="foreign_residents", reference_date=row["reference_date"],
            category=category, value=row["count"], basis=basis, status_label=row["status"],
            nationality=row["nationality"], cross_check_url=row["cross_check_url"],
        ))
    return tidy_frame(records, RESIDENT_FILE.resolve(path), RESIDENT_FILE.key)
