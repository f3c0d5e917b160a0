"""Does the calibrated model reproduce the official statistics, and where does it fail?

Everything is computed from the shipped posteriors' predictive summaries (median and 90%
band per output point), so the report needs no simulation:

* **in sample**: each target group's MAPE of the predictive median and the share of observed
  points inside the 90% band (``coverage90``), plus the issue's goals, pass or fail;
* **full scale**: the same at scale 1 (the fit runs at a reduced scale);
* **time split**: a posterior fitted on reference dates up to 2012 only, scored on 2013-2020;
* **cross series**: a posterior fitted without Table 1, scored on Table 1;
* **held out**: official figures after 2020-01-01, never fitted;
* **untargeted**: official series the calibration never sees (deportation procedures by last status,
  departure orders, overstayers by sex, disappeared interns before Table 1 and by
  nationality), scored against the same predictive;
* **composition**: per status category of the stock, how far the model is from the official
  status breakdown (a stock can be fitted with the wrong side doors), and the same per
  nationality (``composition_by_nationality``: the right total from the wrong corridors);
* **misfits**: the points the model gets most wrong (largest log errors), stated plainly.

A band's coverage far above 90% means the band is wide (noise or an uncertain posterior), far
below means the model is biased; MAPE says by how much.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sidedoor.calibration.posterior import SHIPPED_DIR, load_posterior, load_predictive
from sidedoor.calibration.targets import (DEFAULT_CUTOFF, KEY_COLUMNS, Targets, held_out,
                                          load_targets, untargeted)

TIME_SPLIT_LAST_FIT = dt.date(2012, 12, 31)
TABLE1_GROUPS = ("table1_disappeared", "table1_interns")


def score(targets: Targets, predictive: pd.DataFrame) -> pd.DataFrame:
    """Observed points joined with the predictive median and band, with per-point errors."""
    pred = predictive[KEY_COLUMNS + ["median", "q05", "q95"]].copy()
    pred["reference_date"] = pd.to_datetime(pred["reference_date"])
    joined = targets.frame.merge(pred, on=KEY_COLUMNS, how="left")
    joined["predicted"] = joined["median"].notna()
    obs = joined["value"].astype(float)
    joined["ape"] = (joined["median"] - obs).abs() / obs.where(obs > 0)
    joined["log_error"] = np.log1p(joined["median"].clip(lower=0)) - np.log1p(obs)
    joined["inside90"] = (joined["q05"] <= obs) & (obs <= joined["q95"])
    return joined


def metrics(scored: pd.DataFrame) -> dict[str, dict[str, float | int | None]]:
    """Per group: ``mape`` (%), ``coverage90`` (share), ``n_points`` (points predicted)."""
    out: dict[str, dict[str, Any]] = {}
    for group, rows in scored.loc[scored["predicted"]].groupby("group", sort=False):
        out[str(group)] = _metric_row(rows)
    done = scored.loc[scored["predicted"]]
    if len(done):
        out["all"] = _metric_row(done)
    return out


def _metric_row(rows: pd.DataFrame) -> dict[str, Any]:
    ape = rows["ape"].dropna()
    return {"mape": _r(100 * ape.mean()) if len(ape) else None,
            "coverage90": _r(rows["inside90"].mean()), "n_points": int(len(rows))}


def _r(x: float, nd: int = 4) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else round(float(x), nd)


def _point(scored: pd.DataFrame, series: str, date: str, category: str = "total") -> dict | None:
    rows = scored.loc[scored["series"].eq(series) & scored["category"].eq(category)
                      & scored["reference_date"].eq(pd.Timestamp(date)) & scored["predicted"]]
    if rows.empty:
        return None
    r = rows.iloc[0]
    return {"date": date, "observed": float(r["value"]), "median": float(r["median"]),
            "error_pct": _r(100 * (r["median"] - r["value"]) / r["value"], 2)}


def _within(points: list[dict | None], tolerance: float) -> tuple[bool | None, list]:
    got = [p for p in points if p is not None]
    if not got or len(got) < len(points):
        return None, got
    return all(abs(p["error_pct"]) <= tolerance for p in got), got


def goals(scored: pd.DataFrame, time_split: dict | None, meta: dict) -> list[dict[str, Any]]:
    """The issue's goals, each with what was measured and whether it is met (None: unknown)."""
    m = metrics(scored)
    rows = []

    def add(goal: str, target: str, measured: Any, met: bool | None) -> None:
        rows.append({"goal": goal, "target": target, "measured": measured, "met": met})

    stock = m.get("overstayer_stock", {}).get("mape")
    add("in-sample stock MAPE 1990-2020", "<= 5%", stock, None if stock is None else stock <= 5)
    met, pts = _within([_point(scored, "interns_disappeared", f"{y}-12-31")
                        for y in range(2015, 2020)], 15)
    add("Table 1 disappeared, each year 2015-2019", "within 15%", pts, met)
    met, pts = _within([_point(scored, "asylum_applications", "2017-12-31")], 15)
    add("asylum applications 2017", "within 15%", pts, met)
    met, pts = _within([_point(scored, "spr_granted", f"{y}-12-31")
                        for y in (2003, 2004, 2005, 2018)], 20)
    add("SPR grants 2003-2005 and 2018", "within 20%", pts, met)
    met, pts = _within([_point(scored, "overstayers_by_status", "2019-01-01",
                               "designated_activities")], 20)
    add("designated-activities overstayers 2019", "within 20%", pts, met)
    cov = m.get("all", {}).get("coverage90")
    add("observed points inside the 90% bands", ">= 80%", cov, None if cov is None else cov >= 0.8)
    ts = (time_split or {}).get("overstayer_stock", {}).get("mape")
    add("time-split stock MAPE 2013-2020", "<= 15%", ts, None if ts is None else ts <= 15)
    wall = meta.get("wall_seconds")
    add("shipped calibration wall time", "< 20 min",
        None if wall is None else round(wall / 60, 1), None if wall is None else wall < 1200)
    return rows


