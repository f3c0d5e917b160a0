"""Marriage to a Japanese national and children (M6; §5.2): the grounds SPR looks at.

The 2006 guideline (revised 2009) favours marriage; after about 2012 a child seems to
matter. Overstayers marry at ``marriage_hazard``; married couples have a child at
``child_hazard`` (both behavioural assumptions or calibrated).
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine.draws import Stream
from sidedoor.institutions.statuses import Status

MECHANISM = "M6"
SECTION = "§5.2"


def step(month, inputs=None) -> None:
    pop, b = month.pop, month.b
    idx = month.groups.of(Status.OVERSTAYER)
    if idx.size == 0:
        return
    single = idx[~pop.married_to_japanese[idx]]
    wed = single[month.uniforms(single, Stream.MARRIAGE) < b["marriage_hazard"]]
    pop.married_to_japanese[wed] = True
    married = idx[pop.married_to_japanese[idx] & ~pop.child[idx]]
    born = married[month.uniforms(married, Stream.CHILD) < b["child_hazard"]]
    pop.child[born] = True
