"""Fast checks of the calibration's building blocks (no Dask, no engine)."""

from __future__ import annotations

import math

import cloudpickle

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sidedoor.calibration.distance import (GroupPooledScale, StockGuardedDistance, make_distance,
                                           observed_sumstat, summary_vector, weighted_log_error)
from sidedoor.calibration.posterior import Posterior, summarise_draws, weighted_quantiles
from sidedoor.calibration.priors import prior_spec, prior_specs, to_abc_values, to_model_values
from sidedoor.calibration.simulator import align, stack_draws
from sidedoor.calibration.targets import DEFAULT_GROUPS, add_residuals, assign_groups, listed_categories
from sidedoor.calibration.validation import (composition, contraction_summary,
                                             describe_contraction, describe_weights, metrics,
                                             score, weight_concentration)
from sidedoor.institutions.parameters import Parameter, load_parameters


def _observed() -> pd.DataFrame:
    rows = [("overstayers", f"{y}-01-01", "total", 1e5 + 1e3 * y % 7) for y in range(1997, 2021)]
    rows += [("overstayers", "2021-01-01", "total", 8e4)]  # held out: after the cutoff
    rows += [("interns_disappeared", f"{y}-12-31", "total", 5000 + y) for y in range(2011, 2020)]
    rows += [("overstayers_by_status", "2018-01-01", "designated_activities", 2286.0),
             ("overstayers_by_status", "2019-01-01", "designated_activities", 4224.0),
             ("overstayers_by_status", "2018-01-01", "student", 3000.0),
             ("departure_orders", "2018-12-31", "total", 1.0)]  # not a target series
    frame = pd.DataFrame(rows, columns=["series", "reference_date", "category", "value"])
    frame["reference_date"] = pd.to_datetime(frame["reference_date"])
    return frame


def test_calibrated_parameters_come_from_the_parameter_files():
    params = load_parameters()
    specs = prior_specs(params)
    assert [s.name for s in specs] == [p.name for p in params.calibrated()]
    assert 0 < len(specs) <= 25
    with pytest.raises(ValueError, match="not calibrated"):
        prior_specs(params, ["no.such_parameter"])


def _param(unit: str, prior: dict) -> Parameter:
    return Parameter(name="x.y", description="d", unit=unit, provenance="calibrated",
                     reference="r", prior=prior, values=[{"start": "1990-01-01", "value": 0.5}])


def test_priors_map_onto_standard_normal_coordinates():
    spec = prior_spec(_param("monthly_hazard", {"distribution": "loguniform", "low": 1e-4,
                                                "high": 1e-2}))
    assert spec.log_space and spec.abc_name == "z:x.y"
    assert spec.quantiles([0.5])[0] == pytest.approx(1e-3)
    assert spec.to_model(0.0) == pytest.approx(1e-3)  # z = 0 is the prior median
    assert spec.to_model(stats.norm.ppf(0.9)) == pytest.approx(1e-4 * 100**0.9)
    assert to_model_values([spec], to_abc_values([spec], {"x.y": 0.003}))["x.y"] == \
        pytest.approx(0.003)
    # z drawn from N(0, 1) reproduces the stated prior (here: uniform on [2, 4]).
    uni = prior_spec(_param("multiplier", {"distribution": "uniform", "low": 2, "high": 4}))
    x = [uni.to_model(z) for z in np.random.default_rng(0).standard_normal(4000)]
    assert min(x) >= 2 and max(x) <= 4 and np.mean(x) == pytest.approx(3, abs=0.03)
    rate = prior_spec(_param("rate", {"distribution": "normal", "mean": 0.9, "sd": 0.5}))
    draws = rate.frozen().rvs(size=2000, random_state=1)
    assert draws.min() >= 0 and draws.max() <= 1
    free = prior_spec(_param("log_odds", {"distribution": "normal", "mean": -2, "sd": 1}))
    assert free.scipy_name == "norm"


