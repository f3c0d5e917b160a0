"""Entries per side-door channel and period, each cell observed or derived with its formula.

Counts by status exist for a few years only; the rules used to fill the rest, channel by channel:

* share x total where a share exists (new_entries_share x T);
* the 1993 combined share of students + pre-college + trainees split in the proportions of the
  separate 2001 shares; before a channel's first share, that share carried back onto T(y);
* stock change plus modelled exits where stocks exist (interns 2023-2025, students 2023-2024,
  SSW 2019-2024, Nikkei 1990): ``cells.stock_inflow``;
* linear interpolation between known years, always marked;
* 2020-2022: the 2019 level carried forward as a no-closure baseline (the closure acts through
  ``rules.border_inflow_factor``); after the last observation: carry-forward, marked.

Practical trainees entered as 研修 until the 2010-07-01 reform (TITP entrants included; the
engine moves them on to technical intern), and as 技能実習1号 from then on.
"""

from __future__ import annotations

import datetime as dt

from sidedoor.engine.inputs import sources as src
from sidedoor.engine.inputs.cells import (
    STOCK_INFLOW_FORMULA, AnnualSeries, Cell, derived, observed, stock_inflow,
)
from sidedoor.engine.inputs.splits import interpolate, table_anchors
from sidedoor.engine.inputs.totals import BASELINE_NOTE, H1_DATE, share_times_total
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.statuses import PRE_COLLEGE_MERGED_ON, Status
from sidedoor.nationalities import Nationality

Periods = dict[str, Cell]
S = Status
FIRST_YEAR = 1990
MERGER = dt.date.fromisoformat(PRE_COLLEGE_MERGED_ON)  # also the 研修 -> 技能実習 reform (2010-07-01)
RESIDUAL_TRAINEES = "inflows.trainee_entries_after_2010_reform"


def _years(series: AnnualSeries, first: int, last: int) -> Periods:
    return {str(y): series[y] for y in range(first, last + 1)}


def _zero(why: str) -> Cell:
    return derived(0.0, f"0 by definition: {why}")


def _carry_back(series: AnnualSeries, first_known: int, total: AnnualSeries, per_total: float, what: str) -> None:
    """Years before ``first_known``: the first known share (per_total) applied to T(y)."""
    for year in range(FIRST_YEAR, first_known):
        t = total[year]
        formula = (f"assumption: carry back the {first_known} share of {what} ({per_total:.5f}) "
                   f"x T({year}) {t.value:,.0f}")
        series.set(year, derived(per_total * t.value, formula, *series[first_known].sources, *t.sources))


def _counts(category: str) -> dict[int, Cell]:
    return {y: observed(v, src.tag("new_entries", src.year_end(y), category))
            for y, v in src.year_flows("new_entries", category).items()}


def _stock_cell(series: str, category: str, d0: dt.date, d1: dt.date, stay: float, stay_name: str,
                times: float = 1.0, times_name: str = "") -> Cell:
    s0, s1 = src.get(series, d0, category), src.get(series, d1, category)
    years = (d1 - d0).days / 365.25
    value = stock_inflow(s0, s1, years, stay) * times
    extra = f" x {times} ({times_name})" if times_name else ""
    formula = f"stock-flow: {STOCK_INFLOW_FORMULA}, S0 {s0:,.0f} ({d0}), S1 {s1:,.0f} ({d1}), D {stay} ({stay_name}){extra}"
    names = (stay_name, times_name) if times_name else (stay_name,)
    return derived(value, formula, src.tag(series, d0, category), src.tag(series, d1, category), *names)


