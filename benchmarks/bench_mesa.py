"""sidedoor's vectorized engine machinery against Mesa 3 on the same reduced model.

Usage: ``python benchmarks/bench_mesa.py [--agents 100000] [--months 24] [--seed 1]``.

The reduced model keeps the engine's core states and monthly hazards:

* students (legal, a permit that expires): at expiry they overstay with probability
  ``P_OVERSTAY`` or depart;
* technical interns (legal, a permit that expires): each month they run away (become
  overstayers) with hazard ``H_RUNAWAY``; at expiry they overstay or depart like students;
* overstayers: each month detected and deported with hazard ``H_DETECT``, else leave
  voluntarily with hazard ``H_DEPART``;
* everyone who exits is replaced next month by a new entrant (70% students with a 24-month
  permit, 30% interns with 36 months), so the population stays at ``--agents``.

It is written twice and run in one process: once with Mesa 3 agents (one Python object per
person, ``model.agents.shuffle_do("step")``), once with sidedoor's own machinery (the
engine's ``Population`` structure of arrays, ``Groups`` by status, ``Month.move``/``below``
with counter-based draws keyed by agent id, monthly compaction rule). Prints agent-months per
second of each (wall and CPU time), the ratio, and the monthly stocks by status of both: the
two use different random numbers, so they agree in distribution (the mean stocks over the
run are compared; at 100,000 agents they should agree within a few per cent). No assertion:
a report, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import numpy as np

STUDENT_SHARE = 0.6  # initial population; entrants are 70% students
INTERN_SHARE = 0.3
P_OVERSTAY = 0.10
H_RUNAWAY = 0.004
H_DETECT = 0.01
H_DEPART = 0.02
STUDENT_MONTHS, INTERN_MONTHS = 24, 36
ENTRANT_STUDENT_SHARE = 0.7

STUDENT, INTERN, OVERSTAYER, DEPARTED, DEPORTED = "student", "intern", "overstayer", "departed", "deported"
LIVE = (STUDENT, INTERN, OVERSTAYER)


# --- Mesa 3 ------------------------------------------------------------------------------
def mesa_run(n_agents: int, months: int, seed: int) -> tuple[np.ndarray, float, float]:
    """The reduced model as Mesa agents. Returns (stocks (months, 3), wall s, CPU s)."""
    import mesa

    class Migrant(mesa.Agent):
        """One person: a status and the month the permit expires."""

        def __init__(self, model: mesa.Model, status: str, expiry: int):
            super().__init__(model)
            self.status = status
            self.expiry = expiry

        def _exit(self) -> None:
            self.model.exits += 1
            self.remove()

        def step(self) -> None:
            m, r = self.model.month, self.random.random()
            if self.status == INTERN and r < H_RUNAWAY:
                self.status = OVERSTAYER
            elif self.status in (STUDENT, INTERN):
                if self.expiry <= m:
                    if self.random.random() < P_OVERSTAY:
                        self.status = OVERSTAYER
                    else:
                        self._exit()
            elif r < H_DETECT:
                self._exit()
            elif r < H_DETECT + H_DEPART:
                self._exit()

    class Reduced(mesa.Model):
        def __init__(self, n: int, seed: int):
            super().__init__(seed=seed)
            self.month, self.exits = 0, 0
            for _ in range(n):
                r = self.random.random()
                if r < STUDENT_SHARE:
                    Migrant(self, STUDENT, 1 + int(self.random.random() * STUDENT_MONTHS))
                elif r < STUDENT_SHARE + INTERN_SHARE:
                    Migrant(self, INTERN, 1 + int(self.random.random() * INTERN_MONTHS))
                else:
                    Migrant(self, OVERSTAYER, 10**6)

        def enter(self) -> None:
            """Replace last month's exits."""
            for _ in range(self.exits):
                if self.random.random() < ENTRANT_STUDENT_SHARE:
                    Migrant(self, STUDENT, self.month + STUDENT_MONTHS)
                else:
                    Migrant(self, INTERN, self.month + INTERN_MONTHS)
            self.exits = 0

        def step(self) -> None:
            self.agents.shuffle_do("step")
            self.month += 1

    model = Reduced(n_agents, seed)
    stocks = np.zeros((months, 3), dtype=np.int64)
    wall = cpu = 0.0
    for m in range(months):
        t0, c0 = time.perf_counter(), time.process_time()
        model.enter()
        wall, cpu = wall + time.perf_counter() - t0, cpu + time.process_time() - c0
        counts = {s: 0 for s in LIVE}  # the stocks at the start of the month (not timed)
        for agent in model.agents:
            counts[agent.status] += 1
        stocks[m] = [counts[s] for s in LIVE]
        t0, c0 = time.perf_counter(), time.process_time()
        model.step()
        wall, cpu = wall + time.perf_counter() - t0, cpu + time.process_time() - c0
    return stocks, wall, cpu


