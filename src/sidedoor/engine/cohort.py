"""A synthetic cohort: n copies of one person, run through the engine's own processes.

Why this module: ``simulate`` runs the whole migrant population from the inputs; a pathway
(``sidedoor.pathways``) needs n life courses of *one kind of person* (an archetype from the
fieldwork, §4-§5) under the rules in force. Re-implementing the processes for that would let
the pathways drift from the engine, so this module only builds a ``Population`` holding the
cohort and steps the very same ``processes.ORDER`` month by month with the same ``Month``
context, rules and counter-based draws. Nothing else enters: the new-entries process is not
run (the cohort is the whole population) and visitors are not thinned.

The cohort lives in the background world of a simulation: the labour-demand driver comes from
the engine inputs, and the co-national overstayer network (``Month.network``) from a
background run's ``overstayers_by_nationality`` series, passed in by the caller. The months
before the cohort's entry are stepped on an empty population, so that engine state carried
across months (the asylum brokers' reach, M4) has its simulated value on the entry date.

Temporary visitors (Fernand, Meriam) are not agents in the engine: visitors who stay appear
as overstayers or asylum applicants when their permitted stay ends (``visitors.py``). A
visitor cohort therefore holds its members as visitors for ``visitors.ALLOWED_STAY_MONTHS``
and then routes them the way ``visitors.step`` does: to overstay, to an asylum application
(with ``asylum.open_application``, brokered), or, with ``route="drawn"``, by the engine's own
visitor probabilities (``visitors.probabilities``), the rest departing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sidedoor import timeline
from sidedoor.engine import outputs, visitors
from sidedoor.engine.context import N_NAT, Ledger, Month, behaviour_table
from sidedoor.engine.draws import Stream
from sidedoor.engine.population import Groups, Population, Sector
from sidedoor.engine.processes import ORDER, entries
from sidedoor.engine.processes import asylum as asylum_process
from sidedoor.engine.simulate import GROUP_HORIZON_MONTHS
from sidedoor.engine.processes import migration_industry as industry
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality

#: Id cell kind of cohort members (entries use 0, the initial population 1000, visitors 2-3).
COHORT_KIND = 0xC0407
VisitorRoute = Literal["overstay", "asylum", "drawn"]

#: Statuses a cohort may start in: the entry channels, an existing overstay, or a visit.
STARTING_STATUSES = frozenset({
    Status.TEMPORARY_VISITOR, Status.PRE_COLLEGE_STUDENT, Status.COLLEGE_STUDENT, Status.TRAINEE,
    Status.TECHNICAL_INTERN, Status.NIKKEI_LONG_TERM_RESIDENT, Status.ENTERTAINER,
    Status.SPOUSE_OF_JAPANESE, Status.SPECIFIED_SKILLED_WORKER, Status.LABOUR_MIGRANT, Status.OVERSTAYER,
})


class CohortError(ValueError):
    """A cohort that cannot be run (a status or date the engine cannot start a person in)."""


@dataclass(frozen=True)
class CohortSpec:
    """Who the cohort members are. ``None`` means: drawn by the engine like any entrant."""

    status: Status
    nationality: Nationality
    entry_date: dt.date
    female: bool | None = None
    sector: Sector | None = None
    debt_jpy: float | None = None
    married: bool = False
    child: bool = False
    criminal_record: bool = False
    tokyo_area: bool | None = None
    abusive_employer: bool | None = None
    language_school: bool | None = None
    #: years already spent in Japan on the entry date (e.g. a spouse already overstaying)
    years_in_japan: float = 0.0
    #: status held when the person became an overstayer (starting status OVERSTAYER only)
    status_at_overstay: Status = Status.TEMPORARY_VISITOR
    #: what a visitor does when the permitted stay ends (starting status TEMPORARY_VISITOR)
    visitor_route: VisitorRoute = "drawn"


@dataclass
class CohortRun:
    """Every status change of every member (``events``) and where each member ended."""

    events: pd.DataFrame  # person, month, from_status, to_status, mechanism (every change)
    final_status: pd.Series  # person -> status label at the end of the horizon month
    persons: np.ndarray  # member ids (uint64 viewed as int64, as in ``events``)
    entry_date: dt.date
    end_date: dt.date


def _background_network(background: pd.DataFrame | None, months: list[dt.date]) -> np.ndarray:
    """Monthly co-national overstayers (scale 1) from ``overstayers_by_nationality`` rows."""
    network = np.zeros((len(months), N_NAT))
    if background is None or background.empty:
        return network
    rows = background[background["series"] == "overstayers_by_nationality"]
    x = np.array([d.toordinal() for d in months], dtype=float)
    for nat in Nationality:
        part = rows[rows["category"] == nat.label].sort_values("reference_date")
        if part.empty:
            continue
        xp = np.array([d.toordinal() for d in pd.to_datetime(part["reference_date"]).dt.date], dtype=float)
        network[:, nat] = np.interp(x, xp, part["value"].to_numpy(float))
    return network


def _apply_attributes(month: Month, rows: slice, spec: CohortSpec, first: int) -> None:
    """Overwrite the engine-drawn attributes with the ones the spec fixes."""
    pop = month.pop
    idx = np.arange(rows.start, rows.stop)
    fixed = {"female": spec.female, "sector": None if spec.sector is None else int(spec.sector),
             "tokyo_area": spec.tokyo_area, "abusive_employer": spec.abusive_employer,
             "language_school": spec.language_school}
    for name, value in fixed.items():
        if value is not None:
            getattr(pop, name)[idx] = value
    pop.married_to_japanese[idx] = spec.married
    pop.child[idx] = spec.child
    pop.criminal_record[idx] = spec.criminal_record
    if spec.debt_jpy is not None:
        pop.debt[idx] = np.float32(spec.debt_jpy)
        pop.broker_used[idx] = spec.debt_jpy > 0
    if spec.years_in_japan:
        pop.entry_month[idx] = first - int(round(spec.years_in_japan * 12))
    pop.ledger_month[idx] = first


def _enter(month: Month, spec: CohortSpec, n: int) -> slice:
    """Instantiate the cohort with the engine's entry function (ids, attributes, permits)."""
    status = spec.status
    if status == Status.PRE_COLLEGE_STUDENT and not month.rule("channel_open", Status.PRE_COLLEGE_STUDENT):
        status = Status.COLLEGE_STUDENT  # after the 2010 merger, language schools issue 'student'
    if status not in (Status.TEMPORARY_VISITOR, Status.OVERSTAYER) and not month.rule("channel_open", status):
        raise CohortError(f"the {status.label} channel is closed on {month.date:%Y-%m}: no one can enter it then")
    sao = [int(spec.status_at_overstay)] if status == Status.OVERSTAYER else None
    rows = entries.enter(month, [int(status)], [int(spec.nationality)], [n], kind=COHORT_KIND,
                         mechanism="M1", status_at_overstay=sao)
    _apply_attributes(month, rows, spec, month.m)
    if status == Status.OVERSTAYER:
        idx = np.arange(rows.start, rows.stop)
        month.pop.wage[idx] = np.float32(industry.wage(month, Status.OVERSTAYER))
    return rows