def students_and_trainees(total: AnnualSeries, params: ParameterSet, last_year: int) -> dict[Status, Periods]:
    """Pre-college, college student, trainee and technical-intern entries."""
    pre, col, tr = (AnnualSeries(n) for n in ("pre-college entries", "college-student entries", "trainee entries"))
    # 1993: the combined share split in the proportions of the separate 2001 shares.
    comb = src.get("new_entries_share", src.year_end(1993), "student_pre_college_trainee")
    parts = {k: src.get("new_entries_share", src.year_end(2001), k) for k in ("pre_college_student", "student", "trainee")}
    tags = [src.tag("new_entries_share", src.year_end(1993), "student_pre_college_trainee")] + [
        src.tag("new_entries_share", src.year_end(2001), k) for k in parts]
    t93 = total[1993]
    for series, key in ((pre, "pre_college_student"), (col, "student"), (tr, "trainee")):
        w = parts[key] / sum(parts.values())
        formula = f"{comb}% x T(1993) {t93.value:,.0f} x {w:.4f} (2001 shares {parts[key]}/{sum(parts.values()):.1f})"
        series.set(1993, derived(comb / 100 * w * t93.value, formula, *tags, *t93.sources))
        _carry_back(series, 1993, total, comb / 100 * w, "students + pre-college + trainees (split)")
    for year, cell in _counts("pre_college_student").items():
        pre.set(year, cell)
    for year in (2001, 2004):
        col.set(year, share_times_total("student", year, total))
        tr.set(year, share_times_total("trainee", year, total))
    for year, cell in _counts("trainee").items():
        tr.set(year, cell)
    for series in (pre, col, tr):
        series.fill_linear(1993, 2001)
    col.fill_linear(2001, 2004)
    tr.fill_linear(2001, 2008)
    # 2005-2013: students across the 2010 merger, as one series (college + pre-college).
    both = AnnualSeries("college + pre-college entries")
    both.set(2004, derived(pre[2004].value + col[2004].value, "pre-college 2004 (observed) + college 2004 (share x T)",
                           *pre[2004].sources, *col[2004].sources))
    both.set(2014, share_times_total("student", 2014, total))
    both.fill_linear(2004, 2014)
    col.set(2005, derived(both[2005].value - pre[2005].value,
                          f"college + pre-college 2005 {both[2005].value:,.0f} - pre-college 2005 {pre[2005].value:,.0f}",
                          *both[2005].sources, *pre[2005].sources))
    frac = pre[2005].value / both[2005].value
    why = f"pre-college fraction of 2005 ({frac:.3f}) carried forward"
    for year in range(2006, 2010):
        b = both[year]
        tags = (*b.sources, *pre[2005].sources)
        pre.set(year, derived(frac * b.value, f"{b.value:,.0f} x {frac:.3f} ({why})", *tags))
        col.set(year, derived((1 - frac) * b.value, f"{b.value:,.0f} x {1 - frac:.3f} ({why})", *tags))
    out = {S.PRE_COLLEGE_STUDENT: _years(pre, FIRST_YEAR, 2009), S.COLLEGE_STUDENT: _years(col, FIRST_YEAR, 2009)}
    b10 = both[2010]
    half = b10.value / 2
    out[S.PRE_COLLEGE_STUDENT]["2010H1"] = derived(frac * half, f"{b10.value:,.0f} / 2 x {frac:.3f} ({why})", *b10.sources)
    out[S.COLLEGE_STUDENT]["2010H1"] = derived((1 - frac) * half, f"{b10.value:,.0f} / 2 x {1 - frac:.3f} ({why})",
                                               *b10.sources)
    out[S.COLLEGE_STUDENT]["2010H2"] = derived(half, f"{b10.value:,.0f} / 2 (pre-college merged into 留学 from 2010-07-01)",
                                               *b10.sources)
    merged = "pre-college entrants are counted as college students from 2010-07-01 (statuses.PRE_COLLEGE_MERGED_ON)"
    out[S.PRE_COLLEGE_STUDENT]["2010H2"] = _zero(merged)
    out[S.PRE_COLLEGE_STUDENT].update({str(y): _zero(merged) for y in range(2011, last_year + 1)})
    out[S.COLLEGE_STUDENT].update(_recent_students(both, total, params, last_year))
    out.update(_practical_training(tr, params, last_year))
    return out


