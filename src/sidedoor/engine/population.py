"""The agents: a structure of arrays with compact dtypes, grown in amortized steps.

Why a structure of arrays: every process works on a subset of agents with numpy
operations, which is fast only when each attribute is one contiguous typed array. Months
are int16 indices (month 0 = simulation start). Money is float32 JPY.

Debt and savings are kept *lazily*: they are exact as of ``ledger_month`` and evolve
deterministically with the monthly surplus (wage minus living costs) until the wage changes,
so they are only brought up to date (``settle``) for the agents whose wage changes or whose
debt enters a decision. Exited agents (departed, deported) are dropped at compaction after
their exits have been counted in the flow table, so memory tracks the live population.

Speed (the full 1:1 run holds ~2.3M live agents): ``pop.<field>`` is a plain attribute (a
view of the used rows, refreshed when rows are added or dropped), not a property; the
passes over every row (compaction, grouping by status) and the lazy-ledger arithmetic are
compiled numba loops that reproduce numpy's float32 arithmetic operation by operation.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import njit

from sidedoor.institutions.statuses import Status

NEVER = 255  # status_at_overstay of a person who never overstayed
NO_CATEGORY = -1  # screening category of a person never screened


class Sector(IntEnum):
    """Sectors named in the paper (§4.1): the labour-market niche of side-door migrants."""

    CONSTRUCTION = 0
    MANUFACTURING = 1
    FOOD_PROCESSING = 2
    AGRICULTURE = 3
    WHOLESALE_MARKET = 4
    RESTAURANTS = 5
    RECYCLING = 6
    OTHER = 7


class AsylumStage(IntEnum):
    NONE = 0
    PENDING = 1  # first instance
    APPEAL = 2
    REJECTED = 3  # final rejection (may reapply)
    RECOGNIZED = 4


FIELDS: dict[str, np.dtype] = {
    "agent_id": np.dtype(np.uint64),
    "status": np.dtype(np.uint8),
    "status_at_overstay": np.dtype(np.uint8),
    "nationality": np.dtype(np.uint8),
    "female": np.dtype(np.bool_),
    "birth_month": np.dtype(np.int16),
    "entry_month": np.dtype(np.int16),
    "status_start": np.dtype(np.int16),
    "expiry": np.dtype(np.int16),
    "debt": np.dtype(np.float32),
    "savings": np.dtype(np.float32),
    "wage": np.dtype(np.float32),
    "ledger_month": np.dtype(np.int16),
    "sector": np.dtype(np.uint8),
    "employer_size": np.dtype(np.uint8),
    "tokyo_area": np.dtype(np.bool_),
    "abusive_employer": np.dtype(np.bool_),
    "married_to_japanese": np.dtype(np.bool_),
    "child": np.dtype(np.bool_),
    "criminal_record": np.dtype(np.bool_),
    "broker_used": np.dtype(np.bool_),
    "asylum_stage": np.dtype(np.uint8),
    "n_applications": np.dtype(np.uint8),
    "application_month": np.dtype(np.int16),
    "screening_category": np.dtype(np.int8),
    "language_school": np.dtype(np.bool_),  # student status held for a language school
    "absconded": np.dtype(np.bool_),  # ran away from the designated employer, permit still valid
    "self_reported": np.dtype(np.bool_),  # in deportation procedures after turning themselves in
    "sampled": np.dtype(np.bool_),
}

DEFAULTS: dict[str, object] = {
    "status_at_overstay": NEVER,
    "expiry": np.iinfo(np.int16).max,
    "application_month": -1,
    "screening_category": NO_CATEGORY,
    "employer_size": 1,
    "sector": Sector.OTHER,
}

EXITED_CODES = np.array([Status.DEPARTED, Status.DEPORTED], dtype=np.uint8)
_IS_EXITED = np.zeros(256, dtype=np.bool_)
_IS_EXITED[EXITED_CODES] = True


@njit(cache=True)
def _kept_rows(status, exited):
    """Row numbers of agents still in Japan, ascending."""
    out = np.empty(status.shape[0], dtype=np.int64)
    k = 0
    for i in range(status.shape[0]):
        if not exited[status[i]]:
            out[k] = i
            k += 1
    return out[:k]


@njit(cache=True)
def _compact_field(arr, rows):
    """In place: ``arr[j] = arr[rows[j]]``; safe because ``rows[j] >= j`` (ascending)."""
    for j in range(rows.shape[0]):
        arr[j] = arr[rows[j]]


@njit(cache=True)
def _ledger_now(debt, savings, wage, ledger_month, idx, month, keep, want_debt, want_savings):
    """Debt and savings as of ``month`` for rows ``idx``, numpy's float32 steps one by one:
    elapsed = float32(max(month - ledger, 0)), surplus = wage * keep (keep = 1 - living costs),
    debt = max(debt - surplus * elapsed, 0), savings += max(surplus * elapsed - debt, 0)."""
    n = idx.shape[0]
    d_out = np.empty(n if want_debt else 0, dtype=np.float32)
    s_out = np.empty(n if want_savings else 0, dtype=np.float32)
    zero = np.float32(0.0)
    for j in range(n):
        i = idx[j]
        e = month - ledger_month[i]
        elapsed = np.float32(e if e > 0 else 0)
        earned = (wage[i] * keep) * elapsed
        if want_debt:
            d = debt[i] - earned
            d_out[j] = d if d >= zero else zero
        if want_savings:
            x = earned - debt[i]
            s_out[j] = savings[i] + (x if x >= zero else zero)
    return d_out, s_out


@njit(cache=True)
def _settle(debt, savings, wage, ledger_month, idx, month, keep):
    """``settle`` in one pass (both values from the old debt, then written back)."""
    zero = np.float32(0.0)
    for j in range(idx.shape[0]):
        i = idx[j]
        e = month - ledger_month[i]
        elapsed = np.float32(e if e > 0 else 0)
        earned = (wage[i] * keep) * elapsed
        d = debt[i] - earned
        x = earned - debt[i]
        savings[i] = savings[i] + (x if x >= zero else zero)
        debt[i] = d if d >= zero else zero
        ledger_month[i] = month


def _rows(idx) -> np.ndarray:
    """Row selector as an int64 index array (slices, lists and boolean masks accepted); an
    int64 array is returned as is (``Groups`` recognizes its own arrays by identity)."""
    if type(idx) is np.ndarray and idx.dtype == np.int64 and idx.ndim == 1 and idx.flags.c_contiguous:
        return idx
    if isinstance(idx, slice):
        return np.arange(idx.start or 0, idx.stop, idx.step or 1, dtype=np.int64)
    idx = np.asarray(idx)
    if idx.dtype == np.bool_:
        return np.flatnonzero(idx)
    return np.ascontiguousarray(idx, dtype=np.int64).reshape(-1)


class Population:
    """Live agents; ``n`` rows of every field array are in use (``pop.<field>`` views them)."""

    def __init__(self, capacity: int = 1024, living_cost_share: float = 0.5):
        self.n = 0
        self.capacity = max(int(capacity), 16)
        self.living_cost_share = float(living_cost_share)
        self._keep = np.float32(1.0 - self.living_cost_share)
        self.peak = 0
        self.layout = 0  # bumped when rows are renumbered (compaction): row indices held elsewhere expire
        for name, dtype in FIELDS.items():
            setattr(self, "_" + name, np.zeros(self.capacity, dtype=dtype))
        self._views()

    def __len__(self) -> int:
        return self.n

    def _views(self) -> None:
        """Refresh ``pop.<field>`` (a view of the first ``n`` rows) after ``n`` changed."""
        for name in FIELDS:
            setattr(self, name, getattr(self, "_" + name)[: self.n])

    def _grow(self, need: int) -> None:
        new_cap = self.capacity
        while new_cap < need:
            new_cap = int(new_cap * 1.5) + 16
        for name in FIELDS:
            old = getattr(self, "_" + name)
            arr = np.zeros(new_cap, dtype=old.dtype)
            arr[: self.n] = old[: self.n]
            setattr(self, "_" + name, arr)
        self.capacity = new_cap

    def append(self, count: int, **values) -> slice:
        """Add ``count`` agents; unspecified fields take their defaults. Returns their rows."""
        if count <= 0:
            return slice(self.n, self.n)
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise KeyError(f"unknown agent fields {sorted(unknown)}")
        if self.n + count > self.capacity:
            self._grow(self.n + count)
        rows = slice(self.n, self.n + count)
        for name in FIELDS:
            getattr(self, "_" + name)[rows] = values[name] if name in values else DEFAULTS.get(name, 0)
        self.n += count
        self.peak = max(self.peak, self.n)
        self._views()
        return rows

    def exited(self) -> int:
        """Rows held by agents who left (departed or deported) and await compaction."""
        return int(np.count_nonzero(_IS_EXITED[self.status]))

    def compact(self) -> int:
        """Drop exited agents (already counted as exits); returns how many were dropped."""
        rows = _kept_rows(self.status, _IS_EXITED)
        kept = rows.shape[0]
        dropped = self.n - kept
        if dropped == 0:
            return 0
        for name in FIELDS:
            _compact_field(getattr(self, "_" + name), rows)
        self.n = kept
        self.layout += 1
        # Shrink when far below capacity so memory follows the live population (a loose
        # bound: rows beyond ``n`` that were never used cost nothing, a regrowth copies all).
        if self.capacity > 8 * max(kept, 1024):
            for name in FIELDS:
                setattr(self, "_" + name, getattr(self, "_" + name)[: 4 * max(kept, 1024)].copy())
            self.capacity = 4 * max(kept, 1024)
        self._views()
        return dropped

    # --- the lazy ledger of debt and savings -------------------------------------------
    def surplus(self, idx) -> np.ndarray:
        """Monthly income left after living costs (what repays debt, then builds savings)."""
        return self.wage[idx] * self._keep

    def debt_now(self, idx, month: int) -> np.ndarray:
        """Debt owed to intermediaries in ``month`` (without writing it back)."""
        return _ledger_now(self.debt, self.savings, self.wage, self.ledger_month, _rows(idx), int(month),
                           self._keep, True, False)[0]

    def savings_now(self, idx, month: int) -> np.ndarray:
        return _ledger_now(self.debt, self.savings, self.wage, self.ledger_month, _rows(idx), int(month),
                           self._keep, False, True)[1]

    def settle(self, idx, month: int) -> None:
        """Bring debt and savings up to ``month`` (before a wage change)."""
        rows = _rows(idx)
        if rows.size:
            _settle(self.debt, self.savings, self.wage, self.ledger_month, rows, int(month), self._keep)

    def set_wage(self, idx, wage, month: int) -> None:
        self.settle(idx, month)
        self.wage[idx] = wage


# Grouping by status lives in its own module; imported here for the engine's existing users.
from sidedoor.engine.groups import Groups  # noqa: E402