def _route_visitors(month: Month, inputs, idx: np.ndarray, route: VisitorRoute) -> None:
    """Visitors at the end of their permitted stay, routed as ``visitors.step`` routes them."""
    if idx.size == 0:
        return
    if route == "overstay":
        stay, apply = idx, idx[:0]
    elif route == "asylum":
        stay, apply = idx[:0], idx
    else:
        p_over, p_asy = visitors.probabilities(month, inputs)
        nat = month.pop.nationality[idx]
        u = month.uniforms(idx, Stream.VISITORS)
        stay = idx[u < p_over[nat]]
        apply = idx[(u >= p_over[nat]) & (u < p_over[nat] + p_asy[nat])]
        month.move(idx[u >= p_over[nat] + p_asy[nat]], Status.DEPARTED, "M1")
    month.move(stay, Status.OVERSTAYER, "M3")
    month.pop.set_wage(stay, np.float32(industry.wage(month, Status.OVERSTAYER)), month.m)
    month.move(apply, Status.ASYLUM_APPLICANT, "M5")
    month.pop.expiry[apply] = month.m + asylum_process.PERMIT_MONTHS
    asylum_process.open_application(month, apply, via_broker=True)
    month.pop.set_wage(apply, np.float32(industry.wage(month, Status.ASYLUM_APPLICANT)), month.m)


