"""How far a scenario may run, and which input assumptions a run beyond the data rests on.

The engine's inputs (``sidedoor.engine.inputs``) are observed up to their last data year and
carried forward after it, each carried cell marked ``derived`` with an ``assumption: carry
forward ...`` formula. A scenario may run past the data (to 2035, say) only with those
assumptions shown: ``input_assumptions`` lists them, once per input quantity, and every
scenario result and figure that covers such years prints them. Nothing is invented here.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from sidedoor import timeline
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.reforms import LATEST

START = dt.date(1990, 1, 1)
#: Last month a scenario may reach: reform dates are validated up to ``reforms.LATEST``.
LAST_MONTH = dt.date(LATEST.year, 12, 1)


class HorizonError(ValueError):
    """A horizon the model cannot reach."""


def parse_end(end: str | dt.date) -> dt.date:
    """``--end`` as the first day of a month, refused outside 1991-01..LAST_MONTH."""
    try:
        end_d = timeline.parse_month(end)
    except ValueError as exc:
        raise HorizonError(str(exc)) from None
    if end_d < dt.date(1991, 1, 1):
        raise HorizonError(f"--end {end_d:%Y-%m} is too early: scenarios start in {START:%Y-%m} and need a whole year")
    if end_d > LAST_MONTH:
        raise HorizonError(f"--end {end_d:%Y-%m} is beyond {LAST_MONTH:%Y-%m}, the last month the rules and "
                           "reforms are defined for; no inputs are invented beyond it")
    return end_d


def _year(period: object) -> int | None:
    found = re.match(r"^(\d{4})", str(period))
    return int(found.group(1)) if found else None


def last_data_year(derivations: pd.DataFrame) -> int:
    """Last year in which some entry input (not the labour-demand driver) is an observed figure."""
    frame = derivations.assign(year=[_year(p) for p in derivations["period"]])
    entries = frame["quantity"].astype(str).str.startswith(("inflows", "visitor"))
    observed = frame[entries & ~frame["derived"].astype(bool) & frame["year"].notna()]
    return int(observed["year"].max()) if len(observed) else START.year


def input_assumptions(params: ParameterSet, end: dt.date) -> tuple[int, list[str]]:
    """(last data year, one line per input quantity carried beyond it up to ``end``)."""
    from sidedoor.engine.inputs import build_inputs

    derivations = build_inputs(params, START, max(end, timeline.DEFAULT_END)).derivations
    last = last_data_year(derivations)
    frame = derivations.assign(year=[_year(p) for p in derivations["period"]])
    quantity = frame["quantity"].astype(str)
    aggregate = quantity.str.endswith("|ALL") | ~quantity.str.contains("|", regex=False)
    late = frame[aggregate & (frame["year"] > last) & (frame["year"] <= end.year)
                 & frame["formula"].astype(str).str.contains("assumption", case=False)]
    lines = []
    for name, part in late.groupby("quantity", sort=True):
        years = part["year"]
        formula = str(part.sort_values("year")["formula"].iloc[0]).split("; then")[0]
        label = str(name).removesuffix("|ALL").replace("|", " ")
        lines.append(f"{label} {int(years.min())}-{int(years.max())}: {formula}")
    return last, lines