def format_measured(measured: Any) -> str:
    """A goal's measured value as text: per-point errors as ``2017: +22%``, else the value."""
    if isinstance(measured, list):
        return ", ".join(f"{p['date'][:4]}: {p['error_pct']:+.0f}%" for p in measured)
    return "" if measured is None else str(measured)


def misfits(scored: pd.DataFrame, n: int = 12) -> list[dict[str, Any]]:
    """The ``n`` points with the largest absolute log error: what the model gets wrong."""
    done = scored.loc[scored["predicted"]].copy()
    done["abs_log_error"] = done["log_error"].abs()
    worst = done.sort_values("abs_log_error", ascending=False).head(n)
    return [{"group": r.group, "series": r.series, "category": r.category,
             "reference_date": r.reference_date.strftime("%Y-%m-%d"),
             "observed": float(r.value), "median": float(r.median),
             "ratio": _r(r.median / r.value if r.value else float("nan"), 3),
             "inside90": bool(r.inside90)} for r in worst.itertuples()]


def composition(scored: pd.DataFrame, group: str = "by_status") -> dict[str, dict[str, Any]]:
    """Per category of a breakdown: ``ratio`` (predictive median / official, averaged over its
    dates on the distance's log1p scale, so a zero prediction counts instead of being
    dropped), ``mape``, ``coverage90`` and ``n_points``.

    Why: the total stock can be reached with the wrong side doors (too few former visitors
    offset by too many former students); the group's MAPE alone does not say which door errs
    in which direction, the signed ratio does.
    """
    rows = scored.loc[scored["predicted"] & scored["group"].eq(group)]
    out: dict[str, dict[str, Any]] = {}
    for category, r in rows.groupby("category", sort=True):
        log_ratio = np.log1p(r["median"].clip(lower=0)) - np.log1p(r["value"].astype(float))
        out[str(category)] = {"ratio": _r(float(np.exp(log_ratio.mean())), 3), **_metric_row(r)}
    return out


