"""Annual totals of all new entries and of temporary-visitor entries, gaps filled transparently.

Both are needed because most status breakdowns exist only as shares of all new entries
(share x total = count, a derivation). Totals are observed in scattered years; a year's change
stated in a White Paper's note gives the year before (derived); remaining gaps are linear
interpolations; 2020-2023 is a no-closure baseline between 2019 and the annualized H1 2024
(the closure itself acts through ``rules.border_inflow_factor``); later years carry 2024 forward.
"""

from __future__ import annotations

import datetime as dt

from sidedoor.engine.inputs import sources as src
from sidedoor.engine.inputs.cells import AnnualSeries, Cell, derived, observed

FIRST_YEAR = 1990
H1_PARAM = "inflows.first_half_share_of_annual_entries"
H1_DATE = dt.date(2024, 6, 30)
BASELINE_NOTE = "no-closure baseline; the 2020-2022 closure acts through rules.border_inflow_factor"


def all_entries(h1_share: float, last_year: int) -> AnnualSeries:
    """T(y): all new entries (新規入国者) per calendar year, 1989..last_year."""
    total = AnnualSeries("all new entries")
    flows = src.year_flows("new_entries", "total")
    for year, value in flows.items():
        total.set(year, observed(value, src.tag("new_entries", src.year_end(year), "total")))
    for year in sorted(flows):
        if year - 1 not in total and (implied := src.stated_change("new_entries", year)):
            value, formula = implied
            total.set(year - 1, derived(value, formula, src.tag("new_entries", src.year_end(year), "total")))
    total.fill_linear(1989, 2019)
    h1 = src.get("new_entries_half_year", H1_DATE, "total")
    total.set(2024, derived(h1 / h1_share, f"2024 H1 {h1:,.0f} / {h1_share} ({H1_PARAM})",
                            src.tag("new_entries_half_year", H1_DATE, "total"), H1_PARAM))
    _baseline(total, 2019, 2024)
    total.carry_forward(2025, last_year, "after the last observation")
    return total


def _baseline(series: AnnualSeries, lo: int, hi: int) -> None:
    series.fill_linear(lo, hi)
    for year in range(lo + 1, hi):
        cell = series[year]
        series.set(year, Cell(cell.value, True, f"{cell.formula} ({BASELINE_NOTE})", cell.sources))


def visitor_share(total: AnnualSeries, last_year: int) -> AnnualSeries:
    """Share of temporary visitors (短期滞在) in all new entries, by year."""
    share = AnnualSeries("temporary-visitor share")
    for year, pct in src.year_flows("new_entries_share", "temporary_visitor").items():
        share.set(year, observed(pct / 100, src.tag("new_entries_share", src.year_end(year), "temporary_visitor")))
    for year, count in src.year_flows("new_entries", "temporary_visitor").items():
        if year not in share and year in total:
            share.set(year, derived(count / total[year].value, f"{count:,.0f} / T({year}) {total[year].value:,.0f}",
                                    src.tag("new_entries", src.year_end(year), "temporary_visitor"),
                                    *total[year].sources))
    first = min(share.cells)
    for year in range(1989, first):
        share.set(year, derived(share[first].value, f"assumption: carry back the first observed share ({first})",
                                *share[first].sources))
    pct = src.get("new_entries_share_half_year", H1_DATE, "temporary_visitor")
    share.set(2024, derived(pct / 100, "2024 H1 share applied to the whole year",
                            src.tag("new_entries_share_half_year", H1_DATE, "temporary_visitor")))
    share.fill_linear(first, 2024)
    share.carry_forward(2025, last_year, "after the last observation")
    return share


def visitor_entries(total: AnnualSeries, h1_share: float, last_year: int) -> dict[str, Cell]:
    """V: temporary-visitor new entries by period ('1990'.., '2024H1', '2024H2', ...)."""
    share = visitor_share(total, last_year)
    counts = src.year_flows("new_entries", "temporary_visitor")
    out: dict[str, Cell] = {}
    for year in range(FIRST_YEAR, last_year + 1):
        if year == 2024:
            h1 = src.get("new_entries_half_year", H1_DATE, "temporary_visitor")
            tag = src.tag("new_entries_half_year", H1_DATE, "temporary_visitor")
            out["2024H1"] = observed(h1, tag)
            out["2024H2"] = derived(h1 * (1 - h1_share) / h1_share,
                                    f"2024 H1 {h1:,.0f} x (1 - h) / h, h = {h1_share} ({H1_PARAM})", tag, H1_PARAM)
        elif year > 2024:
            prev = out.get(str(year - 1)) or Cell(out["2024H1"].value + out["2024H2"].value, True, "2024 H1 + H2",
                                                  out["2024H2"].sources)
            out[str(year)] = derived(prev.value, f"assumption: carry forward {year - 1} ({prev.formula})", *prev.sources)
        elif year in counts:
            out[str(year)] = observed(counts[year], src.tag("new_entries", src.year_end(year), "temporary_visitor"))
        else:
            s, t = share[year], total[year]
            note = f" ({BASELINE_NOTE})" if 2019 < year < 2024 else ""
            out[str(year)] = derived(s.value * t.value, f"share {s.value:.4f} x T({year}) {t.value:,.0f}{note}",
                                     *sorted(set(s.sources) | set(t.sources)))
    return out


def share_times_total(category: str, year: int, total: AnnualSeries, weight: float = 1.0,
                      why: str = "") -> Cell | None:
    """Count = published share x total entries of the year (a derivation), or None."""
    pct = src.get("new_entries_share", src.year_end(year), category)
    if pct is None:
        return None
    t = total[year]
    extra = f" x {weight:.4f} ({why})" if why else ""
    return derived(pct / 100 * weight * t.value, f"{pct}% x T({year}) {t.value:,.0f}{extra}",
                   src.tag("new_entries_share", src.year_end(year), category), *t.sources)
