"""Parameter vector -> model outputs -> summary statistics, one particle or a batch.

The engine is run at a reduced ``scale`` (default 0.05: one agent stands for 20 people) during
the fit, because ABC needs thousands of simulations; its outputs are already expressed in
persons at full scale, so the summary statistics compare directly with the official counts.
The validation shows the posterior also holds at scale 1.

Why the objects here are small, picklable dataclasses: pyABC ships the model to Dask workers
once per generation (cloudpickle); each worker process then keeps its own parsed parameter
set (``_base_parameters``) so YAML is read once per process, not once per simulation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sidedoor.calibration.distance import SUMSTAT_KEY, summary_vector
from sidedoor.calibration.priors import PriorSpec, to_model_values
from sidedoor.calibration.targets import KEY_COLUMNS, add_residuals, listed_categories

logger = logging.getLogger(__name__)

#: Engine signature: simulate(params=ParameterSet, seed=int, start=str, end=str, scale=float)
#: returning an object with ``.outputs`` (tidy frame: series, reference_date, category, value).
EngineFn = Callable[..., object]

#: Read once per worker process: the parsed parameters, the official listed categories.
_PROCESS_CACHE: dict[str, object] = {}


def _base_parameters():
    """The shipped ParameterSet, parsed once per process."""
    if "base" not in _PROCESS_CACHE:
        from sidedoor.institutions.parameters import load_parameters
        _PROCESS_CACHE["base"] = load_parameters()
    return _PROCESS_CACHE["base"]


def _listed() -> pd.DataFrame:
    """The official categories beside each residual row (``targets.listed_categories``),
    read once per process."""
    if "listed" not in _PROCESS_CACHE:
        _PROCESS_CACHE["listed"] = listed_categories()
    return _PROCESS_CACHE["listed"]


def comparable(outputs: pd.DataFrame) -> pd.DataFrame:
    """Model outputs plus the official residual rows (the nationality table's "Other")."""
    return add_residuals(outputs, _listed())


def default_engine() -> EngineFn:
    from sidedoor.engine import simulate
    return simulate


def engine_name(engine: EngineFn | None) -> str:
    """``module:function`` of the engine, recorded with a calibration."""
    fn = engine or default_engine()
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', repr(fn))}"


def align(outputs: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """Values of ``outputs`` at ``keys`` (absent rows count as 0: the engine omits zeros)."""
    frame = outputs[KEY_COLUMNS + ["value"]].copy()
    frame["reference_date"] = pd.to_datetime(frame["reference_date"])
    series = frame.groupby(KEY_COLUMNS, sort=False)["value"].sum()
    index = pd.MultiIndex.from_frame(keys[KEY_COLUMNS].assign(
        reference_date=pd.to_datetime(keys["reference_date"])))
    return series.reindex(index).fillna(0.0).to_numpy(dtype=float)


@dataclass
class SummarySimulator:
    """pyABC model: a particle (sampling-space dict) -> ``{"s": log1p counts at the targets}``.

    ``fixed_values`` pins calibrated parameters that are not being estimated (parameter
    recovery, cross-checks); every other parameter keeps its shipped value.
    """

    specs: Sequence[PriorSpec]
    keys: pd.DataFrame
    scale: float = 0.05
    start: str = "1990-01"
    end: str = "2020-01"
    fixed_values: Mapping[str, float] = field(default_factory=dict)
    engine: EngineFn | None = None

    def model_values(self, abc_values: Mapping[str, float]) -> dict[str, float]:
        return {**self.fixed_values, **to_model_values(self.specs, abc_values)}

    def outputs(self, values: Mapping[str, float], seed: int, *, end: str | None = None,
                scale: float | None = None) -> pd.DataFrame:
        """One engine run with calibrated parameters ``values``; its tidy outputs."""
        params = _base_parameters().with_values(dict(values))
        engine = self.engine or default_engine()
        result = engine(params=params, seed=int(seed), start=self.start,
                        end=end or self.end, scale=self.scale if scale is None else scale)
        return result.outputs

    def counts(self, values: Mapping[str, float], seed: int) -> np.ndarray:
        """Simulated counts at the target keys."""
        return align(comparable(self.outputs(values, seed)), self.keys)

    def __call__(self, abc_values: Mapping[str, float]) -> dict[str, np.ndarray]:
        # The engine's seed comes from NumPy's global stream, which pyABC's samplers seed:
        # the reproducible sampler seeds it per particle slot, so runs repeat exactly.
        seed = int(np.random.randint(0, 2**31 - 1))
        values = self.model_values(abc_values)
        return {SUMSTAT_KEY: summary_vector(self.counts(values, seed))}


@dataclass
class PredictiveDraw:
    """One posterior-predictive simulation: full outputs of a parameter draw (picklable task)."""

    simulator: SummarySimulator
    end: str
    scale: float

    def __call__(self, item: tuple[Mapping[str, float], int]) -> pd.DataFrame:
        values, seed = item
        out = self.simulator.outputs({**self.simulator.fixed_values, **values}, seed,
                                     end=self.end, scale=self.scale)
        out = comparable(out[KEY_COLUMNS + ["value"]])
        out["reference_date"] = pd.to_datetime(out["reference_date"])
        return out.groupby(KEY_COLUMNS, as_index=False, sort=False)["value"].sum()


def stack_draws(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Draws as one wide frame: rows = output keys (union over draws), columns = draws."""
    wide = None
    for i, f in enumerate(frames):
        col = f.set_index(KEY_COLUMNS)["value"].rename(i)
        wide = col.to_frame() if wide is None else wide.join(col, how="outer")
    return wide.fillna(0.0).sort_index()


def pilot_outputs(simulator: SummarySimulator, values: Mapping[str, float],
                  seed: int = 0) -> pd.DataFrame:
    """One run at given values (prior centre) to learn which target points the model produces."""
    return comparable(simulator.outputs({**simulator.fixed_values, **values}, seed))
