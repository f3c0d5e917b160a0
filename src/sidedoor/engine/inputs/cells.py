"""Input cells with their provenance: every number says whether it is data, and if not, how.

A ``Cell`` is one value of one input quantity over one period (a calendar year, or a half-year
where the data or the institutions split a year). Observed cells carry the data's value and
its citation; derived cells carry a formula and the citations and parameters it used. The
``derivations`` table of ``Inputs`` is these cells, so a filled gap can never pass as data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Cell:
    value: float
    derived: bool
    formula: str
    sources: tuple[str, ...] = ()


def observed(value: float, source: str) -> Cell:
    return Cell(float(value), False, "observed", (source,))


def derived(value: float, formula: str, *sources: str) -> Cell:
    return Cell(float(value), True, formula, tuple(sources))


# --- periods -----------------------------------------------------------------------------
# A period label is "YYYY" (calendar year) or "YYYYH1"/"YYYYH2" (half-year) or, for channels
# opening mid-year, "YYYY-MM..YYYY-MM". ``months_of`` turns a label into its months.

def months_of(label: str) -> tuple[dt.date, dt.date]:
    """First and last month (first days) of a period label."""
    if ".." in label:
        a, b = label.split("..")
        return _month(a), _month(b)
    if label.endswith("H1"):
        y = int(label[:4])
        return dt.date(y, 1, 1), dt.date(y, 6, 1)
    if label.endswith("H2"):
        y = int(label[:4])
        return dt.date(y, 7, 1), dt.date(y, 12, 1)
    y = int(label)
    return dt.date(y, 1, 1), dt.date(y, 12, 1)


def _month(text: str) -> dt.date:
    y, m = text.split("-")
    return dt.date(int(y), int(m), 1)


def year_of(label: str) -> int:
    return int(label[:4])


def mid_year(label: str) -> float:
    """Fractional year at the middle of the period (1990 -> 1990.5)."""
    first, last = months_of(label)
    return (first.year + (first.month - 1) / 12 + last.year + last.month / 12) / 2


def fmt(value: float) -> str:
    """A number for a formula: thousands separators for counts, 4 significant digits for ratios."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


# --- gap filling ----------------------------------------------------------------------------

@dataclass
class AnnualSeries:
    """Year -> Cell of one quantity, with the gap-filling rules every channel shares."""

    name: str
    cells: dict[int, Cell] = field(default_factory=dict)

    def __contains__(self, year: int) -> bool:
        return year in self.cells

    def __getitem__(self, year: int) -> Cell:
        return self.cells[year]

    def set(self, year: int, cell: Cell) -> None:
        self.cells[year] = cell

    def fill_linear(self, first: int, last: int) -> None:
        """Linear interpolation between the nearest known years, marked as a derivation."""
        known = sorted(self.cells)
        for year in range(first, last + 1):
            if year in self.cells:
                continue
            lo = max((k for k in known if k < year), default=None)
            hi = min((k for k in known if k > year), default=None)
            if lo is None or hi is None:
                continue
            w = (year - lo) / (hi - lo)
            a, b = self.cells[lo], self.cells[hi]
            self.cells[year] = derived(
                a.value + w * (b.value - a.value),
                f"linear interpolation {self.name} {lo}->{hi}: {fmt(a.value)} + {w:.3f} x ({fmt(b.value)} - {fmt(a.value)})",
                *sorted(set(a.sources) | set(b.sources)),
            )

    def carry_forward(self, first: int, last: int, why: str) -> None:
        """Hold the last known value constant (an explicit assumption, marked as such)."""
        for year in range(first, last + 1):
            if year not in self.cells:
                prev = self.cells[year - 1]
                self.cells[year] = derived(prev.value, f"assumption: carry forward {self.name} {year - 1} ({why})",
                                           *prev.sources)

    def values(self) -> dict[int, float]:
        return {y: c.value for y, c in sorted(self.cells.items())}


def stock_inflow(stock_before: float, stock_after: float, years: float, stay: float) -> float:
    """Entries over ``years`` that turn ``stock_before`` into ``stock_after`` when entrants arrive
    at a constant rate and leave at rate 1/stay (exponential stays).

    dS/dt = i - S/stay  =>  S1 = S0 e^(-T/stay) + i stay (1 - e^(-T/stay)); returns i*T.
    Used where stocks exist but entries do not ("entries = change in stock + modelled exits").
    """
    decay = np.exp(-years / stay)
    rate = (stock_after - stock_before * decay) / (stay * (1.0 - decay))
    return float(max(rate, 0.0) * years)


STOCK_INFLOW_FORMULA = "(S1 - S0 e^(-T/D)) / (D (1 - e^(-T/D))) x T"


def ramp(year: float, full_until: int, one_from: int) -> float:
    """Weight of a 1990s scale factor: 1 up to ``full_until``, 0 from ``one_from``, linear between."""
    if year <= full_until:
        return 1.0
    if year >= one_from:
        return 0.0
    return float((one_from - year) / (one_from - full_until))
