"""The DuckDB run store: every run's metadata, outputs, flows and sampled events.

Usage::

    store = RunStore()            # $SIDEDOOR_STORE or ./.sidedoor/sidedoor.duckdb
    run_id = store.save_run(kind="simulation", seed=1, scale=0.01, start_month="1990-01",
                            end_month="2020-12", parameters={...}, reform=None, outputs=frame)
    store.outputs(run_id)         # series, reference_date, category, value

Tables and their columns are defined in :mod:`sidedoor.store.schema`; ``store.check()``
verifies that every stored run is whole.
"""

from __future__ import annotations

from sidedoor.store.errors import (
    DuplicateRunError,
    RunNotFoundError,
    SchemaVersionError,
    StoreError,
    StoreLockedError,
)
from sidedoor.store.runstore import RunStore, default_path, new_run_id
from sidedoor.store.schema import KINDS, SCHEMA_VERSION

__all__ = [
    "KINDS",
    "SCHEMA_VERSION",
    "DuplicateRunError",
    "RunNotFoundError",
    "RunStore",
    "SchemaVersionError",
    "StoreError",
    "StoreLockedError",
    "default_path",
    "new_run_id",
]
