"""Fan the members of an ensemble out over dask.distributed, surviving lost workers.

Why the pieces look the way they do:

* One Dask task per member, executed by :class:`MemberTask` on a worker. The task gets the
  member's planned seed and parameter values and nothing random of its own, so a member
  recomputed after a worker loss gives the very same outputs.
* A LocalCluster of worker *processes* on 127.0.0.1 by default (its HTTP endpoints on free
  loopback ports too: nothing listens beyond the loopback); ``scheduler='tcp://HOST:PORT'``
  joins a user's cluster instead, which is only disconnected from, never shut down. Written
  here rather than reusing ``sidedoor.calibration.cluster.dask_client``, which fits but
  imports pyABC (seconds, and a dependency an ensemble does not need) at module import.
* Worker loss: the scheduler reschedules the tasks a dead worker held (up to
  ``distributed.scheduler.allowed-failures`` times per task); a task that exhausts that comes
  back as ``KilledWorker`` and is resubmitted here, up to ``resubmits`` more times. Errors
  raised *by* the engine are deterministic (same seed, same values) and are not retried.
* At most ``max_in_flight`` tasks are submitted at once, so the client's memory and the
  scheduler's task graph stay small for 100,000-member analyses, and results arrive in a
  steady stream that the client writes to the store as they complete.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sidedoor.ensemble.plan import PlannedRun

#: Keep the engine to one core per worker process: 2 workers on 2 cores, not 2 x N threads.
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                     "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}

#: Dask serves HTTP (health, metrics) even without a dashboard; keep it on the loopback too.
LOOPBACK_ANY_PORT = "127.0.0.1:0"

#: Worker settings of the local cluster. Dask's statistical profiler samples every worker
#: thread's stack each 10 ms; an engine run is thousands of short numpy calls under the GIL,
#: and those samples cost it 3-10% (benchmarks/bench_calibration.py --overheads, "profiler").
LOCAL_WORKER_CONFIG = {"distributed.worker.profile.enabled": False}

_BASE_PARAMETERS: dict[str, Any] = {}


class EnsembleRunError(RuntimeError):
    """A member failed on every attempt; the message names the member and the cause."""


@dataclass(frozen=True)
class MemberResult:
    """What a worker sends back: the member's outputs and how the run went."""

    index: int
    outputs: pd.DataFrame
    wall_seconds: float
    n_agents_peak: int
    code_version: str
    worker_pid: int


def _base_parameters() -> Any:
    """The shipped parameters, parsed once per worker process (not once per member)."""
    if "base" not in _BASE_PARAMETERS:
        from sidedoor.institutions.parameters import load_parameters

        _BASE_PARAMETERS["base"] = load_parameters()
    return _BASE_PARAMETERS["base"]


def _worker_code_version() -> str:
    """The worker's code version, asked of git once per process (not once per member)."""
    if "code_version" not in _BASE_PARAMETERS:
        from sidedoor.provenance import code_version

        _BASE_PARAMETERS["code_version"] = code_version()
    return _BASE_PARAMETERS["code_version"]


def keep_rows(outputs: pd.DataFrame, keep: Sequence[str] | None) -> pd.DataFrame:
    """Only the output rows named in ``keep`` (``series:YYYY-MM-DD[:category]``); all if None."""
    if keep is None:
        return outputs
    from sidedoor.ensemble.sensitivity import OutputKey

    mask = pd.Series(False, index=outputs.index)
    dates = pd.to_datetime(outputs["reference_date"])
    for key in map(OutputKey.parse, keep):
        mask |= ((outputs["series"] == key.series) & (dates == pd.Timestamp(key.date))
                 & (outputs["category"] == key.category))
    return outputs.loc[mask].reset_index(drop=True)


