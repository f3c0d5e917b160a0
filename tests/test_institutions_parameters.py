"""Every policy number says where it comes from (MECHANISMS.md; parameters.py)."""

import re

import pytest

from sidedoor.institutions.parameters import PARAMETER_DIR, load_parameters
from sidedoor.institutions.rules import RULES

INSTITUTIONS = {"entry_channels", "titp", "students", "asylum", "spr", "enforcement", "ssw", "border"}


@pytest.fixture(scope="module")
def policy():
    files = sorted(PARAMETER_DIR.glob("*.yaml"))
    return load_parameters(files)


def test_one_file_per_institution():
    assert {f.stem for f in PARAMETER_DIR.glob("*.yaml")} == INSTITUTIONS


def test_every_parameter_has_provenance_and_reference(policy):
    for p in policy:
        assert p.provenance in {"data", "paper", "assumption", "calibrated"}, p.name
        assert p.reference.strip(), p.name
        assert re.fullmatch(r"M[1-8]", p.mechanism or ""), f"{p.name} names no mechanism"
        if p.provenance == "assumption":
            assert p.reason and p.reason.strip(), f"{p.name}: assumption without a reason"
        if p.provenance == "calibrated":
            assert p.prior is not None, f"{p.name}: calibrated without a prior"


def test_calibrated_policy_parameters_are_few(policy):
    assert len(policy.calibrated()) <= 10


def test_calibrated_defaults_lie_inside_their_priors(policy):
    for p in policy.calibrated():
        if p.prior.low is not None:
            assert p.prior.low <= p.values[0].value <= p.prior.high, p.name


def test_required_dated_rules_exist(policy):
    def starts(name):
        return {d.isoformat() for d in policy[name].starts}

    assert "1989-01-15" in starts("entry_channels.visa_exempt_pakistan")
    assert "1989-01-15" in starts("entry_channels.visa_exempt_bangladesh")
    assert any(s.startswith("1992") for s in starts("entry_channels.visa_exempt_iran"))
    assert any(s.startswith("1993") for s in starts("entry_channels.technical_intern_open"))
    assert "1983-01-01" in starts("students.off_campus_work_allowed")
    assert any(s.startswith("2010") for s in starts("asylum.work_permit_enabled"))
    assert any(s.startswith("2018-01") for s in starts("asylum.screening_active"))
    assert {"2003-01-01", "2006-10-01", "2009-07-01", "2013-01-01"} <= starts("spr.regime")
    assert "2004-01-01" in starts("enforcement.campaign_level")
    assert "2019-04-01" in starts("ssw.channel_open")
    assert policy.value("ssw.target_workers", __import__("datetime").date(2019, 5, 1)) == 345150
    assert any(s.startswith("2020") for s in starts("border.inflow_factor"))
    assert "2024-06-10" in starts("asylum.repeat_applications_stop_deportation")


def test_unverified_iran_month_is_flagged(policy):
    assert "unverified" in policy["entry_channels.visa_exempt_iran"].reason


def test_every_rule_names_a_mechanism_and_a_section():
    for name, (mech, section) in RULES.items():
        assert re.fullmatch(r"M[1-8]", mech) and section, name
