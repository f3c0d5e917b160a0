"""The plan of an ensemble: for every run index, its engine seed and its parameter values.

Why a plan, fixed before any run starts: results must not depend on how many workers there
are, which finished first, or whether the client was killed and resumed. Every member is a
pure function of ``(master seed, run index)``: ``SeedSequence([master, index])`` yields the
engine seed and the seed of the member's own parameter draw, so member 17 is the same run on
one laptop core or on a hundred cluster workers. The plan is stored at the start (see
:mod:`sidedoor.ensemble.collect`); a resumed ensemble reads it back instead of re-deriving
it, so a resume can never silently use a different draw.

Parameter values come from the calibrated parameters' priors (``draws_from='prior'``), from
the shipped posterior (``'posterior'``), or, when no posterior is shipped, from the priors'
central values, labelled "uncalibrated" (CONTRACTS.md: never silently).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from sidedoor.institutions.parameters import ParameterSet

DrawSource = Literal["prior", "posterior"]
EnsembleKind = Literal["ensemble", "sensitivity"]
UNCALIBRATED = "uncalibrated: priors' central values (no shipped posterior)"


@dataclass(frozen=True)
class EnsembleSpec:
    """What an ensemble or sensitivity analysis runs; stored once, read back on resume."""

    kind: EnsembleKind
    master_seed: int
    n_runs: int
    scale: float
    start: dt.date
    end: dt.date
    draws_from: str
    reform: dict[str, Any] | None = None
    label: str = ""
    #: method-specific settings (sensitivity: method, n, parameters, outputs, ...)
    settings: dict[str, Any] = field(default_factory=dict)
    #: output rows each run keeps in the store: None = all, else ["series:date[:category]"]
    keep: list[str] | None = None

    def to_record(self) -> dict[str, Any]:
        """JSON-friendly form (dates as ISO text)."""
        out = asdict(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        return out

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> EnsembleSpec:
        data = dict(record)
        for key in ("start", "end"):
            if not isinstance(data[key], dt.date):
                data[key] = dt.date.fromisoformat(str(data[key])[:10])
        return cls(**data)


@dataclass(frozen=True)
class PlannedRun:
    """One member: its index, the run id it will be stored under, its seed and values."""

    index: int
    run_id: str
    seed: int
    values: dict[str, float]
    #: sensitivity only: the member's point in the unit cube SALib sampled
    coordinates: list[float] | None = None


def new_ensemble_id(now: datetime | None = None) -> str:
    """``e20260131-142501-3fa9c2``: sortable, shell-safe, short enough for member run ids."""
    now = now or datetime.now(UTC)
    return f"e{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def member_run_id(ensemble_id: str, index: int) -> str:
    """Run id of member ``index``: fixed in the plan, so a member can never be stored twice
    (the store refuses a duplicate id) and its presence in ``runs`` *is* its completion."""
    return f"{ensemble_id}-{index:06d}"


def member_seeds(master_seed: int, index: int) -> tuple[int, int]:
    """(engine seed, parameter-draw seed) of member ``index``: independent streams."""
    state = np.random.SeedSequence([int(master_seed), int(index)]).generate_state(2)
    return int(state[0]), int(state[1])


def prior_draw(specs: Sequence[Any], seed: int) -> dict[str, float]:
    """One draw from the priors (a ``PriorSpec`` per parameter), by inverse CDF.

    One uniform per parameter, in the specs' order, from the member's own stream, mapped to
    model units by the prior's quantile function (``quantile_value``).
    """
    rng = np.random.default_rng(seed)
    u = rng.random(len(specs))
    return {s.name: quantile_value(s, float(q)) for s, q in zip(specs, u, strict=True)}


def quantile_value(spec: Any, q: float) -> float:
    """Model value at prior quantile ``q`` (0 < q < 1) of one calibrated parameter.

    ``PriorSpec.quantiles``: the sampling-scale quantile (log scale for log priors), then
    model units. Not ``to_model``, which takes a standard-normal coordinate: fed a
    sampling-scale value it pinned the log-uniform hazards at their lower bound and squeezed
    most other priors (fixed 2026-11-27; ``sidedoor sensitivity`` and prior ensembles before
    that are wrong, docs/cluster.md).
    """
    return float(spec.quantiles([q])[0])


def calibrated_specs(params: ParameterSet, names: Sequence[str] | None = None) -> list[Any]:
    """The calibrated parameters' priors (the calibration's own translation, reused)."""
    from sidedoor.calibration.priors import prior_specs

    return prior_specs(params, names)


def posterior_source() -> tuple[Any | None, str]:
    """The shipped posterior and its label, or (None, UNCALIBRATED) when none is shipped."""
    try:
        from sidedoor.calibration.posterior import load_posterior

        posterior = load_posterior()
    except (FileNotFoundError, ImportError):
        return None, UNCALIBRATED
    label = str(posterior.meta.get("label") or posterior.meta.get("status") or "posterior")
    return posterior, f"posterior: {label}"


def posterior_draw(posterior: Any, seed: int) -> dict[str, float]:
    """One weighted resample of the posterior, from the member's own stream."""
    if hasattr(posterior, "draw_parameters"):
        draw = posterior.draw_parameters(1, seed)[0]
    else:
        draw = posterior.sample(1, seed)[0]
    return {str(k): float(v) for k, v in draw.items()}


def plan_ensemble(spec: EnsembleSpec, ensemble_id: str, params: ParameterSet,
                  indices: Sequence[int] | None = None) -> tuple[list[PlannedRun], str]:
    """Members ``indices`` (default all) of an ensemble, and the label of their draws."""
    indices = range(spec.n_runs) if indices is None else indices
    specs = calibrated_specs(params)
    posterior, label = (None, "prior draws") if spec.draws_from == "prior" else posterior_source()
    centre = {s.name: quantile_value(s, 0.5) for s in specs}
    runs = []
    for i in indices:
        engine_seed, draw_seed = member_seeds(spec.master_seed, i)
        if spec.draws_from == "prior":
            values = prior_draw(specs, draw_seed)
        elif posterior is not None:
            values = posterior_draw(posterior, draw_seed)
        else:
            values = dict(centre)
        runs.append(PlannedRun(i, member_run_id(ensemble_id, i), engine_seed, values))
    return runs, label


def check_values(params: ParameterSet, values: Mapping[str, float]) -> ParameterSet:
    """The parameter set of one member (``with_values`` refuses out-of-range values)."""
    return params.with_values(values) if values else params
