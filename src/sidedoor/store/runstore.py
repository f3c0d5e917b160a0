"""`RunStore`: every run's metadata and results in one DuckDB file.

Each operation opens its own connection and closes it when done, because DuckDB lets only
one process at a time write a file: holding a connection would lock out every other
``sidedoor`` process. A run is written in a single transaction, so a crash, SIGKILL or Ctrl-C
leaves either the whole run or nothing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from sidedoor.provenance import code_version as current_code_version
from sidedoor.store import inputs, schema
from sidedoor.store.errors import (
    DuplicateRunError,
    RunNotFoundError,
    StoreError,
    StoreLockedError,
)

DEFAULT_PATH = Path(".sidedoor") / "sidedoor.duckdb"
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_EXPORT_FORMATS = {".csv": "csv", ".parquet": "parquet"}
_ORDER = {
    "run_outputs": "series, reference_date, category",
    "run_flows": "month, from_status, to_status, mechanism",
    "run_events": "month, person, from_status, to_status",
}
_LIST_COLUMNS = (
    "run_id, kind, created_at, status, seed, scale, start_month, end_month, code_version, "
    "label, wall_seconds, n_agents_peak, n_outputs, n_flows, n_events"
)


def default_path() -> Path:
    """``$SIDEDOOR_STORE``, else ``./.sidedoor/sidedoor.duckdb``."""
    return Path(os.environ.get("SIDEDOOR_STORE") or DEFAULT_PATH)


def new_run_id(now: datetime | None = None) -> str:
    """A readable, sortable id: ``r20240131-142501-3fa9c2`` (UTC time + random suffix)."""
    now = now or datetime.now(UTC)
    return f"r{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


class RunStore:
    """Runs and their outputs, flows and sampled events, in a DuckDB file."""

    def __init__(self, path: str | Path | None = None, *, lock_timeout: float = 10.0) -> None:
        """Locate the file (creating its folder); tables are created on first use.

        ``lock_timeout``: seconds to wait for another process to release the file.
        """
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock_timeout = lock_timeout
        self._schema_ready = False

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"

    # -- connections ---------------------------------------------------------------------

    @contextmanager
    def connect(self, *, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one operation, closed (and the file released) on exit.

        Public for ad-hoc SQL over the tables; keep the block short, since a writing
        connection locks every other process out of the file.
        """
        self._ensure_schema()
        con = self._open(read_only=not write)
        try:
            yield con
        finally:
            con.close()

    def _open(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        """Connect, waiting up to ``lock_timeout`` while another process holds the file."""
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.Error as exc:
                if read_only and "different configuration" in str(exc):
                    read_only = False  # this process has the file open read-write: share it
                    continue
                if "Could not set lock" not in str(exc):
                    first_line = str(exc).splitlines()[0]
                    raise StoreError(f"cannot open run store {self.path}: {first_line}") from exc
                if time.monotonic() >= deadline:
                    raise StoreLockedError(self.path, _lock_holder(exc)) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _ensure_schema(self) -> None:
        """Create the tables on first open; refuse files from a newer schema."""
        if self._schema_ready:
            return
        if self.path.exists():
            con = self._open(read_only=True)
            try:
                version = schema.stored_version(con)
            finally:
                con.close()
            schema.verify_version(version, self.path)
        else:
            version = None
        if version is None:
            con = self._open(read_only=False)
            try:
                version = schema.stored_version(con)  # another process may have won the race
                schema.verify_version(version, self.path)
                if version is None:
                    schema.create(con)
            finally:
                con.close()
        self._schema_ready = True

    # -- writing -------------------------------------------------------------------------

    def save_run(
        self,
        *,
        kind: str,
        seed: int | None,
        scale: float | None,
        start_month: date | str | None,
        end_month: date | str | None,
        parameters: Mapping[str, Any],
        reform: Mapping[str, Any] | None,
        outputs: pd.DataFrame,
        flows: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        label: str | None = None,
        wall_seconds: float | None = None,
        n_agents_peak: int | None = None,
        run_id: str | None = None,
        code_version: str | None = None,
    ) -> str:
        """Store a whole run in one transaction and return its id.

        Everything is validated before the transaction opens; any exception inside it
        (KeyboardInterrupt included) rolls back, so no partial run is ever visible.
        """
        if kind not in schema.KINDS:
            raise ValueError(f"kind must be one of {schema.KINDS}, got {kind!r}")
        now = datetime.now(UTC)
        run_id = _checked_run_id(run_id) if run_id is not None else new_run_id(now)
        data = {"run_outputs": outputs, "run_flows": flows, "run_events": events}
        prepared = {t: inputs.prepare(t, f) for t, f in data.items() if f is not None}
        row = {
            "run_id": run_id,
            "kind": kind,
            "created_at": now.replace(tzinfo=None),  # UTC
            "status": "complete",
            "seed": None if seed is None else int(seed),
            "scale": None if scale is None else float(scale),
            "start_month": inputs.as_date(start_month),
            "end_month": inputs.as_date(end_month),
            "code_version": code_version or current_code_version(),
            "parameters": inputs.to_json(dict(parameters)),
            "reform": None if reform is None else inputs.to_json(dict(reform)),
            "label": label,
            "wall_seconds": None if wall_seconds is None else float(wall_seconds),
            "n_agents_peak": None if n_agents_peak is None else int(n_agents_peak),
            "n_outputs": len(prepared["run_outputs"]),
            "n_flows": len(prepared.get("run_flows", ())),
            "n_events": len(prepared.get("run_events", ())),
        }
        with self.connect(write=True) as con:
            _write_run(con, row, prepared, self.path)
        return run_id

    def delete_run(self, run_id: str) -> None:
        """Remove a run and all its rows, in one transaction."""
        with self.connect(write=True) as con:
            _require_run(con, run_id, self.path)
            con.execute("BEGIN TRANSACTION")
            try:
                for table in (*schema.DATA_TABLES, "runs"):
                    con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise

    # -- reading -------------------------------------------------------------------------

    def list_runs(self, kind: str | None = None) -> pd.DataFrame:
        """One row per run (without the parameter JSON), oldest first."""
        where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
        sql = f"SELECT {_LIST_COLUMNS} FROM runs {where} ORDER BY created_at, run_id"
        with self.connect() as con:
            return con.execute(sql, params).df()

    def get_run(self, run_id: str) -> dict[str, Any]:
        """A run's metadata; ``parameters``/``reform`` decoded, months as ``date``."""
        with self.connect() as con:
            cursor = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id])
            rows = cursor.fetchall()  # DuckDB 2: read results to the end
            names = [d[0] for d in cursor.description]
        if not rows:
            raise RunNotFoundError(run_id, self.path)
        run = dict(zip(names, rows[0], strict=True))
        for key in ("parameters", "reform"):
            run[key] = None if run[key] is None else json.loads(run[key])
        return run

    def outputs(self, run_id: str) -> pd.DataFrame:
        """The run's tidy outputs: ``series, reference_date, category, value``."""
        return self._frame("run_outputs", run_id)

    def flows(self, run_id: str) -> pd.DataFrame:
        """Monthly status transitions: ``month, from_status, to_status, mechanism, count``."""
        return self._frame("run_flows", run_id)

    def events(self, run_id: str) -> pd.DataFrame:
        """The sampled event log: ``person, month, from_status, to_status, mechanism``."""
        return self._frame("run_events", run_id)

    def output_summary(self, run_id: str) -> pd.DataFrame:
        """Per series: row count and first/last reference date (for ``runs show``)."""
        sql = (
            "SELECT series, count(*) AS rows, min(reference_date) AS first_date, "
            "max(reference_date) AS last_date FROM run_outputs WHERE run_id = ? "
            "GROUP BY series ORDER BY series"
        )
        with self.connect() as con:
            _require_run(con, run_id, self.path)
            return con.execute(sql, [run_id]).df()

    def _frame(self, table: str, run_id: str) -> pd.DataFrame:
        """One run's rows of a data table, in a stable order, without the run_id column."""
        columns = ", ".join(schema.FRAME_COLUMNS[table])
        sql = f"SELECT {columns} FROM {table} WHERE run_id = ? ORDER BY {_ORDER[table]}"
        with self.connect() as con:
            _require_run(con, run_id, self.path)
            return con.execute(sql, [run_id]).df()

    def export(self, run_id: str, path: str | Path, *, table: str = "outputs") -> Path:
        """Write a run's outputs (or ``table="flows"|"events"``) as CSV or Parquet.

        The format follows the suffix; CSV dates are ISO ``YYYY-MM-DD`` (see CONTRACTS.md).
        """
        path = Path(path)
        fmt = _EXPORT_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(f"export to .csv or .parquet, not {path.name!r}")
        name = f"run_{table}"
        if name not in schema.FRAME_COLUMNS:
            raise ValueError(f"table must be outputs, flows or events, not {table!r}")
        columns = ", ".join(schema.FRAME_COLUMNS[name])
        sql = f"SELECT {columns} FROM {name} WHERE run_id = $1 ORDER BY {_ORDER[name]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as con:
            _require_run(con, run_id, self.path)
            relation = con.sql(sql, params=[run_id])
            if fmt == "csv":
                relation.write_csv(str(path), header=True)
            else:
                relation.write_parquet(str(path))
        return path

    def check(self) -> list[str]:
        """Integrity problems (empty when sound): partial runs, orphan rows, bad status.

        Row counts are compared with the counts recorded at save time, which also reads
        every run_id block (DuckDB verifies block checksums as it reads).
        """
        with self.connect() as con:
            problems = [
                f"run {rid!r} has status {status!r}"
                for rid, status in con.execute(
                    "SELECT run_id, status FROM runs WHERE status != 'complete'"
                ).fetchall()
            ]
            for table in schema.DATA_TABLES:
                problems += _count_problems(con, table)
                problems += _orphan_problems(con, table)
        return problems


