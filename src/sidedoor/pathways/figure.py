"""Timeline figures of pathways: the typical path as coloured status spells, each step labelled
with what happened and the mechanism (M1-M8) behind it, beside the probabilities of each end.

Why a timeline: the paper's cases are stories in time; a reader should see at a glance how
long a person held each status and which institution moved her on.
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

from sidedoor.pathways.paths import ENDS  # noqa: E402

LEGAL = "#4c9f70"
COLOURS = {
    "overstayer": "#d1495b", "detained": "#8d0801", "provisional_release": "#e07a5f",
    "asylum_applicant": "#edae49", "asylum_applicant_work_permit": "#f4d35e",
    "spr_regularized": "#00798c", "recognized_refugee": "#30638e", "departed": "#9e9e9e", "deported": "#3d3d3d",
    "temporary_visitor": "#a7c957",
}
END_LABELS = {"departed": "departed", "deported": "deported", "spr_regularized": "regularized (SPR)",
              "recognized": "recognized refugee", "unauthorized_at_horizon": "unauthorized at horizon",
              "legal_at_horizon": "legal at horizon"}


def _spells(result) -> list[tuple[dt.date, dt.date, str, str]]:
    """(start, end, status, what) of each spell of the typical path, the last one to the horizon."""
    t = result.typical
    stop = (pd.Timestamp(result.horizon) + pd.offsets.MonthBegin(1)).date()
    out = []
    for i, row in t.iterrows():
        nxt = t["month"].iloc[i + 1] if i + 1 < len(t) else stop
        if row["status"] in ("departed", "deported"):
            nxt = min(stop, (pd.Timestamp(row["month"]) + pd.DateOffset(months=3)).date())
        out.append((row["month"], nxt, row["status"], row["what"]))
    return out


def _draw(ax, steps_ax, result) -> None:
    """The spells as a bar with numbered steps; the steps spelled out below it."""
    spells = _spells(result)
    for k, (a, b, status, _) in enumerate(spells, start=1):
        left = pd.Timestamp(a)
        ax.barh(0, (pd.Timestamp(b) - left).days, left=left, height=0.6,
                color=COLOURS.get(status, LEGAL), edgecolor="white")
        ax.plot([left], [0.55], marker="o", ms=11, color="white", mec="0.2", zorder=3)
        ax.text(left, 0.55, str(k), ha="center", va="center", fontsize=7, zorder=4)
    ax.set_xlim(pd.Timestamp(result.entry_date) - pd.DateOffset(months=2),
                pd.Timestamp(result.horizon) + pd.DateOffset(months=2))
    ax.set_ylim(-0.5, 0.9)
    ax.set_yticks([])
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    share = result.sequences["share"].iloc[0]
    ax.set_title(f"{result.name}: typical path ({share:.0%} of {result.n} paths follow this sequence)",
                 fontsize=10, loc="left")
    lines = [f"{k}. {a:%Y-%m}  {status}: {what}" for k, (a, _, status, what) in enumerate(spells, start=1)]
    ends = "   ".join(f"{END_LABELS[e]} {result.outcomes[e]:.1%}" for e in ENDS if result.outcomes[e] > 0)
    lines.append(f"How the {result.n} paths end by {result.horizon:%Y-%m}: {ends}")
    steps_ax.axis("off")
    steps_ax.text(0.0, 1.0, "\n".join(lines), fontsize=8, va="top", ha="left", transform=steps_ax.transAxes)


def _footer(results: Sequence) -> str:
    r = results[0]
    lines = [f"Parameters: {r.source_label}. Mechanisms: MECHANISMS.md M1-M8; sections of Kato & Liu-Farrer."]
    for res in results:
        lines.append(f"{res.archetype.name}: {res.archetype.story} ({res.archetype.section}); assumptions: "
                     + "; ".join(res.assumptions[:4]))
    return "\n".join(w for line in lines for w in textwrap.wrap(line, 160))


def timeline_figure(result, path: str | Path) -> Path:
    """One pathway's typical path (PNG or SVG by suffix)."""
    return compare_timelines([result], path)


def compare_timelines(results: Sequence, path: str | Path) -> Path:
    """Typical paths of several traces, one panel each (e.g. Wei 2003 vs Toumani 2013)."""
    if not results:
        raise ValueError("no pathways to draw")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    footer = _footer(results)
    n_lines = footer.count("\n") + 1
    ratios = []
    for res in results:
        ratios += [1.3, 0.22 * (len(res.typical) + 1) + 0.1]
    fig = plt.figure(figsize=(11, sum(ratios) + 0.5 + 0.16 * n_lines))
    grid = fig.add_gridspec(len(ratios), 1, height_ratios=ratios, hspace=0.35)
    for i, res in enumerate(results):
        _draw(fig.add_subplot(grid[2 * i]), fig.add_subplot(grid[2 * i + 1]), res)
    fig.text(0.01, 0.005, footer, fontsize=6.5, va="bottom", ha="left")
    fig.subplots_adjust(left=0.04, right=0.98, top=1 - 0.4 / fig.get_figheight(), bottom=(0.3 + 0.16 * n_lines) / fig.get_figheight())
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
