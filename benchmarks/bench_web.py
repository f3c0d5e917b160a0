"""Load benchmark of the dashboard: 20 concurrent clients load pages and poll job status.

Starts a dashboard on 127.0.0.1 (a free port; nothing else is ever contacted) with scenario
jobs running, then runs ``--clients`` threads for ``--seconds`` (capped at 300): each loads a
page, then polls a job's status as the scenario page does (every ``--think`` seconds, four
times), and starts over. Prints p50/p99 latency and error counts for pages and status calls.
The goal: no errors, p99 < 500 ms for both.

    python benchmarks/bench_web.py                # stand-in jobs (the server's own cost)
    python benchmarks/bench_web.py --real         # real run_scenario jobs competing for the CPU
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from sidedoor.web.testing import free_port

PAGES = ("/observed", "/model", "/rules", "/scenarios", "/pathways")
GOAL_MS = 500.0


def start_server(store: Path, port: int, real: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "sidedoor.web.testing", "--port", str(port), "--store", str(store),
               "--queue", "20"]
    if not real:
        command += ["--stand-in", "0.5"]
    env = {**os.environ, "SIDEDOOR_WEB_DRAWS": "2", "SIDEDOOR_WEB_SCALE": "0.005", "SIDEDOOR_WEB_END": "2000-12"}
    env.pop("SIDEDOOR_TOKEN", None)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the dashboard exited during start-up")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the dashboard did not start within 180 s")


def warm(base: str) -> None:
    """One request per page and data route, so the benchmark measures a warm server."""
    with httpx.Client(base_url=base, timeout=120) as client:
        for path in (*PAGES, "/api/series", "/api/rules/reformable", "/api/scenarios/named"):
            client.get(path).raise_for_status()


def submit_jobs(base: str, n: int, real: bool) -> list[str]:
    body = {"changes": [{"parameter": "titp.job_mobility", "value": True, "start": "1993-04-05"}]}
    if not real:
        body["draws"] = 200  # 100 s per stand-in job: still running while the clients poll
    ids = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(n):
            response = client.post("/api/scenarios", json=body)
            response.raise_for_status()
            ids.append(response.json()["job_id"])
    return ids


def client_loop(base: str, jobs: list[str], stop_at: float, think: float, seed: int,
                results: dict[str, list[float]], errors: dict[str, int], lock: threading.Lock) -> None:
    rng = random.Random(seed)
    local: dict[str, list[float]] = {"page": [], "status": [], **{page: [] for page in PAGES}}
    failed = {"page": 0, "status": 0}
    with httpx.Client(base_url=base, timeout=10) as client:
        while time.monotonic() < stop_at:
            calls = [("page", rng.choice(PAGES))] + [("status", f"/api/scenarios/{rng.choice(jobs)}")] * 4
            for kind, path in calls:
                if time.monotonic() >= stop_at:
                    break
                t0 = time.perf_counter()
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                local[kind].append(1000 * (time.perf_counter() - t0))
                if kind == "page":
                    local[path].append(local[kind][-1])
                failed[kind] += not ok
                if kind == "status":
                    time.sleep(think)
    with lock:
        for kind in local:
            results.setdefault(kind, []).extend(local[kind])
        for kind in failed:
            errors[kind] += failed[kind]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.5, help="seconds between status polls (the page's)")
    parser.add_argument("--jobs", type=int, default=2, help="scenario jobs submitted before the clients start")
    parser.add_argument("--real", action="store_true", help="real run_scenario jobs (tiny settings)")
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), 300.0)
    with tempfile.TemporaryDirectory(prefix="sidedoor-bench-web-") as folder:
        port = free_port()
        server = start_server(Path(folder) / "store.duckdb", port, args.real)
        base = f"http://127.0.0.1:{port}"
        try:
            warm(base)
            jobs = submit_jobs(base, args.jobs, args.real)
            results: dict[str, list[float]] = {"page": [], "status": []}
            errors = {"page": 0, "status": 0}
            lock = threading.Lock()
            stop_at = time.monotonic() + seconds
            threads = [threading.Thread(target=client_loop, args=(base, jobs, stop_at, args.think, i, results,
                                                                    errors, lock)) for i in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(seconds + 60)
            with httpx.Client(base_url=base, timeout=10) as client:
                states = [client.get(f"/api/scenarios/{j}").json()["status"] for j in jobs]
        finally:
            server.terminate()
            server.wait(15)
    print(f"{args.clients} clients, {seconds:.0f} s, think {args.think} s, jobs {'real' if args.real else 'stand-in'} "
          f"({', '.join(states)} at the end)")
    met = True
    for kind in ("page", "status"):
        lat = np.asarray(results[kind])
        p50, p99 = (np.percentile(lat, 50), np.percentile(lat, 99)) if len(lat) else (float("nan"),) * 2
        ok = errors[kind] == 0 and p99 < GOAL_MS
        met &= ok
        top = lat.max() if len(lat) else 0.0
        print(f"{kind:>6}: {len(lat):6d} requests  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  max {top:7.1f} ms"
              f"  errors {errors[kind]}  {'OK' if ok else 'GOAL MISSED'}")
    print("pages: " + ", ".join(f"{page} p50 {np.percentile(results[page], 50):.0f} / p99 "
                                f"{np.percentile(results[page], 99):.0f} ms" for page in PAGES if results.get(page)))
    print(f"goal (no errors, p99 < {GOAL_MS:.0f} ms): {'met' if met else 'NOT met'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