# -- module-level steps of the operations above --------------------------------------------


def _write_run(
    con: duckdb.DuckDBPyConnection,
    row: dict[str, Any],
    prepared: dict[str, pd.DataFrame],
    path: Path,
) -> None:
    """Insert the run row and its data tables; commit all or nothing."""
    run_id = row["run_id"]
    con.execute("BEGIN TRANSACTION")
    try:
        if _run_exists(con, run_id):
            raise DuplicateRunError(run_id, path)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", list(row.values()))
        for table, frame in prepared.items():
            _insert_frame(con, table, run_id, frame)
        con.execute("COMMIT")
    except duckdb.ConstraintException as exc:
        _rollback(con)
        if "Duplicate key" in str(exc):  # a concurrent writer took the id first
            raise DuplicateRunError(run_id, path) from exc
        raise
    except BaseException:
        _rollback(con)
        raise


def _insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, run_id: str, frame: pd.DataFrame
) -> None:
    """Bulk-insert a DataFrame by scanning it in place (no row-by-row inserts)."""
    view = f"_sidedoor_{table}"
    casts = ", ".join(schema.COLUMN_CASTS[c] for c in schema.FRAME_COLUMNS[table])
    con.register(view, frame)
    con.execute(f"INSERT INTO {table} SELECT ?, {casts} FROM {view}", [run_id])
    # Only on success: in an aborted transaction unregister fails and would mask the error;
    # the view dies with the connection anyway.
    con.unregister(view)


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back; closing the connection discards the transaction anyway if this fails."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _run_exists(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    return bool(con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchall())


