"""The shipped posterior and its posterior-predictive draws.

A calibration is expensive, so the package ships its result: ``posterior_<name>.csv`` (the
last generation's particles in model units, with their weights and distances) and
``posterior_<name>.json`` (settings, seed, distance, epsilon schedule, wall time, the
generations reached and an honest ``status``: a calibration stopped early is shipped as
such, never relabelled). ``posterior_<name>_predictive.csv`` holds the predictive summary
computed when the posterior was exported, so the report and ``sidedoor validate`` do not
rerun the engine; ``predict`` reruns it on request.

Predictive draws are reproducible whatever the number of workers: draw ``i`` resamples a
particle with ``default_rng(seed)`` and runs the engine with seed ``SeedSequence([seed, i])``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sidedoor.calibration import records
from sidedoor.calibration.targets import KEY_COLUMNS

SHIPPED_DIR = Path(__file__).resolve().parent
PREDICTIVE_COLUMNS = KEY_COLUMNS + ["median", "q05", "q95"]
_META_COLUMNS = ("generation", "particle", "weight", "distance")


def shipped_paths(name: str = "default", folder: Path = SHIPPED_DIR) -> dict[str, Path]:
    return {"particles": folder / f"posterior_{name}.csv",
            "meta": folder / f"posterior_{name}.json",
            "predictive": folder / f"posterior_{name}_predictive.csv"}


@dataclass(frozen=True)
class Posterior:
    """Weighted particles (model units) and the metadata of the calibration behind them."""

    particles: pd.DataFrame
    meta: dict[str, Any]

    @property
    def parameter_names(self) -> list[str]:
        return [c for c in self.particles.columns if c not in _META_COLUMNS]

    @property
    def weights(self) -> np.ndarray:
        w = self.particles["weight"].to_numpy(dtype=float)
        return w / w.sum()

    def sample(self, n: int, seed: int) -> list[dict[str, float]]:
        """``n`` parameter draws, resampled by weight (reproducible for a seed).

        Every consumer (predictive, scenarios, ensembles) draws here, so this is where a
        posterior of another model version is refused (``check_current``)."""
        check_current(self)
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(self.particles), size=n, p=self.weights)
        values = self.particles[self.parameter_names].to_numpy(dtype=float)
        return [dict(zip(self.parameter_names, values[i])) for i in idx]

    def summary(self) -> pd.DataFrame:
        """Weighted mean, sd and 5/50/95% quantiles per parameter, with the prior's 90% range,
        and how far the data moved each parameter away from its prior.

        ``contraction`` is ``1 - posterior variance / prior variance`` in the prior-standardised
        coordinates the fit samples in (``priors.py``: every prior is N(0, 1) there), the
        posterior contraction of Schad, Betancourt & Vasishth (2021): 0 means the data taught
        nothing about the parameter, 1 that they pinned it. ``prior_z`` is the posterior mean
        in the same coordinates, i.e. in prior standard deviations from the prior's centre.
        Standardised, so a loguniform and a normal prior are read on one scale.
        """
        from sidedoor.calibration.priors import prior_specs
        from sidedoor.institutions.parameters import load_parameters

        specs = {s.name: s for s in prior_specs(load_parameters(), self.parameter_names)}
        rows = []
        for name in self.parameter_names:
            x = self.particles[name].to_numpy(dtype=float)
            mean = float(np.sum(self.weights * x))
            sd = float(np.sqrt(np.sum(self.weights * (x - mean) ** 2)))
            q05, q50, q95 = weighted_quantiles(x, self.weights, [0.05, 0.5, 0.95])
            p05, p95 = specs[name].quantiles([0.05, 0.95])
            z = np.array([specs[name].to_abc(v) for v in x])
            z_mean = float(np.sum(self.weights * z))
            rows.append({"parameter": name, "mean": mean, "sd": sd, "q05": q05, "median": q50,
                         "q95": q95, "prior_q05": p05, "prior_q95": p95,
                         "width_ratio": (q95 - q05) / (p95 - p05) if p95 > p05 else np.nan,
                         "prior_z": z_mean,
                         "contraction": 1.0 - float(np.sum(self.weights * (z - z_mean) ** 2))})
        return pd.DataFrame(rows)


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: Sequence[float]) -> list[float]:
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    cw = cw / cw[-1]
    return [float(np.interp(q, cw - w[order] / (2 * w.sum()), x[order])) for q in qs]


def export_posterior(store: str | Path | None, calibration_id: str, name: str,
                     folder: Path = SHIPPED_DIR, extra: dict[str, Any] | None = None) -> Posterior:
    """Write the last generation of a stored calibration as a shipped posterior."""
    import pyabc

    rec = records.load_calibration(store, calibration_id)
    gens = records.generations(store, calibration_id)
    parts = records.particles(store, calibration_id)
    if parts.empty:
        raise ValueError(f"calibration {calibration_id!r} has no finished generation to ship")
    settings = rec["settings"]
    reached, planned = len(gens), int(settings["max_generations"])
    honest = ("finished" if rec["status"] == "finished" else
              f"partial: {reached} of {planned} planned generations ({rec['status']})")
    meta = {
        "name": name, "calibration_id": calibration_id, "label": rec["label"],
        "status": honest, "generations_reached": reached, "generations_planned": planned,
        "settings": settings, "seed": settings["seed"], "distance": settings["distance"],
        "stock_guard": float(settings.get("stock_guard", 0.0)),
        "epsilon_schedule": [float(e) for e in gens["epsilon"]],
        "final_epsilon": float(gens["epsilon"].iloc[-1]),
        "simulations_per_generation": [int(n) for n in gens["n_simulations"]],
        "total_simulations": int(gens["n_simulations"].sum()),
        "acceptance_rates": [float(a) for a in gens["acceptance_rate"]],
        "effective_sample_sizes": [round(float(e), 2) for e in gens["ess"]],
        "final_ess": round(float(gens["ess"].iloc[-1]), 2),
        "wall_seconds": float(rec["wall_seconds"]), "engine": rec["engine"],
        "code_version": rec["code_version"], "pyabc_version": pyabc.__version__,
        "exported_at": datetime.now().isoformat(timespec="seconds"),
        "targets": _target_summary(rec["targets"]),
        **(extra or {}),
    }
    paths = shipped_paths(name, folder)
    cols = ["particle", "weight", "distance"] + [c for c in parts.columns
                                                 if c not in _META_COLUMNS]
    parts[cols].to_csv(paths["particles"], index=False, float_format="%.8g")
    paths["meta"].write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    return Posterior(parts[cols], meta)


def _target_summary(records_: list[dict]) -> dict[str, Any]:
    frame = pd.DataFrame.from_records(records_)
    return {"n_points": len(frame),
            "groups": {g: int(n) for g, n in frame.groupby("group").size().items()},
            "last_reference_date": str(frame["reference_date"].max())}


def load_posterior(name: str = "default", folder: Path = SHIPPED_DIR) -> Posterior:
    """The shipped posterior ``name`` (``default``, ``time_split``, ``cross_series``)."""
    paths = shipped_paths(name, folder)
    if not paths["particles"].exists():
        raise FileNotFoundError(
            f"no shipped posterior {name!r} ({paths['particles']}); run `sidedoor calibrate "
            f"--ship {name}` to make one")
    meta = json.loads(paths["meta"].read_text(encoding="utf-8")) if paths["meta"].exists() else {}
    return Posterior(pd.read_csv(paths["particles"]), meta)


class StalePosteriorError(ValueError):
    """A posterior whose parameters are not the model's current ``calibrated`` set."""


