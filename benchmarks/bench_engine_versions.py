"""Engine speed of this source tree against an earlier revision, measured in the same run.

Usage: ``python benchmarks/bench_engine_versions.py [--base REV] [--rounds 5] [--scale 0.05]``.
The base revision (default ``HEAD``: the last commit, so uncommitted changes are measured) is
checked out into a temporary git worktree. Each round runs one fresh process per tree, in
alternation, and each process times three 1990-2020 runs (after a warm-up, inputs built
once) on CPU time (``time.process_time``: waiting for a core on a shared machine does not
count). Prints each tree's median of the per-process best and the ratio base / this tree:
the speed-up, with the other tree as the peer under the same load. No assertion: a report.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TIMER = """
import datetime as dt, time
from sidedoor.engine import simulate
from sidedoor.engine.inputs import build_inputs
from sidedoor.institutions.parameters import load_parameters
params = load_parameters()
inputs = build_inputs(params, dt.date(1990, 1, 1), dt.date(2020, 12, 1))
simulate(params, seed=1, end="2020-12", scale={scale}, inputs=inputs)
best = float("inf")
for seed in (11, 12, 13):
    t0 = time.process_time()
    simulate(params, seed=seed, end="2020-12", scale={scale}, inputs=inputs)
    best = min(best, time.process_time() - t0)
print(best)
"""


def cpu_seconds(src: Path, scale: float) -> float:
    """Best CPU seconds of one run, in a fresh interpreter importing sidedoor from ``src``."""
    env = dict(os.environ, PYTHONPATH=str(src))
    out = subprocess.run([sys.executable, "-c", TIMER.format(scale=scale)], env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=float, default=0.05)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
                       check=True, capture_output=True)
        try:
            trees = {"base": base / "src", "this tree": ROOT / "src"}
            times: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.rounds):
                for name, src in trees.items():
                    times[name].append(cpu_seconds(src, args.scale))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                           check=False, capture_output=True)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"{name:>10}: CPU s per 1990-2020 run at scale {args.scale}: "
              f"{' '.join(f'{x:.2f}' for x in t)} (median {medians[name]:.3f})")
    print(f"speed-up (base {args.base} / this tree): {medians['base'] / medians['this tree']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
