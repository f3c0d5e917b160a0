"""Scenario jobs: a bounded queue (429 when full), failures reported, and a server restart
that keeps finished results and reports interrupted jobs as failed, not running forever."""

from __future__ import annotations

import os
from dataclasses import replace
import signal
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from sidedoor.web import WebSettings, create_app
from sidedoor.web.jobs import JobQueue, QueueFullError
from sidedoor.web.ledger import INTERRUPTED, JobLedger
from sidedoor.web.testing import GatedScenario, StandInScenario, free_port, stand_in_tracer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CHANGE = {"parameter": "titp.job_mobility", "value": True, "start": "1993-04-05"}


def _until(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_queue_runs_jobs_and_records_progress(tmp_path):
    ledger = JobLedger(tmp_path / "s.duckdb")
    queue = JobQueue(ledger, {"scenario": StandInScenario(0.01)}, workers=1, capacity=2)
    queue.start()
    try:
        record = queue.submit("scenario", {"changes": [CHANGE], "draws": 4})
        done = _until(lambda: (r := queue.status(record.job_id)) and r.finished and r, what="job")
        assert (done.status, done.progress, done.done_steps, done.total_steps) == ("done", 1.0, 4, 4)
        stored = ledger.get(record.job_id)
        assert stored.status == "done" and stored.reading.startswith("Stand-in")
        assert len(ledger.result(record.job_id)) == 22
    finally:
        queue.stop()


def test_a_failing_job_is_reported_with_its_reason(tmp_path):
    ledger = JobLedger(tmp_path / "s.duckdb")
    queue = JobQueue(ledger, {"scenario": StandInScenario(0.0)}, workers=1, capacity=2)
    queue.start()
    try:
        record = queue.submit("scenario", {"changes": [CHANGE], "label": "fail please", "draws": 1})
        done = _until(lambda: (r := queue.status(record.job_id)) and r.finished and r, what="job")
        assert done.status == "failed" and "asked to fail" in done.error
        assert ledger.get(record.job_id).status == "failed"
    finally:
        queue.stop()


def test_full_queue_refuses_with_429_and_a_clear_message(tmp_path):
    gated = GatedScenario()
    settings = WebSettings(store=tmp_path / "s.duckdb", workers=1, queue_capacity=2)
    app = create_app(settings, runners={"scenario": gated}, tracer=stand_in_tracer, warm=False)
    body = {"changes": [CHANGE], "draws": 1}
    with TestClient(app, base_url="http://127.0.0.1") as client:
        first = client.post("/api/scenarios", json=body).json()
        assert gated.started.wait(10)  # the only worker is busy with the first job
        waiting = [client.post("/api/scenarios", json=body) for _ in range(2)]
        assert [r.status_code for r in waiting] == [202, 202]
        assert [r.json()["position"] for r in waiting] == [1, 2]
        refused = client.post("/api/scenarios", json=body)
        assert refused.status_code == 429
        assert "queue is full" in refused.json()["detail"] and refused.headers["retry-after"]
        gated.release.set()
        for job_id in [first["job_id"], *(r.json()["job_id"] for r in waiting)]:
            _until(lambda j=job_id: client.get(f"/api/scenarios/{j}").json()["status"] == "done", what=job_id)
        assert client.post("/api/scenarios", json=body).status_code == 202  # room again


def test_unfinished_jobs_of_a_dead_server_are_marked_interrupted(tmp_path):
    ledger = JobLedger(tmp_path / "s.duckdb")
    queued = ledger.create("j20240101-000000-aaaaaa", "scenario", {"scenario": "null"})
    running = ledger.create("j20240101-000001-bbbbbb", "scenario", {"scenario": "null"})
    ledger.update(replace(running, status="running", progress=0.5))
    queue = JobQueue(JobLedger(tmp_path / "s.duckdb"), {"scenario": StandInScenario()}, workers=1)
    queue.start()
    queue.stop()
    assert sorted(queue.interrupted) == [queued.job_id, running.job_id]
    for job_id in queue.interrupted:
        record = ledger.get(job_id)
        assert (record.status, record.error) == ("failed", INTERRUPTED)


def _serve(port: int, store, seconds_per_draw: float) -> subprocess.Popen:
    """A dashboard in its own process (stand-in jobs), on loopback only."""
    command = [sys.executable, "-m", "sidedoor.web.testing", "--port", str(port), "--store", str(store),
               "--stand-in", str(seconds_per_draw)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read().decode()[-2000:]}")
        try:
            return httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    _until(up, timeout=120, what="server start")
    return process


def test_restart_keeps_finished_results_and_fails_interrupted_jobs(tmp_path):
    store, port = tmp_path / "s.duckdb", free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(port, store, seconds_per_draw=0.2)
    try:
        finished = httpx.post(f"{base}/api/scenarios", json={"changes": [CHANGE], "draws": 1}).json()
        _until(lambda: httpx.get(f"{base}/api/scenarios/{finished['job_id']}").json()["status"] == "done",
               what="first job")
        running = httpx.post(f"{base}/api/scenarios", json={"changes": [CHANGE], "draws": 200}).json()
        queued = httpx.post(f"{base}/api/scenarios", json={"changes": [CHANGE], "draws": 200}).json()
        _until(lambda: httpx.get(f"{base}/api/scenarios/{running['job_id']}").json()["progress"] > 0,
               what="second job running")
        csv_before = httpx.get(f"{base}/api/scenarios/{finished['job_id']}/result.csv").text
    finally:
        os.kill(server.pid, signal.SIGKILL)  # die mid-run, as a crash would
        server.wait(10)
    server = _serve(port, store, seconds_per_draw=0.2)
    try:
        done = httpx.get(f"{base}/api/scenarios/{finished['job_id']}").json()
        assert done["status"] == "done"
        assert httpx.get(f"{base}/api/scenarios/{finished['job_id']}/result.csv").text == csv_before
        for job in (running, queued):
            after = httpx.get(f"{base}/api/scenarios/{job['job_id']}").json()
            assert (after["status"], after["error"]) == ("failed", INTERRUPTED)
        listed = {j["job_id"]: j["status"] for j in httpx.get(f"{base}/api/scenarios").json()["jobs"]}
        assert listed == {finished["job_id"]: "done", running["job_id"]: "failed", queued["job_id"]: "failed"}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(15)


def test_queue_capacity_is_checked_before_recording(tmp_path):
    gated = GatedScenario()
    queue = JobQueue(JobLedger(tmp_path / "s.duckdb"), {"scenario": gated}, workers=1, capacity=1)
    queue.start()
    try:
        queue.submit("scenario", {"scenario": "null"})
        assert gated.started.wait(10)
        queue.submit("scenario", {"scenario": "null"})
        with pytest.raises(QueueFullError, match="queue is full"):
            queue.submit("scenario", {"scenario": "null"})
        assert len(queue.ledger.recent()) == 2  # the refused job left no row behind
    finally:
        gated.release.set()
        queue.stop()
