"""Counter-based random numbers: every draw is a pure function of (seed, agent id, month, stream).

Why counter-based: a draw that depends only on who, when and what for does not depend on the
order in which processes run, on how many workers share the work, or on which other agents
exist. A baseline and a reform run therefore share common random numbers: the same person
faces the same uniform in the same month for the same decision, so differences between the
runs come from the rules, not from noise. Cell counts (entries, visitor overstays) come from
small numpy generators seeded by ``SeedSequence([seed, month, stream, cell])``.

Speed: the hash is compiled (numba), fused with the gather of the agents' ids
(``uniforms_at``), and a decision ``u < p`` is taken on the integer hash against an exact
integer threshold (``below_at``, ``below_by_at``: ``threshold``), so the uniforms of the many
agents who do nothing are never stored. Every function returns the numbers the plain formula
``uniforms(seed, ids, month, stream)`` gives (tests/test_engine_kernels.py).
"""

from __future__ import annotations

import math
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


@njit(cache=True, inline="always")
def _mix(z):
    """splitmix64 finaliser of ``z + golden`` (uint64 wrap-around arithmetic)."""
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    return z ^ (z >> _S31)


@njit(cache=True)
def _mix_arr(ids, k, out):
    for i in range(ids.shape[0]):
        out[i] = _mix(ids[i] ^ k)


@njit(cache=True)
def _uniform_arr(ids, k, out):
    for i in range(ids.shape[0]):
        out[i] = (_mix(ids[i] ^ k) >> _S11) * _INV53


@njit(cache=True)
def _uniform_at(ids, idx, k, out):
    """Fused gather + hash: ``out[j] = U(ids[idx[j]], k)`` without a temporary id array."""
    for j in range(idx.shape[0]):
        out[j] = (_mix(ids[idx[j]] ^ k) >> _S11) * _INV53


@njit(cache=True)
def _uniform_streams(ids, keys, out):
    """``out[s, i] = U(ids[i], keys[s])``: several streams of contiguous agents in one pass."""
    for i in range(ids.shape[0]):
        z0 = ids[i]
        for s in range(keys.shape[0]):
            out[s, i] = (_mix(z0 ^ keys[s]) >> _S11) * _INV53


@njit(cache=True)
def _below_at(ids, idx, k, t):
    """Rows ``idx[j]`` whose uniform is below ``p`` (``t = threshold(p)``; no float needed)."""
    out = np.empty(idx.shape[0], dtype=np.int64)
    n = 0
    for j in range(idx.shape[0]):
        if np.int64(_mix(ids[idx[j]] ^ k) >> _S11) < t:
            out[n] = idx[j]
            n += 1
    return out[:n]


@njit(cache=True)
def _below_by_at(ids, idx, k, table, codes, codes2):
    """Rows ``idx[j]`` (row i) whose uniform is below the hazard ``table[codes[i], codes2[i]]``
    (thresholds as in ``threshold``): a hazard per category needs no per-agent array."""
    out = np.empty(idx.shape[0], dtype=np.int64)
    n = 0
    for j in range(idx.shape[0]):
        i = idx[j]
        if np.int64(_mix(ids[i] ^ k) >> _S11) < table[codes[i], codes2[i]]:
            out[n] = i
            n += 1
    return out[:n]


@njit(cache=True)
def _below_ids(ids, idx, k, t):
    """``_below_at`` with the agents' ids already gathered (``ids[j]`` is row ``idx[j]``)."""
    out = np.empty(idx.shape[0], dtype=np.int64)
    n = 0
    for j in range(idx.shape[0]):
        if np.int64(_mix(ids[j] ^ k) >> _S11) < t:
            out[n] = idx[j]
            n += 1
    return out[:n]