def _recent_students(both: AnnualSeries, total: AnnualSeries, params: ParameterSet, last_year: int) -> Periods:
    col = AnnualSeries("college-student entries")
    for year in range(2011, 2015):
        col.set(year, both[year])
    col.set(2018, share_times_total("student", 2018, total))
    col.set(2019, _counts("student")[2019])
    col.fill_linear(2014, 2018)
    col.carry_forward(2020, 2022, BASELINE_NOTE)
    stay_name = "inflows.stay_years_college"
    stay = float(params.value(stay_name, dt.date(2023, 1, 1)))
    stock = "resident|student"
    col.set(2023, _stock_cell("foreign_residents", stock, dt.date(2022, 12, 31), dt.date(2023, 12, 31), stay, stay_name))
    out = _years(col, 2011, 2023)
    h1 = src.get("new_entries_half_year", H1_DATE, "student")
    out["2024H1"] = observed(h1, src.tag("new_entries_half_year", H1_DATE, "student"))
    year24 = _stock_cell("foreign_residents", stock, dt.date(2023, 12, 31), dt.date(2024, 12, 31), stay, stay_name)
    out["2024H2"] = derived(max(year24.value - h1, 0.0), f"[{year24.formula}] {year24.value:,.0f} - 2024 H1 {h1:,.0f}",
                            *year24.sources, *out["2024H1"].sources)
    for year in range(2025, last_year + 1):
        out[str(year)] = derived(year24.value, f"assumption: carry forward 2024 ({year24.value:,.0f}, stock-flow)",
                                 *year24.sources)
    return out


def _practical_training(tr: AnnualSeries, params: ParameterSet, last_year: int) -> dict[Status, Periods]:
    """Trainees (研修) to 2010-06, technical interns (技能実習1号) from 2010-07, residual trainees after."""
    residual = float(params.value(RESIDUAL_TRAINEES, MERGER))
    intern_counts = _counts("technical_intern_i")
    first = min(intern_counts)
    practical = AnnualSeries("practical-training entries (trainee, then technical intern + residual trainees)")
    practical.set(2008, tr[2008])
    practical.set(first, derived(intern_counts[first].value + residual,
                                 f"TIT-1 {first} {intern_counts[first].value:,.0f} + residual trainees {residual:,.0f}",
                                 *intern_counts[first].sources, RESIDUAL_TRAINEES))
    practical.fill_linear(2008, first)
    trainees = _years(tr, FIRST_YEAR, 2008)
    trainees["2009"] = practical[2009]
    p10 = practical[2010]
    trainees["2010H1"] = derived(p10.value / 2, f"{p10.value:,.0f} / 2 ({p10.formula})", *p10.sources)
    rest = derived(residual / 2, f"assumption: {RESIDUAL_TRAINEES} {residual:,.0f} / 2", RESIDUAL_TRAINEES)
    trainees["2010H2"] = rest
    for year in range(2011, last_year + 1):
        trainees[str(year)] = derived(residual, f"assumption: {RESIDUAL_TRAINEES}", RESIDUAL_TRAINEES)
    before = "TITP entrants entered as trainees (研修) until 2010-07-01; the engine moves them to technical intern"
    interns: Periods = {str(y): _zero(before) for y in range(FIRST_YEAR, 2010)}
    interns["2010H1"] = _zero(before)
    interns["2010H2"] = derived(p10.value / 2 - residual / 2, f"({p10.formula}) / 2 - residual trainees / 2",
                                *p10.sources, RESIDUAL_TRAINEES)
    for year in range(2011, first):
        p = practical[year]
        interns[str(year)] = derived(p.value - residual, f"({p.formula}) - residual trainees {residual:,.0f}",
                                     *p.sources, RESIDUAL_TRAINEES)
    for year, cell in intern_counts.items():
        interns[str(year)] = cell
    last_count = max(intern_counts)
    for year in range(last_count + 1, 2023):
        last = intern_counts[last_count]
        interns[str(year)] = derived(last.value, f"assumption: carry forward {last_count} ({BASELINE_NOTE})", *last.sources)
    interns.update(_recent_interns(params, last_year))
    return {S.TRAINEE: trainees, S.TECHNICAL_INTERN: interns}


