"""Entries by channel and nationality (M1; §4.1, notes 4-8), with the initial population.

Expected entries come from ``Inputs.inflows`` (already zero where ``channel_open`` is false
and multiplied by ``border_inflow_factor``); the engine draws the integer count of each
status's cell from a generator seeded by (seed, month, stream, status), scales by
``--scale``, and gives every entrant a deterministic id from (entry month, status,
nationality, rank) so the same person exists in a baseline and a reform run.
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine import draws
from sidedoor.engine.draws import Stream
from sidedoor.engine.population import NEVER
from sidedoor.engine.processes import migration_industry as industry
from sidedoor.institutions.statuses import Status

MECHANISM = "M1"
SECTION = "§4.1"

#: Initial overstayers' tenure is drawn uniformly over this many months before the start.
INITIAL_TENURE_MONTHS = 48
#: Share of intern entrants entering as SSW when the SSW channel is open without SSW input.
SSW_SHARE = "ssw.counterfactual_intern_share"
#: Generator cell of the intern -> SSW diversion draw (status codes are the other cells).
DIVERSION_CELL = 1000 + int(Status.SPECIFIED_SKILLED_WORKER)
_VISITOR, _INTERN, _SSW = (int(Status.TEMPORARY_VISITOR), int(Status.TECHNICAL_INTERN),
                          int(Status.SPECIFIED_SKILLED_WORKER))


def permit_months(month, status: int) -> int:
    """Length of a first permit in ``status`` (behaviour assumptions capped by the legal maximum)."""
    b = month.b
    if status == Status.COLLEGE_STUDENT and not month.rule("channel_open", Status.PRE_COLLEGE_STUDENT):
        status = Status.PRE_COLLEGE_STUDENT  # language school first (2010 merger)
    legal_max = month.rule("max_stay_months", Status(status))
    if status == Status.TECHNICAL_INTERN:
        return int(legal_max)
    length = {
        Status.PRE_COLLEGE_STUDENT: b["pre_college_months"],
        Status.COLLEGE_STUDENT: b["college_months"],
        Status.TRAINEE: b["trainee_months"],
        Status.ENTERTAINER: b["entertainer_months"],
    }.get(Status(status), b["renewable_permit_months"])
    if legal_max:
        length = min(length, legal_max)
    return max(int(length), 1)


def permit_table(month) -> np.ndarray:
    """First-permit length by status this month. It reads only parameters (``channel_open``
    and ``max_stay_months``, both plain parameter lookups, and behaviour values), so it is
    computed once per law epoch of the run (``Month.per_epoch``)."""
    return month.per_epoch("permit_table", lambda: np.array(
        [permit_months(month, s) if s != Status.OVERSTAYER else 0 for s in range(len(Status))]))


def official_ssw_input_absent(month, expected: np.ndarray) -> bool:
    """Whether this month has no official SSW inflow: the input is zero, or the SSW status had
    not been legislated yet (``ssw.legislated``, 2018-12-14), so any SSW input could not be
    observed entries."""
    if expected[Status.SPECIFIED_SKILLED_WORKER].sum() <= 0:
        return True
    return not bool(month.params.value("ssw.legislated", month.date))


def ssw_counterfactual_share(month, expected: np.ndarray) -> float:
    """Share of this month's technical-intern entrants who enter as SSW instead.

    Why: the SSW data start in 2019-04, so a reform opening the channel earlier has no
    observed SSW entrants, and entries added on top of the interns would leave the interns,
    and their running away (M3), untouched. Where the channel is open and the official SSW
    input is absent, ``ssw.counterfactual_intern_share`` (an assumption) of the intern
    entrants come through the SSW door, with its job mobility. 0 in the law as shipped: the
    channel is closed before 2019-04, after the status was legislated (2018-12-14).
    """
    if not month.rule("channel_open", Status.SPECIFIED_SKILLED_WORKER):
        return 0.0
    if not official_ssw_input_absent(month, expected):
        return 0.0
    return float(month.params.value(SSW_SHARE, month.date))


def divert_to_ssw(month, counts: np.ndarray, share: float) -> np.ndarray:
    """Binomial number of SSW entrants among the intern entrants ``counts`` (by nationality).

    Why binomial after the intern draw: the interns that stay interns keep the ids (ranks)
    and so the attributes they have in the baseline run (common random numbers); the draw
    has its own generator (cell ``DIVERSION_CELL``), so no other entry count moves.
    """
    rng = draws.cell_rng(month.seed, month.m, Stream.ENTRIES, DIVERSION_CELL)
    return rng.binomial(counts, share)


def step(month, inputs) -> None:
    """Instantiate this month's entrants into every open status (one batch per month)."""
    expected = inputs.inflows[month.m] * month.scale  # (status, nationality)
    share = ssw_counterfactual_share(month, expected)
    cells_s, cells_n, cells_c = [], [], []

    def add_cells(status: int, counts: np.ndarray) -> None:
        nats = np.flatnonzero(counts)
        cells_s.extend([status] * nats.size)
        cells_n.extend(nats.tolist())
        cells_c.extend(counts[nats].tolist())

    for status in np.flatnonzero(expected.sum(axis=1) > 0).tolist():
        if status == _VISITOR:
            continue  # visitors are thinned in visitors.py
        rng = draws.cell_rng(month.seed, month.m, Stream.ENTRIES, status)
        counts = rng.poisson(expected[status])
        if status == _INTERN and share > 0:
            ssw = divert_to_ssw(month, counts, share)
            counts = counts - ssw
            add_cells(_SSW, ssw)
        add_cells(status, counts)
    enter(month, cells_s, cells_n, cells_c, kind=0, mechanism="M1")


