"""The engine's processes, one module per mechanism of the paper (MECHANISMS.md M1-M8).

Each module declares ``MECHANISM`` and ``SECTION`` and exposes ``step(month)``; every status
change goes through ``Month.move`` so it is counted in the flow table. ``ORDER`` is the
order in which ``simulate`` runs them within a month; with counter-based draws the results
of one process do not depend on the random numbers consumed by another.
"""

from sidedoor.engine.processes import (
    asylum,
    departure,
    enforcement,
    entries,
    expiry,
    family,
    labour_demand,
    runaway,
    spr,
)

ORDER = (entries, family, runaway, expiry, asylum, spr, enforcement, departure)

__all__ = ["ORDER", "asylum", "departure", "enforcement", "entries", "expiry", "family",
           "labour_demand", "runaway", "spr"]
