"""How far a simulation is from the official statistics: the ABC distance.

Choices, and why:

* **Log errors per point.** The targets span four orders of magnitude (298,646 overstayers in
  1993, 1,371 SPR grants in 2018, 2,286 designated-activities overstayers). An absolute error
  would let the stock decide everything; a log error ``|log(1+sim) - log(1+obs)|`` is a
  relative error (0.05 ~ 5%) that treats over- and under-prediction symmetrically on a ratio
  scale, and ``1+`` keeps zero counts finite. The summary statistic is therefore the vector
  ``log1p(value)`` over the target points, in :class:`~sidedoor.calibration.targets.Targets`
  order.
* **Each series normalised by its number of points** (weights from ``targets``): the 31-point
  stock must not outvote the 2-point designated-activities series merely by having more
  points; each group counts by its stated weight. p = 1 (not 2) so that one badly fitted
  point, e.g. a rounded 1990s White-Paper figure, cannot dominate.
* With the weights summing to 1, the **fixed** distance is a weighted mean absolute log error
  and epsilon reads directly as "typical relative error" (0.10 ~ 10%), which makes the
  epsilon schedule and the stopping threshold interpretable. This is the default.
* **adaptive** (option): pyABC's adaptive p-norm re-estimates a scale per generation from the
  spread of the simulated statistics (root mean square deviation from the observation, over
  all particles, accepted or not) and divides by it, so a series the model cannot move does
  not absorb the tolerance. Scales are *pooled per group* (the median of its points' scales)
  so the within-group equal weighting above survives, and bounded to a ratio of 10 between
  groups so no group is silenced. It is not the default because its epsilon has no fixed
  meaning across generations and because, for a misspecified model, it down-weights exactly
  the series the model gets wrong, which hides the misfit we want to report.
* **stock guard** (option, ``stock_guard = c > 0``, fixed distance only): the distance becomes
  ``max(d, c * d_stock)``, where ``d_stock`` is the mean absolute log error over the stock's
  points alone. A particle is then accepted only if the whole fit is within epsilon *and* the
  headline series is within epsilon / c (at c = 4 and epsilon 0.6, a typical stock error of
  15%). Why: in the weighted sum the breakdowns hold misfits the model's structure cannot
  remove, and ABC lowers epsilon by trading the stock for them (docs/calibration.md,
  "Convergence, honestly"); a weight cannot stop that trade, a bound can. Early generations,
  where prior draws miss the stock by a factor, are then paced by the stock.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sidedoor.calibration.targets import Targets

SUMSTAT_KEY = "s"
DISTANCES = ("fixed", "adaptive")
STOCK_GROUP = "overstayer_stock"


def summary_vector(values: np.ndarray) -> np.ndarray:
    """Model or observed counts -> the summary statistic (``log1p``, negatives clipped)."""
    return np.log1p(np.clip(np.asarray(values, dtype=float), 0.0, None))


def weighted_log_error(simulated: np.ndarray, observed: np.ndarray, weights: np.ndarray) -> float:
    """The fixed distance on raw counts, for use outside pyABC (validation, tests)."""
    return float(np.sum(weights * np.abs(summary_vector(simulated) - summary_vector(observed))))


class GroupPooledScale:
    """pyABC scale function: per-point RMSD to the observation, pooled to a group median."""

    __name__ = "group_pooled_rmsd"

    def __init__(self, group_of_point: Sequence[str]):
        self.group_of_point = np.asarray(list(group_of_point))

    def __call__(self, *, samples: np.ndarray, s0: np.ndarray, **kwargs) -> np.ndarray:
        rmsd = np.sqrt(np.mean((samples - s0[None, :]) ** 2, axis=0))
        pooled = np.empty_like(rmsd)
        for g in np.unique(self.group_of_point):
            idx = self.group_of_point == g
            pooled[idx] = np.median(rmsd[idx])
        return pooled


def check_stock_guard(kind: str, factor: float) -> None:
    """Refuse a guard that is negative, not finite, or paired with a distance other than ``fixed``."""
    if not (factor >= 0.0 and np.isfinite(factor)):
        raise ValueError(f"stock_guard must be a finite number >= 0 (0: off), got {factor}")
    if factor > 0 and kind != "fixed":
        raise ValueError(f"stock_guard needs the fixed distance, not {kind!r}")


def _guarded(error: np.ndarray, weights: np.ndarray, stock: np.ndarray, factor: float) -> float:
    return float(max(np.sum(weights * error), factor * np.mean(error[stock])))


def stock_points(targets: Targets) -> np.ndarray:
    """Mask of the overstayer-stock points, the series the guard protects."""
    mask = (targets.frame["group"] == STOCK_GROUP).to_numpy()
    if not mask.any():
        raise ValueError(f"the stock guard needs {STOCK_GROUP!r} points, and these targets have none")
    return mask


class StockGuardedDistance:
    """``max(weighted mean absolute log error, factor * stock's mean absolute log error)``.

    A plain callable ``f(x, x_0)``, which pyABC wraps in its ``FunctionDistance``: importing
    pyABC's base class here would cost seconds on every ``import sidedoor`` (see abc.py).
    """

    def __init__(self, weights: np.ndarray, stock: np.ndarray, factor: float):
        self.weights = np.asarray(weights, dtype=float)
        self.stock, self.factor = np.asarray(stock, dtype=bool), float(factor)

    def __call__(self, x: dict, x_0: dict) -> float:
        error = np.abs(np.asarray(x[SUMSTAT_KEY], float) - np.asarray(x_0[SUMSTAT_KEY], float))
        return _guarded(error, self.weights, self.stock, self.factor)


def make_distance(targets: Targets, kind: str = "fixed", stock_guard: float = 0.0):
    """The pyABC distance over the ``{"s": log1p vector}`` summary statistic."""
    import pyabc

    check_stock_guard(kind, stock_guard)
    if stock_guard > 0:
        return StockGuardedDistance(targets.weights.copy(), stock_points(targets), stock_guard)

    # pyABC accepts per-generation weight arrays: {0: array} applies from generation 0 on.
    weights = {0: targets.weights.copy()}
    if kind == "fixed":
        return pyabc.PNormDistance(p=1, fixed_weights=weights)
    if kind == "adaptive":
        return pyabc.AdaptivePNormDistance(
            p=1, fixed_weights=weights,
            scale_function=GroupPooledScale(targets.frame["group"]),
            max_scale_weight_ratio=10.0,
        )
    raise ValueError(f"unknown distance {kind!r}; choose one of {DISTANCES}")


def observed_sumstat(targets: Targets) -> dict[str, np.ndarray]:
    """The observation in pyABC's format."""
    return {SUMSTAT_KEY: summary_vector(targets.values)}
