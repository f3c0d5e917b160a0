"""Publication figures of the observed series, with the plotted values inside the file.

Each PNG carries the exact (date, category, value) points it draws as JSON in a text chunk
(key :data:`PLOTTED_KEY`), and each SVG in its description, so anyone can check a figure
against the data without trusting the code that drew it. Lines join consecutive
observations only: a gap in the data stays a gap in the figure (nothing interpolated).
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sidedoor.data.observations import observed, series_info
from sidedoor.data.series import EVENT

PLOTTED_KEY = "sidedoor.plotted"
MAX_LINES = 8  # more categories than this are listed in the caption, not drawn
GAP_DAYS = 400  # consecutive observations further apart than this are not joined
FORMATS = (".png", ".svg")


@dataclass(frozen=True)
class PlotResult:
    """What a figure shows: the file and the exact points drawn."""

    path: Path
    series: str
    points: list[dict[str, Any]]
    omitted_categories: tuple[str, ...]


def _points(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {"date": d.date().isoformat(), "category": c, "value": v}
        for d, c, v in zip(frame["reference_date"], frame["category"], frame["value"])
    ]


def read_plotted(path: str | Path) -> dict[str, Any]:
    """The JSON payload embedded in a PNG written here (series, unit, points)."""
    from PIL import Image

    with Image.open(path) as image:
        return json.loads(image.text[PLOTTED_KEY])


def _source_line(series: str) -> str:
    info = series_info(series)
    return (
        f"Source: {info.meta.publisher}; {info.rows} rows from {info.sources} distinct "
        f"sources, listed row by row by `sidedoor data show {series}`. Dates are the real "
        f"reference dates ({info.meta.reference_date_rule})."
    )


def _draw_lines(ax, frame: pd.DataFrame, categories: list[str]) -> None:
    for category in categories:
        part = frame[frame["category"] == category].sort_values("reference_date")
        dates = list(part["reference_date"])
        values = list(part["value"])
        runs: list[tuple[list, list]] = []
        for d, v in zip(dates, values):
            if runs and (d - runs[-1][0][-1]).days <= GAP_DAYS:
                runs[-1][0].append(d)
                runs[-1][1].append(v)
            else:
                runs.append(([d], [v]))
        color = None
        for i, (xs, ys) in enumerate(runs):
            (line,) = ax.plot(xs, ys, marker="o", markersize=3.5, linewidth=1.6, color=color,
                              label=category if i == 0 else None)
            color = line.get_color()


def _draw_events(ax, frame: pd.DataFrame) -> None:
    """One vertical line per event; dashed when only the year is known."""
    rows = zip(frame["reference_date"], frame["category"], frame["source_note"])
    for i, (d, category, note) in enumerate(rows):
        exact = "date precision: day" in note
        ax.axvline(d, color="0.4", linewidth=0.8, linestyle="-" if exact else "--")
        ax.text(d, 0.98 - 0.06 * (i % 12), f" {category}", transform=ax.get_xaxis_transform(),
                fontsize=6, va="top", ha="left")
    ax.set_yticks([])


def _annotate_extremes(ax, frame: pd.DataFrame) -> None:
    """Label the peak, the lowest point after it and the last point, read from the data."""
    frame = frame.sort_values("reference_date")
    peak = frame.loc[frame["value"].idxmax()]
    after = frame[frame["reference_date"] >= peak["reference_date"]]
    low = after.loc[after["value"].idxmin()]
    last = frame.iloc[-1]
    for row, dy, label in ((peak, 12, "peak"), (low, -18, "low"), (last, 12, "latest")):
        ax.annotate(
            f"{label}: {row['value']:,.0f}\n({row['reference_date'].date().isoformat()})",
            (row["reference_date"], row["value"]), textcoords="offset points",
            xytext=(0, dy), ha="center", fontsize=7,
        )


def _save(fig: Figure, output: Path, series: str, unit: str, points: list[dict]) -> None:
    payload = json.dumps({"series": series, "unit": unit, "points": points})
    title = fig.axes[0].get_title()
    with matplotlib.rc_context({"svg.hashsalt": "sidedoor", "svg.fonttype": "path"}):
        if output.suffix.lower() == ".png":
            metadata = {"Title": title, "Software": "sidedoor", PLOTTED_KEY: payload}
            fig.savefig(output, dpi=200, metadata=metadata)
        else:
            metadata = {"Title": title, "Creator": "sidedoor", "Date": None,
                        "Description": payload}
            fig.savefig(output, metadata=metadata)


def plot_series(series: str, output: str | Path, *, title: str | None = None,
                annotate: bool = False) -> PlotResult:
    """Draw one observed series to ``output`` (.png or .svg) and return what was drawn."""
    output = Path(output)
    if output.suffix.lower() not in FORMATS:
        raise ValueError(f"unsupported figure format {output.suffix!r}; use .png or .svg")
    info = series_info(series)
    frame = observed(series)
    totals = frame.groupby("category")["value"].max().sort_values(ascending=False)
    shown = list(totals.index[:MAX_LINES])
    omitted = tuple(sorted(totals.index[MAX_LINES:]))
    if info.meta.period == EVENT:
        shown, omitted = list(totals.index), ()
    drawn = frame[frame["category"].isin(shown)]

    fig = Figure(figsize=(8.0, 4.8), layout="constrained")
    ax = fig.add_subplot()
    if info.meta.period == EVENT:
        _draw_events(ax, drawn)
        ax.set_ylabel("Events (dashed: only the year is known)")
    else:
        _draw_lines(ax, drawn, shown)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.10g}"))
        ax.set_ylim(0, drawn["value"].max() * (1.18 if annotate else 1.05))
        if len(shown) > 1:
            ax.legend(fontsize=7, frameon=False, ncols=2)
        if annotate:
            _annotate_extremes(ax, drawn)
        ax.set_ylabel(f"{info.meta.unit[:1].upper()}{info.meta.unit[1:]} ({info.meta.period})")
    ax.set_title(title or info.meta.title, fontsize=12)
    ax.set_xlabel("Reference date")
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=5, maxticks=12))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(axis="y", color="0.9")
    ax.spines[["top", "right"]].set_visible(False)
    caption = _source_line(series)
    if omitted:
        caption += f" Not drawn ({len(omitted)} smaller categories): {', '.join(omitted)}."
    fig.get_layout_engine().set(h_pad=0.1)
    fig.supxlabel("\n".join(textwrap.wrap(caption, 150)), fontsize=6.5, x=0.01, ha="left",
                  color="0.25")
    points = _points(drawn)
    _save(fig, output, series, info.meta.unit, points)
    return PlotResult(path=output, series=series, points=points, omitted_categories=omitted)


def figure1(output: str | Path) -> PlotResult:
    """The paper's Figure 1 (overstayer stock 1990-2020) redrawn from ``overstayers``."""
    info = series_info("overstayers")
    span = f"{info.first.year}-{info.last.year}" if info.first and info.last else ""
    return plot_series(
        "overstayers", output, annotate=True,
        title=f"Overstayers in Japan, {span} (the paper's Figure 1, redrawn from the data)",
    )
