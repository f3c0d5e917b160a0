"""The population on the start date: overstayers by nationality x status at overstay, and the
legal residents of the modelled statuses. None of it is observed as such in 1990, so every
cell is a marked derivation:

* overstayer total: the official estimate, log-linear between survey dates; before the first
  survey (1990-07-01) extrapolated back with the 1990-07 -> 1991-05 growth rate;
* by nationality: the latest list on or before the start date (named nationalities from the
  list, the rest in the proportions of splits.yaml ``initial_overstayers``); before 1992-11 the
  table itself (assumption, constrained by the 1992-11 and 1994-11 lists);
* by status at overstay: the latest near-complete list (the earliest is 2004-01-01; 'other' goes
  to spouses and long-term residents in their 2013 ratio, the model having no 'other' entry);
* joint table: iterative proportional fitting of the channels' nationality mix to both margins;
* legal residents in 1990: steady state, entries of 1990 x mean stay (``inflows.stay_years_*``),
  except the Nikkei (registered Brazilians and Peruvians at end-1990, see ``channels``); after
  1990 the 1990 stock and the inputs' own entries are projected with the same mean stays.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sidedoor.engine.inputs import channels
from sidedoor.engine.inputs import sources as src
from sidedoor.engine.inputs.cells import Cell, derived
from sidedoor.engine.inputs.splits import interpolate, shares, table_anchors
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import BY_LABEL, Nationality

N_NAT = len(Nationality)
S = Status
#: Official 'status at the time of overstay' category -> model status.
CATEGORY_STATUS = {
    "temporary_visitor": S.TEMPORARY_VISITOR, "entertainer": S.ENTERTAINER,
    "pre_college_student": S.PRE_COLLEGE_STUDENT, "student": S.COLLEGE_STUDENT, "trainee": S.TRAINEE,
    "technical_intern": S.TECHNICAL_INTERN, "spouse_of_japanese": S.SPOUSE_OF_JAPANESE,
    "long_term_resident": S.NIKKEI_LONG_TERM_RESIDENT, "designated_activities": S.ASYLUM_APPLICANT_WORK_PERMIT,
}
STAY = {
    S.PRE_COLLEGE_STUDENT: "pre_college", S.COLLEGE_STUDENT: "college", S.TRAINEE: "trainee",
    S.TECHNICAL_INTERN: "technical_intern", S.NIKKEI_LONG_TERM_RESIDENT: "nikkei",
    S.ENTERTAINER: "entertainer", S.SPOUSE_OF_JAPANESE: "spouse", S.SPECIFIED_SKILLED_WORKER: "ssw",
    S.LABOUR_MIGRANT: "ssw",
}
OTHER_RATIO_DATE = dt.date(2013, 1, 1)


def stay_years(params: ParameterSet, status: Status, date: dt.date) -> float:
    name = f"inflows.stay_years_{STAY[status]}"
    return float(params.value(name, max(date, params[name].starts[0])))


def overstayer_total(start: dt.date) -> Cell:
    counts = src.cells("overstayers", "total")
    dates = sorted(counts)
    if start in counts:
        return Cell(counts[start], False, "observed", (src.tag("overstayers", start, "total"),))
    if start < dates[0] or start > dates[-1]:
        a, b = (dates[0], dates[1]) if start < dates[0] else (dates[-2], dates[-1])
        how = "back-extrapolated" if start < dates[0] else "extrapolated"
    else:
        a = max(d for d in dates if d < start)
        b = min(d for d in dates if d > start)
        how = "interpolated"
    rate = np.log(counts[b] / counts[a]) / (b - a).days
    value = counts[a] * np.exp(rate * (start - a).days)
    return derived(value, f"log-linear, {how} from {counts[a]:,.0f} ({a}) and {counts[b]:,.0f} ({b})",
                   src.tag("overstayers", a, "total"), src.tag("overstayers", b, "total"))


def _list_total(date: dt.date) -> float | None:
    return src.get("overstayers", date, "total") or src.get("overstayers_midyear", date, "total")


def nationality_margin(start: dt.date) -> tuple[np.ndarray, str, tuple[str, ...]]:
    """Shares of the overstayer stock by nationality on ``start``, with formula and sources."""
    lists: dict[dt.date, dict[Nationality, float]] = {}
    for label, nat in BY_LABEL.items():
        for date, value in src.cells("overstayers_by_nationality", label).items():
            lists.setdefault(date, {})[nat] = value
    usable = [d for d, named in lists.items() if d <= start and len(named) >= 3 and _list_total(d)]
    table = np.array([interpolate(table_anchors("initial_overstayers").get(n, {1990: 0.0}), 1990.5) for n in Nationality])
    table[Nationality.OTHER] = max(1.0 - table.sum(), 0.0)
    if not usable:
        return table, "assumption splits.yaml:initial_overstayers", ("splits.yaml:initial_overstayers",)
    date = max(usable)
    total = _list_total(date)
    out = np.zeros(N_NAT)
    for nat, value in lists[date].items():
        out[nat] = value / total
    free = [n for n in range(N_NAT) if out[n] == 0.0]
    out[free] = table[free] / table[free].sum() * max(1.0 - out.sum(), 0.0)
    tags = tuple(src.tag("overstayers_by_nationality", date, n.label) for n in lists[date])
    return out, f"list of {date} (named nationalities / total {total:,.0f}; rest in splits.yaml:initial_overstayers proportions)", tags


def status_margin(start: dt.date, total: float) -> tuple[np.ndarray, str, tuple[str, ...]]:
    """Shares of the overstayer stock by status at overstay (index = Status code)."""
    lists: dict[dt.date, dict[str, float]] = {}
    for category in list(CATEGORY_STATUS) + ["other"]:
        for date, value in src.cells("overstayers_by_status", category).items():
            lists.setdefault(date, {})[category] = value
    complete = sorted(d for d, c in lists.items() if "temporary_visitor" in c and len(c) >= 5)
    date = max((d for d in complete if d <= start), default=complete[0])
    listed = lists[date]
    ref_total = src.get("overstayers", date, "total") or src.get("overstayers_midyear", date, "total") or sum(listed.values())
    other = listed.get("other", 0.0) + max(ref_total - sum(listed.values()), 0.0)
    spouse = src.get("overstayers_by_status", OTHER_RATIO_DATE, "spouse_of_japanese")
    ltr = src.get("overstayers_by_status", OTHER_RATIO_DATE, "long_term_resident")
    out = np.zeros(len(Status))
    for category, value in listed.items():
        if category != "other":
            out[CATEGORY_STATUS[category]] += value
    out[S.SPOUSE_OF_JAPANESE] += other * spouse / (spouse + ltr)
    out[S.NIKKEI_LONG_TERM_RESIDENT] += other * ltr / (spouse + ltr)
    tags = tuple(src.tag("overstayers_by_status", date, c) for c in listed) + (
        src.tag("overstayers_by_status", OTHER_RATIO_DATE, "spouse_of_japanese"),
        src.tag("overstayers_by_status", OTHER_RATIO_DATE, "long_term_resident"))
    formula = (f"list of {date} (of {ref_total:,.0f}); 'other' and unlisted ({other:,.0f}) to spouses and long-term "
               f"residents in their {OTHER_RATIO_DATE} ratio {spouse:,.0f}:{ltr:,.0f}")
    return out / out.sum(), formula, tags


def ipf(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` to row and column margins (same total)."""
    table = seed + 1e-9
    for _ in range(iterations):
        table *= (rows / table.sum(axis=1))[:, None]
        table *= (cols / np.maximum(table.sum(axis=0), 1e-300))[None, :]
    return table