def _recent_interns(params: ParameterSet, last_year: int) -> Periods:
    """2023-2025 from the intern stock (half-yearly where it exists), H1 2024 observed."""
    stocks = sorted(d for d in src.cells("technical_interns", "total") if d >= dt.date(2022, 12, 31))
    name = "inflows.stay_years_technical_intern"
    out: Periods = {}
    for d0, d1 in zip(stocks, stocks[1:]):
        label = f"{d1.year}H1" if d1.month == 6 else (f"{d1.year}H2" if d0.month == 6 else str(d1.year))
        out[label] = _stock_cell("technical_interns", "total", d0, d1, float(params.value(name, d0)), name)
    h1 = src.get("new_entries_half_year", H1_DATE, "technical_intern")
    if h1 is not None:
        out["2024H1"] = observed(h1, src.tag("new_entries_half_year", H1_DATE, "technical_intern"))
    last = stocks[-1]
    if last.month == 6:
        prev = out[f"{last.year}H1"]
        out[f"{last.year}H2"] = derived(prev.value, f"assumption: carry forward {last.year} H1 (last intern stock {last})",
                                        *prev.sources)
    for year in range(last.year + 1, last_year + 1):
        ref = out[f"{last.year}H1"] if last.month == 6 else out[str(last.year)]
        value = ref.value + out[f"{last.year}H2"].value if last.month == 6 else ref.value
        out[str(year)] = derived(value, f"assumption: carry forward {last.year} (last intern stock {last})", *ref.sources)
    return out


def family_and_entertainment(total: AnnualSeries, params: ParameterSet, last_year: int) -> dict[Status, Periods]:
    """Entertainers, Nikkei long-term residents and spouses of Japanese nationals."""
    ent = AnnualSeries("entertainer entries")
    for year in (1993, 2001, 2004):
        ent.set(year, share_times_total("entertainer", year, total))
    for year, cell in _counts("entertainer").items():
        ent.set(year, cell)
    _carry_back(ent, 1993, total, src.get("new_entries_share", src.year_end(1993), "entertainer") / 100, "entertainers")
    ent.fill_linear(1993, 2019)
    ent.carry_forward(2020, last_year, f"{BASELINE_NOTE} to 2022; no later entertainer count")
    spouse = AnnualSeries("spouse-of-Japanese entries")
    nikkei = AnnualSeries("long-term resident entries")
    for year in (2001, 2004):
        spouse.set(year, share_times_total("spouse_of_japanese", year, total))
        nikkei.set(year, share_times_total("long_term_resident", year, total))
    _carry_back(spouse, 2001, total, src.get("new_entries_share", src.year_end(2001), "spouse_of_japanese") / 100, "spouses")
    spouse.fill_linear(2001, 2004)
    nikkei.set(FIRST_YEAR, _nikkei_1990(params))
    nikkei.fill_linear(FIRST_YEAR, 2004)
    for series in (spouse, nikkei):
        series.carry_forward(2005, last_year, "no later count or share")
    return {S.ENTERTAINER: _years(ent, FIRST_YEAR, last_year),
            S.SPOUSE_OF_JAPANESE: _years(spouse, FIRST_YEAR, last_year),
            S.NIKKEI_LONG_TERM_RESIDENT: _years(nikkei, FIRST_YEAR, last_year)}


def nikkei_stocks_1990(params: ParameterSet) -> tuple[float, float, tuple[str, ...], str]:
    """Long-term resident (Nikkei) stock on 1990-01-01 and 1990-12-31, with sources and formula.

    Registered Brazilians and Peruvians at end-1990 are data; their share of the channel (table
    anchors for 1990) scales them to all nationalities; the start-of-year stock is an assumed
    share of the end-of-year stock."""
    end = dt.date(1990, 12, 31)
    brazil = src.get("foreign_residents", end, "registered|Brazil|total")
    peru = src.get("foreign_residents", end, "registered|Peru|total")
    anchors = table_anchors("nikkei_long_term_resident")
    share = interpolate(anchors[Nationality.BRAZIL], 1990.5) + interpolate(anchors[Nationality.PERU], 1990.5)
    name = "inflows.nikkei_stock_start_1990_share_of_end_1990"
    f = float(params.value(name, dt.date(1990, 1, 1)))
    s1 = (brazil + peru) / share
    formula = (f"(Brazil {brazil:,.0f} + Peru {peru:,.0f} registered 1990-12-31) / {share:.2f} "
               "(splits.yaml Brazil+Peru share)")
    tags = (src.tag("foreign_residents", end, "registered|Brazil|total"),
            src.tag("foreign_residents", end, "registered|Peru|total"), "splits.yaml:nikkei_long_term_resident", name)
    return f * s1, s1, tags, formula


