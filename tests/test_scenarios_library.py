"""The scenario library, reform resolution, horizons, and the CLI's handling of user errors
(fast: no full engine run)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from sidedoor.cli import scenario as scenario_cli
from sidedoor.cli import trace as trace_cli
from sidedoor.institutions.reforms import list_reforms
from sidedoor.scenarios import COLUMNS, HorizonError, ReformError, list_scenarios, resolve_reform
from sidedoor.scenarios.horizon import input_assumptions, parse_end
from sidedoor.scenarios.parameters import parameter_source, prior_centres
from sidedoor.scenarios.run import decode_table, encode_table, summarise


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root = typer.Typer()
    scenario_cli.register(root)
    trace_cli.register(root)
    return root


def test_every_shipped_reform_is_a_scenario_with_a_paper_section():
    infos = {i.name: i for i in list_scenarios()}
    assert set(infos) == set(list_reforms())
    for name, info in infos.items():
        assert info.reference, name
        assert info.focus.flow in ("interns_disappeared", "asylum_applications", "spr_granted", "deportations")
    assert "null" not in {i.name for i in list_scenarios(include_null=False)}


def test_bad_reform_names_and_files_give_clear_errors(tmp_path):
    with pytest.raises(ReformError, match="unknown reform 'no-2018-screenin'.*did you mean no-2018-screening"):
        resolve_reform("no-2018-screenin")
    with pytest.raises(ReformError, match="no such reform file"):
        resolve_reform(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndescription: y\nreference: z\nchanges:\n  - parameter: asylum.no_such\n"
                   "    value: 1\n    start: 2010-01-01\n")
    with pytest.raises(ReformError, match=r"changes\[0\]\.parameter.*unknown parameter"):
        resolve_reform(bad)
    assert resolve_reform("null").changes == ()


def test_horizons_beyond_the_rules_are_refused_and_past_the_data_listed():
    assert parse_end("2035-12") == dt.date(2035, 12, 1)
    with pytest.raises(HorizonError, match="beyond 2040-12"):
        parse_end("2041-01")
    with pytest.raises(HorizonError, match="not a month"):
        parse_end("2020-13")
    from sidedoor.institutions.parameters import load_parameters

    last, lines = input_assumptions(load_parameters(), dt.date(2035, 12, 1))
    assert last >= 2019 and lines and all("assumption" in line for line in lines)
    assert input_assumptions(load_parameters(), dt.date(2020, 12, 1))[1] == []


def test_uncalibrated_fallback_is_labelled():
    source = parameter_source()
    if not source.calibrated:
        assert source.label.startswith("uncalibrated")
        assert source.draws(2, 1) == [prior_centres(), prior_centres()]
    assert "simulation noise" in parameter_source(use_posterior=False).bands_note()


def test_bands_are_quantiles_of_per_draw_differences_and_store_encoding_round_trips():
    date = pd.Timestamp("2019-01-01")
    per_draw = pd.DataFrame({"series": "overstayers", "reference_date": date, "category": "total",
                             "draw": range(5), "baseline": [10.0, 12, 11, 13, 9],
                             "reform": [8.0, 11, 11, 10, 9]})
    per_draw["difference"] = per_draw["reform"] - per_draw["baseline"]
    table = summarise(per_draw)
    assert list(table.columns) == COLUMNS
    row = table.iloc[0]
    assert row["difference"] == -1 and row["baseline"] == 11 and row["reform"] == 10
    assert row["difference_q05"] == pytest.approx(-2.8) and row["difference_q95"] == 0
    pd.testing.assert_frame_equal(decode_table(encode_table(table)), table, check_dtype=False)


def test_cli_user_errors_exit_2_without_traceback(app):
    runner = CliRunner()
    for args in (["scenario", "run", "no-such-reform"], ["scenario", "run", "null", "--end", "2050-01"],
                 ["trace", "Nobody"], ["trace", "custom", "--nationality", "Vietnam"],
                 ["trace", "Wei", "--status", "astronaut"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output and "Traceback" not in result.output


def test_cli_lists_scenarios(app):
    result = CliRunner().invoke(app, ["scenario", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "no-2018-screening" in result.output and "§5.1" in result.output


def _result_with(stock_band, flow_band, calibrated=False):
    """A ScenarioResult for no-2018-screening built from given (difference, q05, q95)."""
    import datetime as dt
    from pathlib import Path

    from sidedoor.scenarios.library import focus_of
    from sidedoor.scenarios.reading import headline_of, reading_of
    from sidedoor.scenarios.run import ScenarioResult

    reform = resolve_reform("no-2018-screening")
    rows = []
    for (series, category, date), (d, lo, hi) in {
            ("overstayers_by_status", "designated_activities", "2019-01-01"): stock_band,
            ("overstayers", "total", "2020-01-01"): stock_band,
            ("asylum_applications", "total", "2019-12-31"): flow_band}.items():
        rows.append({"series": series, "reference_date": pd.Timestamp(date), "category": category,
                     "baseline": 1000.0, "reform": 1000.0 + d, "difference": d, "difference_q05": lo,
                     "difference_q95": hi})
    from sidedoor.scenarios.library import ScenarioInfo

    info = ScenarioInfo(reform.name, reform.description, reform.reference, Path(reform.source), focus_of(reform), ())
    r = ScenarioResult(info=info, reform_obj=reform, table=pd.DataFrame(rows)[COLUMNS], per_draw=pd.DataFrame(),
                       headline={}, reading="", run_id=None, source_label="test", calibrated=calibrated, draws=4,
                       seed=1, scale=0.02, end=dt.date(2020, 12, 1), last_data_year=2024)
    r.headline = headline_of(r)
    r.reading = reading_of(r)
    return r


def test_reading_is_written_from_the_numbers():
    clear = _result_with((-300.0, -400.0, -200.0), (500.0, 400.0, 600.0)).reading
    assert "§5.1" in clear and "300 fewer overstayers whose last status was designated activities" in clear
    assert "-30.0% of the baseline's 1,000" in clear and "agrees with it" in clear
    assert "includes zero" not in clear and "Uncalibrated" in clear
    unclear = _result_with((-50.0, -120.0, 30.0), (500.0, 400.0, 600.0), calibrated=True).reading
    assert "includes zero" in unclear and "does not settle" in unclear and "Uncalibrated" not in unclear
    wrong = _result_with((300.0, 200.0, 400.0), (-500.0, -600.0, -400.0)).reading
    assert "contradicts it" in wrong
