"""The ABC-SMC driver: settings, a new calibration, and the resumption of a stopped one.

pyABC's ``ABCSMC.run`` is unrolled here into its documented steps
(``initialize_components_before_run``, ``run_generation``, ``check_terminate``) so that after
every generation the history is copied into the DuckDB store (``records.sync``), a
calibration interrupted by a time limit, Ctrl-C or a crash keeps every finished generation,
and ``resume`` continues from pyABC's own database with ``ABCSMC.load``: the next
generation is fitted from the last stored population, exactly as an uninterrupted run would
(with the ``fixed`` distance; the ``adaptive`` one refits its scales from accepted particles
only on resume).

Why these defaults: epsilon is the weighted median of the last population's distances
(pyABC's robust default); the engine runs at scale 0.05 and only to the last target month.

The proposal of each generation is one multivariate Student-t fitted to the last population,
in prior-standardised coordinates: ``proposal.py`` explains why (pyABC's kernel mixture lets
the importance weights collapse with ~24 parameters and a few dozen particles). A warm start
(``proposal_seed``) pools shipped posteriors into the first fitted proposal; the importance
weights keep the posterior what it would be without it (``proposal.py``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sidedoor.calibration import records
from sidedoor.calibration.distance import check_stock_guard, make_distance, observed_sumstat
from sidedoor.calibration.priors import PriorSpec, prior_centre, prior_specs, pyabc_prior
from sidedoor.calibration.simulator import (EngineFn, SummarySimulator, engine_name,
                                            pilot_outputs)
from sidedoor.calibration.targets import DEFAULT_CUTOFF, Targets, load_targets

logger = logging.getLogger(__name__)


@dataclass
class CalibrationSettings:
    """Everything that defines a calibration (stored with it, so it can be resumed)."""

    label: str = "default"
    population_size: int = 40
    max_generations: int = 8
    min_epsilon: float = 0.0
    max_walltime_s: float | None = None
    min_acceptance_rate: float = 0.0
    scale: float = 0.05
    start: str = "1990-01"
    end: str | None = None  # None: the month of the last target point
    seed: int = 0
    sampler: str = "dynamic"  # or "reproducible" (see cluster.py)
    batch_size: int = 1  # the engine takes seconds per run: batching would only waste runs
    distance: str = "fixed"  # or "adaptive" (see distance.py)
    stock_guard: float = 0.0  # > 0: distance max(d, stock_guard * stock's d) (distance.py)
    eps_quantile: float = 0.5
    proposal: str = "population_t"  # or "kde" (see proposal.py)
    kernel_scale: float = 1.5  # proposal covariance = kernel_scale x weighted population cov
    cutoff: str = DEFAULT_CUTOFF.isoformat()
    exclude_groups: tuple[str, ...] = ()
    parameters: tuple[str, ...] | None = None  # None: every calibrated parameter
    fixed_values: dict[str, float] = field(default_factory=dict)
    defensive_share: float = 0.0  # share of proposals drawn from the prior (proposal.py)
    proposal_seed: tuple[str, ...] = ()  # shipped posteriors that warm-start the proposal
    proposal_seed_digest: str | None = None  # their particles' sha256, checked on resume

    def __post_init__(self) -> None:
        # Checked here, before a calibration is registered in the store.
        if not 0.0 <= self.defensive_share < 1.0:
            raise ValueError(f"defensive_share must be in [0, 1), got {self.defensive_share}")
        check_stock_guard(self.distance, self.stock_guard)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["exclude_groups"] = list(self.exclude_groups)
        out["proposal_seed"] = list(self.proposal_seed)
        out["parameters"] = None if self.parameters is None else list(self.parameters)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CalibrationSettings:
        known = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        data["exclude_groups"] = tuple(data.get("exclude_groups") or ())
        data["proposal_seed"] = tuple(data.get("proposal_seed") or ())
        if data.get("parameters") is not None:
            data["parameters"] = tuple(data["parameters"])
        return cls(**data)


@dataclass
class CalibrationResult:
    """What a (possibly partial) calibration produced; details are in the store."""

    calibration_id: str
    status: str
    stop_reason: str
    generations: pd.DataFrame
    wall_seconds: float
    pyabc_db: Path
    store: Path | None
    specs: list[PriorSpec]
    targets: Targets
    settings: CalibrationSettings

    def posterior(self) -> pd.DataFrame:
        """Last generation's particles: ``particle, weight, distance, <parameter>...``."""
        return records.particles(self.store, self.calibration_id)


def new_calibration_id(label: str) -> str:
    """``cal-<label>-<local time>-<4 hex>``: readable, sortable, unique enough."""
    suffix = int(np.random.default_rng().integers(16**4))
    return f"cal-{label}-{datetime.now():%Y%m%d-%H%M%S}-{suffix:04x}"


def fit_end(targets: Targets) -> str:
    """The month of the last target point: later months cannot change the distance."""
    last = targets.frame["reference_date"].max()
    return f"{last.year:04d}-{last.month:02d}"


