"""Where a stored calibration's distance comes from, generation by generation.

Why: ABC-SMC records one number per accepted particle, its distance. Whether the stock or
the breakdowns fill that number, and whether the stock guard (``--stock-guard C``,
``calibration.distance``) bound the acceptance or the weighted sum did, can only be read
from the summary statistics pyABC keeps for every accepted particle. This module rescores
them under the calibration's own targets and weights, without a new simulation
(docs/calibration.md, "The stock guard").

Usage: ``python -m sidedoor.experimental.distance_parts CALIBRATION_ID [--store S]
[--guard C]``. ``--guard`` defaults to the calibration's own ``stock_guard`` setting.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sidedoor.calibration import records
from sidedoor.calibration.distance import SUMSTAT_KEY, stock_points, summary_vector
from sidedoor.calibration.targets import Targets


def errors(summaries: np.ndarray, targets: Targets) -> np.ndarray:
    """Absolute log errors, particles x target points (``summaries`` are ``log1p`` vectors)."""
    observed = summary_vector(targets.values)
    if summaries.shape[1] != observed.size:
        raise ValueError(f"{summaries.shape[1]} summary statistics per particle, but the "
                         f"calibration has {observed.size} target points")
    return np.abs(summaries - observed[None, :])


def generation_parts(error: np.ndarray, targets: Targets, guard: float) -> dict[str, float]:
    """One generation: the weighted distance ``d`` and the stock's error (medians, minima),
    and the share of particles for which ``guard x stock error`` exceeds ``d``."""
    d = error @ targets.weights
    stock = error[:, stock_points(targets)].mean(axis=1)
    return {"d_median": float(np.median(d)), "d_min": float(d.min()),
            "stock_median": float(np.median(stock)), "stock_min": float(stock.min()),
            "guard_binding": float(np.mean(guard * stock > d)) if guard > 0 else 0.0}


def group_parts(error: np.ndarray, targets: Targets) -> pd.DataFrame:
    """Per target group: its median contribution to ``d`` and its median mean absolute log error."""
    groups = targets.frame["group"].to_numpy()
    rows = []
    for group in pd.unique(groups):
        mask = groups == group
        rows.append({"group": group, "contribution": float(np.median(error[:, mask] @ targets.weights[mask])),
                     "log_error": float(np.median(error[:, mask].mean(axis=1)))})
    return pd.DataFrame(rows)


def distance_parts(calibration_id: str, store: str | Path | None = None,
                   guard: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per generation, the last generation's parts by group) of a stored calibration."""
    import pyabc

    rec = records.load_calibration(store, calibration_id)
    targets = Targets.from_records(rec["targets"])
    if guard is None:
        guard = float(rec["settings"].get("stock_guard", 0.0))
    history = pyabc.History(f"sqlite:///{rec['pyabc_db']}", _id=1)
    rows, error = [], None
    for t in range(history.max_t + 1):
        _, stats = history.get_weighted_sum_stats(t=t)
        error = errors(np.array([s[SUMSTAT_KEY] for s in stats], dtype=float), targets)
        rows.append({"generation": t, "particles": len(stats), **generation_parts(error, targets, guard)})
    if error is None:
        raise ValueError(f"calibration {calibration_id!r} has no finished generation yet")
    return pd.DataFrame(rows), group_parts(error, targets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calibration_id")
    parser.add_argument("--store", help="DuckDB store (default: the usual one)")
    parser.add_argument("--guard", type=float, help="stock guard factor (default: the fit's own)")
    args = parser.parse_args(argv)
    by_generation, by_group = distance_parts(args.calibration_id, args.store, args.guard)
    print(by_generation.to_string(index=False, float_format="%.3f"))
    print("\nlast generation, by target group (medians over particles):")
    print(by_group.to_string(index=False, float_format="%.3f"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
