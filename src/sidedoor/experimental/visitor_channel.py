"""The temporary-visitor channel of one run, year by year: entries, overstay probability, drivers.

Why: every shipped fit overshoots the stock after 2016, and the official former visitors in
the stock stayed flat (41,000-46,000 in 2013-2018) while visitor entries multiplied. The
ABC distance sees only the stock; this table shows the channel itself. For each year and
nationality: the yearly visitor entries (scale 1), the expected new visitor overstayers
(entries x probability, before the binomial draw), their ratio, and the two time-varying
multipliers of the probability that every corridor shares, labour demand and deterrence
(``Month.pull_table``), taken in July. docs/calibration.md ("Composition") quotes it for
the heaviest particle of the shipped fit.

The run is the engine's own: ``visitors.probabilities`` is wrapped for the run's duration
to record what it returns, and returns it unchanged, so results are bit-identical (a test
checks).

Usage: ``python -m sidedoor.experimental.visitor_channel [--posterior default]
[--seed 1] [--scale 0.05] [--end 2020-12] [--nationalities "China,South Korea,Vietnam"]
[--output FILE.csv]``. The parameters are the posterior's heaviest particle.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from unittest import mock

import numpy as np
import pandas as pd

from sidedoor.engine import SimulationResult, simulate, visitors
from sidedoor.nationalities import BY_LABEL, Nationality

REPORT_MONTH = 7  # the month whose drivers stand for the year


def _recorder(rows: list[dict]):
    """A stand-in for ``visitors.probabilities`` that records its inputs and results."""
    original = visitors.probabilities

    def probabilities(month, inputs):
        p_over, p_asylum = original(month, inputs)
        source = max(month.m - visitors.ALLOWED_STAY_MONTHS, 0)
        rows.append({"year": month.date.year, "month": month.date.month,
                     "entries": np.asarray(inputs.visitor_entries[source], dtype=float).copy(),
                     "probability": np.asarray(p_over, dtype=float).copy(),
                     "labour_multiplier": float(np.exp(month.labour_demand_term())),
                     "deterrence_multiplier": float(np.exp(-month.deterrence_term()))})
        return p_over, p_asylum

    return probabilities


def visitor_channel(params, *, seed: int = 1, scale: float = 0.05, start: str = "1990-01",
                    end: str = "2020-12", nationalities: Sequence[Nationality] | None = None,
                    ) -> tuple[pd.DataFrame, SimulationResult]:
    """One row per year and nationality, and the run's result (unchanged by the recording)."""
    rows: list[dict] = []
    with mock.patch.object(visitors, "probabilities", _recorder(rows)):
        result = simulate(params, seed=seed, start=start, end=end, scale=scale)
    nats = list(nationalities) if nationalities is not None else list(Nationality)
    records = []
    for year in sorted({r["year"] for r in rows}):
        months = [r for r in rows if r["year"] == year]
        drivers = next((r for r in months if r["month"] == REPORT_MONTH), months[0])
        for nat in nats:
            entries = sum(float(r["entries"][nat]) for r in months)
            expected = sum(float(r["entries"][nat] * r["probability"][nat]) for r in months)
            records.append({"year": year, "nationality": nat.label, "entries": entries,
                            "expected_overstayers": expected,
                            "probability": expected / entries if entries > 0 else float("nan"),
                            "labour_multiplier": drivers["labour_multiplier"],
                            "deterrence_multiplier": drivers["deterrence_multiplier"]})
    return pd.DataFrame.from_records(records), result


def heaviest_particle(posterior: str = "default") -> Mapping[str, float]:
    """The calibrated values of a shipped posterior's heaviest particle."""
    from sidedoor.calibration.posterior import load_posterior

    fit = load_posterior(posterior)
    row = fit.particles.loc[fit.particles["weight"].idxmax()]
    return {name: float(row[name]) for name in fit.parameter_names}


def main(argv: list[str] | None = None) -> None:
    from sidedoor.institutions.parameters import load_parameters

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posterior", default="default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--end", default="2020-12")
    parser.add_argument("--nationalities", default="China,South Korea,Vietnam")
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    nats = [BY_LABEL[label.strip()] for label in args.nationalities.split(",")]
    params = load_parameters().with_values(heaviest_particle(args.posterior))
    table, _ = visitor_channel(params, seed=args.seed, scale=args.scale, end=args.end, nationalities=nats)
    if args.output:
        table.to_csv(args.output, index=False)
    with pd.option_context("display.width", 160, "display.max_rows", 500):
        print(table.round({"entries": 0, "expected_overstayers": 0, "probability": 4,
                           "labour_multiplier": 2, "deterrence_multiplier": 2}).to_string(index=False))


if __name__ == "__main__":
    main()