def enter(month, statuses, nationalities, counts, kind: int, mechanism: str,
          status_at_overstay=None) -> slice:
    """Add the persons of several (status, nationality) cells with deterministic ids."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.sum() == 0:
        return slice(len(month.pop), len(month.pop))
    ids = draws.cell_agent_ids(month.m, statuses, nationalities, counts, kind=kind)
    status = np.repeat(np.asarray(statuses, dtype=np.uint8), counts)
    values = {}
    if status_at_overstay is not None:
        values["status_at_overstay"] = np.repeat(np.asarray(status_at_overstay, dtype=np.uint8), counts)
    rows = month.add(status, mechanism, agent_id=ids,
                     nationality=np.repeat(np.asarray(nationalities, dtype=np.uint8), counts),
                     sampled=draws.sampled(ids, month.state.get("event_sample", 0.0)), **values)
    industry.draw_attributes(month, rows)
    table = permit_table(month)
    legal = status != Status.OVERSTAYER
    expiry = month.pop.expiry[rows]
    expiry[legal] = month.m + table[status[legal]]
    month.pop.expiry[rows] = expiry
    return rows


def initial_population(month, inputs) -> None:
    """The stock on the start date (``Inputs.initial``), scaled, with spread-out histories."""
    table = inputs.initial
    if table is None or len(table) == 0:
        return
    rng = draws.cell_rng(month.seed, -1, Stream.INITIAL, 0)
    counts = draws.stochastic_round(rng, table["count"].to_numpy(float) * month.scale)
    sao = table["status_at_overstay"].to_numpy(np.int64)
    sao = np.where(sao < 0, NEVER, sao)
    statuses = table["status"].to_numpy(np.int64)
    # One id cell per table row (status, nationality, status at overstay).
    ids = draws.cell_agent_ids(month.m, statuses * 256 + sao, table["nationality"].to_numpy(np.int64), counts, kind=1000)
    status = np.repeat(statuses.astype(np.uint8), counts)
    rows = month.add(status, "M1", agent_id=ids,
                     nationality=np.repeat(table["nationality"].to_numpy(np.uint8), counts),
                     status_at_overstay=np.repeat(sao.astype(np.uint8), counts))
    industry.draw_attributes(month, rows)
    pop = month.pop
    idx = np.arange(rows.start, rows.stop)
    u = month.uniforms(idx, Stream.ATTR_EXPIRY)
    over = status == Status.OVERSTAYER
    tenure = (u * INITIAL_TENURE_MONTHS).astype(np.int16)
    length = permit_table(month)[status]
    expiry = np.where(over, pop.expiry[idx], (1 + u * length).astype(np.int16))
    pop.expiry[idx] = expiry
    pop.entry_month[idx] = np.where(over, -tenure - 3, expiry - length)
    pop.status_start[idx] = np.where(over, -tenure, pop.entry_month[idx])
    pop.ledger_month[idx] = pop.status_start[idx]
