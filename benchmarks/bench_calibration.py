"""Benchmark of the calibration: simulation cost and the speed-up from 1 to 2 Dask workers.

Usage: ``python benchmarks/bench_calibration.py [--scale 0.05] [--end 1997-01]
[--sim-end 2020-01] [--population 16] [--generations 2] [--output FILE.json]``.

1. Wall time of one engine run at the calibration's scale (after a warm-up run), i.e. the
   unit cost of a particle.
2. The same small ABC-SMC calibration (all calibrated parameters, official targets) on a
   LocalCluster with 1 and then 2 worker processes, in the *reproducible* (static, seeded)
   mode: both runs perform exactly the same simulations, so the ratio of wall times is a
   clean speed-up. Cluster start-up and the workers' import of pyABC and the engine are
   excluded (a warm-up task imports them first; its time is reported separately). The
   default window (1990-1997) keeps the benchmark to minutes; step 1 times the full
   1990-2020 window of the real calibration (``--sim-end``).

Prints a JSON report (also written to ``--output``). No assertion: a report, not a test.
On a shared machine the speed-up is bounded by the cores other users leave free; the
report records ``os.getloadavg()`` before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _warm(client) -> float:
    """Import the engine and pyABC on every worker; seconds taken."""
    t0 = time.perf_counter()
    client.run(lambda: __import__("sidedoor.calibration.cluster")
               and __import__("sidedoor.engine.simulate"))
    return time.perf_counter() - t0


def one_simulation(scale: float, end: str, seed: int = 1) -> float:
    from sidedoor.engine import simulate
    from sidedoor.institutions.parameters import load_parameters

    params = load_parameters()
    simulate(params, seed=seed, start="1990-01", end="1990-03", scale=scale)  # warm-up
    t0 = time.perf_counter()
    simulate(params, seed=seed, start="1990-01", end=end, scale=scale)
    return time.perf_counter() - t0


def timed_calibration(n_workers: int, args, store: Path) -> dict:
    from distributed import Client, LocalCluster

    from sidedoor.calibration.abc import CalibrationSettings, calibrate

    settings = CalibrationSettings(
        label=f"bench{n_workers}", population_size=args.population,
        max_generations=args.generations, scale=args.scale, end=args.end, seed=args.seed,
        sampler="reproducible", batch_size=1)
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        warm = _warm(client)
        t0 = time.perf_counter()
        result = calibrate(settings, client=client, store=store,
                           calibration_id=f"bench-{n_workers}w-{os.getpid()}")
        wall = time.perf_counter() - t0
    sims = int(result.generations["n_simulations"].sum()) + args.population  # + prior sample
    return {"workers": n_workers, "wall_seconds": round(wall, 2),
            "worker_warmup_seconds": round(warm, 2), "simulations": sims,
            "seconds_per_simulation": round(wall / max(sims, 1), 3),
            "final_epsilon": float(result.generations["epsilon"].iloc[-1])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--end", default="1997-01", help="last month of the timed calibrations")
    parser.add_argument("--sim-end", default="2020-01", help="last month of the single run")
    parser.add_argument("--population", type=int, default=16)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)

    report: dict = {"cpu_count": os.cpu_count(), "loadavg_before": os.getloadavg(),
                    "settings": vars(args) | {"output": str(args.output)}}
    report["one_simulation_seconds"] = round(one_simulation(args.scale, args.sim_end), 3)
    with tempfile.TemporaryDirectory() as tmp:
        runs = [timed_calibration(n, args, Path(tmp) / "bench.duckdb") for n in (1, 2)]
    report["runs"] = runs
    report["speedup_1_to_2_workers"] = round(runs[0]["wall_seconds"] / runs[1]["wall_seconds"], 2)
    report["same_simulations"] = runs[0]["simulations"] == runs[1]["simulations"]
    report["loadavg_after"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
