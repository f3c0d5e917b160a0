"""Figures stated by the paper, and secondary figures quoted in the shipped cross-check notes.

Both are kept as rows of their own with their provenance, so a disagreement between sources
stays visible (:func:`sidedoor.data.conflicts`). They are alternatives, never overrides:
the official table is preferred and the paper only fills dates the tables lack.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sidedoor.data.schema import PACKAGE_DIR, FileSchema, read_checked, record, tidy_frame

#: How the package cites its source paper.
PAPER = ("Kato & Liu-Farrer, Becoming 'Illegal': The Institutional Mechanisms of Migrants' "
         "Illegalization in Japan")

PAPER_FILE = FileSchema(
    file="paper_figures.csv",
    columns=("series", "reference_date", "category", "value", "source_url", "source_note"),
    dates=("reference_date",), counts=("value",),
    key=("series", "reference_date", "category"), folder=PACKAGE_DIR,
)
CROSS_CHECK_FILE = FileSchema(
    file="cross_check_figures.csv",
    columns=("series", "reference_date", "category", "value", "source_url", "source_note",
             "origin_file", "quote"),
    dates=("reference_date",), counts=("value",),
    required_text=("series", "category", "source_url", "source_note", "origin_file", "quote"),
    key=("series", "reference_date", "category"), folder=PACKAGE_DIR,
)


def figure_frame(schema: FileSchema, path: str | Path | None, source_kind: str, *,
                 must_cite: tuple[str, str] | None = None, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows of a figures file already in the tidy shape (``series, reference_date,
    category, value, source_url, source_note`` plus ``extra`` columns). ``must_cite``
    (text, message) refuses a row whose ``source_url`` lacks ``text``."""
    rows = read_checked(schema, path)
    if must_cite is not None:
        text, message = must_cite
        for row in rows:
            if text not in row["source_url"]:
                raise row.fail("source_url", message)
    records = [
        record(row, series=row["series"], reference_date=row["reference_date"],
               category=row["category"], value=row["value"], source_note=row["source_note"],
               source_kind=source_kind, **{column: row[column] for column in extra})
        for row in rows
    ]
    return tidy_frame(records, schema.resolve(path), schema.key)


def load_paper_figures(path: str | Path | None = None) -> pd.DataFrame:
    """The paper's own figures (source_kind ``paper``), each citing its section (§)."""
    return figure_frame(PAPER_FILE, path, "paper", must_cite=("§", "a paper figure must cite its section (§)"))


def load_cross_check_figures(path: str | Path | None = None) -> pd.DataFrame:
    """Secondary figures that the shipped tables quote in a cross-check note but did not
    keep (source_kind ``cross_check``); ``quote`` is the note's text in ``origin_file``."""
    return figure_frame(CROSS_CHECK_FILE, path, "cross_check", extra=("origin_file", "quote"))
