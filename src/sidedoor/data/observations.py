"""The observed series in the tidy schema, one preferred row per (series, date, category).

All sources are kept; when several give a figure for the same cell, the rule below picks
the one :func:`observed` returns and :func:`conflicts` shows the others, so a reader can
see what was not used and why.

Preference (best first): ``data`` (the value a shipped official table keeps), then
``data_rounded`` (a rounded official figure for the same cell), ``cross_check`` (a
preliminary or secondary figure quoted in a cross-check note), ``paper`` (the paper's own
figures fill gaps only). In words: official final figures over preliminary or secondary
ones; the paper only where the shipped data lack the cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from sidedoor.data.asylum import load_refugee_applications
from sidedoor.data.entries import load_new_entries
from sidedoor.data.enforcement import load_deportations
from sidedoor.data.errors import DataSchemaError, UnknownSeriesError
from sidedoor.data.interns import load_technical_interns
from sidedoor.data.labour_market import load_labor_market
from sidedoor.data.legalization import load_special_permission_residence
from sidedoor.data.overstayers import (
    load_overstayers_by_nationality, load_overstayers_by_sex, load_overstayers_by_status,
    load_overstayers_supplementary, load_overstayers_total,
)
from sidedoor.data.paper import load_cross_check_figures, load_paper_figures
from sidedoor.data.policy_events import load_visa_policy_events
from sidedoor.data.releases import load_release_figures
from sidedoor.data.residents import load_foreign_residents
from sidedoor.data.schema import ROW_COLUMNS, TIDY_COLUMNS
from sidedoor.data.series import SERIES, Kind, SeriesMeta

#: Every loader whose rows feed :func:`observed`.
LOADERS: tuple[Callable[[], pd.DataFrame], ...] = (
    load_overstayers_total, load_overstayers_supplementary, load_overstayers_by_nationality,
    load_overstayers_by_status, load_overstayers_by_sex, load_technical_interns,
    load_refugee_applications, load_special_permission_residence, load_deportations,
    load_new_entries, load_foreign_residents, load_labor_market, load_visa_policy_events,
    load_paper_figures, load_cross_check_figures, load_release_figures,
)

#: source_kind -> what it is; the order is the preference order.
SOURCE_KINDS: dict[str, str] = {
    "data": "the value kept by the shipped official table",
    "data_rounded": "a rounded official figure for the same date",
    "cross_check": "a preliminary or secondary figure quoted in a cross-check note",
    "paper": "a figure stated in the paper (fills gaps only)",
}
RULE = ("official final figures over preliminary or secondary ones; the paper's figures "
        "fill gaps only")
KEY = ["series", "reference_date", "category"]


@lru_cache(maxsize=1)
def _rows() -> pd.DataFrame:
    frames = [loader()[list(ROW_COLUMNS)] for loader in LOADERS]
    rows = pd.concat(frames, ignore_index=True)
    for row in rows.itertuples():
        if row.series not in SERIES:
            raise DataSchemaError(row.source_file, row.source_line, "series",
                                  f"unknown series {row.series!r}")
    rank = rows["source_kind"].map({kind: i for i, kind in enumerate(SOURCE_KINDS)})
    rows = rows.assign(_rank=rank).sort_values(
        KEY + ["_rank", "source_file", "source_line"], kind="stable", ignore_index=True)
    tied = rows.duplicated(KEY + ["_rank"], keep="first")
    if tied.any():
        bad = rows[tied].iloc[0]
        raise DataSchemaError(
            bad.source_file, int(bad.source_line), "category",
            f"a second {bad.source_kind!r} row for series {bad.series!r}, "
            f"{bad.reference_date.date().isoformat()}, category {bad.category!r}: "
            "no rule says which to prefer",
        )
    rows["preferred"] = ~rows.duplicated(KEY, keep="first")
    return rows.drop(columns="_rank")


def all_rows() -> pd.DataFrame:
    """Every row of every series and source, with ``source_kind`` and ``preferred``."""
    return _rows().copy()


def series_keys(kind: Kind | None = None) -> list[str]:
    """Known series keys in registry order, optionally only one kind."""
    return [key for key, meta in SERIES.items() if kind is None or meta.kind == kind]


def _check_key(series: str) -> SeriesMeta:
    try:
        return SERIES[series]
    except KeyError:
        raise UnknownSeriesError(series, series_keys()) from None


def observed(series: str, *, all_sources: bool = False) -> pd.DataFrame:
    """Series ``series`` in the tidy schema (docs/CONTRACTS.md), sorted by date, category.

    One row per (series, reference_date, category): the preferred source (see module
    doc). ``all_sources=True`` returns every source's row with ``source_kind``,
    ``preferred``, ``source_file`` and ``source_line`` (1-based CSV line, header = 1).
    """
    _check_key(series)
    rows = _rows()
    rows = rows[rows["series"] == series]
    if not all_sources:
        rows = rows[rows["preferred"]]
        return rows[list(TIDY_COLUMNS)].reset_index(drop=True)
    return rows.reset_index(drop=True)


def conflicts(series: str | None = None) -> pd.DataFrame:
    """Cells where sources disagree: every alternative, which one is used, and why."""
    if series is not None:
        _check_key(series)
    rows = _rows()
    if series is not None:
        rows = rows[rows["series"] == series]
    spread = rows.groupby(KEY, sort=False)["value"].transform("nunique")
    rows = rows[spread > 1].copy()
    used = rows[rows["preferred"]].set_index(KEY)["source_kind"]
    rows["reason"] = [
        f"used: {SOURCE_KINDS[kind]}" if preferred else
        f"not used: {SOURCE_KINDS[kind]}; {used.loc[(s, d, c)]!r} preferred ({RULE})"
        for kind, preferred, s, d, c in zip(
            rows["source_kind"], rows["preferred"], rows["series"], rows["reference_date"],
            rows["category"])
    ]
    return rows.reset_index(drop=True)


@dataclass(frozen=True)
class SeriesInfo:
    """A series' metadata plus what its rows show (coverage, sources)."""

    meta: SeriesMeta
    first: dt.date | None
    last: dt.date | None
    rows: int
    sources: int  # distinct source_url among the preferred rows
    categories: tuple[str, ...]
    source_files: tuple[str, ...]  # every file with a row for the series (any source)

    @property
    def coverage(self) -> str:
        if self.first is None or self.last is None:
            return "no rows"
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def series_info(series: str) -> SeriesInfo:
    """Metadata and computed coverage of one series."""
    meta = _check_key(series)
    every = observed(series, all_sources=True)
    used = every[every["preferred"]]
    dates = used["reference_date"]
    return SeriesInfo(
        meta=meta,
        first=dates.min().date() if len(dates) else None,
        last=dates.max().date() if len(dates) else None,
        rows=len(used),
        sources=used["source_url"].nunique(),
        categories=tuple(sorted(used["category"].unique())),
        source_files=tuple(sorted(every["source_file"].unique())),
    )
