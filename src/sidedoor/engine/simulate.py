"""The monthly loop: build the population, run the processes, collect official-shaped outputs.

``simulate`` is the engine's single entry point. Scalar rules are evaluated once per month
(``context.Month``); processes run in ``processes.ORDER``; exited agents are dropped
(compaction) once they hold ``COMPACT_SHARE`` of the rows, and at the end of the run, after
their exits have been counted. A seed fixes every result, and a reform changes only the
parameters, so baseline and reform runs share their random numbers.

Why a threshold and not a calendar: a compaction moves every field of every row (~80 ms at
2.5M rows), while an exited row only costs the monthly grouping pass a byte compare; no
result depends on the row order (draws are keyed by agent id, counts are bincounts).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sidedoor import timeline
from sidedoor.engine import outputs, visitors
from sidedoor.engine.context import N_CODES, N_NAT, N_STATUS, Ledger, Month, behaviour_table
from sidedoor.engine.groups import count_by
from sidedoor.engine.population import Groups, Population
from sidedoor.engine.processes import ORDER, entries
from sidedoor.institutions.parameters import ParameterSet, load_parameters
from sidedoor.institutions.statuses import Status

COMPACT_SHARE = 0.5  # compact once half of the rows are people who left (memory stays < 2x live)
GROUP_HORIZON_MONTHS = 2  # asylum applications look two months ahead of expiry
DETAIL_MONTHS = (1, 5, 7, 11)  # months holding official reference dates (Jan 1, May 1, Jul 1, Nov 1)


@dataclass
class SimulationResult:
    outputs: pd.DataFrame  # series, reference_date, category, value (official shape)
    monthly_stock: pd.DataFrame  # month x status, start of month
    flows: pd.DataFrame  # month, from_status, to_status, mechanism, count
    events: pd.DataFrame  # sampled persons' transitions
    wall_seconds: float
    n_agents_peak: int
    meta: dict = field(default_factory=dict)


def _check_args(start: dt.date, end: dt.date, scale: float) -> None:
    if end < start:
        raise ValueError(f"end {end:%Y-%m} is before start {start:%Y-%m}")
    if not (isinstance(scale, (int, float)) and 0 < scale <= 1):
        raise ValueError(f"scale must be in (0, 1], got {scale!r}")


def _align(inputs, months: list[dt.date]):
    """Check that the inputs cover exactly the simulated months."""
    got = [d if isinstance(d, dt.date) else pd.Timestamp(d).date() for d in inputs.months]
    if got[: len(months)] != months:
        raise ValueError(f"inputs cover {got[0]}..{got[-1]}, the run needs {months[0]}..{months[-1]}")
    return inputs


def simulate(params: ParameterSet | None = None, reform=None, seed: int = 0, start: str | dt.date = "1990-01",
             end: str | dt.date = "2025-12", scale: float = 1.0, event_sample: float = 0.0, inputs=None,
             progress: Callable[[int, int], None] | None = None, check_accounting: bool = False) -> SimulationResult:
    """Run the population engine from ``start`` to ``end`` (inclusive months).

    ``params`` defaults to ``load_parameters()``; ``reform.apply(params)`` is applied first
    (inputs are built from the reformed parameters, so a reform may open or close channels).
    ``inputs`` (an ``Inputs``) overrides ``build_inputs``. ``progress(done, total)`` is called
    after every month. ``check_accounting`` recounts the stock from the agents every month.
    """
    t0 = time.perf_counter()
    start_d, end_d = timeline.parse_month(start), timeline.parse_month(end)
    _check_args(start_d, end_d, scale)
    params = load_parameters() if params is None else params
    if reform is not None:
        params = reform.apply(params)
    months = timeline.month_dates(start_d, end_d)
    if inputs is None:
        from sidedoor.engine.inputs import build_inputs

        inputs = build_inputs(params, start_d, end_d)
    _align(inputs, months)
    n = len(months)
    behaviour = behaviour_table(params, months)
    # Rows peak near 4M at 1:1 (live + exited before compaction); untouched capacity costs no
    # memory (zeroed pages are mapped lazily), a regrowth copies every field.
    pop = Population(capacity=int(4_500_000 * scale) + 1024,
                     living_cost_share=float(behaviour["living_cost_share"]))
    ledger = Ledger(n)
    state: dict = {"event_sample": 0.0}
    snaps = {
        "stock": np.zeros((n + 1, N_CODES), dtype=np.int64),
        "by_nationality": np.zeros((n + 1, N_NAT), dtype=np.int64),
        "by_sex": np.zeros((n + 1, 2), dtype=np.int64),
        "by_status_nat": np.zeros((n + 1, N_STATUS, N_NAT), dtype=np.int64),
        "interns_by_nationality": np.zeros((n + 1, N_NAT), dtype=np.int64),
    }
    jor = np.asarray(inputs.job_openings_ratio, dtype=float)
    peak_live = 0
    groups = None
    for m, date in enumerate(months):
        month = Month(m, date, pop, params, ledger, seed, scale, float(jor[m]), state, behaviour)
        if m == 0:
            entries.initial_population(month, inputs)
            ledger.flows[0] = 0  # the initial stock is a state, not a flow
            state["event_sample"] = float(event_sample)
        month.groups = groups = Groups(pop, m, GROUP_HORIZON_MONTHS, previous=groups)
        _snapshot(pop, month.groups, ledger, snaps, m, state, detail=date.month in DETAIL_MONTHS)
        if check_accounting:
            _verify(pop, ledger)
            if not groups.same_as(Groups(pop, m, GROUP_HORIZON_MONTHS)):
                raise AssertionError(f"incremental status groups differ from a full pass in month {m}")
        visitors.step(month, inputs)
        for process in ORDER:
            process.step(month, inputs)
        live = int(ledger.stock[:N_STATUS].sum() - ledger.stock[int(Status.DEPARTED)] - ledger.stock[int(Status.DEPORTED)])
        peak_live = max(peak_live, live)
        if len(pop) - live > COMPACT_SHARE * len(pop) or m == n - 1:
            pop.compact()
        if progress is not None:
            progress(m + 1, n)
    _snapshot(pop, Groups(pop, n, 0), ledger, snaps, n, state, detail=True)
    wall = time.perf_counter() - t0
    return SimulationResult(
        outputs=outputs.build_outputs(months, snaps, ledger.counters, scale, ledger.status_counters),
        monthly_stock=outputs.monthly_stock_frame(months, snaps["stock"], scale),
        flows=outputs.flow_frame(months, ledger.flows, scale),
        events=outputs.event_frame(months, ledger.events),
        wall_seconds=wall,
        n_agents_peak=int(peak_live),
        meta={"seed": seed, "scale": scale, "start": start_d.isoformat(), "end": end_d.isoformat(),
              "reform": getattr(reform, "name", None) if reform is not None else None,
              "event_sample": event_sample, "months": n, "agents_final": len(pop), "rows_peak": int(pop.peak)},
    )


def _snapshot(pop: Population, groups: Groups, ledger: Ledger, snaps: dict, k: int, state: dict,
              detail: bool) -> None:
    """Stocks at 00:00 on the first day of month ``k`` (k = n: the end of the run).

    The stocks by status and by (status, nationality) are the running counts kept by
    ``Month.move`` (``check_accounting`` recounts them from the agents); the other breakdowns
    of overstayers are taken in the months that carry official reference dates
    (``DETAIL_MONTHS``) and at the end.
    """
    snaps["stock"][k] = ledger.stock
    by_nat = ledger.stock_by_nationality
    snaps["by_nationality"][k] = by_nat[Status.OVERSTAYER]
    state["overstayers_by_nationality"] = snaps["by_nationality"][k].astype(float)
    if not detail:
        return
    over = groups.of(Status.OVERSTAYER)
    nat = pop.nationality
    female = pop.female.view(np.uint8)
    snaps["by_sex"][k] = count_by(over, female, 1, female, 2)[0]
    snaps["by_status_nat"][k] = count_by(over, pop.status_at_overstay, N_STATUS, nat, N_NAT)
    snaps["interns_by_nationality"][k] = by_nat[Status.TECHNICAL_INTERN]


def _verify(pop: Population, ledger: Ledger) -> None:
    live = np.bincount(pop.status, minlength=N_STATUS)[:N_STATUS]
    exited = (Status.DEPARTED, Status.DEPORTED)
    expected = ledger.stock[:N_STATUS].copy()
    for s in exited:
        live[s] = expected[s] = 0
    if not np.array_equal(live, expected):
        raise AssertionError(f"population accounting broken: agents {live.tolist()} vs flows {expected.tolist()}")
    by_nat = np.bincount(pop.status.astype(np.intp) * N_NAT + pop.nationality, minlength=N_STATUS * N_NAT)
    by_nat = by_nat.reshape(N_STATUS, N_NAT)
    for s in exited:
        by_nat[s] = 0
    expected = ledger.stock_by_nationality[:N_STATUS].copy()
    expected[list(exited)] = 0
    if not np.array_equal(by_nat, expected):
        raise AssertionError("population accounting by nationality broken")
