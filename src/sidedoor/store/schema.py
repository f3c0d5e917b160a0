"""Table definitions of the run store, versioned so old files can be migrated or refused.

One row per run in ``runs``; the run's data in three long tables keyed by ``run_id``. There are
no foreign keys (DuckDB's restrict their deletion); :meth:`RunStore.check` verifies instead
that every run is whole and no row is orphaned. ``n_outputs``/``n_flows``/``n_events`` record
how many rows the run wrote, so the check can tell a whole run from a truncated one.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from sidedoor.store.errors import SchemaVersionError

SCHEMA_VERSION = 1

#: Run kinds; a typo would otherwise hide a run from ``list_runs(kind=...)``.
KINDS = ("simulation", "scenario", "calibration", "ensemble")

#: Columns each data table receives from its DataFrame (run_id is added by the store).
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "run_outputs": ("series", "reference_date", "category", "value"),
    "run_flows": ("month", "from_status", "to_status", "mechanism", "count"),
    "run_events": ("person", "month", "from_status", "to_status", "mechanism"),
}

#: SQL expression converting each incoming column to its stored type.
COLUMN_CASTS: dict[str, str] = {
    "series": "CAST(series AS VARCHAR)",
    "reference_date": "CAST(reference_date AS DATE)",
    "category": "CAST(category AS VARCHAR)",
    "value": "CAST(value AS DOUBLE)",
    "month": "CAST(month AS DATE)",
    "from_status": "CAST(from_status AS VARCHAR)",
    "to_status": "CAST(to_status AS VARCHAR)",
    "mechanism": "CAST(mechanism AS VARCHAR)",
    "count": "CAST(count AS BIGINT)",
    "person": "CAST(person AS BIGINT)",
}

DDL = (
    """CREATE TABLE schema_version (
        version INTEGER NOT NULL,
        applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
    )""",
    """CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        created_at TIMESTAMP NOT NULL,
        status TEXT NOT NULL,
        seed BIGINT,
        scale DOUBLE,
        start_month DATE,
        end_month DATE,
        code_version TEXT,
        parameters JSON,
        reform JSON,
        label TEXT,
        wall_seconds DOUBLE,
        n_agents_peak BIGINT,
        n_outputs BIGINT NOT NULL,
        n_flows BIGINT NOT NULL,
        n_events BIGINT NOT NULL
    )""",
    """CREATE TABLE run_outputs (
        run_id TEXT NOT NULL, series TEXT NOT NULL, reference_date DATE NOT NULL,
        category TEXT NOT NULL, value DOUBLE
    )""",
    """CREATE TABLE run_flows (
        run_id TEXT NOT NULL, month DATE NOT NULL, from_status TEXT, to_status TEXT,
        mechanism TEXT, count BIGINT NOT NULL
    )""",
    """CREATE TABLE run_events (
        run_id TEXT NOT NULL, person BIGINT NOT NULL, month DATE NOT NULL, from_status TEXT,
        to_status TEXT, mechanism TEXT
    )""",
)

DATA_TABLES = tuple(FRAME_COLUMNS)


def stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """Schema version of an opened file, None for a file without sidedoor tables."""
    # fetchall, not fetchone: DuckDB 2 blocks a connection until a result is read to the end
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND table_name = 'schema_version'"
    ).fetchall()
    if not found[0][0]:
        return None
    version = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
    return None if version is None else int(version)


def verify_version(version: int | None, path: Path) -> None:
    """Refuse files this code cannot read, rather than misreading them."""
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"run store {path} has schema version {version}, newer than this sidedoor's "
            f"{SCHEMA_VERSION}; upgrade sidedoor or use another store file."
        )


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table in one transaction, so a file never has half a schema."""
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in DDL:
            con.execute(statement)
        con.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
