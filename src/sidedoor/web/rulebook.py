"""The rules as the dashboard shows them: in force on a date, as a timeline, as controls.

Everything is derived from the parameter files' metadata (unit, range, reformable flag,
dated values, references), so a rule added to a YAML file appears on the rules page and in
the scenario builder without touching the web code. Only the policy rules (the institution
files) are shown; the engine's behavioural hazards are not policy choices a reader toggles.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Any

from sidedoor.institutions.parameters import BOUNDED_UNITS, PARAMETER_DIR, Parameter, ParameterSet, load_parameters
from sidedoor.institutions.statuses import Status
from sidedoor.institutions.transition_graph import MECHANISM_COLOURS, layout
from sidedoor.institutions.transitions import MECHANISMS, transitions_on
from sidedoor.web.models import PolicyChange, RuleControl, RuleInForce, RulesOnDate, StatusNode, TransitionEdge

#: Upper bound and step of a number input per unit with no natural upper bound. The reform
#: validation only requires these to be non-negative; the dashboard also caps them, so a
#: hand-made request cannot hand the engine a 10^300-month stay.
NUMBER_UNITS: dict[str, tuple[float, float, bool]] = {
    "months": (600, 1, True),
    "years": (50, 1, True),
    "count": (1000, 1, True),
    "persons": (10_000_000, 1000, True),
    "hours_per_week": (168, 1, True),
    "multiplier": (100, 0.05, False),
    "ratio": (100, 0.01, False),
    "JPY": (100_000_000, 10_000, False),
    "JPY_per_month": (10_000_000, 1000, False),
    "per_year": (100, 0.01, False),
}
MODEL_START = dt.date(1990, 1, 1)


@lru_cache(maxsize=1)
def shipped_parameters() -> ParameterSet:
    """The shipped parameters, loaded once per server (they are read-only package files)."""
    return load_parameters()


def policy_rules(params: ParameterSet | None = None) -> list[Parameter]:
    """Parameters of the institution files, in file order."""
    params = params or shipped_parameters()
    institutions = {f.stem for f in PARAMETER_DIR.glob("*.yaml")}
    return [p for p in params if p.name.split(".")[0] in institutions]


def _plain(value: Any) -> Any:
    """JSON-friendly value (YAML may hand back dates or numpy scalars)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def rules_on(date: dt.date, params: ParameterSet | None = None) -> RulesOnDate:
    """Every policy rule's value on ``date`` and the status graph in force that day."""
    params = params or shipped_parameters()
    rules = []
    for p in policy_rules(params):
        if date < p.starts[0]:
            value, since, reference = None, None, p.reference
        else:
            i = max(i for i, s in enumerate(p.starts) if s <= date)
            value, since, reference = p.values[i].value, p.values[i].start, p.reference_at(date)
        rules.append(RuleInForce(parameter=p.name, description=p.description, unit=p.unit,
                                 value=_plain(value), since=since, reference=reference,
                                 provenance=p.provenance, mechanism=p.mechanism,
                                 reformable=p.reformable))
    positions = layout()
    nodes = [StatusNode(status=s.label, code=int(s), x=positions[s][0], y=positions[s][1])
             for s in Status]
    edges = [TransitionEdge(source=t.src.label, target=t.dst.label, mechanism=t.mechanism,
                            mechanism_name=MECHANISMS[t.mechanism], section=t.section,
                            description=t.description, enabled_by=list(t.enabled_by))
             for t in transitions_on(date, params)]
    return RulesOnDate(date=date, rules=rules, nodes=nodes, transitions=edges,
                       mechanism_colours=dict(MECHANISM_COLOURS))


@lru_cache(maxsize=1)
def policy_timeline() -> tuple[PolicyChange, ...]:
    """Every dated change of a policy rule from 1980, oldest first (first values included)."""
    out = []
    for p in policy_rules():
        previous = None
        for v in p.values:
            out.append(PolicyChange(date=v.start, parameter=p.name, institution=p.name.split(".")[0],
                                    description=p.description, value=_plain(v.value),
                                    previous=_plain(previous), reference=v.reference or p.reference,
                                    mechanism=p.mechanism))
            previous = v.value
    return tuple(sorted(out, key=lambda c: (c.date, c.parameter)))


def control_for(p: Parameter) -> RuleControl:
    """The input a reader uses to change ``p``: its kind and valid range follow its unit."""
    minimum = maximum = step = None
    choices = pattern = None
    integer = False
    if p.unit == "bool":
        widget = "toggle"
    elif p.unit in BOUNDED_UNITS:
        widget, (minimum, maximum), step = "slider", BOUNDED_UNITS[p.unit], 0.01
    elif p.unit == "category":
        if p.choices:
            widget, choices = "choice", sorted(p.choices)
        elif p.pattern:
            widget, pattern = "text", p.pattern
        else:
            widget = "text"
    else:
        widget = "number"
        maximum, step, integer = NUMBER_UNITS.get(p.unit, (None, None, False))
        minimum = 0.0 if maximum is not None else None
    latest = p.values[-1]
    start = max(latest.start, MODEL_START)
    valid = _valid_range(widget, p.unit, minimum, maximum, integer, choices, pattern)
    return RuleControl(parameter=p.name, institution=p.name.split(".")[0],
                       description=p.description, unit=p.unit, widget=widget,
                       minimum=minimum, maximum=maximum, step=step, integer=integer,
                       choices=choices, pattern=pattern, valid_range=valid, current=_plain(latest.value),
                       default_start=start, reference=p.reference, provenance=p.provenance,
                       mechanism=p.mechanism)


def _valid_range(widget: str, unit: str, minimum: float | None, maximum: float | None,
                 integer: bool, choices: list[str] | None, pattern: str | None) -> str:
    """The valid range in words, as the page shows it next to the control."""
    if widget == "toggle":
        return "true / false"
    if widget == "slider":
        return f"{minimum:g} – {maximum:g} ({unit})"
    if widget == "choice":
        return "one of: " + ", ".join(choices or [])
    if widget == "text":
        return f"text matching {pattern}" if pattern else "text"
    if maximum is None:
        return f"≥ 0 {unit}"
    whole = ", whole numbers" if integer else ""
    top = f"{maximum:,.0f}" if maximum >= 1000 else f"{maximum:g}"
    return f"{minimum:g} – {top} {unit}{whole}"


@lru_cache(maxsize=1)
def rule_controls() -> tuple[RuleControl, ...]:
    """One control per reformable policy rule."""
    return tuple(control_for(p) for p in policy_rules() if p.reformable)


def check_against_control(name: str, value: Any) -> str | None:
    """The dashboard's own range check (beyond the reform validation); None when fine."""
    controls = {c.parameter: c for c in rule_controls()}
    control = controls.get(name)
    if control is None or control.widget != "number" or isinstance(value, bool):
        return None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None  # the reform validation names the type problem
    if control.maximum is not None and value > control.maximum:
        return f"{name}: {control.unit} must be at most {control.maximum:g} here, got {value:g}"
    if control.integer and float(value) != int(value):
        return f"{name}: {control.unit} must be a whole number, got {value:g}"
    return None
