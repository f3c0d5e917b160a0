"""Drawing of the status-transition graph (``sidedoor rules graph``).

Statuses are placed in columns from legal side doors (left) through the asylum system and the
unauthorized state to exits (right), so the paper's story reads left to right; edges are
coloured by mechanism (M1-M8) and only those in force on the chosen date are drawn.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from sidedoor.institutions.parameters import ParameterSet
from sidedoor.institutions.statuses import Status
from sidedoor.institutions.transitions import MECHANISMS, transitions_on

S = Status

#: Column of each status, left to right: side doors, asylum, unauthorized, enforcement, exits.
COLUMNS: tuple[tuple[Status, ...], ...] = (
    (S.TEMPORARY_VISITOR, S.PRE_COLLEGE_STUDENT, S.COLLEGE_STUDENT, S.TRAINEE, S.TECHNICAL_INTERN,
     S.ENTERTAINER, S.NIKKEI_LONG_TERM_RESIDENT),
    (S.SPOUSE_OF_JAPANESE, S.SPECIFIED_SKILLED_WORKER, S.LABOUR_MIGRANT, S.ASYLUM_APPLICANT,
     S.ASYLUM_APPLICANT_WORK_PERMIT),
    (S.OVERSTAYER,),
    (S.DETAINED, S.PROVISIONAL_RELEASE),
    (S.RECOGNIZED_REFUGEE, S.SPR_REGULARIZED, S.DEPARTED, S.DEPORTED),
)

MECHANISM_COLOURS: dict[str, str] = {
    "M1": "#1f77b4", "M2": "#8c564b", "M3": "#d62728", "M4": "#e377c2",
    "M5": "#ff7f0e", "M6": "#2ca02c", "M7": "#7f7f7f", "M8": "#9467bd",
}


def layout() -> dict[Status, tuple[float, float]]:
    pos = {}
    for x, column in enumerate(COLUMNS):
        n = len(column)
        for i, status in enumerate(column):
            pos[status] = (x * 3.0, ((n - 1) / 2 - i) * 1.4)
    return pos


def draw_transition_graph(path: Path, date: dt.date, params: ParameterSet) -> Path:
    """Write the graph of transitions in force on ``date`` to ``path`` (format from suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.lines import Line2D

    edges = transitions_on(date, params)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(Status)
    for t in edges:
        graph.add_edge(t.src, t.dst, mechanism=t.mechanism)
    pos = layout()
    fig, ax = plt.subplots(figsize=(19, 10))
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=2600, node_color="#f4f1e8",
                           edgecolors="#333333")
    labels = {s: textwrap.fill(s.label.replace("_", " "), 12) for s in Status}
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=7.5)
    for mech, colour in MECHANISM_COLOURS.items():
        mech_edges = [(t.src, t.dst) for t in edges if t.mechanism == mech]
        if mech_edges:
            nx.draw_networkx_edges(graph, pos, edgelist=mech_edges, ax=ax, edge_color=colour,
                                   arrows=True, arrowsize=12, node_size=2600, width=1.4,
                                   connectionstyle="arc3,rad=0.08")
    used = sorted({t.mechanism for t in edges})
    handles = [Line2D([0], [0], color=MECHANISM_COLOURS[m], lw=2, label=f"{m} {MECHANISMS[m]}")
               for m in used]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9,
              title="Mechanism (MECHANISMS.md)")
    ax.set_title(f"Status transitions in force on {date.isoformat()} ({len(edges)} edges)")
    ax.axis("off")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