def _require_run(con: duckdb.DuckDBPyConnection, run_id: str, path: Path) -> None:
    if not _run_exists(con, run_id):
        raise RunNotFoundError(run_id, path)


def _count_problems(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Runs whose stored row count differs from the count recorded at save time."""
    expected = "n_" + table.removeprefix("run_")
    sql = (
        f"SELECT r.run_id, r.{expected}, coalesce(c.n, 0) FROM runs r LEFT JOIN "
        f"(SELECT run_id, count(*) AS n FROM {table} GROUP BY run_id) c USING (run_id) "
        f"WHERE r.{expected} != coalesce(c.n, 0) ORDER BY r.run_id"
    )
    return [
        f"run {rid!r}: {found} rows in {table}, expected {want}"
        for rid, want, found in con.execute(sql).fetchall()
    ]


def _orphan_problems(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Rows whose run_id has no run (what a half-written run would leave)."""
    sql = (
        f"SELECT t.run_id, count(*) FROM {table} t ANTI JOIN runs r USING (run_id) "
        "GROUP BY t.run_id ORDER BY t.run_id"
    )
    return [
        f"{n} orphan rows in {table} for missing run {rid!r}"
        for rid, n in con.execute(sql).fetchall()
    ]


def _lock_holder(exc: Exception) -> str:
    """The 'held in <program> (PID n)' part of DuckDB's lock error, if present."""
    found = re.search(r"Conflicting lock is held in (.+?)(?:\. See also|$)", str(exc))
    return f"held by {found.group(1)}" if found else str(exc).splitlines()[0]


def _checked_run_id(run_id: str) -> str:
    """Ids become file names and CLI arguments: keep them short and shell-safe."""
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise ValueError(
            f"run_id {run_id!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return run_id
