"""Run a scenario: baseline and reform over parameter draws, with common random numbers.

Why common random numbers: the engine's draws are counter-based per agent (``engine.draws``),
so a baseline and a reform run with the same seed give every person the same uniform for the
same decision in the same month. Their difference is then the effect of the rules alone, and
a reform that changes nothing differs by exactly zero. Draw ``i`` uses the same parameter
values and the same engine seed in both runs; the bands are quantiles of the per-draw
differences, so the noise that the two runs share cancels.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sidedoor.institutions.reforms import Reform
from sidedoor.scenarios import horizon
from sidedoor.scenarios.library import FLOWS, STOCK, ScenarioInfo, focus_of, resolve_reform
from sidedoor.scenarios.parameters import (
    ParameterSource,
    fingerprint,
    parameter_set,
    parameter_source,
    shipped_parameters,
)
from sidedoor.scenarios.reading import headline_of, reading_of

KEYS = ["series", "reference_date", "category"]
COLUMNS = ["series", "reference_date", "category", "baseline", "reform", "difference",
           "difference_q05", "difference_q95"]
STATISTICS = COLUMNS[3:]
BASELINE_CACHE_SIZE = 24
_BASELINES: OrderedDict[tuple, pd.DataFrame] = OrderedDict()


@dataclass
class ScenarioResult:
    """A scenario's differences from the baseline, with how they were obtained."""

    info: ScenarioInfo
    reform_obj: Reform
    table: pd.DataFrame  # COLUMNS
    per_draw: pd.DataFrame  # KEYS + draw, baseline, reform, difference
    headline: dict[str, Any]
    reading: str
    run_id: str | None
    source_label: str
    calibrated: bool
    draws: int
    seed: int
    scale: float
    end: dt.date
    last_data_year: int
    assumptions: list[str] = field(default_factory=list)  # input assumptions beyond the data
    wall_seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.reform_obj.name

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (for the dashboard): table rows with ISO dates, headline, reading."""
        table = self.table.assign(reference_date=pd.to_datetime(self.table["reference_date"]).dt.strftime("%Y-%m-%d"))
        return {"scenario": self.name, "description": self.info.description, "reference": self.info.reference,
                "changes": list(self.info.changes), "parameters": self.source_label, "calibrated": self.calibrated,
                "draws": self.draws, "seed": self.seed, "scale": self.scale, "end": self.end.isoformat(),
                "headline": self.headline, "reading": self.reading, "run_id": self.run_id,
                "input_assumptions": self.assumptions, "table": table.to_dict(orient="records")}

    def to_csv(self, path: str | Path) -> Path:
        """The table as CSV with the exact columns of CONTRACTS.md (ISO dates)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        out = self.table.copy()
        out["reference_date"] = pd.to_datetime(out["reference_date"]).dt.strftime("%Y-%m-%d")
        out[COLUMNS].to_csv(path, index=False, float_format="%.10g")
        return path


def draw_seed(seed: int, draw: int) -> int:
    """Engine seed of draw ``draw``: the same for the baseline and the reform run."""
    return int(np.random.SeedSequence([seed, draw]).generate_state(1)[0])


def select(outputs: pd.DataFrame) -> pd.DataFrame:
    """The rows a scenario reports: the stock (total and by status at overstay) and the flows."""
    series, category = outputs["series"], outputs["category"].astype(str)
    stock = (series == STOCK[0]) & (category == STOCK[1])
    by_status = (series == "overstayers_by_status") & ~category.str.contains("|", regex=False)
    flows = series.isin(FLOWS) & (category == "total")
    frame = outputs.loc[stock | by_status | flows, KEYS + ["value"]].copy()
    frame["reference_date"] = pd.to_datetime(frame["reference_date"])
    return frame.sort_values(KEYS, kind="stable").reset_index(drop=True)


def _simulate(params, reform: Reform | None, seed: int, scale: float, end: dt.date) -> pd.DataFrame:
    from sidedoor.engine import simulate

    result = simulate(params=params, reform=reform, seed=seed, start=horizon.START, end=end, scale=scale)
    return result.outputs


def baseline_outputs(values: dict[str, float], seed: int, scale: float, end: dt.date) -> pd.DataFrame:
    """All outputs of the baseline run of one draw, cached in-process: every scenario (and the
    report's observed-vs-simulated sections) shares it."""
    key = (fingerprint(values), seed, float(scale), end)
    if key not in _BASELINES:
        _BASELINES[key] = _simulate(parameter_set(values), None, seed, scale, end)
        while len(_BASELINES) > BASELINE_CACHE_SIZE:
            _BASELINES.popitem(last=False)
    _BASELINES.move_to_end(key)
    return _BASELINES[key]


