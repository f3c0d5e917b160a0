"""Enforcement: persons processed in deportation procedures, departure and deportation orders.

``deportations`` is the White Paper on Crime series of persons processed in deportation
procedures (it includes departure orders from 2004-12-02). A second series from a wiki, whose
definition could not be verified, is kept apart as ``deportations_unverified`` and is never
mixed into it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sidedoor.data import categories
from sidedoor.data.schema import (
    FileSchema, first_half_end, read_checked, record, tidy_frame, year_end,
)

DEPORTATION_FILE = FileSchema(
    file="deportations.csv",
    columns=("year", "series", "value", "source_url", "source_note", "cross_check_url",
             "cross_check_note", "notes"),
    years=("year",), counts=("value",), key=("year", "series"),
)

#: source ``series`` label -> (tidy series, category, half-year flow?)
LABEL_SERIES: dict[str, tuple[str, str, bool]] = {
    "persons_processed_deportation_procedures": ("deportations", categories.TOTAL, False),
    "persons_processed_first_half (Jan-Jun)": ("deportations_half_year", categories.TOTAL, True),
    "wiki_taikyo_kyosei_tetsuzuki_su (definition unverified)":
        ("deportations_unverified", categories.TOTAL, False),
    "departure_orders": ("departure_orders", categories.TOTAL, False),
    "deportation_orders_issued": ("deportation_orders", "issued", False),
    "deported_by_deportation_order": ("deportation_orders", "deported", False),
    "deportation_orders_after_objection": ("deportation_orders", "after_objection", False),
}


def load_deportations(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``deportations``, ``deportations_half_year`` (Jan-Jun, dated June 30),
    ``deportations_unverified``, ``departure_orders`` and ``deportation_orders``
    (categories ``issued``, ``deported``, ``after_objection``)."""
    rows = read_checked(DEPORTATION_FILE, path)
    records = []
    for row in rows:
        label = row["series"]
        if label not in LABEL_SERIES:
            raise row.fail("series", f"unknown label {label!r}")
        series, category, half_year = LABEL_SERIES[label]
        date = first_half_end(row["year"]) if half_year else year_end(row["year"])
        records.append(record(
            row, series=series, reference_date=date, category=category, value=row["value"],
            source_label=label, cross_check_url=row["cross_check_url"],
        ))
    return tidy_frame(records, DEPORTATION_FILE.resolve(path), DEPORTATION_FILE.key)
