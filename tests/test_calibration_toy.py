"""Calibration machinery end to end through a real two-process Dask cluster.

The model here is a TEST FIXTURE, not the engine: ``toy_engine`` maps three real calibrated
parameters to smooth curves plus scale-dependent noise, fast enough to run many ABC
generations in seconds. It exercises everything around the engine: Dask scheduling, pyABC's
database in the store folder, the DuckDB tables, resumption and reproducibility.
(Parameter recovery with the real engine is in ``test_calibration_recovery.py``.)
"""

from __future__ import annotations

import datetime as dt
import sys
from types import SimpleNamespace

import cloudpickle
import numpy as np
import pandas as pd
import pytest

from sidedoor.calibration import records
from sidedoor.calibration.abc import CalibrationSettings, calibrate, resume
from sidedoor.calibration.targets import assign_groups
from sidedoor.institutions.parameters import load_parameters

pytestmark = pytest.mark.slow

# Worker processes cannot import this test module: ship its functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

TRUTH = {"enforcement.campaign_multiplier": 2.5, "spr.base_grant_probability": 0.35,
         "behaviour.language_school_progression": 0.6}


def toy_engine(params, seed=0, start="1990-01", end="2020-01", scale=1.0, **_):
    """Fixture model: stock falls with the campaign multiplier, SPR grows with the grant
    probability, asylum with the detection factor; lognormal noise shrinking with scale."""
    d = dt.date(2000, 1, 1)
    cm = params.value("enforcement.campaign_multiplier", d)
    bgp = params.value("spr.base_grant_probability", d)
    rdf = params.value("behaviour.language_school_progression", d)
    rng = np.random.default_rng(seed)
    rows = [("overstayers", pd.Timestamp(y, 1, 1), "total",
             2e5 * np.exp(-(cm - 1) * 0.03 * (y - 1990))) for y in range(1990, 2021)]
    for y in range(1990, 2020):
        rows.append(("spr_granted", pd.Timestamp(y, 12, 31), "total",
                     2e4 * bgp * (1 + 0.2 * (y % 3))))
        rows.append(("asylum_applications", pd.Timestamp(y, 12, 31), "total",
                     1000 + 8000 * rdf * (1 + 0.1 * (y % 4))))
    out = pd.DataFrame(rows, columns=["series", "reference_date", "category", "value"])
    out["value"] *= np.exp(rng.normal(0, 0.03 * np.sqrt(0.05 / scale), len(out)))
    return SimpleNamespace(outputs=out)


@pytest.fixture(scope="module")
def synthetic_targets():
    params = load_parameters().with_values(TRUTH)
    return assign_groups(toy_engine(params, seed=123, scale=0.05).outputs)


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def _settings(**kw) -> CalibrationSettings:
    base = dict(label="toy", population_size=40, max_generations=4, parameters=tuple(TRUTH),
                batch_size=5, seed=7, sampler="reproducible")
    return CalibrationSettings(**{**base, **kw})


def test_toy_calibration_recovers_truth_and_fills_the_store(client, synthetic_targets, tmp_path):
    store = tmp_path / "store.duckdb"
    result = calibrate(_settings(sampler="dynamic", max_generations=5), client=client,
                       store=store, engine=toy_engine, targets=synthetic_targets)
    assert result.status == "finished" and len(result.generations) == 5
    assert result.pyabc_db.parent == tmp_path / "pyabc"  # never pyABC's /tmp default
    eps = result.generations["epsilon"].to_numpy()
    assert np.all(np.diff(eps) < 0)
    post = result.posterior()
    w = post["weight"] / post["weight"].sum()
    for name, truth in TRUTH.items():
        lo, hi = np.quantile(np.repeat(post[name], (w * 1000).round().astype(int)), [0.02, 0.98])
        assert lo <= truth <= hi, (name, lo, hi)
    listed = records.list_calibrations(store)
    assert listed.loc[0, "status"] == "finished" and listed.loc[0, "n_generations"] == 5


