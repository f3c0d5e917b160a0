"""Faults survived, nothing lost: real Dask processes on 127.0.0.1, real SIGKILLs.

* a worker process killed mid-ensemble: the ensemble completes with the undisturbed results;
* the client (the CLI in a subprocess) killed inside a store transaction: the store opens,
  passes ``check()``, holds only whole members, and ``--resume`` completes the rest, equal
  to the undisturbed results;
* a sensitivity analysis interrupted (Ctrl-C) resumes and computes its indices;
* one and two local workers give identical members.

The cluster is ``scripts/dask-cluster.sh`` (a ``dask scheduler`` and two ``dask worker``
processes): the one ``.ci/run`` started (``$SIDEDOOR_TEST_SCHEDULER``) or, when that is unset,
one this module starts and stops. "Undisturbed results" are the members computed in this
process without Dask, from the same plan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dask
import pandas as pd
import pytest

from sidedoor.ensemble import (
    EnsembleSpec,
    EnsembleStore,
    MemberTask,
    finish_sensitivity,
    open_client,
    run_members,
    start,
    worker_pids,
)
from sidedoor.ensemble.plan import plan_ensemble
from sidedoor.institutions.parameters import load_parameters
from sidedoor.store import RunStore

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600),
              pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")]

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "dask-cluster.sh"
RUNS, SEED, SCALE, START, END = 8, 11, 0.005, "1990-01", "1990-12"
SPEC = EnsembleSpec(kind="ensemble", master_seed=SEED, n_runs=RUNS, scale=SCALE,
                    start=dt.date(1990, 1, 1), end=dt.date(1990, 12, 1), draws_from="prior")
CLI_ARGS = ["ensemble", "--runs", str(RUNS), "--seed", str(SEED), "--scale", str(SCALE),
            "--start", START, "--end", END, "--draws-from", "prior"]


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Address of a running script cluster (CI's, or one started here for this module)."""
    address = os.environ.get("SIDEDOOR_TEST_SCHEDULER")
    if address:
        yield address
        return
    folder = tmp_path_factory.mktemp("dask")
    done = subprocess.run(["bash", str(SCRIPT), "start", "--dir", str(folder)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    try:
        yield done.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", "--dir", str(folder)],
                       capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def undisturbed() -> pd.DataFrame:
    """Every member of SPEC computed here, in order, without Dask."""
    planned, _ = plan_ensemble(SPEC, "ref", load_parameters())
    task = MemberTask(SCALE, START, END)
    return pd.concat([task(p).outputs.assign(run_index=p.index) for p in planned])


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Outputs in one order and dtype, so stored and computed members compare exactly."""
    out = frame[["run_index", "series", "reference_date", "category", "value"]].copy()
    out["reference_date"] = pd.to_datetime(out["reference_date"]).astype("datetime64[s]")
    out["series"], out["category"] = out["series"].astype(str), out["category"].astype(str)
    out["run_index"] = out["run_index"].astype(int)
    return out.sort_values(["run_index", "series", "reference_date", "category"]).reset_index(drop=True)


def assert_same_members(store: RunStore, ensemble_id: str, expected: pd.DataFrame,
                        indices: set[int] | None = None) -> None:
    got = tidy(EnsembleStore(store).member_outputs(ensemble_id))
    want = tidy(expected)
    if indices is not None:
        want = want[want["run_index"].isin(indices)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def assert_sound(store: RunStore) -> None:
    assert store.check() == []
    assert EnsembleStore(store).check() == []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_worker_killed_mid_ensemble(scheduler: str, tmp_path: Path, undisturbed: pd.DataFrame) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    ensemble_id = start(store, SPEC)
    killed: list[int] = []
    with open_client(scheduler) as client:
        client.wait_for_workers(2, timeout=180)
        pids = worker_pids(client)

        def kill_a_busy_worker(done: int, total: int, stats) -> None:
            if done < 1 or killed:
                return
            busy = [addr for addr, keys in client.processing().items() if keys and addr in pids]
            if not busy:  # between tasks at this instant: try again when the next member lands
                return
            victim = pids[busy[0]]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

        outcome = run_members(store, ensemble_id, client, progress=kill_a_busy_worker)
    assert killed, "no worker was busy whenever a member was stored"
    deadline = time.monotonic() + 10
    while alive(killed[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(killed[0])
    assert outcome.computed == RUNS
    assert EnsembleStore(store).finished_indices(ensemble_id) == set(range(RUNS))
    assert_sound(store)
    assert_same_members(store, ensemble_id, undisturbed)


KILLED_CLIENT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import typer
    from sidedoor.cli.ensemble import register
    from sidedoor.store import runstore

    flag, stop_at = Path(sys.argv[1]), int(sys.argv[2])
    insert, calls = runstore._insert_frame, []

    def blocking_insert(con, table, run_id, frame):
        insert(con, table, run_id, frame)
        calls.append(run_id)
        if len(calls) == stop_at:  # the rows are written, the COMMIT never comes
            flag.write_text(run_id)
            time.sleep(300)

    runstore._insert_frame = blocking_insert
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    app(sys.argv[3:])
    """
)


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    code = ("import typer, sys\nfrom sidedoor.cli.ensemble import register\n"
            "app = typer.Typer()\napp.callback()(lambda: None)\nregister(app)\napp(sys.argv[1:])\n")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout)


