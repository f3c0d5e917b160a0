"""Unstable tools (as in Mesa's ``experimental``): useful now, API may change without notice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def map_runs(fn: Callable[[Any], Any], jobs: Sequence[Any], processes: int = 1) -> list[Any]:
    """``fn`` over ``jobs``, in ``processes`` worker processes when more than one, results in
    job order: each job carries its own seed, so the results do not depend on ``processes``."""
    if processes > 1:
        with ProcessPoolExecutor(processes) as pool:
            return list(pool.map(fn, jobs))
    return [fn(job) for job in jobs]