def test_resumed_calibration_continues_where_it_stopped(client, synthetic_targets, tmp_path):
    store = tmp_path / "store.duckdb"
    first = calibrate(_settings(max_generations=2), client=client, store=store,
                      engine=toy_engine, targets=synthetic_targets, calibration_id="resumable")
    assert len(first.generations) == 2
    before = records.particles(store, "resumable", generation=1)
    resumed = resume("resumable", client=client, store=store, engine=toy_engine,
                     max_generations=4)
    gens = resumed.generations
    assert list(gens["generation"]) == [0, 1, 2, 3]
    assert np.all(np.diff(gens["epsilon"]) < 0)
    pd.testing.assert_frame_equal(records.particles(store, "resumable", generation=1), before)
    # With the fixed distance and the seeded sampler, 2 + 2 generations equal 4 at once.
    whole = calibrate(_settings(max_generations=4), client=client, store=store,
                      engine=toy_engine, targets=synthetic_targets, calibration_id="whole")
    np.testing.assert_allclose(whole.generations["epsilon"], gens["epsilon"], rtol=1e-12)
    pd.testing.assert_frame_equal(records.particles(store, "whole"),
                                  records.particles(store, "resumable"))


def test_warm_start_and_defensive_mixture_resume_like_an_uninterrupted_run(
        client, synthetic_targets, tmp_path):
    """The warm start is applied again when a resume's next fit is the first one, so one
    generation plus two resumed equal three at once; the prior share keeps it recovering."""
    store = tmp_path / "store.duckdb"
    options = dict(proposal_seed=("time_split",), defensive_share=0.2)
    first = calibrate(_settings(max_generations=1, **options), client=client, store=store,
                      engine=toy_engine, targets=synthetic_targets, calibration_id="warm")
    assert first.settings.proposal_seed_digest is not None
    resumed = resume("warm", client=client, store=store, engine=toy_engine, max_generations=3)
    whole = calibrate(_settings(max_generations=3, **options), client=client, store=store,
                      engine=toy_engine, targets=synthetic_targets, calibration_id="warm-whole")
    np.testing.assert_allclose(whole.generations["epsilon"], resumed.generations["epsilon"],
                               rtol=1e-12)
    pd.testing.assert_frame_equal(records.particles(store, "warm-whole"),
                                  records.particles(store, "warm"))
    cold = calibrate(_settings(max_generations=3), client=client, store=store,
                     engine=toy_engine, targets=synthetic_targets, calibration_id="cold")
    assert not records.particles(store, "cold").equals(records.particles(store, "warm"))
    post = whole.posterior()
    w = post["weight"] / post["weight"].sum()
    for name, truth in TRUTH.items():
        lo, hi = np.quantile(np.repeat(post[name], (w * 1000).round().astype(int)), [0.01, 0.99])
        assert lo <= truth <= hi, (name, lo, hi)


def test_reproducible_mode_is_independent_of_the_number_of_workers(synthetic_targets, tmp_path):
    from distributed import Client, LocalCluster

    posteriors = []
    for n_workers in (1, 2):
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster, \
                Client(cluster) as c:
            res = calibrate(_settings(max_generations=3, batch_size=3 * n_workers), client=c,
                            store=tmp_path / f"s{n_workers}.duckdb", engine=toy_engine,
                            targets=synthetic_targets, calibration_id=f"w{n_workers}")
            posteriors.append(res.posterior())
    pd.testing.assert_frame_equal(posteriors[0], posteriors[1])


def test_stock_guard_sets_the_accepted_distances_through_dask(client, synthetic_targets, tmp_path):
    """Each accepted particle's distance is max(d, C x stock error) of its own statistics, and
    ``experimental.distance_parts`` reads the same figures back from the store."""
    import pyabc

    from sidedoor.calibration.distance import STOCK_GROUP, summary_vector
    from sidedoor.experimental.distance_parts import distance_parts

    store = tmp_path / "store.duckdb"
    result = calibrate(_settings(max_generations=2, stock_guard=3.0), client=client, store=store,
                       engine=toy_engine, targets=synthetic_targets)
    targets, obs = result.targets, summary_vector(result.targets.values)
    stock = (targets.frame["group"] == STOCK_GROUP).to_numpy()
    population = pyabc.History(f"sqlite:///{result.pyabc_db}", _id=1).get_population(t=1)
    errors = np.array([np.abs(p.sum_stat["s"] - obs) for p in population.particles])
    expected = np.maximum(errors @ targets.weights, 3.0 * errors[:, stock].mean(axis=1))
    assert np.allclose([p.distance for p in population.particles], expected)
    by_generation, by_group = distance_parts(result.calibration_id, store)
    assert by_generation["generation"].tolist() == [0, 1]
    last = by_generation.iloc[-1]
    assert last["d_median"] == pytest.approx(np.median(errors @ targets.weights))
    assert last["guard_binding"] == pytest.approx(np.mean(3.0 * errors[:, stock].mean(axis=1)
                                                          > errors @ targets.weights))
    assert set(by_group["group"]) == set(targets.frame["group"])
