"""Benchmark of the calibration: simulation cost and the speed-up from 1 to 2 Dask workers.

Usage: ``python benchmarks/bench_calibration.py [--scale 0.05] [--end 1997-01]
[--sim-end 2020-01] [--population 16] [--generations 2] [--overheads] [--output FILE.json]``.

1. Wall time of one engine run at the calibration's scale (after a warm-up run), i.e. the
   unit cost of a particle.
2. The same small ABC-SMC calibration (all calibrated parameters, official targets) on a
   LocalCluster with 1 and then 2 worker processes, in the *reproducible* (static, seeded)
   mode: both runs perform exactly the same simulations, so the ratio of wall times is a
   clean speed-up. Cluster start-up and the workers' import of pyABC and the engine are
   excluded (a warm-up task imports them first; its time is reported separately). The
   default window (1990-1997) keeps the benchmark to minutes; step 1 times the full
   1990-2020 window of the real calibration (``--sim-end``).

``--overheads`` measures instead what the cluster costs a simulation, each against a peer in
the same run:

- ``profiler``: the same prior draws (full 1990-2020 window) in a one-worker cluster with
  Dask's statistical profiler on (Dask's default) and off (sidedoor's local clusters);
- ``client polling``: a short dynamic calibration with the worker cores re-read on every
  pass of pyABC's 10 ms loop (pyABC's own sampler, ``CORES_TTL_SECONDS = 0``) and at most
  every 2 s (sidedoor's ``DynamicDaskSampler``); reported as the client process's CPU
  seconds per wall second (the scheduler of a LocalCluster lives in that process too) and
  the wall and the workers' mean seconds per simulation (the simulations differ between the
  two fits: the dynamic mode is not reproducible).

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
    from sidedoor.calibration.abc import CalibrationSettings, calibrate
    from sidedoor.calibration.cluster import dask_client

    settings = CalibrationSettings(
        label=f"bench{n_workers}", population_size=args.population,
        max_generations=args.generations, scale=args.scale, end=args.end, seed=args.seed,
        sampler="reproducible", batch_size=1)
    with dask_client(n_workers=n_workers) as client:  # sidedoor's own local cluster
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


def _prior_draw_seconds(k: int) -> float:
    """Seconds of one summary simulation at prior draw ``k`` (standard-normal coordinates)."""
    import numpy as np

    from sidedoor.calibration import simulator as sim
    from sidedoor.calibration.priors import prior_specs
    from sidedoor.calibration.targets import load_targets

    specs = prior_specs(sim._base_parameters())
    model = sim.SummarySimulator(specs=specs, keys=load_targets().keys(), scale=0.05)
    rng = np.random.default_rng(1000 + k)
    z = {s.abc_name: float(rng.standard_normal()) for s in specs}
    t0 = time.perf_counter()
    model(z)
    return time.perf_counter() - t0


def profiler_cost(draws: int = 6) -> dict:
    """Mean seconds per simulation in a one-worker cluster, Dask's profiler on and off."""
    import dask
    from distributed import Client, LocalCluster

    out = {}
    for label, enabled in (("profiler_on", True), ("profiler_off", False)):
        with dask.config.set({"distributed.worker.profile.enabled": enabled}), \
                LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                             host="127.0.0.1", dashboard_address=None) as cluster, \
                Client(cluster) as client:
            client.gather(client.map(_prior_draw_seconds, [10_000]))  # warm-up: imports, numba
            times = client.gather(client.map(_prior_draw_seconds, list(range(draws))))
        out[label] = round(sum(times) / len(times), 3)
    out["ratio_on_over_off"] = round(out["profiler_on"] / out["profiler_off"], 3)
    return out


