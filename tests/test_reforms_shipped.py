"""Each shipped reform loads and changes exactly what it says (and cites the paper)."""

import datetime as dt

import numpy as np
import pytest

from sidedoor.institutions import Status, load_parameters
from sidedoor.institutions import rules
from sidedoor.institutions.reforms import ReformError, list_reforms, load_named_reform
from sidedoor.nationalities import Nationality as N

D = dt.date
SHIPPED = {
    "null", "no-2004-crackdown", "labour-front-door-1990", "intern-job-mobility", "broker-fee-cap",
    "spr-2005-regime", "no-2010-work-permit", "no-2018-screening", "no-visa-suspension",
    "ssw-from-2010", "no-2023-revision",
}


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def reformed(name, params):
    return load_named_reform(name, params).apply(params)


def test_all_named_reforms_are_shipped():
    assert SHIPPED <= set(list_reforms())


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_each_reform_cites_the_paper(name, params):
    reform = load_named_reform(name, params)
    assert reform.name == name
    if name != "null":
        assert "§" in reform.reference or "note" in reform.reference


def test_unknown_reform_name_suggests(params):
    with pytest.raises(ReformError, match="did you mean no-2018-screening"):
        load_named_reform("no-2018-screenin", params)


def test_null_changes_nothing(params):
    q = reformed("null", params)
    for p in params:
        assert q[p.name].values == p.values


def test_no_2004_crackdown(params):
    q = reformed("no-2004-crackdown", params)
    assert rules.enforcement_intensity(D(2006, 1, 1), q) == 1.0
    assert rules.enforcement_intensity(D(2006, 1, 1), params) > 1.0


def test_labour_front_door_1990(params):
    q = reformed("labour-front-door-1990", params)
    assert rules.channel_open(Status.LABOUR_MIGRANT, D(1990, 2, 1), q)
    assert rules.may_change_employer(Status.LABOUR_MIGRANT, D(1990, 2, 1), q)
    assert not rules.channel_open(Status.LABOUR_MIGRANT, D(1990, 2, 1), params)


def test_intern_job_mobility(params):
    q = reformed("intern-job-mobility", params)
    assert rules.may_change_employer(Status.TECHNICAL_INTERN, D(2000, 1, 1), q)


def test_broker_fee_cap(params):
    q = reformed("broker-fee-cap", params)
    assert rules.broker_fee_cap(D(2015, 1, 1), q) == 200000


def test_spr_2005_regime(params):
    q = reformed("spr-2005-regime", params)
    args = [np.array([True]), np.array([False]), np.array([False]), np.array([5.0])]
    assert rules.spr_grant_propensity(*args, D(2018, 1, 1), q)[0] > rules.spr_grant_propensity(*args, D(2018, 1, 1), params)[0]
    assert rules.spr_regime(D(2018, 1, 1), q) == "generous_2003"


def test_no_2010_work_permit(params):
    q = reformed("no-2010-work-permit", params)
    args = (np.array([7]), np.array([-1], np.int8), np.array([1]), D(2017, 6, 1))
    assert not rules.asylum_may_work(*args, q)[0] and rules.asylum_may_work(*args, params)[0]


def test_no_2018_screening(params):
    q = reformed("no-2018-screening", params)
    args = (np.array([7]), np.array([2], np.int8), np.array([1]), D(2018, 2, 1))
    assert rules.asylum_may_work(*args, q)[0] and not rules.asylum_may_work(*args, params)[0]


def test_no_visa_suspension(params):
    q = reformed("no-visa-suspension", params)
    nats = np.array([N.PAKISTAN, N.BANGLADESH, N.IRAN], dtype=np.uint8)
    assert rules.visa_exempt(nats, D(1995, 1, 1), q).all()
    assert not rules.visa_exempt(nats, D(1995, 1, 1), params).any()


def test_ssw_from_2010(params):
    q = reformed("ssw-from-2010", params)
    assert rules.channel_open(Status.SPECIFIED_SKILLED_WORKER, D(2010, 5, 1), q)
    assert rules.max_stay_months(Status.SPECIFIED_SKILLED_WORKER, D(2010, 5, 1), q) == 60


def test_no_2023_revision(params):
    q = reformed("no-2023-revision", params)
    args = (np.array([True]), np.array([3]), D(2025, 1, 1))
    assert not rules.deportable(*args, q)[0] and rules.deportable(*args, params)[0]


def test_reform_with_stop_restores_the_law(params):
    from sidedoor.institutions.reforms import load_reform_dict

    r = load_reform_dict({"name": "t", "description": "d", "reference": "§5.1", "changes": [
        {"parameter": "asylum.work_permit_enabled", "value": False, "start": "2010-03-01", "stop": "2015-01-01"}]}, params)
    q = r.apply(params)
    assert not q.value("asylum.work_permit_enabled", D(2012, 1, 1))
    assert q.value("asylum.work_permit_enabled", D(2016, 1, 1))
