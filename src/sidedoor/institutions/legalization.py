"""Special permission for residence, the only legalisation channel (M6; paper §5.2).

Discretionary and never reasoned, so modelled as a grant probability per decided case:
base x regime multiplier x case factors, capped at 1. Regimes: restrictive before 2003;
generous 2003-2005 (>10,000 grants a year); the October 2006 guideline (revised July 2009)
favouring marriage to a Japanese national; tightening after 2012 where a child matters;
application-based SPR from 2024-06-10 (treated like the post-2012 regime, an assumption).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sidedoor.institutions.parameters import ParameterError, ParameterSet

#: Regimes of ``spr.regime`` and the parameter holding each regime's multiplier (None = 1.0,
#: the reference guideline regime). Regimes where a child counts are listed in CHILD_REGIMES.
REGIME_MULTIPLIER: dict[str, str | None] = {
    "restrictive_1980s": "spr.multiplier_restrictive_1980s",
    "generous_2003": "spr.multiplier_generous_2003",
    "guideline_2006": None,
    "guideline_2009": None,
    "tightened_post_2012": "spr.multiplier_tightened_post_2012",
    "application_2024": "spr.multiplier_tightened_post_2012",
}
CHILD_REGIMES = frozenset({"tightened_post_2012", "application_2024"})


def spr_regime(date: dt.date, params: ParameterSet) -> str:
    """Name of the SPR regime in force on ``date``."""
    regime = str(params.value("spr.regime", date))
    if regime not in REGIME_MULTIPLIER:
        raise ParameterError(f"spr.regime: unknown regime {regime!r}; known: {sorted(REGIME_MULTIPLIER)}")
    return regime


def spr_grant_propensity(
    married: np.ndarray,
    child: np.ndarray,
    criminal_record: np.ndarray,
    years_resident: np.ndarray,
    date: dt.date,
    params: ParameterSet,
) -> np.ndarray:
    """Probability that each SPR case decided on ``date`` is granted (M6, §5.2).

    The paper's cases come out ordered: Wei (married, no child, criminal record) in 2003 has a
    higher propensity than Toumani (married, no child, no record) in 2018.
    """
    regime = spr_regime(date, params)
    mult_name = REGIME_MULTIPLIER[regime]
    mult = 1.0 if mult_name is None else float(params.value(mult_name, date))
    base = float(params.value("spr.base_grant_probability", date)) * mult
    married = np.asarray(married, dtype=bool)
    p = base * np.where(married, 1.0, float(params.value("spr.unmarried_factor", date)))
    if regime in CHILD_REGIMES:
        weight = float(params.value("spr.child_weight_tightened_post_2012", date))
        p = p * np.where(np.asarray(child, dtype=bool), weight, 1.0)
    record = np.asarray(criminal_record, dtype=bool)
    p = p * np.where(record, float(params.value("spr.criminal_record_factor", date)), 1.0)
    years = np.minimum(np.asarray(years_resident, dtype=float),
                       float(params.value("spr.residence_bonus_max_years", date)))
    p = p * (1.0 + float(params.value("spr.residence_bonus_per_year", date)) * np.maximum(years, 0.0))
    return np.clip(p, 0.0, 1.0)
