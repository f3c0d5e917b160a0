"""Many runs on Dask: ensembles and sensitivity analyses that survive faults and lose nothing.

``plan`` fixes every member (seed, parameter values) from the master seed and run index;
``dispatch`` fans members out over dask.distributed and resubmits those lost with a worker;
``collect`` keeps the plan and each finished member in the run store, one transaction each;
``sensitivity`` turns SALib designs into members and stored members into indices; ``runner``
strings them together so that a fresh ensemble and a resumed one are the same code path.

Typical use (what ``sidedoor ensemble`` does)::

    from sidedoor.ensemble import EnsembleSpec, open_client, run_members, start
    store = RunStore("runs.duckdb")
    ensemble_id = start(store, EnsembleSpec(kind="ensemble", master_seed=1, n_runs=20,
                                            scale=0.02, start=date(1990, 1, 1),
                                            end=date(2025, 12, 1), draws_from="prior"))
    with open_client(workers=2) as client:
        run_members(store, ensemble_id, client)
"""

from sidedoor.ensemble.collect import EnsembleNotFoundError, EnsembleStore
from sidedoor.ensemble.dispatch import EnsembleRunError, MemberTask, open_client, worker_pids
from sidedoor.ensemble.plan import EnsembleSpec, PlannedRun, member_seeds
from sidedoor.ensemble.runner import (
    Outcome,
    VersionMismatchError,
    ensemble_summary,
    finish_sensitivity,
    reform_document,
    run_members,
    start,
)

__all__ = [
    "EnsembleNotFoundError",
    "EnsembleRunError",
    "EnsembleSpec",
    "EnsembleStore",
    "MemberTask",
    "Outcome",
    "PlannedRun",
    "VersionMismatchError",
    "ensemble_summary",
    "finish_sensitivity",
    "member_seeds",
    "open_client",
    "reform_document",
    "run_members",
    "start",
    "worker_pids",
]
