"""Each dated rule, checked on both sides of its start date (paper §4-§6, MECHANISMS.md)."""

import datetime as dt

import numpy as np
import pytest

from sidedoor.institutions import Status, load_parameters
from sidedoor.institutions import rules
from sidedoor.institutions.rules import ScreeningCategory as Cat
from sidedoor.nationalities import Nationality as N

D = dt.date


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def one(x):
    return bool(np.asarray(x).ravel()[0])


# --- M1 entry channels ------------------------------------------------------------------
@pytest.mark.parametrize("status, closed_on, open_on", [
    (Status.TECHNICAL_INTERN, D(1993, 3, 1), D(1993, 5, 1)),           # note 4: TITP 1993
    (Status.SPECIFIED_SKILLED_WORKER, D(2019, 3, 1), D(2019, 5, 1)),   # §4.1: SSW April 2019
    (Status.NIKKEI_LONG_TERM_RESIDENT, D(1990, 5, 1), D(1990, 7, 1)),  # §4.1: from 1990
])
def test_channel_closed_before_and_open_after_its_start(params, status, closed_on, open_on):
    assert not rules.channel_open(status, closed_on, params)
    assert rules.channel_open(status, open_on, params)


def test_trainee_channel_open_since_before_the_model_starts(params):
    assert rules.channel_open(Status.TRAINEE, D(1985, 1, 1), params)


def test_labour_migrant_channel_closed_without_a_reform(params):
    assert not rules.channel_open(Status.LABOUR_MIGRANT, D(2020, 1, 1), params)


def test_pre_college_channel_closes_with_the_2010_merger(params):
    assert rules.channel_open(Status.PRE_COLLEGE_STUDENT, D(2010, 6, 1), params)
    assert not rules.channel_open(Status.PRE_COLLEGE_STUDENT, D(2010, 7, 1), params)


def test_no_entry_from_abroad_into_unauthorized_or_asylum_statuses(params):
    for s in (Status.OVERSTAYER, Status.ASYLUM_APPLICANT, Status.DETAINED):
        assert not rules.channel_open(s, D(2015, 1, 1), params)


@pytest.mark.parametrize("nat, exempt_on, required_on", [
    (N.PAKISTAN, D(1988, 12, 1), D(1989, 2, 1)),     # note 8: suspended 1989-01-15
    (N.BANGLADESH, D(1988, 12, 1), D(1989, 2, 1)),
    (N.IRAN, D(1991, 6, 1), D(1993, 1, 1)),          # note 8: suspended 1992 (month unverified)
])
def test_visa_exemption_suspended(params, nat, exempt_on, required_on):
    assert one(rules.visa_exempt(np.array([nat], dtype=np.uint8), exempt_on, params))
    assert not one(rules.visa_exempt(np.array([nat], dtype=np.uint8), required_on, params))


@pytest.mark.parametrize("nat, required_on, exempt_on", [
    (N.THAILAND, D(2013, 6, 1), D(2013, 7, 1)),
    (N.MALAYSIA, D(2013, 6, 1), D(2013, 7, 1)),
    (N.INDONESIA, D(2014, 11, 1), D(2014, 12, 1)),
])
def test_visa_exemption_granted(params, nat, required_on, exempt_on):
    assert not one(rules.visa_exempt(np.array([nat], dtype=np.uint8), required_on, params))
    assert one(rules.visa_exempt(np.array([nat], dtype=np.uint8), exempt_on, params))


def test_visa_exempt_is_vectorised_over_persons(params):
    nats = np.array([N.CHINA, N.IRAN, N.IRAN, N.PAKISTAN], dtype=np.uint8)
    assert rules.visa_exempt(nats, D(1990, 1, 1), params).tolist() == [False, True, True, False]


def test_border_closure_lowers_inflows_2020_to_2022(params):
    assert rules.border_inflow_factor(D(2020, 3, 1), params) == 1.0
    assert rules.border_inflow_factor(D(2020, 5, 1), params) < 0.2
    assert rules.border_inflow_factor(D(2022, 11, 1), params) == 1.0


# --- M3 side door to back door ----------------------------------------------------------
@pytest.mark.parametrize("date, months", [
    (D(1995, 1, 1), 24),   # 1993: one year of training + one of intern training
    (D(1998, 1, 1), 36),   # April 1997: + two years
    (D(2017, 10, 1), 36),
    (D(2017, 11, 1), 60),  # Technical Intern Training Act, 2017-11-01
])
def test_technical_intern_maximum_stay(params, date, months):
    assert rules.max_stay_months(Status.TECHNICAL_INTERN, date, params) == months


