"""Every loader reads its shipped CSV completely, with line numbers and the tidy columns."""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from sidedoor import data
from sidedoor.data.schema import OFFICIAL_DIR, PACKAGE_DIR, ROW_COLUMNS

LOADERS = {
    "overstayers_total.csv": data.load_overstayers_total,
    "overstayers_supplementary_midyear.csv": data.load_overstayers_supplementary,
    "overstayers_by_nationality.csv": data.load_overstayers_by_nationality,
    "overstayers_by_status_at_overstay.csv": data.load_overstayers_by_status,
    "overstayers_by_sex.csv": data.load_overstayers_by_sex,
    "technical_interns.csv": data.load_technical_interns,
    "refugee_applications.csv": data.load_refugee_applications,
    "special_permission_residence.csv": data.load_special_permission_residence,
    "deportations.csv": data.load_deportations,
    "new_entries_by_status.csv": data.load_new_entries,
    "foreign_residents_by_status.csv": data.load_foreign_residents,
    "labor_market.csv": data.load_labor_market,
    "visa_policy_changes.csv": data.load_visa_policy_events,
    "paper_figures.csv": data.load_paper_figures,
    "cross_check_figures.csv": data.load_cross_check_figures,
    "release_figures.csv": data.load_release_figures,
}


def _records(name: str) -> list[dict[str, str]]:
    folder = OFFICIAL_DIR if (OFFICIAL_DIR / name).exists() else PACKAGE_DIR
    with (folder / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_shipped_csv_has_a_loader():
    shipped = {p.name for p in OFFICIAL_DIR.glob("*.csv")}
    assert shipped <= set(LOADERS)


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_loader_reads_every_row(name):
    frame = LOADERS[name]()
    assert list(frame.columns[: len(ROW_COLUMNS)]) == list(ROW_COLUMNS)
    assert pd.api.types.is_datetime64_any_dtype(frame["reference_date"])
    lines = set(frame["source_line"])
    assert lines == set(range(2, len(_records(name)) + 2)), "each CSV line feeds >= 1 row"
    assert (frame["source_file"] == name).all()
    assert (frame["value"] >= 0).all()


def test_overstayers_total_keeps_real_dates():
    frame = data.load_overstayers_total()
    assert len(frame) == 31
    dates = [d.date() for d in frame["reference_date"]]
    assert dates[0] == dt.date(1990, 7, 1)
    assert dt.date(1996, 5, 1) in dates and dt.date(1997, 1, 1) in dates


def test_rounded_1990_figure_is_an_alternative_not_a_midyear_target():
    frame = data.load_overstayers_supplementary()
    first = frame[frame["reference_date"] == "1990-07-01"].iloc[0]
    assert (first["series"], first["source_kind"]) == ("overstayers", "data_rounded")
    assert "approximate" in first["source_note"]
    assert set(frame["series"]) == {"overstayers", "overstayers_midyear"}


def test_new_entries_never_turn_shares_into_counts():
    frame = data.load_new_entries()
    rows = _records("new_entries_by_status.csv")
    counts = frame[frame["series"].isin(["new_entries", "new_entries_half_year"])]
    shares = frame[frame["series"].str.startswith("new_entries_share")]
    assert len(counts) == sum(1 for r in rows if r["new_entries"].strip())
    assert len(shares) == sum(1 for r in rows if r["share_pct"].strip())
    assert shares["value"].max() <= 100
    assert "South Korea|total" in set(counts["category"])


def test_foreign_residents_keep_three_bases_apart():
    frame = data.load_foreign_residents()
    prefixes = {c.split("|", 1)[0] for c in frame["category"]}
    assert prefixes == {"registered", "resident", "resident_rebased"}
    assert (frame["category"].str.split("|").str[0] == frame["basis"]).all()


def test_visa_policy_events_keep_their_precision():
    events = data.visa_policy_events()
    assert list(events.columns[:6]) == ["date", "precision", "country", "event",
                                        "event_type", "sources"]
    iran = events[(events["country"] == "Iran") & (events["precision"] == "year")]
    assert pd.Timestamp("1992-01-01") in set(iran["date"])
    tidy = data.load_visa_policy_events()
    assert (tidy["value"] == 1).all()
    year_only = tidy[tidy["reference_date"] == "1992-01-01"].iloc[0]
    assert year_only["category"] == "Iran: visa_exemption_suspended"
    assert "date precision: year" in year_only["source_note"]


def test_deportations_keep_the_unverified_wiki_series_apart():
    frame = data.load_deportations()
    official = frame[frame["series"] == "deportations"]
    wiki = frame[frame["series"] == "deportations_unverified"]
    assert not official["source_url"].str.contains("atwiki").any()
    assert wiki["source_url"].str.contains("atwiki").all()
