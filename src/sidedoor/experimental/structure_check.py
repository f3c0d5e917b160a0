"""Structure check: the best fit the model allows, with chosen parameters pinned.

Why: on two cores the ABC-SMC fit stops after a few generations, so a misfit can be a
*search* failure (the fit never reached the region that fits) or a *structural* one (no
parameter vector inside the priors fits). A local search started from the best particle
separates the two cheaply: if it cannot remove a misfit, more ABC compute will not either;
if it removes the misfit only by pinning a parameter somewhere, the data disagree about that
parameter (the labour-demand elasticity, between the 1990-92 surge and 2013-2020, is the
case that motivated this module; docs/calibration.md gives the figures).

How: a (mu/mu, lambda) evolution strategy in the prior-standardised coordinates of
``calibration.priors`` (every prior is N(0, 1) there, so one step size fits all
parameters and every point maps back inside the prior's support), with the 1/5 success rule
for the step size. Every candidate runs with the same engine seed (common random numbers),
so differences in distance are differences in parameters, not in noise; the price is that
the search can fit that seed's noise, which is why ``rescore`` reruns the result on fresh
seeds. This is a diagnostic, not an estimator: it finds a good point, not the posterior, and
says nothing about uncertainty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sidedoor.calibration.distance import weighted_log_error
from sidedoor.calibration.priors import prior_specs, to_abc_values
from sidedoor.calibration.simulator import EngineFn, SummarySimulator
from sidedoor.calibration.targets import Targets, load_targets


@dataclass
class StructureCheck:
    """Result of ``best_fit``: values in model units (pinned ones included)."""

    values: dict[str, float]
    distance: float
    start_distance: float
    evaluations: int
    history: list[float] = field(default_factory=list)  # best distance after each generation
    pinned: dict[str, float] = field(default_factory=dict)


def _simulator(targets: Targets, pinned: Mapping[str, float], scale: float,
               engine: EngineFn | None, names: Sequence[str] | None) -> SummarySimulator:
    from sidedoor.institutions.parameters import load_parameters

    specs = [s for s in prior_specs(load_parameters(), names) if s.name not in pinned]
    return SummarySimulator(specs=specs, keys=targets.keys(), scale=scale,
                            fixed_values=dict(pinned), engine=engine)


def _distance(sim: SummarySimulator, targets: Targets, values: Mapping[str, float], seed: int) -> float:
    """The ABC distance (weighted mean absolute log error) of one engine run."""
    return weighted_log_error(sim.counts(dict(values), seed), targets.values, targets.weights)


def _objective(sim: SummarySimulator, targets: Targets, seed: int) -> Callable[[np.ndarray], float]:
    abc_names = [s.abc_name for s in sim.specs]
    return lambda z: _distance(sim, targets, sim.model_values(dict(zip(abc_names, z.tolist()))), seed)


def _start_coordinate(spec, value: float) -> float:
    """Prior-standardised coordinate of a start value, refused outside the prior's support
    (it would silently start at the bound)."""
    if spec.log_space and value <= 0:
        u = 0.0
    else:
        u = float(spec.frozen().cdf(np.log(value) if spec.log_space else value))
    if not 0.0 < u < 1.0:
        raise ValueError(f"start value {value} of {spec.name} lies outside its prior "
                         f"({spec.distribution}, {spec.scipy_name}{spec.scipy_args})")
    return to_abc_values([spec], {spec.name: value})[spec.abc_name]


def best_fit(start: Mapping[str, float], *, pinned: Mapping[str, float] | None = None,
             targets: Targets | None = None, evaluations: int = 200, scale: float = 0.03,
             seed: int = 7, search_seed: int = 1, step: float = 0.3, offspring: int = 8,
             parents: int = 3, engine: EngineFn | None = None,
             names: Sequence[str] | None = None) -> StructureCheck:
    """Search near ``start`` (calibrated values, model units) for the lowest ABC distance.

    ``pinned`` parameters keep the given values; ``names`` restricts the search to some
    calibrated parameters (the others keep their shipped values); ``evaluations`` bounds the
    engine runs; ``seed`` is the engine seed shared by all candidates, ``search_seed`` the
    search's own random stream.
    """
    pinned = dict(pinned or {})
    targets = targets or load_targets()
    sim = _simulator(targets, pinned, scale, engine, names)
    missing = [s.name for s in sim.specs if s.name not in start]
    if missing:
        raise KeyError(f"start values lack calibrated parameters: {', '.join(missing)}")
    z = np.array([_start_coordinate(s, float(start[s.name])) for s in sim.specs])
    distance = _objective(sim, targets, seed)
    rng = np.random.default_rng(search_seed)
    f_mean = first = distance(z)
    best_f, best_z, used, history = f_mean, z.copy(), 1, []
    while used + offspring + 1 <= evaluations:
        cands = z + step * rng.standard_normal((offspring, z.size))
        scores = np.array([distance(c) for c in cands])
        used += offspring
        order = np.argsort(scores)
        if scores[order[0]] < best_f:
            best_f, best_z = float(scores[order[0]]), cands[order[0]].copy()
        step *= float(np.exp(0.6 * (np.mean(scores < f_mean) - 0.2)))  # 1/5 success rule
        step = float(np.clip(step, 0.02, 1.0))
        z = cands[order[:parents]].mean(axis=0)
        f_mean = distance(z)
        used += 1
        if f_mean < best_f:
            best_f, best_z = f_mean, z.copy()
        history.append(best_f)
    values = sim.model_values(dict(zip([s.abc_name for s in sim.specs], best_z.tolist())))
    return StructureCheck(values=values, distance=best_f, start_distance=first,
                          evaluations=used, history=history, pinned=pinned)


def rescore(values: Mapping[str, float], *, seeds: Sequence[int] = (101, 102, 103),
            targets: Targets | None = None, scale: float = 0.03,
            engine: EngineFn | None = None) -> list[float]:
    """ABC distance of ``values`` on fresh engine seeds (the search saw only its own)."""
    targets = targets or load_targets()
    sim = SummarySimulator(specs=[], keys=targets.keys(), scale=scale, engine=engine)
    return [_distance(sim, targets, values, s) for s in seeds]
