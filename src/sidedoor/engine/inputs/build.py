"""``build_inputs``: stage 1 (factual entries, cached) + stage 2 (scales and rules, cheap).

Stage 2 is where the institutions act on the entries: ``rules.channel_open`` zeroes closed
channels, ``rules.border_inflow_factor`` scales every entry (the 2020-2022 closure),
``rules.visa_exempt`` moves a nationality's visitor entries by ``inflows.visa_suspension_entry_factor``
relative to the law as shipped, and a reform that opens ``LABOUR_MIGRANT`` diverts
``inflows.labour_migrant_diversion_share`` of the side-door entries into it. The calibrated
1990s scale factors act here too, so a calibration draw never redoes stage 1.

Both stages are memoized on the values of exactly the parameters they read (recorded while
they run), plus the dates: calibration calls ``build_inputs`` many times with the same inputs.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sidedoor.engine.inputs import initial as init
from sidedoor.engine.inputs import labour, sources
from sidedoor.engine.inputs.base import CHANNELS, Base, build_base
from sidedoor.engine.inputs.cells import ramp
from sidedoor.engine.inputs.derivations import Inputs, derivation_table
from sidedoor.engine.visitors import BOOM_REFERENCE_YEAR
from sidedoor.institutions import rules
from sidedoor.institutions.parameters import ParameterSet, load_parameters
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality, from_label
from sidedoor.timeline import DEFAULT_END, DEFAULT_START, month_dates, parse_month

S = Status
N_NAT = len(Nationality)
FULL_SCALE_UNTIL = 1995
#: calibrated scale -> (statuses or 'visitors', year from which it no longer acts)
SCALES: dict[str, tuple[tuple, int]] = {
    "inflows.student_scale_1990s": ((S.PRE_COLLEGE_STUDENT, S.COLLEGE_STUDENT), 2001),
    "inflows.entertainer_scale_1990s": ((S.ENTERTAINER,), 2003),
    "inflows.labour_sending_visitor_scale_1990s": (("visitors",), 2001),
}
DIVERTED = (S.PRE_COLLEGE_STUDENT, S.COLLEGE_STUDENT, S.TRAINEE, S.TECHNICAL_INTERN, S.ENTERTAINER)
DIVERSION = "inflows.labour_migrant_diversion_share"
FACTOR = "inflows.visa_suspension_entry_factor"
CACHE_KEYS = 16  # (stage, dates) keys kept
CACHE_PER_KEY = 8  # parameter variants kept per key (an Inputs is ~3 MB)


class _Recording(ParameterSet):
    """A ParameterSet that remembers which parameters were read (for the memo key)."""

    def __init__(self, base: ParameterSet):
        super().__init__(base)
        self.used: set[str] = set()

    def __getitem__(self, name: str):
        self.used.add(name)
        return super().__getitem__(name)

    def __contains__(self, name: str) -> bool:
        self.used.add(name)
        return super().__contains__(name)

    def at(self, date: dt.date) -> dict[str, Any]:
        self.used.update(self.names())
        return super().at(date)


def _fingerprint(params: ParameterSet, names: frozenset[str]) -> tuple:
    out = []
    for name in sorted(names):
        if name in params:
            out.append((name, tuple((v.start, v.value) for v in params[name].values)))
        else:
            out.append((name, None))
    return tuple(out)


_MEMO: OrderedDict[tuple, list[tuple[frozenset[str], tuple, Any]]] = OrderedDict()


def _memo(key: tuple, params: ParameterSet, compute: Callable[[ParameterSet], Any]) -> Any:
    """``compute(params)``, reused when the parameters it read last time are unchanged."""
    entries = _MEMO.get(key, [])
    for i, (names, fingerprint, result) in enumerate(entries):
        if _fingerprint(params, names) == fingerprint:
            entries.insert(0, entries.pop(i))
            _MEMO.move_to_end(key)
            return result
    recorder = _Recording(params)
    result = compute(recorder)
    names = frozenset(recorder.used)
    entries = _MEMO.setdefault(key, [])
    entries.insert(0, (names, _fingerprint(params, names), result))
    del entries[CACHE_PER_KEY:]
    while len(_MEMO) > CACHE_KEYS:
        _MEMO.popitem(last=False)
    return result


def clear_cache() -> None:
    """Forget memoized inputs (e.g. after the shipped data or parameter files changed)."""
    _MEMO.clear()
    _reference.cache_clear()


@lru_cache(maxsize=1)
def _reference() -> ParameterSet:
    """The law as shipped: the factual regime the data were produced under."""
    return load_parameters()


def _scale_factors(params: ParameterSet, months: list[dt.date]) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers (months x status) for channels and (months x nationality) for visitors: the
    calibrated scale in full to 1995, fading linearly to 1 by the channel's first count."""
    years = np.array([d.year for d in months])
    channel = np.ones((len(months), len(Status)))
    visitor = np.ones((len(months), N_NAT))
    labour_sending = [int(from_label(x)) for x in sources.splits()["labour_sending"]["nationalities"]]
    for name, (targets, one_from) in SCALES.items():
        value = float(params.value(name, DEFAULT_START))
        weight = np.array([ramp(y, FULL_SCALE_UNTIL, one_from) for y in years])
        factor = 1.0 + (value - 1.0) * weight
        for target in targets:
            if target == "visitors":
                visitor[:, labour_sending] *= factor[:, None]
            else:
                channel[:, target] *= factor
    return channel, visitor


