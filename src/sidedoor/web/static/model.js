// The model: observed vs simulated per calibrated target group, labelled by where it comes from.
"use strict";

function groupChart(container, group, bands) {
  const id = `fit-${group.name}`;
  const section = sd.el("section", { class: "fit-group" }, sd.el("h3", {}, `${group.description}`));
  let select = null;
  // The total first, then the largest categories: the first option is the one drawn.
  const largest = (c) => Math.max(0, ...group.points.filter((p) => p.category === c).map((p) => p.observed || 0));
  const categories = [...group.categories].sort((a, b) => (b === "total") - (a === "total") || largest(b) - largest(a));
  if (categories.length > 1) {
    select = sd.el("select", { "aria-label": `${group.name} category` },
      ...categories.map((c) => sd.el("option", { value: c }, c)));
    section.append(sd.el("label", {}, "category ", select));
  }
  const div = sd.el("div", { id, class: "chart" });
  section.append(div);
  container.append(section);
  const draw = () => {
    const category = select ? select.value : categories[0];
    const pts = group.points.filter((p) => p.category === category);
    const sim = pts.filter((p) => p.simulated !== null);
    const obs = pts.filter((p) => p.observed !== null);
    const x = sim.map((p) => p.reference_date);
    const traces = [];
    if (bands && sim.some((p) => p.q05 !== null)) {
      traces.push(...sd.band(x, sim.map((p) => p.q05), sim.map((p) => p.q95), "simulated 90% band", "rgba(31,119,180,0.18)"));
    }
    if (sim.length) traces.push({ x, y: sim.map((p) => p.simulated), name: bands ? "simulated median" : "simulated (one run)", mode: "lines", line: { color: "#1f77b4" } });
    traces.push({ x: obs.map((p) => p.reference_date), y: obs.map((p) => p.observed), name: "observed", mode: "markers", marker: { color: "#d62728", size: 7 } });
    sd.plot(div, traces, { title: { text: `${group.series} — ${category}` }, yaxis: { rangemode: "tozero" } });
  };
  if (select) select.addEventListener("change", draw);
  draw();
}

document.addEventListener("DOMContentLoaded", async () => {
  let fit;
  try { fit = await sd.api("/api/model"); } catch (e) { sd.message(e.message); return; }
  const banner = document.getElementById("fit-source");
  banner.className = `banner ${fit.source === "calibration" ? "" : "warn"}`;
  banner.textContent = { calibration: "Calibrated model. ", stored_run: "Not calibrated. ", none: "Nothing to compare yet. " }[fit.source] + fit.label;
  const rows = fit.groups.map((g) => [g.name, g.series, sd.fmt(g.metrics && g.metrics.mape, 1),
    g.metrics && g.metrics.coverage90 !== null ? `${sd.fmt(100 * g.metrics.coverage90, 0)}%` : (fit.bands ? "—" : "no band"),
    g.metrics ? g.metrics.n_points : 0]);
  if (fit.overall) rows.push(["all", "", sd.fmt(fit.overall.mape, 1), fit.overall.coverage90 !== null ? `${sd.fmt(100 * fit.overall.coverage90, 0)}%` : "—", fit.overall.n_points]);
  sd.fillTable(document.querySelector("#fit-metrics tbody"), rows);
  if (fit.goals.length) {
    const table = sd.el("table", { class: "data" }, sd.el("thead", {}, sd.el("tr", {}, ...["goal", "target", "measured", "met"].map((h) => sd.el("th", {}, h)))));
    const body = sd.el("tbody");
    sd.fillTable(body, fit.goals.map((g) => [g.goal, g.target, typeof g.measured === "object" ? JSON.stringify(g.measured) : sd.fmt(g.measured, 2), g.met === null ? "unknown" : (g.met ? "yes" : "no")]));
    table.append(body);
    document.getElementById("fit-goals").append(sd.el("h2", {}, "The calibration's goals"), table);
  }
  const charts = document.getElementById("fit-charts");
  for (const group of fit.groups) groupChart(charts, group, fit.bands);
});
