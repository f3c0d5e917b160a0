"""RunStore: a run goes in whole and comes out unchanged; failures leave no trace."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from sidedoor.store import (
    DuplicateRunError,
    RunNotFoundError,
    RunStore,
    SchemaVersionError,
    StoreError,
    runstore,
)
from sidedoor.store.schema import SCHEMA_VERSION

DATES = pd.to_datetime(["1990-07-01", "1991-05-01", "1997-01-01"])


def outputs_frame() -> pd.DataFrame:
    """A few tidy output rows in the CONTRACTS.md simulated schema."""
    rows = [
        ("overstayers", d, cat, float(i * 10 + j))
        for i, d in enumerate(DATES)
        for j, cat in enumerate(["total", "China", "South Korea"])
    ]
    return pd.DataFrame(rows, columns=["series", "reference_date", "category", "value"])


def flows_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "month": pd.to_datetime(["1990-01-01", "1990-02-01"]),
        "from_status": np.array([0, 4], dtype=np.uint8),  # engine codes
        "to_status": np.array([12, 12], dtype=np.uint8),
        "mechanism": ["visa_expiry", "workplace_flight"],
        "count": [5, 7],
    })


def events_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "person": [11, 12],
        "month": [dt.date(1990, 1, 1), dt.date(1990, 2, 1)],  # date objects are accepted too
        "from_status": ["temporary_visitor", "technical_intern"],
        "to_status": ["overstayer", "overstayer"],
        "mechanism": ["visa_expiry", "workplace_flight"],
    })


def save(store: RunStore, **overrides) -> str:
    args = dict(
        kind="simulation", seed=42, scale=0.01, start_month="1990-01", end_month="1997-12",
        parameters={"entry.visa_exemption": np.float64(0.5), "dated": {dt.date(1992, 4, 1): 1}},
        reform=None, outputs=outputs_frame(), label="baseline", wall_seconds=1.5,
        n_agents_peak=1000,
    )
    return store.save_run(**{**args, **overrides})


@pytest.fixture
def store(tmp_path) -> RunStore:
    return RunStore(tmp_path / "runs.duckdb")


def test_round_trip_keeps_metadata_and_outputs(store):
    run_id = save(store, flows=flows_frame(), events=events_frame(), reform={"name": "open"})
    run = store.get_run(run_id)
    assert run["parameters"] == {"entry.visa_exemption": 0.5, "dated": {"1992-04-01": 1}}
    assert run["reform"] == {"name": "open"}
    assert run["start_month"] == dt.date(1990, 1, 1) and run["end_month"] == dt.date(1997, 12, 1)
    assert (run["kind"], run["seed"], run["scale"], run["label"]) == (
        "simulation", 42, 0.01, "baseline")
    assert run["status"] == "complete" and run["code_version"].startswith("0.")
    assert (run["n_outputs"], run["n_flows"], run["n_events"]) == (9, 2, 2)

    got = store.outputs(run_id)
    assert list(got.columns) == ["series", "reference_date", "category", "value"]
    assert pd.api.types.is_datetime64_any_dtype(got["reference_date"])
    key = ["series", "reference_date", "category"]
    expected = outputs_frame().sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)

    assert store.flows(run_id)["from_status"].tolist() == ["temporary_visitor", "technical_intern"]
    assert store.events(run_id)["person"].tolist() == [11, 12]


def test_dates_are_stored_as_dates(store):
    run_id = save(store)
    with store.connect() as con:
        kinds = dict(con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'run_outputs'"
        ).fetchall())
        times = con.execute("SELECT DISTINCT reference_date FROM run_outputs WHERE run_id = ?",
                            [run_id]).fetchall()
    assert kinds["reference_date"] == "DATE"
    assert sorted(t[0] for t in times) == [d.date() for d in DATES]


def test_list_get_export_delete(store, tmp_path):
    first = save(store, run_id="first")
    second = save(store, kind="scenario", label="reform")
    assert store.list_runs()["run_id"].tolist() == [first, second]
    assert store.list_runs(kind="scenario")["run_id"].tolist() == [second]

    csv = store.export(first, tmp_path / "out" / "first.csv")
    exported = pd.read_csv(csv)
    assert list(exported.columns) == ["series", "reference_date", "category", "value"]
    assert exported["reference_date"].iloc[0] == "1990-07-01"
    parquet = pd.read_parquet(store.export(first, tmp_path / "first.parquet"))
    assert len(parquet) == len(exported) == 9
    with pytest.raises(ValueError, match="csv or .parquet"):
        store.export(first, tmp_path / "first.xlsx")

    store.delete_run(first)
    assert store.list_runs()["run_id"].tolist() == [second]
    assert store.check() == []
    with pytest.raises(RunNotFoundError):
        store.outputs(first)


def test_unknown_run_names_id_and_suggests_list(store):
    save(store)
    with pytest.raises(KeyError) as raised:
        store.get_run("nope")
    assert "'nope'" in str(raised.value) and "sidedoor runs list" in str(raised.value)


def test_duplicate_run_id_is_rejected_and_first_kept(store):
    save(store, run_id="same")
    with pytest.raises(DuplicateRunError, match="same"):
        save(store, run_id="same", label="second", outputs=outputs_frame().head(1))
    assert store.get_run("same")["label"] == "baseline"
    assert len(store.outputs("same")) == 9
    assert store.check() == []


def test_failure_after_outputs_were_inserted_leaves_no_trace(store):
    bad_flows = flows_frame().assign(count=["five", "seven"])  # fails the cast, after outputs
    with pytest.raises(Exception, match="(?i)conver|cast"):
        save(store, run_id="broken", flows=bad_flows)
    assert store.list_runs().empty
    assert store.check() == []
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM run_outputs").fetchall()[0][0] == 0


def test_missing_values_in_key_columns_are_refused_whole(store):
    outputs = outputs_frame()
    outputs.loc[5, "category"] = None
    with pytest.raises(Exception, match="NOT NULL") as raised:
        save(store, outputs=outputs)
    assert not isinstance(raised.value, DuplicateRunError)
    assert store.list_runs().empty and store.check() == []


def test_keyboard_interrupt_mid_write_rolls_back(store, monkeypatch):
    insert = runstore._insert_frame

    def interrupted(con, table, run_id, frame):
        insert(con, table, run_id, frame)
        raise KeyboardInterrupt  # Ctrl-C once outputs are in

    monkeypatch.setattr(runstore, "_insert_frame", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save(store, run_id="interrupted")
    monkeypatch.undo()
    assert store.list_runs().empty and store.check() == []
    save(store, run_id="interrupted")  # the id is free again
    assert store.check() == []


def test_bad_input_is_rejected_before_writing(store):
    with pytest.raises(ValueError, match="unexpected"):
        save(store, outputs=outputs_frame().assign(extra=1))
    with pytest.raises(ValueError, match="kind"):
        save(store, kind="simulaton")
    with pytest.raises(ValueError, match="run_id"):
        save(store, run_id="no spaces")
    with pytest.raises(ValueError, match="unknown status codes"):
        save(store, flows=flows_frame().assign(to_status=np.uint8(250)))
    with pytest.raises(TypeError, match="JSON"):
        save(store, parameters={"x": object()})
    assert store.list_runs().empty


def test_check_reports_partial_runs_and_orphans(store):
    run_id = save(store)
    with store.connect(write=True) as con:
        con.execute("DELETE FROM run_outputs WHERE run_id = ? AND category = 'China'", [run_id])
        con.execute("INSERT INTO run_flows VALUES ('ghost', DATE '1990-01-01', 'a', 'b', 'm', 1)")
    problems = store.check()
    assert any("6 rows in run_outputs, expected 9" in p for p in problems)
    assert any("orphan" in p and "ghost" in p for p in problems)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.duckdb"
    with RunStore(path).connect(write=True) as con:
        con.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION + 1])
    with pytest.raises(SchemaVersionError, match="newer"):
        RunStore(path).list_runs()


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database")
    with pytest.raises(StoreError, match="cannot open run store.*not a valid DuckDB"):
        RunStore(path).list_runs()


def test_default_path_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SIDEDOOR_STORE", str(tmp_path / "env" / "s.duckdb"))
    assert RunStore().path == tmp_path / "env" / "s.duckdb"
    monkeypatch.delenv("SIDEDOOR_STORE")
    monkeypatch.chdir(tmp_path)
    store = RunStore()
    assert store.path == runstore.DEFAULT_PATH and (tmp_path / ".sidedoor").is_dir()


def test_parameters_json_is_strict(store):
    run_id = save(store, parameters={"nan": float("nan"), "arr": np.arange(2)})
    with store.connect() as con:
        raw = con.execute("SELECT parameters FROM runs WHERE run_id = ?", [run_id]).fetchall()[0][0]
    assert json.loads(raw) == {"nan": None, "arr": [0, 1]}