def test_client_killed_while_writing_then_resumed(scheduler: str, tmp_path: Path,
                                                 undisturbed: pd.DataFrame) -> None:
    path, flag = tmp_path / "runs.duckdb", tmp_path / "inside.flag"
    client = subprocess.Popen(
        [sys.executable, "-c", KILLED_CLIENT, str(flag), "3", *CLI_ARGS,
         "--scheduler", scheduler, "--store", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while not flag.exists():
            assert client.poll() is None, client.stderr.read().decode()
            assert time.monotonic() < deadline, "the client never reached its third write"
            time.sleep(0.05)
    finally:
        os.kill(client.pid, signal.SIGKILL)
        client.wait(timeout=30)
        client.stderr.close()
    assert client.returncode == -signal.SIGKILL

    store = RunStore(path, lock_timeout=30)
    assert_sound(store)
    ensembles = EnsembleStore(store).list_ensembles()
    assert len(ensembles) == 1 and int(ensembles["n_runs"][0]) == RUNS
    ensemble_id = ensembles["ensemble_id"][0]
    finished = EnsembleStore(store).finished_indices(ensemble_id)
    assert len(finished) == 2, "the member inside the killed transaction is not stored"
    assert flag.read_text() not in set(store.list_runs()["run_id"])
    assert_same_members(store, ensemble_id, undisturbed, finished)

    done = cli("ensemble", "--resume", ensemble_id, "--scheduler", scheduler, "--store", str(path))
    assert done.returncode == 0, done.stderr
    assert f"{RUNS - 2} members computed, 2 already stored" in " ".join(done.stdout.split())
    assert_sound(store)
    assert len(store.list_runs(kind="ensemble")) == RUNS  # no duplicates
    assert_same_members(store, ensemble_id, undisturbed)


def test_interrupted_sensitivity_resumes(scheduler: str, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    names = ["behaviour.visitor_overstay_probability", "behaviour.detection_hazard"]
    outputs = ["overstayers:1990-07-01", "overstayers:1991-01-01"]
    spec = EnsembleSpec(kind="sensitivity", master_seed=3, n_runs=0, scale=SCALE,
                        start=dt.date(1990, 1, 1), end=dt.date(1990, 12, 1), draws_from="prior",
                        settings={"method": "morris", "n": 2, "parameters": names,
                                  "outputs": outputs[:1], "crn": True}, keep=outputs[:1])
    ensemble_id = start(store, spec)

    def ctrl_c(done: int, total: int, stats) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    with open_client(scheduler) as client, pytest.raises(KeyboardInterrupt):
        run_members(store, ensemble_id, client, progress=ctrl_c)
    assert_sound(store)
    assert 2 <= len(EnsembleStore(store).finished_indices(ensemble_id)) < 6

    done = cli("sensitivity", "--resume", ensemble_id, "--scheduler", scheduler,
               "--store", str(store.path))
    assert done.returncode == 0, done.stderr
    assert "mu*" in done.stdout
    assert_sound(store)
    indices = EnsembleStore(store).indices(ensemble_id)
    assert sorted(indices["parameter"]) == sorted(names)
    assert indices["mu_star"].notna().all()
    assert indices.equals(finish_sensitivity(store, ensemble_id))  # a pure function of the store


def test_one_and_two_local_workers_agree(tmp_path: Path, undisturbed: pd.DataFrame) -> None:
    """The dispatcher's own LocalCluster; a shorter ensemble is the prefix of the longer one."""
    store = RunStore(tmp_path / "runs.duckdb")
    first4 = dataclasses.replace(SPEC, n_runs=4)
    ids = {}
    for workers in (1, 2):
        ids[workers] = start(store, first4)
        with open_client(workers=workers) as client:
            # the workers run without Dask's statistical profiler (it slows the engine 3-10%)
            assert set(client.run(lambda: dask.config.get("distributed.worker.profile.enabled")).values()) == {False}
            outcome = run_members(store, ids[workers], client)
        assert len(outcome.stats.worker_pids) <= workers
    assert_sound(store)
    for workers in (1, 2):
        assert_same_members(store, ids[workers], undisturbed, set(range(4)))
