"""Counter-based random numbers: every draw is a pure function of (seed, agent id, month, stream).

Why counter-based: a draw that depends only on who, when and what for does not depend on the
order in which processes run, on how many workers share the work, or on which other agents
exist. A baseline and a reform run therefore share common random numbers: the same person
faces the same uniform in the same month for the same decision, so differences between the
runs come from the rules, not from noise. Cell counts (entries, visitor overstays) come from
small numpy generators seeded by ``SeedSequence([seed, month, stream, cell])``.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import njit

MASK64 = (1 << 64) - 1
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


class Stream(IntEnum):
    """One stream per kind of decision, so that adding a decision never shifts another."""

    ENTRIES = 1
    VISITORS = 2
    ATTR_SEX = 3
    ATTR_DEBT = 4
    ATTR_WAGE = 5
    ATTR_SECTOR = 6
    ATTR_EMPLOYER = 7
    ATTR_TOKYO = 8
    ATTR_CRIMINAL = 9
    ATTR_BROKER = 10
    ATTR_EXPIRY = 11
    ATTR_ABUSE = 12
    ATTR_AGE = 13
    EXPIRY = 20
    EXPIRY_OVERSTAY = 21
    RUNAWAY = 22
    ASYLUM_APPLY = 23
    ASYLUM_DECISION = 24
    ASYLUM_APPEAL = 25
    SCREENING = 26
    DETECTION = 27
    DETENTION = 28
    SPR = 29
    DEPARTURE = 30
    MARRIAGE = 31
    CHILD = 32
    RELEASE = 33
    INITIAL = 40
    EVENT_SAMPLE = 99


def mix64(x: int) -> int:
    """splitmix64 finaliser on a Python int (scalar keys)."""
    x &= MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def key(*parts: int) -> int:
    """Chain scalar parts (seed, month, stream, ...) into one 64-bit key."""
    h = 0x243F6A8885A308D3
    for p in parts:
        h = mix64(h + 0x9E3779B97F4A7C15 + (int(p) & MASK64))
    return h


@njit(cache=True)
def _mix_arr(ids, k, out):
    for i in range(ids.shape[0]):
        z = ids[i] ^ k
        z = z + _GOLDEN
        z = (z ^ (z >> _S30)) * _C1
        z = (z ^ (z >> _S27)) * _C2
        z = z ^ (z >> _S31)
        out[i] = z


@njit(cache=True)
def _uniform_arr(ids, k, out):
    for i in range(ids.shape[0]):
        z = ids[i] ^ k
        z = z + _GOLDEN
        z = (z ^ (z >> _S30)) * _C1
        z = (z ^ (z >> _S27)) * _C2
        z = z ^ (z >> _S31)
        out[i] = (z >> _S11) * _INV53


@njit(cache=True)
def _mix_keys(index, keys, out):
    for i in range(index.shape[0]):
        z = index[i] ^ keys[i]
        z = z + _GOLDEN
        z = (z ^ (z >> _S30)) * _C1
        z = (z ^ (z >> _S27)) * _C2
        z = z ^ (z >> _S31)
        out[i] = z


def uniforms(seed: int, ids: np.ndarray, month: int, stream: int, k: int | None = None) -> np.ndarray:
    """U(0,1) per agent: f(seed, id, month, stream), vectorized splitmix64.

    ``k`` may pass ``key(seed, month, stream)`` precomputed (the engine caches it per month).
    """
    out = np.empty(ids.shape[0], dtype=np.float64)
    if ids.shape[0]:
        k = key(seed, month, stream) if k is None else k
        _uniform_arr(np.ascontiguousarray(ids, dtype=np.uint64), np.uint64(k), out)
    return out


def hashes(ids: np.ndarray, k: int) -> np.ndarray:
    """64-bit hash of each id under key ``k`` (agent ids, event sampling)."""
    out = np.empty(ids.shape[0], dtype=np.uint64)
    if ids.shape[0]:
        _mix_arr(np.ascontiguousarray(ids, dtype=np.uint64), np.uint64(k & MASK64), out)
    return out


def agent_ids(entry_month: int, status: int, nationality: int, first: int, n: int, kind: int = 0) -> np.ndarray:
    """Deterministic ids for the ``first..first+n`` persons of an entry cell.

    The id depends on who the person is in the model's terms (entry month, status,
    nationality, rank in that cell), not on the seed or the rules, so the k-th Vietnamese
    intern entering in April 2016 is the same person in a baseline and in a reform run.
    """
    index = np.arange(first, first + n, dtype=np.uint64)
    return hashes(index, key(0x51DED00, entry_month, status, nationality, kind))


def cell_agent_ids(entry_month: int, statuses: np.ndarray, nationalities: np.ndarray, counts: np.ndarray,
                   kind: int = 0) -> np.ndarray:
    """``agent_ids`` of several cells at once (the same ids, one vectorized hash)."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    out = np.empty(total, dtype=np.uint64)
    if total == 0:
        return out
    keys = np.array([key(0x51DED00, entry_month, int(s), int(n), kind) for s, n in zip(statuses, nationalities)],
                    dtype=np.uint64)
    starts = np.cumsum(counts) - counts
    index = (np.arange(total, dtype=np.int64) - np.repeat(starts, counts)).astype(np.uint64)
    _mix_keys(index, np.repeat(keys, counts), out)
    return out


def sampled(ids: np.ndarray, fraction: float) -> np.ndarray:
    """Persons in the event-log sample: chosen by id hash, hence the same in every run."""
    if fraction <= 0:
        return np.zeros(ids.shape[0], dtype=bool)
    h = hashes(ids, key(Stream.EVENT_SAMPLE))
    return (h >> np.uint64(11)).astype(np.float64) * _INV53 < fraction


def cell_rng(seed: int, month: int, stream: int, cell: int) -> np.random.Generator:
    """Generator for one cell's counts (entries, visitor overstays) in one month."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, month + 1, stream, cell])))


def stochastic_round(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Round expected counts to integers without bias (used when scaling populations)."""
    x = np.asarray(x, dtype=np.float64)
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)
