"""Figures of the validation: observed points against the posterior-predictive median and band.

Kept apart from ``validation`` so the numbers can be computed without importing matplotlib.
Each figure is written only if the shipped files it needs exist; the list of written files is
returned so the report can embed exactly those.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from sidedoor.calibration.posterior import load_posterior, load_predictive
from sidedoor.calibration.targets import held_out, load_targets

PANELS = (
    ("interns_disappeared", "total", "Technical interns disappeared (Table 1)"),
    ("technical_interns", "total", "Technical-intern stock"),
    ("asylum_applications", "total", "Asylum applications"),
    ("spr_granted", "total", "Special permission for residence granted"),
    ("overstayers_by_status", "designated_activities",
     "Overstayers, last status designated activities"),
    ("overstayers_by_nationality", "Vietnam", "Vietnamese overstayers"),
)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _band(ax, pred: pd.DataFrame, series: str, category: str, label: str, color: str) -> None:
    rows = pred.loc[pred["series"].eq(series) & pred["category"].eq(category)]
    rows = rows.sort_values("reference_date")
    if rows.empty:
        return
    ax.fill_between(rows["reference_date"], rows["q05"], rows["q95"], color=color, alpha=0.25,
                    label=f"{label} 90% band")
    ax.plot(rows["reference_date"], rows["median"], color=color, lw=1.5, label=f"{label} median")


def _observed(ax, frame: pd.DataFrame, series: str, category: str, **style) -> None:
    rows = frame.loc[frame["series"].eq(series) & frame["category"].eq(category)]
    if len(rows):
        ax.plot(rows["reference_date"], rows["value"], ls="none", **style)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    _plt().close(fig)
    return path


def _try_predictive(name: str, folder: Path) -> pd.DataFrame | None:
    try:
        return load_predictive(name, folder)
    except FileNotFoundError:
        return None


def write_figures(out_dir: Path, *, name: str, cutoff: dt.date, folder: Path) -> list[Path]:
    plt = _plt()
    out_dir.mkdir(parents=True, exist_ok=True)
    pred = _try_predictive(name, folder)
    if pred is None:
        return []
    targets = load_targets(cutoff=cutoff).frame
    try:
        late = held_out().frame
    except ValueError:
        late = targets.iloc[0:0]
    written: list[Path] = []

    fig, ax = plt.subplots(figsize=(9, 4.5))
    _band(ax, pred, "overstayers", "total", "posterior predictive", "tab:blue")
    full = _try_predictive(f"{name}_fullscale", folder)
    if full is not None:
        rows = full.loc[full["series"].eq("overstayers") & full["category"].eq("total")]
        ax.plot(rows["reference_date"], rows["median"], color="tab:purple", lw=1, ls="--",
                label="median at scale 1")
    _observed(ax, targets, "overstayers", "total", marker="o", color="black", ms=4,
              label="official (fitted)")
    _observed(ax, late, "overstayers", "total", marker="x", color="tab:red", ms=6,
              label="official after 2020 (held out)")
    ax.set(title="Overstayer stock: official vs posterior predictive", ylabel="persons")
    ax.legend(fontsize=8)
    written.append(_save(fig, out_dir / "calibration_stock.png"))

    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    for ax, (series, category, title) in zip(axes.flat, PANELS):
        _band(ax, pred, series, category, "predictive", "tab:blue")
        _observed(ax, targets, series, category, marker="o", color="black", ms=4,
                  label="official")
        _observed(ax, late, series, category, marker="x", color="tab:red", ms=6,
                  label="held out")
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(fontsize=7)
    written.append(_save(fig, out_dir / "calibration_series.png"))

    for split, title, fname, groups in (
        ("time_split", "Time split: fitted to 2012, predicting 2013-2020",
         "calibration_time_split.png", [("overstayers", "total")]),
        ("cross_series", "Cross-series: fitted without Table 1, predicting it",
         "calibration_cross_series.png", [("interns_disappeared", "total"),
                                         ("technical_interns", "total")]),
    ):
        sp = _try_predictive(split, folder)
        if sp is None:
            continue
        fig, axes = plt.subplots(1, len(groups), figsize=(6 * len(groups), 4), squeeze=False)
        for ax, (series, category) in zip(axes.flat, groups):
            _band(ax, sp, series, category, split.replace("_", " "), "tab:green")
            _observed(ax, targets, series, category, marker="o", color="black", ms=4,
                      label="official")
            if split == "time_split":
                ax.axvline(pd.Timestamp("2013-01-01"), color="grey", ls=":")
            ax.set_title(f"{series} ({category})", fontsize=9)
            ax.legend(fontsize=7)
        fig.suptitle(title)
        written.append(_save(fig, out_dir / fname))

    written.extend(_posterior_figures(plt, out_dir, name, folder))
    return written


def _posterior_figures(plt, out_dir: Path, name: str, folder: Path) -> list[Path]:
    try:
        posterior = load_posterior(name, folder)
    except FileNotFoundError:
        return []
    summary = posterior.summary()
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(summary) + 1.5))
    y = np.arange(len(summary))
    lo, hi = summary["prior_q05"], summary["prior_q95"]
    span = (hi - lo).replace(0, np.nan)
    ax.hlines(y, 0, 1, color="lightgrey", lw=6, label="prior 90%")
    ax.hlines(y, (summary["q05"] - lo) / span, (summary["q95"] - lo) / span, color="tab:blue",
              lw=3, label="posterior 90%")
    ax.plot((summary["median"] - lo) / span, y, "k|", ms=10, label="posterior median")
    ax.set_yticks(y, summary["parameter"], fontsize=7)
    ax.set_xlabel("position within the prior's 90% range")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"Posterior vs prior ({posterior.meta.get('status', '?')})", fontsize=9)
    paths = [_save(fig, out_dir / "calibration_parameters.png")]
    eps = posterior.meta.get("epsilon_schedule")
    if eps:
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.plot(range(len(eps)), eps, "o-")
        ax.set(xlabel="generation", ylabel="epsilon (weighted mean |log error|)",
               title="ABC-SMC epsilon schedule")
        paths.append(_save(fig, out_dir / "calibration_epsilon.png"))
    return paths

