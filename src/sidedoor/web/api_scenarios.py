"""JSON API of the scenario builder and the pathways page: jobs, results, CSV, traces.

Submitting a scenario validates it at once (422 naming the field) and queues it (202, or
429 when the queue is full); the page then polls the job's status and fetches its result.
"""

from __future__ import annotations

import io
import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from sidedoor.web.jobs import QueueFullError
from sidedoor.web.ledger import RESULT_COLUMNS, JobRecord
from sidedoor.web.models import InvalidRequest, Problem, finite_number
from sidedoor.web.problems import RequestProblem, problem_response
from sidedoor.web.scenario_models import (
    ArchetypeInfo, JobStatus, NamedScenario, ScenarioListing, ScenarioRequest, ScenarioResultOut,
    ScenarioRow, StoredScenario, TraceOut, TraceRequest,
)
from sidedoor.web.scenario_runs import build_reform, effective_request, label_of, named_scenarios

router = APIRouter(prefix="/api", tags=["scenarios"])
JOB_ID = r"^j[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$"
RUN_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
NOT_FOUND = {404: {"model": Problem, "description": "no such job"}}
NOT_READY = {409: {"model": Problem, "description": "the job has no result (yet)"}}
INVALID = {422: {"model": InvalidRequest, "description": "a field is invalid (named in loc)"}}
BUSY = {429: {"model": Problem, "description": "the job queue is full"}}


def _dashboard(request: Request):
    return request.app.state.dashboard


def job_status(record: JobRecord, position: int | None) -> JobStatus:
    base = f"/api/scenarios/{record.job_id}"
    links = {"status": base, "page": f"/scenarios?job={record.job_id}"}
    if record.status == "done":
        links.update(result=f"{base}/result", csv=f"{base}/result.csv")
    return JobStatus(job_id=record.job_id, kind=record.kind, status=record.status,
                     progress=max(0.0, min(1.0, record.progress)), done_steps=record.done_steps,
                     total_steps=record.total_steps, position=position,
                     created_at=record.created_at, updated_at=record.updated_at,
                     error=record.error, run_id=record.run_id, label=label_of(record.request),
                     request=record.request, links=links)


@router.get("/scenarios/named", response_model=list[NamedScenario], summary="Shipped scenarios")
def list_named() -> Any:
    return list(named_scenarios())


@router.get("/scenarios", response_model=ScenarioListing,
            summary="Scenario jobs of this dashboard and scenario runs in the store")
def list_scenarios(request: Request) -> Any:
    dashboard = _dashboard(request)
    queue = dashboard.queue  # live jobs from memory; the rest as just read from the store
    jobs = [job_status(queue.known(r.job_id) or r, queue.position(r.job_id))
            for r in dashboard.ledger.recent("scenario", limit=50)]
    runs = dashboard.run_store().list_runs("scenario").to_dict(orient="records")[::-1][:50]
    stored = [StoredScenario(run_id=r["run_id"], created_at=r["created_at"], label=_present(r.get("label")),
                             seed=_present(r.get("seed")), scale=finite_number(r.get("scale")))
              for r in runs]
    return ScenarioListing(jobs=jobs, stored_runs=stored)


@router.post("/scenarios", status_code=202, response_model=JobStatus,
             responses={**INVALID, **BUSY}, summary="Run a scenario in the background")
def submit_scenario(request: Request, body: ScenarioRequest, response: Response) -> Any:
    dashboard = _dashboard(request)
    try:
        build_reform(body)
        run_request = effective_request(body, dashboard.settings)
    except RequestProblem as problem:
        return problem_response(problem)
    try:
        record = dashboard.queue.submit("scenario", run_request)
    except QueueFullError as exc:
        return JSONResponse(status_code=429, content={"detail": str(exc)},
                            headers={"Retry-After": "30"})
    response.headers["Location"] = f"/api/scenarios/{record.job_id}"
    return job_status(record, dashboard.queue.position(record.job_id))


def _record(request: Request, job_id: str) -> JobRecord:
    record = _dashboard(request).queue.status(job_id)
    if record is None:
        raise HTTPException(404, f"no scenario job {job_id!r}; see /api/scenarios")
    return record


@router.get("/scenarios/{job_id}", response_model=JobStatus, responses=NOT_FOUND,
            summary="A scenario job's status and progress")
async def get_job(request: Request, job_id: Annotated[str, Path(pattern=JOB_ID)]) -> Any:
    """Async: the page polls this twice a second, and a job this server runs is answered from
    memory without a thread hop; only an unknown job goes to the store, in a worker thread."""
    queue = _dashboard(request).queue
    record = queue.known(job_id) or await run_in_threadpool(_record, request, job_id)
    return job_status(record, queue.position(job_id))


