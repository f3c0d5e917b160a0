"""The official statistics shipped with sidedoor, and the paper's own figures.

``observed(series)`` returns any series in the tidy schema of docs/CONTRACTS.md
(``series, reference_date, category, value, source_url, source_note``), one preferred row
per (series, reference_date, category); ``observed(series, all_sources=True)`` and
``conflicts()`` show every source and which one is used. One loader per shipped CSV returns
its rows (tidy, with the file's own dimensions and the CSV line of each row); every load is
checked against the file's schema and fails with :class:`DataSchemaError`.
"""

from __future__ import annotations

from sidedoor.data.asylum import load_refugee_applications
from sidedoor.data.categories import STATUS_CATEGORIES
from sidedoor.data.entries import load_new_entries
from sidedoor.data.enforcement import load_deportations
from sidedoor.data.errors import DataSchemaError, UnknownSeriesError
from sidedoor.data.interns import load_technical_interns
from sidedoor.data.labour_market import load_labor_market
from sidedoor.data.legalization import load_special_permission_residence
from sidedoor.data.observations import (
    RULE, SOURCE_KINDS, SeriesInfo, all_rows, conflicts, observed, series_info, series_keys,
)
from sidedoor.data.overstayers import (
    load_overstayers_by_nationality, load_overstayers_by_sex, load_overstayers_by_status,
    load_overstayers_supplementary, load_overstayers_total,
)
from sidedoor.data.paper import PAPER, load_cross_check_figures, load_paper_figures
from sidedoor.data.policy_events import load_visa_policy_events, visa_policy_events
from sidedoor.data.releases import load_release_figures
from sidedoor.data.residents import load_foreign_residents
from sidedoor.data.schema import OFFICIAL_DIR, TIDY_COLUMNS
from sidedoor.data.series import KINDS, SERIES, SeriesMeta

__all__ = [
    "DataSchemaError", "KINDS", "OFFICIAL_DIR", "PAPER", "RULE", "SERIES", "SOURCE_KINDS",
    "STATUS_CATEGORIES", "SeriesInfo", "SeriesMeta", "TIDY_COLUMNS", "UnknownSeriesError",
    "all_rows", "conflicts", "load_cross_check_figures", "load_deportations",
    "load_foreign_residents", "load_labor_market", "load_new_entries",
    "load_overstayers_by_nationality", "load_overstayers_by_sex",
    "load_overstayers_by_status", "load_overstayers_supplementary", "load_overstayers_total",
    "load_paper_figures", "load_refugee_applications", "load_release_figures",
    "load_special_permission_residence",
    "load_technical_interns", "load_visa_policy_events", "observed", "series_info",
    "series_keys", "visa_policy_events",
]