def test_targets_are_grouped_weighted_and_cut_at_2020():
    targets = assign_groups(_observed())
    frame = targets.frame
    assert frame["reference_date"].max() == pd.Timestamp("2020-01-01")
    assert set(frame["group"]) == {"overstayer_stock", "table1_disappeared",
                                   "designated_activities", "by_status"}
    assert targets.weights.sum() == pytest.approx(1.0)
    # Table 1 years only; designated activities claimed before the status breakdown.
    assert (frame.loc[frame["group"].eq("table1_disappeared"), "reference_date"].dt.year
            .between(2015, 2019).all())
    assert frame.loc[frame["group"].eq("by_status"), "category"].tolist() == ["student"]
    # Each group's weight is shared by its points: the 24-point stock vs 2-point series.
    w = frame.groupby("group")["weight"].sum()
    weight_of = {g.name: g.weight for g in DEFAULT_GROUPS}
    ratio = w["overstayer_stock"] / w["designated_activities"]
    stated = weight_of["overstayer_stock"] / weight_of["designated_activities"]
    assert ratio == pytest.approx(stated)
    split = targets.until("2012-12-31")
    assert split.frame["reference_date"].max() <= pd.Timestamp("2012-12-31")
    assert split.weights.sum() == pytest.approx(1.0)
    assert "table1_disappeared" not in targets.without(["table1_disappeared"]).group_names


def test_restrict_to_keeps_what_the_model_produces():
    targets = assign_groups(_observed())
    produced = targets.frame.loc[targets.frame["group"].ne("by_status"),
                                 ["series", "reference_date", "category"]]
    kept, missing = targets.restrict_to(produced)
    assert "by_status" not in kept.group_names and missing["category"].tolist() == ["student"]
    assert kept.weights.sum() == pytest.approx(1.0)


def test_the_official_other_is_the_models_total_minus_the_listed_nationalities():
    nat = "overstayers_by_nationality"
    model = pd.DataFrame([(nat, "2004-01-01", "China", 50.0), (nat, "2004-01-01", "Iran", 30.0),
                          (nat, "2004-01-01", "Other (model)", 5.0), (nat, "2005-01-01", "China", 9.0),
                          ("overstayers", "2004-01-01", "total", 85.0)],
                         columns=["series", "reference_date", "category", "value"])
    listed = pd.DataFrame([(nat, pd.Timestamp("2004-01-01"), "China"),
                           (nat, pd.Timestamp("2004-01-01"), "Singapore")],  # not tracked: counts 0
                          columns=["series", "reference_date", "category"])
    out = add_residuals(model, listed)
    other = out[out["category"].eq("Other")]
    assert other["reference_date"].tolist() == [pd.Timestamp("2004-01-01")]  # no table in 2005
    assert other["value"].tolist() == [35.0]  # Iran + the untracked nationalities
    assert len(out) == len(model) + 1
    # From the shipped data: the 2004 table lists five nationalities beside its "Other".
    shipped = listed_categories()
    in_2004 = shipped[shipped["reference_date"].eq(pd.Timestamp("2004-01-01"))]["category"]
    assert set(in_2004) == {"China", "Malaysia", "Philippines", "South Korea", "Thailand"}


def test_distance_is_a_weighted_mean_absolute_log_error():
    obs = np.array([100.0, 1000.0, 0.0])
    w = np.array([0.5, 0.25, 0.25])
    assert weighted_log_error(obs, obs, w) == 0.0
    sim = np.array([110.0, 1000.0, 0.0])
    expected = 0.5 * abs(math.log(111 / 101))
    assert weighted_log_error(sim, obs, w) == pytest.approx(expected)
    assert summary_vector([-5.0])[0] == 0.0  # negative counts clipped


def _guarded(simulated, observed, weights, stock, factor):
    return StockGuardedDistance(weights, stock, factor)({"s": summary_vector(simulated)},
                                                        {"s": summary_vector(observed)})


def test_stock_guard_binds_only_when_the_stock_misses_more_than_epsilon_over_factor():
    obs = np.array([1000.0, 1000.0, 50.0, 50.0])
    w = np.array([0.25, 0.25, 0.25, 0.25])
    stock = np.array([True, True, False, False])
    off_stock = np.array([1000.0, 1000.0, 100.0, 100.0])  # breakdowns off by ~2x, stock exact
    assert _guarded(off_stock, obs, w, stock, 4.0) == pytest.approx(weighted_log_error(off_stock, obs, w))
    stock_off = np.array([1200.0, 800.0, 50.0, 50.0])  # stock off by 20%: 4 x its mean error wins
    d_stock = (abs(math.log(1201 / 1001)) + abs(math.log(801 / 1001))) / 2
    assert weighted_log_error(stock_off, obs, w) == pytest.approx(d_stock / 2)
    assert _guarded(stock_off, obs, w, stock, 4.0) == pytest.approx(4 * d_stock)


