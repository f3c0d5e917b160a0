"""Where the simulations run: a dask.distributed cluster, and the pyABC samplers over it.

Two ways to run ABC-SMC over Dask, and why both exist:

``dynamic`` (default, fastest)
    pyABC's ``DaskDistributedSampler`` (as :class:`DynamicDaskSampler`, which asks the
    scheduler for the worker cores less often): it keeps one batch of ``batch_size``
    simulations per worker core in flight and takes the first ``n`` accepted particles *in
    submission order* (so the result is not biased towards fast simulations). Batching
    amortises Dask's few milliseconds of task overhead and pickling of the simulate function
    over several simulations; it pays off only for simulations shorter than ~0.1 s. The
    engine at scale 0.05 takes seconds per run, so sidedoor's default is ``batch_size=1``:
    larger batches would only add runs wasted when a generation completes (batches already
    running then finish in the workers and are discarded). **What varies between runs:** every task
    reseeds NumPy from the operating system's entropy, and how many batches are in flight
    depends on the number of worker cores, so the particles, the number of simulations, the
    epsilon schedule and the posterior differ from run to run (within Monte Carlo error)
    even with the same ``--seed``. The seed only fixes the main process's own draws.

``reproducible`` (static schedule)
    :class:`SeededMappingSampler`: generation ``t`` is split into ``n`` particle slots known in
    advance; slot ``i`` draws from its own random stream ``SeedSequence([seed, t + 1, i])``
    and simulates until its particle is accepted. Slots are grouped ``batch_size`` to a Dask
    task purely for throughput; results come back in slot order. The population therefore
    depends only on the seed, never on the number of workers, their speed or the batching.
    The price: a generation waits for its slowest task (no early stop), and tasks inside one
    worker process run one at a time (pyABC draws from NumPy's global random state, which
    threads would share).

This module imports pyABC (seconds); only the calibration commands import it, lazily.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator

import cloudpickle
import numpy as np
import pyabc
from pyabc.sampler import Sampler

logger = logging.getLogger(__name__)

#: Serialises seeded tasks inside one worker process (NumPy's global state is per process).
_GLOBAL_RNG_LOCK = threading.Lock()


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, n_workers: int = 2) -> Iterator:
    """A ``distributed.Client``: to ``scheduler`` (``tcp://HOST:PORT``) or a new LocalCluster.

    The same cluster as the ensembles' (``ensemble.dispatch.open_client``): worker processes
    on 127.0.0.1, one thread each (the engine holds the GIL part of the time), closed on
    exit; a remote scheduler is only disconnected from, never shut down.
    """
    from sidedoor.ensemble.dispatch import open_client

    with open_client(scheduler, workers=n_workers) as client:
        yield client


def n_worker_cores(client) -> int:
    """Total threads over the connected workers (what the dynamic sampler keeps busy)."""
    return int(sum(client.ncores().values())) or 1


class DynamicDaskSampler(pyabc.sampler.DaskDistributedSampler):
    """pyABC's dynamic Dask sampler, asking the scheduler for the worker cores at most once
    every ``CORES_TTL_SECONDS``.

    Why: pyABC's loop polls its jobs every 10 ms and, on every pass, calls
    ``client.ncores()``, a round trip to the scheduler. A hundred of them a second kept the
    client and the local scheduler at about a fifth of a core, taken from the two workers of
    a two-core machine (``benchmarks/bench_calibration.py --overheads``, "client_polling").
    The cores are still re-read, so workers that join or leave a cluster are used or dropped
    within seconds.
    """

    CORES_TTL_SECONDS = 2.0
    _now = staticmethod(time.monotonic)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cores: tuple[float, int] | None = None  # (time read, cores)

    def __getstate__(self):
        state = super().__getstate__()
        state["_cores"] = None
        return state

    def client_cores(self) -> int:
        now = self._now()
        if self._cores is None or now - self._cores[0] > self.CORES_TTL_SECONDS:
            self._cores = (now, super().client_cores())
        return self._cores[1]


def make_sampler(client, mode: str, *, seed: int, batch_size: int):
    """The pyABC sampler for ``mode`` (``dynamic`` or ``reproducible``) over ``client``."""
    if mode == "dynamic":
        return DynamicDaskSampler(dask_client=client, batch_size=batch_size)
    if mode == "reproducible":
        return SeededMappingSampler(client, seed=seed, batch_size=batch_size)
    raise ValueError(f"unknown sampler mode {mode!r}; use 'dynamic' or 'reproducible'")


def _slot_seeds(seed: int, t: int, slots: range) -> list[int]:
    """One 32-bit seed per particle slot: a pure function of (seed, generation, slot)."""
    return [int(np.random.SeedSequence([seed, t + 1, i]).generate_state(1)[0]) for i in slots]


def _run_slots(simulate_one_pickle: bytes, sample_factory, seeds: list[int], all_accepted: bool):
    """Dask task: for each slot, reseed and simulate until one particle is accepted."""
    simulate_one = cloudpickle.loads(simulate_one_pickle)
    samples = []
    with _GLOBAL_RNG_LOCK:
        for s in seeds:
            np.random.seed(s)
            random.seed(s)
            sample = sample_factory()
            n_sim = 0
            while True:
                particle = simulate_one()
                n_sim += 1
                sample.append(particle)
                if particle.accepted or all_accepted:
                    break
            samples.append((sample, n_sim))
    return samples


class SeededMappingSampler(Sampler):
    """Static, seeded pyABC sampler over a Dask client (see the module docstring)."""

    def __init__(self, client, *, seed: int, batch_size: int = 1):
        super().__init__()
        self.client = client
        self.seed = int(seed)
        self.batch_size = max(1, int(batch_size))

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("client", None)
        return state

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf,
                                all_accepted=False, ana_vars=None):
        pickled = cloudpickle.dumps(simulate_one)
        seeds = _slot_seeds(self.seed, t, range(n))
        chunks = [seeds[i:i + self.batch_size] for i in range(0, n, self.batch_size)]
        futures = self.client.map(
            _run_slots, [pickled] * len(chunks), [self.sample_factory] * len(chunks),
            chunks, [all_accepted] * len(chunks), pure=False,
        )
        sample = self._create_empty_sample()
        total = 0
        for batch in self.client.gather(futures):  # slot order, whatever finished first
            for part, n_sim in batch:
                sample += part
                total += n_sim
        self.nr_evaluations_ = total
        return sample


def scatter_map(client, func: Callable, items: list, *, batch_size: int = 1) -> list:
    """``[func(x) for x in items]`` over Dask, ``batch_size`` items per task, order kept."""
    chunks = [items[i:i + batch_size] for i in range(0, len(items), batch_size)]
    futures = client.map(_apply_chunk, [func] * len(chunks), chunks, pure=False)
    out: list = []
    for part in client.gather(futures):
        out.extend(part)
    return out


def _apply_chunk(func: Callable, chunk: list) -> list:
    return [func(x) for x in chunk]


def default_n_workers() -> int:
    """Two on this 2-core machine; never more than the cores the OS reports."""
    return max(1, min(2, os.cpu_count() or 1))
