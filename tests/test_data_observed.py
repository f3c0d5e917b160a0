"""The tidy observed schema: one preferred row per cell, every row with its source."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sidedoor.data import (
    SERIES, STATUS_CATEGORIES, TIDY_COLUMNS, UnknownSeriesError, all_rows, conflicts,
    load_cross_check_figures, observed, series_info, series_keys,
)
from sidedoor.data.schema import OFFICIAL_DIR
from sidedoor.timeline import overstayer_reference_dates

CONTRACT_TARGETS = {
    "overstayers", "overstayers_midyear", "overstayers_by_nationality",
    "overstayers_by_status", "overstayers_by_sex", "technical_interns",
    "interns_disappeared", "asylum_applications", "asylum_recognized", "spr_granted",
    "deportations", "deportations_by_status", "departure_orders",
}
CONTRACT_INPUTS = {"new_entries", "new_entries_share", "foreign_residents",
                   "job_openings_ratio", "visa_policy_events"}


def _value(series: str, date: str, category: str = "total", **kw) -> pd.DataFrame:
    frame = observed(series, **kw)
    return frame[(frame["reference_date"] == date) & (frame["category"] == category)]


def test_contract_keys_are_registered_with_their_kind():
    assert set(series_keys("target")) == CONTRACT_TARGETS
    assert CONTRACT_INPUTS <= set(series_keys("input"))


@pytest.mark.parametrize("series", list(SERIES))
def test_every_series_in_the_tidy_schema_with_sources(series):
    frame = observed(series)
    assert list(frame.columns) == list(TIDY_COLUMNS)
    assert len(frame) > 0
    assert not frame.duplicated(["series", "reference_date", "category"]).any()
    assert pd.api.types.is_datetime64_any_dtype(frame["reference_date"])
    assert (frame["reference_date"] == frame["reference_date"].dt.normalize()).all()
    assert (frame["series"] == series).all()
    for column in ("source_url", "source_note"):
        assert frame[column].notna().all() and (frame[column].str.strip() != "").all()
    assert (frame["value"] >= 0).all()


def test_every_row_of_every_source_has_provenance():
    rows = all_rows()
    assert (rows["source_url"].str.strip() != "").all()
    assert (rows["source_note"].str.strip() != "").all()


def test_overstayers_at_their_real_reference_dates():
    frame = observed("overstayers")
    expected = [pd.Timestamp(d) for d in overstayer_reference_dates(1990, 2020)]
    assert list(frame["reference_date"]) == expected
    info = series_info("overstayers")
    assert (info.first, info.last, info.rows) == (dt.date(1990, 7, 1), dt.date(2020, 1, 1), 31)


def test_flows_dated_at_year_end_and_half_year_end():
    for series in ("asylum_applications", "spr_granted", "interns_disappeared",
                   "deportations", "job_openings_ratio", "new_entries"):
        dates = observed(series)["reference_date"]
        assert ((dates.dt.month == 12) & (dates.dt.day == 31)).all(), series
    for series in ("interns_disappeared_half_year", "deportations_half_year"):
        dates = observed(series)["reference_date"]
        assert ((dates.dt.month == 6) & (dates.dt.day == 30)).all(), series


def test_official_final_figure_preferred_over_preliminary_and_paper():
    cell = _value("asylum_applications", "2017-12-31")
    assert cell["value"].tolist() == [19629]
    every = _value("asylum_applications", "2017-12-31", all_sources=True)
    assert sorted(every["value"]) == [19628, 19628, 19629]
    used = every[every["preferred"]].iloc[0]
    assert used["source_kind"] == "data" and used["value"] == 19629
    table = conflicts("asylum_applications")
    assert set(table["value"]) == {19628, 19629}
    reasons = table.loc[~table["preferred"], "reason"]
    assert reasons.str.contains("not used").all()


def test_overstayers_1991_conflict_kept_with_both_rows():
    every = _value("overstayers", "1991-05-01", all_sources=True)
    assert set(every["value"]) == {159828, 159827}
    assert _value("overstayers", "1991-05-01")["value"].tolist() == [159828]


def test_paper_figures_present_with_their_section():
    rows = all_rows()
    paper = rows[rows["source_kind"] == "paper"]
    assert paper["source_url"].str.contains("§").all()
    table1 = paper[paper["source_url"].str.contains("§4.2 Table 1", regex=False)]
    assert len(table1) == 15
    checks = {
        ("asylum_applications", "2018-12-31", "total"): 10493,
        ("asylum_applications", "2019-12-31", "total"): 10375,
        ("asylum_recognized_cumulative", "2020-12-31", "total"): 841,
        ("overstayers", "1993-05-01", "total"): 298646,
        ("overstayers", "2014-01-01", "total"): 59061,
        ("overstayers", "2020-01-01", "total"): 82892,
        ("new_entries", "1989-12-31", "Pakistan|temporary_visitor"): 18751,
        ("new_entries", "1989-12-31", "Bangladesh|temporary_visitor"): 13432,
        ("new_entries", "1989-12-31", "Iran|temporary_visitor"): 13824,
    }
    for (series, date, category), value in checks.items():
        hit = paper[(paper["series"] == series) & (paper["reference_date"] == date)
                    & (paper["category"] == category)]
        assert hit["value"].tolist() == [value], (series, date)


def test_paper_fills_gaps_only():
    assert _value("spr_granted", "2018-12-31")["value"].tolist() == [1371]
    da = observed("overstayers_by_status")
    da = da[da["category"] == "designated_activities"].set_index("reference_date")["value"]
    assert da[pd.Timestamp("2018-01-01")] == 2286 and da[pd.Timestamp("2019-01-01")] == 4224
    assert "§5.1" in _value("overstayers_by_status", "2019-01-01",
                            "designated_activities")["source_url"].iloc[0]


def test_spr_lower_bound_is_its_own_series_not_a_count():
    bound = observed("spr_granted_lower_bound")
    assert bound["reference_date"].dt.year.tolist() == [2003, 2004, 2005]
    assert bound["source_note"].str.contains("lower bound").all()
    counts = observed("spr_granted")
    counts = counts[counts["reference_date"].dt.year.isin([2003, 2004, 2005])]
    assert not counts["source_url"].str.contains("Kato").any()


def test_status_categories_follow_the_contract():
    for category in observed("overstayers_by_status")["category"]:
        status = category.split("|")[-1]
        assert status in STATUS_CATEGORIES, category


def test_cross_check_figures_are_quoted_in_the_shipped_tables():
    for row in load_cross_check_figures().itertuples():
        origin = (OFFICIAL_DIR / row.origin_file).read_text(encoding="utf-8")
        assert row.quote in origin
        assert f"{int(row.value):,}" in row.quote


def test_unknown_series_lists_the_known_keys():
    with pytest.raises(UnknownSeriesError) as caught:
        observed("overstayer")
    assert "overstayers_by_status" in str(caught.value)
    assert isinstance(caught.value, KeyError)
