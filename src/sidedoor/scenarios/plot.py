"""Figures of scenarios against the baseline: the overstayer stock difference with its band.

Each scenario is drawn as the median per-draw difference (reform - baseline) in the official
overstayer count at its real reference dates, with the 5-95% band across draws. The figure
states where its parameters come from (posterior, or *uncalibrated*), and when it runs past
the data, shades those years and prints every input assumption they rest on.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sidedoor.scenarios.library import STOCK  # noqa: E402


def stock_differences(result) -> pd.DataFrame:
    """The total overstayer rows of a scenario table, sorted by date."""
    t = result.table
    rows = t[(t["series"] == STOCK[0]) & (t["category"] == STOCK[1])].copy()
    rows["reference_date"] = pd.to_datetime(rows["reference_date"])
    return rows.sort_values("reference_date")


def compare_figure(results: Sequence, path: str | Path, *, title: str | None = None) -> Path:
    """Overstayer stock difference of each scenario from the baseline, with 90% bands."""
    if not results:
        raise ValueError("compare_figure needs at least one scenario result")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    assumptions = sorted({a for r in results for a in r.assumptions})
    last_data = min(r.last_data_year for r in results)
    notes = _notes(results, assumptions, last_data)
    height = 5.0 + 0.13 * len(notes)
    fig, ax = plt.subplots(figsize=(10, height))
    for r in results:
        rows = stock_differences(r)
        line, = ax.plot(rows["reference_date"], rows["difference"], lw=1.8, label=r.name)
        ax.fill_between(rows["reference_date"], rows["difference_q05"], rows["difference_q95"],
                        color=line.get_color(), alpha=0.18, lw=0)
    ax.axhline(0, color="black", lw=0.8)
    end = max(r.end for r in results)
    if assumptions:
        ax.axvspan(pd.Timestamp(dt.date(last_data + 1, 1, 1)), pd.Timestamp(end), color="0.85", alpha=0.5,
                   zorder=0, label=f"after {last_data}: inputs carried forward (assumptions below)")
    ax.set_ylabel("overstayers: reform - baseline (persons)")
    ax.set_xlabel("official reference date")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:+,.0f}"))
    calibrated = all(r.calibrated for r in results)
    ax.set_title(title or ("Scenarios against the baseline: overstayer stock"
                           + ("" if calibrated else " (UNCALIBRATED)")))
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, "\n".join(notes), fontsize=7, va="bottom", ha="left", family="monospace")
    fig.subplots_adjust(bottom=(0.75 + 0.13 * len(notes)) / height, top=1 - 0.45 / height)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _notes(results: Sequence, assumptions: list[str], last_data: int) -> list[str]:
    r0 = results[0]
    lines = [f"Lines: median per-draw difference; bands: 5-95% across {r0.draws} draws "
             f"(common random numbers; scale {r0.scale:g}, seed {r0.seed}).",
             f"Parameters: {r0.source_label}"]
    if assumptions:
        lines.append(f"Input assumptions after the last data year ({last_data}):")
        lines += ["  - " + a for a in assumptions]
    return [w for line in lines for w in textwrap.wrap(line, 150, subsequent_indent="    ")]