@lru_cache(maxsize=1)
def _shipped_calibrated() -> frozenset[str]:
    """Names of the shipped ``calibrated`` parameters (YAML parsed once per process)."""
    from sidedoor.institutions.parameters import load_parameters

    return frozenset(p.name for p in load_parameters() if p.provenance == "calibrated")


def check_current(posterior: Posterior, params=None) -> None:
    """Refuse a posterior fitted to another version of the model.

    Why: the engine reads every parameter it is not given from the shipped files, so a
    posterior that lacks a newly calibrated parameter (or sets one that is no longer
    calibrated) would run silently at values nobody fitted. A fit restricted on purpose
    (``--parameters``) may leave parameters out; it may never carry one the model does not
    calibrate.
    """
    calibrated = (_shipped_calibrated() if params is None
                  else {p.name for p in params if p.provenance == "calibrated"})
    have = set(posterior.parameter_names)
    settings = posterior.meta.get("settings", {}) or {}
    subset = settings.get("parameters")
    expected = set(subset) if subset else calibrated - set(settings.get("fixed_values") or {})
    name = posterior.meta.get("name", "?")
    fix = f"rerun `sidedoor calibrate --preset {settings.get('label', name)} --ship {name}`"
    if have - calibrated:
        raise StalePosteriorError(
            f"posterior {name!r} sets parameters the model no longer calibrates: "
            f"{sorted(have - calibrated)}; {fix}")
    if expected - have:
        raise StalePosteriorError(
            f"posterior {name!r} predates calibrated parameters {sorted(expected - have)} "
            f"(they would run at their shipped values, unfitted); {fix}")


