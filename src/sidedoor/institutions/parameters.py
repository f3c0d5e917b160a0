"""Dated policy and behavioural parameters, loaded from readable YAML files with provenance.

In the spirit of OpenFisca's parameter files: each parameter has dated values (value, start
date, optional reference), a unit and a reference. sidedoor adds what a referee asks of a
model: where each number comes from (``provenance``: ``data``, ``paper``, ``assumption`` with
a one-line ``reason``, or ``calibrated`` with a ``prior``).

File format (one file per institution; the file stem is the name prefix)::

    description: Refugee recognition system (paper §5.1)
    parameters:
      work_permit_months_after_application:
        description: Months after applying before a work permit may be granted
        unit: months
        provenance: paper
        reference: "§5.1"
        values:
          2010-03-01: 6

A value may also be written ``{value: 6, reference: "..."}`` to cite the change itself.
A parameter whose first value starts after the model's start has no value before it:
asking for one is an error, not a silent zero.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sidedoor.timeline import month_dates

PARAMETER_DIR = Path(__file__).with_name("parameters")
ENGINE_DIR = Path(__file__).parents[1] / "engine"
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest magnitude a numeric parameter may take (guards against overflow in the engine).
MAX_MAGNITUDE = 1e15
#: Longest duration in months a value may state: beyond a century it is a typo, not a policy
#: (the engine reads "no limit" from its own sentinel, ``entry.NO_TIME_LIMIT``). Not applied
#: to "years", which also holds calendar years (``enforcement.halving_target_year``).
MAX_MONTHS = 1200.0


def read_yaml(text: str | bytes, source: str, error: type[ValueError]) -> Any:
    """Parse YAML safely (no object construction); any failure becomes ``error`` naming source.

    PyYAML raises more than ``YAMLError`` on hostile input (impossible dates raise
    ValueError, ``!!timestamp`` on text AttributeError, deep nesting RecursionError), so all
    of them are turned into one clear message.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{source}: not valid YAML: not UTF-8 text (byte {exc.start})") from None
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise error(f"{source}: not valid YAML: {exc}") from None
    except (ValueError, TypeError, AttributeError, RecursionError, OverflowError) as exc:
        raise error(f"{source}: not valid YAML ({type(exc).__name__}: {exc})") from None

Provenance = Literal["data", "paper", "assumption", "calibrated"]

#: Units with a bounded range; values outside are rejected on load and in reforms.
BOUNDED_UNITS: dict[str, tuple[float, float]] = {
    "rate": (0.0, 1.0),  # a probability or share
    "monthly_hazard": (0.0, 1.0),
    "share": (0.0, 1.0),
}
KNOWN_UNITS = {
    "rate", "monthly_hazard", "share", "bool", "months", "years", "JPY", "JPY_per_month",
    "persons", "persons_per_year", "ratio", "multiplier", "hours_per_week", "log_odds",
    "elasticity", "category", "per_year", "count",
}


class ParameterError(ValueError):
    """A parameter file or a parameter value is invalid; the message names file, key and reason."""


class Prior(BaseModel):
    """Prior of a calibrated parameter (used by the calibration)."""

    model_config = ConfigDict(extra="forbid")
    distribution: Literal["uniform", "loguniform", "normal", "lognormal"]
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Prior:
        for value in (self.low, self.high, self.mean, self.sd):
            if value is not None and not math.isfinite(value):
                raise ValueError("prior bounds and moments must be finite numbers")
        if self.distribution in ("uniform", "loguniform"):
            if self.low is None or self.high is None or not self.low < self.high:
                raise ValueError("uniform priors need low < high")
            if self.distribution == "loguniform" and self.low <= 0:
                raise ValueError("loguniform priors need low > 0")
        else:
            if self.mean is None or self.sd is None or self.sd <= 0:
                raise ValueError("normal priors need mean and sd > 0")
        return self

    @property
    def centre(self) -> float:
        """Central value of the prior (the uncalibrated default)."""
        if self.distribution == "uniform":
            return (self.low + self.high) / 2
        if self.distribution == "loguniform":
            return float(np.sqrt(self.low * self.high))
        if self.distribution == "lognormal":
            return float(np.exp(self.mean))
        return self.mean


def _start(v: DatedValue) -> dt.date:
    return v.start


class DatedValue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: dt.date
    value: Any
    reference: str | None = None