def _done(request: Request, job_id: str) -> JobRecord:
    record = _record(request, job_id)
    if record.status == "failed":
        raise HTTPException(409, f"job {job_id} failed: {record.error}")
    if record.status != "done":
        raise HTTPException(409, f"job {job_id} is {record.status} "
                                 f"({100 * record.progress:.0f}% done); poll its status")
    return record


def _present(x: Any) -> Any:
    """None for pandas' missing values (NaN), numpy scalars as Python values."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return x.item() if hasattr(x, "item") else x


def _result(table: pd.DataFrame, *, job_id: str | None, run_id: str | None, label: str,
            headline: dict[str, Any] | None, reading: str | None) -> ScenarioResultOut:
    rows = [ScenarioRow(series=r.series, reference_date=pd.Timestamp(r.reference_date).date(),
                        category=str(r.category), **{c: finite_number(getattr(r, c)) for c in RESULT_COLUMNS[3:]})
            for r in table.itertuples(index=False)]
    return ScenarioResultOut(job_id=job_id, run_id=run_id, label=label, headline=headline or {},
                             reading=reading or "", series=sorted(table["series"].unique().tolist()),
                             rows=rows)


def _csv(table: pd.DataFrame, name: str) -> Response:
    """The result table as CSV with exactly the contract's columns and ISO dates."""
    out = table[list(RESULT_COLUMNS)].copy()
    out["reference_date"] = pd.to_datetime(out["reference_date"]).dt.strftime("%Y-%m-%d")
    buffer = io.StringIO()
    out.to_csv(buffer, index=False)
    return Response(buffer.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


CSV = {200: {"content": {"text/csv": {}}, "description": "the result table"}}


@router.get("/scenarios/{job_id}/result", response_model=ScenarioResultOut,
            responses={**NOT_FOUND, **NOT_READY}, summary="A finished scenario's result")
def get_result(request: Request, job_id: Annotated[str, Path(pattern=JOB_ID)]) -> Any:
    record = _done(request, job_id)
    table = _dashboard(request).ledger.result(job_id)
    return _result(table, job_id=job_id, run_id=record.run_id, label=label_of(record.request),
                   headline=record.headline, reading=record.reading)


@router.get("/scenarios/{job_id}/result.csv", responses={**NOT_FOUND, **NOT_READY, **CSV},
            response_class=Response, summary="A finished scenario's result as CSV")
def get_result_csv(request: Request, job_id: Annotated[str, Path(pattern=JOB_ID)]) -> Response:
    _done(request, job_id)
    return _csv(_dashboard(request).ledger.result(job_id), f"sidedoor-scenario-{job_id}")


def _stored_scenario(request: Request, run_id: str) -> tuple[dict[str, Any], pd.DataFrame]:
    from sidedoor.scenarios import load_scenario_table
    from sidedoor.store import RunNotFoundError

    store = _dashboard(request).run_store()
    try:
        run = store.get_run(run_id)
    except RunNotFoundError:
        raise HTTPException(404, f"no stored run {run_id!r}; see /api/runs") from None
    if run["kind"] != "scenario":
        raise HTTPException(409, f"run {run_id} is a {run['kind']} run, not a scenario")
    return run, load_scenario_table(run_id, store)


@router.get("/runs/{run_id}/scenario", response_model=ScenarioResultOut,
            responses={**NOT_FOUND, **NOT_READY}, summary="A stored scenario run's result")
def stored_result(request: Request, run_id: Annotated[str, Path(pattern=RUN_ID)]) -> Any:
    run, table = _stored_scenario(request, run_id)
    headline = (run.get("parameters") or {}).get("headline")
    return _result(table, job_id=None, run_id=run_id, label=run.get("label") or run_id,
                   headline=headline if isinstance(headline, dict) else {}, reading=None)


@router.get("/runs/{run_id}/scenario.csv", responses={**NOT_FOUND, **NOT_READY, **CSV},
            response_class=Response, summary="A stored scenario run's result as CSV")
def stored_result_csv(request: Request, run_id: Annotated[str, Path(pattern=RUN_ID)]) -> Response:
    return _csv(_stored_scenario(request, run_id)[1], f"sidedoor-scenario-{run_id}")


@router.get("/archetypes", response_model=list[ArchetypeInfo], summary="The fieldwork archetypes")
def list_archetypes() -> Any:
    try:
        from sidedoor.web.tracing import archetypes

        return archetypes()
    except ImportError:
        return []


@router.post("/traces", response_model=TraceOut, responses={**INVALID, **BUSY},
             summary="Trace an archetype or attributes: outcome probabilities and a typical path")
def post_trace(request: Request, body: TraceRequest) -> Any:
    dashboard = _dashboard(request)
    if not dashboard.trace_slots.acquire(timeout=30):
        return JSONResponse(status_code=429, content={
            "detail": "the server is busy tracing other pathways; try again shortly"})
    try:
        return dashboard.tracer(body)
    except RequestProblem as problem:
        return problem_response(problem)
    finally:
        dashboard.trace_slots.release()