def predictive_draws(posterior: Posterior, *, draws: int, seed: int, end: str, scale: float,
                     client=None, engine=None, batch_size: int = 1) -> pd.DataFrame:
    """Wide frame of posterior-predictive outputs: rows = output keys, one column per draw."""
    from sidedoor.calibration.simulator import PredictiveDraw, SummarySimulator, stack_draws

    settings = posterior.meta.get("settings", {})
    simulator = SummarySimulator([], pd.DataFrame(columns=KEY_COLUMNS), scale=scale,
                                 start=settings.get("start", "1990-01"), end=end,
                                 fixed_values=dict(settings.get("fixed_values") or {}),
                                 engine=engine)
    task = PredictiveDraw(simulator, end=end, scale=scale)
    items = [(values, int(np.random.SeedSequence([seed, i]).generate_state(1)[0]))
             for i, values in enumerate(posterior.sample(draws, seed))]
    if client is None:
        frames = [task(item) for item in items]
    else:
        from sidedoor.calibration.cluster import scatter_map
        frames = scatter_map(client, task, items, batch_size=batch_size)
    return stack_draws(frames)


def summarise_draws(wide: pd.DataFrame) -> pd.DataFrame:
    """Per output key: median and the central 90% band over the draws."""
    values = wide.to_numpy(dtype=float)
    out = wide.index.to_frame(index=False)
    out["median"] = np.median(values, axis=1)
    out["q05"] = np.quantile(values, 0.05, axis=1)
    out["q95"] = np.quantile(values, 0.95, axis=1)
    out["reference_date"] = pd.to_datetime(out["reference_date"])
    return out[PREDICTIVE_COLUMNS].sort_values(KEY_COLUMNS).reset_index(drop=True)


def predict(*, draws: int = 100, end: str = "2025-12", seed: int = 1, scale: float = 0.1,
            posterior: Posterior | None = None, client=None, engine=None) -> pd.DataFrame:
    """Posterior-predictive summary: ``series, reference_date, category, median, q05, q95``."""
    posterior = posterior or load_posterior()
    wide = predictive_draws(posterior, draws=draws, seed=seed, end=end, scale=scale,
                            client=client, engine=engine)
    return summarise_draws(wide)


def save_predictive(frame: pd.DataFrame, name: str, *, draws: int, scale: float, seed: int,
                    folder: Path = SHIPPED_DIR) -> Path:
    """Ship a predictive summary next to its posterior (columns say how it was made)."""
    path = shipped_paths(name, folder)["predictive"]
    out = frame.copy()
    out["reference_date"] = pd.to_datetime(out["reference_date"]).dt.strftime("%Y-%m-%d")
    out = out.assign(draws=draws, scale=scale, seed=seed)
    out.to_csv(path, index=False, float_format="%.6g")
    return path


def load_predictive(name: str = "default", folder: Path = SHIPPED_DIR) -> pd.DataFrame:
    path = shipped_paths(name, folder)["predictive"]
    if not path.exists():
        raise FileNotFoundError(f"no shipped predictive summary {path}; run `sidedoor predict`")
    frame = pd.read_csv(path)
    frame["reference_date"] = pd.to_datetime(frame["reference_date"])
    return frame