@njit(cache=True)
def _below_by_ids(ids, idx, k, table, codes, codes2):
    """``_below_by_at`` with the agents' ids already gathered."""
    out = np.empty(idx.shape[0], dtype=np.int64)
    n = 0
    for j in range(idx.shape[0]):
        i = idx[j]
        if np.int64(_mix(ids[j] ^ k) >> _S11) < table[codes[i], codes2[i]]:
            out[n] = i
            n += 1
    return out[:n]


@njit(cache=True)
def _mix_keys(index, keys, out):
    for i in range(index.shape[0]):
        out[i] = _mix(index[i] ^ keys[i])


@njit(cache=True)
def _key_rows(parts, out):
    """``key(*parts[r])`` for every row r (same chain as the scalar ``key``)."""
    for r in range(parts.shape[0]):
        h = np.uint64(0x243F6A8885A308D3)
        for c in range(parts.shape[1]):
            h = _mix(h + np.uint64(parts[r, c]))
        out[r] = h


def keys(parts: np.ndarray) -> np.ndarray:
    """Vectorized ``key``: one 64-bit key per row of ``parts`` (int64, negative values wrap
    as in ``key``; or uint64).

    Why: entry cells need one key each (hundreds a month); the scalar chain in Python cost
    more than hashing the entrants themselves.
    """
    parts = np.atleast_2d(parts)
    if parts.dtype != np.uint64:
        parts = np.ascontiguousarray(parts, dtype=np.int64).view(np.uint64)
    parts = np.ascontiguousarray(parts)
    out = np.empty(parts.shape[0], dtype=np.uint64)
    _key_rows(parts, out)
    return out


def uniforms(seed: int, ids: np.ndarray, month: int, stream: int, k: int | None = None) -> np.ndarray:
    """U(0,1) per agent: f(seed, id, month, stream), vectorized splitmix64.

    ``k`` may pass ``key(seed, month, stream)`` precomputed (the engine caches it per month).
    """
    out = np.empty(ids.shape[0], dtype=np.float64)
    if ids.shape[0]:
        k = key(seed, month, stream) if k is None else k
        _uniform_arr(np.ascontiguousarray(ids, dtype=np.uint64), np.uint64(k), out)
    return out


