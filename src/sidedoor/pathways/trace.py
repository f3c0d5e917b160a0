"""``trace``: n life courses of one kind of person under the rules in force (paper §4-§5).

The paper argues from individual trajectories: the same person meets different institutions
depending on when she arrives (Wei's SPR in the early 2000s, Toumani's wait after 2012). A
trace replays such a person through the engine (``engine.cohort``: the same processes, rules
and draws) in the background world of a simulation, n times, and reports the status
sequences, how and when legal status is lost, and how the paths end.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sidedoor import timeline
from sidedoor.engine.cohort import run_cohort
from sidedoor.institutions.reforms import Reform
from sidedoor.pathways import paths as P
from sidedoor.pathways.archetypes import Archetype, ArchetypeError, archetype, custom
from sidedoor.scenarios import horizon as H
from sidedoor.scenarios.library import resolve_reform
from sidedoor.scenarios.parameters import (
    ParameterSource,
    fingerprint,
    parameter_set,
    parameter_source,
    shipped_parameters,
)

#: Scale of the background run that supplies the co-national networks (only its
#: ``overstayers_by_nationality`` series is used; cached per parameters, reform and seed).
BACKGROUND_SCALE = 0.01
_BACKGROUNDS: OrderedDict[tuple, pd.DataFrame] = OrderedDict()


@dataclass
class TraceResult:
    """Pathways of one kind of person (CONTRACTS.md, 'Pathways')."""

    archetype: Archetype
    entry_date: dt.date
    horizon: dt.date
    n: int
    seed: int
    reform: str | None
    source_label: str
    calibrated: bool
    sequences: pd.DataFrame  # sequence, count, share
    outcomes: dict[str, float]  # ENDS -> probability (sums to one)
    time_to_loss: dict[str, float]  # share_losing_status, q10..q90 (months)
    typical: pd.DataFrame  # month, status, mechanism, what
    paths: pd.DataFrame = field(repr=False)  # one row per member
    assumptions: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.archetype.name} {self.entry_date:%Y-%m}"

    def figure(self, path: str | Path) -> Path:
        """Timeline of the typical path, each step with its mechanism."""
        from sidedoor.pathways.figure import timeline_figure

        return timeline_figure(self, path)

    def summary(self) -> str:
        """A few lines for the terminal and the report."""
        o, t = self.outcomes, self.time_to_loss
        ends = ", ".join(f"{k} {v:.1%}" for k, v in o.items())
        loss = (f"{t['share_losing_status']:.0%} lose legal status; median {t['q50']:.0f} months after entry"
                if t["share_losing_status"] else "no one loses legal status")
        if self.archetype.status.label == "overstayer":
            loss = "already unauthorized when the trace starts"
        return (f"{self.name} ({self.n} paths, seed {self.seed}, horizon {self.horizon:%Y-%m}"
                f"{', reform ' + self.reform if self.reform else ''}; {self.source_label})\n"
                f"ends: {ends}\n{loss}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (for the dashboard)."""
        typical = self.typical.assign(month=[m.isoformat() for m in self.typical["month"]])
        return {"archetype": self.archetype.name, "attributes": self.archetype.attributes(),
                "story": self.archetype.story, "section": self.archetype.section,
                "entry_date": self.entry_date.isoformat(), "horizon": self.horizon.isoformat(), "n": self.n,
                "seed": self.seed, "reform": self.reform, "parameters": self.source_label,
                "calibrated": self.calibrated, "sequences": self.sequences.to_dict(orient="records"),
                "outcomes": self.outcomes, "time_to_loss": self.time_to_loss,
                "typical": typical.to_dict(orient="records"), "assumptions": self.assumptions}


def _person(spec: str | Archetype | Mapping[str, Any], entry: dt.date | None) -> Archetype:
    if isinstance(spec, Archetype):
        return spec
    if isinstance(spec, str):
        return archetype(spec)
    attrs = dict(spec)
    base = attrs.pop("archetype", None)
    if base is not None:
        return archetype(base).with_changes(**attrs)
    try:
        return custom(attrs.pop("nationality"), attrs.pop("status"), attrs.pop("entry_date", entry), **attrs)
    except KeyError as exc:
        raise ArchetypeError(f"a custom person needs {exc.args[0]!r} (and nationality, status, entry_date)") from None
    except TypeError as exc:
        raise ArchetypeError(f"custom person: {exc}") from None