def test_make_distance_guards_the_shipped_stock_points_and_pickles():
    from sidedoor.calibration.targets import load_targets

    targets = load_targets()
    stock = (targets.frame["group"] == "overstayer_stock").to_numpy()
    distance = cloudpickle.loads(cloudpickle.dumps(make_distance(targets, "fixed", stock_guard=4.0)))
    sim = targets.values * np.where(stock, 1.3, 0.9)
    got = distance({"s": summary_vector(sim)}, observed_sumstat(targets))
    assert got == pytest.approx(_guarded(sim, targets.values, targets.weights, stock, 4.0))
    assert got == pytest.approx(4 * math.log1p(0.3), rel=1e-3)  # the stock binds
    with pytest.raises(ValueError, match="needs the fixed distance"):
        make_distance(targets, "adaptive", stock_guard=4.0)
    with pytest.raises(ValueError, match="finite number >= 0"):
        make_distance(targets, "fixed", stock_guard=float("nan"))
    with pytest.raises(ValueError, match="no"):  # a target set without the stock cannot be guarded
        make_distance(targets.without(["overstayer_stock"]), "fixed", stock_guard=4.0)


def test_group_pooled_scale_shares_one_scale_within_a_group():
    scale = GroupPooledScale(["a", "a", "b"])
    samples = np.array([[0.0, 1.0, 5.0], [2.0, 3.0, 5.0]])
    out = scale(samples=samples, s0=np.zeros(3))
    assert out[0] == out[1] and out[2] == pytest.approx(5.0)


def test_align_fills_absent_outputs_with_zero_and_sums_duplicates():
    keys = pd.DataFrame({"series": ["a", "a"], "reference_date": pd.to_datetime(
        ["2000-01-01", "2001-01-01"]), "category": ["total", "total"]})
    outputs = pd.DataFrame({"series": ["a", "a"], "reference_date": ["2000-01-01"] * 2,
                            "category": ["total", "total"], "value": [1.0, 2.0]})
    assert align(outputs, keys).tolist() == [3.0, 0.0]


def test_posterior_draws_are_weighted_and_reproducible():
    name = "behaviour.debt_effect"  # a fit restricted to one calibrated parameter
    particles = pd.DataFrame({"particle": [0, 1], "weight": [0.0, 1.0], "distance": [1, 1],
                              name: [1.0, 2.0]})
    post = Posterior(particles, {"settings": {"parameters": [name]}})
    assert post.sample(5, seed=3) == post.sample(5, seed=3)
    assert {d[name] for d in post.sample(20, seed=1)} == {2.0}
    x = np.arange(101.0)
    assert weighted_quantiles(x, np.ones_like(x), [0.5])[0] == pytest.approx(50.0)


def test_scores_count_band_coverage_and_mape():
    targets = assign_groups(_observed())
    draws = [targets.frame[["series", "reference_date", "category"]].assign(
        value=targets.values * f) for f in (0.9, 1.0, 1.1, 1.2)]
    summary = summarise_draws(stack_draws(draws))
    m = metrics(score(targets, summary))
    assert m["overstayer_stock"]["n_points"] == 24
    assert m["overstayer_stock"]["coverage90"] == 1.0
    assert m["overstayer_stock"]["mape"] == pytest.approx(5.0, abs=0.01)


def test_weight_concentration_names_the_heaviest_and_the_closest_particle():
    particles = pd.DataFrame({"weight": [6.0, 1.0, 2.0, 1.0], "distance": [0.56, 0.33, 0.45, 0.50]})
    w = weight_concentration(particles)
    assert w == {"heaviest_weight_share": 0.6, "heaviest_distance": 0.56,
                 "lowest_distance": 0.33, "lowest_distance_weight_share": 0.1}
    assert describe_weights(w) == ("The heaviest particle carries 60% of the weight (distance 0.560); "
                                   "the one closest to the data (distance 0.330) carries 10.00%.")
    empty = weight_concentration(particles.assign(weight=0.0))
    assert set(empty.values()) == {None}
    assert describe_weights(empty) == "" and describe_weights(None) == ""


