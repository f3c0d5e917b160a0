"""The one-paragraph reading of a scenario, written from its numbers and nothing else.

Why generated: a hand-written conclusion goes stale the moment the calibration or a rule
changes. The reading states the direction and size of the effect on the stock and on the
flow the paper's argument points at, with the 90% band, the paper section the reform tests,
whether the sign is the one the argument predicts, and the caveats: a band that includes
zero, an uncalibrated parameter source, input assumptions beyond the data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from sidedoor.scenarios.library import FLOW_LABELS, HEADLINE_STOCK_DATE, STOCK

STOCK_LABELS = {
    ("overstayers", "total"): "overstayers",
    ("overstayers_by_status", "designated_activities"): "overstayers whose last status was designated activities",
}


def _cell(table: pd.DataFrame, series: str, category: str, date: dt.date) -> dict[str, Any] | None:
    rows = table[(table["series"] == series) & (table["category"] == category)
                 & (pd.to_datetime(table["reference_date"]) == pd.Timestamp(date))]
    if rows.empty:
        return None
    row = rows.iloc[0]
    base = float(row["baseline"])
    return {"series": series, "category": category, "date": date.isoformat(), "baseline": base,
            "reform": float(row["reform"]), "difference": float(row["difference"]),
            "q05": float(row["difference_q05"]), "q95": float(row["difference_q95"]),
            "relative": float(row["difference"]) / base if base else None}


def headline_of(result) -> dict[str, Any]:
    """The numbers the reading and the report's library table use."""
    focus, table = result.info.focus, result.table
    series, category, date = focus.stock
    flow_date = dt.date(focus.flow_year, 12, 31)
    return {
        "scenario": result.name, "reference": result.info.reference, "description": result.info.description,
        "source": result.source_label, "calibrated": result.calibrated, "draws": result.draws,
        "scale": result.scale, "seed": result.seed, "end": result.end.isoformat(),
        "stock": _cell(table, series, category, date),
        "stock_2020": _cell(table, *STOCK, HEADLINE_STOCK_DATE),
        "flow": _cell(table, focus.flow, "total", flow_date),
        "expected": focus.expected, "stock_sign": focus.stock_sign, "flow_sign": focus.flow_sign,
    }


def _n(x: float) -> str:
    return f"{abs(x):,.0f}"


def _band(cell: dict[str, Any]) -> str:
    return f"90% band {cell['q05']:+,.0f} to {cell['q95']:+,.0f}"


def includes_zero(cell: dict[str, Any]) -> bool:
    return cell["q05"] <= 0 <= cell["q95"]


def _verdict(cell: dict[str, Any], sign: int) -> str:
    """Does the sign agree with the argument? Only a band clear of zero can say so."""
    if sign == 0:
        return ""
    if includes_zero(cell):
        return "inconclusive"
    return "agrees" if (cell["difference"] > 0) == (sign > 0) else "contradicts"


def _exactly_zero(cell: dict[str, Any]) -> bool:
    return cell["difference"] == 0 and cell["q05"] == 0 and cell["q95"] == 0


def _size(cell: dict[str, Any]) -> tuple[str, str]:
    """('8,350 fewer', '(90% band ..., -20.2% of the baseline's 41,300)')."""
    d = cell["difference"]
    head = f"{_n(d)} more" if d > 0 else f"{_n(d)} fewer" if d < 0 else "no change (median)"
    rel = f", {cell['relative']:+.1%} of the baseline's {_n(cell['baseline'])}" if cell["relative"] is not None else ""
    return head, f"({_band(cell)}{rel})"


def _stock_sentence(cell: dict[str, Any], what: str) -> str:
    if _exactly_zero(cell):
        return f"The number of {what} on {cell['date']} does not change at all."
    head, paren = _size(cell)
    return f"On {cell['date']} the model gives {head} {what} {paren}."


def _flow_sentence(cell: dict[str, Any], label: str) -> str:
    year = cell["date"][:4]
    if _exactly_zero(cell):
        return f"{_upper_first(label)} in {year} do not change at all."
    head, paren = _size(cell)
    return f"{_upper_first(label)} in {year}: {head} {paren}."


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def reading_of(result) -> str:
    """One paragraph: effect on the stock and the key flow, bands, section, caveats."""
    h = result.headline
    parts = [f"{result.name} ({h['reference']}): {h['description'].rstrip('.')}."]
    verdicts, zero = [], []
    stock, flow = h["stock"], h["flow"]
    if stock is not None:
        what = STOCK_LABELS.get((stock["series"], stock["category"]), f"{stock['series']} ({stock['category']})")
        parts.append(_stock_sentence(stock, what))
        verdicts.append(_verdict(stock, h["stock_sign"]))
        zero += ["the stock"] if includes_zero(stock) and stock["difference"] else []
    if flow is not None:
        label = FLOW_LABELS.get(flow["series"], flow["series"])
        parts.append(_flow_sentence(flow, label))
        verdicts.append(_verdict(flow, h["flow_sign"]))
        zero += ["the flow"] if includes_zero(flow) and flow["difference"] else []
    if h["expected"]:
        said = [v for v in verdicts if v]
        if said:
            summary = ("agrees with" if all(v == "agrees" for v in said) else
                       "contradicts" if all(v == "contradicts" for v in said) else
                       "does not settle")
            parts.append(f"The paper's argument predicts {h['expected']}; this result {summary} it.")
        else:
            parts.append(f"Expected: {h['expected']}.")
    table = result.table
    untouched = bool(len(table)) and bool((table[["difference", "difference_q05", "difference_q95"]] == 0).all().all())
    if untouched and result.reform_obj.changes:
        changed = ", ".join(sorted({c.parameter for c in result.reform_obj.changes}))
        parts.append(f"No reported output differs in any draw: at these settings (scale {result.scale:g}, to "
                     f"{result.end:%Y-%m}) the parameters this reform changes ({changed}) do not reach the "
                     "reported stocks and flows.")
    elif stock is not None and _exactly_zero(stock) and flow is not None and not _exactly_zero(flow):
        parts.append("The stock is identical in every draw: in the model this reform only changes what happens "
                     "to people who have already left the overstayer stock.")
    if zero:
        parts.append(f"Caveat: the 90% band of {' and of '.join(zero)} includes zero, so at these settings "
                     f"({result.draws} draws, scale {result.scale:g}) the direction is not established.")
    if result.info.focus.caveat:
        parts.append(f"Note: {result.info.focus.caveat}.")
    if not result.calibrated:
        parts.append("Uncalibrated: prior centres; bands show simulation noise only.")
    else:
        parts.append(f"Parameters: {result.source_label}.")
    if result.assumptions:
        parts.append(f"Runs past the data ({result.last_data_year}) on carried-forward inputs "
                     f"({len(result.assumptions)} input assumptions, listed with the result).")
    return " ".join(parts)
