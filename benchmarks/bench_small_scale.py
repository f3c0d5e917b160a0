"""Where a calibration's time goes: the cost of one 1990-2020 run against the engine's scale.

Usage: ``python benchmarks/bench_small_scale.py [--scales 0.001,0.01,0.03,0.05] [--repeats 2]``.
ABC runs the engine thousands of times at a reduced scale. If its cost were proportional to
the number of agents, a smaller scale would buy proportionally more simulations; this script
measures how much of a run is a fixed per-month cost instead. It prints the CPU time of one
run (best of ``--repeats``, inputs built once, the first run discarded as warm-up) at each
scale, the cost per simulated month, and each run's ratio to the smallest scale's run, the
peer in the same process: a ratio near 1 means scale buys nothing. No assertion: a report.
"""

from __future__ import annotations

import argparse
import time

from sidedoor import timeline
from sidedoor.engine import simulate
from sidedoor.engine.inputs import build_inputs
from sidedoor.institutions.parameters import load_parameters

START, END = "1990-01", "2020-01"


def run_cpu_seconds(params, inputs, scale: float, repeats: int) -> float:
    best = float("inf")
    for seed in range(repeats):
        t0 = time.process_time()
        simulate(params=params, seed=seed + 1, start=START, end=END, scale=scale, inputs=inputs)
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.001,0.01,0.03,0.05")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    scales = sorted(float(s) for s in args.scales.split(","))
    params = load_parameters()
    inputs = build_inputs(params, timeline.parse_month(START), timeline.parse_month(END))
    months = len(timeline.month_dates(timeline.parse_month(START), timeline.parse_month(END)))
    simulate(params=params, seed=0, start=START, end="1991-01", scale=scales[0])  # compile, caches
    base = None
    print(f"one run {START}..{END} ({months} months), CPU seconds, best of {args.repeats}")
    for scale in scales:
        cpu = run_cpu_seconds(params, inputs, scale, args.repeats)
        base = cpu if base is None else base
        print(f"scale {scale:<6g} {cpu:6.2f} s   {1000 * cpu / months:5.2f} ms/month   "
              f"x{cpu / base:4.2f} of scale {scales[0]:g}")


if __name__ == "__main__":
    main()
