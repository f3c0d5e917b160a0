"""The monthly labour-demand driver: the job-openings-to-applicants ratio (有効求人倍率).

The data give calendar-year averages with gaps (1992-94, 2002, 2008, 2010-14). Every month of
a year takes that year's average, so the monthly mean equals the published figure; a missing
year is the linear interpolation of its neighbours (marked), years after the last one carry
it forward (marked).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sidedoor.engine.inputs import sources as src
from sidedoor.engine.inputs.cells import AnnualSeries, Cell, observed

SERIES = "job_openings_ratio"


def annual_ratio(last_year: int) -> AnnualSeries:
    ratio = AnnualSeries("job-openings ratio")
    for year, value in src.year_flows(SERIES, "total").items():
        ratio.set(year, observed(value, src.tag(SERIES, src.year_end(year), "total")))
    ratio.fill_linear(min(ratio.cells), max(ratio.cells))
    ratio.carry_forward(max(ratio.cells) + 1, last_year, "after the last observation")
    return ratio


def monthly_ratio(months: list[dt.date], last_year: int) -> tuple[np.ndarray, dict[int, Cell]]:
    ratio = annual_ratio(last_year)
    return np.array([ratio[d.year].value for d in months], dtype=np.float64), dict(ratio.cells)