def _task(job: tuple) -> tuple:
    """One engine run (a pool worker's unit): ("baseline" | reform index, draw, outputs)."""
    which, draw, reform_obj, values, seed, scale, end = job
    if reform_obj is None:
        return which, draw, _simulate(parameter_set(values), None, seed, scale, end)
    return which, draw, select(_simulate(parameter_set(values), reform_obj, seed, scale, end))


def _pair(baseline: pd.DataFrame, reformed: pd.DataFrame, draw: int) -> pd.DataFrame:
    both = baseline.merge(reformed, on=KEYS, how="outer", suffixes=("_b", "_r"), validate="one_to_one")
    both = both.fillna({"value_b": 0.0, "value_r": 0.0})
    return pd.DataFrame({**{k: both[k] for k in KEYS}, "draw": draw, "baseline": both["value_b"],
                         "reform": both["value_r"], "difference": both["value_r"] - both["value_b"]})


def summarise(per_draw: pd.DataFrame) -> pd.DataFrame:
    """Medians across draws and the 5%/95% quantiles of the per-draw differences.

    ``difference`` is the median of the per-draw differences (not the difference of the
    medians), so it always lies inside its band and is exactly 0 for a null reform.
    """
    grouped = per_draw.groupby(KEYS, sort=True)
    table = grouped.agg(baseline=("baseline", "median"), reform=("reform", "median"),
                        difference=("difference", "median"),
                        difference_q05=("difference", lambda x: float(np.quantile(x, 0.05))),
                        difference_q95=("difference", lambda x: float(np.quantile(x, 0.95)))).reset_index()
    return table[COLUMNS]


def _engine_runs(reforms: list[Reform], values: list[dict[str, float]], seed: int, scale: float, end: dt.date,
                 workers: int, progress: Callable[[int, int], None] | None) -> dict[tuple, pd.DataFrame]:
    """Every baseline (cached) and reform run, keyed (which, draw); in a process pool if asked."""
    seeds = [draw_seed(seed, i) for i in range(len(values))]
    runs: dict[tuple, pd.DataFrame] = {}
    todo = []
    for i, v in enumerate(values):
        key = (fingerprint(v), seeds[i], float(scale), end)
        if key in _BASELINES:
            runs[("baseline", i)] = baseline_outputs(v, seeds[i], scale, end)
        else:
            todo.append(("baseline", i, None, v, seeds[i], scale, end))
    todo += [(k, i, r, v, seeds[i], scale, end) for i, v in enumerate(values) for k, r in enumerate(reforms)]
    total, done = len(values) * len(reforms), 0
    if workers > 1 and len(todo) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for which, draw, frame in pool.map(_task, todo):
                runs[(which, draw)] = frame
                if which != "baseline" and progress is not None:
                    done += 1
                    progress(done, total)
    else:
        for job in todo:
            which, draw, frame = _task(job)
            runs[(which, draw)] = frame
            if which != "baseline" and progress is not None:
                done += 1
                progress(done, total)
    for i, v in enumerate(values):  # keep the baselines for later scenarios and the report
        key = (fingerprint(v), seeds[i], float(scale), end)
        _BASELINES[key] = runs[("baseline", i)]
        _BASELINES.move_to_end(key)
    while len(_BASELINES) > BASELINE_CACHE_SIZE:
        _BASELINES.popitem(last=False)
    return runs


def run_scenarios(reforms: list[str | Path | Reform], *, draws: int = 20, seed: int = 1, scale: float = 0.1,
                  end: str | dt.date = "2025-12", progress: Callable[[int, int], None] | None = None,
                  store: Any = None, source: ParameterSource | None = None, workers: int = 1) -> list[ScenarioResult]:
    """Several scenarios sharing their baseline runs (same draws, same seeds).

    ``workers`` > 1 runs the engine in that many forked processes (the results do not depend
    on it). ``progress(done, total)`` counts finished (scenario, draw) pairs.
    """
    t0 = time.perf_counter()
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if not 0 < scale <= 1:
        raise ValueError(f"scale must be in (0, 1], got {scale}")
    end_d = horizon.parse_end(end)
    shipped = shipped_parameters()
    reform_objs = [resolve_reform(r, shipped) for r in reforms]
    source = source if source is not None else parameter_source()
    values = source.draws(draws, seed)
    runs = _engine_runs(reform_objs, values, seed, scale, end_d, workers, progress)
    results = []
    for k, reform_obj in enumerate(reform_objs):
        per_draw = pd.concat([_pair(select(runs[("baseline", i)]), runs[(k, i)], i) for i in range(draws)],
                             ignore_index=True)
        last_year, assumptions = horizon.input_assumptions(reform_obj.apply(shipped), end_d)
        info = ScenarioInfo(reform_obj.name, reform_obj.description, reform_obj.reference,
                            Path(reform_obj.source), focus_of(reform_obj), tuple(reform_obj.summary()))
        result = ScenarioResult(info=info, reform_obj=reform_obj, table=summarise(per_draw), per_draw=per_draw,
                                headline={}, reading="", run_id=None, source_label=source.label,
                                calibrated=source.calibrated, draws=draws, seed=seed, scale=scale, end=end_d,
                                last_data_year=last_year, assumptions=assumptions)
        result.headline = headline_of(result)
        result.reading = reading_of(result)
        result.wall_seconds = (time.perf_counter() - t0) / len(reform_objs)
        if store is not False:
            result.run_id = save_scenario(result, values, store)
        results.append(result)
    return results


