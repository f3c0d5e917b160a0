"""Temporary visitors by binomial thinning (M1, M3; §4.1, note 8).

Tens of millions of short-term entries must not become agents. Each visitor's fate is a
three-way draw: overstay the allowed stay (up to 90 days), apply for asylum before it ends
(the §5.1 side door, Meriam's path), or leave. Instantiating every visitor and drawing each
gives counts distributed Multinomial(entries, p); drawing the counts directly gives the
same distribution (tests/test_engine_visitors.py checks it), so only the few who stay
become agents. Overstayers appear when their permitted stay ends, three months after entry.
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine import draws
from sidedoor.engine.draws import Stream
from sidedoor.institutions.statuses import Status

MECHANISM = "M1"
SECTION = "§4.1, note 8; §5.1"

ALLOWED_STAY_MONTHS = 3  # 90 days
KIND_OVERSTAY, KIND_ASYLUM = 2, 3
MAX_OVERSTAY_PROBABILITY = 0.5
VOLUME_REFERENCE = 100_000.0  # yearly visitor entries at which dilution is 1
#: The last year before the tourism boom: from 2013-07 visa exemptions for Thailand and Malaysia
#: and multiple-entry visas for Vietnam, the Philippines and Indonesia (visa_policy_changes.csv),
#: and the model's visitor entries about tripled by 2018. Growth above a nationality's highest
#: yearly rate up to the end of this year is diluted by ``behaviour.visitor_boom_elasticity``.
BOOM_REFERENCE_YEAR = 2012


def thin(rng: np.random.Generator, entries: np.ndarray, p_overstay: np.ndarray,
         p_asylum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts of visitors who overstay and who apply for asylum, per cell.

    Sequential binomials are an exact multinomial draw: overstay ~ Bin(n, p_o), then
    asylum ~ Bin(n - overstay, p_a / (1 - p_o)).
    """
    n = np.asarray(entries, dtype=np.int64)
    p_o = np.clip(p_overstay, 0.0, 1.0)
    over = rng.binomial(n, p_o)
    rest = np.clip(p_asylum / np.maximum(1.0 - p_o, 1e-12), 0.0, 1.0)
    asylum = rng.binomial(n - over, rest)
    return over, asylum


def brute_force(seed: int, month: int, entries: np.ndarray, p_overstay: np.ndarray,
                p_asylum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference implementation: one agent per visitor, one counter-based uniform each."""
    over = np.zeros(len(entries), dtype=np.int64)
    asylum = np.zeros(len(entries), dtype=np.int64)
    for cell, n in enumerate(np.asarray(entries, dtype=np.int64)):
        ids = draws.agent_ids(month, Status.TEMPORARY_VISITOR, cell, 0, int(n), kind=9)
        u = draws.uniforms(seed, ids, month, Stream.VISITORS)
        over[cell] = np.count_nonzero(u < p_overstay[cell])
        asylum[cell] = np.count_nonzero((u >= p_overstay[cell]) & (u < p_overstay[cell] + p_asylum[cell]))
    return over, asylum


def probabilities(month, inputs) -> tuple[np.ndarray, np.ndarray]:
    """Per-nationality probabilities that a visitor overstays or applies for asylum."""
    b = month.b
    nats = np.arange(len(month.income_ratio))
    screened = np.where(month.visa_exempt, 1.0, b["visa_screening_factor"])  # rules.visa_exempt
    # Dilution depends on the usual volume, not on a border closure's temporary collapse.
    usual = inputs.visitor_entries[month.m] / max(float(month.rule("border_inflow_factor")), 1e-3)
    yearly = np.maximum(usual * 12.0, 1.0)  # scale 1
    dilution = (yearly / VOLUME_REFERENCE) ** (-b["visitor_volume_elasticity"])
    dilution = dilution * boom_dilution(yearly, inputs, b)
    p_over = b["visitor_overstay_probability"] * screened * dilution * np.exp(month.pull(nats, month.network))
    p_over = np.minimum(p_over, MAX_OVERSTAY_PROBABILITY)
    p_asy = np.full(len(nats), b["asylum_application_hazard"] * b["visitor_asylum_ratio"]
                    * month.state.get("asylum_incentive", 0.0))
    p_asy = np.minimum(p_asy, 1.0 - p_over)
    return p_over, p_asy


def boom_dilution(yearly: np.ndarray, inputs, b) -> np.ndarray:
    """Extra dilution of the growth above ``inputs.visitor_reference`` (1 at or below it).

    Why a second term: ``visitor_volume_elasticity`` is one elasticity for two contrasts, between
    nationalities (mass-tourism origins send fewer work seekers per visitor) and over time. After
    2012 visitor entries tripled while the official visitor overstayers stayed at 41,000-46,000
    (2013-2018): the boom was tourists, which a cross-nationality elasticity cannot say.
    """
    elasticity = b["visitor_boom_elasticity"]
    reference = inputs.visitor_reference
    if reference is None or elasticity == 0.0:
        return np.ones_like(yearly)
    growth = np.maximum(yearly / np.maximum(reference, 1.0), 1.0)
    return growth ** (-elasticity)


def step(month, inputs) -> None:
    """Instantiate this month's overstaying visitors and visitor asylum applicants."""
    source = max(month.m - ALLOWED_STAY_MONTHS, 0)
    rng = draws.cell_rng(month.seed, month.m, Stream.VISITORS, 0)
    entries = draws.stochastic_round(rng, inputs.visitor_entries[source] * month.scale)
    p_over, p_asy = probabilities(month, inputs)
    over, asylum = thin(rng, entries, p_over, p_asy)
    from sidedoor.engine.processes import asylum as asylum_process
    from sidedoor.engine.processes import entries

    nats = np.flatnonzero(over)
    rows = entries.enter(month, [int(Status.OVERSTAYER)] * nats.size, nats, over[nats], kind=KIND_OVERSTAY,
                         mechanism="M3", status_at_overstay=[int(Status.TEMPORARY_VISITOR)] * nats.size)
    month.pop.entry_month[rows] = month.m - ALLOWED_STAY_MONTHS
    nats = np.flatnonzero(asylum)
    rows = entries.enter(month, [int(Status.ASYLUM_APPLICANT)] * nats.size, nats, asylum[nats], kind=KIND_ASYLUM,
                         mechanism="M5")
    month.pop.expiry[rows] = month.m + asylum_process.PERMIT_MONTHS
    month.pop.entry_month[rows] = month.m - 1
    asylum_process.open_application(month, np.arange(rows.start, rows.stop), via_broker=True)
