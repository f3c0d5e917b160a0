"""Stand-ins and a server launcher for testing the dashboard without minutes of simulation.

``StandInScenario`` answers a scenario request with a small, well-formed result (the columns
of ``ScenarioResult.table``) after a configurable pause per draw, so the job queue, the
restart handling and the pages can be tested in seconds; ``GatedScenario`` holds its jobs
until released, to fill the queue on purpose. ``python -m sidedoor.web.testing`` serves the
dashboard on loopback (real runners, or ``--stand-in``) for browser tests and the benchmark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sidedoor.web.ledger import JobOutcome
from sidedoor.web.scenario_models import SequenceShare, TimelineStep, TraceOut, TraceRequest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stand_in_table(request: dict[str, Any]) -> pd.DataFrame:
    """A plausible result: overstayers and asylum applications, reform 10% below baseline."""
    years = range(1990, 2001)
    rows = []
    for series, level in (("overstayers", 200_000.0), ("asylum_applications", 1_000.0)):
        for i, year in enumerate(years):
            date = dt.date(year, 1, 1) if series == "overstayers" else dt.date(year, 12, 31)
            base = level * (1 + 0.05 * i)
            effect = -0.1 * base * (1 if request.get("changes") or request.get("scenario") else 0)
            rows.append({"series": series, "reference_date": pd.Timestamp(date), "category": "total",
                         "baseline": base, "reform": base + effect, "difference": effect,
                         "difference_q05": 1.2 * effect, "difference_q95": 0.8 * effect})
    return pd.DataFrame(rows)


class StandInScenario:
    """A scenario job that takes ``seconds_per_draw`` per draw and returns ``stand_in_table``."""

    def __init__(self, seconds_per_draw: float = 0.05):
        self.seconds_per_draw = seconds_per_draw
        self.calls: list[dict[str, Any]] = []

    def __call__(self, request: dict[str, Any], progress: Callable[[int, int], None]) -> JobOutcome:
        self.calls.append(request)
        draws = int(request.get("draws") or 2)
        for done in range(1, draws + 1):
            time.sleep(self.seconds_per_draw)
            progress(done, draws)
        if request.get("label") == "fail please":
            raise RuntimeError("the stand-in was asked to fail")
        table = stand_in_table(request)
        return JobOutcome(table=table, headline={"overstayers_2000_difference": float(table["difference"].iloc[10])},
                          reading="Stand-in result for tests: not a simulation.", run_id=None)


class GatedScenario(StandInScenario):
    """A stand-in that waits for ``release`` before finishing: jobs pile up in the queue."""

    def __init__(self) -> None:
        super().__init__(seconds_per_draw=0.0)
        self.release = threading.Event()
        self.started = threading.Event()

    def __call__(self, request: dict[str, Any], progress: Callable[[int, int], None]) -> JobOutcome:
        self.started.set()
        self.release.wait(timeout=60)
        return super().__call__(request, progress)


def stand_in_tracer(request: TraceRequest) -> TraceOut:
    """A fixed trace result, for pages and schema tests that must not run the tracer."""
    subject = request.archetype or "custom attributes"
    return TraceOut(subject=subject, n=request.n or 100,
                    outcomes={"departed": 0.4, "deported": 0.2, "spr_regularized": 0.1,
                              "recognized": 0.0, "unauthorized_at_horizon": 0.3},
                    time_to_loss={"q25": 12.0, "q50": 24.0, "q75": None},
                    sequences=[SequenceShare(sequence="temporary_visitor → overstayer", share=0.6)],
                    typical=[TimelineStep(month=0, status="temporary_visitor", mechanism="M1"),
                             TimelineStep(month=3, status="overstayer", mechanism="M3")])


def main(argv: list[str] | None = None) -> None:
    """Serve the dashboard on 127.0.0.1 for tests (never another address)."""
    import uvicorn

    from sidedoor.web import WebSettings, create_app

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--token", default=None)
    parser.add_argument("--stand-in", type=float, default=None, metavar="SECONDS_PER_DRAW",
                        help="use the stand-in scenario job and tracer")
    parser.add_argument("--queue", type=int, default=None)
    args = parser.parse_args(argv)
    settings = WebSettings.from_env(host="127.0.0.1", port=args.port, store=args.store,
                                    token=args.token, queue_capacity=args.queue)
    runners = tracer = None
    if args.stand_in is not None:
        runners, tracer = {"scenario": StandInScenario(args.stand_in)}, stand_in_tracer
    app = create_app(settings, runners=runners, tracer=tracer)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
