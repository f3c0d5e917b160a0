"""Scenario runs: common random numbers, the output contract, and the directions the paper
argues (small: scale 0.02, 2 draws; the engine runs are shared by the module)."""

from __future__ import annotations

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from sidedoor.cli import scenario as scenario_cli
from sidedoor.scenarios import COLUMNS, load_scenario_table, run_scenario, run_scenarios
from sidedoor.store import RunStore

SETTINGS = {"draws": 2, "seed": 1, "scale": 0.02}


def _value(result, series, category, date, column="difference"):
    t = result.table
    row = t[(t["series"] == series) & (t["category"] == category) & (t["reference_date"] == pd.Timestamp(date))]
    assert len(row) == 1, (series, category, date)
    return float(row[column].iloc[0])


def test_null_reform_differs_by_exactly_zero_and_is_stored(tmp_path):
    store = RunStore(tmp_path / "store.duckdb")
    result = run_scenario("null", end="1993-12", store=store, **SETTINGS)
    assert (result.table[["difference", "difference_q05", "difference_q95"]] == 0).all().all()
    assert (result.per_draw["difference"] == 0).all()
    assert result.table["baseline"].sum() > 0
    run = store.get_run(result.run_id)
    assert run["kind"] == "scenario" and run["reform"]["name"] == "null"
    assert run["parameters"]["draws"] == 2 and len(run["parameters"]["values"]) == 2
    stored = load_scenario_table(result.run_id, store)
    pd.testing.assert_frame_equal(stored.reset_index(drop=True), result.table.reset_index(drop=True),
                                  check_dtype=False)
    assert store.check() == []


def test_cli_run_writes_the_contract_csv(tmp_path):
    app = typer.Typer()
    scenario_cli.register(app)
    out = tmp_path / "null.csv"
    res = CliRunner().invoke(app, ["scenario", "run", "null", "--draws", "1", "--scale", "0.02", "--end", "1993-12",
                                   "--output", str(out), "--store", str(tmp_path / "s.duckdb")])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == COLUMNS
    assert frame["reference_date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    assert set(frame["series"]) >= {"overstayers", "overstayers_by_status", "interns_disappeared",
                                    "asylum_applications", "spr_granted", "deportations"}
    assert "uncalibrated" in res.output.lower() or "posterior" in res.output.lower()


@pytest.fixture(scope="module")
def library():
    names = ["null", "no-2018-screening", "spr-2005-regime", "intern-job-mobility", "broker-fee-cap", "ssw-from-2010"]
    results = run_scenarios(names, end="2020-12", store=False, **SETTINGS)
    return {r.name: r for r in results}


@pytest.mark.slow
def test_common_random_numbers_over_the_whole_period(library):
    assert (library["null"].per_draw["difference"] == 0).all()


@pytest.mark.slow
def test_no_2018_screening_means_fewer_designated_activities_overstayers_in_2019(library):
    r = library["no-2018-screening"]
    assert _value(r, "overstayers_by_status", "designated_activities", "2019-01-01") < 0
    assert _value(r, "overstayers_by_status", "designated_activities", "2019-01-01", "difference_q95") < 0
    assert _value(r, "overstayers_by_status", "designated_activities", "2018-01-01") == 0  # before the reform
    assert "§5.1" in r.reading


@pytest.mark.slow
def test_interns_free_to_change_employer_disappear_less(library):
    r = library["intern-job-mobility"]
    for year in range(2015, 2020):
        assert _value(r, "interns_disappeared", "total", f"{year}-12-31") < 0, year
    assert "agrees" in r.reading


@pytest.mark.slow
def test_spr_kept_at_the_2005_regime_grants_more(library):
    r = library["spr-2005-regime"]
    for year in range(2007, 2020):
        assert _value(r, "spr_granted", "total", f"{year}-12-31") > 0, year
    assert _value(r, "spr_granted", "total", "2005-12-31") == 0  # before October 2006 nothing differs


@pytest.mark.slow
def test_spr_kept_at_the_2005_regime_means_fewer_overstayers_by_2020(library):
    # Married overstayers turn themselves in by the regime's odds (spr.self_report_table).
    assert _value(library["spr-2005-regime"], "overstayers", "total", "2020-01-01") < 0


@pytest.mark.slow
def test_a_broker_fee_cap_means_fewer_disappeared_interns(library):
    r = library["broker-fee-cap"]
    for year in range(2015, 2020):
        assert _value(r, "interns_disappeared", "total", f"{year}-12-31") < 0, year
    assert "agrees" in r.reading or "inconclusive" in r.reading


@pytest.mark.slow
def test_ssw_from_2010_means_fewer_disappeared_interns(library):
    r = library["ssw-from-2010"]
    for year in range(2015, 2020):
        assert _value(r, "interns_disappeared", "total", f"{year}-12-31") < 0, year
    assert _value(r, "interns_disappeared", "total", "2009-12-31") == 0  # before April 2010 nothing differs


def _reform(changes: list[dict]):
    from sidedoor.institutions.reforms import load_reform_dict

    return load_reform_dict({"name": "test", "description": "test", "reference": "test", "changes": changes})


@pytest.mark.slow
@pytest.mark.parametrize("changes", [
    [{"parameter": "titp.broker_fee_cap_jpy", "value": 200000, "start": "1993-04-05"}],  # cap not enabled
    [{"parameter": "ssw.counterfactual_intern_share", "value": 0.9, "start": "1990-01-01"}],  # SSW never early
], ids=["broker-fee-cap-disabled", "ssw-share-without-early-ssw"])
def test_the_new_levers_leave_the_baseline_alone(changes):
    result = run_scenario(_reform(changes), end="2020-12", store=False, **SETTINGS)
    assert (result.per_draw["difference"] == 0).all()


def _entries(result, status, year: int) -> float:
    f = result.flows
    sel = (f["from_status"] == "outside") & (f["to_status"] == status.label) & (f["month"].dt.year == year)
    return float(f.loc[sel, "count"].sum())


@pytest.mark.slow
def test_ssw_from_2010_has_ssw_residents_in_2015_drawn_from_the_interns():
    from sidedoor.engine import simulate
    from sidedoor.institutions.reforms import load_named_reform
    from sidedoor.institutions.statuses import Status

    kw = {"seed": 1, "scale": 0.02, "start": "1990-01", "end": "2015-12"}
    base, ssw = simulate(**kw), simulate(reform=load_named_reform("ssw-from-2010"), **kw)
    label = Status.SPECIFIED_SKILLED_WORKER.label
    stock = {name: r.monthly_stock.set_index("month").loc[pd.Timestamp("2015-01-01"), label]
             for name, r in (("base", base), ("ssw", ssw))}
    assert stock["base"] == 0 and stock["ssw"] > 0
    interns = _entries(base, Status.TECHNICAL_INTERN, 2015)
    # ssw.counterfactual_intern_share (0.2) of the intern entrants come as SSW instead.
    assert 0.1 * interns < interns - _entries(ssw, Status.TECHNICAL_INTERN, 2015) < 0.3 * interns
    # ... and they are the only SSW entrants before the SSW data (no carried-back entries).
    assert _entries(ssw, Status.SPECIFIED_SKILLED_WORKER, 2015) == interns - _entries(ssw, Status.TECHNICAL_INTERN, 2015)
