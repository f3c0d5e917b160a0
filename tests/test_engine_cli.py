"""`sidedoor run`: argument errors exit with code 2; a small run writes the CSV and the store."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from sidedoor.cli import app

runner = CliRunner()


@pytest.mark.parametrize("args", [
    ["run", "--scale", "0"], ["run", "--scale", "1.5"], ["run", "--start", "1990-13"],
    ["run", "--start", "2000-01", "--end", "1999-12"], ["run", "--start", "nonsense"],
])
def test_bad_arguments_exit_2(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output


@pytest.mark.slow
def test_small_run_writes_outputs_and_store(tmp_path):
    out, store = tmp_path / "out.csv", tmp_path / "runs.duckdb"
    result = runner.invoke(app, ["run", "--start", "2018-01", "--end", "2019-12", "--scale", "0.005",
                                 "--seed", "3", "--output", str(out), "--store", str(store),
                                 "--event-sample", "0.05"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["series", "reference_date", "category", "value"]
    assert {"overstayers", "asylum_applications", "technical_interns"} <= set(frame.series)
    from sidedoor.store import RunStore

    runs = RunStore(store).list_runs()
    assert len(runs) == 1
