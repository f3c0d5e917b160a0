"""Special permission for residence (M6; §5.2): the only legalization channel.

SPR is decided only inside deportation procedures, at the Minister's discretion: a case is
granted with ``spr_grant_propensity`` (marriage to a Japanese national, a child, no criminal
record, years of residence, and a regime that shifts with politics). Married overstayers
turn themselves in to ask for it (a self-report hazard that follows the regime's odds, the
paper's "perpetuation": a narrowing channel keeps spouses unauthorized); others meet it
when detected.
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


def regime_grant_ratio(month) -> np.ndarray:
    """Grant chance of a married, record-free case this month relative to the reference
    (2006/2009 guideline) regime, by child [no child, child].

    Why: turning oneself in is a bet on the Minister's discretion (§5.2: Wei applied under
    the generous 2003 regime; Toumani, refused after 2012, was discouraged). Couples read the
    regime from the grants around them, so the chance they face, not the regime's name, is
    what moves them. The reference is the regime in which ``spr.base_grant_probability``
    applies unchanged (multiplier 1).
    """
    yes, no = np.array([True, True]), np.array([False, False])
    p = rules.spr_grant_propensity(yes, np.array([False, True]), no, np.zeros(2), month.date, month.params)
    reference = min(float(month.params.value("spr.base_grant_probability", month.date)), 1.0)
    return np.asarray(p, dtype=float) / max(reference, 1e-9)


def self_report_table(month) -> np.ndarray:
    """Monthly self-report hazard by (married to a Japanese national, child).

    ``self_report_hazard_married`` at the reference regime, times the regime's grant ratio
    to the power ``self_report_regime_elasticity`` (M6 "perpetuation": a narrower channel
    keeps spouses unauthorized, a more generous one draws them out). The unmarried: 0.
    """
    b = month.b
    married = b["self_report_hazard_married"] * regime_grant_ratio(month) ** b["self_report_regime_elasticity"]
    return np.vstack([np.zeros(2), np.minimum(married, 1.0)])


def step(month, inputs=None) -> None:
    """Married overstayers turn themselves in to ask for SPR (processed in procedures), more
    often the better the regime's odds (``self_report_table``)."""
    pop = month.pop
    idx = month.groups.of(Status.OVERSTAYER)
    if idx.size == 0:
        return
    # Only the married are at risk: the filter is folded into the draw.
    go = month.below_by(idx, Stream.SPR + 100, self_report_table(month), pop.married_to_japanese, pop.child)
    month.move(go, Status.DETAINED, "M6")
    pop.self_reported[go] = True
    month.count("deportations", go)
