"""The prior predictive (``experimental.prior_predictive``) the README compares the fit with.

Each prior draw carries its own seed, so the summary must not depend on how many processes
ran the draws.
"""

from __future__ import annotations

import pandas as pd

from sidedoor.experimental.prior_predictive import prior_predictive


def test_the_prior_predictive_does_not_depend_on_the_number_of_processes():
    one = prior_predictive(2, scale=0.01, end="1992-12", processes=1)
    two = prior_predictive(2, scale=0.01, end="1992-12", processes=2)
    pd.testing.assert_frame_equal(one, two)
    stock = one[(one.series == "overstayers") & (one.category == "total")]
    assert len(stock) > 0 and (stock["q05"] <= stock["median"]).all() and (stock["median"] <= stock["q95"]).all()