def weight_concentration(particles: pd.DataFrame) -> dict[str, float | None]:
    """How much the predictive leans on single particles of the last generation.

    Why: with few particles in 25 dimensions the importance weights (prior / proposal) can
    put a quarter of the posterior on one particle, which then sets the predictive median,
    while the particle closest to the data carries almost none. ESS alone does not say
    which particle that is or how well it fits.
    """
    w = particles["weight"].to_numpy(dtype=float)
    d = particles["distance"].to_numpy(dtype=float)
    if w.size == 0 or not np.isfinite(w).all() or w.sum() <= 0:
        return dict.fromkeys(("heaviest_weight_share", "heaviest_distance", "lowest_distance",
                              "lowest_distance_weight_share"))
    w = w / w.sum()
    heavy, best = int(np.argmax(w)), int(np.argmin(d))
    return {"heaviest_weight_share": _r(w[heavy]), "heaviest_distance": _r(d[heavy]),
            "lowest_distance": _r(d[best]), "lowest_distance_weight_share": _r(w[best])}


def describe_epsilon(post: dict) -> str:
    """The final epsilon and what it bounds: with a stock guard C, the stock's error is
    within epsilon / C as well (``calibration.distance``)."""
    eps, guard = post.get("final_epsilon"), post.get("stock_guard") or 0.0
    if eps is None or not guard:
        return f"final epsilon {eps}"
    return (f"final epsilon {eps:.3f} (stock guard {guard:g}: every accepted particle's stock "
            f"error within {eps / guard:.3f})")


def describe_weights(weights: dict[str, float | None] | None) -> str:
    """``weight_concentration`` as one sentence (``sidedoor validate`` and the report), or ""."""
    w = weights or {}
    if w.get("heaviest_weight_share") is None:
        return ""
    return (f"The heaviest particle carries {w['heaviest_weight_share']:.0%} of the weight"
            f" (distance {w['heaviest_distance']:.3f}); the one closest to the data"
            f" (distance {w['lowest_distance']:.3f}) carries {w['lowest_distance_weight_share']:.2%}.")


#: A parameter whose prior variance the data cut by at least this share counts as informed.
INFORMED_CONTRACTION = 0.5


def contraction_summary(summary: pd.DataFrame) -> dict[str, Any]:
    """How much the fit learned per parameter (``Posterior.summary``'s ``contraction``).

    Why in the report: the predictive band is only as narrow as the posterior, and a fit can
    meet its epsilon while leaving most parameters where their priors put them. The median
    over parameters and the list of informed ones say at a glance which it is.
    """
    c = summary.set_index("parameter")
    informed = c.index[c["contraction"] >= INFORMED_CONTRACTION]
    return {"median": _r(float(c["contraction"].median()), 3),
            "informed": sorted(informed),
            "per_parameter": {str(name): {"contraction": _r(float(row["contraction"]), 3),
                                          "prior_z": _r(float(row["prior_z"]), 3)}
                              for name, row in c.iterrows()}}


def describe_contraction(contraction: dict[str, Any] | None) -> str:
    """``contraction_summary`` as one sentence, or ""."""
    if not contraction or contraction.get("median") is None:
        return ""
    n, k = len(contraction["per_parameter"]), len(contraction["informed"])
    return (f"The data cut the prior variance of the median parameter by "
            f"{contraction['median']:.0%} (posterior contraction, prior-standardised); "
            f"{k} of {n} parameters are narrowed by half or more.")


def _safe_predictive(name: str, folder: Path) -> pd.DataFrame | None:
    try:
        return load_predictive(name, folder)
    except FileNotFoundError:
        return None