def _timed_call_patch() -> None:
    """In a worker: record the wall seconds of every summary simulation (worker-local list)."""
    from sidedoor.calibration import simulator as sim

    if getattr(sim.SummarySimulator, "_bench_times", None) is not None:
        return
    original = sim.SummarySimulator.__call__
    sim.SummarySimulator._bench_times = []

    def timed(self, z):
        t0 = time.perf_counter()
        out = original(self, z)
        sim.SummarySimulator._bench_times.append(time.perf_counter() - t0)
        return out

    sim.SummarySimulator.__call__ = timed


def _timed_calls() -> list[float]:
    from sidedoor.calibration import simulator as sim

    return list(sim.SummarySimulator._bench_times)


def polling_cost(args, store: Path) -> dict:
    """Client CPU share and seconds per simulation of a dynamic fit, cores re-read every
    pass (TTL 0, pyABC's behaviour) against every 2 s (sidedoor's sampler)."""
    import resource

    from sidedoor.calibration.abc import CalibrationSettings, calibrate
    from sidedoor.calibration.cluster import DynamicDaskSampler, dask_client

    out = {}
    default_ttl = DynamicDaskSampler.CORES_TTL_SECONDS
    try:
        for label, ttl in (("every_pass", 0.0), ("cached", default_ttl)):
            DynamicDaskSampler.CORES_TTL_SECONDS = ttl
            settings = CalibrationSettings(label=f"poll{int(ttl)}", population_size=args.population,
                                           max_generations=args.generations, scale=args.scale,
                                           end=args.sim_end, seed=args.seed, sampler="dynamic")
            with dask_client(n_workers=2) as client:
                _warm(client)
                client.run(_timed_call_patch)
                usage = resource.getrusage(resource.RUSAGE_SELF)
                cpu0, t0 = usage.ru_utime + usage.ru_stime, time.perf_counter()
                calibrate(settings, client=client, store=store,
                          calibration_id=f"bench-poll-{label}-{os.getpid()}")
                wall = time.perf_counter() - t0
                usage = resource.getrusage(resource.RUSAGE_SELF)
                cpu = usage.ru_utime + usage.ru_stime - cpu0
                times = [x for xs in client.run(_timed_calls).values() for x in xs]
            out[label] = {"wall_seconds": round(wall, 1), "simulations": len(times),
                          "wall_seconds_per_simulation": round(wall / max(len(times), 1), 3),
                          "client_cpu_per_wall_second": round(cpu / wall, 3),
                          "worker_seconds_per_simulation": round(sum(times) / max(len(times), 1), 3)}
    finally:
        DynamicDaskSampler.CORES_TTL_SECONDS = default_ttl
    for key in ("wall_seconds_per_simulation", "worker_seconds_per_simulation"):
        out[f"ratio_{key}"] = round(out["every_pass"][key] / max(out["cached"][key], 1e-9), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--end", default="1997-01", help="last month of the timed calibrations")
    parser.add_argument("--sim-end", default="2020-01", help="last month of the single run")
    parser.add_argument("--population", type=int, default=16)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--overheads", action="store_true",
                        help="measure the profiler and client-polling overheads instead")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)

    report: dict = {"cpu_count": os.cpu_count(), "loadavg_before": os.getloadavg(),
                    "settings": vars(args) | {"output": str(args.output)}}
    if args.overheads:
        report["profiler"] = profiler_cost()
        with tempfile.TemporaryDirectory() as tmp:
            report["client_polling"] = polling_cost(args, Path(tmp) / "bench.duckdb")
        return _emit(report, args)
    report["one_simulation_seconds"] = round(one_simulation(args.scale, args.sim_end), 3)
    with tempfile.TemporaryDirectory() as tmp:
        runs = [timed_calibration(n, args, Path(tmp) / "bench.duckdb") for n in (1, 2)]
    report["runs"] = runs
    report["speedup_1_to_2_workers"] = round(runs[0]["wall_seconds"] / runs[1]["wall_seconds"], 2)
    report["same_simulations"] = runs[0]["simulations"] == runs[1]["simulations"]
    return _emit(report, args)


def _emit(report: dict, args) -> int:
    report["loadavg_after"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
