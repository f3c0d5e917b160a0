"""Ensemble throughput on 1 and 2 local Dask workers: runs per minute and parallel efficiency.

    .venv/bin/python benchmarks/bench_ensemble.py [--runs 12] [--scale 0.02] [--start 1990-01]
                                                  [--end 1999-12] [--full-run]

What is timed is the whole path a user pays for: dispatch, the engine on the workers, and
the client's transactional write of every member to a DuckDB store. Each worker is warmed up
first (imports, Numba's cached kernels, the parameter files) so the figure is the steady
rate, not start-up. ``--full-run`` also times one full-scale 1990-2025 engine run in this
process (the figure docs/cluster.md uses for costing national analyses). Efficiency is
rate(2) / (2 x rate(1)); on a 2-core machine that shares its cores with the client and the
scheduler, expect it below 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from sidedoor.ensemble import EnsembleSpec, MemberTask, PlannedRun, open_client, run_members, start
from sidedoor.store import RunStore
from sidedoor.timeline import parse_month


def warm_worker(scale: float, start_month: str, end_month: str) -> float:
    """One short engine run on a worker, so the timed runs find everything loaded."""
    t0 = time.perf_counter()
    MemberTask(scale, start_month, start_month)(PlannedRun(0, "warm", 1, {}))
    return time.perf_counter() - t0


def throughput(workers: int, runs: int, scale: float, start_month: str, end_month: str,
               folder: Path) -> tuple[float, float]:
    """(runs per minute, mean engine seconds per member) on ``workers`` local workers."""
    store = RunStore(folder / f"bench-{workers}.duckdb")
    spec = EnsembleSpec(kind="ensemble", master_seed=2026, n_runs=runs, scale=scale,
                        start=parse_month(start_month), end=parse_month(end_month),
                        draws_from="prior")
    ensemble_id = start(store, spec)
    with open_client(workers=workers) as client:
        client.wait_for_workers(workers)
        client.run(warm_worker, scale, start_month, end_month)
        t0 = time.perf_counter()
        run_members(store, ensemble_id, client)
        wall = time.perf_counter() - t0
    engine = [r for r in store.list_runs(kind="ensemble")["wall_seconds"]]
    return 60 * runs / wall, sum(engine) / len(engine)


def peak_rss_gib() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def full_run_seconds() -> float:
    """CPU seconds of one full-scale (scale 1) 1990-01..2025-12 engine run in this process
    (CPU, not wall, time is what a core-hour estimate needs on a shared machine)."""
    from sidedoor.engine import simulate

    simulate(seed=1, start="1990-01", end="1990-03", scale=0.01)  # load Numba kernels first
    t0, cpu0 = time.perf_counter(), time.process_time()
    result = simulate(seed=1, start="1990-01", end="2025-12", scale=1.0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(f"full-scale run 1990-01..2025-12: {wall:.1f} s wall, {cpu:.1f} s CPU (one core), "
          f"peak {result.n_agents_peak:,} agents, peak RSS {peak_rss_gib():.1f} GiB, "
          f"load average {os.getloadavg()[0]:.1f}")
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--start", default="1990-01")
    parser.add_argument("--end", default="1999-12")
    parser.add_argument("--full-run", action="store_true")
    args = parser.parse_args()
    print(f"ensemble benchmark: {args.runs} members, scale {args.scale}, "
          f"{args.start}..{args.end}, {dt.datetime.now():%Y-%m-%d %H:%M}")
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            rate, engine = throughput(workers, args.runs, args.scale, args.start, args.end, Path(tmp))
            rates[workers] = rate
            print(f"{workers} worker(s): {rate:.1f} runs/min ({60 / rate:.2f} s per member "
                  f"end to end; engine {engine:.2f} s per member)")
    print(f"parallel efficiency (2 workers): {rates[2] / (2 * rates[1]):.0%}")
    if args.full_run:
        full_run_seconds()


if __name__ == "__main__":
    main()
