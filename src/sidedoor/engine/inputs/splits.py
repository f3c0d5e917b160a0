"""Nationality splits of a channel's entries: assumption tables, corrected by data where it exists.

The data give entries by nationality only for a handful of cells (the 2019 intern counts, the
paper's 1989 visitor counts, total entries of South Korea, Taiwan and China in five years).
Everything else comes from ``splits.yaml`` (provenance: assumption, each table with a reason
and the data that constrain it). A data-derived share (e.g. the Vietnamese share of the intern
stock in Table 1) replaces the table's value for that year, and the nationalities without data
share the remainder in proportion to the table, so the shares always sum to one and
``Other (model)`` stays the residual.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sidedoor.engine.inputs import sources
from sidedoor.engine.inputs.cells import Cell, mid_year
from sidedoor.nationalities import Nationality, from_label

N_NAT = len(Nationality)
OTHER = Nationality.OTHER


@dataclass(frozen=True)
class Anchor:
    """A nationality's share in one calendar year that comes from data, not from the table."""

    share: float
    derived: bool
    formula: str
    sources: tuple[str, ...]


#: table -> nationality -> year -> Anchor
Overrides = dict[Nationality, dict[int, Anchor]]


def _table(name: str) -> dict:
    return sources.splits()["tables"][name]


@lru_cache(maxsize=None)
def table_anchors(name: str) -> dict[Nationality, dict[int, float]]:
    """The assumption anchors of a share table, keyed by nationality code."""
    return {from_label(label): dict(anchors) for label, anchors in _table(name)["shares"].items()}


def interpolate(anchors: dict[int, float], t):
    """Linear in time between anchor years (anchor y sits at y + 0.5), constant outside."""
    years = sorted(anchors)
    xs = np.array(years, dtype=float) + 0.5
    ys = np.array([anchors[y] for y in years], dtype=float)
    out = np.interp(t, xs, ys)
    return float(out) if np.ndim(out) == 0 else out


def shares(name: str, label: str, overrides: Overrides | None = None) -> tuple[np.ndarray, dict]:
    """Shares of all nationalities in period ``label`` (sum 1) and the data anchors used.

    Data anchors are interpolated together with the table's anchors of the same nationality
    (a data year replaces the table's value of that year). Nationalities with a data anchor
    exactly in this period are fixed; the others share the remainder in the table's proportions.
    """
    t = mid_year(label)
    year = int(label[:4])
    overrides = overrides or {}
    assumed = np.zeros(N_NAT)
    for nat, anchors in table_anchors(name).items():
        merged = {**anchors, **{y: a.share for y, a in overrides.get(nat, {}).items()}}
        assumed[nat] = interpolate(merged, t)
    for nat, data in overrides.items():
        if nat not in table_anchors(name):
            assumed[nat] = interpolate({y: a.share for y, a in data.items()}, t)
    fixed = {nat: data[year] for nat, data in overrides.items() if year in data and len(label) == 4}
    assumed[OTHER] = max(1.0 - sum(assumed[n] for n in range(N_NAT) if n != OTHER), 0.0)
    free = [n for n in range(N_NAT) if Nationality(n) not in fixed]
    out = np.zeros(N_NAT)
    for nat, anchor in fixed.items():
        out[nat] = anchor.share
    rest = max(1.0 - out.sum(), 0.0)
    weight = assumed[free].sum()
    if weight > 0:
        out[free] = assumed[free] * rest / weight
    return out, fixed


def split_cell(name: str, label: str, total: Cell, overrides: Overrides | None = None) -> list[Cell]:
    """Per-nationality cells of a channel's period total (index = Nationality code)."""
    share, fixed = shares(name, label, overrides)
    table_ref = f"splits.yaml:{name}"
    out = []
    for nat in Nationality:
        value = total.value * share[nat]
        if nat in fixed:
            anchor = fixed[nat]
            if not anchor.derived and not total.derived:
                out.append(Cell(value, False, "observed", anchor.sources))
                continue
            formula = f"{total.value:,.0f} x {share[nat]:.4f} ({anchor.formula})"
            out.append(Cell(value, True, formula, anchor.sources + total.sources))
            continue
        what = "remainder after data-given nationalities, in table proportions" if fixed else "interpolated share"
        formula = f"{total.value:,.0f} x {share[nat]:.4f} ({what}; assumption {table_ref})"
        out.append(Cell(value, True, formula, total.sources + (table_ref,)))
    return out


def anchor_from_counts(counts: dict[Nationality, float], total: float, year: int, source: str,
                       observed_counts: bool) -> dict[Nationality, dict[int, Anchor]]:
    """Anchors from counts by nationality in one year (e.g. the 2019 first-year interns)."""
    return {
        nat: {year: Anchor(v / total, not observed_counts, f"{v:,.0f} / {total:,.0f}", (source.format(nat.label),))}
        for nat, v in counts.items()
    }


def merge(*parts: Overrides) -> Overrides:
    out: Overrides = {}
    for part in parts:
        for nat, years in part.items():
            out.setdefault(nat, {}).update(years)
    return out
