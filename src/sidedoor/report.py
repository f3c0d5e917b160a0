"""The report written by ``sidedoor reproduce`` (``make reproduce``): figures and tables.

The report is a list of sections (:data:`SECTIONS`); each section function writes its
files and returns its HTML, so a later piece of work adds a section by appending a
function. ``index.html`` is self-contained: figures are embedded as base64 PNG and nothing
is loaded from the network.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console

from sidedoor.data import (
    PAPER, RULE, SOURCE_KINDS, all_rows, conflicts, observed, series_info, series_keys,
)
from sidedoor.data.figures import figure1

#: Rows of the paper's Table 1 (§4.2): label -> (series, category). Years come from the
#: paper's own figures, values from the data.
TABLE1_ROWS: dict[str, tuple[str, str]] = {
    "Total": ("technical_interns", "total"),
    "Vietnamese": ("technical_interns", "Vietnam"),
    "Disappeared": ("interns_disappeared", "total"),
}
#: Suffix of a series that holds lower bounds of the series named before it.
LOWER_BOUND = "_lower_bound"


@dataclass
class ReportContext:
    """Where sections write, and what they have written so far."""

    output_dir: Path
    console: Console | None = None
    written: list[Path] = field(default_factory=list)

    def path(self, name: str) -> Path:
        target = self.output_dir / name
        self.written.append(target)
        return target

    def log(self, message: str) -> None:
        if self.console is not None:
            self.console.print(message, highlight=False)


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    html: str


SectionBuilder = Callable[[ReportContext], Section]


def _esc(value: object) -> str:
    return html.escape(str(value))


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _link(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return f'<a href="{_esc(url)}">{_esc(url)}</a>'
    return _esc(url)


def _html_table(frame: pd.DataFrame, *, links: tuple[str, ...] = ()) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = [_link(str(v)) if c in links else _esc(v) for c, v in zip(frame.columns, row)]
        body.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figure1_section(ctx: ReportContext) -> Section:
    """The paper's Figure 1 redrawn from the data, PNG (with readback points) and SVG."""
    png = figure1(ctx.path("figure1_overstayers.png"))
    figure1(ctx.path("figure1_overstayers.svg"))
    encoded = base64.b64encode(png.path.read_bytes()).decode("ascii")
    info = series_info("overstayers")
    ctx.log(f"Figure 1: {len(png.points)} points, {info.coverage}")
    body = (
        f'<img alt="Overstayers in Japan" src="data:image/png;base64,{encoded}">'
        f"<p>{len(png.points)} official figures ({info.coverage}) at their real reference "
        f"dates: {_esc(info.meta.reference_date_rule)}. The plotted points are embedded in "
        f"the PNG (text chunk <code>sidedoor.plotted</code>) and can be read back and checked "
        f"against <code>sidedoor data show overstayers</code>. Vector version: "
        f'<a href="figure1_overstayers.svg">figure1_overstayers.svg</a>.</p>'
    )
    return Section("figure1", "Figure 1: overstayers, redrawn from the data", body)


def _table1_long() -> pd.DataFrame:
    paper = all_rows()
    paper = paper[(paper["source_kind"] == "paper")
                  & paper["source_url"].str.contains("Table 1", regex=False)]
    records = []
    for label, (series, category) in TABLE1_ROWS.items():
        data = observed(series, all_sources=True)
        used = data[data["preferred"] & (data["category"] == category)]
        cited = paper[(paper["series"] == series) & (paper["category"] == category)]
        for date, paper_value in zip(cited["reference_date"], cited["value"]):
            cell = used[used["reference_date"] == date].iloc[0]
            records.append({
                "row": label, "year": date.year, "reference_date": date.date().isoformat(),
                "series": series, "category": category, "value": cell["value"],
                "paper_value": paper_value, "source_kind": cell["source_kind"],
                "source_url": cell["source_url"], "source_note": cell["source_note"],
            })
    return pd.DataFrame(records)


