"""The labour-demand cycle (M2, §4.1): the job-openings ratio scales overstay and runaway
propensities. Shortages pulled side-door migrants into small firms; when demand falls
(1990s bust, 2009) the pull weakens. The elasticity is ``behaviour.labour_demand_elasticity``
and enters every propensity through ``Month.pull``; this module only documents and exposes
the driver.
"""

from __future__ import annotations

import numpy as np

MECHANISM = "M2"
SECTION = "§4.1"


def demand_multiplier(job_openings_ratio: float, elasticity: float) -> float:
    """Multiplier of overstay/runaway propensities: (job-openings ratio)^elasticity."""
    return float(np.power(max(job_openings_ratio, 0.05), elasticity))