def uniforms_at(all_ids: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    """``uniforms`` of the agents at rows ``idx`` of ``all_ids`` under key ``k`` (one pass)."""
    out = np.empty(idx.shape[0], dtype=np.float64)
    if idx.shape[0]:
        _uniform_at(all_ids, _as_index(idx), np.uint64(k), out)
    return out


def uniform_streams(ids: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``uniforms`` of the same agents for several stream keys at once, shape (len(keys), n)."""
    out = np.empty((len(keys), ids.shape[0]), dtype=np.float64)
    if ids.shape[0]:
        _uniform_streams(np.ascontiguousarray(ids, dtype=np.uint64), np.asarray(keys, dtype=np.uint64), out)
    return out


def threshold(p: np.ndarray | float) -> np.ndarray:
    """Integer threshold T with ``u < p`` exactly when ``(hash >> 11) < T``.

    Why exact: u = x * 2**-53 with x = hash >> 11 an integer below 2**53, and scaling by a
    power of two is exact, so u < p <=> x < p * 2**53 <=> x < ceil(p * 2**53). p <= 0 or NaN
    gives 0 (never); p >= 1 gives at least 2**53 (always).
    """
    p = np.asarray(p, dtype=np.float64)
    scaled = np.ceil(np.minimum(np.where(p > 0, p, 0.0), 2.0) * 9007199254740992.0)
    return scaled.astype(np.int64)


def _scalar_threshold(p: float) -> int:
    """``threshold`` of one probability without numpy's array machinery (called thousands of
    times a run): the same IEEE double arithmetic, so the same integer."""
    p = float(p)
    return math.ceil(min(p, 2.0) * 9007199254740992.0) if p > 0 else 0


def below_at(all_ids: np.ndarray, idx: np.ndarray, k: int, p: float, ids: np.ndarray | None = None) -> np.ndarray:
    """``idx[uniforms_at(all_ids, idx, k) < p]`` for a scalar ``p``, without the uniforms
    (``ids``: the agents' ids, if already gathered)."""
    if idx.shape[0] == 0:
        return np.asarray(idx, dtype=np.int64)[:0]
    t = _scalar_threshold(p)
    if ids is not None:
        return _below_ids(ids, _as_index(idx), np.uint64(k), t)
    return _below_at(all_ids, _as_index(idx), np.uint64(k), t)


def below_by_at(all_ids: np.ndarray, idx: np.ndarray, k: int, table: np.ndarray, codes: np.ndarray,
                codes2: np.ndarray | None = None, ids: np.ndarray | None = None) -> np.ndarray:
    """``idx[uniforms_at(all_ids, idx, k) < table[codes[idx]]]`` (``table`` 1-D), or with a
    second field ``table[codes[idx], codes2[idx]]`` (``table`` 2-D): hazards that take one
    value per category (region, status, stage, nationality) need no per-agent array, and a
    zero entry excludes a category in the same pass (``ids``: the agents' ids, if gathered)."""
    if idx.shape[0] == 0:
        return np.asarray(idx, dtype=np.int64)[:0]
    codes = codes.view(np.uint8) if codes.dtype == np.bool_ else codes
    if codes2 is None:  # a 1-D table read as the diagonal of a 2-D one: table[c, c]
        table = np.asarray(table, dtype=np.float64)
        table, codes2 = np.diag(table), codes
    codes2 = codes2.view(np.uint8) if codes2.dtype == np.bool_ else codes2
    t = threshold(table)
    if ids is not None:
        return _below_by_ids(ids, _as_index(idx), np.uint64(k), t, codes, codes2)
    return _below_by_at(all_ids, _as_index(idx), np.uint64(k), t, codes, codes2)


def _as_index(idx: np.ndarray) -> np.ndarray:
    """Row indices as a contiguous int64 array (one compiled specialization)."""
    if idx.dtype == np.int64 and idx.flags.c_contiguous:
        return idx
    return np.ascontiguousarray(idx, dtype=np.int64)


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
    parts = np.empty((counts.size, 5), dtype=np.int64)
    parts[:, 0], parts[:, 1], parts[:, 4] = 0x51DED00, entry_month, kind
    parts[:, 2] = np.asarray(statuses, dtype=np.int64)
    parts[:, 3] = np.asarray(nationalities, dtype=np.int64)
    keys_ = keys(parts)
    starts = np.cumsum(counts) - counts
    index = (np.arange(total, dtype=np.int64) - np.repeat(starts, counts)).astype(np.uint64)
    _mix_keys(index, np.repeat(keys_, counts), out)
    return out


def sampled(ids: np.ndarray, fraction: float) -> np.ndarray:
    """Persons in the event-log sample: chosen by id hash, hence the same in every run."""
    if fraction <= 0:
        return np.zeros(ids.shape[0], dtype=bool)
    h = hashes(ids, key(Stream.EVENT_SAMPLE))
    return (h >> np.uint64(11)).astype(np.float64) * _INV53 < fraction


def cell_rng(seed: int, month: int, stream: int, cell: int) -> np.random.Generator:
    """Generator for one cell's counts (entries, visitor overstays) in one month.

    The entropy goes in as a uint32 array when every word fits (the usual case): SeedSequence
    reads it as the same words as the list of ints, without converting each int (a third of
    the cost of a generator, thousands of generators a run).
    """
    words = (int(seed), int(month) + 1, int(stream), int(cell))
    if all(0 <= w <= 0xFFFFFFFF for w in words):
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(np.array(words, dtype=np.uint32))))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(list(words))))


def stochastic_round(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Round expected counts to integers without bias (used when scaling populations)."""
    x = np.asarray(x, dtype=np.float64)
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)