def table1_section(ctx: ReportContext) -> Section:
    """The paper's Table 1 (technical interns and disappeared) rebuilt from the data."""
    long = _table1_long()
    wide = long.pivot(index="row", columns="year", values="value").reindex(list(TABLE1_ROWS))
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reset_index()
    wide.insert(1, "series", [TABLE1_ROWS[r][0] for r in wide["row"]])
    wide.insert(2, "category", [TABLE1_ROWS[r][1] for r in wide["row"]])
    wide.to_csv(ctx.path("table1_technical_interns.csv"), index=False, float_format="%.15g")
    long.to_csv(ctx.path("table1_technical_interns_sources.csv"), index=False,
                float_format="%.15g")
    shown = wide.drop(columns=["series", "category"]).copy()
    for year in shown.columns[1:]:
        marks = long[long["year"] == int(year)].set_index("row")
        shown[year] = [
            _number(v) + ("*" if marks.loc[r, "source_kind"] == "paper" else "")
            + ("" if marks.loc[r, "value"] == marks.loc[r, "paper_value"]
               else f" (paper: {_number(marks.loc[r, 'paper_value'])})")
            for r, v in zip(shown["row"], shown[year])
        ]
    table = _html_table(shown)
    (ctx.path("table1_technical_interns.html")).write_text(table + "\n", encoding="utf-8")
    agree = int((long["value"] == long["paper_value"]).sum())
    ctx.log(f"Table 1: {agree} of {len(long)} cells equal the paper's")
    body = (
        f"{table}<p>Stocks at year end, disappearances per calendar year. {agree} of "
        f"{len(long)} cells equal the paper's figures. * = no official row in the shipped "
        "data: the paper's figure fills the gap. Sources of every cell: "
        '<a href="table1_technical_interns_sources.csv">table1_technical_interns_sources.csv'
        "</a>.</p>"
    )
    return Section("table1", "Table 1: technical interns and disappeared", body)


def _lower_bound_status(used: pd.DataFrame, row) -> str:
    """A lower bound against the official count of the same cell, when there is one."""
    key = (row.series.removesuffix(LOWER_BOUND), row.reference_date, row.category)
    if key not in used.index:
        return "lower bound; no official count to compare"
    count = used.loc[key, "value"]
    verdict = "consistent" if count > row.value else "NOT consistent"
    return f"lower bound; {key[0]} {_number(count)} ({verdict})"


def paper_figures_section(ctx: ReportContext) -> Section:
    """Every figure the paper states, beside the value the package uses for that cell."""
    rows = all_rows()
    used = rows[rows["preferred"]].set_index(["series", "reference_date", "category"])
    paper = rows[rows["source_kind"] == "paper"]
    paper_only = set(rows["series"]) - set(rows.loc[rows["source_kind"] != "paper", "series"])
    records = []
    for row in paper.itertuples(index=False):
        cell = used.loc[(row.series, row.reference_date, row.category)]
        status = ("fills a gap" if cell["source_kind"] == "paper" else
                  "agrees" if cell["value"] == row.value else
                  f"differs: data {_number(cell['value'])} used")
        if row.series in paper_only:
            status = "paper-only series (no official counterpart)"
        if row.series.endswith(LOWER_BOUND):
            status = _lower_bound_status(used, row)
        records.append({"series": row.series,
                        "reference_date": row.reference_date.date().isoformat(),
                        "category": row.category, "paper": _number(row.value),
                        "status": status, "citation": row.source_url})
    frame = pd.DataFrame(records)
    frame.to_csv(ctx.path("paper_figures_check.csv"), index=False)
    body = (f"<p>Source: {_esc(PAPER)}.</p>" + _html_table(frame))
    return Section("paper", "The paper's figures against the data", body)


