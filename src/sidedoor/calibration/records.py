"""The calibration's tables in the DuckDB run store, and where pyABC's own database lives.

pyABC keeps its working state (every population, particle and summary statistic) in an
SQLite file; that file is what ``ABCSMC.load`` resumes from, and it sits in the store's
folder (``.sidedoor/pyabc/<calibration_id>.db``), never in pyABC's default /tmp location.
After every generation the run's history is copied into the DuckDB store, in one
transaction per copy, so the store always holds whole generations that SQL, the report and
``sidedoor validate`` can read without pyABC:

* ``calibrations``: one row per calibration (settings, targets, status, progress),
* ``calibration_generations``: epsilon, particles, simulations, acceptance rate, ESS,
  wall time of each generation,
* ``calibration_particles``: every particle of every generation (long format: one row per
  parameter), with its weight and distance, values in model units.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sidedoor.calibration.priors import PriorSpec

DDL = (
    """CREATE TABLE IF NOT EXISTS calibrations (
        calibration_id TEXT PRIMARY KEY, label TEXT, created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL, status TEXT NOT NULL, seed BIGINT, scale DOUBLE,
        engine TEXT, code_version TEXT, pyabc_db TEXT, settings JSON, targets JSON,
        n_generations INTEGER, final_epsilon DOUBLE, total_simulations BIGINT,
        wall_seconds DOUBLE, pid BIGINT, host TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS calibration_generations (
        calibration_id TEXT NOT NULL, generation INTEGER NOT NULL, epsilon DOUBLE,
        n_particles INTEGER, n_simulations BIGINT, acceptance_rate DOUBLE, ess DOUBLE,
        wall_seconds DOUBLE, end_time TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS calibration_particles (
        calibration_id TEXT NOT NULL, generation INTEGER NOT NULL, particle INTEGER NOT NULL,
        weight DOUBLE, distance DOUBLE, parameter TEXT NOT NULL, value DOUBLE
    )""",
)
STATUSES = ("running", "stopped", "finished", "failed")


#: Seconds to wait for another process's write to the store: a calibration must not fail
#: because someone saved a run at the same moment.
LOCK_TIMEOUT = 300.0


def _store(path: str | Path | None):
    from sidedoor.store import RunStore
    return RunStore(path, lock_timeout=LOCK_TIMEOUT)


def pyabc_db_path(store_path: str | Path | None, calibration_id: str) -> Path:
    """``<store folder>/pyabc/<calibration_id>.db`` (one pyABC run per SQLite file, id 1)."""
    folder = _store(store_path).path.parent / "pyabc"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{calibration_id}.db"


def _ensure(con) -> None:
    for statement in DDL:
        con.execute(statement)


def register(store_path: str | Path | None, calibration_id: str, *, label: str,
             settings: dict[str, Any], targets: list[dict], engine: str, pyabc_db: Path,
             code_version: str) -> None:
    """Record a new calibration (status ``running``) before its first generation."""
    now = datetime.now()
    with _store(store_path).connect(write=True) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            _ensure(con)
            con.execute(
                "INSERT INTO calibrations VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, "
                "0, NULL, 0, 0.0, ?, ?)",
                [calibration_id, label, now, now, settings.get("seed"), settings.get("scale"),
                 engine, code_version, str(pyabc_db), json.dumps(settings),
                 json.dumps(targets), os.getpid(), socket.gethostname()],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def history_frames(history, specs: Sequence[PriorSpec]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """pyABC history -> (generations, particles) frames in the store's layout."""
    pops = history.get_all_populations()
    pops = pops.loc[pops["t"] >= 0]
    gens, parts = [], []
    for row in pops.itertuples():
        t = int(row.t)
        population = history.get_population(t=t)
        weights = np.array([p.weight for p in population.particles])
        ess = float(weights.sum() ** 2 / np.sum(weights**2)) if len(weights) else 0.0
        gens.append({
            "generation": t, "epsilon": float(row.epsilon), "n_particles": int(row.particles),
            "n_simulations": int(row.samples),
            "acceptance_rate": float(row.particles) / max(int(row.samples), 1),
            "ess": ess, "wall_seconds": float(getattr(row, "wall_time", np.nan) or np.nan),
            "end_time": pd.Timestamp(row.population_end_time),
        })
        for i, p in enumerate(population.particles):
            for s in specs:
                parts.append({"generation": t, "particle": i, "weight": float(p.weight),
                              "distance": float(p.distance), "parameter": s.name,
                              "value": s.to_model(p.parameter[s.abc_name])})
    gen_cols = ["generation", "epsilon", "n_particles", "n_simulations", "acceptance_rate",
                "ess", "wall_seconds", "end_time"]
    part_cols = ["generation", "particle", "weight", "distance", "parameter", "value"]
    return pd.DataFrame(gens, columns=gen_cols), pd.DataFrame(parts, columns=part_cols)


def sync(store_path: str | Path | None, calibration_id: str, history,
         specs: Sequence[PriorSpec], *, status: str, wall_seconds: float) -> pd.DataFrame:
    """Copy the whole pyABC history into the store in one transaction; returns generations."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    gens, parts = history_frames(history, specs)
    final_eps = float(gens["epsilon"].iloc[-1]) if len(gens) else None
    with _store(store_path).connect(write=True) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            _ensure(con)
            for table, frame in (("calibration_generations", gens),
                                 ("calibration_particles", parts)):
                con.execute(f"DELETE FROM {table} WHERE calibration_id = ?", [calibration_id])
                if len(frame):
                    con.register("_frame", frame)
                    cols = ", ".join(frame.columns)
                    con.execute(f"INSERT INTO {table} (calibration_id, {cols}) "
                                f"SELECT ? AS calibration_id, {cols} FROM _frame",
                                [calibration_id])
                    con.unregister("_frame")
            con.execute(
                "UPDATE calibrations SET status = ?, updated_at = ?, n_generations = ?, "
                "final_epsilon = ?, total_simulations = ?, wall_seconds = ?, pid = ?, host = ? "
                "WHERE calibration_id = ?",
                [status, datetime.now(), len(gens), final_eps,
                 int(gens["n_simulations"].sum()) if len(gens) else 0, float(wall_seconds),
                 os.getpid(), socket.gethostname(), calibration_id])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return gens


def load_calibration(store_path: str | Path | None, calibration_id: str) -> dict[str, Any]:
    """The ``calibrations`` row, with ``settings`` and ``targets`` parsed."""
    with _store(store_path).connect() as con:
        _require_tables(con)
        row = con.execute("SELECT * FROM calibrations WHERE calibration_id = ?",
                          [calibration_id]).fetchdf()
    if row.empty:
        raise KeyError(f"no calibration {calibration_id!r} in {_store(store_path).path}")
    rec = row.iloc[0].to_dict()
    rec["settings"] = json.loads(rec["settings"])
    rec["targets"] = json.loads(rec["targets"])
    return rec


def _require_tables(con) -> None:
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                        "'calibrations' AND database_name = current_database()").fetchone()[0]
    if not found:
        raise KeyError("this store holds no calibrations yet (run `sidedoor calibrate`)")


def _alive(pid: int | None, host: str | None) -> bool:
    """Whether the process that last wrote a 'running' calibration still runs (this host)."""
    if pid is None or pid != pid or int(pid) <= 0 or host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, PermissionError, OverflowError):
        return False
    return True


def interrupted(store_path: str | Path | None, label: str) -> dict[str, Any] | None:
    """The latest calibration with ``label`` that did not finish and is not running now.

    ``stopped`` (time limit, Ctrl-C), ``failed``, or ``running`` with a dead process (killed):
    ``sidedoor calibrate`` continues such a calibration instead of starting over.
    """
    with _store(store_path).connect() as con:
        try:
            _require_tables(con)
        except KeyError:
            return None
        rows = con.execute(
            "SELECT calibration_id, status, pid, host FROM calibrations WHERE label = ? "
            "ORDER BY created_at DESC LIMIT 1", [label]).fetchall()
    if not rows:
        return None
    calibration_id, status, pid, host = rows[0]
    if status == "finished" or (status == "running" and _alive(pid, host)):
        return None
    return load_calibration(store_path, calibration_id)


def list_calibrations(store_path: str | Path | None) -> pd.DataFrame:
    with _store(store_path).connect() as con:
        try:
            _require_tables(con)
        except KeyError:
            return pd.DataFrame()
        return con.execute(
            "SELECT calibration_id, label, status, created_at, updated_at, n_generations, "
            "final_epsilon, total_simulations, wall_seconds FROM calibrations "
            "ORDER BY created_at").fetchdf()


def generations(store_path: str | Path | None, calibration_id: str) -> pd.DataFrame:
    with _store(store_path).connect() as con:
        _require_tables(con)
        return con.execute("SELECT * EXCLUDE (calibration_id) FROM calibration_generations "
                           "WHERE calibration_id = ? ORDER BY generation",
                           [calibration_id]).fetchdf()


def particles(store_path: str | Path | None, calibration_id: str,
              generation: int | None = None) -> pd.DataFrame:
    """Particles of one generation (default: the last) in wide form: one column per parameter."""
    with _store(store_path).connect() as con:
        _require_tables(con)
        if generation is None:
            generation = con.execute(
                "SELECT max(generation) FROM calibration_particles WHERE calibration_id = ?",
                [calibration_id]).fetchone()[0]
        long = con.execute(
            "SELECT generation, particle, weight, distance, parameter, value "
            "FROM calibration_particles WHERE calibration_id = ? AND generation = ?",
            [calibration_id, generation]).fetchdf()
    if long.empty:
        return long
    wide = long.pivot_table(index=["generation", "particle", "weight", "distance"],
                            columns="parameter", values="value").reset_index()
    wide.columns.name = None
    return wide.sort_values("particle").reset_index(drop=True)
