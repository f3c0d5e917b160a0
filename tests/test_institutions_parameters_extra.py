"""Parameter-file checks added with the loader hardening (fuzz findings)."""

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
