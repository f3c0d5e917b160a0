"""Temporary-visitor entries by nationality and month, as they happened (the law as shipped).

Three kinds of nationality:

* South Korea, Taiwan, China: their share of visitor entries is derived from their total new
  entries (2001, 2003, 2004, 2018, 2019) minus their modelled side-door entries; 1990 is an
  assumption (splits.yaml), other years interpolate;
* Pakistan, Bangladesh, Iran: the paper's 1989 counts (§4.1) are entries *with* the visa
  exemption; in months where the shipped law (``rules.visa_exempt``) has it suspended they are
  multiplied by ``inflows.visa_suspension_entry_factor``;
* all others: assumed shares (splits.yaml); ``Other (model)`` is the residual, so the
  nationalities add up to the observed or derived total of every period.

Reforms and the border closure act later (``build``), relative to these factual entries.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sidedoor.engine.inputs import sources as src
from sidedoor.engine.inputs.cells import Cell, derived, months_of
from sidedoor.engine.inputs.splits import Anchor, Overrides, interpolate, shares
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.nationalities import Nationality, from_label

N_NAT = len(Nationality)
FACTOR = "inflows.visa_suspension_entry_factor"
PAPER_YEAR = 1989
DATA_NATIONALITIES = (Nationality.SOUTH_KOREA, Nationality.TAIWAN, Nationality.CHINA)


def count_based() -> dict[Nationality, dict[int, float]]:
    """Exemption-level visitor counts: the 1989 data (paper §4.1) plus splits.yaml anchors."""
    table = src.splits()["tables"]["visitor_exempt_level_counts"]["counts"]
    out = {}
    for label, anchors in table.items():
        nat = from_label(label)
        value = src.get("new_entries", src.year_end(PAPER_YEAR), f"{label}|temporary_visitor")
        if value is None:
            raise ValueError(f"no {PAPER_YEAR} temporary-visitor count for {label} in the data")
        out[nat] = {PAPER_YEAR: value, **anchors}
    return out


def data_anchors(visitors: dict[str, Cell], side_door: dict[int, np.ndarray], side_door_tags: dict[int, tuple]) -> Overrides:
    """Visitor shares of South Korea, Taiwan and China where their total new entries are known.

    share = (total new entries of n - modelled side-door entries of n) / visitor entries; other
    long-stay statuses (engineers, dependents, ...) are not subtracted, which overstates the
    share by their small number.
    """
    out: Overrides = {}
    for nat in DATA_NATIONALITIES:
        for year, total in src.year_flows("new_entries", f"{nat.label}|total").items():
            v = visitors.get(str(year))
            if v is None or year not in side_door:
                continue
            sub = float(side_door[year][nat])
            formula = (f"share = ({nat.label} new entries {total:,.0f} - modelled side-door entries {sub:,.0f}) "
                       f"/ visitor entries {v.value:,.0f}")
            tags = (src.tag("new_entries", src.year_end(year), f"{nat.label}|total"),) + v.sources + side_door_tags[year]
            out.setdefault(nat, {})[year] = Anchor((total - sub) / v.value, True, formula, tags)
    return out


def factual_entries(visitors: dict[str, Cell], overrides: Overrides, months: list[dt.date],
                    params: ParameterSet, exempt: np.ndarray) -> tuple[np.ndarray, dict[str, list[Cell]]]:
    """Monthly visitor entries by nationality under the shipped law (``exempt``: months x
    nationalities from ``rules.visa_exempt`` with the shipped parameters), and per-period cells."""
    n = len(months)
    month_pos = {d: i for i, d in enumerate(months)}
    factor = float(params.value(FACTOR, dt.date(1989, 1, 1)))
    counts = count_based()
    base = np.zeros((n, N_NAT))
    cells: dict[str, list[Cell]] = {}
    for label, total in visitors.items():
        first, last = months_of(label)
        if first > months[-1] or last < months[0]:
            continue
        idx = np.arange(month_pos[first], month_pos[last] + 1)
        share, fixed = shares("visitor", label, overrides)
        for nat in counts:
            share[nat] = 0.0
        share[Nationality.OTHER] = 0.0
        rows = [None] * N_NAT
        named = 0.0
        for nat in Nationality:
            if nat == Nationality.OTHER:
                continue
            if nat in counts:
                t = np.array([d.year + (d.month - 0.5) / 12 for d in (months[i] for i in idx)])
                level = interpolate(counts[nat], t) / 12
                cut = np.where(exempt[idx, nat], 1.0, factor)
                base[idx, nat] = level * cut
                value = float(base[idx, nat].sum())
                suspended = int((~exempt[idx, nat]).sum())
                rows[nat] = derived(value, f"exemption-level entries (paper 1989 count, splits.yaml) {level.sum():,.0f}"
                                    f"; {suspended} of {len(idx)} months without exemption x {factor} ({FACTOR}, rules.visa_exempt)",
                                    src.tag("new_entries", src.year_end(PAPER_YEAR), f"{nat.label}|temporary_visitor"),
                                    "splits.yaml:visitor_exempt_level_counts", FACTOR)
            else:
                value = total.value * share[nat]
                base[idx, nat] = value / len(idx)
                anchor = fixed.get(nat)
                why = anchor.formula if anchor else "interpolated share; assumption splits.yaml:visitor"
                rows[nat] = derived(value, f"{total.value:,.0f} x {share[nat]:.5f} ({why})",
                                    *(anchor.sources if anchor else total.sources + ("splits.yaml:visitor",)))
            named += rows[nat].value
        other = total.value - named
        if other < 0:
            raise ValueError(f"visitor shares of period {label} exceed the total by {-other:,.0f}: fix splits.yaml")
        base[idx, Nationality.OTHER] = other / len(idx)
        rows[Nationality.OTHER] = derived(other, f"residual: {total.value:,.0f} - named nationalities {named:,.0f}",
                                          *total.sources)
        cells[label] = rows
    return base, cells
