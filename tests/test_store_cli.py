"""`sidedoor runs list|show|export|delete|check` through typer's CliRunner."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from sidedoor.cli.runs import app
from sidedoor.store import RunStore

runner = CliRunner()


@pytest.fixture
def store(tmp_path) -> RunStore:
    store = RunStore(tmp_path / "cli.duckdb")
    outputs = pd.DataFrame({
        "series": ["overstayers", "overstayers", "asylum_applications"],
        "reference_date": pd.to_datetime(["1990-07-01", "1991-05-01", "1991-12-31"]),
        "category": ["total", "total", "total"],
        "value": [106497.0, 159828.0, 42.0],
    })
    for run_id, kind in (("rbase", "simulation"), ("rreform", "scenario")):
        store.save_run(kind=kind, seed=7, scale=0.05, start_month="1990-01",
                       end_month="1999-12", parameters={"a": 1, "b": 2},
                       reform={"name": "open-door"} if kind == "scenario" else None,
                       outputs=outputs, label=f"{kind} run", run_id=run_id)
    return store


def invoke(*args: str):
    """Run a command on a wide virtual terminal, so table cells are not folded."""
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_list_shows_runs_and_filters_by_kind(store):
    result = invoke("list", "--store", store.path)
    assert result.exit_code == 0, result.output
    assert "rbase" in result.output and "rreform" in result.output
    assert "1990-01–1999-12" in result.output
    only = invoke("list", "--store", store.path, "--kind", "scenario")
    assert "rreform" in only.output and "rbase" not in only.output


def test_list_on_a_narrow_terminal_keeps_ids_whole(store):
    result = runner.invoke(app, ["list", "--store", str(store.path)], env={"COLUMNS": "80"})
    assert "rreform" in result.output and "scenario run" in result.output
    assert "runs show RUN_ID" in result.output


def test_list_of_missing_store_creates_nothing(tmp_path):
    result = invoke("list", "--store", tmp_path / "none.duckdb")
    assert result.exit_code == 0 and "No runs" in result.output
    assert not (tmp_path / "none.duckdb").exists()


def test_show_prints_metadata_and_series_counts(store):
    result = invoke("show", "rreform", "--store", store.path)
    assert result.exit_code == 0, result.output
    for text in ("scenario", "open-door", "overstayers", "asylum_applications", "2 values"):
        assert text in result.output
    with_parameters = invoke("show", "rreform", "--store", store.path, "--parameters")
    assert '"b": 2' in with_parameters.output


def test_export_csv(store, tmp_path):
    target = tmp_path / "export" / "base.csv"
    result = invoke("export", "rbase", "-o", target, "--store", store.path)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(target)
    assert list(frame.columns) == ["series", "reference_date", "category", "value"]
    assert len(frame) == 3
    bad = invoke("export", "rbase", "-o", tmp_path / "x.txt", "--store", store.path)
    assert bad.exit_code == 2 and "parquet" in bad.output


def test_delete(store):
    refused = invoke("delete", "rbase", "--store", store.path)  # no input: confirm says no
    assert refused.exit_code != 0 and "rbase" in set(store.list_runs()["run_id"])
    result = invoke("delete", "rbase", "--store", store.path, "--yes")
    assert result.exit_code == 0, result.output
    assert store.list_runs()["run_id"].tolist() == ["rreform"]
    assert invoke("check", "--store", store.path).exit_code == 0


@pytest.mark.parametrize("command", [["show"], ["delete", "--yes"], ["export", "-o", "x.csv"]])
def test_unknown_run_is_a_clear_error_without_traceback(store, command):
    result = invoke(command[0], "nope", *command[1:], "--store", store.path)
    assert result.exit_code == 2
    assert "'nope'" in result.output and "sidedoor runs list" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_unknown_run_in_missing_store(tmp_path):
    result = invoke("show", "nope", "--store", tmp_path / "none.duckdb")
    assert result.exit_code == 2 and "sidedoor runs list" in result.output
