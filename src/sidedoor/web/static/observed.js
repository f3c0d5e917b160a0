// Observed statistics: one series' definition, its sources and a chart of every category.
"use strict";

const MAX_LINES = 12;

async function showSeries(key) {
  sd.clearMessage();
  let s;
  try { s = await sd.api(`/api/series/${encodeURIComponent(key)}`); } catch (e) { sd.message(e.message); return; }
  document.getElementById("series-title").textContent = `${s.title} (${s.key})`;
  const meta = document.getElementById("series-meta");
  const facts = [["definition", s.definition], ["unit", s.unit], ["kind", s.kind], ["period", s.period],
    ["reference dates", s.reference_date_rule], ["categories", s.categories], ["publisher", s.publisher],
    ["coverage", s.first ? `${s.first} to ${s.last} (${s.rows} rows)` : "no rows"]];
  for (const note of s.notes) facts.push(["note", note]);
  meta.replaceChildren(...facts.flatMap(([k, v]) => [sd.el("dt", {}, k), sd.el("dd", {}, v)]));
  const sources = document.getElementById("series-sources");
  sources.replaceChildren(...s.source_links.map((link) => sd.el("li", {},
    link.url ? sd.el("a", { href: link.url, rel: "noreferrer noopener", target: "_blank" }, link.url) : "(no address)",
    sd.el("span", { class: "muted" }, ` — ${link.rows} rows; e.g. ${link.example_note}`))));
  const byCategory = new Map();
  for (const p of s.points) {
    if (!byCategory.has(p.category)) byCategory.set(p.category, []);
    byCategory.get(p.category).push(p);
  }
  // Most informative lines first: the total, then the categories with the largest latest value.
  const ranked = [...byCategory.entries()].sort((a, b) => (b[0] === "total") - (a[0] === "total")
    || (b[1].at(-1).value || 0) - (a[1].at(-1).value || 0));
  const shown = ranked.slice(0, MAX_LINES);
  const traces = shown.map(([category, points]) => ({
    x: points.map((p) => p.reference_date), y: points.map((p) => p.value), name: category,
    mode: points.length > 1 ? "lines+markers" : "markers", type: "scatter",
    text: points.map((p) => p.source_note), hovertemplate: "%{x}: %{y:,}<br>%{text}<extra>%{fullData.name}</extra>",
  }));
  const hidden = ranked.length - shown.length;
  sd.plot("series-chart", traces, {
    title: { text: hidden > 0 ? `${s.title} (top ${MAX_LINES} of ${ranked.length} categories)` : s.title },
    yaxis: { title: { text: s.unit }, rangemode: "tozero" },
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const detail = document.getElementById("series-detail");
  document.querySelectorAll("a[data-series]").forEach((a) => a.addEventListener("click", (event) => {
    event.preventDefault();
    document.querySelectorAll("a[data-series]").forEach((x) => x.classList.remove("current"));
    a.classList.add("current");
    history.replaceState(null, "", `/observed?series=${a.dataset.series}`);
    showSeries(a.dataset.series);
  }));
  if (detail.dataset.series) showSeries(detail.dataset.series);
});
