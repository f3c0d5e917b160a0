"""Individual pathways: the paper's fieldwork cases replayed through the engine (§4-§5).

``trace`` simulates n life courses of an archetype (Min, Fernand, Dat, Thanh, Meriam, Wei,
Toumani) or of a person given by attributes, under the rules in force or a reform, and
returns the most common status sequences, the time to losing legal status, the probability of
each end and one typical path with the mechanism of every step. API in docs/CONTRACTS.md.
"""

from sidedoor.engine.cohort import CohortError
from sidedoor.pathways.archetypes import ARCHETYPES, Archetype, ArchetypeError, archetype, custom
from sidedoor.pathways.paths import ENDS
from sidedoor.pathways.trace import TraceResult, trace

__all__ = ["ARCHETYPES", "ENDS", "Archetype", "ArchetypeError", "CohortError", "TraceResult", "archetype", "custom",
           "trace"]