def seed_particles(names: tuple[str, ...], specs: list[PriorSpec],
                   folder: Path | None = None) -> tuple[list[pd.DataFrame], str]:
    """The shipped posteriors ``names`` as warm-start particle sets (``z:`` coordinates and
    ``weight``), and one sha256 over their files (so a resume can tell they changed).

    A posterior of an earlier model version is fine here: it only shapes a proposal."""
    import hashlib

    from sidedoor.calibration.posterior import SHIPPED_DIR, load_posterior, shipped_paths
    from sidedoor.calibration.priors import to_abc_values

    folder = folder or SHIPPED_DIR
    digest = hashlib.sha256()
    frames = []
    for name in names:
        digest.update(shipped_paths(name, folder)["particles"].read_bytes())
        post = load_posterior(name, folder)
        lacking = [s.name for s in specs if s.name not in post.particles.columns]
        if lacking:
            raise ValueError(f"shipped posterior {name!r} has no particles for {lacking}: "
                             f"it cannot seed this calibration's proposal")
        z = pd.DataFrame([to_abc_values(specs, {s.name: float(row[s.name]) for s in specs})
                          for _, row in post.particles.iterrows()])
        frames.append(z.assign(weight=post.weights))
    return frames, digest.hexdigest()


def build_abc(settings: CalibrationSettings, specs: list[PriorSpec],
              simulator: SummarySimulator, targets: Targets, sampler,
              seed: list[pd.DataFrame] | None = None):
    import pyabc

    from sidedoor.calibration.proposal import make_proposal

    kernel = make_proposal(settings.proposal, settings.kernel_scale, warm_start=seed,
                           defensive=settings.defensive_share)
    return pyabc.ABCSMC(
        simulator, pyabc_prior(specs), make_distance(targets, settings.distance, settings.stock_guard),
        population_size=settings.population_size, sampler=sampler, transitions=kernel,
        eps=pyabc.QuantileEpsilon(alpha=settings.eps_quantile, weighted=True),
    )


def _prepare(settings: CalibrationSettings, engine: EngineFn | None,
             targets: Targets | None, *, probe: bool):
    from sidedoor.institutions.parameters import load_parameters

    specs = prior_specs(load_parameters(), settings.parameters)
    if targets is None:
        targets = load_targets(cutoff=settings.cutoff)
    if settings.exclude_groups:
        targets = targets.without(settings.exclude_groups)
    simulator = SummarySimulator(specs, targets.keys(), settings.scale, settings.start,
                                 settings.end or fit_end(targets),
                                 dict(settings.fixed_values), engine)
    if probe:
        pilot = pilot_outputs(simulator, prior_centre(specs), seed=settings.seed)
        targets, missing = targets.restrict_to(pilot)
        if len(missing):
            logger.warning("%d target points are not produced by the model and are left out "
                           "of the fit: %s", len(missing),
                           sorted(set(missing["series"] + ":" + missing["category"]))[:20])
        simulator.keys = targets.keys()
    if len(targets) == 0:
        raise ValueError("no target points left to calibrate against")
    return specs, targets, simulator


def calibrate(settings: CalibrationSettings, *, client, store: str | Path | None = None,
              engine: EngineFn | None = None, targets: Targets | None = None,
              calibration_id: str | None = None,
              on_generation: Callable[[pd.Series], None] | None = None) -> CalibrationResult:
    """Start a new ABC-SMC calibration on the Dask ``client``; see the module docstring.

    ``targets`` replaces the official targets (synthetic data for parameter recovery);
    ``engine`` replaces ``sidedoor.engine.simulate`` (tests).
    """
    from sidedoor.calibration.cluster import make_sampler
    from sidedoor.provenance import code_version

    np.random.seed(settings.seed)
    specs, targets, simulator = _prepare(settings, engine, targets, probe=True)
    calibration_id = calibration_id or new_calibration_id(settings.label)
    db = records.pyabc_db_path(store, calibration_id)
    if db.exists():
        raise FileExistsError(f"{db} exists: resume calibration {calibration_id!r} instead")
    seed = None
    if settings.proposal_seed:
        seed, digest = seed_particles(settings.proposal_seed, specs)
        settings = dataclasses.replace(settings, proposal_seed_digest=digest)
    settings = dataclasses.replace(settings, end=simulator.end)
    records.register(store, calibration_id, label=settings.label, settings=settings.to_dict(),
                     targets=targets.to_records(), engine=engine_name(engine), pyabc_db=db,
                     code_version=code_version())
    sampler = make_sampler(client, settings.sampler, seed=settings.seed,
                           batch_size=settings.batch_size)
    abc = build_abc(settings, specs, simulator, targets, sampler, seed)
    abc.new(f"sqlite:///{db}", observed_sumstat(targets),
            meta_info={"calibration_id": calibration_id, "label": settings.label})
    return _drive(abc, settings, specs, targets, store, calibration_id, db,
                  remaining=settings.max_generations, previous_wall=0.0,
                  on_generation=on_generation)


