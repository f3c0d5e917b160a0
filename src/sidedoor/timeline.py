"""The model's monthly calendar: month indices, dates and official reference dates.

The engine steps month by month; month 0 is the simulation's start month. Dated policy
parameters are evaluated on the first day of each month, so a rule that starts on
2018-01-15 applies from February 2018 in a monthly model (documented, never silent).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

DEFAULT_START = dt.date(1990, 1, 1)
DEFAULT_END = dt.date(2025, 12, 1)


def parse_month(value: str | dt.date) -> dt.date:
    """'1990-01', '1990-01-01' or a date -> the first day of that month."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value).strip()
    parts = text.split("-")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a month: {value!r} (expected YYYY-MM or YYYY-MM-DD)")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise ValueError(f"not a month: {value!r} (month {month} is not 1-12)")
    return dt.date(year, month, 1)


def n_months(start: dt.date, end: dt.date) -> int:
    """Number of months from start to end inclusive."""
    return (end.year - start.year) * 12 + (end.month - start.month) + 1


def month_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """First day of every month from start to end inclusive."""
    out = []
    y, m = start.year, start.month
    for _ in range(n_months(start, end)):
        out.append(dt.date(y, m, 1))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def month_index(date: dt.date, start: dt.date) -> int:
    """Index of the month containing ``date`` in a calendar starting at ``start``."""
    return (date.year - start.year) * 12 + (date.month - start.month)


def month_years(start: dt.date, end: dt.date) -> np.ndarray:
    """Fractional calendar year (e.g. 1990.0, 1990.083) of every month, for smooth drivers."""
    dates = month_dates(start, end)
    return np.array([d.year + (d.month - 1) / 12 for d in dates])


def overstayer_reference_dates(first_year: int = 1990, last_year: int = 2025) -> list[dt.date]:
    """The official overstayer count's real reference dates.

    July 1 in 1990, May 1 for 1991-1996, January 1 from 1997 (Ministry of Justice practice;
    see the shipped ``overstayers_total.csv``).
    """
    dates = []
    for year in range(first_year, last_year + 1):
        if year == 1990:
            dates.append(dt.date(1990, 7, 1))
        elif year <= 1996:
            dates.append(dt.date(year, 5, 1))
        else:
            dates.append(dt.date(year, 1, 1))
    return dates


def to_timestamp(date: dt.date) -> pd.Timestamp:
    return pd.Timestamp(date)