@dataclass(frozen=True)
class MemberTask:
    """The engine run of one member; picklable, shipped to workers by reference."""

    scale: float
    start: str
    end: str
    reform: dict[str, Any] | None = None
    keep: list[str] | None = None

    def __call__(self, planned: PlannedRun) -> MemberResult:
        from sidedoor.engine import simulate
        from sidedoor.institutions.reforms import load_reform_dict

        params = _base_parameters()
        reform = None
        if self.reform is not None:
            reform = load_reform_dict(self.reform, params, source="<ensemble reform>")
        member_params = params.with_values(planned.values) if planned.values else params
        result = simulate(params=member_params, reform=reform, seed=planned.seed,
                          start=self.start, end=self.end, scale=self.scale)
        return MemberResult(planned.index, keep_rows(result.outputs, self.keep),
                            float(result.wall_seconds), int(result.n_agents_peak),
                            _worker_code_version(), os.getpid())


@contextlib.contextmanager
def open_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A ``distributed.Client``: to ``scheduler`` or to a fresh LocalCluster of ``workers``."""
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler, timeout="30s")
        try:
            yield client
        finally:
            client.close()
        return
    import dask

    # The nannies hand this configuration to the worker processes they start.
    with dask.config.set(LOCAL_WORKER_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=LOOPBACK_ANY_PORT,
                               worker_dashboard_address=LOOPBACK_ANY_PORT, env=SINGLE_THREAD_ENV)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@dataclass
class DispatchStats:
    """How the fan-out went, for the progress line and the benchmark."""

    submitted: int = 0
    completed: int = 0
    resubmitted: int = 0
    wall_seconds: float = 0.0
    worker_pids: set[int] = field(default_factory=set)


def dispatch(client: Any, task: MemberTask, planned: Sequence[PlannedRun],
             on_result: Callable[[PlannedRun, MemberResult], None], *,
             key_prefix: str = "member", max_in_flight: int | None = None,
             resubmits: int = 3, stats: DispatchStats | None = None) -> DispatchStats:
    """Run every planned member and call ``on_result`` in the client as each one completes.

    ``on_result`` runs in this (client) process, so the store has a single writer. A
    ``KeyboardInterrupt`` propagates after the pending tasks are cancelled: what was stored
    stays stored, and a resume computes the rest. ``stats`` (updated as members complete)
    lets a progress display show resubmissions while the fan-out runs.
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    stats = stats if stats is not None else DispatchStats()
    t0 = time.perf_counter()
    if max_in_flight is None:
        max_in_flight = max(4, 2 * sum(client.nthreads().values()))
    queue = list(reversed(planned))
    attempts: dict[int, int] = {}
    by_key: dict[str, PlannedRun] = {}

    def submit(member: PlannedRun) -> Any:
        attempt = attempts.get(member.index, 0)
        key = f"{key_prefix}-{member.index}-a{attempt}"
        by_key[key] = member
        stats.submitted += 1
        return client.submit(task, member, key=key, pure=False)

    pending = as_completed()
    try:
        while queue and pending.count() < max_in_flight:
            pending.add(submit(queue.pop()))
        for future in pending:
            member = by_key.pop(future.key)
            try:
                result = future.result()
            except KilledWorker as exc:
                attempts[member.index] = attempts.get(member.index, 0) + 1
                if attempts[member.index] > resubmits:
                    raise EnsembleRunError(
                        f"member {member.index} lost its worker {resubmits + 1} times: {exc}"
                    ) from None
                stats.resubmitted += 1
                pending.add(submit(member))
                continue
            except Exception as exc:
                raise EnsembleRunError(
                    f"member {member.index} (seed {member.seed}) failed: "
                    f"{type(exc).__name__}: {exc}") from exc
            finally:
                future.release()
            stats.completed += 1
            stats.worker_pids.add(result.worker_pid)
            on_result(member, result)
            if queue:
                pending.add(submit(queue.pop()))
    except BaseException:
        for future in list(pending.futures):
            future.cancel()
        raise
    finally:
        stats.wall_seconds = time.perf_counter() - t0
    return stats


def worker_pids(client: Any) -> dict[str, int]:
    """Process id of every connected worker (tests kill one by it)."""
    return client.run(os.getpid)
