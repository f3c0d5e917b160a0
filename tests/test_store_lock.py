"""Another process holding the file: readers wait, then fail with a clear message."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from sidedoor.store import RunStore, StoreLockedError

HOLDER = (
    "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); "
    "open(sys.argv[2], 'w').close(); time.sleep(60)"
)


@pytest.fixture
def held_store(tmp_path):
    """A store whose file another process keeps open read-write."""
    path, flag = tmp_path / "held.duckdb", tmp_path / "held.flag"
    RunStore(path).list_runs()  # create the tables first
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(flag)])
    try:
        deadline = time.monotonic() + 30
        while not flag.exists():
            assert holder.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        yield path
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_locked_store_gives_clear_error(held_store):
    store = RunStore(held_store, lock_timeout=0.3)
    with pytest.raises(StoreLockedError, match=r"locked by another process.*PID"):
        store.list_runs()