def conflicts_section(ctx: ReportContext) -> Section:
    """Cells where sources disagree, the value used and the rule that chose it."""
    frame = conflicts()[["series", "reference_date", "category", "value", "source_kind",
                         "preferred", "source_url", "source_file", "source_line", "reason"]]
    frame = frame.assign(reference_date=frame["reference_date"].dt.strftime("%Y-%m-%d"))
    frame.to_csv(ctx.path("conflicts.csv"), index=False, float_format="%.15g")
    kinds = "".join(f"<li><b>{_esc(k)}</b>: {_esc(v)}</li>" for k, v in SOURCE_KINDS.items())
    body = (f"<p>Rule: {_esc(RULE)}. Source kinds, best first:</p><ol>{kinds}</ol>"
            + _html_table(frame.drop(columns=["source_file", "source_line"]),
                          links=("source_url",)))
    return Section("conflicts", "Where sources disagree", body)


def sources_section(ctx: ReportContext) -> Section:
    """Per series: kind, coverage, rows, and every distinct source with its row count."""
    summary, detail = [], []
    for key in series_keys():
        info = series_info(key)
        summary.append({"series": key, "kind": info.meta.kind, "title": info.meta.title,
                        "unit": info.meta.unit, "coverage": info.coverage,
                        "rows": info.rows, "distinct sources": info.sources})
        used = observed(key)
        counts = used.groupby("source_url", sort=False).agg(
            rows=("value", "size"), example_note=("source_note", "first")).reset_index()
        detail.extend({"series": key, **item} for item in counts.to_dict(orient="records"))
    summary_frame, detail_frame = pd.DataFrame(summary), pd.DataFrame(detail)
    summary_frame.to_csv(ctx.path("sources_summary.csv"), index=False)
    detail_frame.to_csv(ctx.path("sources_by_series.csv"), index=False)
    blocks = []
    for key in series_keys():
        part = detail_frame[detail_frame["series"] == key].drop(columns="series")
        blocks.append(f"<details><summary>{_esc(key)} ({len(part)} sources)</summary>"
                      f"{_html_table(part, links=('source_url',))}</details>")
    body = _html_table(summary_frame) + "".join(blocks)
    ctx.log(f"Sources: {len(detail_frame)} (series, source) pairs")
    return Section("sources", "Series and their sources", body)


SECTIONS: list[SectionBuilder] = [
    figure1_section, table1_section, paper_figures_section, conflicts_section,
    sources_section,
]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#222}img{max-width:100%}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td a{word-break:break-all}details{margin:.3rem 0}
"""


def _index(sections: list[Section]) -> str:
    toc = "".join(f'<li><a href="#{s.anchor}">{_esc(s.title)}</a></li>' for s in sections)
    parts = "".join(f'<section id="{s.anchor}"><h2>{_esc(s.title)}</h2>{s.html}</section>'
                    for s in sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>sidedoor report</title><style>{_STYLE}</style></head><body>"
        "<h1>sidedoor report</h1>"
        f"<p>Official statistics behind {_esc(PAPER)}, every figure with its source, and the model built on them.</p>"
        f"<ul>{toc}</ul>{parts}</body></html>\n"
    )


def write_report(output_dir: Path, console: Console | None = None,
                 sections: list[SectionBuilder] | None = None,
                 include_model: bool = False) -> list[Path]:
    """Write every section's files and ``index.html``; return the paths written.

    ``include_model`` adds the model's sections (simulated vs observed, scenarios, pathways;
    ``sidedoor.report_model``), which run the engine and take minutes rather than seconds.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    ctx = ReportContext(output_dir=output_dir, console=console)
    built = [build(ctx) for build in (SECTIONS if sections is None else sections)]
    if include_model:
        from sidedoor.report_model import model_sections

        built += model_sections(output_dir, console, written=ctx.written)
    ctx.path("index.html").write_text(_index(built), encoding="utf-8")
    return list(dict.fromkeys(ctx.written))
