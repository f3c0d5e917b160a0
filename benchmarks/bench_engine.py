"""Benchmark of the population engine: wall and CPU time, agent-months per second, peak memory.

Usage: ``python benchmarks/bench_engine.py [--scale 1.0] [--start 1990-01] [--end 2025-12]``.
Prints the wall time of ``simulate`` (and of building the inputs), its CPU time
(``time.process_time``: on a shared machine wall time also counts waiting for a core),
agent-months per second on both clocks, peak RSS of this process (``resource.getrusage``) and
the ratio of the run's throughput to this machine's memory-copy bandwidth (a large
``np.copyto``), measured in the same run just before and just after ``simulate`` (in a child
process, so its buffers do not count in the peak RSS): the peer that says how fast the machine
was at that moment, so numbers from different machines or different loads can be compared.
No assertion: a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

import numpy as np


def copy_bandwidth(n_bytes: int = 256 * 2**20, repeats: int = 5) -> float:
    """Bytes per second of a large ``np.copyto`` (best of ``repeats``)."""
    src = np.ones(n_bytes // 8)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t0)
    return 2 * n_bytes / best  # read + write


def copy_bandwidth_isolated() -> float:
    """``copy_bandwidth`` measured in a child process, so its two 256 MiB buffers do not count
    in this process's peak RSS (``ru_maxrss`` is a high-water mark)."""
    code = ("import sys; sys.path.insert(0, {!r}); from bench_engine import copy_bandwidth; "
            "print(copy_bandwidth())").format(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--start", default="1990-01")
    parser.add_argument("--end", default="2025-12")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from sidedoor.engine import simulate
    from sidedoor.engine.inputs import build_inputs
    from sidedoor.institutions.parameters import load_parameters
    from sidedoor.timeline import parse_month

    bandwidth_before = copy_bandwidth_isolated()
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    params = load_parameters()
    inputs = build_inputs(params, parse_month(args.start), parse_month(args.end))
    t_inputs = time.perf_counter() - t0
    simulate(params=params, inputs=inputs, start=args.start, end=args.start, scale=0.001)  # compile/load numba
    cpu0 = time.process_time()
    result = simulate(params=params, inputs=inputs, start=args.start, end=args.end, scale=args.scale, seed=args.seed)
    cpu = time.process_time() - cpu0
    load = os.getloadavg()[0]
    bandwidth_after = copy_bandwidth_isolated()
    bandwidth = (bandwidth_before + bandwidth_after) / 2
    stock = result.monthly_stock.drop(columns="month").to_numpy()
    agent_months = float(stock[:-1].sum()) * args.scale
    rate, rate_cpu = agent_months / result.wall_seconds, agent_months / cpu
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    # Bytes touched per agent-month if every agent field were read once: the ratio says how far
    # the engine is from a memory-bound sweep of the whole population each month.
    from sidedoor.engine.population import FIELDS

    bytes_per_agent = sum(dtype.itemsize for dtype in FIELDS.values())
    print(f"scale                 {args.scale}")
    print(f"months                {result.meta['months']}")
    print(f"peak agents           {result.n_agents_peak:,}  (rows at most {result.meta['rows_peak']:,})")
    print(f"inputs build          {t_inputs:.2f} s")
    print(f"simulate wall         {result.wall_seconds:.2f} s")
    print(f"simulate CPU          {cpu:.2f} s  (load average {load_before:.1f} before, {load:.1f} after, "
          f"on {os.cpu_count()} cores)")
    print(f"agent-months          {agent_months:,.0f}")
    print(f"agent-months / s      {rate:,.0f} (wall)  {rate_cpu:,.0f} (CPU)")
    print(f"peak RSS              {peak_rss / 2**30:.2f} GiB")
    print(f"copy bandwidth        {bandwidth / 1e9:.2f} GB/s  ({bandwidth_before / 1e9:.2f} before the run, "
          f"{bandwidth_after / 1e9:.2f} after)")
    print(f"bytes/agent           {bytes_per_agent}")
    print(f"throughput/bandwidth  {rate * bytes_per_agent / bandwidth:.4f} (wall)  "
          f"{rate_cpu * bytes_per_agent / bandwidth:.4f} (CPU)  "
          "(1.0 = one sweep over every agent field per month at memory-copy speed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
