"""Errors the run store raises, each naming what went wrong and what to do about it."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class: anything the run store refuses or cannot do."""


class StoreLockedError(StoreError):
    """Another process holds the DuckDB file (DuckDB allows one writing process per file)."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"run store {path} is locked by another process ({detail}). Wait for that run to "
            "finish, or point SIDEDOOR_STORE / --store at another file."
        )
        self.path = path


class RunNotFoundError(StoreError, KeyError):
    """No run with this id; a KeyError so ``except KeyError`` callers keep working."""

    def __init__(self, run_id: str, path: Path) -> None:
        super().__init__(
            f"no run {run_id!r} in {path}; `sidedoor runs list` shows the stored runs."
        )
        self.run_id = run_id

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class DuplicateRunError(StoreError, ValueError):
    """A run id that is already stored: runs are immutable, never overwritten."""

    def __init__(self, run_id: str, path: Path) -> None:
        super().__init__(
            f"run {run_id!r} already exists in {path}; runs are never overwritten "
            "(omit run_id for a fresh one, or `sidedoor runs delete` the old run first)."
        )
        self.run_id = run_id


class SchemaVersionError(StoreError):
    """The file was written by a newer sidedoor, whose tables this version cannot read."""
