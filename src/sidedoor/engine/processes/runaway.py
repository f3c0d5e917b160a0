"""Technical interns running away (M3; §4.2, Table 1): the official "disappeared" count.

Interns cannot change employer (``may_change_employer``): debt to intermediaries, abuse and
wages below the promise leave running away as the only exit, to a job at about twice the
wage. The monthly hazard rises with the debt-to-surplus ratio, abuse, the wage gap and
labour demand, and falls with enforcement; a right to change employer (a reform) cuts it.

Running away is not yet overstaying (assumption, the Immigration Control Act's period of
stay): the runaway keeps the intern status, now ``absconded`` and working for the
unauthorized wage, until the permit in hand lapses, and becomes an overstayer at that expiry
(``expiry.step``), whose status at overstay is technical intern. Intern permits are granted a
year at a time (TITP i: at most one year; ii and iii: renewed yearly, assumption), so the permit
in hand runs to the next anniversary of the status, on average about six months. In that
window the runaway can still apply for asylum like any intern near expiry (``asylum._apply``),
the route of many runaways into designated activities (§5.1).
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine.draws import Stream
from sidedoor.engine.processes import migration_industry as industry
from sidedoor.institutions.statuses import Status

MECHANISM = "M3"
SECTION = "§4.2"


def hazard(month, idx: np.ndarray, status: Status) -> np.ndarray:
    pop, b = month.pop, month.b
    debt_years = pop.debt_now(idx, month.m) / np.maximum(pop.surplus(idx) * 12, 1.0)
    log_h = (np.log(b["intern_runaway_hazard"]) + b["debt_effect"] * np.minimum(debt_years, 3.0)
             + month.pull(pop.nationality[idx], month.network))
    h = np.exp(log_h) * np.where(pop.abusive_employer[idx], b["abuse_runaway_multiplier"], 1.0)
    if month.rule("may_change_employer", status):
        h = h * b["employer_mobility_runaway_multiplier"]
    return np.minimum(h, 1.0)


def hazard_bound(month, status: Status) -> float:
    """An upper bound of ``hazard`` this month (debt capped at 3 years, worst nationality)."""
    b = month.b
    log_h = np.log(b["intern_runaway_hazard"]) + b["debt_effect"] * 3.0 + month.pull_table(True).max()
    h = np.exp(log_h) * max(b["abuse_runaway_multiplier"], 1.0)
    if month.rule("may_change_employer", status):
        h = h * b["employer_mobility_runaway_multiplier"]
    return float(min(h, 1.0))


def bound_table(month, status: Status) -> np.ndarray:
    """Upper bound of ``hazard`` by (nationality, abusive employer): debt capped at 3 years.

    Tighter than ``hazard_bound`` (one value for the worst nationality and an abusive
    employer), so far fewer interns need their debt brought up to date; the 1e-5 relative
    margin covers the float32 rounding of the debt term of ``hazard`` (|debt_effect| x 3 x
    1.2e-7 in the log-hazard).
    """
    b = month.b
    log_h = np.log(b["intern_runaway_hazard"]) + max(b["debt_effect"] * 3.0, 0.0) + month.pull_table(True)
    h = np.exp(log_h)[:, None] * np.array([1.0, b["abuse_runaway_multiplier"]])[None, :]
    if month.rule("may_change_employer", status):
        h = h * b["employer_mobility_runaway_multiplier"]
    return np.minimum(h, 1.0) * (1 + 1e-5)


def permit_in_hand_expiry(month, idx: np.ndarray) -> np.ndarray:
    """Expiry of the yearly permit the runaways ``idx`` hold: the next anniversary of their
    status, never later than the end of their programme."""
    pop = month.pop
    held = month.m - pop.status_start[idx].astype(np.int64)
    anniversary = month.m + 12 - np.mod(held, 12)
    return np.minimum(pop.expiry[idx].astype(np.int64), anniversary).astype(pop.expiry.dtype)


def step(month, inputs=None) -> None:
    pop = month.pop
    for status in (Status.TRAINEE, Status.TECHNICAL_INTERN):
        idx = month.groups.of(status)
        if idx.size == 0:
            continue
        # Exact thinning: u < h(x) needs u < bound first, so the hazard is computed only for
        # the few interns whose uniform falls under the bound. Those who already ran away
        # are dropped from the few candidates, not from the whole group (same draws: each
        # agent's uniform depends only on its id; the group keeps its cached ids).
        cand = month.below_by(idx, Stream.RUNAWAY, bound_table(month, status), pop.nationality, pop.abusive_employer)
        cand = cand[~pop.absconded[cand]]
        run = cand[month.uniforms(cand, Stream.RUNAWAY) < hazard(month, cand, status)]
        if run.size == 0:
            continue
        lapses = permit_in_hand_expiry(month, run)
        # Logged as an event within the status (the flow table and the pathways see it).
        month.mark(run, status, "M3")
        pop.absconded[run] = True
        pop.expiry[run] = lapses
        pop.set_wage(run, np.float32(industry.wage(month, Status.OVERSTAYER)), month.m)
        pop.employer_size[run] = 0
        month.count("interns_disappeared", run)