def test_pre_college_student_may_stay_two_years(params):
    assert rules.max_stay_months(Status.PRE_COLLEGE_STUDENT, D(1995, 1, 1), params) == 24


def test_renewable_statuses_have_no_time_limit(params):
    assert rules.max_stay_months(Status.SPOUSE_OF_JAPANESE, D(2000, 1, 1), params) == rules.NO_TIME_LIMIT


def test_technical_intern_may_not_change_employer(params):
    assert not rules.may_change_employer(Status.TECHNICAL_INTERN, D(2018, 1, 1), params)
    assert rules.may_change_employer(Status.SPECIFIED_SKILLED_WORKER, D(2020, 1, 1), params)
    assert rules.may_change_employer(Status.NIKKEI_LONG_TERM_RESIDENT, D(2000, 1, 1), params)


def test_student_work_hours(params):
    assert rules.student_work_hours(D(1982, 6, 1), params) == 0      # before the 1983 rule
    assert rules.student_work_hours(D(1990, 6, 1), params) == 28     # note 6: term
    assert rules.student_work_hours(D(1990, 8, 1), params) == 40     # note 6: vacation


def test_no_broker_fee_cap_in_the_law(params):
    assert rules.broker_fee_cap(D(2019, 1, 1), params) == float("inf")


# --- M5 refugee recognition system ------------------------------------------------------
def work(months, category, n, date, params):
    return one(rules.asylum_may_work(np.array([months]), np.array([category], dtype=np.int8),
                                     np.array([n]), date, params))


def test_asylum_work_permit_after_six_months_from_2010(params):
    assert not work(7, Cat.NOT_SCREENED, 1, D(2009, 6, 1), params)   # before the 2010 rule
    assert not work(5, Cat.NOT_SCREENED, 1, D(2017, 6, 1), params)   # 2017, month 5: not yet
    assert work(7, Cat.NOT_SCREENED, 1, D(2017, 6, 1), params)       # 2017, month 7: may work


def test_from_2018_only_category_a_may_work(params):
    assert not work(7, Cat.C, 1, D(2018, 2, 1), params)              # Feb 2018, category C: no
    assert not work(7, Cat.B, 1, D(2018, 2, 1), params)
    assert not work(7, Cat.D, 1, D(2018, 2, 1), params)
    assert work(1, Cat.A, 1, D(2018, 2, 1), params)                  # A: promptly


def test_screening_shares(params):
    assert not rules.screening_active(D(2017, 12, 1), params)
    assert rules.screening_active(D(2018, 2, 1), params)
    assert rules.screening_category_shares(D(2017, 1, 1), params).sum() == 0
    shares = rules.screening_category_shares(D(2019, 1, 1), params)
    assert shares.shape == (4,) and shares.sum() == pytest.approx(1.0) and shares[0] < 0.05


def test_repeat_applicants_are_screened_into_c_unless_a(params):
    u = np.array([0.5, 0.5, 0.0, 0.0])
    cat = rules.assign_screening_category(np.array([1, 2, 2, 1]), u, D(2019, 1, 1), params)
    assert cat.tolist() == [Cat.B, Cat.C, Cat.A, Cat.A]
    many = rules.assign_screening_category(np.ones(10_000), np.linspace(0, 1, 10_000, endpoint=False),
                                           D(2019, 1, 1), params)
    assert not (many == Cat.C).any() and {0, 1, 3} == set(many.tolist())
    before = rules.assign_screening_category(np.array([1]), np.array([0.5]), D(2017, 1, 1), params)
    assert before[0] == Cat.NOT_SCREENED


def test_pending_third_application_stops_deportation_until_2024_06_10(params):
    pending, third = np.array([True]), np.array([3])
    assert not one(rules.deportable(pending, third, D(2024, 6, 1), params))
    assert one(rules.deportable(pending, third, D(2024, 7, 1), params))
    assert not one(rules.deportable(pending, np.array([2]), D(2024, 7, 1), params))
    assert one(rules.deportable(np.array([False]), np.array([0]), D(2000, 1, 1), params))


def test_recognition_below_one_percent(params):
    assert rules.recognition_probability(D(1981, 1, 1), params) == 0
    assert 0 < rules.recognition_probability(D(2015, 1, 1), params) < 0.01


