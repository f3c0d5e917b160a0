"""Agents by status at the start of a month, and those whose permit ends soon.

Why: finding "all overstayers" with ``status == X`` is a pass over every agent; the engine
needs a dozen such subsets a month. Processes act on the state at the start of the month:
``of(s)`` keeps only agents still in ``s`` (someone who ran away this month is not also
detected as an intern), and agents who entered a status this month are handled from next
month.

Why incremental: at 1:1 the population holds ~3.5M rows (live and not yet compacted) in
short runs of one status, and a counting sort of every row cost 10-30 ms a month, more than
all the processes. Status changes only through ``Month.move`` (which reports them here) and
new rows only through ``Population.append``, so next month's group of ``s`` is this month's
members still in ``s``, plus the agents moved into ``s``, plus the new rows in ``s``: work in
proportion to the groups (~0.7M at most), not to the population. A compaction renumbers the
rows, so the month after one (and every ``Groups(pop, month, horizon)`` built without a
``previous``) is grouped from scratch; ``simulate(check_accounting=True)`` checks the
incremental groups against that full pass every month.

Statuses without a permit have no expiry (``Month.move`` clears it), so ``expiring`` holds
only permit holders near the end of their stay; it is recomputed from ``pop.expiry`` every
month (expiry is written by many processes, so it is not tracked incrementally).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sidedoor.institutions.statuses import Status

if TYPE_CHECKING:
    from sidedoor.engine.population import Population


@njit(cache=True)
def _group_rows(status, start, wanted):
    """Rows ``start..n`` of the ``wanted`` statuses grouped by status, ascending within a
    status (a counting sort that walks runs of one status: one counter per run, not a
    read-modify-write of ``counts[s]`` per row); ``bounds[s]:bounds[s + 1]`` is status s."""
    n = status.shape[0]
    counts = np.zeros(256, dtype=np.int64)
    i = start
    while i < n:
        s = status[i]
        j = i + 1
        while j < n and status[j] == s:
            j += 1
        counts[s] += j - i
        i = j
    bounds = np.zeros(257, dtype=np.int64)
    for s in range(256):
        bounds[s + 1] = bounds[s] + (counts[s] if wanted[s] else 0)
    order = np.empty(bounds[256], dtype=np.int64)
    fill = bounds[:256].copy()
    i = start
    while i < n:
        s = status[i]
        j = i + 1
        while j < n and status[j] == s:
            j += 1
        if wanted[s]:
            p = fill[s]
            for k in range(i, j):
                order[p] = k
                p += 1
            fill[s] = p
        i = j
    return order, bounds


@njit(cache=True)
def _due_rows(expiry, horizon):
    """Rows whose permit ends by ``horizon``: one read of ``expiry`` (the pass is memory-bound;
    the output buffer is mapped lazily, so only the few pages written cost anything)."""
    due = np.empty(expiry.shape[0], dtype=np.int64)
    k = 0
    for i in range(expiry.shape[0]):
        if expiry[i] <= horizon:
            due[k] = i
            k += 1
    return due[:k].copy()


@njit(cache=True)
def rows_where(idx, field, s):
    """``idx[field[idx] == s]`` in one pass (no gathered temporary)."""
    out = np.empty(idx.shape[0], dtype=np.int64)
    k = 0
    for j in range(idx.shape[0]):
        if field[idx[j]] == s:
            out[k] = idx[j]
            k += 1
    return out[:k]


_still_in = rows_where


@njit(cache=True)
def rows_in(idx, field, mask):
    """``idx[mask[field[idx]]]`` in one pass (e.g. the rows whose status is in a set)."""
    out = np.empty(idx.shape[0], dtype=np.int64)
    k = 0
    for j in range(idx.shape[0]):
        if mask[field[idx[j]]]:
            out[k] = idx[j]
            k += 1
    return out[:k]


@njit(cache=True)
def _rows_at_most(idx, field, value):
    """``idx[field[idx] <= value]`` in one pass."""
    out = np.empty(idx.shape[0], dtype=np.int64)
    k = 0
    for j in range(idx.shape[0]):
        if field[idx[j]] <= value:
            out[k] = idx[j]
            k += 1
    return out[:k]


@njit(cache=True)
def _rows_ids_where(idx, ids, field, s):
    """``rows_where`` that also keeps the members' ids aligned (``ids[j]`` is row ``idx[j]``)."""
    rows = np.empty(idx.shape[0], dtype=np.int64)
    out = np.empty(idx.shape[0], dtype=ids.dtype)
    k = 0
    for j in range(idx.shape[0]):
        if field[idx[j]] == s:
            rows[k] = idx[j]
            out[k] = ids[j]
            k += 1
    return rows[:k], out[:k]


