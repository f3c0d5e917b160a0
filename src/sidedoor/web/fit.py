"""The model page's data: observed against simulated for every calibrated series, with fit.

Preferred source: the shipped calibration (posterior-predictive median and 90% band, and the
metrics of ``validation_summary``). Without one, the newest stored baseline simulation run is
shown instead and labelled for what it is: one run, no uncertainty band, not calibrated.
Without either, the page says so and how to make one. Never is a single run dressed up as a
calibrated fit.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sidedoor.web.models import FitGroup, FitMetrics, FitPoint, ModelFit, finite_number

log = logging.getLogger("sidedoor.web")
KEY = ["series", "reference_date", "category"]


@lru_cache(maxsize=1)
def _targets():
    from sidedoor.calibration.targets import load_targets

    return load_targets()


@lru_cache(maxsize=1)
def _calibration() -> tuple[pd.DataFrame, dict[str, Any]] | str:
    """(predictive summary, validation summary) of the shipped calibration, or why there is none."""
    try:
        from sidedoor.calibration.posterior import load_posterior, load_predictive
        from sidedoor.calibration.validation import validation_summary

        predictive = load_predictive("default")
        summary = validation_summary(predictive=predictive)
        summary["label"] = load_posterior("default").meta.get("label")
    except FileNotFoundError:
        return "no shipped calibration"
    except Exception as exc:  # a broken shipped file must not take the page down: say so
        log.exception("the shipped calibration could not be read")
        return f"the shipped calibration could not be read ({type(exc).__name__}: {exc})"
    predictive = predictive.copy()
    predictive["reference_date"] = pd.to_datetime(predictive["reference_date"])
    return predictive, summary


def _metrics(row: dict[str, Any] | None) -> FitMetrics | None:
    if not row:
        return None
    return FitMetrics(mape=finite_number(row.get("mape")), coverage90=finite_number(row.get("coverage90")),
                      n_points=int(row.get("n_points") or 0))


def _own_metrics(points: list[FitPoint]) -> FitMetrics:
    """MAPE of a single run against the observed points (no band, so no coverage)."""
    errors = [abs(p.simulated - p.observed) / p.observed for p in points
              if p.simulated is not None and p.observed]
    return FitMetrics(mape=round(100 * float(np.mean(errors)), 4) if errors else None,
                      coverage90=None, n_points=len(errors))


def _groups(predicted: pd.DataFrame, metrics: dict[str, Any] | None) -> list[FitGroup]:
    """One group per calibration target group: observed points joined with the simulated."""
    targets = _targets()
    out = []
    for group in targets.groups:
        observed = targets.frame.loc[targets.frame["group"].eq(group.name)]
        categories = sorted(observed["category"].unique())
        sim = predicted.loc[predicted["series"].eq(group.series)
                            & predicted["category"].isin(categories)]
        joined = observed[KEY + ["value"]].merge(sim, on=KEY, how="outer")
        joined = joined.sort_values(["category", "reference_date"])
        points = [FitPoint(reference_date=pd.Timestamp(r.reference_date).date(),
                           category=str(r.category), observed=finite_number(r.value),
                           simulated=finite_number(r.median), q05=finite_number(r.q05), q95=finite_number(r.q95))
                  for r in joined.itertuples(index=False)]
        found = _metrics((metrics or {}).get(group.name)) if metrics is not None else _own_metrics(points)
        out.append(FitGroup(name=group.name, series=group.series, description=group.description,
                            categories=categories, metrics=found, points=points))
    return out


def _baseline_run(store_path: Path | None) -> dict[str, Any] | None:
    """Metadata of the newest stored baseline (no reform) simulation or ensemble run."""
    from sidedoor.store import RunStore

    store = RunStore(store_path)
    if not store.path.exists():
        return None
    runs = store.list_runs()
    runs = runs.loc[runs["kind"].isin(["simulation", "ensemble"])]
    for run_id in reversed(runs["run_id"].tolist()[-10:]):
        run = store.get_run(run_id)
        if run.get("reform") is None:
            return run
    return None


#: Fit of stored runs by run id (a stored run never changes); a few at most.
_RUN_FITS: dict[str, tuple[list[FitGroup], FitMetrics]] = {}


def _run_fit(store_path: Path | None, run_id: str) -> tuple[list[FitGroup], FitMetrics]:
    if run_id not in _RUN_FITS:
        from sidedoor.store import RunStore

        outputs = RunStore(store_path).outputs(run_id)
        outputs = outputs.rename(columns={"value": "median"}).assign(q05=np.nan, q95=np.nan)
        outputs["reference_date"] = pd.to_datetime(outputs["reference_date"])
        groups = _groups(outputs, None)
        if len(_RUN_FITS) >= 4:
            _RUN_FITS.pop(next(iter(_RUN_FITS)))
        _RUN_FITS[run_id] = (groups, _own_metrics([p for g in groups for p in g.points]))
    return _RUN_FITS[run_id]


def model_fit(store_path: Path | None = None) -> ModelFit:
    """Observed vs simulated for every calibrated series, from the best source available."""
    calibration = _calibration()
    if not isinstance(calibration, str):
        predictive, summary = calibration
        post = summary.get("posterior") or {}
        label = (f"posterior predictive of the shipped calibration "
                 f"({summary.get('label') or post.get('name') or 'default'}; status: "
                 f"{post.get('status', 'unknown')}): median and 90% band over "
                 f"{summary.get('predictive', {}).get('draws', '?')} draws")
        return ModelFit(source="calibration", label=label, bands=True, run_id=None,
                        overall=_metrics(summary["series"].get("all")),
                        goals=list(summary.get("goals") or []),
                        groups=_groups(predictive, summary["series"]))
    run = _baseline_run(store_path)
    if run is None:
        return ModelFit(source="none", bands=False, run_id=None, overall=None, goals=[],
                        label=(f"{calibration} and no stored baseline run: run "
                               "`sidedoor run --scale 0.1` (or calibrate) and reload"),
                        groups=_groups(pd.DataFrame(columns=KEY + ["median", "q05", "q95"]), {}))
    groups, overall = _run_fit(store_path, run["run_id"])
    label = (f"{calibration}; showing stored simulation run {run['run_id']} (seed {run.get('seed')}, "
             f"scale {run.get('scale')}): a single run, NOT a calibrated posterior; no uncertainty "
             "band, and the fit metrics describe this one run")
    return ModelFit(source="stored_run", label=label, bands=False, run_id=run["run_id"],
                    overall=overall, goals=[], groups=groups)
