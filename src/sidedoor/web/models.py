"""Pydantic models of the read-only JSON API: observed series, rules, model fit, stored runs.

Every response has a model so ``/openapi.json`` describes the whole API, and the schema
fuzz test can check that the server answers what it promises.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import BaseModel, Field


def finite_number(x: Any) -> float | None:
    """``x`` as a float for JSON, or None when it is missing, not a number or not finite."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None

RuleValueType = bool | int | float | str | None


class Problem(BaseModel):
    """A 4xx/5xx answer: one sentence saying what went wrong and what to do."""

    detail: str


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="where the problem is, e.g. ['body', 'changes', 0, 'value']")
    msg: str
    type: str


class InvalidRequest(BaseModel):
    """422: every problem with the request, each naming its field."""

    detail: list[FieldProblem]


# -- observed statistics --------------------------------------------------------------------

class SeriesSummary(BaseModel):
    key: str
    title: str
    kind: Literal["target", "input", "reference"]
    unit: str
    period: str
    first: dt.date | None
    last: dt.date | None
    rows: int
    sources: int = Field(description="distinct source addresses among the rows used")


class SourceLink(BaseModel):
    url: str
    rows: int = Field(description="how many of the series' rows cite this source")
    example_note: str


class ObservedPoint(BaseModel):
    reference_date: dt.date
    category: str
    value: float | None
    source_url: str
    source_note: str


class SeriesDetail(SeriesSummary):
    definition: str
    reference_date_rule: str
    categories: str = Field(description="what the category column holds")
    category_values: list[str]
    notes: list[str]
    publisher: str
    source_links: list[SourceLink]
    points: list[ObservedPoint]


# -- rules ------------------------------------------------------------------------------------

class RuleInForce(BaseModel):
    parameter: str
    description: str
    unit: str
    value: RuleValueType
    since: dt.date | None = Field(description="start of the value in force (None: not yet)")
    reference: str
    provenance: str
    mechanism: str | None
    reformable: bool


class StatusNode(BaseModel):
    status: str
    code: int
    x: float
    y: float


class TransitionEdge(BaseModel):
    source: str
    target: str
    mechanism: str
    mechanism_name: str
    section: str
    description: str
    enabled_by: list[str]


class RulesOnDate(BaseModel):
    date: dt.date
    rules: list[RuleInForce]
    nodes: list[StatusNode]
    transitions: list[TransitionEdge]
    mechanism_colours: dict[str, str]


class PolicyChange(BaseModel):
    """One dated value of a policy rule: the timeline's unit."""

    date: dt.date
    parameter: str
    institution: str
    description: str
    value: RuleValueType
    previous: RuleValueType
    reference: str
    mechanism: str | None


class RuleControl(BaseModel):
    """How the scenario builder edits one reformable rule, derived from its metadata."""

    parameter: str
    institution: str
    description: str
    unit: str
    widget: Literal["toggle", "slider", "number", "choice", "text"]
    minimum: float | None
    maximum: float | None
    step: float | None
    integer: bool
    choices: list[str] | None
    pattern: str | None
    valid_range: str = Field(description="the valid range in words")
    current: RuleValueType = Field(description="latest value in the shipped rules")
    default_start: dt.date = Field(description="suggested start: the rule's latest change")
    reference: str
    provenance: str
    mechanism: str | None


# -- model fit --------------------------------------------------------------------------------

class FitMetrics(BaseModel):
    mape: float | None = Field(description="mean absolute percentage error (%) of the central value")
    coverage90: float | None = Field(description="share of observed points inside the 90% band")
    n_points: int


class FitPoint(BaseModel):
    reference_date: dt.date
    category: str
    observed: float | None
    simulated: float | None
    q05: float | None
    q95: float | None


class FitGroup(BaseModel):
    name: str
    series: str
    description: str
    categories: list[str]
    metrics: FitMetrics | None
    points: list[FitPoint]


class ModelFit(BaseModel):
    source: Literal["calibration", "stored_run", "none"]
    label: str = Field(description="what the simulated values are, said plainly")
    bands: bool = Field(description="whether q05/q95 are real uncertainty bands")
    run_id: str | None
    overall: FitMetrics | None
    goals: list[dict[str, Any]]
    groups: list[FitGroup]


# -- stored runs ------------------------------------------------------------------------------

class RunSummary(BaseModel):
    run_id: str
    kind: str
    created_at: dt.datetime
    status: str
    seed: int | None
    scale: float | None
    start_month: dt.date | None
    end_month: dt.date | None
    code_version: str | None
    label: str | None
    wall_seconds: float | None
    n_agents_peak: int | None
    n_outputs: int
    n_flows: int
    n_events: int


class RunSeries(BaseModel):
    series: str
    rows: int
    first_date: dt.date | None
    last_date: dt.date | None


class RunDetail(RunSummary):
    parameters: dict[str, Any] | None
    reform: dict[str, Any] | None
    series: list[RunSeries]