@njit(cache=True)
def count_by(idx, first, n_first, second, n_second):
    """Counts of ``(min(first[i], n_first - 1), second[i])`` over rows ``idx``, shape
    (n_first, n_second): ``np.bincount`` of a gathered pair without the temporaries (pass
    the same field twice with ``n_first = 1`` to count by one field)."""
    out = np.zeros((n_first, n_second), dtype=np.int64)
    for j in range(idx.shape[0]):
        i = idx[j]
        a = np.int64(first[i])
        if a > n_first - 1:
            a = n_first - 1
        out[a, second[i]] += 1
    return out


@njit(cache=True)
def _next_group(members, ids, known, status, s, came, new, agent_id):
    """Next month's group of status ``s`` in one pass, with the members' agent ids:
    this month's ``members`` still in ``s`` merged with ``came`` (rows moved into ``s``,
    ascending, possibly repeated) still in ``s``, without duplicates, then the ``new`` rows
    (entrants in ``s``, above every other row). ``ids`` are the members' ids when ``known``."""
    n = members.shape[0] + came.shape[0] + new.shape[0]
    rows = np.empty(n, dtype=np.int64)
    out = np.empty(n, dtype=np.uint64)
    i = j = k = 0
    if came.shape[0] == 0:  # the common case: a plain filter
        for i in range(members.shape[0]):
            r = members[i]
            if status[r] == s:
                rows[k] = r
                out[k] = ids[i] if known else agent_id[r]
                k += 1
        i = members.shape[0]
    while i < members.shape[0] or j < came.shape[0]:
        if j == came.shape[0] or (i < members.shape[0] and members[i] <= came[j]):
            r = members[i]
            x = ids[i] if known else agent_id[r]
            i += 1
        else:
            r = came[j]
            x = agent_id[r]
            j += 1
        if status[r] == s and (k == 0 or rows[k - 1] != r):
            rows[k] = r
            out[k] = x
            k += 1
    for q in range(new.shape[0]):
        rows[k] = new[q]
        out[k] = agent_id[new[q]]
        k += 1
    return rows[:k], out[:k]