def _stage2(params: ParameterSet, base: Base, reference: ParameterSet) -> dict[str, np.ndarray]:
    months = base.months
    scale, vscale = _scale_factors(params, months)
    border = np.array([rules.border_inflow_factor(d, params) for d in months])
    open_ = np.array([[rules.channel_open(s, d, params) for s in Status] for d in months], dtype=bool)
    exempt = np.array([rules.visa_exempt(np.arange(N_NAT), d, params) for d in months], dtype=bool)
    factor = float(params.value(FACTOR, dt.date(1989, 1, 1)))
    inflows = base.inflows * (scale * open_ * border[:, None])[:, :, None]
    inflows[:, S.TEMPORARY_VISITOR, :] = 0.0
    lm_open = open_[:, S.LABOUR_MIGRANT]
    if lm_open.any():
        share = np.array([float(params.value(DIVERSION, d)) if o else 0.0 for d, o in zip(months, lm_open)])
        moved = inflows[:, list(DIVERTED), :] * share[:, None, None]
        inflows[:, list(DIVERTED), :] -= moved
        inflows[:, S.LABOUR_MIGRANT, :] += moved.sum(axis=1)
    visa = factor ** (base.reference_exempt.astype(float) - exempt.astype(float))
    visitors = base.visitors * vscale * visa * (border * open_[:, S.TEMPORARY_VISITOR])[:, None]
    return {"inflows": inflows, "visitors": visitors, "border": border, "open": open_, "visa": visa,
            "scale": scale, "visitor_scale": vscale}


def _initial(params: ParameterSet, base: Base, final: dict, start: dt.date):
    months = base.months
    year = np.array([d.year for d in months]) == start.year
    y1990 = np.array([d.year for d in months]) == 1990
    scaled = base.inflows * final["scale"][:, :, None]
    closed_in_1990 = (S.TECHNICAL_INTERN, S.SPECIFIED_SKILLED_WORKER, S.LABOUR_MIGRANT)
    annual = {s: scaled[y1990, s, :].sum(axis=0) for s in init.STAY if s not in closed_in_1990}
    legal, legal_cells = init.legal_1990(params, annual)
    if start != DEFAULT_START:
        legal, legal_cells = init.legal_projected(params, legal, months, final["inflows"], start)
    seed = {s: _normalised(base.inflows[year, s, :].sum(axis=0)) for s in CHANNELS}
    seed[S.TEMPORARY_VISITOR] = _normalised(base.visitors[year].sum(axis=0))
    over, over_cells = init.overstayers(start, seed)
    table = pd.concat([over, legal], ignore_index=True)
    table = table[table["count"] > 0].astype({"status": "int64", "nationality": "int64", "status_at_overstay": "int64",
                                               "count": "float64"}).reset_index(drop=True)
    return table, over_cells + legal_cells


def _visitor_reference(base: Base, final: dict) -> np.ndarray:
    """Highest yearly rate of usual visitor entries per nationality up to the end of the
    boom's reference year (scale 1): the volume the tourism boom is measured against.

    The highest month's rate (x 12), not the reference year's volume: 2009-2011 (crisis,
    earthquake) dipped below 2008 for several nationalities, growth back to an earlier volume
    is no boom, and a month's rate is what ``visitors.probabilities`` compares with it (Iran's
    rate before the April 1992 visa suspension is above its yearly totals). "Usual" as there:
    the entries under these parameters without a border closure's collapse, so a reform that
    suspends a visa moves the reference too.
    """
    before = np.array([d.year <= BOOM_REFERENCE_YEAR for d in base.months])
    border = np.maximum(final["border"][before], 1e-3)
    return (final["visitors"][before] / border[:, None]).max(axis=0) * 12.0


def _normalised(x: np.ndarray) -> np.ndarray:
    total = x.sum()
    return x / total if total > 0 else np.full(len(x), 1.0 / len(x))


def build_inputs(params: ParameterSet, start: dt.date = DEFAULT_START, end: dt.date = DEFAULT_END) -> Inputs:
    """Monthly inputs of the engine from ``start`` to ``end`` (first days of months), scale 1.

    Memoized in-process on (start, end, the values of every parameter it reads): the returned
    ``Inputs`` is shared between calls, so its arrays are read-only.
    """
    start, end = parse_month(start), parse_month(end)
    if start < DEFAULT_START:
        raise ValueError(f"inputs start in {DEFAULT_START:%Y-%m} (the model's first month), not {start:%Y-%m}")
    if end < start:
        raise ValueError(f"end {end:%Y-%m} is before start {start:%Y-%m}")
    return _memo(("inputs", start, end), params, lambda p: _build(p, start, end))


def _build(params: ParameterSet, start: dt.date, end: dt.date) -> Inputs:
    last_year = max(DEFAULT_END.year, end.year)
    reference = _reference()
    base = _memo(("base", last_year), params, lambda p: build_base(p, reference, last_year))
    final = _stage2(params, base, reference)
    table, initial_cells = _initial(params, base, final, start)
    ratio, ratio_cells = labour.monthly_ratio(base.months, last_year)
    window = slice(base.months.index(start), base.months.index(end) + 1)
    derivations = derivation_table(base, final, window, initial_cells, ratio_cells, start)
    return Inputs.frozen(
        visitor_reference=_visitor_reference(base, final),
        months=month_dates(start, end),
        inflows=final["inflows"][window],
        visitor_entries=final["visitors"][window],
        initial=table,
        job_openings_ratio=ratio[window],
        derivations=derivations,
    )
