"""Scenario requests from the dashboard: validated into a reform, then run as a job.

Validation happens when the request arrives (so a bad value is a 422 naming the field, not a
failed job minutes later): the rule changes go through the reform validation
(``load_reform_dict``: known, reformable rule; value of the right type and range; dates in
range) plus the dashboard's caps on unbounded numbers. A named scenario is looked up among
the shipped reforms by name only; nothing in a request is ever opened as a file or evaluated.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from sidedoor.institutions.reforms import Reform, ReformError, list_reforms, load_named_reform, load_reform_dict
from sidedoor.web.ledger import JobOutcome
from sidedoor.web.problems import RequestProblem
from sidedoor.web.rulebook import check_against_control, shipped_parameters
from sidedoor.web.scenario_models import NamedScenario, ScenarioRequest
from sidedoor.web.settings import WebSettings

CUSTOM_REFERENCE = "rule changes made in the sidedoor dashboard"
_KEY = re.compile(r"key '([^']+)'")


def _loc(key: str) -> list[str | int]:
    """``changes[0].value`` -> ``['body', 'changes', 0, 'value']``."""
    loc: list[str | int] = ["body"]
    for part in key.replace("]", "").replace("[", ".").split("."):
        if part and part != "<top>":
            loc.append(int(part) if part.isdigit() else part)
    return loc


def _without_source(message: str) -> str:
    """Drop the ``request: key '...':`` prefix; the loc already says where."""
    return _KEY.split(message, maxsplit=1)[-1].lstrip(": ") if _KEY.search(message) else message


def build_reform(request: ScenarioRequest) -> Reform:
    """The reform a request asks for, or ``RequestProblem`` naming the offending field."""
    params = shipped_parameters()
    if request.scenario and request.changes:
        raise RequestProblem(["body"], "give either a named scenario or rule changes, not both")
    if request.scenario:
        try:
            return load_named_reform(request.scenario, params)
        except ReformError as exc:
            raise RequestProblem(["body", "scenario"], str(exc)) from None
    if not request.changes:
        raise RequestProblem(["body", "changes"],
                             "give a named scenario or at least one rule change")
    for i, change in enumerate(request.changes):
        problem = check_against_control(change.parameter, change.value)
        if problem:
            raise RequestProblem(["body", "changes", i, "value"], problem)
    doc = {"name": request.label or "dashboard reform", "description": CUSTOM_REFERENCE,
           "reference": CUSTOM_REFERENCE,
           "changes": [c.model_dump(exclude_none=True) for c in request.changes]}
    try:
        return load_reform_dict(doc, params, source="request")
    except ReformError as exc:
        found = _KEY.search(str(exc))
        raise RequestProblem(_loc(found.group(1)) if found else ["body"],
                             _without_source(str(exc))) from None


def effective_request(request: ScenarioRequest, settings: WebSettings) -> dict[str, Any]:
    """The request as it will run: server defaults filled in, stored with the job."""
    filled = request.model_copy(update={
        "draws": request.draws or settings.scenario_draws,
        "scale": request.scale or settings.scenario_scale,
        "end": request.end or settings.scenario_end,
    })
    if filled.draws > settings.max_draws:
        raise RequestProblem(["body", "draws"], f"at most {settings.max_draws} draws on this server")
    if dt.date.fromisoformat(f"{filled.end}-01") < dt.date(1991, 1, 1):
        raise RequestProblem(["body", "end"], "end must be 1991-01 or later (the model starts 1990-01)")
    return filled.model_dump(mode="json", exclude_none=True)


def label_of(request: dict[str, Any]) -> str:
    """A reader's name for a job: the scenario, the label, or its first changes."""
    if request.get("scenario"):
        return str(request["scenario"])
    if request.get("label"):
        return str(request["label"])
    names = [c.get("parameter", "?") for c in request.get("changes", [])]
    return ", ".join(names[:3]) + (" ..." if len(names) > 3 else "") or "custom reform"


@lru_cache(maxsize=1)
def named_scenarios() -> tuple[NamedScenario, ...]:
    """The shipped scenarios (described by ``sidedoor.scenarios`` when present, else by the
    reform files); cached, since importing the scenario module loads the engine."""
    out = []
    for name in list_reforms():
        reform = load_named_reform(name, shipped_parameters())
        out.append(NamedScenario(name=name, description=reform.description,
                                 reference=reform.reference, changes=reform.summary()))
    try:
        from sidedoor.scenarios import list_scenarios
    except ImportError:
        return tuple(out)
    described = {getattr(s, "name", None): s for s in list_scenarios()}
    for item in out:
        info = described.get(item.name)
        if info is not None:
            item.description = str(getattr(info, "description", item.description))
            item.reference = str(getattr(info, "reference", item.reference))
    return tuple(out)


class ScenarioJob:
    """The job function the queue runs for kind ``scenario``: ``run_scenario`` on the request."""

    def __init__(self, store_path: Path | None):
        self.store_path = store_path

    def __call__(self, request: dict[str, Any], progress: Callable[[int, int], None]) -> JobOutcome:
        from sidedoor.scenarios import run_scenario
        from sidedoor.store import RunStore

        parsed = ScenarioRequest.model_validate(request)
        reform = build_reform(parsed)
        result = run_scenario(reform, draws=parsed.draws, seed=parsed.seed, scale=parsed.scale,
                              end=parsed.end, progress=progress, store=RunStore(self.store_path))
        table = pd.DataFrame(result.table)
        return JobOutcome(table=table, headline=_jsonable(dict(result.headline or {})),
                          reading=str(result.reading or ""), run_id=getattr(result, "run_id", None))


def _jsonable(value: Any) -> Any:
    """Headline values as plain JSON (numpy scalars and dates become numbers and text)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (bool, int, float, str)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)
