"""The plan: every member a pure function of (master seed, run index); SALib designs and indices.

No Dask and no engine here: these are the properties that make results independent of the
number of workers and of the order of completion.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from sidedoor.ensemble.plan import (
    UNCALIBRATED,
    EnsembleSpec,
    member_run_id,
    member_seeds,
    new_ensemble_id,
    plan_ensemble,
    posterior_source,
)
from sidedoor.ensemble.sensitivity import (
    QUANTILE_RANGE,
    OutputKey,
    analyse,
    check_outputs,
    plan_sensitivity,
    runs_needed,
    summary_matrix,
    unit_sample,
)
from sidedoor.institutions.parameters import load_parameters

PARAMS = load_parameters()
SPEC = EnsembleSpec(kind="ensemble", master_seed=5, n_runs=6, scale=0.01,
                    start=dt.date(1990, 1, 1), end=dt.date(1995, 12, 1), draws_from="prior")


def test_member_seeds_depend_only_on_master_seed_and_index() -> None:
    assert member_seeds(5, 3) == member_seeds(5, 3)
    seeds = {member_seeds(5, i) for i in range(1000)}
    assert len(seeds) == 1000  # distinct streams
    assert member_seeds(5, 3) != member_seeds(6, 3)
    engine, draw = member_seeds(5, 3)
    assert engine != draw and 0 <= engine < 2**32


def test_plan_is_the_same_in_any_order_and_for_any_subset() -> None:
    whole, _ = plan_ensemble(SPEC, "e1", PARAMS)
    part, _ = plan_ensemble(SPEC, "e1", PARAMS, indices=[4, 1])
    assert [p.index for p in part] == [4, 1]
    assert part[0] == whole[4] and part[1] == whole[1]
    longer, _ = plan_ensemble(dataclasses.replace(SPEC, n_runs=20), "e1", PARAMS)
    assert longer[:6] == whole  # a longer ensemble extends a shorter one


def test_prior_draws_are_admissible_and_vary() -> None:
    planned, label = plan_ensemble(SPEC, "e1", PARAMS)
    assert label == "prior draws"
    names = {p.name for p in PARAMS.calibrated()}
    for member in planned:
        assert set(member.values) == names
        PARAMS.with_values(member.values)  # raises on an out-of-range value
    first = planned[0].values
    assert any(member.values != first for member in planned[1:])


def test_prior_draws_follow_each_prior() -> None:
    """Each member's value is the prior's quantile of its uniform: half the draws fall below
    the prior median, and in the prior-standardised coordinates they have mean 0 and sd 1.
    (Until 2026-11-27 a double transform pinned log-uniform parameters at their lower bound.)"""
    from sidedoor.calibration.priors import prior_specs
    from sidedoor.ensemble.plan import prior_draw, quantile_value

    specs = prior_specs(PARAMS)
    draws = [prior_draw(specs, seed) for seed in range(400)]
    for spec in specs:
        assert quantile_value(spec, 0.3) == pytest.approx(spec.quantiles([0.3])[0])
        assert quantile_value(spec, 0.05) < quantile_value(spec, 0.5) < quantile_value(spec, 0.95)
        x = np.array([d[spec.name] for d in draws])
        assert 0.4 < np.mean(x < spec.quantiles([0.5])[0]) < 0.6, spec.name
        z = np.array([spec.to_abc(v) for v in x])
        assert abs(z.mean()) < 0.15 and 0.85 < z.std() < 1.15, (spec.name, z.mean(), z.std())


def test_posterior_draws_fall_back_to_labelled_prior_centres() -> None:
    posterior, label = posterior_source()
    planned, plan_label = plan_ensemble(dataclasses.replace(SPEC, draws_from="posterior"),
                                        "e1", PARAMS)
    if posterior is None:
        assert plan_label == UNCALIBRATED and "uncalibrated" in plan_label
        assert all(m.values == planned[0].values for m in planned)  # the centres, every member
    else:
        assert plan_label.startswith("posterior")
    assert len({m.seed for m in planned}) == len(planned)  # engine seeds still differ


def test_run_ids_are_fixed_by_the_plan_and_valid_store_ids() -> None:
    ensemble_id = new_ensemble_id()
    assert member_run_id(ensemble_id, 7) == f"{ensemble_id}-000007"
    assert len(member_run_id(ensemble_id, 999_999)) <= 64


@pytest.mark.parametrize("method,n", [("sobol", 4), ("morris", 3)])
def test_sensitivity_plan_follows_the_salib_design(method: str, n: int) -> None:
    names = ["behaviour.detection_hazard", "behaviour.visitor_overstay_probability",
             "behaviour.intern_runaway_hazard"]
    spec = dataclasses.replace(SPEC, kind="sensitivity", settings={
        "method": method, "n": n, "parameters": names, "crn": True})
    planned = plan_sensitivity(spec, "e2", PARAMS)
    assert len(planned) == runs_needed(method, n, len(names))
    assert plan_sensitivity(spec, "e2", PARAMS) == planned  # deterministic
    assert len({p.seed for p in planned}) == 1  # common random numbers
    low, high = QUANTILE_RANGE
    for member in planned:
        assert list(member.values) == names
        assert all(0 <= c <= 1 for c in member.coordinates)
        PARAMS.with_values(member.values)
    no_crn = plan_sensitivity(dataclasses.replace(spec, settings={**spec.settings, "crn": False}),
                              "e2", PARAMS)
    assert len({p.seed for p in no_crn}) == len(no_crn)
    assert low < 0.01 and high > 0.99


def test_sobol_needs_a_power_of_two_and_morris_two_trajectories() -> None:
    with pytest.raises(ValueError, match="power of two"):
        unit_sample("sobol", ["a", "b"], 3, 1)
    with pytest.raises(ValueError, match="at least 2"):
        unit_sample("morris", ["a", "b"], 1, 1)
    with pytest.raises(ValueError, match="unknown method"):
        unit_sample("fast", ["a"], 4, 1)


def test_indices_recover_a_known_function() -> None:
    """y = 10 x0 + x1 (x2 inert): Sobol and Morris rank the inputs as they should."""
    names = ["x0", "x1", "x2"]
    keys = [OutputKey("overstayers", dt.date(2000, 1, 1))]
    for method, n in (("sobol", 256), ("morris", 20)):
        x = unit_sample(method, names, n, 1)
        y = (10 * x[:, 0] + x[:, 1])[:, None]
        frame = analyse(method, names, x, y, keys, seed=1).set_index("parameter")
        column = "st" if method == "sobol" else "mu_star"
        assert frame.loc["x0", column] > frame.loc["x1", column] > frame.loc["x2", column]
        assert abs(frame.loc["x2", column]) < 0.05 * frame.loc["x0", column]
        if method == "sobol":
            assert frame.loc["x0", "s1"] == pytest.approx(100 / 101, abs=0.1)


def test_output_keys_parse_print_and_check() -> None:
    key = OutputKey.parse("overstayers_by_nationality:2004-01-01:China")
    assert (key.series, key.date, key.category) == ("overstayers_by_nationality",
                                                    dt.date(2004, 1, 1), "China")
    assert OutputKey.parse(str(key)) == key
    assert str(OutputKey.parse("overstayers:2004-01-01")) == "overstayers:2004-01-01"
    for bad in ("overstayers", "overstayers:2004-13-01", ":2004-01-01"):
        with pytest.raises(ValueError):
            OutputKey.parse(bad)
    start, end = dt.date(1990, 1, 1), dt.date(2019, 12, 1)
    check_outputs([OutputKey.parse("overstayers:2004-01-01"),
                   OutputKey.parse("interns_disappeared:2019-12-31")], start, end)
    for bad, reason in (("overstayers:2004-02-01", "dated 2004-01-01"),
                        ("overstayers:2021-01-01", "outside"),
                        ("asylum_applications:2017-06-30", "calendar-year"),
                        ("overstayerz:2004-01-01", "unknown series")):
        with pytest.raises(ValueError, match=reason):
            check_outputs([OutputKey.parse(bad)], start, end)


def test_summary_matrix_counts_missing_rows_as_zero_but_not_missing_keys() -> None:
    import pandas as pd

    frame = pd.DataFrame({"run_index": [0, 2], "series": ["overstayers"] * 2,
                          "reference_date": pd.to_datetime(["2004-01-01"] * 2),
                          "category": ["total"] * 2, "value": [5.0, 7.0]})
    y = summary_matrix(frame, [OutputKey.parse("overstayers:2004-01-01")], 3)
    assert np.array_equal(y[:, 0], [5.0, 0.0, 7.0])
    with pytest.raises(ValueError, match="appears in no member"):
        summary_matrix(frame, [OutputKey.parse("overstayers:2005-01-01")], 3)