def resume(calibration_id: str, *, client, store: str | Path | None = None,
           engine: EngineFn | None = None, max_generations: int | None = None,
           max_walltime_s: float | None = None,
           on_generation: Callable[[pd.Series], None] | None = None) -> CalibrationResult:
    """Continue a stored calibration up to ``max_generations`` generations in total."""
    from sidedoor.calibration.cluster import make_sampler

    rec = records.load_calibration(store, calibration_id)
    settings = CalibrationSettings.from_dict(rec["settings"])
    if max_generations is not None:
        settings = dataclasses.replace(settings, max_generations=int(max_generations))
    if max_walltime_s is not None:
        settings = dataclasses.replace(settings, max_walltime_s=float(max_walltime_s))
    stored_targets = Targets.from_records(rec["targets"])
    specs, targets, simulator = _prepare(
        dataclasses.replace(settings, exclude_groups=()), engine, stored_targets, probe=False)
    db = Path(rec["pyabc_db"])
    if not db.exists():
        raise FileNotFoundError(f"pyABC database {db} of {calibration_id!r} is missing")
    sampler = make_sampler(client, settings.sampler, seed=settings.seed,
                           batch_size=settings.batch_size)
    done = _generations_done(db)
    abc = build_abc(settings, specs, simulator, targets, sampler,
                    _resume_seed(settings, specs, done))
    abc.load(f"sqlite:///{db}", 1)
    # Main-process draws depend on the seed and the generation reached, not on the stop.
    np.random.seed([settings.seed, done])
    return _drive(abc, settings, specs, targets, store, calibration_id, db,
                  remaining=settings.max_generations - done,
                  previous_wall=float(rec.get("wall_seconds") or 0.0),
                  on_generation=on_generation)


def _generations_done(db: Path) -> int:
    """Generations stored in a pyABC database (before the ABCSMC object is built)."""
    import pyabc

    return int(pyabc.History(f"sqlite:///{db}", _id=1, create=False).max_t) + 1


def _resume_seed(settings: CalibrationSettings, specs: list[PriorSpec],
                 done: int) -> list[pd.DataFrame] | None:
    """The warm start again when the resumed run's next fit is the first one (one generation
    done), refused if the seeding posteriors changed since the start."""
    if not settings.proposal_seed or done != 1:
        return None
    seed, digest = seed_particles(settings.proposal_seed, specs)
    if digest != settings.proposal_seed_digest:
        raise ValueError(f"the shipped posteriors {list(settings.proposal_seed)} that seeded this "
                         "calibration's proposal changed since it started; start it anew")
    return seed


def _drive(abc, settings: CalibrationSettings, specs: list[PriorSpec], targets: Targets,
           store, calibration_id: str, db: Path, *, remaining: int, previous_wall: float,
           on_generation) -> CalibrationResult:
    """Run up to ``remaining`` generations, syncing the store after each one."""
    started = time.perf_counter()
    status, reason = "stopped", "max_generations"
    if remaining <= 0:
        gens = records.sync(store, calibration_id, abc.history, specs, status="finished",
                            wall_seconds=previous_wall)
        return CalibrationResult(calibration_id, "finished", reason, gens, previous_wall, db,
                                 _store_path(store), specs, targets, settings)
    walltime = (timedelta(seconds=settings.max_walltime_s)
                if settings.max_walltime_s else None)
    gens = pd.DataFrame()
    try:
        t = abc.initialize_components_before_run(
            minimum_epsilon=settings.min_epsilon, max_nr_populations=remaining,
            min_acceptance_rate=settings.min_acceptance_rate,
            max_total_nr_simulations=np.inf, max_walltime=walltime, min_eps_diff=0.0)
        while True:
            ret = abc.run_generation(t=t)
            if not ret["successful"]:
                reason = "sample not ok"
                break
            gens = records.sync(store, calibration_id, abc.history, specs, status="running",
                                wall_seconds=previous_wall + time.perf_counter() - started)
            if on_generation is not None and len(gens):
                on_generation(gens.iloc[-1])
            if abc.check_terminate(t=t, acceptance_rate=ret["acceptance_rate"]):
                reason = _stop_reason(abc, settings, t, ret["acceptance_rate"])
                break
            t += 1
        status = "finished" if reason in ("max_generations", "min_epsilon") else "stopped"
    except KeyboardInterrupt:
        status, reason = "stopped", "interrupted"
        raise
    except BaseException:
        status, reason = "failed", "error"
        raise
    finally:
        abc.history.done(end_time=datetime.now())
        abc.sampler.stop()
        wall = previous_wall + time.perf_counter() - started
        gens = records.sync(store, calibration_id, abc.history, specs, status=status,
                            wall_seconds=wall)
    return CalibrationResult(calibration_id, status, reason, gens, wall, db,
                             _store_path(store), specs, targets, settings)


def _stop_reason(abc, settings: CalibrationSettings, t: int, acceptance_rate: float) -> str:
    if t >= abc.max_t:
        return "max_generations"
    if abc.eps(t) <= settings.min_epsilon:
        return "min_epsilon"
    if acceptance_rate < settings.min_acceptance_rate:
        return "min_acceptance_rate"
    if abc.max_walltime is not None and datetime.now() - abc.init_walltime > abc.max_walltime:
        return "max_walltime"
    return "other"


def _store_path(store: str | Path | None) -> Path:
    from sidedoor.store import RunStore
    return RunStore(store).path
