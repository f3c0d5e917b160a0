"""`sidedoor ensemble` / `sidedoor sensitivity`: user errors are one line and exit 2, caught
before anything is written; `--dry-run` and `--list` write and run nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sidedoor.cli.ensemble import register
from sidedoor.ensemble import EnsembleSpec, start
from sidedoor.store import RunStore


def make_app() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    return app


APP = make_app()


def invoke(*args: str):
    return CliRunner().invoke(APP, list(args))


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert text.startswith("error:") and "Traceback" not in text, text
    for fragment in fragments:
        assert fragment in text, text


@pytest.mark.parametrize("args,fragments", [
    (["--scale", "0"], ["--scale must be in (0, 1]"]),
    (["--scale", "1.5"], ["--scale must be in (0, 1]"]),
    (["--start", "1990-13"], ["not a month"]),
    (["--start", "2000-01", "--end", "1999-12"], ["before --start"]),
    (["--start", "1985-01"], ["1990-01 at the earliest"]),
    (["--reform", "no-2018-screenin"], ["unknown reform", "did you mean no-2018-screening"]),
    (["--draws-from", "hunch"], ["--draws-from must be prior or posterior"]),
    (["--scheduler", "http://127.0.0.1:8786"], ["expected tcp://HOST:PORT"]),
])
def test_ensemble_usage_errors_write_nothing(tmp_path: Path, args: list[str],
                                             fragments: list[str]) -> None:
    store = tmp_path / "runs.duckdb"
    one_line_error(invoke("ensemble", "--runs", "2", "--store", str(store), *args), *fragments)
    assert not store.exists()


def test_a_bad_reform_file_is_named(tmp_path: Path) -> None:
    reform = tmp_path / "mine.yaml"
    reform.write_text("name: x\ndescription: y\nreference: z\nchanges:\n"
                      "  - {parameter: asylum.screening_share_a, value: 1.5, start: 2018-01-15}\n")
    store = tmp_path / "runs.duckdb"
    one_line_error(invoke("ensemble", "--reform", str(reform), "--store", str(store)),
                   str(reform), "changes[0].value", "[0.0, 1.0]")
    reform.write_bytes(b"name: caf\xe9\n")  # not UTF-8: still one line naming the file
    one_line_error(invoke("ensemble", "--reform", str(reform), "--store", str(store)), str(reform))
    assert not store.exists()


@pytest.mark.parametrize("args,fragments", [
    (["--method", "sobol", "--n", "3"], ["power of two"]),
    (["--method", "fast"], ["--method must be one of sobol, morris"]),
    (["--output", "overstayers:2004-02-01"], ["dated 2004-01-01"]),
    (["--output", "overstayers:2030-01-01"], ["outside the simulated period"]),
    (["--parameter", "asylum.screening_active"], ["not calibrated parameters"]),
])
def test_sensitivity_usage_errors_write_nothing(tmp_path: Path, args: list[str],
                                                fragments: list[str]) -> None:
    store = tmp_path / "runs.duckdb"
    one_line_error(invoke("sensitivity", "--store", str(store), *args), *fragments)
    assert not store.exists()


def test_dry_runs_show_the_plan_and_write_nothing(tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    result = invoke("ensemble", "--runs", "7", "--reform", "no-2018-screening", "--dry-run",
                    "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "ensemble of 7 members" in result.output and "no-2018-screening" in result.output
    result = invoke("sensitivity", "--method", "sobol", "--n", "8", "--parameter",
                    "behaviour.detection_hazard", "--parameter", "behaviour.debt_effect",
                    "--dry-run", "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "sensitivity of 32 members" in result.output  # 8 x (2 + 2)
    assert not store.exists()


def test_resume_errors(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    one_line_error(invoke("ensemble", "--resume", "e-nope", "--store", str(store.path)),
                   "no ensemble 'e-nope'")
    spec = EnsembleSpec(kind="sensitivity", master_seed=1, n_runs=0, scale=0.01,
                        start=dt.date(1990, 1, 1), end=dt.date(1990, 12, 1), draws_from="prior",
                        settings={"method": "morris", "n": 2, "crn": True,
                                  "parameters": ["behaviour.detection_hazard"],
                                  "outputs": ["overstayers:1990-07-01"]})
    sensitivity_id = start(store, spec)
    one_line_error(invoke("ensemble", "--resume", sensitivity_id, "--store", str(store.path)),
                   "is a sensitivity", "sidedoor sensitivity")


def test_list_shows_stored_ensembles(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    result = invoke("ensemble", "--list", "--store", str(store.path))
    assert result.exit_code == 0 and "no ensembles stored" in result.output
    spec = EnsembleSpec(kind="ensemble", master_seed=4, n_runs=3, scale=0.01,
                        start=dt.date(1990, 1, 1), end=dt.date(1990, 12, 1), draws_from="prior")
    ensemble_id = start(store, spec)
    result = CliRunner().invoke(APP, ["ensemble", "--list", "--store", str(store.path)],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    assert ensemble_id in result.output and "0/3" in result.output


def test_both_commands_are_registered() -> None:
    result = invoke("--help")
    assert "ensemble" in result.output and "sensitivity" in result.output
