"""The observed statistics page's data: each series with its definition and its sources.

Built from ``sidedoor.data`` (one preferred row per cell, each with its source) and cached,
because the shipped CSV files never change while a server runs and loading them all takes
seconds.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from sidedoor.data import SERIES, observed, series_info, series_keys
from sidedoor.web.models import ObservedPoint, SeriesDetail, SeriesSummary, SourceLink


def _float(x: object) -> float | None:
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


@lru_cache(maxsize=1)
def series_list() -> tuple[SeriesSummary, ...]:
    """Every known series with its coverage, targets first (registry order)."""
    out = []
    for key in series_keys():
        info = series_info(key)
        meta = info.meta
        out.append(SeriesSummary(key=key, title=meta.title, kind=meta.kind, unit=meta.unit,
                                 period=meta.period, first=info.first, last=info.last,
                                 rows=info.rows, sources=info.sources))
    return tuple(out)


def known(key: str) -> bool:
    return key in SERIES


@lru_cache(maxsize=64)
def series_detail(key: str) -> SeriesDetail:
    """One series: metadata, the sources it cites (most used first) and every point."""
    summary = next(s for s in series_list() if s.key == key)
    meta = SERIES[key]
    frame = observed(key)
    points = [ObservedPoint(reference_date=pd.Timestamp(r.reference_date).date(),
                            category=str(r.category), value=_float(r.value),
                            source_url=str(r.source_url or ""), source_note=str(r.source_note or ""))
              for r in frame.itertuples(index=False)]
    links = []
    if len(frame):
        grouped = frame.fillna({"source_url": "", "source_note": ""}).groupby("source_url", sort=False)
        for url, rows in grouped:
            links.append(SourceLink(url=str(url), rows=len(rows), example_note=str(rows["source_note"].iloc[0])))
        links.sort(key=lambda link: -link.rows)
    return SeriesDetail(**summary.model_dump(), definition=meta.definition,
                        reference_date_rule=meta.reference_date_rule, categories=meta.categories,
                        category_values=sorted({p.category for p in points}),
                        notes=list(meta.notes), publisher=meta.publisher, source_links=links,
                        points=points)
