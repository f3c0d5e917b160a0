"""Individual pathways for the dashboard: an archetype (or attributes) traced many times.

``sidedoor.pathways.trace`` does the work. This module checks the request first: an archetype
is looked up by name in ``ARCHETYPES``, a scenario by name among the shipped reforms, and
every attribute is parsed into its type (nationality, status, sector, date, yes/no, number),
so a typo is a 422 naming the attribute rather than a failure deep in the engine.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from sidedoor.web.models import finite_number
from sidedoor.web.problems import RequestProblem
from sidedoor.web.scenario_models import ArchetypeInfo, SequenceShare, TimelineStep, TraceOut, TraceRequest

VISITOR_ROUTES = ("overstay", "asylum", "drawn")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("expected true or false")


def _amount(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError("expected a number of at least 0")
    return float(value)


def _years(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 40:
        raise ValueError("expected a whole number of years from 1 to 40")
    return value


def _route(value: Any) -> str:
    if value not in VISITOR_ROUTES:
        raise ValueError(f"expected one of {', '.join(VISITOR_ROUTES)}")
    return value


def _date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValueError("expected a date as YYYY-MM-DD")
    return dt.date.fromisoformat(value)


def attribute_parsers() -> dict[str, Callable[[Any], Any]]:
    """Attributes a reader may set, each with the parser that gives it its type."""
    from sidedoor.pathways.archetypes import parse_nationality, parse_sector, parse_status

    text = lambda parse: lambda v: parse(v) if isinstance(v, str) else parse(str(v))  # noqa: E731
    return {
        "nationality": text(parse_nationality), "status": text(parse_status),
        "status_at_overstay": text(parse_status), "sector": text(parse_sector), "entry_date": _date,
        "female": _bool, "married": _bool, "child": _bool, "criminal_record": _bool,
        "tokyo_area": _bool, "abusive_employer": _bool, "shell_school": _bool,
        "debt_jpy": _amount, "years_in_japan": _amount, "years": _years, "visitor_route": _route,
    }


def _shown(value: Any) -> Any:
    """An attribute as the form shows it: enums by label or name, dates as ISO text."""
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.name.lower()))
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def archetypes() -> list[ArchetypeInfo]:
    """The fieldwork archetypes (Min, Fernand, Dat, Thanh, Meriam, Wei, Toumani)."""
    from sidedoor.pathways import ARCHETYPES

    editable = attribute_parsers()
    return [ArchetypeInfo(name=name, description=f"{a.origin}: {a.story} ({a.section})",
                          attributes={k: _shown(getattr(a, k)) for k in editable
                                      if getattr(a, k, None) is not None})
            for name, a in ARCHETYPES.items()]


def _parsed(attributes: dict[str, Any]) -> dict[str, Any]:
    parsers = attribute_parsers()
    out = {}
    for key, value in attributes.items():
        if key not in parsers:
            raise RequestProblem(["body", "attributes", key],
                                 f"unknown attribute {key!r}; known: {', '.join(parsers)}")
        try:
            out[key] = parsers[key](value)
        except (ValueError, TypeError) as exc:
            raise RequestProblem(["body", "attributes", key], f"{key}: {exc}") from None
    return out


def to_payload(subject: str, result: Any) -> TraceOut:
    """A ``TraceResult`` as the API's ``TraceOut``."""
    sequences = [SequenceShare(sequence=str(r.sequence), share=float(r.share))
                 for r in pd.DataFrame(result.sequences).head(20).itertuples(index=False)]
    typical = [TimelineStep(month=_shown(r.month) if not isinstance(r.month, int) else r.month,
                            status=str(_shown(r.status)),
                            mechanism=None if pd.isna(r.mechanism) else str(r.mechanism))
               for r in pd.DataFrame(result.typical).itertuples(index=False)]
    return TraceOut(subject=subject, n=int(result.n),
                    outcomes={str(k): float(v) for k, v in result.outcomes.items()},
                    time_to_loss={str(k): finite_number(v) for k, v in result.time_to_loss.items()},
                    sequences=sequences, typical=typical)


def _where(message: str, request: TraceRequest) -> list[str | int]:
    """The field a tracer's complaint is about, judged from its wording."""
    if "horizon" in message:
        return ["body", "horizon"]
    if "entry date" in message and request.entry_date is not None:
        return ["body", "entry_date"]
    return ["body", "attributes" if request.attributes else "archetype"]


def run_trace(request: TraceRequest, default_n: int, max_n: int) -> TraceOut:
    """Trace the archetype and/or attributes of ``request``; ``RequestProblem`` names a bad field.

    An archetype alone is traced as the paper tells it; an archetype with attributes is that
    archetype changed; attributes alone describe a new person (nationality, status and
    entry_date needed).
    """
    from sidedoor.pathways import ARCHETYPES, ArchetypeError, CohortError, trace

    if not request.archetype and not request.attributes:
        raise RequestProblem(["body"], "give an archetype, attributes, or both")
    if request.archetype and request.archetype not in ARCHETYPES:
        raise RequestProblem(["body", "archetype"],
                             f"unknown archetype {request.archetype!r}; known: {', '.join(ARCHETYPES)}")
    what: str | dict[str, Any] = request.archetype or ""
    if request.attributes:
        what = _parsed(dict(request.attributes))
        if request.archetype:
            what["archetype"] = request.archetype
        else:
            missing = [k for k in ("nationality", "status", "entry_date") if k not in what]
            if missing:
                raise RequestProblem(["body", "attributes"],
                                     f"a person of your own needs {', '.join(missing)}")
    subject = request.archetype or "a person of your own"
    if request.archetype and request.attributes:
        subject += " (changed)"
    if request.scenario:
        from sidedoor.institutions.reforms import list_reforms

        if request.scenario not in list_reforms():
            raise RequestProblem(["body", "scenario"], f"unknown scenario {request.scenario!r}; "
                                                       f"shipped: {', '.join(list_reforms())}")
    try:
        result = trace(what, entry_date=request.entry_date, reform=request.scenario,
                       n=min(request.n or default_n, max_n), seed=request.seed, horizon=request.horizon)
    except (ArchetypeError, CohortError, ValueError) as exc:
        raise RequestProblem(_where(str(exc), request), str(exc)) from None
    return to_payload(subject, result)
