"""One simulated month: the rules in force (evaluated once), the behaviour parameters, and
the single place where agents change status (so every change is counted in the flow table).

Why one ``move``: population accounting (entries - exits = change in stock, per status) holds
by construction only if no process writes ``status`` directly. ``move`` also stamps the
status-at-overstay, which the official "status at the time of overstay" tables need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numba import njit

from sidedoor.engine import draws
from sidedoor.engine.population import NEVER, Population, _rows
from sidedoor.institutions import rules
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality

N_STATUS = len(Status)
OUTSIDE = N_STATUS  # "from" code of entries (flow table only)
N_CODES = N_STATUS + 1
MECHANISMS = ("none", "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8")
N_NAT = len(Nationality)
COUNTERS = (
    "interns_disappeared", "asylum_applications", "asylum_recognized", "spr_granted",
    "deportations", "departure_orders", "deported",
)
#: Counters also kept by status at overstay (the ISA publishes persons processed in
#: deportation procedures by their last status).
STATUS_COUNTERS = ("deportations",)


def status_mask(codes) -> np.ndarray:
    """Lookup table ``mask[status]`` -> bool; ``mask[pop.status[idx]]`` is a fast ``np.isin``."""
    mask = np.zeros(256, dtype=bool)
    mask[np.asarray([int(c) for c in codes], dtype=np.intp)] = True
    return mask


def behaviour_table(params: ParameterSet, months: list[dt.date]) -> dict[str, object]:
    """Behaviour parameters by short name: a constant, or an array over months if dated."""
    table: dict[str, object] = {}
    for p in params:
        if not p.name.startswith("behaviour."):
            continue
        short = p.name[len("behaviour."):]
        if short.startswith("origin_income_ratio_"):
            # Incomes change smoothly: log-linear interpolation between the dated values.
            xs = np.array([v.start.year + (v.start.month - 1) / 12 for v in p.values])
            ys = np.log([float(v.value) for v in p.values])
            t = np.array([d.year + (d.month - 1) / 12 for d in months])
            table[short] = list(np.exp(np.interp(t, xs, ys)))
        elif len(p.values) == 1 and p.starts[0] <= months[0]:
            table[short] = p.values[0].value
        else:
            table[short] = [p.value_at(d) if d >= p.starts[0] else None for d in months]
    table["perceived_enforcement"] = perceived_enforcement(params, months, float(table["deterrence_lag_months"]))
    return table


def perceived_enforcement(params: ParameterSet, months: list[dt.date], lag_months: float) -> list[float]:
    """Enforcement intensity as would-be overstayers perceive it, month by month (M7 deterrence).

    Why a lag: news of a crackdown reaches people deciding whether to overstay through
    co-national networks and brokers, and those already committed (visa issued, debt taken)
    cannot turn back, so deterrence follows detection with a delay. Exponential smoothing with
    time constant ``lag_months``, starting in steady state at the first month. A pure function
    of the rules' enforcement path, so a reform that changes the campaign moves it too.
    """
    rate = 1.0 / max(lag_months, 1.0)
    path, level = [], None
    for d in months:
        e = float(rules.enforcement_intensity(d, params))
        level = e if level is None else level + rate * (e - level)
        path.append(level)
    return path


_MECHANISM_CODE = {name: i for i, name in enumerate(MECHANISMS)}
_OVERSTAYER, _DETAINED, _RELEASED = int(Status.OVERSTAYER), int(Status.DETAINED), int(Status.PROVISIONAL_RELEASE)
#: Statuses held without a permit: entering one clears the expiry (the value entering
#: overstayers are born with), so only permit holders are ever found by ``Groups.expiring``.
NO_PERMIT = status_mask((Status.OVERSTAYER, Status.DETAINED, Status.PROVISIONAL_RELEASE, Status.DEPARTED,
                         Status.DEPORTED))
NO_EXPIRY = int(np.iinfo(np.int16).max)
#: Streams drawn every month (each stream, and the +100/+200 variants some processes use).
_USUAL_STREAMS = np.array(sorted({int(s) + d for s in draws.Stream for d in (0, 100, 200)}), dtype=np.int64)


def mechanism_code(name: str) -> int:
    try:
        return _MECHANISM_CODE[name]
    except KeyError:
        raise ValueError(f"unknown mechanism {name!r}; known: {MECHANISMS}") from None


@njit(cache=True)
def _move(status, status_at_overstay, status_start, expiry, nationality, idx, to, mech, month, no_permit, counts,
          flows, stock, by_nationality):
    """Status change of rows ``idx`` (one pass): count who left which status in ``counts``,
    the month's ``flows[from, to, mech]`` and the running ``stock`` (also by nationality),
    stamp the status at overstay (kept through detention and provisional release), set the
    status; a status without a permit has no expiry."""
    clear = no_permit[to]
    left = np.zeros((counts.shape[0], by_nationality.shape[1]), dtype=np.int64)
    for j in range(idx.shape[0]):
        i = idx[j]
        frm = status[i]
        left[frm, nationality[i]] += 1
        if to == _OVERSTAYER:
            back = (frm == _DETAINED) or (frm == _RELEASED)
            if not (back and status_at_overstay[i] != NEVER):
                status_at_overstay[i] = frm
        status[i] = to
        status_start[i] = month
        if clear:
            expiry[i] = NO_EXPIRY
    for frm in range(left.shape[0]):
        for nat in range(left.shape[1]):
            c = left[frm, nat]
            if c:
                counts[frm] += c
                flows[frm, to, mech] += c
                stock[frm] -= c
                stock[to] += c
                by_nationality[frm, nat] -= c
                by_nationality[to, nat] += c


@dataclass
class Ledger:
    """Flows (month, from, to, mechanism), running stock, named counters and sampled events.

    ``stock_by_nationality`` (status x nationality) is kept by ``Month.move``/``add`` like
    ``stock``, so the monthly overstayer and intern counts by nationality need no pass over
    the agents.
    """

    n_months: int
    flows: np.ndarray = field(init=False)
    stock: np.ndarray = field(init=False)
    stock_by_nationality: np.ndarray = field(init=False)
    counters: dict[str, np.ndarray] = field(init=False)
    #: ``STATUS_COUNTERS`` by month and status at overstay
    status_counters: dict[str, np.ndarray] = field(init=False)
    events: list[tuple[np.ndarray, int, np.ndarray, int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.flows = np.zeros((self.n_months, N_CODES, N_CODES, len(MECHANISMS)), dtype=np.int64)
        self.stock = np.zeros(N_CODES, dtype=np.int64)
        self.stock_by_nationality = np.zeros((N_CODES, N_NAT), dtype=np.int64)
        self.counters = {name: np.zeros((self.n_months, N_NAT), dtype=np.int64) for name in COUNTERS}
        self.status_counters = {name: np.zeros((self.n_months, N_STATUS), dtype=np.int64)
                                for name in STATUS_COUNTERS}


class Month:
    """Everything a process needs in month ``m``; scalar rules are evaluated once and cached."""

    def __init__(self, m: int, date: dt.date, pop: Population, params: ParameterSet, ledger: Ledger,
                 seed: int, scale: float, job_openings_ratio: float, state: dict, behaviour: dict):
        self.m = m
        self.date = date
        self.pop = pop
        self.params = params
        self.ledger = ledger
        self.seed = seed
        self.scale = scale
        self.job_openings_ratio = job_openings_ratio
        self.state = state  # slowly moving engine state carried across months (broker reach)
        self._rule_cache: dict[tuple, object] = {}
        self.memo: dict[str, object] = {}
        self._keys: dict[int, int] = {}
        self.groups = None  # population.Groups, set by simulate at the start of the month
        self.b = {k: (v[m] if isinstance(v, list) else v) for k, v in behaviour.items()}

    # --- rules, once per month -----------------------------------------------------------
    def rule(self, name: str, *args):
        """Scalar rule ``rules.<name>(*args, date, params)``, evaluated once per month."""
        k = (name, *args)
        if k not in self._rule_cache:
            self._rule_cache[k] = getattr(rules, name)(*args, self.date, self.params)
        return self._rule_cache[k]

    @cached_property
    def epoch(self) -> int:
        """The law epoch of this month (``ParameterSet.epoch``)."""
        return self.params.epoch(self.date)

    def per_epoch(self, name: str, compute):
        """``compute()`` once per law epoch of the run (``epoch``), shared by its months.

        Only for values that read the date through the parameters alone (rules built on
        ``ParameterSet.value``/``in_force``, behaviour values), never the calendar itself: a
        caller names what it computes and why that holds.
        """
        held = self.state.get("per_epoch")
        if held is None or held[0] is not self.params:
            held = self.state["per_epoch"] = (self.params, {})
        key = (self.epoch, name)
        if key not in held[1]:
            held[1][key] = compute()
        return held[1][key]

    @cached_property
    def enforcement(self) -> float:
        return float(self.rule("enforcement_intensity"))

    @cached_property
    def region_factor(self) -> np.ndarray:
        """Detection factor for [outside Tokyo, Tokyo area]: the array rule on its two values."""
        return np.asarray(rules.region_detection_factor(np.array([False, True]), self.params, self.date), dtype=float)

    @cached_property
    def visa_exempt(self) -> np.ndarray:
        """Visa exemption by nationality (``rules.visa_exempt``: parameters only; per epoch)."""
        return self.per_epoch("visa_exempt", lambda: np.asarray(
            rules.visa_exempt(np.arange(N_NAT), self.date, self.params), dtype=bool))

    @cached_property
    def wage_table(self) -> np.ndarray:
        """Monthly wage (JPY) by status this month (migration_industry.wage)."""
        from sidedoor.engine.processes.migration_industry import wage

        return np.array([wage(self, s) for s in range(N_STATUS)], dtype=np.float32)

    @cached_property
    def income_ratio(self) -> np.ndarray:
        """Origin income relative to Japan, by nationality (behaviour assumption)."""
        return np.array([self.b[f"origin_income_ratio_{n.name.lower()}"] for n in Nationality])

    @cached_property
    def asylum_work_value(self) -> float:
        """Chance that a new application yields a work permit after the waiting period.

        Computed with the rules themselves (``asylum_may_work`` for each screening category,
        weighted by ``screening_category_shares``), so a reform of either moves incentives;
        once per law epoch.
        """
        return self.per_epoch("asylum_work_value", self._asylum_work_value)

    def _asylum_work_value(self) -> float:
        if self.rule("screening_active"):
            shares = np.asarray(self.rule("screening_category_shares"), dtype=float)
            cats = np.arange(4, dtype=np.int8)
            ok = rules.asylum_may_work(np.full(4, 12), cats, np.ones(4, dtype=np.uint8), self.date, self.params)
            return float(np.dot(shares, ok))
        ok = rules.asylum_may_work(np.array([12]), np.array([-1], dtype=np.int8), np.array([1], dtype=np.uint8),
                                   self.date, self.params)
        return float(ok[0])

    # --- drivers shared by several processes ------------------------------------------------
    def pull(self, nationality: np.ndarray, network: np.ndarray | None = None) -> np.ndarray:
        """Per-agent ``pull_table`` (see there), looked up by nationality."""
        return self.pull_table(network is not None)[nationality]

    def pull_table(self, with_network: bool = True) -> np.ndarray:
        """Log multiplier of overstay propensities: wage gap, labour demand, network, deterrence.

        Reference point: origin income 5% of Japan's, job-openings ratio 1, enforcement 1,
        no co-national network (all elasticities from behaviour.yaml). Deterrence answers to
        the perceived enforcement (``perceived_enforcement``), detection to the actual one.
        """
        b = self.b
        key = f"pull{with_network}"
        if key in self.memo:
            return self.memo[key]
        gap = np.log(0.05 / self.income_ratio)
        x = b["wage_gap_elasticity"] * gap
        x = x + self.labour_demand_term()
        x = x - self.deterrence_term()
        if with_network:
            x = x + b["network_elasticity"] * np.log1p(self.network / 10000.0)
        self.memo[key] = x
        return x

    def labour_demand_term(self) -> float:
        """Log multiplier of every corridor's propensity from this month's labour demand."""
        return self.b["labour_demand_elasticity"] * np.log(max(self.job_openings_ratio, 0.05))

    def deterrence_term(self) -> float:
        """Log divisor of every corridor's propensity from the perceived enforcement."""
        return self.b["enforcement_deterrence"] * np.log(max(self.b["perceived_enforcement"], 1e-3))

    @cached_property
    def network(self) -> np.ndarray:
        """Co-national overstayers (scale 1) at the start of the month."""
        return self.state.get("overstayers_by_nationality", np.zeros(N_NAT)) / self.scale

    def key(self, stream: int) -> int:
        """``draws.key(seed, month, stream)``, computed once per month and stream (the usual
        streams in one compiled batch on first use)."""
        k = self._keys.get(stream)
        if k is None:
            if not self._keys:
                parts = np.empty((_USUAL_STREAMS.size, 3), dtype=np.uint64)
                parts[:, 0], parts[:, 1] = int(self.seed) & draws.MASK64, int(self.m) & draws.MASK64
                parts[:, 2] = _USUAL_STREAMS
                self._keys = dict(zip(_USUAL_STREAMS.tolist(), draws.keys(parts).tolist()))
                k = self._keys.get(stream)
            if k is None:
                k = self._keys[stream] = draws.key(self.seed, self.m, int(stream))
        return k

    def _group_ids(self, rows: np.ndarray) -> np.ndarray | None:
        """Contiguous agent ids of ``rows`` when it is a status group (``Groups.ids_for``)."""
        return self.groups.ids_for(rows) if self.groups is not None else None

    def uniforms(self, idx: np.ndarray, stream: int) -> np.ndarray:
        """Counter-based uniforms of agents ``idx`` for ``stream`` this month (gather and hash
        fused in one compiled loop: the same numbers as ``draws.uniforms`` on their ids)."""
        rows = _rows(idx)
        ids = self._group_ids(rows)
        if ids is not None:
            return draws.uniforms(self.seed, ids, self.m, stream, self.key(stream))
        return draws.uniforms_at(self.pop.agent_id, rows, self.key(stream))

    def uniforms_of_rows(self, rows: slice, streams) -> np.ndarray:
        """``self.uniforms(rows, stream)`` of contiguous rows for each of ``streams`` (one row
        of the result per stream), in one pass over the agents."""
        keys = np.array([self.key(s) for s in streams], dtype=np.uint64)
        return draws.uniform_streams(self.pop.agent_id[rows], keys)

    def below(self, idx: np.ndarray, stream: int, p: float) -> np.ndarray:
        """``idx[self.uniforms(idx, stream) < p]`` for a scalar ``p``, without storing uniforms."""
        rows = _rows(idx)
        return draws.below_at(self.pop.agent_id, rows, self.key(stream), p, self._group_ids(rows))

    def below_by(self, idx: np.ndarray, stream: int, table: np.ndarray, codes: np.ndarray,
                 codes2: np.ndarray | None = None) -> np.ndarray:
        """``idx[self.uniforms(idx, stream) < table[codes[idx]]]``, or ``table[codes[idx],
        codes2[idx]]`` with a second field; ``codes`` are whole fields (``pop.tokyo_area``,
        ``pop.status``) and ``table`` the hazard of each value (0 excludes a value)."""
        rows = _rows(idx)
        return draws.below_by_at(self.pop.agent_id, rows, self.key(stream), table, codes, codes2,
                                 self._group_ids(rows))

    # --- the only way to change status ------------------------------------------------------
    def move(self, idx: np.ndarray, to: Status, mechanism: str) -> None:
        """Move agents ``idx`` to status ``to`` and count the flow under ``mechanism``."""
        if idx.size == 0:
            return
        pop, to, rows = self.pop, int(to), _rows(idx)
        frm = pop.status[rows] if self.state.get("event_sample", 0.0) > 0 else None
        counts = np.zeros(N_STATUS, dtype=np.int64)
        mech = mechanism_code(mechanism)
        ledger = self.ledger
        _move(pop.status, pop.status_at_overstay, pop.status_start, pop.expiry, pop.nationality, rows, to, mech, self.m,
              NO_PERMIT, counts, ledger.flows[self.m], ledger.stock, ledger.stock_by_nationality)
        if self.groups is not None:
            self.groups.moved(counts, to, rows)
        if frm is not None:
            self._log(rows, frm, to, mech)

    def mark(self, idx: np.ndarray, status: Status, mechanism: str) -> None:
        """Record an event within ``status`` (agents ``idx``, all in it) as the flow
        ``status -> status`` under ``mechanism``, without a status change: the groups, the
        status start and the stock stay as they are (a runaway intern keeps the permit)."""
        if idx.size == 0:
            return
        s, mech = int(status), mechanism_code(mechanism)
        self.ledger.flows[self.m][s, s, mech] += idx.size
        if self.state.get("event_sample", 0.0) > 0:
            self._log(_rows(idx), np.full(idx.size, s, dtype=np.uint8), s, mech)

    def add(self, status: np.ndarray, mechanism: str, **values) -> slice:
        """Instantiate entrants with statuses ``status`` (array; a flow from outside Japan)."""
        status = np.asarray(status, dtype=np.uint8)
        count = status.size
        rows = self.pop.append(count, status=status, status_start=self.m, entry_month=self.m,
                               ledger_month=self.m, **values)
        if count:
            mech = mechanism_code(mechanism)
            counts = np.bincount(status, minlength=N_STATUS)
            self.ledger.flows[self.m, OUTSIDE, :N_STATUS, mech] += counts
            self.ledger.stock[:N_STATUS] += counts
            nat = self.pop.nationality[rows].astype(np.intp)
            self.ledger.stock_by_nationality[:N_STATUS] += np.bincount(
                status.astype(np.intp) * N_NAT + nat, minlength=N_STATUS * N_NAT).reshape(N_STATUS, N_NAT)
            if self.state.get("event_sample", 0.0) > 0:
                idx = np.arange(rows.start, rows.stop)
                for s in np.flatnonzero(counts):
                    sel = idx[status == s]
                    self._log(sel, np.full(sel.size, OUTSIDE, dtype=np.uint8), int(s), mech)
        return rows

    def count(self, name: str, idx: np.ndarray) -> None:
        """Add agents ``idx`` to a named yearly series (by nationality, and by status at
        overstay for ``STATUS_COUNTERS``; those who never overstayed count in neither)."""
        if idx.size:
            self.ledger.counters[name][self.m] += np.bincount(self.pop.nationality[idx], minlength=N_NAT)
            if name in self.ledger.status_counters:
                at_overstay = np.bincount(self.pop.status_at_overstay[idx], minlength=NEVER + 1)
                self.ledger.status_counters[name][self.m] += at_overstay[:N_STATUS]

    def _log(self, idx, frm, to: int, mech: int) -> None:
        if self.state.get("event_sample", 0.0) <= 0:
            return
        sel = self.pop.sampled[idx]
        if sel.any():
            self.ledger.events.append((self.pop.agent_id[idx][sel], self.m, np.asarray(frm)[sel], to, mech))
