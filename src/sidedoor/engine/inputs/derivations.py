"""The ``Inputs`` dataclass, its ``derivations`` table and the annual ``inputs_table``.

``derivations`` has one row per input cell: (quantity, period) at the level of all nationalities
and of each nationality, plus the initial population and the job-openings ratio. ``value`` is
the final value (after scales and rules); ``derived`` is False only for a figure that equals
the data. When a scale or a rule changes a cell, its formula says so and the cell is derived,
even if it started as an observation (e.g. a reform closing a channel in an observed year).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sidedoor.engine.inputs.base import CHANNELS, Base, PeriodCells
from sidedoor.engine.inputs.cells import Cell
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality

COLUMNS = ["quantity", "period", "value", "derived", "formula", "sources"]
RULE_NAMES = {"scale": "calibrated 1990s scale", "border": "rules.border_inflow_factor",
              "open": "rules.channel_open", "visa": "rules.visa_exempt x inflows.visa_suspension_entry_factor"}


@dataclass(frozen=True)
class Inputs:
    """What the engine consumes (docs/CONTRACTS.md, 'Inputs'); scale 1, read-only arrays."""

    months: list[dt.date]
    inflows: np.ndarray  # (n_months, len(Status), len(Nationality)) float64
    visitor_entries: np.ndarray  # (n_months, len(Nationality)) float64
    initial: pd.DataFrame  # status, nationality, status_at_overstay, count
    job_openings_ratio: np.ndarray  # (n_months,) float64
    derivations: pd.DataFrame  # quantity, period, value, derived, formula, sources
    #: per nationality, the highest yearly rate (a month's x 12) of usual visitor entries up to
    #: the end of ``visitors.BOOM_REFERENCE_YEAR`` (scale 1), what the tourism boom is measured
    #: against; None: no boom dilution
    visitor_reference: np.ndarray | None = None

    @classmethod
    def frozen(cls, **fields) -> Inputs:
        for key in ("inflows", "visitor_entries", "job_openings_ratio", "visitor_reference"):
            if fields.get(key) is None and key == "visitor_reference":
                continue
            arr = np.array(fields[key], dtype=np.float64)
            arr.flags.writeable = False
            fields[key] = arr
        return cls(**fields)


def _row(quantity: str, period: str, cell: Cell, final: float, effect: Callable[[], str]) -> tuple:
    same = abs(final - cell.value) <= 1e-6 * max(1.0, abs(cell.value))
    if same:
        return quantity, period, float(final), bool(cell.derived), cell.formula, "; ".join(cell.sources)
    return (quantity, period, float(final), True, f"{cell.formula}; then {effect() or 'rules'} -> {final:,.0f}",
            "; ".join(cell.sources))


def _moved(x: np.ndarray) -> bool:
    return bool((np.abs(x - 1.0) > 1e-12).any())


def _effect(final: dict, idx: np.ndarray, status: Status | None, nat: int | None = None) -> str:
    """Which scales and rules moved a period's value (for the formula; computed only then)."""
    parts = []
    border = final["border"][idx]
    if status is not None:
        scale = final["scale"][idx, status]
        closed = int((~final["open"][idx, status]).sum())
    else:
        scale = final["visitor_scale"][idx, nat if nat is not None else 0]
        closed = int((~final["open"][idx, Status.TEMPORARY_VISITOR]).sum())
    if _moved(scale):
        parts.append(f"x {RULE_NAMES['scale']} (mean {scale.mean():.3g})")
    if _moved(border):
        parts.append(f"x {RULE_NAMES['border']} (mean {border.mean():.3g})")
    if closed:
        parts.append(f"{RULE_NAMES['open']}: {closed} of {len(idx)} months closed")
    if status is None and nat is not None and _moved(final["visa"][idx, nat]):
        parts.append(f"x {RULE_NAMES['visa']} (mean {final['visa'][idx, nat].mean():.3g}, relative to the law as shipped)")
    if status is not None and final["open"][idx, Status.LABOUR_MIGRANT].any():
        parts.append("labour-migrant diversion (inflows.labour_migrant_diversion_share)")
    return "; ".join(parts)


def _period_rows(prefix: str, periods: list[PeriodCells], values: np.ndarray, final: dict,
                 status: Status | None, lo: int, hi: int) -> list[tuple]:
    rows = []
    for pc in periods:
        if pc.months[-1] < lo or pc.months[0] >= hi:
            continue
        sums = values[pc.months].sum(axis=0)
        rows.append(_row(f"{prefix}|ALL", pc.label, pc.total, float(sums.sum()),
                         lambda pc=pc: _effect(final, pc.months, status)))
        for nat in Nationality:
            rows.append(_row(f"{prefix}|{nat.label}", pc.label, pc.by_nationality[nat], float(sums[nat]),
                             lambda pc=pc, nat=nat: _effect(final, pc.months, status, int(nat))))
    return rows


def derivation_table(base: Base, final: dict, window: slice, initial_cells: list[tuple[str, Cell]],
                     ratio_cells: dict[int, Cell], start: dt.date) -> pd.DataFrame:
    rows: list[tuple] = []
    lo, hi = window.start, window.stop
    for status in CHANNELS:
        rows += _period_rows(f"inflows|{status.label}", base.channel_periods[status],
                             final["inflows"][:, status, :], final, status, lo, hi)
    rows += _period_rows("visitor_entries", base.visitor_periods, final["visitors"], final, None, lo, hi)
    for quantity, cell in initial_cells:
        rows.append(_row(quantity, start.isoformat(), cell, cell.value, str))
    first, last = base.months[lo].year, base.months[hi - 1].year
    for year, cell in sorted(ratio_cells.items()):
        if first <= year <= last:
            rows.append(_row("job_openings_ratio", str(year), cell, cell.value, str))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"quantity": "string", "period": "string", "value": "float64", "derived": "bool",
                         "formula": "string", "sources": "string"})


def inputs_table(inputs: Inputs) -> pd.DataFrame:
    """Annual totals by status and nationality (and 'ALL'), with a ``derived`` flag.

    A year's cell is flagged derived unless every derivation row of that quantity in that year
    is an observation; ``months`` says how many months of the year the inputs cover.
    """
    years = np.array([d.year for d in inputs.months])
    deriv = inputs.derivations
    deriv = deriv[deriv["quantity"].str.startswith(("inflows|", "visitor_entries|"))]
    flag = (deriv.assign(year=deriv["period"].str[:4].astype(int))
            .groupby(["quantity", "year"])["derived"].any().to_dict())
    rows = []
    for year in np.unique(years):
        sel = years == year
        blocks = [(f"inflows|{s.label}", s.label, inputs.inflows[sel, s, :].sum(axis=0)) for s in CHANNELS]
        blocks.append(("visitor_entries", Status.TEMPORARY_VISITOR.label, inputs.visitor_entries[sel].sum(axis=0)))
        for prefix, label, sums in blocks:
            rows.append((int(year), label, "ALL", float(sums.sum()), flag.get((f"{prefix}|ALL", int(year)), True), int(sel.sum())))
            for nat in Nationality:
                rows.append((int(year), label, nat.label, float(sums[nat]),
                             flag.get((f"{prefix}|{nat.label}", int(year)), True), int(sel.sum())))
    return pd.DataFrame(rows, columns=["year", "status", "nationality", "value", "derived", "months"])

