"""Pydantic models of the scenario and pathway API: requests (strict) and job answers.

Requests forbid unknown fields and take values without coercion (``"true"`` is not a
boolean), so a hand-made request fails with a message naming the field rather than running
something the reader did not ask for.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

RuleValue = StrictBool | StrictInt | StrictFloat | StrictStr
#: Numbers taken as given: ``true`` is not 1 and ``"5"`` is not 5 (an int is a valid float).
Count = Annotated[int, Field(strict=True)]
Number = Annotated[float, Field(strict=True)]


def _date_text(value: object) -> object:
    """Dates arrive as ISO text; a number (which pydantic would read as a Unix time) is refused."""
    if not isinstance(value, (str, dt.date)):
        raise ValueError("expected a date as text, YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_date_text)]
MONTH_PATTERN = r"^(19[89][0-9]|20[0-3][0-9]|2040)-(0[1-9]|1[0-2])$"
NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


class RuleChangeIn(BaseModel):
    """One rule set to a value from ``start`` (until ``stop``, when the old law resumes)."""

    model_config = ConfigDict(extra="forbid")
    parameter: str = Field(max_length=100, examples=["asylum.screening_active"])
    value: RuleValue
    start: IsoDate
    stop: IsoDate | None = None


class ScenarioRequest(BaseModel):
    """A named shipped scenario, or rule changes of your own (not both)."""

    model_config = ConfigDict(extra="forbid")
    scenario: str | None = Field(None, pattern=NAME_PATTERN,
                                 description="name of a shipped scenario (see /api/scenarios/named)")
    changes: list[RuleChangeIn] = Field(default_factory=list, max_length=50)
    label: str | None = Field(None, max_length=200)
    draws: Count | None = Field(None, ge=1, le=200, description="posterior draws (default: server setting)")
    scale: Number | None = Field(None, gt=0, le=1, description="share of persons simulated")
    seed: Count = Field(1, ge=0, le=2**31 - 1)
    end: str | None = Field(None, pattern=MONTH_PATTERN, description="last month, YYYY-MM")


class JobStatus(BaseModel):
    job_id: str
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(ge=0, le=1)
    done_steps: int | None
    total_steps: int | None
    position: int | None = Field(description="place in the queue while queued")
    created_at: dt.datetime
    updated_at: dt.datetime
    error: str | None
    run_id: str | None
    label: str
    request: dict[str, Any]
    links: dict[str, str]


class ScenarioRow(BaseModel):
    series: str
    reference_date: dt.date
    category: str
    baseline: float | None
    reform: float | None
    difference: float | None
    difference_q05: float | None
    difference_q95: float | None


class ScenarioResultOut(BaseModel):
    job_id: str | None = Field(description="the dashboard job (None for a run made elsewhere)")
    run_id: str | None
    label: str
    headline: dict[str, Any]
    reading: str
    series: list[str]
    rows: list[ScenarioRow]


class NamedScenario(BaseModel):
    name: str
    description: str
    reference: str
    changes: list[str]


class StoredScenario(BaseModel):
    run_id: str
    created_at: dt.datetime
    label: str | None
    seed: int | None
    scale: float | None


class ScenarioListing(BaseModel):
    jobs: list[JobStatus]
    stored_runs: list[StoredScenario]


# -- pathways ---------------------------------------------------------------------------------

class ArchetypeInfo(BaseModel):
    name: str
    description: str
    attributes: dict[str, Any]


class TraceRequest(BaseModel):
    """An archetype by name, attributes of your own, or an archetype with changed attributes."""

    model_config = ConfigDict(extra="forbid")
    archetype: str | None = Field(None, max_length=40, examples=["Thanh"])
    attributes: dict[str, RuleValue] | None = Field(None, max_length=20)
    entry_date: IsoDate | None = None
    scenario: str | None = Field(None, pattern=NAME_PATTERN,
                                 description="a shipped scenario to trace under")
    n: Count | None = Field(None, ge=10, le=5000)
    seed: Count = Field(1, ge=0, le=2**31 - 1)
    horizon: str | None = Field(None, pattern=MONTH_PATTERN,
                                description="last month followed, YYYY-MM (default: the story's length)")


class SequenceShare(BaseModel):
    sequence: str
    share: float


class TimelineStep(BaseModel):
    month: int | str
    status: str
    mechanism: str | None


class TraceOut(BaseModel):
    subject: str
    n: int
    outcomes: dict[str, float]
    time_to_loss: dict[str, float | None]
    sequences: list[SequenceShare]
    typical: list[TimelineStep]