class Parameter(BaseModel):
    """One named parameter with its dated values and its provenance."""

    model_config = ConfigDict(extra="forbid")
    name: str
    description: str
    unit: str
    provenance: Provenance
    reference: str
    reason: str | None = None
    prior: Prior | None = None
    mechanism: str | None = Field(default=None, description="M1..M8 of MECHANISMS.md")
    reformable: bool = True
    choices: list[str] | None = Field(default=None, description="allowed values of a category")
    pattern: str | None = Field(default=None, description="regular expression a category matches")
    values: list[DatedValue]

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        if self.unit not in KNOWN_UNITS:
            raise ValueError(f"unknown unit {self.unit!r}; known: {sorted(KNOWN_UNITS)}")
        if self.provenance == "assumption" and not self.reason:
            raise ValueError("provenance 'assumption' needs a one-line 'reason'")
        if self.provenance == "calibrated" and self.prior is None:
            raise ValueError("provenance 'calibrated' needs a 'prior'")
        if not self.values:
            raise ValueError("needs at least one dated value")
        starts = [v.start for v in self.values]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("dated values must have distinct, increasing start dates")
        for v in self.values:
            check_value(self, v.value)
        return self

    @property
    def starts(self) -> list[dt.date]:
        return [v.start for v in self.values]

    def value_at(self, date: dt.date) -> Any:
        """Value in force on ``date``; error if the parameter did not exist yet."""
        i = bisect.bisect_right(self.values, date, key=_start) - 1  # no list of starts per call
        if i < 0:
            raise ParameterError(
                f"parameter {self.name!r} has no value on {date} (first value {self.starts[0]})"
            )
        return self.values[i].value

    def reference_at(self, date: dt.date) -> str:
        i = bisect.bisect_right(self.starts, date) - 1
        own = self.values[i].reference if i >= 0 else None
        return own or self.reference


def check_value(param: Parameter, value: Any) -> None:
    """Type and range check of one value against the parameter's unit."""
    if param.unit == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{param.name}: expected true/false, got {value!r}")
        return
    if param.unit == "category":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{param.name}: expected a non-empty text category, got {value!r}")
        if param.choices is not None and value not in param.choices:
            raise ValueError(f"{param.name}: {value!r} is not allowed; allowed: "
                             f"{', '.join(param.choices)}")
        if param.pattern is not None and re.fullmatch(param.pattern, value) is None:
            raise ValueError(f"{param.name}: {value!r} does not match {param.pattern}")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{param.name}: expected a number ({param.unit}), got {value!r}")
    if abs(value) > MAX_MAGNITUDE or not math.isfinite(value):
        raise ValueError(f"{param.name}: value must be a finite number below 1e15 in size, "
                         f"got {value!r}")
    low, high = BOUNDED_UNITS.get(param.unit, (None, None))
    if low is not None and not low <= value <= high:
        raise ValueError(f"{param.name}: {param.unit} must lie in [{low}, {high}], got {value}")
    if param.unit in {"months", "years", "JPY", "JPY_per_month", "persons", "persons_per_year",
                      "hours_per_week", "multiplier", "ratio", "count"} and value < 0:
        raise ValueError(f"{param.name}: {param.unit} cannot be negative, got {value}")
    if param.unit == "months" and value > MAX_MONTHS:
        raise ValueError(f"{param.name}: a duration above {MAX_MONTHS:g} months (a century) is not "
                         f"a policy, got {value:g}")


def _parse_values(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, Mapping):
        raise ValueError("'values' must map start dates to values")
    out = []
    for start, item in raw.items():
        if isinstance(start, str):
            start = dt.date.fromisoformat(start)
        if isinstance(start, dt.datetime):
            start = start.date()
        if not isinstance(start, dt.date):
            raise ValueError(f"start date {start!r} is not a date (expected YYYY-MM-DD)")
        if isinstance(item, Mapping):
            out.append({"start": start, **item})
        else:
            out.append({"start": start, "value": item})
    return sorted(out, key=lambda v: v["start"])


