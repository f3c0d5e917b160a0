"""Reforms: "what if the rules had been different?" as small, validated YAML files (M8).

A reform file names the paper section it tests and lists dated changes of policy parameters::

    name: no-2018-screening
    description: Keep the 2010 work-permit rule; no A/B/C/D pre-screening
    reference: "§5.1"
    changes:
      - parameter: asylum.screening_active
        value: false
        start: 2018-01-15
        stop: 2030-01-01      # optional; the original law resumes on stop

Files are read with ``yaml.safe_load`` only; no text in them is ever evaluated. Every problem
raises ``ReformError`` naming the file, the key and the reason.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sidedoor.institutions.parameters import (
    ParameterError,
    ParameterSet,
    check_value,
    load_parameters,
    read_yaml,
)

REFORM_DIR = Path(__file__).parents[1] / "reforms"
TOP_LEVEL_KEYS = ("name", "description", "reference", "changes")
CHANGE_KEYS = ("parameter", "value", "start", "stop")
#: Reform dates must fall in the period the model can speak about.
EARLIEST = dt.date(1980, 1, 1)
LATEST = dt.date(2040, 12, 31)



class ReformError(ValueError):
    """An invalid reform; the message names the file, the key and the reason."""


@dataclass(frozen=True)
class Change:
    parameter: str
    value: Any
    start: dt.date
    stop: dt.date | None = None


@dataclass(frozen=True)
class Reform:
    name: str
    description: str
    reference: str
    changes: tuple[Change, ...]
    source: str = "<dict>"

    def apply(self, params: ParameterSet) -> ParameterSet:
        """A copy of ``params`` with every change applied in order (``ParameterSet.override``)."""
        for i, change in enumerate(self.changes):
            try:
                params = params.override(change.parameter, change.value, change.start, change.stop)
            except (KeyError, ParameterError) as exc:
                raise ReformError(f"{self.source}: key 'changes[{i}]': {exc}") from None
        return params

    def summary(self) -> list[str]:
        """One line per change, for the CLI."""
        return [
            f"{c.parameter} = {c.value!r} from {c.start}" + (f" until {c.stop}" if c.stop else "")
            for c in self.changes
        ]


def _fail(source: str, key: str, reason: str) -> ReformError:
    return ReformError(f"{source}: key {key!r}: {reason}")


def _date(value: Any, source: str, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise _fail(source, key, f"not a date: {value!r} (expected YYYY-MM-DD)") from None
    if not isinstance(value, dt.date):
        raise _fail(source, key, f"not a date: {value!r} (expected YYYY-MM-DD)")
    if not EARLIEST <= value <= LATEST:
        raise _fail(source, key, f"date {value} is outside {EARLIEST.year}-{LATEST.year}")
    return value


def _change(raw: Any, i: int, params: ParameterSet, source: str) -> Change:
    where = f"changes[{i}]"
    if not isinstance(raw, Mapping):
        raise _fail(source, where, "each change must be a mapping with parameter, value, start")
    unknown = sorted(set(raw) - set(CHANGE_KEYS))
    if unknown:
        raise _fail(source, f"{where}.{unknown[0]}",
                    f"unknown key; a change has only {', '.join(CHANGE_KEYS)}")
    for key in ("parameter", "value", "start"):
        if key not in raw:
            raise _fail(source, f"{where}.{key}", "missing")
    name = raw["parameter"]
    if not isinstance(name, str) or name not in params:
        close = difflib.get_close_matches(str(name), params.names(), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise _fail(source, f"{where}.parameter", f"unknown parameter {name!r}{hint}")
    p = params[name]
    if not p.reformable:
        raise _fail(source, f"{where}.parameter",
                    f"{name} is not reformable: reforms change policy rules, not recorded facts, behaviour or data")
    value = raw["value"]
    try:
        check_value(p, value)
    except (ValueError, TypeError) as exc:
        raise _fail(source, f"{where}.value", str(exc)) from None
    start = _date(raw["start"], source, f"{where}.start")
    stop = _date(raw["stop"], source, f"{where}.stop") if raw.get("stop") is not None else None
    if stop is not None and stop <= start:
        raise _fail(source, f"{where}.stop", f"stop {stop} is not after start {start}")
    return Change(name, value, start, stop)


def load_reform_dict(doc: Any, params: ParameterSet | None = None, source: str = "<dict>") -> Reform:
    """Validate a reform given as a mapping (e.g. a JSON body from the API)."""
    params = params if params is not None else load_parameters()
    if not isinstance(doc, Mapping):
        raise _fail(source, "<top>", "a reform must be a mapping with " + ", ".join(TOP_LEVEL_KEYS))
    unknown = sorted(set(doc) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise _fail(source, unknown[0], f"unknown top-level key; allowed: {', '.join(TOP_LEVEL_KEYS)}")
    for key in ("name", "description", "reference"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise _fail(source, key, "missing or not a text")
    raw_changes = doc.get("changes")
    if raw_changes is None:
        raw_changes = []
    if not isinstance(raw_changes, list):
        raise _fail(source, "changes", "must be a list of changes")
    changes = tuple(_change(raw, i, params, source) for i, raw in enumerate(raw_changes))
    reform = Reform(doc["name"].strip(), doc["description"].strip(), doc["reference"].strip(),
                    changes, source)
    _check_rules_evaluate(reform, params)
    return reform


def _first_month_in_force(date: dt.date) -> dt.date:
    """The engine evaluates rules on the first day of each month (``sidedoor.timeline``)."""
    if date.day == 1:
        return date
    return dt.date(date.year + date.month // 12, date.month % 12 + 1, 1)


def _check_rules_evaluate(reform: Reform, params: ParameterSet) -> None:
    """Every rule must still be computable where a change takes effect.

    A switch moved earlier than the parameters it needs (e.g. the 2010 work permit switched
    on in 1990, before its six-month waiting time exists) is rejected here, naming the
    change, instead of failing months into a simulation.
    """
    from sidedoor.institutions.rule_check import evaluate_all_rules

    applied = reform.apply(params)
    for i, change in enumerate(reform.changes):
        for date in {_first_month_in_force(change.start), change.start}:
            try:
                evaluate_all_rules(date, applied)
            except (ParameterError, KeyError, ValueError, TypeError) as exc:
                raise _fail(reform.source, f"changes[{i}]",
                            f"from {change.start} the rules cannot be evaluated with this change "
                            f"({exc}); add changes for the parameters it needs") from None


def load_reform_text(text: str | bytes, params: ParameterSet | None = None, source: str = "<text>") -> Reform:
    """Validate a reform given as YAML text (safe_load only)."""
    doc = read_yaml(text, source, ReformError)
    return load_reform_dict(doc, params, source)


def load_reform(path: str | Path, params: ParameterSet | None = None) -> Reform:
    """Load and validate a reform file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReformError(f"{path}: cannot read the reform file: {exc.strerror}") from None
    return load_reform_text(raw, params, str(path))


def list_reforms() -> list[str]:
    """Names of the reforms shipped with sidedoor."""
    return sorted(p.stem for p in REFORM_DIR.glob("*.yaml"))


def load_named_reform(name: str, params: ParameterSet | None = None) -> Reform:
    """Load a shipped reform by name (e.g. ``no-2018-screening``)."""
    if name not in list_reforms():
        close = difflib.get_close_matches(name, list_reforms(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ReformError(f"unknown reform {name!r}{hint} (shipped: {', '.join(list_reforms())})")
    return load_reform(REFORM_DIR / f"{name}.yaml", params)