def test_contraction_is_zero_for_prior_draws_and_near_one_for_a_pinned_parameter():
    """Posterior contraction (1 - posterior / prior variance, prior-standardised): particles
    drawn from the prior teach nothing; particles all near one value pin the parameter."""
    specs = {s.name: s for s in prior_specs(load_parameters(),
                                            ["behaviour.debt_effect", "behaviour.detection_hazard"])}
    z = stats.norm.ppf((np.arange(4000) + 0.5) / 4000)  # the prior, in its own coordinates
    rng = np.random.default_rng(0)
    pinned = rng.normal(1.0, 0.1, z.size)  # one prior sd above the centre, sd 0.1
    particles = pd.DataFrame({
        "particle": np.arange(z.size), "weight": 1.0, "distance": 0.5,
        "behaviour.debt_effect": [specs["behaviour.debt_effect"].to_model(v) for v in z],
        "behaviour.detection_hazard": [specs["behaviour.detection_hazard"].to_model(v)
                                       for v in pinned]})
    summary = Posterior(particles, {}).summary().set_index("parameter")
    assert summary.loc["behaviour.debt_effect", "contraction"] == pytest.approx(0.0, abs=0.01)
    assert summary.loc["behaviour.debt_effect", "prior_z"] == pytest.approx(0.0, abs=0.01)
    assert summary.loc["behaviour.detection_hazard", "contraction"] == pytest.approx(0.99, abs=0.005)
    assert summary.loc["behaviour.detection_hazard", "prior_z"] == pytest.approx(1.0, abs=0.01)
    c = contraction_summary(summary.reset_index())
    assert c["informed"] == ["behaviour.detection_hazard"]
    assert c["median"] == pytest.approx(0.5, abs=0.01)
    assert describe_contraction(c) == (
        "The data cut the prior variance of the median parameter by 50% (posterior contraction, "
        "prior-standardised); 1 of 2 parameters are narrowed by half or more.")
    assert describe_contraction(None) == ""


def test_composition_says_which_side_door_errs_and_which_way():
    targets = assign_groups(_observed())
    factor = np.where(targets.frame["category"].eq("student"), 4.0, 1.0)  # students 4x, rest exact
    draws = [targets.frame[["series", "reference_date", "category"]].assign(value=targets.values * factor * f)
             for f in (0.95, 1.0, 1.05)]
    comp = composition(score(targets, summarise_draws(stack_draws(draws))))
    assert list(comp) == ["student"]  # the only by_status cell of the fixture
    assert comp["student"]["ratio"] == pytest.approx(4.0, rel=0.01)
    assert comp["student"]["mape"] == pytest.approx(300.0, rel=0.01)
    assert comp["student"]["coverage90"] == 0.0 and comp["student"]["n_points"] == 1


def test_interrupted_calibrations_are_found_for_resumption(tmp_path):
    from sidedoor.calibration import records

    store = tmp_path / "store.duckdb"
    assert records.interrupted(store, "default") is None
    records.register(store, "c1", label="default", settings={"seed": 1, "scale": 0.05},
                     targets=[], engine="e", pyabc_db=tmp_path / "c1.db", code_version="v")
    # Registered by this (live) process: still running, not to be taken over.
    assert records.interrupted(store, "default") is None
    with records._store(store).connect(write=True) as con:
        con.execute("UPDATE calibrations SET pid = -1 WHERE calibration_id = 'c1'")
    assert records.interrupted(store, "default")["calibration_id"] == "c1"  # killed
    with records._store(store).connect(write=True) as con:
        con.execute("UPDATE calibrations SET status = 'finished' WHERE calibration_id = 'c1'")
    assert records.interrupted(store, "default") is None


def test_population_fit_proposal_samples_and_scores_consistently():
    from sidedoor.calibration.proposal import PopulationFitProposal

    rng = np.random.default_rng(1)
    population = pd.DataFrame(rng.normal(size=(60, 3)) * [1, 0.6, 0.1], columns=["a", "b", "c"])
    proposal = PopulationFitProposal(scale=1.5)
    proposal.fit(population, np.full(60, 1 / 60))
    proposal = cloudpickle.loads(cloudpickle.dumps(proposal))  # as shipped to a worker
    np.random.seed(5)
    first = proposal.rvs_single()
    np.random.seed(5)
    assert proposal.rvs_single() == first  # draws follow NumPy's global (seeded) stream
    np.random.seed(6)
    assert proposal.rvs_single() != first
    draws = pd.DataFrame([proposal.rvs_single() for _ in range(3000)])
    assert draws["b"].var() == pytest.approx(1.5 * population["b"].var(), rel=0.15)
    assert draws["a"].var() == pytest.approx(1.0, rel=0.15)  # capped at the prior's variance
    dens = proposal.pdf(draws.iloc[:5])
    assert dens.shape == (5,) and np.all(dens > 0)
    assert proposal.pdf(draws.iloc[0]) == pytest.approx(dens[0])


