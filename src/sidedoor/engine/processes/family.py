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
    # Hazards by (married, has a child): the filters are folded into the draw (0 = not at risk).
    wed = month.below_by(idx, Stream.MARRIAGE, np.array([b["marriage_hazard"], 0.0]), pop.married_to_japanese)
    pop.married_to_japanese[wed] = True
    born = month.below_by(idx, Stream.CHILD, np.array([[0.0, 0.0], [b["child_hazard"], 0.0]]),
                          pop.married_to_japanese, pop.child)
    pop.child[born] = True
