"""The agents: a structure of arrays with compact dtypes, grown in amortized steps.

Why a structure of arrays: every process works on a subset of agents with numpy
operations, which is fast only when each attribute is one contiguous typed array. Months
are int16 indices (month 0 = simulation start). Money is float32 JPY.

Debt and savings are kept *lazily*: they are exact as of ``ledger_month`` and evolve
deterministically with the monthly surplus (wage minus living costs) until the wage changes,
so they are only brought up to date (``settle``) for the agents whose wage changes or whose
debt enters a decision. Exited agents (departed, deported) are dropped at compaction after
their exits have been counted in the flow table, so memory tracks the live population.
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

def _field_view(name: str) -> property:
    """``pop.<field>``: a view of the used rows (``pop.status[idx] = x`` writes through)."""
    private = "_" + name

    def get(self) -> np.ndarray:
        return getattr(self, private)[: self.n]

    return property(get, doc=f"{name} of the live rows")


EXITED_CODES = np.array([Status.DEPARTED, Status.DEPORTED], dtype=np.uint8)


class Population:
    """Live agents; ``n`` rows of every field array are in use."""

    def __init__(self, capacity: int = 1024, living_cost_share: float = 0.5):
        self.n = 0
        self.capacity = max(int(capacity), 16)
        self.living_cost_share = float(living_cost_share)
        self.peak = 0
        for name, dtype in FIELDS.items():
            setattr(self, "_" + name, np.zeros(self.capacity, dtype=dtype))

    def __len__(self) -> int:
        return self.n

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
        if self.n + count > self.capacity:
            self._grow(self.n + count)
        rows = slice(self.n, self.n + count)
        for name in FIELDS:
            arr = getattr(self, "_" + name)
            if name in values:
                arr[rows] = values[name]
            else:
                arr[rows] = DEFAULTS.get(name, 0)
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise KeyError(f"unknown agent fields {sorted(unknown)}")
        self.n += count
        self.peak = max(self.peak, self.n)
        return rows

    def compact(self) -> int:
        """Drop exited agents (already counted as exits); returns how many were dropped."""
        keep = ~np.isin(self.status, EXITED_CODES)
        kept = int(keep.sum())
        dropped = self.n - kept
        if dropped == 0:
            return 0
        for name in FIELDS:
            arr = getattr(self, "_" + name)
            arr[:kept] = arr[: self.n][keep]
        self.n = kept
        # Shrink when far below capacity so memory follows the live population.
        if self.capacity > 4 * max(kept, 1024):
            for name in FIELDS:
                setattr(self, "_" + name, getattr(self, "_" + name)[: 2 * max(kept, 1024)].copy())
            self.capacity = 2 * max(kept, 1024)
        return dropped

    # --- the lazy ledger of debt and savings -------------------------------------------
    def surplus(self, idx) -> np.ndarray:
        """Monthly income left after living costs (what repays debt, then builds savings)."""
        return self.wage[idx] * np.float32(1.0 - self.living_cost_share)

    def debt_now(self, idx, month: int) -> np.ndarray:
        """Debt owed to intermediaries in ``month`` (without writing it back)."""
        elapsed = np.maximum(month - self.ledger_month[idx], 0).astype(np.float32)
        return np.maximum(self.debt[idx] - self.surplus(idx) * elapsed, np.float32(0))

    def savings_now(self, idx, month: int) -> np.ndarray:
        elapsed = np.maximum(month - self.ledger_month[idx], 0).astype(np.float32)
        earned = self.surplus(idx) * elapsed
        return self.savings[idx] + np.maximum(earned - self.debt[idx], np.float32(0))

    def settle(self, idx, month: int) -> None:
        """Bring debt and savings up to ``month`` (before a wage change)."""
        savings = self.savings_now(idx, month)
        debt = self.debt_now(idx, month)
        self.savings[idx] = savings
        self.debt[idx] = debt
        self.ledger_month[idx] = month

    def set_wage(self, idx, wage, month: int) -> None:
        self.settle(idx, month)
        self.wage[idx] = wage


@njit(cache=True)
def _bucket(status, expiry, horizon, n_codes, wanted):
    """One pass: indices grouped by status (counting sort, only ``wanted`` statuses) and
    indices expiring by ``horizon``."""
    n = status.shape[0]
    counts = np.zeros(n_codes + 1, dtype=np.int64)
    n_due = 0
    for i in range(n):
        if wanted[status[i]]:
            counts[status[i] + 1] += 1
        if expiry[i] <= horizon:
            n_due += 1
    for k in range(n_codes):
        counts[k + 1] += counts[k]
    order = np.empty(counts[n_codes], dtype=np.int64)
    due = np.empty(n_due, dtype=np.int64)
    fill = counts[:n_codes].copy()
    j = 0
    for i in range(n):
        s = status[i]
        if wanted[s]:
            order[fill[s]] = i
            fill[s] += 1
        if expiry[i] <= horizon:
            due[j] = i
            j += 1
    return order, counts, due


for _name in FIELDS:
    setattr(Population, _name, _field_view(_name))


class Groups:
    """Agents by status at the start of a month, and those whose permit ends soon.

    Why: finding "all overstayers" with ``status == X`` is a pass over every agent; the
    engine needs a dozen such subsets a month. One compiled pass builds them all. Processes
    act on the state at the start of the month: ``of(s)`` keeps only agents still in ``s``
    (someone who ran away this month is not also detected as an intern), and agents who
    entered a status this month are handled from next month.
    """

    #: Statuses processes ask for (others are reached only through their expiry).
    WANTED = (Status.TRAINEE, Status.TECHNICAL_INTERN, Status.ASYLUM_APPLICANT, Status.ASYLUM_APPLICANT_WORK_PERMIT,
              Status.OVERSTAYER, Status.DETAINED, Status.PROVISIONAL_RELEASE, Status.RECOGNIZED_REFUGEE,
              Status.SPR_REGULARIZED)

    def __init__(self, pop: Population, month: int, horizon: int):
        self.pop = pop
        wanted = np.zeros(256, dtype=np.bool_)
        wanted[np.array(self.WANTED, dtype=np.intp)] = True
        self._order, self._bounds, self._due = _bucket(pop.status, pop.expiry, month + horizon, 256, wanted)

    def of(self, *statuses: int) -> np.ndarray:
        parts = []
        status = self.pop.status
        for s in statuses:
            if int(s) not in self.WANTED:
                raise KeyError(f"status {Status(s).name} is not grouped (Groups.WANTED)")
            idx = self._order[self._bounds[int(s)]:self._bounds[int(s) + 1]]
            parts.append(idx[status[idx] == int(s)])
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def expiring(self, by_month: int) -> np.ndarray:
        """Agents whose permit ends by ``by_month`` (within the horizon given at creation)."""
        idx = self._due
        return idx[self.pop.expiry[idx] <= by_month]
