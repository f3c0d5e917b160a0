"""Where the parameter values of a scenario or a pathway come from, said out loud.

Counterfactuals are only as credible as the parameters behind them. When the calibration has
shipped a posterior (``sidedoor.calibration.posterior.load_posterior``), scenarios run over
its draws and pathways use its weighted medians. When it has not, every calibrated parameter
takes its prior's central value and every result is labelled *uncalibrated*: the bands then
show simulation noise only, never parameter uncertainty (CONTRACTS.md, "Posterior").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from sidedoor.institutions.parameters import ParameterSet, load_parameters

UNCALIBRATED = "uncalibrated"


@dataclass(frozen=True)
class ParameterSource:
    """Parameter values for runs, and the label that must travel with their results."""

    label: str  # "posterior <name>: <status>" or "uncalibrated: ..."
    calibrated: bool
    posterior: Any = None  # sidedoor.calibration.posterior.Posterior, when shipped
    fixed_values: dict[str, float] = field(default_factory=dict)  # calibration's fixed values

    def draws(self, n: int, seed: int) -> list[dict[str, float]]:
        """``n`` parameter draws (posterior) or ``n`` copies of the prior centres."""
        if self.posterior is None:
            centres = prior_centres()
            return [dict(centres) for _ in range(n)]
        draw = getattr(self.posterior, "draw_parameters", None) or self.posterior.sample
        return [{**self.fixed_values, **values} for values in draw(n, seed)]

    def central(self) -> dict[str, float]:
        """One central parameter set: posterior weighted medians, or prior centres."""
        if self.posterior is None:
            return prior_centres()
        from sidedoor.calibration.posterior import weighted_quantiles

        post = self.posterior
        medians = {name: weighted_quantiles(post.particles[name].to_numpy(float), post.weights, [0.5])[0]
                   for name in post.parameter_names}
        return {**self.fixed_values, **medians}

    def bands_note(self) -> str:
        """What a 90% band across draws means under this source."""
        if self.calibrated:
            return "90% bands across posterior draws (parameter uncertainty and simulation noise)"
        return "uncalibrated: prior centres; 90% bands show simulation noise only, not parameter uncertainty"


@lru_cache(maxsize=1)
def shipped_parameters() -> ParameterSet:
    """The shipped parameter files, read once per process (a ``ParameterSet`` is never mutated:
    draws and reforms return copies)."""
    return load_parameters()


def prior_centres(params: ParameterSet | None = None) -> dict[str, float]:
    """Central value of every calibrated parameter's prior (the uncalibrated default)."""
    params = params if params is not None else shipped_parameters()
    return {p.name: float(p.prior.centre) for p in params.calibrated()}


def parameter_source(use_posterior: bool = True) -> ParameterSource:
    """The shipped posterior if there is one, else the labelled uncalibrated fallback."""
    if use_posterior:
        import sidedoor.calibration

        # Look before importing: the posterior module pulls in scipy (seconds), and the file
        # name is the calibration's convention (posterior.shipped_paths: posterior_<name>.csv).
        if not (Path(sidedoor.calibration.__file__).parent / "posterior_default.csv").exists():
            return ParameterSource(f"{UNCALIBRATED}: prior centres (no shipped posterior)", False)
        try:
            from sidedoor.calibration.posterior import load_posterior

            post = load_posterior()
        except FileNotFoundError:
            return ParameterSource(f"{UNCALIBRATED}: prior centres (no shipped posterior)", False)
        except ImportError as exc:
            return ParameterSource(f"{UNCALIBRATED}: prior centres (calibration not importable: {exc})", False)
        meta = getattr(post, "meta", {}) or {}
        name = meta.get("name", "default")
        status = meta.get("status", "status unknown")
        label = getattr(post, "label", None) or f"posterior {name!r} ({status})"
        fixed = {k: float(v) for k, v in ((meta.get("settings") or {}).get("fixed_values") or {}).items()}
        return ParameterSource(str(label), True, post, fixed)
    return ParameterSource(f"{UNCALIBRATED}: prior centres (posterior not requested)", False)


def parameter_set(values: dict[str, float], params: ParameterSet | None = None) -> ParameterSet:
    """The shipped parameters with calibrated ``values`` set (``ParameterSet.with_values``)."""
    params = params if params is not None else shipped_parameters()
    return params.with_values({k: float(v) for k, v in values.items()})


def fingerprint(values: dict[str, float]) -> tuple:
    """Hashable key of a parameter draw (for caches of baseline runs)."""
    return tuple(sorted((k, float(np.float64(v))) for k, v in values.items()))
