"""JSON API behind the read-only pages: observed series, rules, the model's fit, stored runs.

Each route returns a pydantic model (so ``/openapi.json`` is complete) and turns every
expected failure into a 4xx whose message says what to change.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from sidedoor.web.models import (
    ModelFit, PolicyChange, Problem, RuleControl, RulesOnDate, RunDetail, RunSeries, RunSummary,
    SeriesDetail, SeriesSummary,
)
from sidedoor.web.problems import RequestProblem

router = APIRouter(prefix="/api", tags=["reading"])
RUN_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
SERIES_KEY = r"^[a-z0-9_]{1,64}$"
NOT_FOUND = {404: {"model": Problem, "description": "no such item"}}


def _dashboard(request: Request):
    return request.app.state.dashboard


@router.get("/series", response_model=list[SeriesSummary], summary="Every observed series")
def list_series() -> Any:
    from sidedoor.web.observations import series_list

    return list(series_list())


@router.get("/series/{key}", response_model=SeriesDetail, responses=NOT_FOUND,
            summary="One series: definition, sources and every point")
def get_series(key: Annotated[str, Path(pattern=SERIES_KEY, max_length=64)]) -> Any:
    from sidedoor.web.observations import known, series_detail, series_list

    if not known(key):
        keys = ", ".join(s.key for s in series_list())
        raise HTTPException(404, f"unknown series {key!r}; known: {keys}")
    return series_detail(key)


@router.get("/rules", response_model=RulesOnDate, summary="Rules and status graph on a date")
def rules_on_date(date: Annotated[str, Query(pattern=r"^\d{4}-\d{2}-\d{2}$",
                                             description="YYYY-MM-DD")] = "2019-01-01") -> Any:
    from sidedoor.web.rulebook import rules_on

    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise RequestProblem(["query", "date"], f"not a date: {date!r} (expected YYYY-MM-DD)") from None
    return rules_on(day)  # any date: before a rule's first value it shows "not yet"


@router.get("/rules/timeline", response_model=list[PolicyChange], summary="Every dated policy change")
def rules_timeline() -> Any:
    from sidedoor.web.rulebook import policy_timeline

    return list(policy_timeline())


@router.get("/rules/reformable", response_model=list[RuleControl],
            summary="The scenario builder's controls, from the rules' metadata")
def reformable_rules() -> Any:
    from sidedoor.web.rulebook import rule_controls

    return list(rule_controls())


@router.get("/model", response_model=ModelFit, summary="Observed vs simulated, with fit metrics")
def model(request: Request) -> Any:
    from sidedoor.web.fit import model_fit

    return model_fit(_dashboard(request).settings.store)


def _summary_row(row: dict[str, Any]) -> dict[str, Any]:
    """A ``list_runs`` row with pandas' NaN/NaT turned into None."""
    out = {}
    for key, value in row.items():
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            try:
                value = value.item()
            except (ValueError, AttributeError):
                pass
        if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == "NaT":
            value = None
        out[key] = value
    for key in ("n_outputs", "n_flows", "n_events", "rows"):
        if key in out:
            out[key] = int(out[key] or 0)
    return out


@router.get("/runs", response_model=list[RunSummary], summary="Stored runs, newest first")
def list_runs(request: Request,
              kind: Annotated[str | None, Query(pattern=r"^[a-z]{1,20}$")] = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    from sidedoor.store import KINDS

    if kind is not None and kind not in KINDS:
        raise RequestProblem(["query", "kind"], f"unknown run kind {kind!r}; kinds: {', '.join(KINDS)}")
    frame = _dashboard(request).run_store().list_runs(kind)
    rows = frame.to_dict(orient="records")[::-1][:limit]
    return [_summary_row(r) for r in rows]


@router.get("/runs/{run_id}", response_model=RunDetail, responses=NOT_FOUND,
            summary="One stored run: metadata and the series it holds")
def get_run(request: Request, run_id: Annotated[str, Path(pattern=RUN_ID)]) -> Any:
    from sidedoor.store import RunNotFoundError

    store = _dashboard(request).run_store()
    try:
        run = store.get_run(run_id)
        series = store.output_summary(run_id)
    except RunNotFoundError:
        raise HTTPException(404, f"no stored run {run_id!r}; see /api/runs") from None
    row = _summary_row({k: run.get(k) for k in RunSummary.model_fields})
    listed = [RunSeries(**_summary_row(r)) for r in series.to_dict(orient="records")]
    return RunDetail(**row, parameters=run.get("parameters"), reform=run.get("reform"), series=listed)
