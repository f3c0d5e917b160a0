"""Simulated series in the exact shape of the official statistics (CONTRACTS.md).

Why the official shape: a simulated row must join the observed row on (series,
reference_date, category) with no reshaping, so calibration and the report compare like
with like. Stocks are the state at 00:00 on their reference day (the start of that month);
calendar-year flows are dated YYYY-12-31 and only whole simulated years are reported.
Counts at ``--scale s`` are divided by ``s``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sidedoor.engine.context import MECHANISMS, N_CODES, N_STATUS, OUTSIDE
from sidedoor.institutions.statuses import Status, official_status_category
from sidedoor.nationalities import Nationality
from sidedoor.timeline import month_index, overstayer_reference_dates

COLUMNS = ["series", "reference_date", "category", "value"]
YEARLY_FLOWS = ("interns_disappeared", "asylum_applications", "asylum_recognized", "spr_granted",
                "deportations", "departure_orders")
NOV_1_YEARS = (1992, 1993, 1994, 1995)  # approximate supplementary estimates (White Papers)


def code_name(code: int) -> str:
    return "outside" if code == OUTSIDE else Status(code).label


def _snapshot_dates(months: list[dt.date], snapshots: int) -> dict[dt.date, int]:
    """Date -> snapshot row (row k = start of month k; the last row is the end of the run)."""
    start = months[0]
    out = {}
    for k in range(snapshots):
        y, mth = start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1
        out[dt.date(y, mth, 1)] = k
    return out


def build_outputs(months: list[dt.date], snaps: dict[str, np.ndarray], counters: dict[str, np.ndarray],
                  scale: float, status_counters: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """All official-shaped series from monthly snapshots and counters (``status_counters``:
    counters by status at overstay, reported as ``<name>_by_status``)."""
    at = _snapshot_dates(months, snaps["stock"].shape[0])
    rows: list[tuple[str, dt.date, str, float]] = []
    years = range(months[0].year, months[-1].year + 1)
    refs = [d for d in overstayer_reference_dates(months[0].year, months[-1].year) if d in at]
    july = [dt.date(y, 7, 1) for y in years if dt.date(y, 7, 1) in at]
    nov = [dt.date(y, 11, 1) for y in NOV_1_YEARS if dt.date(y, 11, 1) in at]
    detail_dates = sorted(set(refs) | set(july) | set(nov))
    over = int(Status.OVERSTAYER)
    for d in refs:
        rows.append(("overstayers", d, "total", snaps["stock"][at[d], over]))
    for d in sorted(set(july) | set(nov)):
        rows.append(("overstayers_midyear", d, "total", snaps["stock"][at[d], over]))
    for d in detail_dates:
        k = at[d]
        for nat in Nationality:
            rows.append(("overstayers_by_nationality", d, nat.label, snaps["by_nationality"][k, nat]))
        rows.append(("overstayers_by_sex", d, "male", snaps["by_sex"][k, 0]))
        rows.append(("overstayers_by_sex", d, "female", snaps["by_sex"][k, 1]))
        for cat, per_nat in by_official_status(snaps["by_status_nat"][k], d).items():
            rows.append(("overstayers_by_status", d, cat, float(np.sum(per_nat))))
            for nat in Nationality:
                rows.append(("overstayers_by_status", d, f"{nat.label}|{cat}", per_nat[nat]))
    intern = int(Status.TECHNICAL_INTERN)
    for y in years:
        for d, label in ((dt.date(y + 1, 1, 1), dt.date(y, 12, 31)), (dt.date(y, 7, 1), dt.date(y, 6, 30))):
            if d in at:
                k = at[d]
                rows.append(("technical_interns", label, "total", snaps["stock"][k, intern]))
                for nat in Nationality:
                    rows.append(("technical_interns", label, nat.label, snaps["interns_by_nationality"][k, nat]))
    for y in years:
        if dt.date(y, 1, 1) not in at or dt.date(y, 12, 1) not in at or at[dt.date(y, 12, 1)] >= len(months):
            continue
        lo = month_index(dt.date(y, 1, 1), months[0])
        for name in YEARLY_FLOWS:
            per_nat = counters[name][lo:lo + 12].sum(axis=0)
            rows.append((name, dt.date(y, 12, 31), "total", per_nat.sum()))
            if name == "interns_disappeared":
                for nat in Nationality:
                    rows.append((name, dt.date(y, 12, 31), nat.label, per_nat[nat]))
        for name, by_status in (status_counters or {}).items():
            per_cat = by_official_status(by_status[lo:lo + 12].sum(axis=0), dt.date(y, 12, 31))
            rows.extend((f"{name}_by_status", dt.date(y, 12, 31), cat, v) for cat, v in per_cat.items())
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["value"] = df["value"].astype(float) / scale
    df["reference_date"] = pd.to_datetime(df["reference_date"])
    return df


def by_official_status(per_status: np.ndarray, date: dt.date) -> dict[str, np.ndarray]:
    """Sum the rows of ``per_status`` (indexed by model status) into the official
    status-at-overstay categories in force on ``date`` (pre-college merges from 2010-07)."""
    by_cat: dict[str, np.ndarray] = {}
    for code in range(N_STATUS):
        cat = official_status_category(Status(code), date)
        by_cat[cat] = by_cat.get(cat, 0) + per_status[code]
    return by_cat


def monthly_stock_frame(months: list[dt.date], stock: np.ndarray, scale: float) -> pd.DataFrame:
    """Stock by status at the start of every month (and at the end of the run), wide."""
    dates = list(_snapshot_dates(months, stock.shape[0]))
    frame = pd.DataFrame(stock[:, :N_STATUS] / scale, columns=[Status(s).label for s in range(N_STATUS)])
    frame.insert(0, "month", pd.to_datetime(dates))
    return frame.drop(columns=[Status.DEPARTED.label, Status.DEPORTED.label])


def flow_frame(months: list[dt.date], flows: np.ndarray, scale: float) -> pd.DataFrame:
    """Non-zero flows as (month, from_status, to_status, mechanism, count)."""
    m, f, t, k = np.nonzero(flows)
    names = np.array([code_name(c) for c in range(N_CODES)], dtype=object)
    dates = pd.to_datetime(months)
    return pd.DataFrame({
        "month": dates[m] if len(m) else pd.to_datetime([]),
        "from_status": names[f].tolist(),
        "to_status": names[t].tolist(),
        "mechanism": np.array(MECHANISMS, dtype=object)[k].tolist(),
        "count": flows[m, f, t, k] / scale,
    })


def event_frame(months: list[dt.date], events: list) -> pd.DataFrame:
    """Sampled event log (person, month, from_status, to_status, mechanism)."""
    if not events:
        return pd.DataFrame(columns=["person", "month", "from_status", "to_status", "mechanism"])
    ids = np.concatenate([e[0] for e in events])
    month = np.concatenate([np.full(e[0].size, e[1]) for e in events])
    frm = np.concatenate([np.asarray(e[2], dtype=np.int64) for e in events])
    to = np.concatenate([np.full(e[0].size, e[3]) for e in events])
    mech = np.concatenate([np.full(e[0].size, e[4]) for e in events])
    names = np.array([code_name(c) for c in range(N_CODES)], dtype=object)
    return pd.DataFrame({
        "person": ids.astype(np.uint64).view(np.int64),  # two's complement: fits BIGINT
        "month": pd.to_datetime([months[i] for i in month]),
        "from_status": names[frm], "to_status": names[to],
        "mechanism": np.array(MECHANISMS, dtype=object)[mech],
    }).sort_values(["person", "month"], kind="stable", ignore_index=True)
