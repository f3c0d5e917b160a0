"""Reform files: each kind of mistake is refused with the file, the key and the reason."""

import datetime as dt
from pathlib import Path

import pytest

from sidedoor.institutions import load_parameters
from sidedoor.institutions.reforms import ReformError, load_reform, load_reform_dict, load_reform_text

GOOD_CHANGE = "  - {parameter: asylum.screening_active, value: false, start: 2018-01-15}\n"


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def reform_file(tmp_path: Path, changes: str, extra: str = "") -> Path:
    path = tmp_path / "my-reform.yaml"
    path.write_text(f"name: test\ndescription: a test reform\nreference: '§5.1'\n{extra}changes:\n{changes}")
    return path


def refused(path: Path, params) -> str:
    with pytest.raises(ReformError) as err:
        load_reform(path, params)
    message = str(err.value)
    assert str(path) in message, "the message names the file"
    return message


def test_a_valid_file_loads(tmp_path, params):
    reform = load_reform(reform_file(tmp_path, GOOD_CHANGE), params)
    assert reform.changes[0].start == dt.date(2018, 1, 15)


def test_unknown_top_level_key(tmp_path, params):
    msg = refused(reform_file(tmp_path, GOOD_CHANGE, extra="author: me\n"), params)
    assert "'author'" in msg and "unknown top-level key" in msg


def test_unknown_parameter_suggests_close_names(tmp_path, params):
    msg = refused(reform_file(tmp_path, "  - {parameter: asylum.screening_activ, value: false, start: 2018-01-15}\n"), params)
    assert "changes[0].parameter" in msg and "unknown parameter" in msg
    assert "did you mean asylum.screening_active" in msg


def test_wrong_type(tmp_path, params):
    msg = refused(reform_file(tmp_path, "  - {parameter: titp.job_mobility, value: 3, start: 1993-04-05}\n"), params)
    assert "changes[0].value" in msg and "expected true/false" in msg


def test_rate_outside_zero_one(tmp_path, params):
    msg = refused(reform_file(tmp_path, "  - {parameter: asylum.screening_share_a, value: 1.5, start: 2018-01-15}\n"), params)
    assert "changes[0].value" in msg and "[0.0, 1.0]" in msg


def test_duration_beyond_a_century(tmp_path, params):
    change = "  - {parameter: titp.max_stay_months, value: 1.0e+12, start: 2019-04-01}\n"
    msg = refused(reform_file(tmp_path, change), params)
    assert "changes[0].value" in msg and "1200 months" in msg and "not a policy" in msg


def test_date_outside_1980_2040(tmp_path, params):
    msg = refused(reform_file(tmp_path, "  - {parameter: asylum.screening_active, value: false, start: 2050-01-01}\n"), params)
    assert "changes[0].start" in msg and "outside 1980-2040" in msg


def test_start_after_stop(tmp_path, params):
    msg = refused(reform_file(tmp_path, "  - {parameter: asylum.screening_active, value: false, start: 2018-01-15, stop: 2010-01-01}\n"), params)
    assert "changes[0].stop" in msg and "not after start" in msg


def test_non_reformable_parameter(tmp_path, params):
    msg = refused(reform_file(tmp_path, "  - {parameter: asylum.recognition_active, value: false, start: 1990-01-01}\n"), params)
    assert "changes[0].parameter" in msg and "not reformable" in msg


def test_unknown_key_inside_a_change(tmp_path, params):
    msg = refused(reform_file(tmp_path, "  - {parameter: asylum.screening_active, value: false, start: 2018-01-15, until: 2020-01-01}\n"), params)
    assert "changes[0].until" in msg and "unknown key" in msg


def test_unknown_spr_regime(tmp_path, params):
    msg = refused(reform_file(tmp_path, "  - {parameter: spr.regime, value: amnesty, start: 2010-01-01}\n"), params)
    assert "changes[0].value" in msg and "generous_2003" in msg


def test_text_is_never_evaluated(params):
    with pytest.raises(ReformError, match="not valid YAML|unknown"):
        load_reform_text("!!python/object/apply:os.system ['echo hacked']", params)


def test_dict_variant_names_its_source(params):
    with pytest.raises(ReformError, match=r"<api>: key 'name'"):
        load_reform_dict({"description": "x", "reference": "y", "changes": []}, params, source="<api>")