def run_scenario(reform: str | Path | Reform, *, draws: int = 20, seed: int = 1, scale: float = 0.1,
                 end: str | dt.date = "2025-12", progress: Callable[[int, int], None] | None = None,
                 store: Any = None, source: ParameterSource | None = None, workers: int = 1) -> ScenarioResult:
    """Baseline and reform over ``draws`` parameter draws; differences with 90% bands.

    ``reform``: a shipped name, a reform file or a ``Reform``. ``store``: a ``RunStore``, a
    path, ``None`` (the default store) or ``False`` (do not store). ``source`` overrides where
    the parameters come from (default: the shipped posterior, else labelled prior centres).
    ``progress(done, total)`` is called after each draw.
    """
    return run_scenarios([reform], draws=draws, seed=seed, scale=scale, end=end, progress=progress, store=store,
                         source=source, workers=workers)[0]


def baseline_draws(*, draws: int, seed: int, scale: float, end: str | dt.date,
                   source: ParameterSource | None = None, workers: int = 1) -> pd.DataFrame:
    """Long frame (KEYS, draw, value) of the baseline runs a scenario with these settings uses."""
    end_d = horizon.parse_end(end)
    source = source if source is not None else parameter_source()
    values = source.draws(draws, seed)
    runs = _engine_runs([], values, seed, scale, end_d, workers, None)
    return pd.concat([runs[("baseline", i)].assign(draw=i) for i in range(draws)], ignore_index=True)


def reform_document(reform: Reform) -> dict[str, Any]:
    """The reform as stored with the run: name, question, source file and every change."""
    changes = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dataclasses.asdict(c).items()}
               for c in reform.changes]
    return {"name": reform.name, "description": reform.description, "reference": reform.reference,
            "source": reform.source, "changes": changes}


def encode_table(table: pd.DataFrame) -> pd.DataFrame:
    """The scenario table in the store's outputs shape: series ``<series>|<statistic>``."""
    long = table.melt(id_vars=KEYS, value_vars=STATISTICS, var_name="statistic", value_name="value")
    long["series"] = long["series"] + "|" + long["statistic"]
    return long[["series", "reference_date", "category", "value"]]


def decode_table(outputs: pd.DataFrame) -> pd.DataFrame:
    """Inverse of ``encode_table``: a stored scenario run's outputs back into ``COLUMNS``."""
    split = outputs["series"].str.rsplit("|", n=1, expand=True)
    frame = outputs.assign(series=split[0], statistic=split[1])
    wide = frame.pivot_table(index=KEYS, columns="statistic", values="value", aggfunc="first").reset_index()
    wide.columns.name = None
    wide["reference_date"] = pd.to_datetime(wide["reference_date"])
    return wide[COLUMNS]


def save_scenario(result: ScenarioResult, values: list[dict[str, float]], store: Any = None) -> str:
    """Store the scenario (kind 'scenario'): table, parameter draws, seeds and the reform."""
    from sidedoor.store import RunStore

    target = store if isinstance(store, RunStore) else RunStore(store)
    parameters = {"source": result.source_label, "calibrated": result.calibrated, "draws": result.draws,
                  "draw_seeds": [draw_seed(result.seed, i) for i in range(result.draws)],
                  "values": values, "headline": result.headline, "input_assumptions": result.assumptions}
    return target.save_run(kind="scenario", seed=result.seed, scale=result.scale, start_month=horizon.START,
                           end_month=result.end, parameters=parameters, reform=reform_document(result.reform_obj),
                           outputs=encode_table(result.table), label=f"scenario {result.name}: {result.source_label}",
                           wall_seconds=result.wall_seconds)


def load_scenario_table(run_id: str, store: Any = None) -> pd.DataFrame:
    """A stored scenario's table (``COLUMNS``) from the run store."""
    from sidedoor.store import RunStore

    target = store if isinstance(store, RunStore) else RunStore(store)
    return decode_table(target.outputs(run_id))