def default_horizon(person: Archetype, entry: dt.date) -> dt.date:
    """Entry plus the archetype's story length, at most the end of the model's default calendar."""
    months = timeline.month_dates(entry, dt.date(entry.year + person.years, entry.month, 1))
    return min(months[-2] if len(months) > 1 else entry, timeline.DEFAULT_END)


def background(params, reform_key: tuple, values: dict[str, float], inputs, seed: int, end: dt.date,
               scale: float) -> pd.DataFrame:
    """Co-national overstayers over time from a (cached) background simulation."""
    key = (fingerprint(values), reform_key, seed, end, scale)
    if key not in _BACKGROUNDS:
        from sidedoor.engine import simulate

        result = simulate(params=params, seed=seed, start=H.START, end=end, scale=scale, inputs=inputs)
        out = result.outputs
        _BACKGROUNDS[key] = out[out["series"] == "overstayers_by_nationality"].reset_index(drop=True)
        while len(_BACKGROUNDS) > 16:
            _BACKGROUNDS.popitem(last=False)
    _BACKGROUNDS.move_to_end(key)
    return _BACKGROUNDS[key]


def trace(archetype_or_attributes: str | Archetype | Mapping[str, Any], *, entry_date: str | dt.date | None = None,
          reform: str | Path | Reform | None = None, n: int = 1000, seed: int = 1,
          horizon: str | dt.date | None = None, source: ParameterSource | None = None,
          background_scale: float = BACKGROUND_SCALE) -> TraceResult:
    """Simulate ``n`` life courses of an archetype (or a person from attributes).

    ``entry_date`` moves the person in time (the point of the Wei/Toumani comparison);
    ``reform`` (name, file or ``Reform``) changes the rules; ``horizon`` defaults to the
    length of the archetype's story. Parameters: posterior medians, else labelled prior centres.
    """
    t0 = time.perf_counter()
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    entry = timeline.parse_month(entry_date) if entry_date is not None else None
    person = _person(archetype_or_attributes, entry)
    entry = entry or person.entry_date
    if entry < H.START:
        raise ArchetypeError(f"entry date {entry:%Y-%m} is before the model's first month {H.START:%Y-%m}")
    end = H.parse_end(horizon) if horizon is not None else default_horizon(person, entry)
    if end < entry:
        raise ArchetypeError(f"horizon {end:%Y-%m} is before the entry date {entry:%Y-%m}")
    shipped = shipped_parameters()
    reform_obj = resolve_reform(reform, shipped) if reform is not None else None
    source = source if source is not None else parameter_source()
    values = source.central()
    params = parameter_set(values, shipped)
    if reform_obj is not None:
        params = reform_obj.apply(params)
    from sidedoor.engine.inputs import build_inputs

    world_end = max(end, timeline.DEFAULT_END)
    inputs = build_inputs(params, H.START, world_end)
    reform_key = (reform_obj.name, tuple(reform_obj.summary())) if reform_obj is not None else None
    world = background(params, reform_key, values, inputs, seed, world_end, background_scale)
    person_params = params
    if person.shell_school:  # a school that leads nowhere: this cohort never progresses
        person_params = params.override("behaviour.language_school_progression", 0.0, entry)
    run = run_cohort(person.spec(entry), n, params=person_params, inputs=inputs, background=world, seed=seed,
                     end=end)
    per_person = P.person_paths(run)
    assumptions = list(person.assumptions)
    if end > dt.date(H.last_data_year(inputs.derivations), 12, 1):
        assumptions += [f"input: {a}" for a in H.input_assumptions(params, end)[1]]
    return TraceResult(
        archetype=person, entry_date=entry, horizon=end, n=n, seed=seed,
        reform=reform_obj.name if reform_obj is not None else None, source_label=source.label,
        calibrated=source.calibrated, sequences=P.sequences(per_person), outcomes=P.outcomes(per_person),
        time_to_loss=P.time_to_loss(per_person), typical=P.typical_path(run, per_person), paths=per_person,
        assumptions=assumptions, wall_seconds=time.perf_counter() - t0)
