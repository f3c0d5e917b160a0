"""Global sensitivity of chosen outputs to the calibrated parameters (SALib: Sobol, Morris).

Which parameters drive the overstayer stock of 2004 or 2020, the interns who disappeared in
2019, the asylum applications of 2017? The analysis samples the unit cube with SALib and maps
each coordinate through its parameter's prior (inverse CDF, the calibration's own
``PriorSpec``), so the indices answer "over what we believe before calibration".

Choices, and why:

* The unit cube maps onto the central 99% of each prior (quantiles 0.005-0.995). Morris'
  levels include 0 and 1, where a normal prior's inverse CDF is infinite.
* Sobol uses Saltelli's scheme without second-order terms: ``N * (D + 2)`` runs for ``D``
  parameters give first-order and total indices, which is what screening 24 parameters
  needs; second order would cost ``N * (2D + 2)``. ``N`` must be a power of two.
* Common random numbers by default: every member runs with the same engine seed (derived
  from the master seed), so differences between members come from the parameters, not from
  Monte Carlo noise the estimators would otherwise attribute to them.
* Members keep only the chosen output rows in the store by default (``keep``): a national
  analysis of 100,000 members would otherwise store billions of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sidedoor.ensemble.plan import (
    EnsembleSpec,
    PlannedRun,
    calibrated_specs,
    member_run_id,
    member_seeds,
    quantile_value,
)
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.timeline import overstayer_reference_dates

METHODS = ("sobol", "morris")
DEFAULT_OUTPUTS = ("overstayers:2004-01-01", "overstayers:2020-01-01",
                   "interns_disappeared:2019-12-31", "asylum_applications:2017-12-31")
QUANTILE_RANGE = (0.005, 0.995)
MORRIS_LEVELS = 4
#: Simulated target series (CONTRACTS.md) and those dated on December 31 of their year.
TARGET_SERIES = ("overstayers", "overstayers_midyear", "overstayers_by_nationality",
                 "overstayers_by_status", "overstayers_by_sex", "technical_interns",
                 "interns_disappeared", "asylum_applications", "asylum_recognized",
                 "spr_granted", "deportations", "departure_orders")
YEARLY_FLOWS = ("interns_disappeared", "asylum_applications", "asylum_recognized",
                "spr_granted", "deportations", "departure_orders")


@dataclass(frozen=True)
class OutputKey:
    """One scalar output of a run: a series' value on a reference date, for a category."""

    series: str
    date: dt.date
    category: str = "total"

    @classmethod
    def parse(cls, text: str) -> OutputKey:
        """``series:YYYY-MM-DD`` or ``series:YYYY-MM-DD:category``."""
        parts = str(text).split(":", 2)
        if len(parts) < 2 or not parts[0]:
            raise ValueError(f"output {text!r}: expected series:YYYY-MM-DD[:category]")
        try:
            date = dt.date.fromisoformat(parts[1])
        except ValueError:
            raise ValueError(f"output {text!r}: {parts[1]!r} is not a date (YYYY-MM-DD)") from None
        return cls(parts[0], date, parts[2] if len(parts) == 3 and parts[2] else "total")

    def __str__(self) -> str:
        tail = "" if self.category == "total" else f":{self.category}"
        return f"{self.series}:{self.date.isoformat()}{tail}"


def check_outputs(keys: Sequence[OutputKey], start: dt.date, end: dt.date) -> None:
    """Refuse outputs the runs cannot produce, before any run is spent on them.

    The series must be a simulated target series (CONTRACTS.md), its date inside the period;
    the overstayer stock exists on the official reference dates only, calendar-year flows on
    December 31.
    """
    after_end = (pd.Timestamp(end) + pd.offsets.MonthBegin(1)).date()
    for key in keys:
        if key.series not in TARGET_SERIES:
            raise ValueError(f"output {key}: unknown series {key.series!r}; "
                             f"simulated series: {', '.join(TARGET_SERIES)}")
        if not start <= key.date <= after_end:
            raise ValueError(f"output {key}: {key.date} lies outside the simulated period "
                             f"{start:%Y-%m}..{end:%Y-%m}; widen --start/--end")
        if key.series == "overstayers" and key.date not in overstayer_reference_dates(
                key.date.year, key.date.year):
            official = overstayer_reference_dates(key.date.year, key.date.year)[0]
            raise ValueError(f"output {key}: the official overstayer count of {key.date.year} "
                             f"is dated {official}")
        if key.series in YEARLY_FLOWS and (key.date.month, key.date.day) != (12, 31):
            raise ValueError(f"output {key}: {key.series} is a calendar-year flow, dated "
                             f"{key.date.year}-12-31")


