"""Parameter-file checks added with the loader hardening (fuzz findings)."""

import datetime as dt

import pytest

from sidedoor.institutions import load_parameters
from sidedoor.institutions.legalization import REGIME_MULTIPLIER
from sidedoor.institutions.parameters import ParameterError, load_file


def test_spr_regime_choices_are_the_regimes_the_rule_knows():
    assert sorted(load_parameters()["spr.regime"].choices) == sorted(REGIME_MULTIPLIER)


def test_engine_parameters_are_not_reformable_but_policy_ones_are():
    params = load_parameters()
    assert not params["behaviour.detection_hazard"].reformable
    assert params["asylum.screening_active"].reformable


@pytest.mark.parametrize("values, reason", [
    ("      0: 0.5\n", "not a date"),
    ("      2018-02-30: 0.5\n", "not valid YAML"),
    ("      2018-01-01: 1000000000000000000000\n", "finite number"),
])
def test_bad_dated_values_name_file_and_reason(tmp_path, values, reason):
    path = tmp_path / "x.yaml"
    path.write_text("parameters:\n  p:\n    description: d\n    unit: rate\n"
                    "    provenance: paper\n    reference: r\n    values:\n" + values)
    with pytest.raises(ParameterError, match=reason) as err:
        load_file(path)
    assert str(path) in str(err.value)


def test_months_of_one_law_epoch_see_the_same_law():
    """``ParameterSet.epoch`` (the engine computes its parameter-only tables once per epoch):
    every parameter has the same value on all dates of an epoch, and a new dated value
    starts a new epoch."""
    params = load_parameters()
    months = [dt.date(y, m, 1) for y in range(1990, 2026) for m in range(1, 13)]
    by_epoch: dict[int, list[dt.date]] = {}
    for d in months:
        by_epoch.setdefault(params.epoch(d), []).append(d)
    assert 20 < len(by_epoch) < len(months)
    for dates in by_epoch.values():
        law = params.at(dates[0])
        assert all(params.at(d) == law for d in dates[1:])
    day = dt.date(2001, 3, 1)
    assert params.epoch(day) == params.epoch(dt.date(2001, 2, 1))  # no change on that day
    reformed = params.override("titp.max_stay_months", 48, day)
    assert reformed.epoch(day) == reformed.epoch(dt.date(2001, 2, 1)) + 1