# --- M6 special permission for residence ------------------------------------------------
def spr(married, child, record, years, date, params):
    return float(rules.spr_grant_propensity(np.array([married]), np.array([child]),
                                            np.array([record]), np.array([years]), date, params)[0])


def test_wei_2003_more_likely_than_toumani_2018(params):
    wei = spr(True, False, True, 5.0, D(2003, 6, 1), params)
    toumani = spr(True, False, False, 5.0, D(2018, 6, 1), params)
    assert wei > toumani


def test_wei_toumani_order_holds_across_the_priors(params):
    for edge in ("low", "high"):
        draw = {p.name: getattr(p.prior, edge) for p in params.calibrated() if p.name.startswith("spr.")}
        draw["spr.multiplier_generous_2003"] = params["spr.multiplier_generous_2003"].prior.low
        draw["spr.multiplier_tightened_post_2012"] = params["spr.multiplier_tightened_post_2012"].prior.high
        q = params.with_values(draw)
        assert spr(True, False, True, 5, D(2003, 6, 1), q) > spr(True, False, False, 5, D(2018, 6, 1), q)


def test_after_2012_a_child_matters(params):
    assert spr(True, True, False, 5, D(2018, 6, 1), params) > spr(True, False, False, 5, D(2018, 6, 1), params)
    assert spr(True, True, False, 5, D(2008, 6, 1), params) == spr(True, False, False, 5, D(2008, 6, 1), params)


def test_spr_grants_fell_after_the_generous_years(params):
    assert spr(True, False, False, 5, D(2004, 6, 1), params) > spr(True, False, False, 5, D(2008, 6, 1), params)
    assert spr(False, False, False, 5, D(2008, 6, 1), params) < spr(True, False, False, 5, D(2008, 6, 1), params)


# --- M7 enforcement ---------------------------------------------------------------------
def test_crackdown_campaign_from_2004(params):
    assert rules.enforcement_intensity(D(2003, 6, 1), params) == 1.0
    assert rules.enforcement_intensity(D(2005, 6, 1), params) > 1.0


def test_campaigns_after_the_halving_plan_run_at_the_post_plan_strength(params):
    """1 + (campaign multiplier - 1) x strength: full strength to 2008, the plan's target year,
    then the calibrated ``post_plan_strength``. With a multiplier of 3: strength 0.5 gives 2,
    1.25 gives 3.5, and 0 brings detection back to the pre-2004 level."""
    for strength, after in ((0.5, 2.0), (1.25, 3.5), (0.0, 1.0)):
        p = params.with_values({"enforcement.campaign_multiplier": 3.0,
                                "enforcement.post_plan_strength": strength})
        assert rules.enforcement_intensity(D(2008, 12, 1), p) == pytest.approx(3.0)
        assert rules.enforcement_intensity(D(2009, 1, 1), p) == pytest.approx(after)
        assert rules.enforcement_intensity(D(2019, 6, 1), p) == pytest.approx(after)


def test_a_campaign_before_the_halving_plan_runs_at_full_strength(params):
    """A reform that starts campaigns in 1995 is not cut by the post-plan strength: the plan
    (December 2003) did not exist yet."""
    p = params.with_values({"enforcement.campaign_multiplier": 3.0, "enforcement.post_plan_strength": 0.2})
    p = p.override("enforcement.campaign_level", 1.0, D(1995, 1, 1))
    assert rules.enforcement_intensity(D(1996, 1, 1), p) == pytest.approx(3.0)
    assert rules.enforcement_intensity(D(2010, 1, 1), p) == pytest.approx(1.4)


def test_detection_lower_away_from_tokyo(params):
    f = rules.region_detection_factor(np.array([True, False]), params)
    assert f[0] == 1.0 and f[1] < 1.0


def test_departure_orders_from_2004_12_02(params):
    assert not rules.departure_order_available(D(2004, 12, 1), params)
    assert rules.departure_order_available(D(2005, 1, 1), params)


def test_rules_are_cheap_on_a_million_persons(params):
    n = 1_000_000
    rng = np.random.default_rng(0)
    nat = rng.integers(0, len(N), n).astype(np.uint8)
    assert rules.visa_exempt(nat, D(2000, 1, 1), params).shape == (n,)
    m = rng.integers(0, 24, n)
    assert rules.asylum_may_work(m, np.zeros(n, np.int8), m, D(2019, 1, 1), params).shape == (n,)
