"""The dashboard application: pages, JSON API, local assets, job queue and access gate.

``create_app`` wires the pieces so tests can swap the expensive ones (the scenario job and
the pathway tracer) for stand-ins, and the CLI and the tests build the very same app.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sidedoor.web.access import AccessGate
from sidedoor.web.jobs import JobQueue, JobRunner
from sidedoor.web.ledger import JobLedger
from sidedoor.web.problems import RequestProblem, handle_problem
from sidedoor.web.scenario_models import TraceOut, TraceRequest
from sidedoor.web.scenario_runs import ScenarioJob
from sidedoor.web.settings import WebSettings

log = logging.getLogger("sidedoor.web")
Tracer = Callable[[TraceRequest], TraceOut]


class Dashboard:
    """What the routes share: settings, the job queue and ledger, the tracer."""

    def __init__(self, settings: WebSettings, runners: Mapping[str, JobRunner], tracer: Tracer):
        self.settings = settings
        self.ledger = JobLedger(settings.store)
        self.queue = JobQueue(self.ledger, runners, workers=settings.workers,
                              capacity=settings.queue_capacity)
        self.tracer = tracer
        self.trace_slots = threading.BoundedSemaphore(settings.workers)

    def run_store(self):
        from sidedoor.store import RunStore

        return RunStore(self.settings.store)


def warm_caches(dashboard: Dashboard) -> None:
    """Load the data every page needs in the background, so the first reader waits less."""
    try:
        from sidedoor.web.observations import series_list
        from sidedoor.web.rulebook import rule_controls
        from sidedoor.web.scenario_runs import named_scenarios

        series_list()
        rule_controls()
        named_scenarios()
        from sidedoor.web.fit import model_fit

        model_fit(dashboard.settings.store)
    except Exception:  # a cold cache only costs time; the route reports the real error
        log.exception("warming the dashboard caches failed")


def _default_tracer(settings: WebSettings) -> Tracer:
    from sidedoor.web.tracing import run_trace

    return lambda request: run_trace(request, settings.trace_default_n, settings.trace_max_n)


#: Names pydantic gives the members of the rule-value union in its error locations.
_UNION_MEMBERS = {"bool", "int", "float", "str"}


def _problems(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's validation errors reduced to loc/msg/type (never echoing the input back);
    the per-member errors of a rule value (bool | int | float | str) become one message."""
    out: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    for error in exc.errors():
        loc = list(error.get("loc", []))
        msg = error.get("msg", "invalid")
        kind = error.get("type", "")
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            msg = f"the body is not valid JSON ({reason})" if reason else "the body is not valid JSON"
        if loc == ["body"] and kind == "model_attributes_type":
            msg = "send the request as a JSON object with Content-Type: application/json"
        if len(loc) >= 2 and loc[-1] in _UNION_MEMBERS and loc[-2] == "value":
            loc, msg, kind = loc[:-1], "must be true/false, a number or a text", "value_type"
        if tuple(loc) in seen:
            continue
        seen.add(tuple(loc))
        out.append({"loc": loc, "msg": msg, "type": kind})
    return out


def _methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route serves at ``path`` (for a correct ``Allow`` header)."""
    found: set[str] = set()
    for route in app.routes:
        regex, methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and methods and regex.match(path):
            found |= set(methods)
    return sorted(found)


def create_app(settings: WebSettings | None = None, *, runners: Mapping[str, JobRunner] | None = None,
               tracer: Tracer | None = None, warm: bool = True) -> FastAPI:
    """The dashboard app. ``runners`` maps job kinds to job functions (default: the real
    scenario run), ``tracer`` replaces the pathway tracer, ``warm`` preloads the data."""
    from sidedoor.web import api_reading, api_scenarios, pages

    settings = settings or WebSettings.from_env()
    settings.check()
    dashboard = Dashboard(settings, runners or {"scenario": ScenarioJob(settings.store)},
                          tracer or _default_tracer(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        dashboard.queue.start()
        if warm:
            threading.Thread(target=warm_caches, args=(dashboard,), daemon=True).start()
        yield
        dashboard.queue.stop()

    # No /docs or /redoc: FastAPI's pages load their scripts from a CDN, and nothing here may.
    app = FastAPI(title="sidedoor dashboard", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="How Japan's institutions turn legal entrants into unauthorized "
                              "overstayers: observed statistics, the model, the rules, "
                              "scenarios and pathways.")
    app.state.dashboard = dashboard

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": _problems(exc)})

    app.add_exception_handler(RequestProblem, handle_problem)

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 400:  # a body FastAPI could not even decode: say so as a 422
            return JSONResponse(status_code=422, content={"detail": [{
                "loc": ["body"], "msg": "the body is not valid JSON (it could not be decoded)",
                "type": "json_invalid"}]})
        if exc.status_code == 405:  # Starlette names only the first matching route's methods
            headers["Allow"] = ", ".join(_methods(app, request.url.path))
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail},
                            headers=headers or None)

    @app.exception_handler(Exception)
    async def failure(request: Request, exc: Exception) -> JSONResponse:
        from sidedoor.store import StoreLockedError

        if isinstance(exc, StoreLockedError):
            return JSONResponse(status_code=503, content={"detail": str(exc)},
                                headers={"Retry-After": "5"})
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(status_code=500, content={
            "detail": f"internal error ({type(exc).__name__}); the server log has the details"})

    app.include_router(api_reading.router)
    app.include_router(api_scenarios.router)
    pages.mount(app)
    app.add_middleware(AccessGate, token=settings.token, allowed_hosts=settings.allowed_hosts)
    return app


def static_dir() -> Path:
    return Path(__file__).with_name("static")
