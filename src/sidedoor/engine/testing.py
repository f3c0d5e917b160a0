"""Synthetic ``Inputs`` for tests and benchmarks: shaped like the real ones, not data.

The real inputs (``sidedoor.engine.inputs.build_inputs``) derive inflows from the official
series; tests must not depend on them, so this module builds a *synthetic* stand-in of the
same dataclass shape from a few rounded, invented anchor values (log-linear between anchor
years). Nothing here is an observed figure or is used by ``simulate`` unless passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality as N
from sidedoor.timeline import month_dates, month_years


@dataclass(frozen=True)
class SyntheticInputs:
    """Same fields as ``sidedoor.engine.inputs.Inputs`` (CONTRACTS.md)."""

    months: list[dt.date]
    inflows: np.ndarray
    visitor_entries: np.ndarray
    initial: pd.DataFrame
    job_openings_ratio: np.ndarray
    derivations: pd.DataFrame
    visitor_reference: np.ndarray | None = None


#: Yearly visitor entries (thousands) at anchor years, by nationality: invented round numbers.
VISITORS = {
    N.SOUTH_KOREA: {1990: 800, 2000: 1000, 2010: 2000, 2018: 5000, 2025: 6000},
    N.TAIWAN: {1990: 600, 2000: 900, 2010: 1200, 2018: 4500, 2025: 5000},
    N.CHINA: {1990: 80, 2000: 250, 2010: 1000, 2018: 7000, 2025: 7000},
    N.PHILIPPINES: {1990: 100, 2010: 80, 2018: 500, 2025: 600},
    N.THAILAND: {1990: 80, 2010: 150, 2013: 400, 2018: 1100, 2025: 1100},
    N.VIETNAM: {1990: 5, 2010: 40, 2018: 300, 2025: 500},
    N.INDONESIA: {1990: 50, 2010: 80, 2018: 400, 2025: 500},
    N.MALAYSIA: {1990: 100, 2010: 100, 2018: 450, 2025: 500},
    N.IRAN: {1990: 40, 1992: 40, 1993: 3, 2025: 5},
    N.PAKISTAN: {1990: 5, 2025: 10},
    N.BANGLADESH: {1990: 5, 2025: 10},
    N.SRI_LANKA: {1990: 5, 2018: 20, 2025: 20},
    N.NEPAL: {1990: 2, 2018: 30, 2025: 40},
    N.OTHER: {1990: 800, 2010: 1500, 2018: 3000, 2025: 3500},
}
#: Yearly entries (thousands) into each side-door status, with nationality shares.
INFLOWS = {
    Status.PRE_COLLEGE_STUDENT: ({1990: 30, 2000: 25, 2010: 30}, {N.CHINA: 0.7, N.SOUTH_KOREA: 0.15, N.OTHER: 0.15}),
    Status.COLLEGE_STUDENT: ({1990: 10, 2000: 30, 2010: 60, 2015: 100, 2019: 120, 2025: 120},
                             {N.CHINA: 0.4, N.VIETNAM: 0.3, N.NEPAL: 0.1, N.SOUTH_KOREA: 0.1, N.OTHER: 0.1}),
    Status.TRAINEE: ({1990: 35, 2000: 55, 2009: 60, 2011: 10, 2025: 10}, {N.CHINA: 0.7, N.VIETNAM: 0.1, N.INDONESIA: 0.1, N.PHILIPPINES: 0.1}),
    Status.TECHNICAL_INTERN: ({1990: 0.001, 2010: 0.001, 2011: 60, 2015: 100, 2019: 180, 2025: 200},
                              {N.VIETNAM: 0.55, N.CHINA: 0.25, N.PHILIPPINES: 0.1, N.INDONESIA: 0.1}),
    Status.NIKKEI_LONG_TERM_RESIDENT: ({1990: 60, 2000: 30, 2008: 20, 2010: 10, 2025: 10}, {N.BRAZIL: 0.8, N.PERU: 0.2}),
    Status.ENTERTAINER: ({1990: 60, 2004: 130, 2006: 40, 2010: 20, 2025: 20}, {N.PHILIPPINES: 0.8, N.OTHER: 0.2}),
    Status.SPOUSE_OF_JAPANESE: ({1990: 20, 2025: 20}, {N.CHINA: 0.4, N.PHILIPPINES: 0.3, N.SOUTH_KOREA: 0.1, N.THAILAND: 0.1, N.BRAZIL: 0.1}),
    Status.SPECIFIED_SKILLED_WORKER: ({1990: 0.001, 2019: 0.001, 2020: 20, 2025: 80}, {N.VIETNAM: 0.6, N.INDONESIA: 0.2, N.PHILIPPINES: 0.2}),
}
JOB_OPENINGS = {1990: 1.40, 1993: 0.76, 1999: 0.48, 2006: 1.06, 2009: 0.47, 2014: 1.09, 2018: 1.61, 2020: 1.18, 2025: 1.22}


def _path(anchors: dict[int, float], years: np.ndarray, log: bool = True) -> np.ndarray:
    xs = np.array(sorted(anchors), dtype=float)
    ys = np.array([anchors[int(x)] for x in xs], dtype=float)
    if log:
        return np.exp(np.interp(years, xs, np.log(np.maximum(ys, 1e-9))))
    return np.interp(years, xs, ys)


def synthetic_inputs(start: dt.date = dt.date(1990, 1, 1), end: dt.date = dt.date(2025, 12, 1),
                     size: float = 1.0) -> SyntheticInputs:
    """A synthetic ``Inputs``; ``size`` multiplies every count (tiny test populations)."""
    months = month_dates(start, end)
    years = month_years(start, end)
    closure = np.where((years >= 2020.25) & (years < 2022.75), 0.1, 1.0)
    inflows = np.zeros((len(months), len(Status), len(N)))
    for status, (anchors, shares) in INFLOWS.items():
        total = _path(anchors, years) * 1000 / 12 * closure * size
        if status == Status.PRE_COLLEGE_STUDENT:
            total = np.where(years >= 2010.5, 0.0, total)
        for nat, share in shares.items():
            inflows[:, status, nat] = total * share
    visitors = np.zeros((len(months), len(N)))
    for nat, anchors in VISITORS.items():
        visitors[:, nat] = _path(anchors, years) * 1000 / 12 * closure * size
    initial = pd.DataFrame([
        (Status.OVERSTAYER, N.PHILIPPINES, Status.TEMPORARY_VISITOR, 18000),
        (Status.OVERSTAYER, N.SOUTH_KOREA, Status.TEMPORARY_VISITOR, 12000),
        (Status.OVERSTAYER, N.THAILAND, Status.TEMPORARY_VISITOR, 8000),
        (Status.OVERSTAYER, N.PAKISTAN, Status.TEMPORARY_VISITOR, 6000),
        (Status.OVERSTAYER, N.BANGLADESH, Status.TEMPORARY_VISITOR, 6000),
        (Status.OVERSTAYER, N.MALAYSIA, Status.TEMPORARY_VISITOR, 4000),
        (Status.OVERSTAYER, N.OTHER, Status.TEMPORARY_VISITOR, 12000),
        (Status.OVERSTAYER, N.CHINA, Status.PRE_COLLEGE_STUDENT, 6000),
        (Status.OVERSTAYER, N.PHILIPPINES, Status.ENTERTAINER, 5000),
        (Status.NIKKEI_LONG_TERM_RESIDENT, N.BRAZIL, -1, 50000),
        (Status.PRE_COLLEGE_STUDENT, N.CHINA, -1, 30000),
        (Status.COLLEGE_STUDENT, N.CHINA, -1, 20000),
        (Status.TRAINEE, N.CHINA, -1, 25000),
        (Status.SPOUSE_OF_JAPANESE, N.PHILIPPINES, -1, 60000),
        (Status.ENTERTAINER, N.PHILIPPINES, -1, 20000),
    ], columns=["status", "nationality", "status_at_overstay", "count"])
    initial["count"] = initial["count"] * size
    derivations = pd.DataFrame([("all", "1990-2025", np.nan, True, "synthetic anchors", "none: invented")],
                               columns=["quantity", "period", "value", "derived", "formula", "sources"])
    return SyntheticInputs(months, inflows, visitors, initial, _path(JOB_OPENINGS, years, log=False), derivations)
