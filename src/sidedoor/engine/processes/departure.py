"""Voluntary departure (M3, M7; §4.2, §1): target earners go home.

An overstayer who has repaid the debt and reached the savings target is much more likely to
leave. Leaving from irregular status means turning oneself in at immigration, so every such
departure is a person processed in deportation procedures: from 2004-12 (``departure_order_
available``) a departure order without detention for those without a criminal record, before
that a deportation. Refugees and SPR holders leave at a small assumed hazard.
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine.draws import Stream
from sidedoor.institutions.statuses import Status

MECHANISM = "M3"
SECTION = "§4.2"


def step(month, inputs=None) -> None:
    pop, b, m = month.pop, month.b, month.m
    idx = month.groups.of(Status.OVERSTAYER)
    if idx.size:
        # Exact thinning: h takes two values, so only agents whose uniform is below the larger
        # need their debt and savings brought up to date.
        hazard, mult = b["voluntary_departure_hazard"], b["target_departure_multiplier"]
        cand = month.below(idx, Stream.DEPARTURE, max(hazard * mult, hazard * 1.0))
        done = (pop.debt_now(cand, m) <= 0) & (pop.savings_now(cand, m) >= b["savings_target"])
        h = hazard * np.where(done, mult, 1.0)
        go = cand[month.uniforms(cand, Stream.DEPARTURE) < h]
        month.count("deportations", go)
        if month.rule("departure_order_available"):
            order = ~pop.criminal_record[go]
        else:
            order = np.zeros(go.size, dtype=bool)
        month.move(go[order], Status.DEPARTED, "M7")
        month.count("departure_orders", go[order])
        month.move(go[~order], Status.DEPORTED, "M7")
        month.count("deported", go[~order])
    settled = month.groups.of(Status.RECOGNIZED_REFUGEE, Status.SPR_REGULARIZED)
    if settled.size:
        go = month.below(settled, Stream.DEPARTURE + 100, b["legal_departure_hazard"])
        month.move(go, Status.DEPARTED, "M1")