def run_cohort(spec: CohortSpec, n: int, *, params: ParameterSet, inputs, background: pd.DataFrame | None,
               seed: int, end: dt.date) -> CohortRun:
    """Run ``n`` members of ``spec`` from its entry month to ``end`` (inclusive).

    ``params`` are the rules in force (a reform already applied); ``inputs`` the engine inputs
    covering the calendar (their first month is month 0, as in ``simulate``, so a member's
    draws are keyed exactly as an agent's); ``background`` the outputs of a background run
    (for the co-national network). Every status change is logged.
    """
    if n <= 0:
        raise CohortError(f"n must be positive, got {n}")
    if spec.status not in STARTING_STATUSES:
        allowed = ", ".join(sorted(s.label for s in STARTING_STATUSES))
        raise CohortError(f"a pathway cannot start in {spec.status.label}; start in one of: {allowed}")
    months = [d if isinstance(d, dt.date) else pd.Timestamp(d).date() for d in inputs.months]
    first_d, end_d = timeline.parse_month(spec.entry_date), timeline.parse_month(end)
    if not months[0] <= first_d <= months[-1]:
        raise CohortError(f"entry date {first_d:%Y-%m} is outside the inputs ({months[0]:%Y-%m}..{months[-1]:%Y-%m})")
    if not first_d <= end_d <= months[-1]:
        raise CohortError(f"horizon {end_d:%Y-%m} must fall between the entry date {first_d:%Y-%m} "
                          f"and the end of the inputs {months[-1]:%Y-%m}")
    first, last = months.index(first_d), months.index(end_d)
    months = months[: last + 1]
    behaviour = behaviour_table(params, months)
    pop = Population(capacity=n + 16, living_cost_share=float(behaviour["living_cost_share"]))
    ledger = Ledger(len(months))
    state: dict = {"event_sample": 0.0}
    network = _background_network(background, months)
    jor = np.asarray(inputs.job_openings_ratio, dtype=float)
    processes = [p for p in ORDER if p is not entries]  # no one else enters
    rows = slice(0, 0)
    for m, date in enumerate(months):
        state["overstayers_by_nationality"] = network[m]
        month = Month(m, date, pop, params, ledger, seed, 1.0, float(jor[m]), state, behaviour)
        if m == first:
            state["event_sample"] = 1.0  # log every change of every member
            rows = _enter(month, spec, n)
        # As in ``simulate``: the month's groups are the state at its start.
        month.groups = Groups(pop, m, GROUP_HORIZON_MONTHS)
        if rows.stop and m == first + visitors.ALLOWED_STAY_MONTHS:
            idx = np.arange(rows.start, rows.stop)
            _route_visitors(month, inputs, idx[pop.status[idx] == Status.TEMPORARY_VISITOR], spec.visitor_route)
        for process in processes:
            process.step(month, inputs)
    events = outputs.event_frame(months, ledger.events)
    persons = pop.agent_id[:n].astype(np.uint64).view(np.int64)
    final = pd.Series([Status(int(s)).label for s in pop.status[:n]], index=persons, name="status")
    return CohortRun(events=events, final_status=final, persons=persons, entry_date=first_d, end_date=end_d)


__all__ = ["COHORT_KIND", "CohortError", "CohortRun", "CohortSpec", "STARTING_STATUSES", "run_cohort"]
