"""The ensemble tables: plan written whole, a member's presence is its completion, checks bite.

No engine and no Dask: members are small synthetic results, so these run in seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from sidedoor.ensemble import EnsembleNotFoundError, EnsembleSpec, EnsembleStore, start
from sidedoor.ensemble.dispatch import MemberResult
from sidedoor.ensemble.plan import PlannedRun
from sidedoor.ensemble.runner import missing_members
from sidedoor.ensemble.sensitivity import OutputKey
from sidedoor.institutions.parameters import load_parameters
from sidedoor.store import RunStore

PARAMS = load_parameters()
SPEC = EnsembleSpec(kind="ensemble", master_seed=2, n_runs=4, scale=0.01,
                    start=dt.date(1990, 1, 1), end=dt.date(1991, 12, 1), draws_from="prior")


def fake_result(member: PlannedRun) -> MemberResult:
    outputs = pd.DataFrame({"series": ["overstayers"], "reference_date": [pd.Timestamp("1991-05-01")],
                            "category": ["total"], "value": [float(member.index)]})
    return MemberResult(member.index, outputs, 0.1, 10, "0.1.0", 1)


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs.duckdb")


def test_plan_is_stored_whole_and_read_back(store: RunStore) -> None:
    ensemble_id = start(store, SPEC, PARAMS)
    ens = EnsembleStore(store)
    spec, version = ens.load_spec(ensemble_id)
    assert spec.n_runs == 4 and spec.master_seed == 2 and spec.start == SPEC.start
    assert spec.label == "prior draws" and version
    plan = ens.load_plan(ensemble_id)
    assert [p.index for p in plan] == [0, 1, 2, 3]
    assert ens.finished_indices(ensemble_id) == set()
    assert ens.check() == [] and store.check() == []


def test_a_failed_plan_write_leaves_nothing(store: RunStore) -> None:
    ens = EnsembleStore(store)
    member = PlannedRun(0, "e1-000000", 1, {})
    with pytest.raises(Exception, match="(?i)duplicate|constraint"):
        ens.save_plan("e1", SPEC, [member, member], "0.1.0")  # the second row breaks the key
    assert ens.list_ensembles().empty
    with pytest.raises(EnsembleNotFoundError):
        ens.load_spec("e1")


def test_members_are_stored_once_and_missing_ones_are_resumed(store: RunStore) -> None:
    ensemble_id = start(store, SPEC, PARAMS)
    ens = EnsembleStore(store)
    spec, todo, done = missing_members(store, ensemble_id)
    assert (len(todo), done) == (4, 0)
    for member in todo[:2]:
        assert ens.save_member(spec, ensemble_id, member, fake_result(member), "0.1.0")
    assert not ens.save_member(spec, ensemble_id, todo[0], fake_result(todo[0]), "0.1.0")
    _, todo, done = missing_members(store, ensemble_id)
    assert [m.index for m in todo] == [2, 3] and done == 2
    assert len(store.list_runs(kind="ensemble")) == 2
    outputs = ens.member_outputs(ensemble_id)
    assert outputs["run_index"].tolist() == [0, 1] and outputs["value"].tolist() == [0.0, 1.0]
    selected = ens.member_outputs(ensemble_id, [OutputKey.parse("overstayers:1991-05-01")])
    pd.testing.assert_frame_equal(selected, outputs)
    assert ens.member_outputs(ensemble_id, [OutputKey.parse("overstayers:1992-05-01")]).empty
    run, planned = store.get_run(f"{ensemble_id}-000001"), ens.load_plan(ensemble_id)[1]
    assert run["seed"] == planned.seed and run["parameters"] == planned.values
    assert run["kind"] == "ensemble" and run["label"] == f"{ensemble_id}#1"
    assert ens.check() == [] and store.check() == []
    # A member deleted with `sidedoor runs delete` is simply missing again.
    store.delete_run(f"{ensemble_id}-000000")
    _, todo, _ = missing_members(store, ensemble_id)
    assert [m.index for m in todo] == [0, 2, 3]
    listed = ens.list_ensembles()
    assert listed["finished"].tolist() == [1] and listed["n_runs"].tolist() == [4]


def test_check_reports_strays_and_wrong_seeds(store: RunStore) -> None:
    ensemble_id = start(store, SPEC, PARAMS)
    ens = EnsembleStore(store)
    member = ens.load_plan(ensemble_id)[0]
    wrong = dataclasses.replace(member, seed=member.seed + 1)
    ens.save_member(SPEC, ensemble_id, wrong, fake_result(member), "0.1.0")
    stray = fake_result(member)
    store.save_run(kind="ensemble", seed=1, scale=0.01, start_month="1990-01",
                   end_month="1991-12", parameters={}, reform=None, outputs=stray.outputs,
                   run_id="stray-run")
    problems = ens.check()
    assert any("has seed" in p and member.run_id in p for p in problems)
    assert any("'stray-run' belongs to no plan" in p for p in problems)


def test_sensitivity_indices_replace_in_one_transaction(store: RunStore) -> None:
    ens = EnsembleStore(store)
    start(store, SPEC, PARAMS)  # creates the tables
    frame = pd.DataFrame({"output": ["overstayers:1991-05-01"], "parameter": ["p"],
                          "method": ["morris"], "s1": [math.nan], "s1_conf": [math.nan],
                          "st": [math.nan], "st_conf": [math.nan], "mu_star": [3.0],
                          "mu_star_conf": [1.0], "sigma": [2.0]})
    ens.save_indices("e-x", frame)
    ens.save_indices("e-x", frame.assign(mu_star=4.0))
    got = ens.indices("e-x")
    assert got["mu_star"].tolist() == [4.0]


def test_resume_refuses_another_sidedoor_version(store: RunStore) -> None:
    from sidedoor.ensemble import VersionMismatchError

    ens = EnsembleStore(store)
    ens.save_plan("e-old", SPEC, [PlannedRun(i, f"e-old-{i:06d}", i, {}) for i in range(4)],
                  "0.0.1+abc")
    with pytest.raises(VersionMismatchError, match="0.0.1"):
        missing_members(store, "e-old")


def test_start_refuses_bad_specs_before_writing(store: RunStore) -> None:
    from sidedoor.institutions.reforms import ReformError

    bad = {"name": "x", "description": "y", "reference": "z",
           "changes": [{"parameter": "asylum.screening_share_a", "value": 2.0,
                        "start": "2018-01-15"}]}
    for spec, error in ((dataclasses.replace(SPEC, reform=bad), ReformError),
                        (dataclasses.replace(SPEC, scale=0.0), ValueError),
                        (dataclasses.replace(SPEC, draws_from="posture"), ValueError),
                        (dataclasses.replace(SPEC, n_runs=0), ValueError)):
        with pytest.raises(error):
            start(store, spec, PARAMS)
    assert not store.path.exists()
