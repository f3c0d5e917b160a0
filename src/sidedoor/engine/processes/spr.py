"""Special permission for residence (M6; §5.2): the only legalization channel.

SPR is decided only inside deportation procedures, at the Minister's discretion: a case is
granted with ``spr_grant_propensity`` (marriage to a Japanese national, a child, no criminal
record, years of residence, and a regime that shifts with politics). Married overstayers
turn themselves in to ask for it (a self-report hazard); others meet it when detected.
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine.draws import Stream
from sidedoor.engine.processes import migration_industry as industry
from sidedoor.institutions import rules
from sidedoor.institutions.statuses import Status

MECHANISM = "M6"
SECTION = "§5.2"


def decide(month, idx: np.ndarray) -> np.ndarray:
    """Grant SPR to some of the decided detention cases ``idx``; return the rest."""
    pop, m = month.pop, month.m
    if idx.size == 0:
        return idx
    years = (m - pop.entry_month[idx]) / 12.0
    p = rules.spr_grant_propensity(pop.married_to_japanese[idx], pop.child[idx], pop.criminal_record[idx],
                                   years, month.date, month.params)
    granted = month.uniforms(idx, Stream.SPR) < p
    win = idx[granted]
    month.move(win, Status.SPR_REGULARIZED, "M6")
    pop.expiry[win] = m + int(month.b["renewable_permit_months"])
    pop.set_wage(win, np.float32(industry.wage(month, Status.SPR_REGULARIZED)), m)
    month.count("spr_granted", win)
    return idx[~granted]


def step(month, inputs=None) -> None:
    """Married overstayers turn themselves in to ask for SPR (processed in procedures)."""
    pop = month.pop
    idx = month.groups.of(Status.OVERSTAYER)
    if idx.size == 0:
        return
    # Only the married are at risk: the filter is folded into the draw.
    go = month.below_by(idx, Stream.SPR + 100, np.array([0.0, month.b["self_report_hazard_married"]]),
                        pop.married_to_japanese)
    month.move(go, Status.DETAINED, "M6")
    pop.self_reported[go] = True
    month.count("deportations", go)
