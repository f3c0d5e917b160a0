"""The official figures the inputs are built from, read through ``sidedoor.data``.

Why a facade: every derived input cell must name the observed cells it used, so each lookup
here returns the figure together with a citation tag ``series[YYYY-MM-DD|category]`` that
``sidedoor.data.observed(series)`` resolves to its source URL and note. Nothing here derives a
figure; that is the job of the modules that cite these tags in their formulas.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sidedoor.data import observed

SPLITS_FILE = Path(__file__).with_name("splits.yaml")

#: Paper figures used directly (§ = section of Kato & Liu-Farrer).
PAPER_VIETNAMESE_STUDENTS_2018 = 72_354  # §4.2 and note 10 (stock of students, 2018)
PAPER_VIETNAMESE_STUDENTS_TAG = "paper §4.2 note 10 (72,354 Vietnamese students, 2018)"


def tag(series: str, date: dt.date, category: str) -> str:
    """Citation of one observed cell."""
    return f"{series}[{date.isoformat()}|{category}]"


@lru_cache(maxsize=None)
def _index(series: str) -> dict[tuple[dt.date, str], tuple[float, str]]:
    """(date, category) -> (value, source note) of the preferred observed rows."""
    frame = observed(series)
    return {
        (ts.date(), cat): (float(v), "" if pd.isna(n) else str(n))
        for ts, cat, v, n in zip(frame["reference_date"], frame["category"], frame["value"], frame["source_note"])
    }


def get(series: str, date: dt.date, category: str) -> float | None:
    """The preferred observed value of one cell, or None when the data lack it."""
    hit = _index(series).get((date, category))
    return hit[0] if hit else None


def cells(series: str, category: str) -> dict[dt.date, float]:
    """Every observed value of ``category`` in ``series``, by reference date."""
    return {d: v for (d, c), (v, _) in sorted(_index(series).items()) if c == category}


def ending_with(series: str, date: dt.date, suffix: str) -> dict[str, float]:
    """Cells of ``series`` on ``date`` whose category ends with ``suffix`` (e.g. '|technical_intern_i')."""
    return {c: v for (d, c), (v, _) in _index(series).items() if d == date and c.endswith(suffix)}


def year_flows(series: str, category: str) -> dict[int, float]:
    """Calendar-year flows of ``category`` (dated on 31 December) by year."""
    return {d.year: v for d, v in cells(series, category).items() if (d.month, d.day) == (12, 31)}


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def note(series: str, date: dt.date, category: str) -> str:
    """The source note of one observed cell ('' if absent)."""
    hit = _index(series).get((date, category))
    return hit[1] if hit else ""


_ABSOLUTE = re.compile(r"([+-][\d,]{4,})\s*(?:y/y|vs|\()")
_PERCENT = re.compile(r"([+-]\d+(?:\.\d+)?)% y/y")


def stated_change(series: str, year: int, category: str = "total") -> tuple[float, str] | None:
    """Previous year's value implied by a change stated in the source note of ``year``.

    White Papers often give a year's total with its change on the year before ("-6.5% y/y",
    "-27,146 y/y"); the data README records such changes in the notes and leaves the implied
    figure to the user, who must mark it as derived. Returns (value, formula) or None.
    """
    date = year_end(year)
    value = get(series, date, category)
    text = note(series, date, category)
    if value is None or not text:
        return None
    if m := _ABSOLUTE.search(text):
        change = float(m.group(1).replace(",", ""))
        return value - change, f"{value:,.0f} - ({change:+,.0f}) (change stated in the {year} source note)"
    if m := _PERCENT.search(text):
        pct = float(m.group(1))
        return value / (1 + pct / 100), f"{value:,.0f} / (1 {pct:+.1f}%) (change stated in the {year} source note)"
    return None


@lru_cache(maxsize=1)
def splits() -> dict[str, Any]:
    """The nationality-split assumption tables (splits.yaml), checked for sane shares."""
    doc = yaml.safe_load(SPLITS_FILE.read_text(encoding="utf-8"))
    from sidedoor.nationalities import from_label

    for name, table in doc["tables"].items():
        for key in ("what", "reason", "constraints"):
            if not table.get(key):
                raise ValueError(f"{SPLITS_FILE}: table {name!r} needs {key!r}")
        entries = table.get("shares") or table.get("counts")
        for label, anchors in entries.items():
            from_label(label)
            for year, value in anchors.items():
                if not isinstance(year, int) or value < 0:
                    raise ValueError(f"{SPLITS_FILE}: {name}.{label}.{year}: bad anchor {value!r}")
    for label in doc["labour_sending"]["nationalities"]:
        from_label(label)
    return doc
