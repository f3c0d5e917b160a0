"""Start, run and resume an ensemble: plan once, dispatch the missing members, store each once.

The three steps are separate on purpose. ``start`` validates everything and writes the plan
(nothing else) before any engine run, so a bad reform or option costs no compute and leaves
no trace. ``run_members`` computes only the planned members the store lacks, which makes a
fresh run and a resume the same code path. The sensitivity indices are computed from the
stored members, so they are the same whether the members came from one session or three.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sidedoor.ensemble.collect import EnsembleStore
from sidedoor.ensemble.dispatch import (
    DispatchStats,
    EnsembleRunError,
    MemberResult,
    MemberTask,
    dispatch,
)
from sidedoor.ensemble.plan import (
    EnsembleSpec,
    PlannedRun,
    calibrated_specs,
    new_ensemble_id,
    plan_ensemble,
)
from sidedoor.ensemble.sensitivity import OutputKey, analyse, plan_sensitivity, summary_matrix
from sidedoor.institutions.parameters import ParameterSet, load_parameters
from sidedoor.store import RunStore

#: progress(finished members, planned members, stats of this session's dispatch)
Progress = Callable[[int, int, DispatchStats], None]


class VersionMismatchError(RuntimeError):
    """Members computed by different sidedoor versions would not be one ensemble."""


def package_version(code_version: str) -> str:
    """``0.1.0`` of ``0.1.0+c293054d38c4-dirty``: what must match across client and workers."""
    return code_version.split("+", 1)[0]


def reform_document(reform: Any) -> dict[str, Any] | None:
    """A validated ``Reform`` as a plain mapping that ``load_reform_dict`` accepts again
    (shipped to workers, and stored with the plan and every member)."""
    if reform is None:
        return None
    changes = []
    for change in reform.changes:
        item = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in dataclasses.asdict(change).items()}
        if item.get("stop") is None:
            item.pop("stop", None)
        changes.append(item)
    return {"name": reform.name, "description": reform.description,
            "reference": reform.reference, "changes": changes}


def validate(spec: EnsembleSpec, params: ParameterSet) -> None:
    """Refuse a spec no member could run, before anything is stored (workers re-check)."""
    from sidedoor.institutions.parameters import ParameterError
    from sidedoor.institutions.reforms import ReformError, load_reform_dict

    if spec.kind not in ("ensemble", "sensitivity"):
        raise ValueError(f"kind must be ensemble or sensitivity, got {spec.kind!r}")
    if spec.draws_from not in ("prior", "posterior"):
        raise ValueError(f"draws_from must be prior or posterior, got {spec.draws_from!r}")
    if not 0 < spec.scale <= 1:
        raise ValueError(f"scale must be in (0, 1], got {spec.scale}")
    if spec.end < spec.start:
        raise ValueError(f"end {spec.end} is before start {spec.start}")
    if spec.kind == "ensemble" and spec.n_runs < 1:
        raise ValueError(f"an ensemble needs at least one run, got {spec.n_runs}")
    if spec.reform is not None:
        source = "<ensemble reform>"
        try:
            load_reform_dict(spec.reform, params, source=source).apply(params)
        except (ReformError, ParameterError):
            raise
        except (TypeError, ValueError, RecursionError) as exc:  # what the validator lets by
            raise ReformError(f"{source}: {type(exc).__name__}: {exc}") from None


def start(store: RunStore, spec: EnsembleSpec, params: ParameterSet | None = None,
          ensemble_id: str | None = None) -> str:
    """Plan every member and store the plan (one transaction); return the ensemble id."""
    from sidedoor.provenance import code_version

    params = params if params is not None else load_parameters()
    validate(spec, params)
    ensemble_id = ensemble_id or new_ensemble_id()
    if spec.kind == "sensitivity":
        names = [s.name for s in calibrated_specs(params, spec.settings.get("parameters") or None)]
        spec = dataclasses.replace(spec, settings={**spec.settings, "parameters": names})
        planned = plan_sensitivity(spec, ensemble_id, params)
        spec = dataclasses.replace(spec, n_runs=len(planned))
    else:
        planned, label = plan_ensemble(spec, ensemble_id, params)
        spec = dataclasses.replace(spec, label=spec.label or label)
    for member in planned[:1]:  # refuse values the parameter set would refuse, before storing
        params.with_values(member.values)
    EnsembleStore(store).save_plan(ensemble_id, spec, planned, code_version())
    return ensemble_id


@dataclass
class Outcome:
    """What a session of an ensemble did."""

    ensemble_id: str
    spec: EnsembleSpec
    planned: int
    computed: int
    already_stored: int
    stats: DispatchStats


def missing_members(store: RunStore, ensemble_id: str) -> tuple[EnsembleSpec, list[PlannedRun], int]:
    """The stored spec, the members still to compute, and how many are already stored."""
    from sidedoor.provenance import code_version

    ens = EnsembleStore(store)
    spec, planned_version = ens.load_spec(ensemble_id)
    if package_version(planned_version) != package_version(code_version()):
        raise VersionMismatchError(
            f"ensemble {ensemble_id} was planned by sidedoor {planned_version}, this is "
            f"{code_version()}: resume it with the version that started it")
    done = ens.finished_indices(ensemble_id)
    todo = [p for p in ens.load_plan(ensemble_id) if p.index not in done]
    return spec, todo, len(done)


def run_members(store: RunStore, ensemble_id: str, client: Any, *,
                progress: Progress | None = None, max_in_flight: int | None = None) -> Outcome:
    """Compute the members the store lacks, storing each as it completes (client side)."""
    from sidedoor.provenance import code_version

    spec, todo, already = missing_members(store, ensemble_id)
    ens = EnsembleStore(store)
    version = code_version()
    task = MemberTask(scale=spec.scale, start=spec.start.isoformat()[:7],
                      end=spec.end.isoformat()[:7], reform=spec.reform, keep=spec.keep)
    finished = already
    stats = DispatchStats()

    def store_member(member: PlannedRun, result: MemberResult) -> None:
        nonlocal finished
        if package_version(result.code_version) != package_version(version):
            raise VersionMismatchError(
                f"a worker runs sidedoor {result.code_version}, this client {version}: "
                "install the same sidedoor version on every worker")
        ens.save_member(spec, ensemble_id, member, result, version)
        finished += 1
        if progress is not None:
            progress(finished, spec.n_runs, stats)

    if progress is not None:
        progress(finished, spec.n_runs, stats)
    if todo:
        dispatch(client, task, todo, store_member, key_prefix=f"{ensemble_id}",
                 max_in_flight=max_in_flight, stats=stats)
    return Outcome(ensemble_id, spec, spec.n_runs, len(todo), already, stats)


def finish_sensitivity(store: RunStore, ensemble_id: str) -> pd.DataFrame:
    """SALib indices from the stored members (all must be stored), saved and returned.

    Computed from the store, never from the session's results, so an analysis whose members
    came from several interrupted sessions gets exactly the indices of an uninterrupted one.
    """
    ens = EnsembleStore(store)
    spec, _ = ens.load_spec(ensemble_id)
    plan = ens.load_plan(ensemble_id)
    missing = spec.n_runs - len(ens.finished_indices(ensemble_id))
    if missing:
        raise EnsembleRunError(f"{missing} members of {ensemble_id} are not stored yet; "
                               f"resume with --resume {ensemble_id}")
    keys = [OutputKey.parse(k) for k in spec.settings["outputs"]]
    try:
        y = summary_matrix(ens.member_outputs(ensemble_id, keys), keys, spec.n_runs)
    except ValueError as exc:
        raise EnsembleRunError(str(exc)) from None
    coordinates = np.array([p.coordinates for p in plan], dtype=float)
    names = list(spec.settings["parameters"])  # the design's column order
    indices = analyse(spec.settings["method"], names, coordinates, y, keys, spec.master_seed)
    ens.save_indices(ensemble_id, indices)
    return ens.indices(ensemble_id)  # as stored: one order for every caller


def ensemble_summary(store: RunStore, ensemble_id: str, keys: list[OutputKey]) -> pd.DataFrame:
    """Per output key: median and the central 90% band over the stored members."""
    ens = EnsembleStore(store)
    spec, _ = ens.load_spec(ensemble_id)
    outputs = ens.member_outputs(ensemble_id, keys)
    rows = []
    for key in keys:
        try:
            y = summary_matrix(outputs, [key], spec.n_runs)[:, 0]
        except ValueError:
            continue
        q05, q50, q95 = np.quantile(y, [0.05, 0.5, 0.95])
        rows.append({"output": str(key), "median": q50, "q05": q05, "q95": q95})
    return pd.DataFrame(rows, columns=["output", "median", "q05", "q95"])
