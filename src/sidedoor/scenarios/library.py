"""The scenario library: the shipped reform files, each with the question it puts to the model.

A scenario is a reform (``src/sidedoor/reforms/*.yaml``, or any reform file) plus a horizon.
The reform file says *what* changes and which section of the paper it tests; ``FOCUS`` adds
*where to look*: the stock and the flow in which the paper's argument predicts a difference,
and on which date. A reform file from elsewhere gets the generic focus (the total stock on
2020-01-01 and all four flows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.reforms import (
    REFORM_DIR,
    Reform,
    ReformError,
    list_reforms,
    load_named_reform,
    load_reform,
)

#: Flows reported by every scenario (series keys of CONTRACTS.md); running away is
#: ``interns_disappeared``.
FLOWS = ("interns_disappeared", "asylum_applications", "spr_granted", "deportations")
FLOW_LABELS = {
    "interns_disappeared": "interns running away",
    "asylum_applications": "asylum applications",
    "spr_granted": "SPR grants",
    "deportations": "persons processed for deportation",
}
STOCK = ("overstayers", "total")
HEADLINE_STOCK_DATE = dt.date(2020, 1, 1)  # the paper's last figure (82,892, January 2020)


@dataclass(frozen=True)
class Focus:
    """Where a scenario's effect should show: (series, category, date) and a flow and year."""

    stock: tuple[str, str, dt.date] = (*STOCK, HEADLINE_STOCK_DATE)
    flow: str = "deportations"
    flow_year: int = 2019
    expected: str = ""  # the direction the paper's argument predicts, in words
    caveat: str = ""  # what the model leaves out that matters for this question
    stock_sign: int = 0  # predicted sign of the stock difference (-1, +1; 0: no prediction)
    flow_sign: int = 0  # predicted sign of the flow difference


FOCUS: dict[str, Focus] = {
    "no-2018-screening": Focus(("overstayers_by_status", "designated_activities", dt.date(2019, 1, 1)),
                               "asylum_applications", 2019,
                               "fewer designated-activities overstayers on 2019-01-01 (the paper: 2,286 -> 4,224)",
                               stock_sign=-1, flow_sign=+1),
    "spr-2005-regime": Focus(flow="spr_granted", flow_year=2018,
                             expected="more regularizations and fewer overstayers by 2020",
                             caveat="the stock moves only through married overstayers turning themselves in by the "
                                    "regime's odds (behaviour.self_report_regime_elasticity, an assumption); refused "
                                    "cases are still removed", stock_sign=-1, flow_sign=+1),
    "intern-job-mobility": Focus(flow="interns_disappeared", flow_year=2019,
                                 expected="fewer disappeared interns (no right to change employer -> running away)",
                                 stock_sign=-1, flow_sign=-1),
    "broker-fee-cap": Focus(flow="interns_disappeared", flow_year=2019,
                            expected="less debt, fewer runaways and fewer overstays at expiry", stock_sign=-1, flow_sign=-1,
                            caveat="the cap is assumed fully enforced: every intern's broker fee (hence entry debt) "
                                   "is at most the cap"),
    "labour-front-door-1990": Focus(flow="interns_disappeared", flow_year=2019,
                                    expected="fewer overstayers: a labour channel with job mobility replaces side doors",
                                    caveat="entrants diverted to the front door are an input assumption "
                                           "(inflows.labour_migrant_diversion_share)", stock_sign=-1, flow_sign=-1),
    "no-2004-crackdown": Focus(flow="deportations", flow_year=2006,
                               expected="more overstayers after 2004 and fewer deportation procedures",
                               stock_sign=+1, flow_sign=-1),
    "no-2010-work-permit": Focus(flow="asylum_applications", flow_year=2017,
                                 expected="far fewer asylum applications 2010-2017 (the 2010 rule as a side door)",
                                 flow_sign=-1),
    "no-2023-revision": Focus(stock=(*STOCK, dt.date(2025, 1, 1)), flow="deportations", flow_year=2025,
                              expected="more non-deportable repeat applicants after June 2024",
                              caveat="acts from 2024-06-10 only: nothing can differ before then"),
    "no-visa-suspension": Focus(stock=(*STOCK, dt.date(1993, 5, 1)), flow="deportations", flow_year=1993,
                                expected="a higher early-1990s peak (Iranian, Pakistani, Bangladeshi visitors)",
                                stock_sign=+1, flow_sign=+1),
    "ssw-from-2010": Focus(flow="interns_disappeared", flow_year=2019,
                           expected="fewer overstayers: an earlier manual-labour front door", stock_sign=-1, flow_sign=-1,
                           caveat="SSW entrants before the SSW data (2019-04) are input assumptions: "
                                  "ssw.counterfactual_intern_share of the intern entrants come as SSW instead"),
    "null": Focus(expected="no difference at all (common random numbers)"),
}


@dataclass(frozen=True)
class ScenarioInfo:
    """A named scenario: its reform, the question and where the answer should show."""

    name: str
    description: str
    reference: str  # paper section the reform tests
    path: Path
    focus: Focus
    changes: tuple[str, ...]


def focus_of(reform: Reform) -> Focus:
    return FOCUS.get(reform.name, Focus(expected="see the reform's description"))


def _info(reform: Reform, path: Path) -> ScenarioInfo:
    return ScenarioInfo(reform.name, reform.description, reform.reference, path, focus_of(reform),
                        tuple(reform.summary()))


def list_scenarios(params: ParameterSet | None = None, include_null: bool = True) -> list[ScenarioInfo]:
    """The shipped reform files as scenarios (``null`` is the test reform that changes nothing)."""
    from sidedoor.scenarios.parameters import shipped_parameters

    params = params if params is not None else shipped_parameters()
    out = []
    for name in list_reforms():
        if name == "null" and not include_null:
            continue
        out.append(_info(load_named_reform(name, params), REFORM_DIR / f"{name}.yaml"))
    return out


def resolve_reform(spec: str | Path | Reform, params: ParameterSet | None = None) -> Reform:
    """A reform from a shipped name, a file path or a ``Reform``; clear ``ReformError`` otherwise."""
    if isinstance(spec, Reform):
        return spec
    from sidedoor.scenarios.parameters import shipped_parameters

    params = params if params is not None else shipped_parameters()
    text = str(spec).strip()
    if not text:
        raise ReformError("no reform given: pass a shipped name (sidedoor scenario list) or a YAML file")
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists() or "/" in text:
        if not path.exists():
            raise ReformError(f"{path}: no such reform file (shipped reforms: {', '.join(list_reforms())})")
        return load_reform(path, params)
    return load_named_reform(text, params)