def load_file(path: Path, reformable_default: bool = True) -> list[Parameter]:
    """Load one parameter file; every error names the file, the key and the reason.

    ``reformable_default`` applies to parameters that do not say: the engine's behavioural
    and input files describe people and data, not law, so reforms may not change them.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParameterError(f"{path}: cannot read the parameter file: {exc.strerror}") from None
    doc = read_yaml(raw, str(path), ParameterError)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("parameters"), Mapping):
        raise ParameterError(f"{path}: expected a mapping with a 'parameters' section")
    unknown = set(doc) - {"description", "parameters", "reference"}
    if unknown:
        raise ParameterError(f"{path}: unknown top-level keys {sorted(unknown)}")
    prefix = path.stem
    params = []
    for key, body in doc["parameters"].items():
        name = f"{prefix}.{key}"
        if not isinstance(body, Mapping):
            raise ParameterError(f"{path}: key {name!r}: expected a mapping")
        try:
            values = _parse_values(body.get("values"))
            fields = {"reformable": reformable_default, **body, "values": values}
            params.append(Parameter(name=name, **fields))
        except (ValidationError, ValueError, TypeError, OverflowError) as exc:
            raise ParameterError(f"{path}: key {name!r}: {_short(exc)}") from None
    return params


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
        )
    return str(exc)


class ParameterSet:
    """All parameters by name; immutable-by-convention (overrides return a copy)."""

    def __init__(self, params: Iterable[Parameter]):
        self._params: dict[str, Parameter] = {}
        for p in params:
            if p.name in self._params:
                raise ParameterError(f"parameter {p.name!r} is defined twice")
            self._params[p.name] = p

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._params[name]
        except KeyError:
            raise KeyError(f"unknown parameter {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._params

    def __iter__(self):
        return iter(self._params.values())

    def __len__(self) -> int:
        return len(self._params)

    def names(self) -> list[str]:
        return list(self._params)

    def value(self, name: str, date: dt.date) -> Any:
        return self[name].value_at(date)

    def epoch(self, date: dt.date) -> int:
        """How many dated changes of any parameter have taken effect by ``date``.

        Why: two dates with the same epoch see the same value of every parameter, so what is
        computed from the parameters alone (the engine's rules, its first-permit table) needs
        computing once per epoch of a run, not once per simulated month.
        """
        starts = self.__dict__.get("_change_dates")
        if starts is None:
            starts = self._change_dates = sorted({v.start for p in self for v in p.values})
        return bisect.bisect_right(starts, date)

    def at(self, date: dt.date) -> dict[str, Any]:
        """Every parameter in force on ``date`` (those not yet existing are left out)."""
        out = {}
        for p in self:
            if p.starts[0] <= date:
                out[p.name] = p.value_at(date)
        return out

    def monthly(self, name: str, start: dt.date, end: dt.date, default: Any = None) -> np.ndarray:
        """Value on the first day of every month start..end (engine's per-month driver).

        Months before the parameter's first value get ``default``; without a default that is
        an error, so a missing rule is never silently zero.
        """
        p = self[name]
        out = []
        for d in month_dates(start, end):
            if d < p.starts[0]:
                if default is None:
                    raise ParameterError(f"parameter {name!r} has no value on {d}")
                out.append(default)
            else:
                out.append(p.value_at(d))
        return np.asarray(out)

    def calibrated(self) -> list[Parameter]:
        return [p for p in self if p.provenance == "calibrated"]

    def with_values(self, values: Mapping[str, float]) -> ParameterSet:
        """Copy with calibrated parameters set to new constant values (a posterior draw)."""
        params = dict(self._params)
        for name, value in values.items():
            p = self[name]
            if p.provenance != "calibrated":
                raise ParameterError(f"{name!r} is not a calibrated parameter")
            try:
                check_value(p, value)
            except (ValueError, TypeError) as exc:
                raise ParameterError(str(exc)) from None
            new = p.model_copy(update={"values": [DatedValue(start=p.starts[0], value=value)]})
            params[name] = new
        return ParameterSet(params.values())

    def override(self, name: str, value: Any, start: dt.date, stop: dt.date | None = None) -> ParameterSet:
        """Copy where ``name`` takes ``value`` from ``start`` (until ``stop``, if given).

        The building block of reforms: the law in force before ``start`` is untouched, and
        after ``stop`` the original dated values resume.
        """
        p = self[name]
        try:
            check_value(p, value)
        except (ValueError, TypeError) as exc:
            raise ParameterError(str(exc)) from None
        keep_before = [v for v in p.values if v.start < start]
        new_values = keep_before + [DatedValue(start=start, value=value, reference="reform")]
        if stop is not None:
            if stop <= start:
                raise ParameterError(f"{name}: reform stop {stop} is not after its start {start}")
            resume = p.value_at(stop) if stop >= p.starts[0] else None
            later = [v for v in p.values if v.start > stop]
            if resume is not None:
                new_values.append(DatedValue(start=stop, value=resume, reference=p.reference_at(stop)))
            new_values += later
        params = dict(self._params)
        params[name] = p.model_copy(update={"values": new_values})
        return ParameterSet(params.values())


def load_parameters(paths: Iterable[Path] | None = None) -> ParameterSet:
    """Load the shipped parameter files (institutions and engine behaviour) or given files."""
    if paths is None:
        files = [(f, True) for f in sorted(PARAMETER_DIR.glob("*.yaml"))]
        files += [(f, False) for f in sorted(ENGINE_DIR.glob("*.yaml"))]
    else:
        files = [(Path(p), Path(p).parent != ENGINE_DIR) for p in paths]
    params: list[Parameter] = []
    for f, reformable in files:
        params.extend(load_file(f, reformable_default=reformable))
    return ParameterSet(params)
