"""Priors of the calibrated parameters, read from the parameter files, as pyABC distributions.

The list of calibrated parameters is never written here: it is whatever
``load_parameters().calibrated()`` returns, each with the ``prior`` its YAML file states.

Why pyABC samples coordinates distinct from the model values: every prior is mapped onto a
standard normal. Parameter ``x`` with prior CDF ``F`` is sampled as ``z = Phi^-1(F(x))``
(named ``z:<name>`` in pyABC's database) and turned back into ``x = F^-1(Phi(z))`` before the
model sees it. The joint prior is then ``N(0, I)`` whatever the stated distributions
(uniform, log-uniform, normal, log-normal), which makes one Gaussian-like proposal fit every
coordinate (see ``proposal.py``), keeps proposals inside bounded supports and treats a
log-uniform hazard spanning two orders of magnitude on its natural (log) scale.

``F`` is the stated prior on the parameter's *sampling scale*: the logarithm for
``loguniform``/``lognormal`` priors. Normal priors on a bounded unit (a ``rate`` in [0, 1], a
non-negative ``multiplier``) are truncated to the unit's range, because
``ParameterSet.with_values`` rightly refuses invalid values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sidedoor.institutions.parameters import BOUNDED_UNITS, Parameter, ParameterSet

#: Units whose values cannot be negative (mirrors ``parameters.check_value``).
NON_NEGATIVE_UNITS = {
    "months", "years", "JPY", "JPY_per_month", "persons", "persons_per_year",
    "hours_per_week", "multiplier", "ratio",
}
Z_PREFIX = "z:"
#: Keep Phi(z) inside (0, 1) so the inverse CDF stays finite.
_U_EPS = 1e-12


@dataclass(frozen=True)
class PriorSpec:
    """One calibrated parameter's prior; pyABC samples its standard-normal coordinate."""

    name: str
    distribution: str
    log_space: bool
    #: scipy.stats name and arguments of the sampling-space distribution
    scipy_name: str
    scipy_args: tuple[float, ...]
    #: range of admissible model values (from the parameter's unit)
    bounds: tuple[float, float]

    @property
    def abc_name(self) -> str:
        """Name of the coordinate pyABC samples and stores."""
        return f"{Z_PREFIX}{self.name}"

    def frozen(self) -> stats.rv_continuous:
        """The prior on the sampling scale (log scale for log-uniform/log-normal priors)."""
        return getattr(stats, self.scipy_name)(*self.scipy_args)

    def _from_sampling_scale(self, x: float) -> float:
        value = math.exp(x) if self.log_space else float(x)
        low, high = self.bounds
        return float(min(max(value, low), high))

    def to_model(self, z: float) -> float:
        """Standard-normal coordinate -> model value (``F^-1(Phi(z))``)."""
        u = min(max(float(stats.norm.cdf(z)), _U_EPS), 1 - _U_EPS)
        return self._from_sampling_scale(float(self.frozen().ppf(u)))

    def to_abc(self, value: float) -> float:
        """Model value -> standard-normal coordinate (``Phi^-1(F(x))``)."""
        x = math.log(value) if self.log_space else float(value)
        u = min(max(float(self.frozen().cdf(x)), _U_EPS), 1 - _U_EPS)
        return float(stats.norm.ppf(u))

    def quantiles(self, qs: Iterable[float]) -> np.ndarray:
        """Prior quantiles in model units (the map to model units is monotone)."""
        rv = self.frozen()
        return np.array([self._from_sampling_scale(rv.ppf(q)) for q in qs])


def _bounds(param: Parameter) -> tuple[float, float]:
    if param.unit in BOUNDED_UNITS:
        return BOUNDED_UNITS[param.unit]
    if param.unit in NON_NEGATIVE_UNITS:
        return (0.0, math.inf)
    return (-math.inf, math.inf)


def prior_spec(param: Parameter) -> PriorSpec:
    """Translate a parameter's stated prior into a sampling-space scipy distribution."""
    prior = param.prior
    if prior is None:
        raise ValueError(f"{param.name} has no prior (provenance {param.provenance!r})")
    low, high = _bounds(param)
    kind = prior.distribution
    if kind == "uniform":
        return PriorSpec(param.name, kind, False, "uniform",
                         (prior.low, prior.high - prior.low), (low, high))
    if kind == "loguniform":
        a, b = math.log(prior.low), math.log(prior.high)
        return PriorSpec(param.name, kind, True, "uniform", (a, b - a), (low, high))
    if kind == "normal":
        a = (low - prior.mean) / prior.sd if math.isfinite(low) else -np.inf
        b = (high - prior.mean) / prior.sd if math.isfinite(high) else np.inf
        if math.isinf(a) and math.isinf(b):
            return PriorSpec(param.name, kind, False, "norm", (prior.mean, prior.sd), (low, high))
        return PriorSpec(param.name, kind, False, "truncnorm",
                         (a, b, prior.mean, prior.sd), (low, high))
    # lognormal: normal in log space, truncated where the unit has a finite upper bound
    if math.isfinite(high):
        b = (math.log(high) - prior.mean) / prior.sd
        return PriorSpec(param.name, kind, True, "truncnorm",
                         (-np.inf, b, prior.mean, prior.sd), (low, high))
    return PriorSpec(param.name, kind, True, "norm", (prior.mean, prior.sd), (low, high))


def prior_specs(params: ParameterSet, names: Iterable[str] | None = None) -> list[PriorSpec]:
    """Specs of the calibrated parameters (all of them, or the subset ``names``)."""
    calibrated = {p.name: p for p in params.calibrated()}
    if names is None:
        chosen = list(calibrated)
    else:
        chosen = list(names)
        unknown = [n for n in chosen if n not in calibrated]
        if unknown:
            raise ValueError(f"not calibrated parameters: {unknown}; "
                             f"calibrated ones are {sorted(calibrated)}")
    return [prior_spec(calibrated[n]) for n in chosen]


def pyabc_prior(specs: Iterable[PriorSpec]):
    """A ``pyabc.Distribution``: independent standard normals over the ``z:`` coordinates."""
    import pyabc

    return pyabc.Distribution(**{s.abc_name: pyabc.RV("norm", 0.0, 1.0) for s in specs})


def to_model_values(specs: Iterable[PriorSpec],
                    abc_values: Mapping[str, float]) -> dict[str, float]:
    """pyABC particle (``z:`` coordinates) -> ``{parameter name: model value}``."""
    return {s.name: s.to_model(abc_values[s.abc_name]) for s in specs}


def to_abc_values(specs: Iterable[PriorSpec], values: Mapping[str, float]) -> dict[str, float]:
    """``{parameter name: model value}`` -> pyABC coordinates (inverse of the above)."""
    return {s.abc_name: s.to_abc(values[s.name]) for s in specs}


def prior_centre(specs: Iterable[PriorSpec]) -> dict[str, float]:
    """Prior medians in model space: the uncalibrated default used for pilot runs."""
    return {s.name: float(s.quantiles([0.5])[0]) for s in specs}
