"""Scenario runs as background jobs: a bounded queue served by a fixed pool of worker threads.

A scenario run holds a core for minutes, and the machine has two; so the number of workers is
fixed, and once ``capacity`` jobs are waiting a new submission is refused (the API answers
429) instead of piling up work nobody will wait for. Threads, not processes: the engine's
numeric kernels release the GIL, and a thread can report progress straight into the ledger.

Status reads are answered from memory for jobs this server runs (the page polls them twice a
second); the ledger is written on every change, so nothing is lost on a restart.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from sidedoor.web.ledger import JobLedger, JobOutcome, JobRecord, now_utc

log = logging.getLogger("sidedoor.web")

#: Seconds between progress writes to the store. Polls read memory, and a restart marks the
#: job failed anyway, so the store only needs progress now and then (each write opens the file).
PROGRESS_WRITE_INTERVAL = 5.0


class JobRunner(Protocol):
    """Runs one job: the stored request and a ``progress(done, total)`` callback."""

    def __call__(self, request: dict[str, Any], progress: Callable[[int, int], None]) -> JobOutcome: ...


class QueueFullError(RuntimeError):
    """Too many jobs are waiting; the message says how many and what to do."""


def new_job_id() -> str:
    """Sortable and unguessable enough for a local dashboard: ``j20240131-142501-3fa9c2``."""
    return f"j{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


class JobQueue:
    """A fixed pool of workers taking jobs from a bounded FIFO, recording all in the ledger."""

    def __init__(self, ledger: JobLedger, runners: Mapping[str, JobRunner], *,
                 workers: int = 1, capacity: int = 4):
        self.ledger = ledger
        self.runners = dict(runners)
        self.workers = workers
        self.capacity = capacity
        self._waiting: queue.Queue[str | None] = queue.Queue()
        self._live: dict[str, JobRecord] = {}
        self._finished_cache: dict[str, JobRecord] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.interrupted: list[str] = []

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Fail what a previous server left unfinished, then start the workers."""
        self.interrupted = self.ledger.interrupt_unfinished()
        if self.interrupted:
            log.warning("marked %d unfinished job(s) as interrupted by a server restart",
                        len(self.interrupted))
        for i in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"sidedoor-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 2.0) -> None:
        """Ask workers to stop after their current job (running jobs cannot be cut short;
        if the process exits first, the next start marks them interrupted)."""
        for _ in self._threads:
            self._waiting.put(None)
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    # -- submitting and reading -------------------------------------------------------------

    @property
    def queued(self) -> int:
        with self._lock:
            return sum(1 for r in self._live.values() if r.status == "queued")

    def submit(self, kind: str, request: dict[str, Any]) -> JobRecord:
        """Record and enqueue a job; ``QueueFullError`` when ``capacity`` jobs already wait."""
        if kind not in self.runners:
            raise ValueError(f"unknown job kind {kind!r}")
        with self._lock:
            waiting = sum(1 for r in self._live.values() if r.status == "queued")
            if waiting >= self.capacity:
                raise QueueFullError(
                    f"the job queue is full ({waiting} scenario runs waiting, {self.workers} "
                    "running at a time); try again when one has finished")
            now = now_utc()
            record = JobRecord(new_job_id(), kind, request, "queued", 0.0, None, None, now, now)
            self._live[record.job_id] = record  # holds its place while the store is written
        try:
            self.ledger.insert(record)
        except BaseException:
            with self._lock:
                self._live.pop(record.job_id, None)
            raise
        self._waiting.put(record.job_id)
        return record

    def known(self, job_id: str) -> JobRecord | None:
        """The job's state if it is in memory (no store access: safe on the event loop)."""
        with self._lock:
            return self._live.get(job_id) or self._finished_cache.get(job_id)

    def status(self, job_id: str) -> JobRecord | None:
        """The job's latest state: from memory if this server knows it, else the ledger."""
        found = self.known(job_id)
        if found is not None:
            return found
        record = self.ledger.get(job_id)
        if record is not None and record.finished:
            with self._lock:  # finished records never change again: cache them
                self._finished_cache[job_id] = record
        return record

    def position(self, job_id: str) -> int | None:
        """1-based place among the waiting jobs, None when not waiting."""
        with self._lock:
            waiting = sorted((r.created_at, r.job_id) for r in self._live.values()
                             if r.status == "queued")
        ids = [j for _, j in waiting]
        return ids.index(job_id) + 1 if job_id in ids else None

    # -- the workers --------------------------------------------------------------------------

    def _set(self, record: JobRecord, *, write: bool = True) -> JobRecord:
        with self._lock:
            self._live[record.job_id] = record
        return self.ledger.update(record) if write else record

    def _work(self) -> None:
        while True:
            job_id = self._waiting.get()
            if job_id is None:
                return
            with self._lock:
                record = self._live[job_id]
            self._run(self._set(replace(record, status="running")))

    def _run(self, record: JobRecord) -> None:
        last_write = [0.0]
        current = [record]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            updated = replace(current[0], done_steps=int(done), total_steps=int(total),
                              progress=min(1.0, done / total) if total else 0.0)
            write = now - last_write[0] >= PROGRESS_WRITE_INTERVAL or done >= total
            try:
                current[0] = self._set(updated, write=write)
            except Exception:  # a busy store must not kill the run: memory still has it
                log.exception("could not record progress of job %s", updated.job_id)
                current[0] = self._set(updated, write=False)
            if write:
                last_write[0] = now

        try:
            outcome = self.runners[record.kind](record.request, progress)
            final = self.ledger.finish(current[0], outcome)
        except Exception as exc:  # the job failed, the server goes on
            log.exception("job %s failed", record.job_id)
            final = replace(current[0], status="failed", error=_message(exc))
            try:
                final = self.ledger.update(final)
            except Exception:
                log.exception("could not record the failure of job %s", record.job_id)
        with self._lock:
            self._live.pop(final.job_id, None)
            self._finished_cache[final.job_id] = final


def _message(exc: Exception) -> str:
    """A one-line reason for a failed job (no traceback: it is shown to the reader)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
