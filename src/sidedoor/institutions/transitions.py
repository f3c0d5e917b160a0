"""The graph of allowed transitions between legal statuses, each tied to a mechanism.

An edge says the law (or its practice) lets a person move from one status to another; each
edge names its mechanism (M1-M8 of MECHANISMS.md), the paper section, and the dated boolean
parameters that must all be true for it to be in force (e.g. asylum applicant -> designated
activities with a work permit exists only from March 2010; SSW only from April 2019).

Entries from abroad are not edges (see ``rules.channel_open``). An overstayer who applies for
asylum without obtaining a status stays ``OVERSTAYER`` with a pending application (protected
by ``rules.deportable``); the edge OVERSTAYER -> ASYLUM_APPLICANT is for those granted a stay.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sidedoor.institutions.entry import in_force
from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.statuses import Status

S = Status

MECHANISMS: dict[str, str] = {
    "M1": "Entry channels",
    "M2": "Labour-market niche",
    "M3": "Side door to back door",
    "M4": "Migration industry",
    "M5": "Refugee recognition system",
    "M6": "Special permission for residence",
    "M7": "Enforcement",
    "M8": "Political system",
}


class TransitionError(ValueError):
    """A status change that the law does not allow (not in the graph, or not in force)."""


@dataclass(frozen=True)
class Transition:
    src: Status
    dst: Status
    mechanism: str
    section: str
    description: str
    enabled_by: tuple[str, ...] = ()

    def in_force(self, date: dt.date, params: ParameterSet) -> bool:
        """True when every enabling parameter is true on ``date`` (false before it exists)."""
        return all(bool(in_force(params, name, date, before=False)) for name in self.enabled_by)

    @property
    def label(self) -> str:
        return f"{self.src.label} -> {self.dst.label}"


def _t(src, dst, mech, section, description, *enabled_by) -> Transition:
    return Transition(S(src), S(dst), mech, section, description, tuple(enabled_by))


TRANSITIONS: tuple[Transition, ...] = (
    # M3: side doors to the back door (overstaying a time-limited status)
    _t(S.TEMPORARY_VISITOR, S.OVERSTAYER, "M3", "§4.1, note 8", "visitor overstays (Fernand)"),
    _t(S.PRE_COLLEGE_STUDENT, S.OVERSTAYER, "M3", "§4.2", "language student overstays (Dat)"),
    _t(S.COLLEGE_STUDENT, S.OVERSTAYER, "M3", "§4.2", "student overstays (Min)"),
    _t(S.TRAINEE, S.OVERSTAYER, "M3", "§4.1", "trainee overstays"),
    _t(S.TECHNICAL_INTERN, S.OVERSTAYER, "M3", "§4.2, Table 1", "a runaway intern's permit lapses (Thanh)"),
    _t(S.ENTERTAINER, S.OVERSTAYER, "M3", "§4.1", "entertainer overstays"),
    _t(S.NIKKEI_LONG_TERM_RESIDENT, S.OVERSTAYER, "M3", "§4.1", "long-term resident overstays"),
    _t(S.SPOUSE_OF_JAPANESE, S.OVERSTAYER, "M3", "§5.2", "spouse status lapses"),
    _t(S.SPECIFIED_SKILLED_WORKER, S.OVERSTAYER, "M3", "§4.1", "SSW worker overstays"),
    _t(S.LABOUR_MIGRANT, S.OVERSTAYER, "M3", "§6", "labour migrant overstays (counterfactual)"),
    # M1: changes of status inside Japan
    _t(S.PRE_COLLEGE_STUDENT, S.COLLEGE_STUDENT, "M1", "§4.2", "language student enters higher education"),
    _t(S.TRAINEE, S.TECHNICAL_INTERN, "M1", "note 4", "trainee becomes intern after the training year",
       "entry_channels.technical_intern_open"),
    _t(S.TECHNICAL_INTERN, S.SPECIFIED_SKILLED_WORKER, "M1", "§4.1", "intern moves to SSW",
       "ssw.channel_open"),
    _t(S.COLLEGE_STUDENT, S.SPECIFIED_SKILLED_WORKER, "M1", "§4.1", "student moves to SSW",
       "ssw.channel_open"),
    _t(S.TEMPORARY_VISITOR, S.SPOUSE_OF_JAPANESE, "M1", "§5.2", "visitor marries a Japanese national"),
    _t(S.ENTERTAINER, S.SPOUSE_OF_JAPANESE, "M1", "§5.2", "entertainer marries a Japanese national"),
    # M5: the refugee recognition system as a side door
    _t(S.TEMPORARY_VISITOR, S.ASYLUM_APPLICANT, "M5", "§5.1", "visitor applies for asylum (Meriam)",
       "asylum.recognition_active"),
    _t(S.PRE_COLLEGE_STUDENT, S.ASYLUM_APPLICANT, "M5", "§5.1", "former student applies",
       "asylum.recognition_active"),
    _t(S.COLLEGE_STUDENT, S.ASYLUM_APPLICANT, "M5", "§5.1", "former student applies",
       "asylum.recognition_active"),
    _t(S.TRAINEE, S.ASYLUM_APPLICANT, "M5", "§5.1", "trainee applies", "asylum.recognition_active"),
    _t(S.TECHNICAL_INTERN, S.ASYLUM_APPLICANT, "M5", "§5.1", "former intern applies",
       "asylum.recognition_active"),
    _t(S.OVERSTAYER, S.ASYLUM_APPLICANT, "M5", "§5.1", "overstayer applies and is granted a stay",
       "asylum.recognition_active"),
    _t(S.ASYLUM_APPLICANT, S.ASYLUM_APPLICANT_WORK_PERMIT, "M5", "§5.1",
       "designated activities with a work permit (from 2010)", "asylum.work_permit_enabled"),
    _t(S.ASYLUM_APPLICANT_WORK_PERMIT, S.ASYLUM_APPLICANT, "M5", "§5.1",
       "work permit not extended (2018 screening)", "asylum.screening_active"),
    _t(S.ASYLUM_APPLICANT, S.OVERSTAYER, "M5", "§5.1", "rejected; status ends (limbo)"),
    _t(S.ASYLUM_APPLICANT_WORK_PERMIT, S.OVERSTAYER, "M5", "§5.1",
       "rejected or permit withdrawn; designated-activities overstayer"),
    _t(S.ASYLUM_APPLICANT, S.RECOGNIZED_REFUGEE, "M5", "§5.1", "recognised (<1% a year)",
       "asylum.recognition_active"),
    _t(S.ASYLUM_APPLICANT_WORK_PERMIT, S.RECOGNIZED_REFUGEE, "M5", "§5.1", "recognised",
       "asylum.recognition_active"),
    _t(S.PROVISIONAL_RELEASE, S.RECOGNIZED_REFUGEE, "M5", "§5.1", "recognised on appeal",
       "asylum.recognition_active"),
    _t(S.DETAINED, S.PROVISIONAL_RELEASE, "M5", "§5.1", "non-refoulement: released, cannot be removed"),
    # M6: the only legalisation channel
    _t(S.OVERSTAYER, S.SPR_REGULARIZED, "M6", "§5.2", "SPR after surrender (Wei)"),
    _t(S.DETAINED, S.SPR_REGULARIZED, "M6", "§5.2", "SPR in deportation procedure"),
    _t(S.PROVISIONAL_RELEASE, S.SPR_REGULARIZED, "M6", "§5.2", "SPR after long limbo"),
    # M7: enforcement
    _t(S.OVERSTAYER, S.DETAINED, "M7", "§1, §6", "detected in raid or street check"),
    _t(S.ASYLUM_APPLICANT, S.DETAINED, "M7", "§5.1", "applicant without status detained"),
    _t(S.PROVISIONAL_RELEASE, S.DETAINED, "M7", "§5.1", "re-detained"),
    _t(S.DETAINED, S.DEPORTED, "M7", "§1, §6", "deported"),
    _t(S.PROVISIONAL_RELEASE, S.DEPORTED, "M7", "§5.1", "removed after final rejection"),
    _t(S.OVERSTAYER, S.DEPORTED, "M7", "§6", "surrenders and is deported without detention"),
    _t(S.OVERSTAYER, S.DEPARTED, "M7", "§6", "leaves under a departure order (from 2004-12-02)",
       "enforcement.departure_order_available"),
    # M1: ordinary departures from legal statuses
    *(
        _t(s, S.DEPARTED, "M1", "§4", "leaves Japan at the end of stay")
        for s in (
            S.TEMPORARY_VISITOR, S.PRE_COLLEGE_STUDENT, S.COLLEGE_STUDENT, S.TRAINEE,
            S.TECHNICAL_INTERN, S.NIKKEI_LONG_TERM_RESIDENT, S.ENTERTAINER, S.SPOUSE_OF_JAPANESE,
            S.SPECIFIED_SKILLED_WORKER, S.LABOUR_MIGRANT, S.ASYLUM_APPLICANT,
            S.ASYLUM_APPLICANT_WORK_PERMIT, S.RECOGNIZED_REFUGEE, S.SPR_REGULARIZED,
            S.PROVISIONAL_RELEASE,
        )
    ),
)

_BY_PAIR: dict[tuple[Status, Status], Transition] = {(t.src, t.dst): t for t in TRANSITIONS}
assert len(_BY_PAIR) == len(TRANSITIONS), "duplicate transition in TRANSITIONS"


def transition(src: Status, dst: Status) -> Transition | None:
    """The edge src -> dst, or None if the graph has none."""
    return _BY_PAIR.get((Status(src), Status(dst)))


def transitions_on(date: dt.date, params: ParameterSet) -> list[Transition]:
    """Transitions in force on ``date``."""
    return [t for t in TRANSITIONS if t.in_force(date, params)]


def check_transition(src: Status, dst: Status, date: dt.date, params: ParameterSet) -> Transition:
    """Return the edge src -> dst if allowed on ``date``; raise ``TransitionError`` saying why not."""
    src, dst = Status(src), Status(dst)
    edge = transition(src, dst)
    if edge is None:
        allowed = ", ".join(t.dst.label for t in TRANSITIONS if t.src == src) or "none"
        raise TransitionError(
            f"no transition {src.label} -> {dst.label} in the status graph; "
            f"allowed from {src.label}: {allowed}"
        )
    off = [n for n in edge.enabled_by if not in_force(params, n, date, before=False)]
    if off:
        raise TransitionError(
            f"transition {edge.label} is not in force on {date}: {', '.join(off)} is false "
            f"({edge.mechanism}, paper {edge.section})"
        )
    return edge


def allowed_matrix(date: dt.date, params: ParameterSet) -> np.ndarray:
    """Boolean matrix [src, dst] of the transitions in force (staying put is always allowed),
    for checking a whole population's moves at once."""
    n = len(Status)
    out = np.eye(n, dtype=bool)
    for t in transitions_on(date, params):
        out[t.src, t.dst] = True
    return out


def check_transitions(src: np.ndarray, dst: np.ndarray, date: dt.date, params: ParameterSet) -> None:
    """Vectorised ``check_transition`` for the engine: raises on the first illegal move."""
    ok = allowed_matrix(date, params)[np.asarray(src, dtype=np.intp), np.asarray(dst, dtype=np.intp)]
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        check_transition(Status(int(src[i])), Status(int(dst[i])), date, params)