def _posterior_of(names, settings=None):
    cols = {"particle": [0], "weight": [1.0], "distance": [0.5], **{n: [0.5] for n in names}}
    return Posterior(pd.DataFrame(cols), {"name": "default", "settings": settings or {"label": "default"}})


def test_a_posterior_of_the_current_model_passes():
    from sidedoor.calibration.posterior import check_current
    from sidedoor.institutions.parameters import load_parameters

    params = load_parameters()
    names = [p.name for p in params if p.provenance == "calibrated"]
    check_current(_posterior_of(names), params)
    # A fit restricted on purpose to a subset may leave the others out.
    check_current(_posterior_of(names[:2], {"label": "x", "parameters": names[:2]}), params)


def test_a_posterior_of_an_older_model_is_refused_with_the_parameters_named():
    from sidedoor.calibration.posterior import StalePosteriorError, check_current
    from sidedoor.institutions.parameters import load_parameters

    params = load_parameters()
    names = [p.name for p in params if p.provenance == "calibrated"]
    missing = [n for n in names if n != "behaviour.deterrence_lag_months"]
    with pytest.raises(StalePosteriorError, match=r"predates .*deterrence_lag_months.*--ship default"):
        check_current(_posterior_of(missing), params)
    extra = names + ["enforcement.remote_detection_factor"]  # an assumption since 2026-11
    with pytest.raises(StalePosteriorError, match="no longer calibrates.*remote_detection_factor"):
        check_current(_posterior_of(extra), params)
    # Every draw goes through sample(): scenarios and ensembles are refused the same way.
    with pytest.raises(StalePosteriorError, match="predates"):
        _posterior_of(missing).sample(1, seed=0)


def test_warm_start_pools_the_seed_into_the_first_fit_only():
    from sidedoor.calibration.proposal import PopulationFitProposal

    population = pd.DataFrame({"z:a": np.zeros(40), "z:b": np.zeros(40)})
    w = np.full(40, 1 / 40)
    seed = pd.DataFrame({"z:a": np.full(10, 2.0), "z:b": np.full(10, -1.0), "weight": 1.0})
    proposal = PopulationFitProposal(scale=1.5, warm_start=[seed])
    proposal.fit(population, w)
    # population and seed carry half the weight each, whatever their sizes
    assert proposal._mean == pytest.approx([1.0, -0.5])
    proposal.fit(population, w)
    assert proposal._mean == pytest.approx([0.0, 0.0])


def test_warm_start_needs_every_coordinate_and_a_population_proposal():
    from sidedoor.calibration.proposal import PopulationFitProposal, make_proposal

    proposal = PopulationFitProposal(warm_start=[pd.DataFrame({"z:a": [1.0], "weight": [1.0]})])
    with pytest.raises(ValueError, match="z:b"):
        proposal.fit(pd.DataFrame({"z:a": [0.0, 1.0], "z:b": [0.0, 1.0]}), np.full(2, 0.5))
    with pytest.raises(ValueError, match="population_t"):
        make_proposal("kde", 2.0, warm_start=[pd.DataFrame({"z:a": [1.0], "weight": [1.0]})])


