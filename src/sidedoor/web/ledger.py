"""The dashboard's jobs in the run store (tables ``web_jobs`` and ``web_job_results``).

A scenario run takes minutes; a server restart must not lose a finished result, nor leave a
job that died with the server shown as running forever. So every state change is written to
the DuckDB run store, a finished result is written with its ``done`` status in one
transaction (whole or not at all), and on start the server marks jobs it finds queued or
running as failed ("interrupted by a server restart").

Connections are opened per operation through :meth:`RunStore.connect`, like the rest of the
store, so the CLI can still use the file while the server runs. Writes are serialised by a
lock because concurrent DuckDB transactions on one row conflict.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from sidedoor.store import RunStore

STATUSES = ("queued", "running", "done", "failed")
TERMINAL = frozenset({"done", "failed"})
INTERRUPTED = "interrupted by a server restart"
RESULT_COLUMNS = ("series", "reference_date", "category", "baseline", "reform", "difference",
                  "difference_q05", "difference_q95")

DDL = (
    """CREATE TABLE IF NOT EXISTS web_jobs (
        job_id TEXT PRIMARY KEY, kind TEXT NOT NULL, request JSON NOT NULL,
        status TEXT NOT NULL, progress DOUBLE NOT NULL DEFAULT 0, done_steps INTEGER,
        total_steps INTEGER, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
        error TEXT, run_id TEXT, headline JSON, reading TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS web_job_results (
        job_id TEXT NOT NULL, series TEXT NOT NULL, reference_date DATE NOT NULL,
        category TEXT NOT NULL, baseline DOUBLE, reform DOUBLE, difference DOUBLE,
        difference_q05 DOUBLE, difference_q95 DOUBLE
    )""",
)
_COLUMNS = ("job_id, kind, request, status, progress, done_steps, total_steps, created_at, "
            "updated_at, error, run_id, headline, reading")


def now_utc() -> dt.datetime:
    """Naive UTC, as the store keeps its timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class JobRecord:
    """One job as stored: what was asked, how far it got, and how it ended."""

    job_id: str
    kind: str
    request: dict[str, Any]
    status: str
    progress: float
    done_steps: int | None
    total_steps: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    error: str | None = None
    run_id: str | None = None
    headline: dict[str, Any] | None = None
    reading: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True)
class JobOutcome:
    """What a finished scenario job hands back (``ScenarioResult`` reduced to storable parts)."""

    table: pd.DataFrame
    headline: dict[str, Any]
    reading: str
    run_id: str | None


class JobLedger:
    """Reads and writes the dashboard's job tables in one run-store file."""

    def __init__(self, store_path: str | Path | None = None):
        self.store = RunStore(store_path)
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self, write: bool = False):
        if not self._ready:
            with self.store.connect(write=True) as con:
                for statement in DDL:
                    con.execute(statement)
            self._ready = True
        return self.store.connect(write=write)

    def create(self, job_id: str, kind: str, request: dict[str, Any]) -> JobRecord:
        """Record a new queued job."""
        now = now_utc()
        return self.insert(JobRecord(job_id, kind, request, "queued", 0.0, None, None, now, now))

    def insert(self, record: JobRecord) -> JobRecord:
        with self._lock, self._connect(write=True) as con:
            con.execute(
                "INSERT INTO web_jobs (job_id, kind, request, status, progress, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [record.job_id, record.kind, json.dumps(record.request, default=str), record.status,
                 record.progress, record.created_at, record.updated_at])
        return record

    def update(self, record: JobRecord) -> JobRecord:
        """Write a record's status, progress and error (not its result)."""
        record = replace(record, updated_at=now_utc())
        with self._lock, self._connect(write=True) as con:
            con.execute(
                "UPDATE web_jobs SET status = ?, progress = ?, done_steps = ?, total_steps = ?, "
                "updated_at = ?, error = ? WHERE job_id = ?",
                [record.status, record.progress, record.done_steps, record.total_steps,
                 record.updated_at, record.error, record.job_id])
        return record

    def finish(self, record: JobRecord, outcome: JobOutcome) -> JobRecord:
        """Store the result rows and mark the job done, in one transaction."""
        table = _result_frame(outcome.table)
        record = replace(record, status="done", progress=1.0, updated_at=now_utc(),
                         run_id=outcome.run_id, headline=outcome.headline, reading=outcome.reading)
        with self._lock, self._connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute("DELETE FROM web_job_results WHERE job_id = ?", [record.job_id])
                con.register("_sidedoor_web_result", table)
                con.execute(
                    "INSERT INTO web_job_results SELECT ?, CAST(series AS VARCHAR), "
                    "CAST(reference_date AS DATE), CAST(category AS VARCHAR), "
                    "baseline, reform, difference, difference_q05, difference_q95 "
                    "FROM _sidedoor_web_result", [record.job_id])
                con.execute(
                    "UPDATE web_jobs SET status = 'done', progress = 1, done_steps = ?, "
                    "total_steps = ?, updated_at = ?, error = NULL, run_id = ?, headline = ?, "
                    "reading = ? WHERE job_id = ?",
                    [record.done_steps, record.total_steps, record.updated_at, record.run_id,
                     json.dumps(record.headline, default=str), record.reading, record.job_id])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return record

    def interrupt_unfinished(self) -> list[str]:
        """Mark jobs left queued or running by a previous server as failed; their ids."""
        with self._lock, self._connect(write=True) as con:
            ids = [r[0] for r in con.execute(
                "SELECT job_id FROM web_jobs WHERE status IN ('queued', 'running') "
                "ORDER BY created_at").fetchall()]
            if ids:
                con.execute("UPDATE web_jobs SET status = 'failed', error = ?, updated_at = ? "
                            "WHERE status IN ('queued', 'running')", [INTERRUPTED, now_utc()])
        return ids

    def get(self, job_id: str) -> JobRecord | None:
        with self._connect() as con:
            rows = con.execute(f"SELECT {_COLUMNS} FROM web_jobs WHERE job_id = ?",
                               [job_id]).fetchall()
        return _record(rows[0]) if rows else None

    def recent(self, kind: str | None = None, limit: int = 50) -> list[JobRecord]:
        """The newest jobs first."""
        where, args = ("WHERE kind = ?", [kind]) if kind else ("", [])
        with self._connect() as con:
            rows = con.execute(f"SELECT {_COLUMNS} FROM web_jobs {where} "
                               "ORDER BY created_at DESC, job_id DESC LIMIT ?",
                               [*args, limit]).fetchall()
        return [_record(r) for r in rows]

    def result(self, job_id: str) -> pd.DataFrame:
        """A done job's result table, in the columns of ``ScenarioResult.table``."""
        with self._connect() as con:
            frame = con.execute(
                f"SELECT {', '.join(RESULT_COLUMNS)} FROM web_job_results WHERE job_id = ? "
                "ORDER BY series, category, reference_date", [job_id]).df()
        frame["reference_date"] = pd.to_datetime(frame["reference_date"])
        return frame


def _result_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Check a result table has every contract column before it is stored."""
    missing = [c for c in RESULT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"scenario result lacks columns {missing}")
    out = table[list(RESULT_COLUMNS)].copy()
    out["reference_date"] = pd.to_datetime(out["reference_date"])
    for column in RESULT_COLUMNS[3:]:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out


def _record(row: tuple) -> JobRecord:
    (job_id, kind, request, status, progress, done, total, created, updated, error, run_id,
     headline, reading) = row
    return JobRecord(job_id, kind, json.loads(request), status, float(progress), done, total,
                     created, updated, error, run_id,
                     json.loads(headline) if headline else None, reading)
