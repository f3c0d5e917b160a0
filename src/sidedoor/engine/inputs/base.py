"""Stage 1: factual monthly entries by status and nationality, before scales and rules.

Everything here depends only on the data and the non-calibrated ``inflows.*`` assumptions, so
it is cached separately from the cheap stage 2 (calibrated scales, reforms, border closure):
calibration re-runs stage 2 only. A period's total is spread evenly over its months in which
the channel is open under the law as shipped (so the Nikkei entries of 1990 fall in June to
December); months closed under that law get the same monthly rate, which only matters when a
reform opens them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sidedoor.engine.inputs import channels as ch
from sidedoor.engine.inputs import sources as src
from sidedoor.engine.inputs import totals, visitors
from sidedoor.engine.inputs.cells import Cell, months_of, year_of
from sidedoor.engine.inputs.splits import Anchor, Overrides, anchor_from_counts, merge, split_cell
from sidedoor.institutions import rules
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality, from_label
from sidedoor.timeline import DEFAULT_START, month_dates

N_STATUS, N_NAT = len(Status), len(Nationality)
H1_PARAM = "inflows.first_half_share_of_annual_entries"

#: Entry channel -> splits.yaml table of its nationality split.
TABLE: dict[Status, str] = {
    Status.PRE_COLLEGE_STUDENT: "pre_college_student",
    Status.COLLEGE_STUDENT: "college_student",
    Status.TRAINEE: "trainee",
    Status.TECHNICAL_INTERN: "technical_intern",
    Status.NIKKEI_LONG_TERM_RESIDENT: "nikkei_long_term_resident",
    Status.ENTERTAINER: "entertainer",
    Status.SPOUSE_OF_JAPANESE: "spouse_of_japanese",
    Status.SPECIFIED_SKILLED_WORKER: "specified_skilled_worker",
}
CHANNELS = tuple(TABLE) + (Status.LABOUR_MIGRANT,)
#: A reform opening these channels before the law as shipped did gets, in those months, the
#: monthly entries of the channel's first factual period (assumption, INPUTS.md); under the
#: shipped law the months are closed and stay zero. Empty since SSW's counterfactual entrants
#: come from interns entering through the SSW door instead (``ssw.counterfactual_intern_share``
#: in processes/entries.py): copying the 2019 SSW entries as well would count one assumption
#: twice.
OPENED_EARLIER: dict[Status, str] = {}


@dataclass(frozen=True)
class PeriodCells:
    """One period of one quantity: its months, the total cell and the per-nationality cells."""

    label: str
    months: np.ndarray  # indices into Base.months
    total: Cell
    by_nationality: list[Cell]


@dataclass(frozen=True)
class Base:
    months: list[dt.date]  # full model calendar, 1990-01 .. last_year-12
    inflows: np.ndarray  # (months, status, nationality), factual, unscaled
    visitors: np.ndarray  # (months, nationality), factual, unscaled
    channel_periods: dict[Status, list[PeriodCells]]
    visitor_periods: list[PeriodCells]
    reference_open: np.ndarray  # (months, status) channel_open under the shipped law
    reference_exempt: np.ndarray  # (months, nationality) visa_exempt under the shipped law


def _intern_overrides(intern_counts_2019: dict[Nationality, float], total_2019: float) -> Overrides:
    """Vietnamese (Table 1) and Chinese (2017-06) shares of the intern stock as entry shares,
    and the observed 2019 counts. The 2019 check: Vietnamese 52.5% of entries, 53.2% of stock."""
    out: Overrides = {}
    totals_by_date = src.cells("technical_interns", "total")
    for label in ("Vietnam", "China"):
        nat = from_label(label)
        for date, value in src.cells("technical_interns", label).items():
            if date.year >= 2019 or date not in totals_by_date:
                continue
            whole = totals_by_date[date]
            formula = (f"entry share ~ {label} share of the intern stock on {date}: {value:,.0f} / {whole:,.0f} "
                       "(checked in 2019: Vietnam 52.5% of entries vs 53.2% of stock)")
            out.setdefault(nat, {})[date.year] = Anchor(value / whole, True, formula, (
                src.tag("technical_interns", date, label), src.tag("technical_interns", date, "total")))
    observed = anchor_from_counts(intern_counts_2019, total_2019, 2019,
                                  "new_entries[2019-12-31|{}|technical_intern_i]", observed_counts=True)
    return merge(out, observed)


def _student_overrides() -> Overrides:
    """Vietnamese share of student entries in 2018 ~ Vietnamese share of the student stock."""
    stock_date = dt.date(2018, 6, 30)
    stock = src.get("foreign_residents", stock_date, "resident|student")
    share = src.PAPER_VIETNAMESE_STUDENTS_2018 / stock
    formula = (f"entry share ~ stock share: {src.PAPER_VIETNAMESE_STUDENTS_2018:,} Vietnamese students (paper) / "
               f"{stock:,.0f} students (2018-06-30)")
    return {Nationality.VIETNAM: {2018: Anchor(share, True, formula, (
        src.PAPER_VIETNAMESE_STUDENTS_TAG, src.tag("foreign_residents", stock_date, "resident|student")))}}


def _split_channels(periods: dict[Status, dict[str, Cell]]) -> dict[Status, dict[str, list[Cell]]]:
    counts = {from_label(c.split("|")[0]): v for c, v in _intern_counts_2019().items()}
    overrides = {Status.TECHNICAL_INTERN: _intern_overrides(counts, periods[Status.TECHNICAL_INTERN]["2019"].value),
                 Status.COLLEGE_STUDENT: _student_overrides()}
    out: dict[Status, dict[str, list[Cell]]] = {}
    for status, cells in periods.items():
        table = TABLE.get(status)
        out[status] = {}
        for label, total in cells.items():
            if table is None or total.value == 0.0:
                out[status][label] = [Cell(0.0, total.derived, total.formula, total.sources) for _ in Nationality]
            else:
                out[status][label] = split_cell(table, label, total, overrides.get(status))
    return out


def _intern_counts_2019() -> dict[str, float]:
    return src.ending_with("new_entries", dt.date(2019, 12, 31), "|technical_intern_i")


def _side_door_by_year(split: dict[Status, dict[str, list[Cell]]]) -> tuple[dict[int, np.ndarray], dict[int, tuple]]:
    out: dict[int, np.ndarray] = {}
    for status, cells in split.items():
        for label, row in cells.items():
            out.setdefault(year_of(label), np.zeros(N_NAT))
            out[year_of(label)] += np.array([c.value for c in row])
    tags = {y: ("side-door entries by nationality (this table)",) for y in out}
    return out, tags


def build_base(params: ParameterSet, reference: ParameterSet, last_year: int) -> Base:
    months = month_dates(DEFAULT_START, dt.date(last_year, 12, 1))
    pos = {d: i for i, d in enumerate(months)}
    h1 = float(params.value(H1_PARAM, dt.date(2024, 1, 1)))
    total = totals.all_entries(h1, last_year)
    periods = ch.all_channels(total, params, last_year)
    split = _split_channels(periods)
    ref_open = np.array([[rules.channel_open(s, d, reference) for s in Status] for d in months], dtype=bool)
    inflows = np.zeros((len(months), N_STATUS, N_NAT))
    channel_periods: dict[Status, list[PeriodCells]] = {}
    for status in CHANNELS:
        covered = np.zeros(len(months), dtype=int)
        channel_periods[status] = []
        for label, cell in periods[status].items():
            first, last = months_of(label)
            idx = np.arange(pos[first], pos[last] + 1)
            covered[idx] += 1
            open_ = ref_open[idx, status]
            n_open = int(open_.sum()) or len(idx)
            row = split[status][label]
            inflows[idx, status, :] = np.array([c.value for c in row]) / n_open
            channel_periods[status].append(PeriodCells(label, idx, cell, row))
        if not (covered == 1).all():
            bad = months[int(np.flatnonzero(covered != 1)[0])]
            raise ValueError(f"periods of {status.name} do not tile the calendar (month {bad})")
        if status in OPENED_EARLIER:
            first_open = pos[months_of(OPENED_EARLIER[status])[0]]
            inflows[:first_open, status, :] = inflows[first_open, status, :]
    visitor_totals = totals.visitor_entries(total, h1, last_year)
    side_door, tags = _side_door_by_year(split)
    overrides = visitors.data_anchors(visitor_totals, side_door, tags)
    ref_exempt = np.array([rules.visa_exempt(np.arange(N_NAT), d, reference) for d in months], dtype=bool)
    visitor_base, visitor_cells = visitors.factual_entries(visitor_totals, overrides, months, params, ref_exempt)
    visitor_periods = [PeriodCells(label, np.arange(pos[months_of(label)[0]], pos[months_of(label)[1]] + 1),
                                   visitor_totals[label], visitor_cells[label]) for label in visitor_cells]
    return Base(months, inflows, visitor_base, channel_periods, visitor_periods, ref_open, ref_exempt)