def overstayers(start: dt.date, seed_by_status: dict[Status, np.ndarray]) -> tuple[pd.DataFrame, list[tuple[str, Cell]]]:
    total = overstayer_total(start)
    nat, nat_formula, nat_tags = nationality_margin(start)
    stat, stat_formula, stat_tags = status_margin(start, total.value)
    statuses = [s for s in Status if stat[s] > 0]
    seed = np.column_stack([seed_by_status.get(s, np.full(N_NAT, 1 / N_NAT)) for s in statuses])
    joint = ipf(seed, nat * total.value, stat[statuses] * total.value)
    rows, cells = [], [("initial|overstayer|ALL|ALL", total)]
    for j, s in enumerate(statuses):
        for n in Nationality:
            value = float(joint[n, j])
            rows.append((int(S.OVERSTAYER), int(n), int(s), value))
            cells.append((f"initial|overstayer|{n.label}|{s.label}", derived(
                value, f"IPF of the channels' nationality mix to margins: total {total.value:,.0f} ({total.formula}); "
                       f"nationality share {nat[n]:.4f} ({nat_formula}); status share {stat[s]:.4f} ({stat_formula})",
                *total.sources, *nat_tags, *stat_tags)))
    return pd.DataFrame(rows, columns=["status", "nationality", "status_at_overstay", "count"]), cells


def legal_1990(params: ParameterSet, annual_1990: dict[Status, np.ndarray]) -> tuple[pd.DataFrame, list[tuple[str, Cell]]]:
    """Legal residents on 1990-01-01: steady state of the 1990 entries, Nikkei from data."""
    date = dt.date(1990, 1, 1)
    rows, cells = [], []
    for status, entries in annual_1990.items():
        if status == S.NIKKEI_LONG_TERM_RESIDENT:
            s0, _, tags, formula = channels.nikkei_stocks_1990(params)
            share, _ = shares("nikkei_long_term_resident", "1990")
            values = s0 * share
            how = f"share at start x end-1990 stock [{formula}]; 1990 nationality split"
        else:
            stay = stay_years(params, status, date)
            values = entries * stay
            tags = (f"inflows.stay_years_{STAY[status]}",)
            how = f"steady state: 1990 entries x mean stay {stay} years"
        for n in Nationality:
            if values[n] > 0:
                rows.append((int(status), int(n), -1, float(values[n])))
                cells.append((f"initial|{status.label}|{n.label}", derived(float(values[n]), how, *tags)))
    return pd.DataFrame(rows, columns=["status", "nationality", "status_at_overstay", "count"]), cells


def legal_projected(params: ParameterSet, stock_1990: pd.DataFrame, months: list[dt.date],
                    inflows: np.ndarray, start: dt.date) -> tuple[pd.DataFrame, list[tuple[str, Cell]]]:
    """Legal residents on a later start date: the 1990 stock and the entries since, each
    leaving at rate 1 / mean stay (status changes such as trainee -> intern are not projected)."""
    stock = np.zeros(inflows.shape[1:])
    for row in stock_1990.itertuples(index=False):
        stock[row.status, row.nationality] += row.count
    for m, d in enumerate(months):
        if d >= start:
            break
        for status in STAY:
            stock[status] *= np.exp(-1 / 12 / stay_years(params, status, d))
        stock += inflows[m]
    rows, cells = [], []
    how = f"projection from 1990-01 with the derived entries and mean stays (inflows.stay_years_*) to {start}"
    for status in STAY:
        for n in Nationality:
            if stock[status, n] > 0:
                rows.append((int(status), int(n), -1, float(stock[status, n])))
                cells.append((f"initial|{status.label}|{n.label}", derived(float(stock[status, n]), how, "inflows.stay_years_*")))
    return pd.DataFrame(rows, columns=["status", "nationality", "status_at_overstay", "count"]), cells
