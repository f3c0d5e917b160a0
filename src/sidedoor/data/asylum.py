"""The refugee recognition system in numbers (ISA table 我が国における難民庇護の状況等).

Applications, recognitions, humanitarian permissions and resettlement are calendar-year
flows, dated YYYY-12-31. A blank cell in the source stays missing: it is never read as zero.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sidedoor.data import categories
from sidedoor.data.schema import FileSchema, read_checked, record, tidy_frame, year_end

REFUGEE_FILE = FileSchema(
    file="refugee_applications.csv",
    columns=("year", "applications", "recognized", "recognized_of_which_on_appeal",
             "humanitarian_permission", "complementary_protection", "resettled_refugees",
             "total_protected", "source_url", "source_note", "cross_check_url",
             "cross_check_note", "notes"),
    years=("year",), counts=("applications", "recognized"),
    optional_counts=("recognized_of_which_on_appeal", "humanitarian_permission",
                     "complementary_protection", "resettled_refugees", "total_protected"),
    key=("year",),
)

#: source column -> (series, category)
COLUMN_SERIES: dict[str, tuple[str, str]] = {
    "applications": ("asylum_applications", categories.TOTAL),
    "recognized": ("asylum_recognized", categories.TOTAL),
    "recognized_of_which_on_appeal": ("asylum_recognized", "on_appeal"),
    "humanitarian_permission": ("asylum_humanitarian", categories.TOTAL),
    "resettled_refugees": ("refugees_resettled", categories.TOTAL),
}


def load_refugee_applications(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``asylum_applications``, ``asylum_recognized`` (``total``; ``on_appeal`` is
    the part recognized on appeal), ``asylum_humanitarian`` and ``refugees_resettled``."""
    rows = read_checked(REFUGEE_FILE, path)
    records = []
    for row in rows:
        for column, (series, category) in COLUMN_SERIES.items():
            if row[column] is None:
                continue
            records.append(record(
                row, series=series, reference_date=year_end(row["year"]),
                category=category, value=row[column], source_column=column,
                cross_check_url=row["cross_check_url"],
            ))
    return tidy_frame(records, REFUGEE_FILE.resolve(path), REFUGEE_FILE.key)