# --- sidedoor ----------------------------------------------------------------------------
def sidedoor_run(n_agents: int, months: int, seed: int) -> tuple[np.ndarray, float, float]:
    """The same model with the engine's primitives. Returns (stocks (months, 3), wall s, CPU s)."""
    from sidedoor.engine import draws
    from sidedoor.engine.context import Ledger, Month
    from sidedoor.engine.draws import Stream
    from sidedoor.engine.population import Groups, Population
    from sidedoor.engine.simulate import COMPACT_SHARE
    from sidedoor.institutions.statuses import Status

    codes = np.array([Status.COLLEGE_STUDENT, Status.TECHNICAL_INTERN, Status.OVERSTAYER])
    pop = Population(capacity=2 * n_agents)
    ledger = Ledger(months)
    state: dict = {}
    start = dt.date(2000, 1, 1)

    def enter(month: Month, n: int, initial: bool) -> None:
        """``n`` entrants (or the initial population), drawn from their ids like the engine."""
        if n == 0:
            return
        kind = 1000 if initial else 0
        ids = draws.agent_ids(month.m, 0, 0, 0, n, kind=kind)
        u = draws.uniforms(seed, ids, month.m, Stream.ENTRIES)
        v = draws.uniforms(seed, ids, month.m, Stream.ATTR_EXPIRY)
        if initial:
            status = np.where(u < STUDENT_SHARE, codes[0],
                              np.where(u < STUDENT_SHARE + INTERN_SHARE, codes[1], codes[2]))
            expiry = np.where(status == codes[0], 1 + (v * STUDENT_MONTHS).astype(np.int64),
                              1 + (v * INTERN_MONTHS).astype(np.int64))
            expiry = np.where(status == codes[2], np.iinfo(np.int16).max, expiry)
        else:
            status = np.where(u < ENTRANT_STUDENT_SHARE, codes[0], codes[1])
            expiry = month.m + np.where(status == codes[0], STUDENT_MONTHS, INTERN_MONTHS)
        month.add(status.astype(np.uint8), "M1", agent_id=ids, expiry=expiry.astype(np.int16))

    stocks = np.zeros((months, 3), dtype=np.int64)
    groups, exits = None, 0
    t0, c0 = time.perf_counter(), time.process_time()
    for m in range(months):
        month = Month(m, start, pop, None, ledger, seed, 1.0, 1.0, state, {})
        enter(month, n_agents if m == 0 else exits, initial=m == 0)
        before = int(ledger.stock[Status.DEPARTED] + ledger.stock[Status.DEPORTED])
        month.groups = groups = Groups(pop, m, 0, previous=groups)
        stocks[m] = ledger.stock[codes]
        # Interns run away (one draw per intern, only the runaways are returned).
        month.move(month.below(groups.of(Status.TECHNICAL_INTERN), Stream.RUNAWAY, H_RUNAWAY), Status.OVERSTAYER, "M3")
        # Permits ending this month: overstay or depart.
        due = groups.expiring(m)
        due = due[(pop.status[due] == codes[0]) | (pop.status[due] == codes[1])]
        stay = month.uniforms(due, Stream.EXPIRY_OVERSTAY) < P_OVERSTAY
        month.move(due[stay], Status.OVERSTAYER, "M3")
        month.move(due[~stay], Status.DEPARTED, "M1")
        # Overstayers (as of the start of the month): detected and deported, or leave.
        over = groups.of(Status.OVERSTAYER)
        u = month.uniforms(over, Stream.DETECTION)
        month.move(over[u < H_DETECT], Status.DEPORTED, "M7")
        month.move(over[(u >= H_DETECT) & (u < H_DETECT + H_DEPART)], Status.DEPARTED, "M7")
        exits = int(ledger.stock[Status.DEPARTED] + ledger.stock[Status.DEPORTED]) - before
        live = int(ledger.stock[codes].sum())
        if len(pop) - live > COMPACT_SHARE * len(pop):
            pop.compact()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return stocks, wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5, help="sidedoor runs (the median is reported)")
    args = parser.parse_args(argv)
    import mesa

    sidedoor_run(1000, 2, args.seed)  # load the compiled kernels (numba cache) before timing
    # sidedoor's run is short, so one sample of its wall time is mostly scheduling noise on a
    # shared machine: report the median of a few identical runs (same seed, same stocks).
    runs = [sidedoor_run(args.agents, args.months, args.seed) for _ in range(max(args.repeats, 1))]
    s_stocks = runs[0][0]
    s_wall, s_cpu = float(np.median([r[1] for r in runs])), float(np.median([r[2] for r in runs]))
    m_stocks, m_wall, m_cpu = mesa_run(args.agents, args.months, args.seed)
    am_s, am_m = float(s_stocks.sum()), float(m_stocks.sum())
    print(f"reduced model: {args.agents:,} agents x {args.months} months (Mesa {mesa.__version__}, "
          f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'':10s} {'wall s':>8s} {'CPU s':>8s} {'agent-months/s (wall)':>22s} {'(CPU)':>14s}")
    for name, am, wall, cpu in (("sidedoor", am_s, s_wall, s_cpu), ("mesa", am_m, m_wall, m_cpu)):
        print(f"{name:10s} {wall:8.2f} {cpu:8.2f} {am / wall:22,.0f} {am / cpu:14,.0f}")
    print(f"ratio sidedoor/mesa: {(am_s / s_cpu) / (am_m / m_cpu):,.0f}x (CPU time), "
          f"{(am_s / s_wall) / (am_m / m_wall):,.0f}x (wall; sidedoor: median of {len(runs)} runs)")
    print("mean stock over the run (sidedoor vs mesa, relative difference):")
    for j, name in enumerate(LIVE):
        a, b = s_stocks[:, j].mean(), m_stocks[:, j].mean()
        print(f"  {name:11s} {a:12,.0f} {b:12,.0f} {100 * (a - b) / b:+7.2f}%")
    print("final month:", dict(zip(LIVE, s_stocks[-1].tolist())), "vs", dict(zip(LIVE, m_stocks[-1].tolist())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