def validation_summary(targets: Targets | None = None, *, name: str = "default",
                       predictive: pd.DataFrame | None = None,
                       folder: Path = SHIPPED_DIR) -> dict[str, Any]:
    """Everything ``sidedoor validate`` and the report show, as a JSON-ready dict.

    Keys: ``posterior`` (what was shipped and how, with ``weights``: the heaviest particle's
    share and distance, the lowest distance and its share; ``contraction``: per parameter the
    share of prior variance the data removed, its median and the informed parameters),
    ``series`` (per target group ``mape``, ``coverage90``, ``n_points``), ``goals``,
    ``full_scale``, ``time_split``, ``cross_series``, ``held_out``, ``untargeted`` (same keys
    per group), ``composition`` (per status category, with ``ratio``),
    ``composition_by_nationality`` (the same per nationality), ``misfits``, ``not_predicted``.
    Sections whose shipped posterior is missing are ``None``.
    """
    targets = targets or load_targets()
    posterior = load_posterior(name, folder)
    meta = posterior.meta
    predictive = predictive if predictive is not None else load_predictive(name, folder)
    scored = score(targets, predictive)
    out: dict[str, Any] = {
        "posterior": {**{k: meta.get(k) for k in (
            "name", "status", "generations_reached", "generations_planned", "final_epsilon",
            "epsilon_schedule", "final_ess", "total_simulations", "wall_seconds", "seed",
            "distance", "stock_guard")}, "weights": weight_concentration(posterior.particles),
            "contraction": contraction_summary(posterior.summary())},
        "predictive": _predictive_info(predictive),
        "series": metrics(scored),
    }
    full = _safe_predictive(f"{name}_fullscale", folder)
    out["full_scale"] = None if full is None else {
        "predictive": _predictive_info(full), "series": metrics(score(targets, full))}
    ts_pred = _safe_predictive("time_split", folder)
    out["time_split"] = None if ts_pred is None else metrics(
        score(targets.after(TIME_SPLIT_LAST_FIT), ts_pred))
    cs_pred = _safe_predictive("cross_series", folder)
    out["cross_series"] = None if cs_pred is None else metrics(
        score(targets.only(TABLE1_GROUPS), cs_pred))
    try:
        late = held_out()
        out["held_out"] = metrics(score(late, predictive)) if len(late) else {}
    except ValueError:
        out["held_out"] = None
    try:
        out["untargeted"] = metrics(score(untargeted(), predictive))
    except ValueError:  # a series missing from the data: say so, do not fail the report
        out["untargeted"] = None
    out["goals"] = goals(scored, out["time_split"], meta)
    out["composition"] = composition(scored)
    out["composition_by_nationality"] = composition(scored, "by_nationality")
    out["misfits"] = misfits(scored)
    missing = scored.loc[~scored["predicted"]]
    out["not_predicted"] = sorted(set(missing["series"] + ":" + missing["category"]))
    return out


def _predictive_info(frame: pd.DataFrame) -> dict[str, Any]:
    info = {}
    for col in ("draws", "scale", "seed"):
        if col in frame.columns and len(frame):
            info[col] = frame[col].iloc[0].item()
    return info


def validation_table(summary: dict[str, Any]) -> pd.DataFrame:
    """One row per group: in-sample, full-scale, time-split, cross-series and untargeted metrics."""
    rows = []
    sections = {"": summary["series"],
                "full_scale_": (summary.get("full_scale") or {}).get("series") or {},
                "time_split_": summary.get("time_split") or {},
                "cross_series_": summary.get("cross_series") or {},
                "untargeted_": summary.get("untargeted") or {}}
    groups = list(dict.fromkeys(g for sec in sections.values() for g in sec))
    for g in groups:
        row: dict[str, Any] = {"series": g}
        for prefix, sec in sections.items():
            for key in ("mape", "coverage90", "n_points"):
                row[prefix + key] = (sec.get(g) or {}).get(key)
        rows.append(row)
    return pd.DataFrame(rows)


def validation_figures(out_dir: str | Path, *, name: str = "default",
                       folder: Path = SHIPPED_DIR) -> list[Path]:
    """Observed vs posterior predictive (median, 90% band) figures; returns the files written."""
    from sidedoor.calibration.validation_plots import write_figures

    return write_figures(Path(out_dir), name=name, cutoff=DEFAULT_CUTOFF, folder=folder)
