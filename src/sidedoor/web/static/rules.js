// The rules: a timeline of dated policies and the status graph in force on a chosen date.
"use strict";

function drawTimeline(changes) {
  const institutions = [...new Set(changes.map((c) => c.institution))];
  const traces = institutions.map((inst) => {
    const own = changes.filter((c) => c.institution === inst && c.date >= "1980-01-02");
    return {
      x: own.map((c) => c.date), y: own.map(() => inst), name: inst, mode: "markers", type: "scatter",
      marker: { size: 10, symbol: "diamond" },
      text: own.map((c) => `${c.parameter}: ${c.previous ?? "—"} → ${c.value}<br>${(c.reference || "").slice(0, 120)}`),
      hovertemplate: "%{x}<br>%{text}<extra></extra>",
    };
  });
  sd.plot("timeline-chart", traces, { title: { text: "Dated changes of the policy rules (hover for the rule and its reference)" }, showlegend: false, margin: { l: 110, r: 20, t: 40, b: 40 } });
}

function drawGraph(data) {
  const pos = Object.fromEntries(data.nodes.map((n) => [n.status, n]));
  const annotations = data.transitions.map((t) => ({
    x: pos[t.target].x, y: pos[t.target].y, ax: pos[t.source].x, ay: pos[t.source].y,
    xref: "x", yref: "y", axref: "x", ayref: "y", showarrow: true, arrowhead: 2, arrowsize: 1.2,
    arrowwidth: 1.4, arrowcolor: data.mechanism_colours[t.mechanism] || "#555", standoff: 14, startstandoff: 14, text: "",
  }));
  const mechanisms = [...new Set(data.transitions.map((t) => t.mechanism))].sort();
  const legend = mechanisms.map((m) => ({
    x: [null], y: [null], mode: "lines", line: { color: data.mechanism_colours[m], width: 3 },
    name: `${m} ${data.transitions.find((t) => t.mechanism === m).mechanism_name}`,
  }));
  const nodes = {
    x: data.nodes.map((n) => n.x), y: data.nodes.map((n) => n.y), text: data.nodes.map((n) => n.status.replaceAll("_", " ")),
    mode: "markers+text", textposition: "bottom center", marker: { size: 16, color: "#f4f1e8", line: { color: "#333", width: 1 } },
    hoverinfo: "text", showlegend: false, type: "scatter",
  };
  sd.plot("graph-chart", [nodes, ...legend], {
    title: { text: `Status transitions in force on ${data.date} (${data.transitions.length} edges)` }, annotations,
    xaxis: { visible: false, range: [Math.min(...nodes.x) - 1.6, Math.max(...nodes.x) + 1.6] },
    yaxis: { visible: false }, legend: { orientation: "h", y: -0.05 },
  });
  sd.fillTable(document.querySelector("#transitions tbody"), data.transitions.map((t) =>
    [t.source, t.target, `${t.mechanism} ${t.mechanism_name}`, t.section, t.description]));
  sd.fillTable(document.querySelector("#rules-in-force tbody"), data.rules.map((r) =>
    [sd.el("code", {}, r.parameter), r.value === null ? "(not yet)" : String(r.value), r.since || "—", r.reference]));
}

async function showDate(date) {
  sd.clearMessage();
  try { drawGraph(await sd.api(`/api/rules?date=${encodeURIComponent(date)}`)); } catch (e) { sd.message(e.message); }
}

document.addEventListener("DOMContentLoaded", async () => {
  const input = document.getElementById("rules-date");
  const asked = new URLSearchParams(location.search).get("date");
  if (asked && /^\d{4}-\d{2}-\d{2}$/.test(asked)) input.value = asked;
  document.getElementById("date-form").addEventListener("submit", (event) => {
    event.preventDefault();
    history.replaceState(null, "", `/rules?date=${input.value}`);
    showDate(input.value);
  });
  showDate(input.value);
  try { drawTimeline(await sd.api("/api/rules/timeline")); } catch (e) { sd.message(e.message); }
});