def salib_problem(names: Sequence[str]) -> dict:
    """SALib's problem over the unit cube (priors are applied afterwards, by quantile)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def runs_needed(method: str, n: int, n_parameters: int) -> int:
    """Members a design needs: Sobol N(D+2), Morris N(D+1) (N trajectories)."""
    return n * (n_parameters + 2) if method == "sobol" else n * (n_parameters + 1)


def unit_sample(method: str, names: Sequence[str], n: int, seed: int) -> np.ndarray:
    """SALib's design in the unit cube, one row per member (deterministic for a seed)."""
    problem = salib_problem(names)
    if method == "sobol":
        from SALib.sample import sobol

        if n < 1 or n & (n - 1):
            raise ValueError(f"Sobol needs --n a power of two (1, 2, 4, 8, ...), got {n}")
        return sobol.sample(problem, n, calc_second_order=False, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        if n < 2:
            raise ValueError(f"Morris needs --n of at least 2 trajectories, got {n}")
        return morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
    raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


def design_values(specs: Sequence, design: np.ndarray) -> list[dict[str, float]]:
    """Unit-cube rows -> model values at the matching prior quantiles (``QUANTILE_RANGE``)."""
    low, high = QUANTILE_RANGE
    return [{s.name: quantile_value(s, low + (high - low) * float(u))
             for s, u in zip(specs, row, strict=True)} for row in design]


def plan_sensitivity(spec: EnsembleSpec, ensemble_id: str,
                     params: ParameterSet) -> list[PlannedRun]:
    """Every member of a sensitivity analysis: unit-cube point -> prior quantiles -> values."""
    settings = spec.settings
    specs = calibrated_specs(params, settings.get("parameters") or None)
    names = [s.name for s in specs]
    design = unit_sample(settings["method"], names, int(settings["n"]), spec.master_seed)
    common_seed = member_seeds(spec.master_seed, 0)[0]
    runs = []
    for i, (row, values) in enumerate(zip(design, design_values(specs, design), strict=True)):
        seed = common_seed if settings.get("crn", True) else member_seeds(spec.master_seed, i)[0]
        runs.append(PlannedRun(i, member_run_id(ensemble_id, i), seed, values,
                               [float(x) for x in row]))
    return runs


def summary_matrix(outputs: pd.DataFrame, keys: Sequence[OutputKey], n_runs: int) -> np.ndarray:
    """``(n_runs, len(keys))`` values from ``run_index, series, reference_date, category, value``.

    A key absent from one run's outputs counts as 0 (the engine omits zero rows); a key
    absent from every run is an error, not a column of zeros.
    """
    y = np.zeros((n_runs, len(keys)))
    dates = pd.to_datetime(outputs["reference_date"])
    for j, key in enumerate(keys):
        rows = outputs[(outputs["series"] == key.series) & (dates == pd.Timestamp(key.date))
                       & (outputs["category"] == key.category)]
        if rows.empty:
            raise ValueError(f"output {key} appears in no member's outputs; check the series, "
                             "date and category (`sidedoor run -o` shows what a run produces)")
        sums = rows.groupby("run_index")["value"].sum()
        y[sums.index.to_numpy(dtype=int), j] = sums.to_numpy(dtype=float)
    return y


def analyse(method: str, names: Sequence[str], coordinates: np.ndarray, y: np.ndarray,
            keys: Sequence[OutputKey], seed: int) -> pd.DataFrame:
    """Sensitivity indices per (output, parameter) in the ``sensitivity_indices`` columns."""
    problem = salib_problem(names)
    rows = []
    for j, key in enumerate(keys):
        with np.errstate(all="ignore"):
            if method == "sobol":
                from SALib.analyze import sobol

                res = sobol.analyze(problem, y[:, j], calc_second_order=False, seed=seed)
                cols = {"s1": res["S1"], "s1_conf": res["S1_conf"], "st": res["ST"],
                        "st_conf": res["ST_conf"]}
            else:
                from SALib.analyze import morris

                res = morris.analyze(problem, coordinates, y[:, j], num_levels=MORRIS_LEVELS,
                                     seed=seed)
                cols = {"mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                        "sigma": res["sigma"]}
        for i, name in enumerate(names):
            row = {"output": str(key), "parameter": name, "method": method, "s1": np.nan,
                   "s1_conf": np.nan, "st": np.nan, "st_conf": np.nan, "mu_star": np.nan,
                   "mu_star_conf": np.nan, "sigma": np.nan}
            row.update({k: float(np.asarray(v)[i]) for k, v in cols.items()})
            rows.append(row)
    return pd.DataFrame(rows)