class Groups:
    """Agents by status at the start of a month (``of``) and permits ending soon (``expiring``).

    ``of(s)`` is cached (read-only arrays): ``Month.move`` reports every status change
    (``moved``), which drops the cached group of each status agents left, and of the status
    they entered once some of its members have left (they might be coming back). Until
    someone leaves ``s`` its group needs no filtering pass.

    ``ids_for(of(s))`` gives the members' agent ids as one contiguous array (gathered once a
    month, then filtered along with the group): members' rows are scattered over millions of
    rows, and each draw over a group would otherwise gather ``agent_id`` again, a cache miss
    per member. Ids never change, so the copy cannot go stale.
    """

    #: Statuses processes ask for (others are reached only through their expiry).
    WANTED = (Status.TRAINEE, Status.TECHNICAL_INTERN, Status.ASYLUM_APPLICANT, Status.ASYLUM_APPLICANT_WORK_PERMIT,
              Status.OVERSTAYER, Status.DETAINED, Status.PROVISIONAL_RELEASE, Status.RECOGNIZED_REFUGEE,
              Status.SPR_REGULARIZED)
    _WANTED_MASK = np.zeros(256, dtype=np.bool_)
    _WANTED_MASK[np.array(WANTED, dtype=np.intp)] = True
    _WANTED_CODES = tuple(int(s) for s in WANTED)

    def __init__(self, pop: Population, month: int, horizon: int, previous: Groups | None = None):
        """Group ``pop`` at the start of ``month``; with ``previous`` (last month's groups of
        the same population, no compaction since) only the changes are applied."""
        self.pop = pop
        self.layout = pop.layout
        self.n0 = pop.n  # rows present at the start of the month
        self._cache: dict[int, np.ndarray] = {}
        self._left = np.zeros(256, dtype=np.int64)  # agents who left each status this month
        self._joined: list[tuple[int, np.ndarray]] = []  # (status, rows) moved into a wanted status
        self._member_ids: dict[int, np.ndarray] = {}  # agent ids of ``_members[s]``, aligned
        self._ids: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # s -> (of(s) array, its ids)
        if previous is not None and previous.pop is pop and previous.layout == pop.layout:
            self._members, self._member_ids = previous._next_members()
        else:
            order, bounds = _group_rows(pop.status, 0, self._WANTED_MASK)
            self._members = {s: order[bounds[s]:bounds[s + 1]] for s in self._WANTED_CODES}
        self._due = _due_rows(pop.expiry, month + horizon)

    def _next_members(self) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
        """Next month's members (and their ids): this month's still in ``s`` + moved in + new."""
        pop = self.pop
        order, bounds = _group_rows(pop.status, self.n0, self._WANTED_MASK)
        joined: dict[int, list[np.ndarray]] = {}
        for s, rows in self._joined:
            joined.setdefault(s, []).append(rows)
        members, member_ids = {}, {}
        no_rows = np.zeros(0, dtype=np.int64)
        for s in self._WANTED_CODES:
            came = np.sort(np.concatenate(joined[s])) if s in joined else no_rows
            came = came[came < self.n0]  # rows added this month are in ``new``
            ids = self._member_ids.get(s)
            members[s], member_ids[s] = _next_group(
                self._members[s], ids if ids is not None else pop.agent_id[:0], ids is not None, pop.status, s, came,
                order[bounds[s]:bounds[s + 1]], pop.agent_id)
        return members, member_ids

    def _one(self, s: int) -> np.ndarray:
        got = self._cache.get(s)
        if got is None:
            if not self._WANTED_MASK[s]:
                raise KeyError(f"status {Status(s).name} is not grouped (Groups.WANTED)")
            got = self._members[s]
            if self._left[s]:
                if s in self._member_ids:
                    got, ids = _rows_ids_where(got, self._member_ids[s], self.pop.status, s)
                    self._ids[s] = (got, ids)
                else:
                    got = _still_in(got, self.pop.status, s)
            got.flags.writeable = False
            self._cache[s] = got
        return got

    def ids_for(self, idx: np.ndarray) -> np.ndarray | None:
        """Agent ids of ``idx`` if it is a group returned by ``of(s)`` (else None)."""
        for s, got in self._cache.items():
            if got is idx:
                break
        else:
            return None
        known = self._ids.get(s)
        if known is not None and known[0] is idx:
            return known[1]
        members = self._members[s]
        if s not in self._member_ids:
            self._member_ids[s] = self.pop.agent_id[members]
        ids = self._member_ids[s]
        if idx is not members:
            rows, ids = _rows_ids_where(members, ids, self.pop.status, s)
            if not np.array_equal(rows, idx):  # pragma: no cover - the cache invariant
                raise AssertionError(f"status group {s} out of date")
        self._ids[s] = (idx, ids)
        return ids

    def of(self, *statuses: int) -> np.ndarray:
        if len(statuses) == 1:
            return self._one(int(statuses[0]))
        return np.concatenate([self._one(int(s)) for s in statuses])

    def moved(self, left: np.ndarray, to: int, rows: np.ndarray | None = None) -> None:
        """Agents ``rows`` changed status: ``left[s]`` of them left ``s``, all entered ``to``."""
        self._left[: left.shape[0]] += left
        for s in list(self._cache):
            if (s < left.shape[0] and left[s]) or (s == to and self._left[to]):
                del self._cache[s]
        if rows is not None and self._WANTED_MASK[to]:
            self._joined.append((int(to), rows.copy()))

    def expiring(self, by_month: int) -> np.ndarray:
        """Agents whose permit ends by ``by_month`` (within the horizon given at creation)."""
        return _rows_at_most(self._due, self.pop.expiry, by_month)

    def same_as(self, other: Groups) -> bool:
        """Whether two groupings of the same month agree (the incremental check)."""
        return all(np.array_equal(self._one(s), other._one(s)) for s in self._WANTED_CODES) and \
            np.array_equal(self._due, other._due)
