"""The turnover check (``experimental.turnover``): persons processed a year over the stock.

docs/calibration.md quotes its official figures and its per-variant medians, so the official
turnover must be the shipped data's own ratio, and a variant must change only what it names.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sidedoor.calibration.posterior import load_posterior
from sidedoor.experimental.turnover import (describe, official_turnover, parameters_for, score_run,
                                            turnover, variant_values)


def test_turnover_divides_the_years_processed_by_its_first_stock_date():
    stock = pd.Series([300.0, 200.0, 100.0],
                      index=pd.to_datetime(["2014-01-01", "2014-07-01", "2015-01-01"]))
    processed = pd.Series([50.0, 30.0], index=pd.to_datetime(["2014-12-31", "2015-12-31"]))
    assert turnover(stock, processed).to_dict() == {2014: pytest.approx(50 / 300), 2015: pytest.approx(0.3)}


def test_official_turnover_is_the_shipped_counts_ratio():
    rate = official_turnover()
    # White Paper on Crime: 10,676 processed in 2014, stock 59,061 on 2014-01-01;
    # ISA: 19,386 processed in 2019, stock 74,167 on 2019-01-01.
    assert rate[2014] == pytest.approx(10_676 / 59_061)
    assert rate[2019] == pytest.approx(19_386 / 74_167)
    assert list(rate.index) == [1998, 2010, 2014, 2019]


def test_the_summary_quotes_the_official_figures_from_the_shipped_data():
    scores = pd.DataFrame([{"variant": "as fitted", "stock_mape": 10.0, "processed_mape": 20.0,
                            "turnover_1998": 0.2, "turnover_2010": 0.2, "turnover_2014": 0.2,
                            "turnover_2019": 0.2, "visitors_processed_2019": 9000.0}])
    text = describe(scores)
    assert "official former visitors processed 2019: 6,367" in text  # ISA release, 2020-03-27
    assert "2014 0.181" in text


def test_a_variant_changes_only_what_it_names():
    values = {"behaviour.voluntary_departure_hazard": 0.004, "behaviour.detection_hazard": 0.006}
    halved, none = variant_values(values, "voluntary departure halved")
    assert halved == {"behaviour.voluntary_departure_hazard": 0.002, "behaviour.detection_hazard": 0.006}
    assert none == {}
    same, assumptions = variant_values(values, "no target-earner departure boost")
    assert same == values and assumptions == {"behaviour.target_departure_multiplier": 1.0}


def test_an_assumption_variant_is_set_for_the_whole_run():
    posterior = load_posterior()
    values = dict(zip(posterior.parameter_names,
                      posterior.particles.loc[0, posterior.parameter_names].astype(float)))
    params = parameters_for(values, {"behaviour.target_departure_multiplier": 1.0})
    for year in (1990, 2005, 2019):
        assert params.value("behaviour.target_departure_multiplier", dt.date(year, 6, 1)) == 1.0


@pytest.mark.slow
def test_without_the_target_earners_boost_fewer_overstayers_leave():
    """Same particle, same seed: target earners who no longer leave faster once their debt is
    repaid and their savings reached make a smaller share of the stock leave each year."""
    posterior = load_posterior()
    values = dict(zip(posterior.parameter_names,
                      posterior.particles.loc[0, posterior.parameter_names].astype(float)))
    fitted = score_run(values, {}, seed=7, scale=0.02)
    slower = score_run(values, {"behaviour.target_departure_multiplier": 1.0}, seed=7, scale=0.02)
    assert slower["turnover_2010"] < fitted["turnover_2010"]
    assert slower["turnover_2019"] < fitted["turnover_2019"]
