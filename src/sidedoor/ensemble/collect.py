"""The ensemble's tables in the run store, and the client's one write per finished member.

Why this layout survives a killed client without losing or duplicating anything:

* ``ensembles`` (one row) and ``ensemble_plan`` (one row per member: run index, the run id it
  will have, engine seed, parameter values) are written together, in one transaction, before
  any run starts.
* Each finished member is stored with ``RunStore.save_run(kind='ensemble', run_id=<planned
  id>)``, which is one transaction: the run is either whole or absent. Its presence in
  ``runs`` *is* its completion, so there is no second "mark done" write that a crash could
  separate from the run itself, and the store refuses a second copy of the same id.
* ``ensemble_members`` is a view (plan joined with runs): ``ensemble_id -> run_id, run_index``
  for the members that exist. Resuming computes exactly the planned indices missing from it.
* ``sensitivity_indices`` holds the SALib results, written in one transaction at the end
  (recomputed by a resume if the client died before writing them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from sidedoor.ensemble.plan import EnsembleSpec, PlannedRun
from sidedoor.store import DuplicateRunError, RunStore, StoreError

DDL = (
    """CREATE TABLE IF NOT EXISTS ensembles (
        ensemble_id TEXT PRIMARY KEY, kind TEXT NOT NULL, created_at TIMESTAMP NOT NULL,
        master_seed BIGINT NOT NULL, n_runs BIGINT NOT NULL, scale DOUBLE NOT NULL,
        start_month DATE NOT NULL, end_month DATE NOT NULL, draws_from TEXT NOT NULL,
        reform JSON, label TEXT, settings JSON, keep JSON, code_version TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS ensemble_plan (
        ensemble_id TEXT NOT NULL, run_index BIGINT NOT NULL, run_id TEXT NOT NULL,
        seed BIGINT NOT NULL, parameters JSON NOT NULL, coordinates JSON,
        PRIMARY KEY (ensemble_id, run_index)
    )""",
    """CREATE OR REPLACE VIEW ensemble_members AS
        SELECT p.ensemble_id, p.run_index, p.run_id FROM ensemble_plan p
        JOIN runs r ON r.run_id = p.run_id""",
    """CREATE TABLE IF NOT EXISTS sensitivity_indices (
        ensemble_id TEXT NOT NULL, output TEXT NOT NULL, parameter TEXT NOT NULL,
        method TEXT NOT NULL, s1 DOUBLE, s1_conf DOUBLE, st DOUBLE, st_conf DOUBLE,
        mu_star DOUBLE, mu_star_conf DOUBLE, sigma DOUBLE
    )""",
)
INDEX_COLUMNS = ("output", "parameter", "method", "s1", "s1_conf", "st", "st_conf",
                 "mu_star", "mu_star_conf", "sigma")


class EnsembleNotFoundError(StoreError, KeyError):
    """``--resume`` named an ensemble the store does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


def _transaction(con: duckdb.DuckDBPyConnection, statements: Iterable[tuple[str, list]]) -> None:
    """Run statements all-or-nothing (Ctrl-C and SIGKILL included)."""
    con.execute("BEGIN TRANSACTION")
    try:
        for sql, args in statements:
            con.execute(sql, args)
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise


class EnsembleStore:
    """The ensemble tables beside the runs of one ``RunStore`` file."""

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self._ready = False

    def _ensure_tables(self) -> None:
        """Create the tables once (in one transaction: never half a schema)."""
        if self._ready:
            return
        with self.store.connect(write=True) as con:
            _transaction(con, [(sql, []) for sql in DDL])
        self._ready = True

    # -- the plan ------------------------------------------------------------------------

    def save_plan(self, ensemble_id: str, spec: EnsembleSpec, planned: Sequence[PlannedRun],
                  code_version: str) -> None:
        """The ensemble row and every member's plan row, in one transaction."""
        self._ensure_tables()
        frame = pd.DataFrame({
            "run_index": [p.index for p in planned],
            "run_id": [p.run_id for p in planned],
            "seed": [p.seed for p in planned],
            "parameters": [json.dumps(p.values, sort_keys=True) for p in planned],
            "coordinates": [None if p.coordinates is None else json.dumps(p.coordinates)
                            for p in planned],
        })
        row = [ensemble_id, spec.kind, datetime.now(UTC).replace(tzinfo=None), spec.master_seed,
               spec.n_runs, spec.scale, spec.start, spec.end, spec.draws_from,
               None if spec.reform is None else json.dumps(spec.reform, default=str),
               spec.label, json.dumps(spec.settings), json.dumps(spec.keep), code_version]
        with self.store.connect(write=True) as con:
            con.register("_sidedoor_plan", frame)
            _transaction(con, [
                ("INSERT INTO ensembles VALUES (" + ", ".join("?" * len(row)) + ")", row),
                ("INSERT INTO ensemble_plan SELECT ?, run_index, run_id, seed, parameters, "
                 "coordinates FROM _sidedoor_plan", [ensemble_id]),
            ])

    def load_spec(self, ensemble_id: str) -> tuple[EnsembleSpec, str]:
        """The stored spec of an ensemble, and the code version that planned it."""
        self._ensure_tables()
        with self.store.connect() as con:
            cursor = con.execute("SELECT * FROM ensembles WHERE ensemble_id = ?", [ensemble_id])
            rows = cursor.fetchall()
            names = [d[0] for d in cursor.description]
        if not rows:
            raise EnsembleNotFoundError(
                f"no ensemble {ensemble_id!r} in {self.store.path}; "
                "`sidedoor ensemble --list` shows the stored ones")
        rec = dict(zip(names, rows[0], strict=True))
        spec = EnsembleSpec(
            kind=rec["kind"], master_seed=int(rec["master_seed"]), n_runs=int(rec["n_runs"]),
            scale=float(rec["scale"]), start=rec["start_month"], end=rec["end_month"],
            draws_from=rec["draws_from"], label=rec["label"] or "",
            reform=None if rec["reform"] is None else json.loads(rec["reform"]),
            settings=json.loads(rec["settings"] or "{}"), keep=json.loads(rec["keep"] or "null"))
        return spec, rec["code_version"] or ""

    def load_plan(self, ensemble_id: str) -> list[PlannedRun]:
        """Every planned member, in run-index order."""
        self._ensure_tables()
        sql = ("SELECT run_index, run_id, seed, parameters, coordinates FROM ensemble_plan "
               "WHERE ensemble_id = ? ORDER BY run_index")
        with self.store.connect() as con:
            rows = con.execute(sql, [ensemble_id]).fetchall()
        return [PlannedRun(int(i), rid, int(seed), json.loads(values),
                           None if coords is None else json.loads(coords))
                for i, rid, seed, values, coords in rows]

    def finished_indices(self, ensemble_id: str) -> set[int]:
        """Run indices whose run is stored (whole, since runs are written in one transaction)."""
        self._ensure_tables()
        with self.store.connect() as con:
            rows = con.execute("SELECT run_index FROM ensemble_members WHERE ensemble_id = ?",
                               [ensemble_id]).fetchall()
        return {int(r[0]) for r in rows}

    def list_ensembles(self) -> pd.DataFrame:
        """One row per ensemble with its number of finished members."""
        self._ensure_tables()
        sql = ("SELECT e.ensemble_id, e.kind, e.created_at, e.n_runs, "
               "count(m.run_id) AS finished, e.master_seed, e.scale, e.draws_from, e.label "
               "FROM ensembles e LEFT JOIN ensemble_members m USING (ensemble_id) "
               "GROUP BY ALL ORDER BY e.created_at, e.ensemble_id")
        with self.store.connect() as con:
            return con.execute(sql).df()

    # -- members ---------------------------------------------------------------------------

    def save_member(self, spec: EnsembleSpec, ensemble_id: str, planned: PlannedRun,
                    result: Any, code_version: str) -> bool:
        """Store one finished member (one transaction). False if it was already stored."""
        try:
            self.store.save_run(
                kind="ensemble", seed=planned.seed, scale=spec.scale, start_month=spec.start,
                end_month=spec.end, parameters=planned.values, reform=spec.reform,
                outputs=result.outputs, label=f"{ensemble_id}#{planned.index}",
                wall_seconds=result.wall_seconds, n_agents_peak=result.n_agents_peak,
                run_id=planned.run_id, code_version=code_version)
        except DuplicateRunError:
            return False
        return True

    def member_outputs(self, ensemble_id: str, keys: Sequence[Any] | None = None) -> pd.DataFrame:
        """``run_index, series, reference_date, category, value`` of the stored members.

        ``keys`` (``OutputKey``s) selects rows inside DuckDB, so summarising a large ensemble
        never loads every member's every output into memory.
        """
        self._ensure_tables()
        sql = ("SELECT m.run_index, o.series, o.reference_date, o.category, o.value "
               "FROM ensemble_members m JOIN run_outputs o USING (run_id) {join}"
               "WHERE m.ensemble_id = ? ORDER BY m.run_index, o.series, o.reference_date, "
               "o.category")
        wanted = None
        if keys is not None:
            wanted = pd.DataFrame({"series": [k.series for k in keys],
                                   "reference_date": [pd.Timestamp(k.date) for k in keys],
                                   "category": [k.category for k in keys]})
        with self.store.connect() as con:
            if wanted is None:
                frame = con.execute(sql.format(join=""), [ensemble_id]).df()
            else:
                con.register("_sidedoor_keys", wanted)
                join = ("JOIN _sidedoor_keys k ON o.series = k.series AND o.category = k.category "
                        "AND o.reference_date = CAST(k.reference_date AS DATE) ")
                frame = con.execute(sql.format(join=join), [ensemble_id]).df()
        frame["reference_date"] = pd.to_datetime(frame["reference_date"])
        return frame

    # -- sensitivity results -----------------------------------------------------------------

    def save_indices(self, ensemble_id: str, indices: pd.DataFrame) -> None:
        """Replace the ensemble's sensitivity indices, in one transaction."""
        self._ensure_tables()
        frame = indices.loc[:, list(INDEX_COLUMNS)]
        columns = ", ".join(INDEX_COLUMNS)
        with self.store.connect(write=True) as con:
            con.register("_sidedoor_indices", frame)
            _transaction(con, [
                ("DELETE FROM sensitivity_indices WHERE ensemble_id = ?", [ensemble_id]),
                (f"INSERT INTO sensitivity_indices SELECT ?, {columns} FROM _sidedoor_indices",
                 [ensemble_id]),
            ])

    def indices(self, ensemble_id: str) -> pd.DataFrame:
        self._ensure_tables()
        sql = (f"SELECT {', '.join(INDEX_COLUMNS)} FROM sensitivity_indices "
               "WHERE ensemble_id = ? ORDER BY output, parameter")
        with self.store.connect() as con:
            return con.execute(sql, [ensemble_id]).df()

    # -- integrity ---------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Problems in the ensemble tables (empty when sound); ``RunStore.check`` covers runs.

        A member run must carry its planned seed; an 'ensemble' run must belong to a plan;
        plan rows must belong to an ensemble and stay within its run count.
        """
        self._ensure_tables()
        queries = {
            "member {0!r} has seed {1}, planned {2}":
                "SELECT r.run_id, r.seed, p.seed FROM ensemble_plan p JOIN runs r USING (run_id) "
                "WHERE r.seed != p.seed OR r.kind != 'ensemble'",
            "ensemble run {0!r} belongs to no plan":
                "SELECT r.run_id FROM runs r ANTI JOIN ensemble_plan p USING (run_id) "
                "WHERE r.kind = 'ensemble'",
            "plan rows of unknown ensemble {0!r}":
                "SELECT DISTINCT p.ensemble_id FROM ensemble_plan p "
                "ANTI JOIN ensembles e USING (ensemble_id)",
            "ensemble {0!r} plans {1} members, expected {2}":
                "SELECT e.ensemble_id, count(p.run_index), e.n_runs FROM ensembles e "
                "LEFT JOIN ensemble_plan p USING (ensemble_id) GROUP BY ALL "
                "HAVING count(p.run_index) != e.n_runs",
        }
        problems = []
        with self.store.connect() as con:
            for message, sql in queries.items():
                problems += [message.format(*row) for row in con.execute(sql).fetchall()]
        return problems
