"""With the real inputs and the uncalibrated defaults (the priors' central values), the
overstayer stock has the broad shape of Figure 1: a rise to a peak in the early 1990s, a
decline after 2004, a rebound after 2014."""

from __future__ import annotations

import pandas as pd
import pytest

from sidedoor.engine import simulate


@pytest.mark.slow
def test_uncalibrated_stock_has_the_broad_shape():
    result = simulate(seed=1, scale=0.02, end="2020-12")
    out = result.outputs
    stock = out[out.series == "overstayers"].set_index("reference_date")["value"]
    at = lambda d: float(stock[pd.Timestamp(d)])
    peak_date = stock.idxmax()
    assert pd.Timestamp("1992-01-01") <= peak_date <= pd.Timestamp("1996-12-31")
    assert at("1993-05-01") > 2 * at("1990-07-01") * 0.8  # the early-1990s rise
    assert at("2014-01-01") < 0.6 * at("2004-01-01")  # the decline after 2004
    assert at("2020-01-01") > 1.2 * at("2014-01-01")  # the rebound after 2014
    for d, observed in {"1993-05-01": 298_646, "2004-01-01": 219_418, "2014-01-01": 59_061}.items():
        assert 0.4 * observed < at(d) < 2.5 * observed, (d, at(d))