def test_seed_particles_come_from_a_shipped_posterior_and_a_changed_seed_is_refused(tmp_path):
    import shutil

    from sidedoor.calibration.abc import CalibrationSettings, _resume_seed, seed_particles
    from sidedoor.calibration.posterior import SHIPPED_DIR, load_posterior
    from sidedoor.calibration.priors import prior_specs, to_model_values
    from sidedoor.institutions.parameters import load_parameters

    specs = prior_specs(load_parameters())
    frames, digest = seed_particles(("time_split",), specs)
    post = load_posterior("time_split")
    (z,) = frames
    assert list(z.columns) == [s.abc_name for s in specs] + ["weight"]
    assert z["weight"].sum() == pytest.approx(1.0)
    back = to_model_values(specs, z.iloc[0].to_dict())
    for s in specs:
        assert back[s.name] == pytest.approx(float(post.particles[s.name].iloc[0]), rel=1e-6, abs=1e-9)
    assert seed_particles(("time_split",), specs)[1] == digest
    settings = CalibrationSettings(proposal_seed=("time_split",), proposal_seed_digest=digest)
    assert _resume_seed(settings, specs, done=2) is None  # the first fit is long past
    assert len(_resume_seed(settings, specs, done=1)) == 1
    changed = CalibrationSettings(proposal_seed=("time_split",), proposal_seed_digest="0" * 64)
    with pytest.raises(ValueError, match="changed since it started"):
        _resume_seed(changed, specs, done=1)
    # a posterior without every calibrated parameter cannot seed the proposal
    for suffix in (".csv", ".json"):
        shutil.copy(SHIPPED_DIR / f"posterior_time_split{suffix}", tmp_path / f"posterior_old{suffix}")
    old = pd.read_csv(tmp_path / "posterior_old.csv").drop(columns=[specs[0].name])
    old.to_csv(tmp_path / "posterior_old.csv", index=False)
    with pytest.raises(ValueError, match=specs[0].name):
        seed_particles(("old",), specs, folder=tmp_path)
    assert CalibrationSettings.from_dict(settings.to_dict()) == settings


def test_defensive_mixture_bounds_the_importance_weights():
    from scipy import stats

    from sidedoor.calibration.proposal import PopulationFitProposal

    rng = np.random.default_rng(3)
    population = pd.DataFrame(rng.normal(1.5, 0.2, size=(60, 4)), columns=[f"z:{k}" for k in "abcd"])
    w = np.full(60, 1 / 60)
    plain = PopulationFitProposal(scale=1.5)
    mixed = PopulationFitProposal(scale=1.5, defensive=0.2)
    plain.fit(population, w)
    mixed.fit(population, w)
    points = pd.DataFrame(rng.normal(0.0, 1.0, size=(2000, 4)), columns=population.columns)
    prior = stats.multivariate_normal(np.zeros(4), np.eye(4)).pdf(points.to_numpy())
    assert mixed.pdf(points) == pytest.approx(0.8 * plain.pdf(points) + 0.2 * prior)
    assert np.max(prior / mixed.pdf(points)) <= 1 / 0.2 + 1e-9  # Hesterberg's bound
    assert np.max(prior / plain.pdf(points)) > 100  # without it, tail points weigh hundreds
    assert mixed.pdf(points.iloc[0]) == pytest.approx(mixed.pdf(points.iloc[:1])[0])
    np.random.seed(11)
    draws = pd.DataFrame([mixed.rvs_single() for _ in range(4000)])
    assert draws.mean().to_numpy() == pytest.approx(0.8 * plain._mean, abs=0.08)
    with pytest.raises(ValueError, match="defensive"):
        PopulationFitProposal(defensive=1.0)
    from sidedoor.calibration.abc import CalibrationSettings
    with pytest.raises(ValueError, match="defensive_share"):  # before anything is stored
        CalibrationSettings(defensive_share=-0.1)


def test_the_report_says_how_much_weight_the_heaviest_particle_carries(tmp_path):
    from sidedoor.calibration.validation import validation_summary
    from sidedoor.report_model import validation_section

    html = validation_section(tmp_path, [])
    w = validation_summary()["posterior"]["weights"]
    assert 0 < w["heaviest_weight_share"] <= 1
    assert f"The heaviest particle carries {w['heaviest_weight_share']:.0%} of the weight" in html
    assert f"(distance {w['lowest_distance']:.3f}) carries {w['lowest_distance_weight_share']:.2%}" in html
    from sidedoor.calibration.posterior import load_posterior

    c = validation_summary()["posterior"]["contraction"]
    assert set(c["per_parameter"]) == set(load_posterior().parameter_names)
    assert set(c["informed"]) <= set(c["per_parameter"])
    assert f"the median parameter by {c['median']:.0%}" in html


def test_describe_epsilon_says_what_a_stock_guard_bounds():
    from sidedoor.calibration.validation import describe_epsilon

    assert describe_epsilon({"final_epsilon": 0.58, "stock_guard": 0.0}) == "final epsilon 0.58"
    assert describe_epsilon({"final_epsilon": 0.58}) == "final epsilon 0.58"  # posteriors shipped before the guard
    assert describe_epsilon({"final_epsilon": 0.98, "stock_guard": 4.0}) == (
        "final epsilon 0.980 (stock guard 4: every accepted particle's stock error within 0.245)")