def _nikkei_1990(params: ParameterSet) -> Cell:
    s0, s1, tags, formula = nikkei_stocks_1990(params)
    name = "inflows.stay_years_nikkei"
    stay = float(params.value(name, dt.date(1990, 1, 1)))
    value = stock_inflow(s0, s1, 1.0, stay)
    return derived(value, f"stock-flow: {STOCK_INFLOW_FORMULA}, S1 = {formula} = {s1:,.0f}, "
                          f"S0 = S1 x share at start = {s0:,.0f}, D {stay}", *tags, name)


def specified_skilled_workers(params: ParameterSet, last_year: int) -> Periods:
    """SSW entries from abroad: stock-flow on the SSW stock (linear from 0 at the channel's
    opening to the first observed stock), times the share entering from abroad."""
    opened = dt.date(2019, 4, 1)
    stocks = src.cells("foreign_residents", "resident|specified_skilled_worker")
    dates = sorted(stocks)
    first = dates[0]
    span = (first - opened).days
    stay_name, share_name = "inflows.stay_years_ssw", "inflows.ssw_share_entering_from_abroad"
    stay = float(params.value(stay_name, opened))
    share = float(params.value(share_name, opened))
    out: Periods = {"2019-01..2019-03": _zero("the SSW status starts on 2019-04-01 (see earlier years)")}
    prev_date, prev_stock = opened - dt.timedelta(days=1), 0.0
    line = f"stock linear from 0 on {opened} to {stocks[first]:,.0f} on {first}"
    for year in range(2019, last_year + 1):
        end = dt.date(year, 12, 31)
        label = "2019-04..2019-12" if year == 2019 else str(year)
        if end <= first:
            stock = stocks[first] * (end - opened).days / span
            tags = (src.tag("foreign_residents", first, "resident|specified_skilled_worker"), stay_name, share_name)
            years = (end - prev_date).days / 365.25
            value = stock_inflow(prev_stock, stock, years, stay) * share
            out[label] = derived(value, f"stock-flow: {STOCK_INFLOW_FORMULA} on a {line}: S0 {prev_stock:,.0f}, "
                                        f"S1 {stock:,.0f}, D {stay} x {share} ({share_name})", *tags)
            prev_date, prev_stock = end, stock
        elif end in stocks:
            out[label] = _stock_cell("foreign_residents", "resident|specified_skilled_worker", prev_date, end,
                                     stay, stay_name, share, share_name)
            prev_date, prev_stock = end, stocks[end]
        else:
            last = out[str(year - 1)]
            out[label] = derived(last.value, f"assumption: carry forward {year - 1} (after the last SSW stock)",
                                 *last.sources)
    return out


def labour_migrant(last_year: int) -> Periods:
    why = "counterfactual channel; opened only by a reform (entries then diverted from the side doors)"
    return {str(y): _zero(why) for y in range(FIRST_YEAR, last_year + 1)}


def all_channels(total: AnnualSeries, params: ParameterSet, last_year: int) -> dict[Status, Periods]:
    out = students_and_trainees(total, params, last_year)
    out.update(family_and_entertainment(total, params, last_year))
    why = ("the SSW status starts on 2019-04-01 (a reform opening it earlier gets the 2019-04..12 monthly "
           "entries in those months: assumption)")
    ssw = {str(y): _zero(why) for y in range(FIRST_YEAR, 2019)}
    ssw.update(specified_skilled_workers(params, last_year))
    out[S.SPECIFIED_SKILLED_WORKER] = ssw
    out[S.LABOUR_MIGRANT] = labour_migrant(last_year)
    return out
