"""The status graph: every move names its mechanism and section and is in force only when the
law allowed it."""

import datetime as dt
import re

import numpy as np
import pytest

from sidedoor.institutions import Status, load_parameters
from sidedoor.institutions.transitions import (
    TRANSITIONS, TransitionError, check_transition, check_transitions, transitions_on,
)

D = dt.date


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def test_every_transition_names_mechanism_and_section(params):
    for t in TRANSITIONS:
        assert re.fullmatch(r"M[1-8]", t.mechanism), t.label
        assert t.section.strip() and t.description.strip(), t.label
        for name in t.enabled_by:
            assert name in params, f"{t.label}: unknown enabling parameter {name}"


def test_work_permit_transition_exists_only_from_2010(params):
    with pytest.raises(TransitionError, match="not in force on 2009-06-01.*asylum.work_permit_enabled"):
        check_transition(Status.ASYLUM_APPLICANT, Status.ASYLUM_APPLICANT_WORK_PERMIT, D(2009, 6, 1), params)
    check_transition(Status.ASYLUM_APPLICANT, Status.ASYLUM_APPLICANT_WORK_PERMIT, D(2011, 1, 1), params)


def test_ssw_only_from_april_2019(params):
    with pytest.raises(TransitionError):
        check_transition(Status.TECHNICAL_INTERN, Status.SPECIFIED_SKILLED_WORKER, D(2019, 3, 1), params)
    check_transition(Status.TECHNICAL_INTERN, Status.SPECIFIED_SKILLED_WORKER, D(2019, 5, 1), params)


def test_departure_order_only_from_2004_12_02(params):
    with pytest.raises(TransitionError):
        check_transition(Status.OVERSTAYER, Status.DEPARTED, D(2004, 1, 1), params)
    check_transition(Status.OVERSTAYER, Status.DEPARTED, D(2005, 1, 1), params)


def test_transition_not_in_graph_is_refused_with_the_alternatives(params):
    with pytest.raises(TransitionError, match="no transition technical_intern -> spouse_of_japanese.*allowed"):
        check_transition(Status.TECHNICAL_INTERN, Status.SPOUSE_OF_JAPANESE, D(2015, 1, 1), params)


def test_overstayers_are_legalised_only_through_spr(params):
    legal_exits = {t.dst for t in TRANSITIONS if t.src == Status.OVERSTAYER}
    assert Status.SPOUSE_OF_JAPANESE not in legal_exits and Status.SPR_REGULARIZED in legal_exits


def test_more_transitions_in_force_later(params):
    assert len(transitions_on(D(2009, 1, 1), params)) < len(transitions_on(D(2019, 6, 1), params))


def test_population_check(params):
    src = np.array([Status.OVERSTAYER, Status.TECHNICAL_INTERN], dtype=np.uint8)
    check_transitions(src, np.array([Status.DETAINED, Status.TECHNICAL_INTERN]), D(2010, 1, 1), params)
    with pytest.raises(TransitionError):
        check_transitions(src, np.array([Status.DETAINED, Status.SPR_REGULARIZED]), D(2010, 1, 1), params)
