"""Detection, detention and removal (M7, M8; §1, §6).

Each month an overstayer is detected with hazard ``detection_hazard`` x
``enforcement_intensity`` (the 2004-2008 crackdown campaign and its political drivers, M8)
x ``region_detection_factor`` (living far from Tokyo is less visible) x
``tracked_detection_multiplier`` for overstayers the authorities hold on file by name and
address: former trainees and technical interns, whose supervising organisation reports a
disappearance to the immigration authorities, and former asylum applicants (designated
activities), whose address is on their application. The ISA says that many interns reported
missing are located in deportation procedures, some within three months; in 2019 these two
groups made 4,651 and 3,238 of the 19,386 persons processed while they were about a sixth and
a fifteenth of the overstayers (ISA press release 2020-03-27). Detection opens
deportation procedures (the official "persons processed"). A detention case is resolved:
special permission for residence (spr.py), removal if ``deportable``, or provisional
release when a pending asylum application blocks removal (non-refoulement limbo).
"""

from __future__ import annotations

import numpy as np

from sidedoor.engine.context import status_mask
from sidedoor.engine.draws import Stream
from sidedoor.engine.population import AsylumStage
from sidedoor.engine.processes import migration_industry as industry
from sidedoor.engine.processes import spr
from sidedoor.institutions import rules
from sidedoor.institutions.statuses import Status

MECHANISM = "M7"
SECTION = "§1, §6"

#: Statuses at overstay whose holders the authorities track by name and address.
TRACKED_AT_OVERSTAY = status_mask((Status.TRAINEE, Status.TECHNICAL_INTERN, Status.ASYLUM_APPLICANT,
                                   Status.ASYLUM_APPLICANT_WORK_PERMIT))


def pending(pop, idx: np.ndarray) -> np.ndarray:
    stage = pop.asylum_stage[idx]
    return (stage == AsylumStage.PENDING) | (stage == AsylumStage.APPEAL)


def detection_table(month) -> np.ndarray:
    """Monthly detection hazard by [tokyo_area, status at overstay]: one value per region and
    whether the status at overstay is tracked, so the draw needs no per-agent array."""
    b = month.b
    by_region = b["detection_hazard"] * month.enforcement * month.region_factor
    tracked = np.where(TRACKED_AT_OVERSTAY, b["tracked_detection_multiplier"], 1.0)
    return np.minimum(by_region[:, None] * tracked[None, :], 1.0)


def _detect(month) -> None:
    pop, b = month.pop, month.b
    idx = month.groups.of(Status.OVERSTAYER)
    if idx.size == 0:
        return
    found = month.below_by(idx, Stream.DETECTION, detection_table(month), pop.tokyo_area, pop.status_at_overstay)
    month.move(found, Status.DETAINED, "M7")
    pop.set_wage(found, np.float32(0.0), month.m)
    pop.self_reported[found] = False
    month.count("deportations", found)


def _resolve(month) -> None:
    """Detention cases: SPR decision first, then removal or provisional release."""
    pop, b, m = month.pop, month.b, month.m
    idx = month.groups.of(Status.DETAINED)
    if idx.size == 0:
        return
    decided = month.below(idx, Stream.DETENTION, b["detained_resolution_hazard"])
    if decided.size == 0:
        return
    remaining = spr.decide(month, decided)
    can_remove = rules.deportable(pending(pop, remaining), pop.n_applications[remaining], month.date, month.params)
    removed = remaining[can_remove]
    order = np.zeros(removed.size, dtype=bool)
    if month.rule("departure_order_available"):
        # Departure orders: self-reported cases without a criminal record (from 2004-12).
        order = pop.self_reported[removed] & ~pop.criminal_record[removed]
    month.move(removed[order], Status.DEPARTED, "M7")
    month.count("departure_orders", removed[order])
    month.move(removed[~order], Status.DEPORTED, "M7")
    month.count("deported", removed[~order])
    released = remaining[~can_remove]
    month.move(released, Status.PROVISIONAL_RELEASE, "M7")
    pop.set_wage(released, np.float32(industry.wage(month, Status.PROVISIONAL_RELEASE)), m)


def _limbo(month) -> None:
    """Provisionally released persons: removed once deportable, a few leave on their own."""
    pop, b = month.pop, month.b
    idx = month.groups.of(Status.PROVISIONAL_RELEASE)
    if idx.size == 0:
        return
    can_remove = rules.deportable(pending(pop, idx), pop.n_applications[idx], month.date, month.params)
    out = month.uniforms(idx, Stream.RELEASE) < b["provisional_release_exit_hazard"] * np.where(can_remove, 3.0, 1.0)
    month.move(idx[out & can_remove], Status.DEPORTED, "M7")
    month.count("deported", idx[out & can_remove])
    month.move(idx[out & ~can_remove], Status.DEPARTED, "M7")


def step(month, inputs=None) -> None:
    _resolve(month)
    _detect(month)
    _limbo(month)
