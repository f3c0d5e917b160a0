"""The dynamic sampler asks the scheduler for the worker cores at most every few seconds.

pyABC's loop polls its jobs every 10 ms and reads the cores on every pass; each read is a
round trip to the scheduler. These tests use a stand-in client that counts the reads.
"""

from __future__ import annotations

import pickle

import pytest

from sidedoor.calibration.cluster import DynamicDaskSampler, make_sampler


class CountingClient:
    """Stand-in for ``distributed.Client``: two single-thread workers, reads counted."""

    def __init__(self) -> None:
        self.reads = 0
        self.workers = {"tcp://127.0.0.1:1": 1, "tcp://127.0.0.1:2": 1}

    def ncores(self) -> dict[str, int]:
        self.reads += 1
        return dict(self.workers)


@pytest.fixture
def clock(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(DynamicDaskSampler, "_now", staticmethod(lambda: now[0]))
    return now


def test_dynamic_mode_uses_the_caching_sampler():
    assert isinstance(make_sampler(CountingClient(), "dynamic", seed=1, batch_size=1), DynamicDaskSampler)


def test_cores_are_read_once_per_interval_not_once_per_poll(clock):
    client = CountingClient()
    sampler = DynamicDaskSampler(dask_client=client)
    assert [sampler.client_cores() for _ in range(100)] == [2] * 100  # one second of polling
    assert client.reads == 1
    clock[0] += DynamicDaskSampler.CORES_TTL_SECONDS + 0.1
    assert sampler.client_cores() == 2
    assert client.reads == 2


def test_a_worker_that_joins_is_used_within_the_interval(clock):
    client = CountingClient()
    sampler = DynamicDaskSampler(dask_client=client)
    assert sampler.client_cores() == 2
    client.workers["tcp://127.0.0.1:3"] = 1
    assert sampler.client_cores() == 2  # still cached
    clock[0] += DynamicDaskSampler.CORES_TTL_SECONDS + 0.1
    assert sampler.client_cores() == 3


def test_pickled_sampler_carries_neither_client_nor_cached_cores(clock):
    sampler = DynamicDaskSampler(dask_client=CountingClient())
    sampler.client_cores()
    state = pickle.loads(pickle.dumps(sampler)).__dict__
    assert "client" not in state
    assert state["_cores"] is None
