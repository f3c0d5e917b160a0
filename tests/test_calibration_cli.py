"""`sidedoor validate` and `sidedoor predict` on a fixture posterior in a temporary folder.

The fixture posterior (all calibrated parameters at their prior medians) and its predictive
summary (the observed targets times 0.9-1.1) are TEST FIXTURES, not a calibration result.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from sidedoor.calibration.posterior import save_predictive, shipped_paths
from sidedoor.calibration.priors import prior_centre, prior_specs
from sidedoor.calibration.targets import load_targets, untargeted
from sidedoor.cli.calibrate import register
from sidedoor.institutions.parameters import load_parameters


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture(scope="module")
def posterior_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("posterior")
    centre = prior_centre(prior_specs(load_parameters()))
    particles = pd.DataFrame([{"particle": i, "weight": 0.5, "distance": 0.1, **centre}
                              for i in range(2)])
    paths = shipped_paths("default", folder)
    particles.to_csv(paths["particles"], index=False)
    paths["meta"].write_text(json.dumps({"status": "fixture", "wall_seconds": 60.0,
                                         "settings": {"start": "1990-01"},
                                         "epsilon_schedule": [1.0, 0.5]}))
    targets = load_targets().frame
    pred = targets[["series", "reference_date", "category"]].assign(
        median=targets["value"], q05=targets["value"] * 0.9, q95=targets["value"] * 1.1)
    # Series the fit never sees, predicted 50% too high with a band that misses them.
    other = untargeted().frame
    pred = pd.concat([pred, other[["series", "reference_date", "category"]].assign(
        median=other["value"] * 1.5, q05=other["value"] * 1.2, q95=other["value"] * 2.0)])
    for name in ("default", "time_split", "cross_series"):
        save_predictive(pred, name, draws=3, scale=0.05, seed=1, folder=folder)
    return folder


def test_validate_json_reports_each_series_and_the_splits(app, posterior_dir):
    result = CliRunner().invoke(app, ["validate", "--format", "json",
                                      "--posterior-dir", str(posterior_dir)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    stock = summary["series"]["overstayer_stock"]
    assert stock == {"mape": 0.0, "coverage90": 1.0, "n_points": 31}
    weights = summary["posterior"]["weights"]
    assert 0 < weights["heaviest_weight_share"] <= 1 and weights["lowest_distance"] <= weights["heaviest_distance"]
    assert set(summary["time_split"]["overstayer_stock"]) == {"mape", "coverage90", "n_points"}
    assert summary["time_split"]["overstayer_stock"]["n_points"] == 8  # 2013-2020
    assert set(summary["cross_series"]) >= {"table1_disappeared"}
    goals = {g["goal"]: g for g in summary["goals"]}
    assert goals["in-sample stock MAPE 1990-2020"]["met"] is True
    # Fitted: the official deportation procedures of 1993, 1998, 2010, 2011, 2014, 2015, 2018
    # and 2019 (1989 is before the fitted period).
    assert summary["series"]["deportations"] == {"mape": 0.0, "coverage90": 1.0, "n_points": 8}
    assert "deportations" not in summary["untargeted"]
    assert summary["untargeted"]["by_sex"]["n_points"] >= 20
    # The disappeared interns outside Table 1: 2011-2014 totals, and by nationality in 2014,
    # 2015 and 2019 for the nationalities the model has (not Cambodia, not "Other").
    assert summary["untargeted"]["disappeared_2011_2014"] == {"mape": 50.0, "coverage90": 0.0,
                                                              "n_points": 4}
    assert summary["untargeted"]["disappeared_by_nationality"]["n_points"] == 12
    # Persons processed in 2019 by last status (ISA release): visitors, interns, applicants.
    assert summary["untargeted"]["deportations_by_status"] == {"mape": 50.0, "coverage90": 0.0,
                                                               "n_points": 3}
    fitted = set(load_targets().frame["series"])
    assert "deportations" in fitted
    assert not fitted & {"deportations_by_status", "departure_orders", "overstayers_by_sex"}
    # Composition: the fixture predicts every status cell exactly.
    assert summary["composition"]["temporary_visitor"]["ratio"] == 1.0
    assert set(summary["composition"]) >= {"student", "technical_intern", "entertainer"}
    by_nat = summary["composition_by_nationality"]
    assert by_nat["South Korea"]["ratio"] == 1.0 and by_nat["South Korea"]["n_points"] >= 20


def test_validate_table_and_figures(app, posterior_dir, tmp_path):
    result = CliRunner().invoke(app, ["validate", "--posterior-dir", str(posterior_dir),
                                      "--figures", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "overstayer_stock" in result.output and "Composition" in result.output
    assert "by nationality" in result.output
    assert (tmp_path / "calibration_stock.png").exists()
    assert (tmp_path / "calibration_time_split.png").exists()


@pytest.mark.slow
def test_predict_writes_median_and_band(app, posterior_dir, tmp_path):
    out = tmp_path / "pred.csv"
    result = CliRunner().invoke(app, ["predict", "--draws", "2", "--end", "1990-08",
                                      "--scale", "0.01", "--workers", "1", "--output", str(out),
                                      "--posterior-dir", str(posterior_dir)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["series", "reference_date", "category", "median", "q05",
                                   "q95"]
    stock = frame.loc[frame["series"].eq("overstayers") & frame["category"].eq("total")]
    assert stock["reference_date"].tolist() == ["1990-07-01"]
    assert (frame["q05"] <= frame["median"]).all() and (frame["median"] <= frame["q95"]).all()


def test_calibrate_refuses_a_defensive_share_outside_0_1_before_storing_anything(app, tmp_path):
    store = tmp_path / "store.duckdb"
    result = CliRunner().invoke(app, ["calibrate", "--defensive-share", "1.5", "--store", str(store)])
    assert result.exit_code != 0
    assert "--defensive-share" in result.output and "[0, 1)" in result.output
    assert not store.exists()


@pytest.mark.parametrize("args, reason", [(["--stock-guard", "-1"], ">= 0"),
                                          (["--stock-guard", "4", "--distance", "adaptive"],
                                           "needs the fixed distance")])
def test_calibrate_refuses_a_bad_stock_guard_before_storing_anything(app, tmp_path, args, reason):
    store = tmp_path / "store.duckdb"
    result = CliRunner().invoke(app, ["calibrate", *args, "--store", str(store)])
    assert result.exit_code != 0
    assert "--stock-guard" in result.output and reason in result.output
    assert not store.exists()
